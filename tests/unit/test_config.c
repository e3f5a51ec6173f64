/* test_config.c: daiban.conf defaults, overrides and refusals. */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "daiban/dbn_config.h"
#include "daiban/dbn_error.h"

typedef struct {
    char *dir;  /* temporary folder */
    char *file; /* dir/daiban.conf */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-config-XXXXXX", &error);
    g_assert_no_error (error);
    f->file = g_build_filename (f->dir, "daiban.conf", NULL);
}

static void
remove_tree (const char *path)
{
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
        else
            g_unlink (child);
    }
    g_rmdir (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    remove_tree (f->dir);
    g_free (f->file);
    g_free (f->dir);
}

static void
write_conf (Fixture *f, const char *text)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_set_contents (f->file, text, -1, &error));
    g_assert_no_error (error);
}

static const char *const expected_defaults[][3] = {
    { "intake", "tcp://127.0.0.1:47101", "tcp://127.0.0.1:47102" },
    { "routing", "tcp://127.0.0.1:47111", "tcp://127.0.0.1:47112" },
    { "deadline", "tcp://127.0.0.1:47121", "tcp://127.0.0.1:47122" },
    { "evaluation", "tcp://127.0.0.1:47131", "tcp://127.0.0.1:47132" },
    { "audit", "tcp://127.0.0.1:47141", "tcp://127.0.0.1:47142" },
};

static void
assert_defaults (DbnConfig *config)
{
    g_assert_cmpstr (dbn_config_get_township (config), ==, "T01");
    g_assert_true (dbn_config_get_sync_full (config));
    g_assert_cmpstr (dbn_config_get_catalog_path (config), ==, DBN_SOURCE_DIR "/schemas/data/catalog.ini");
    for (gsize i = 0; i < G_N_ELEMENTS (expected_defaults); i++) {
        g_assert_cmpstr (dbn_config_get_command_endpoint (config, expected_defaults[i][0]), ==,
                         expected_defaults[i][1]);
        g_assert_cmpstr (dbn_config_get_publish_endpoint (config, expected_defaults[i][0]), ==,
                         expected_defaults[i][2]);
    }
    g_assert_null (dbn_config_get_command_endpoint (config, "nosuch"));
    g_assert_null (dbn_config_get_publish_endpoint (config, "nosuch"));
}

static void
test_service_names (void)
{
    const char *const *names = dbn_config_service_names ();
    g_assert_cmpuint (g_strv_length ((char **) names), ==, 5);
    for (gsize i = 0; i < G_N_ELEMENTS (expected_defaults); i++)
        g_assert_cmpstr (names[i], ==, expected_defaults[i][0]);
    g_assert_null (names[5]);
}

static void
test_defaults_without_file (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    assert_defaults (config);
    g_assert_cmpstr (dbn_config_get_data_dir (config), ==, f->dir);
    /* Not even the folder needs to exist. */
    g_autofree char *missing = g_build_filename (f->dir, "not", "there", NULL);
    g_autoptr (DbnConfig) config2 = dbn_config_load (missing, &error);
    g_assert_no_error (error);
    assert_defaults (config2);
}

static void
test_write_default (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (f->dir, "new", "data", NULL);
    g_assert_true (dbn_config_write_default (dir, &error));
    g_assert_no_error (error);
    GStatBuf st;
    g_assert_cmpint (g_stat (dir, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);

    g_autofree char *file = g_build_filename (dir, "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (file, &text, NULL, &error));
    g_assert_nonnull (strstr (text, "# "));
    g_assert_nonnull (strstr (text, "[service:audit]"));

    /* What it wrote loads back as the defaults. */
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    assert_defaults (config);

    /* An operator's file is never overwritten. */
    g_assert_true (g_file_set_contents (file, "[daiban]\ntownship = T09\n", -1, &error));
    g_assert_true (dbn_config_write_default (dir, &error));
    g_assert_no_error (error);
    g_autoptr (DbnConfig) edited = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_config_get_township (edited), ==, "T09");
}

static void
test_overrides (Fixture *f, gconstpointer data)
{
    write_conf (f, "# edited by the operator\n"
                   "[daiban]\n"
                   "township = T07            # prefix of case numbers\n"
                   "catalog = /srv/daiban/catalog.ini\n"
                   "synchronous = normal\n"
                   "[service:routing]\n"
                   "command = tcp://10.0.0.2:5000   # ROUTER\n"
                   "[service:county-feed]\n"
                   "command = ipc:///run/daiban/county.cmd\n"
                   "publish = inproc://county\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_config_get_township (config), ==, "T07");
    g_assert_cmpstr (dbn_config_get_catalog_path (config), ==, "/srv/daiban/catalog.ini");
    g_assert_false (dbn_config_get_sync_full (config));
    g_assert_cmpstr (dbn_config_get_command_endpoint (config, "routing"), ==, "tcp://10.0.0.2:5000");
    /* The key the file left out keeps its default. */
    g_assert_cmpstr (dbn_config_get_publish_endpoint (config, "routing"), ==, "tcp://127.0.0.1:47112");
    g_assert_cmpstr (dbn_config_get_command_endpoint (config, "intake"), ==, "tcp://127.0.0.1:47101");
    g_assert_cmpstr (dbn_config_get_command_endpoint (config, "county-feed"), ==,
                     "ipc:///run/daiban/county.cmd");
    g_assert_cmpstr (dbn_config_get_publish_endpoint (config, "county-feed"), ==, "inproc://county");
}

static void
test_relative_catalog (Fixture *f, gconstpointer data)
{
    write_conf (f, "[daiban]\ncatalog = mine/catalog.ini\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    g_autofree char *expected = g_build_filename (f->dir, "mine", "catalog.ini", NULL);
    g_assert_cmpstr (dbn_config_get_catalog_path (config), ==, expected);
}

/* Each bad file is refused with DBN_ERROR_CONFIG naming the file and, where
 * there is one, the group and the key. */
typedef struct {
    const char *text;     /* the file */
    const char *location; /* expected in the message after the file name */
} BadCase;

static const BadCase bad_cases[] = {
    { "[daiban]\nsynchronous = sometimes\n", "[daiban] synchronous" },
    { "[daiban]\nsynchronous =\n", "[daiban] synchronous" },
    { "[daiban]\ntownship = T-01\n", "[daiban] township" },
    { "[daiban]\ntownship =\n", "[daiban] township" },
    { "[daiban]\ncatalog =  # nothing\n", "[daiban] catalog" },
    { "[daiban]\nsynchronus = normal\n", "[daiban] synchronus" },
    { "[service:intake]\ncommand = http://127.0.0.1:47101\n", "[service:intake] command" },
    { "[service:intake]\npublish = 127.0.0.1:47102\n", "[service:intake] publish" },
    { "[service:intake]\npublish = tcp://\n", "[service:intake] publish" },
    { "[service:intake]\nbind = tcp://127.0.0.1:1\n", "[service:intake] bind" },
    { "[service:extra]\ncommand = tcp://127.0.0.1:1\n", "[service:extra] publish" },
    { "[service:Bad Name]\ncommand = tcp://127.0.0.1:1\n", "[service:Bad Name]" },
    { "[servers]\nintake = tcp://127.0.0.1:1\n", "[servers]" },
    /* Two sockets on one address: the later service is named. */
    { "[service:routing]\ncommand = tcp://127.0.0.1:47101\n", "[service:routing] command" },
    { "[service:audit]\npublish = tcp://127.0.0.1:47141\n", "[service:audit] publish" },
    /* Not a key file at all. */
    { "township = T01\n", NULL },
    { "[daiban\ntownship = T01\n", NULL },
};

static void
test_bad_values (Fixture *f, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
        g_autoptr (GError) error = NULL;
        write_conf (f, bad_cases[i].text);
        DbnConfig *config = dbn_config_load (f->dir, &error);
        g_assert_null (config);
        g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
        g_assert_true (g_str_has_prefix (error->message, f->file));
        if (bad_cases[i].location != NULL) {
            g_autofree char *where = g_strdup_printf ("%s: %s", f->file, bad_cases[i].location);
            if (!g_str_has_prefix (error->message, where))
                g_error ("case %" G_GSIZE_FORMAT ": \"%s\" does not start with \"%s\"", i, error->message,
                         where);
        }
    }
}

static void
test_unreadable_file (Fixture *f, gconstpointer data)
{
    /* A folder where the file should be: exists, cannot be read. */
    g_assert_cmpint (g_mkdir (f->file, 0700), ==, 0);
    g_autoptr (GError) error = NULL;
    DbnConfig *config = dbn_config_load (f->dir, &error);
    g_assert_null (config);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
    g_assert_true (g_str_has_prefix (error->message, f->file));
}

static void
test_resolve_data_dir (void)
{
    g_autofree char *saved = g_strdup (g_getenv ("DAIBAN_DATA"));
    g_setenv ("DAIBAN_DATA", "/from/env", TRUE);
    g_autofree char *a = dbn_config_resolve_data_dir ("/from/option");
    g_assert_cmpstr (a, ==, "/from/option");
    g_autofree char *b = dbn_config_resolve_data_dir ("");
    g_assert_cmpstr (b, ==, "/from/env");
    g_autofree char *c = dbn_config_resolve_data_dir (NULL);
    g_assert_cmpstr (c, ==, "/from/env");
    g_unsetenv ("DAIBAN_DATA");
    g_autofree char *d = dbn_config_resolve_data_dir (NULL);
    g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "daiban", NULL);
    g_assert_cmpstr (d, ==, expected);
    if (saved != NULL)
        g_setenv ("DAIBAN_DATA", saved, TRUE);
}

static void
test_store_path_and_set_endpoints (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    g_autofree char *path = dbn_config_dup_store_path (config, "intake");
    g_autofree char *expected = g_build_filename (f->dir, "intake.db", NULL);
    g_assert_cmpstr (path, ==, expected);

    /* Tests put services on ephemeral endpoints; NULL keeps a value. */
    dbn_config_set_endpoints (config, "intake", "tcp://127.0.0.1:50001", NULL);
    g_assert_cmpstr (dbn_config_get_command_endpoint (config, "intake"), ==, "tcp://127.0.0.1:50001");
    g_assert_cmpstr (dbn_config_get_publish_endpoint (config, "intake"), ==, "tcp://127.0.0.1:47102");
    dbn_config_set_endpoints (config, "new", "inproc://new-cmd", "inproc://new-pub");
    g_assert_cmpstr (dbn_config_get_command_endpoint (config, "new"), ==, "inproc://new-cmd");
    g_assert_cmpstr (dbn_config_get_publish_endpoint (config, "new"), ==, "inproc://new-pub");
}

/* A county folder names its township sets; relative folders are the
 * county folder's, and every slip is refused with the group named. */
static void
test_county_townships (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    write_conf (f, "[county]\nname_zh = 青山县\ntownships = T01; T02\n"
                   "committee_key = keys/county-committee.secret\n"
                   "[township:T01]\nname_zh = 青山镇   # the first\nfolder = townships/T01\n"
                   "[township:T02]\nfolder = /srv/daiban/T02\n");
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_config_get_county_name (config), ==, "青山县");
    g_assert_cmpuint (dbn_config_get_n_townships (config), ==, 2);
    g_assert_cmpstr (dbn_config_get_township_id (config, 0), ==, "T01");
    g_assert_cmpstr (dbn_config_get_township_name (config, 0), ==, "青山镇");
    g_autofree char *folder = g_build_filename (f->dir, "townships/T01", NULL);
    g_assert_cmpstr (dbn_config_get_township_folder (config, 0), ==, folder);
    g_assert_cmpstr (dbn_config_get_township_id (config, 1), ==, "T02");
    g_assert_cmpstr (dbn_config_get_township_name (config, 1), ==, "T02");
    g_assert_cmpstr (dbn_config_get_township_folder (config, 1), ==, "/srv/daiban/T02");
    g_assert_cmpint (dbn_config_find_township (config, "T02"), ==, 1);
    g_assert_cmpint (dbn_config_find_township (config, "T03"), ==, -1);
    /* The county's key, relative to its folder like the townships'. */
    g_autofree char *committee = g_build_filename (f->dir, "keys/county-committee.secret", NULL);
    g_assert_cmpstr (dbn_config_get_county_committee_key (config), ==, committee);

    /* Not a county folder: no townships. */
    write_conf (f, "[daiban]\ntownship = T01\n");
    g_autoptr (DbnConfig) plain = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (dbn_config_get_n_townships (plain), ==, 0);
    g_assert_null (dbn_config_get_county_name (plain));
    g_assert_null (dbn_config_get_county_committee_key (plain));

    static const struct {
        const char *text;
        const char *says;
    } refused[] = {
        { "[county]\nname_zh = x\n", "[county] townships: missing" },
        { "[county]\ntownships = T01\n", "[township:T01]: missing" },
        { "[county]\ntownships = T01\n[township:T01]\nname_zh = a\n", "[township:T01] folder: missing" },
        { "[county]\ntownships = T01;T01\n[township:T01]\nfolder = a\n", "listed twice" },
        { "[county]\ntownships = T-1\n", "not 1 to 16 letters or digits" },
        { "[county]\ntownships = T01\n[township:T01]\nfolder = a\n[township:T09]\nfolder = b\n",
          "[township:T09]: not listed" },
        { "[county]\ntownships = T01\n[township:T01]\nfolder = a\nendpoint = tcp://x\n",
          "[township:T01] endpoint: unknown key" },
        { "[township:T01]\nfolder = a\n", "[township:T01]: not listed" },
        { "[county]\ntownships = T01\ncommittee_key =\n[township:T01]\nfolder = a\n",
          "[county] committee_key: empty path" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (refused); i++) {
        g_clear_error (&error);
        write_conf (f, refused[i].text);
        g_autoptr (DbnConfig) bad = dbn_config_load (f->dir, &error);
        g_assert_null (bad);
        g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
        if (strstr (error->message, refused[i].says) == NULL)
            g_error ("case %zu: \"%s\" does not say \"%s\"", i, error->message, refused[i].says);
    }
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    g_test_add_func ("/config/service-names/start-order", test_service_names);
    ADD ("/config/load/defaults-without-file", test_defaults_without_file);
    ADD ("/config/write-default/creates-once", test_write_default);
    ADD ("/config/load/overrides", test_overrides);
    ADD ("/config/load/relative-catalog", test_relative_catalog);
    ADD ("/config/load/bad-values-refused", test_bad_values);
    ADD ("/config/load/unreadable-file", test_unreadable_file);
    g_test_add_func ("/config/data-dir/resolve", test_resolve_data_dir);
    ADD ("/config/store-path-and-set-endpoints", test_store_path_and_set_endpoints);
    ADD ("/config/county/townships", test_county_townships);
#undef ADD
    return g_test_run ();
}
