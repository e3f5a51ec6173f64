/* test_keys.c: key pairs, principals and the registry in the data folder. */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "daiban/dbn_config.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_keys.h"

/* The registry's times come from the caller's clock (dbn_keys.h); these
 * tests read them only as present, so the wall clock serves. */
static DbnClock *
keys_clock (void)
{
    static DbnClock *clock;
    if (clock == NULL)
        clock = dbn_clock_new_wall ();
    return clock;
}

typedef struct {
    char *dir; /* temporary data folder */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-keys-XXXXXX", &error);
    g_assert_no_error (error);
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
    g_free (f->dir);
}

static void
init_keys (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_keys_init (f->dir, keys_clock (), &error));
    g_assert_no_error (error);
}

static char *
keys_file (Fixture *f, const char *name)
{
    return g_build_filename (f->dir, "keys", name, NULL);
}

static guint
file_mode (const char *path)
{
    GStatBuf st;
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    return st.st_mode & 07777;
}

static char *
read_text (const char *path)
{
    g_autoptr (GError) error = NULL;
    char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, &error));
    g_assert_no_error (error);
    return text;
}

static void
write_text (const char *path, const char *text, int mode)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static DbnRegistry *
load_registry (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    DbnRegistry *registry = dbn_registry_load (f->dir, &error);
    g_assert_no_error (error);
    g_assert_nonnull (registry);
    return registry;
}

static void
test_principal_valid (void)
{
    static const char *const valid[] = {
        "service:intake",
        "window:minzheng",
        "window:W-01_a",
        "station:village_07",
        "committee",
        "supervisor:east",
        "station:abcdefghijklmnopqrstuvwxyz012345", /* 32 characters */
    };
    for (gsize i = 0; i < G_N_ELEMENTS (valid); i++) {
        g_autoptr (GError) error = NULL;
        g_assert_true (dbn_principal_validate (valid[i], &error));
        g_assert_no_error (error);
    }
    g_autofree char *name = dbn_principal_dup_file_name ("window:minzheng");
    g_assert_cmpstr (name, ==, "window-minzheng");
    g_autofree char *committee = dbn_principal_dup_file_name ("committee");
    g_assert_cmpstr (committee, ==, "committee");
}

static void
test_principal_invalid (void)
{
    static const char *const invalid[] = {
        "",
        "window",
        "window:",
        "committee:x",
        "Window:a",
        "clerk:a",
        "window:a b",
        "window:a:b",
        "station:a/b",
        "station:../x",
        "window:中文",
        ":x",
        "supervisor:a\n",
        "station:abcdefghijklmnopqrstuvwxyz0123456", /* 33 characters */
        NULL,
    };
    for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++) {
        g_autoptr (GError) error = NULL;
        g_assert_false (dbn_principal_validate (invalid[i], &error));
        g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INVALID_PRINCIPAL);
        g_assert_cmpstr (dbn_error_wire_code (error), ==, "keys.invalid-principal");
        g_assert_null (dbn_principal_dup_file_name (invalid[i]));
    }
}

static void
test_init_creates_service_keys (Fixture *f, gconstpointer data)
{
    init_keys (f);
    g_autofree char *keys_dir = keys_file (f, NULL);
    g_assert_cmphex (file_mode (keys_dir), ==, 0700);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    guint services = 0;
    for (const char *const *name = dbn_config_service_names (); *name != NULL; name++) {
        g_autofree char *principal = g_strconcat ("service:", *name, NULL);
        g_autofree char *path = dbn_keys_dup_secret_path (f->dir, principal);
        g_autofree char *expected = g_strdup_printf ("%s/keys/service-%s.secret", f->dir, *name);
        g_assert_cmpstr (path, ==, expected);
        g_assert_cmphex (file_mode (path), ==, 0600);
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (path, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (dbn_key_pair_get_principal (pair), ==, principal);
        g_assert_cmpuint (strlen (dbn_key_pair_get_public (pair)), ==, 40);
        g_assert_cmpuint (strlen (dbn_key_pair_get_secret (pair)), ==, 40);
        g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (pair)), ==, principal);
        g_assert_cmpstr (dbn_registry_get_public_key (registry, principal), ==,
                         dbn_key_pair_get_public (pair));
        g_assert_false (dbn_registry_is_revoked (registry, principal));
        services++;
    }
    /* The operator's key, for `daiban` on this machine. */
    g_autofree char *operator_path = dbn_keys_dup_secret_path (f->dir, "operator");
    g_autofree char *operator_expected = g_strdup_printf ("%s/keys/operator.secret", f->dir);
    g_assert_cmpstr (operator_path, ==, operator_expected);
    g_assert_cmphex (file_mode (operator_path), ==, 0600);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) operator_pair = dbn_key_pair_load (operator_path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (operator_pair)), ==, "operator");
    g_assert_nonnull (dbn_registry_get_created (registry, "operator"));
    g_assert_null (dbn_registry_get_revoked_at (registry, "operator"));
    /* Nothing but the services and the operator: clients are added one by one. */
    g_auto (GStrv) principals = dbn_registry_dup_principals (registry);
    g_assert_cmpuint (g_strv_length (principals), ==, services + 1);
    g_assert_cmpstr (principals[0], ==, "operator"); /* sorted */
    g_assert_cmpstr (principals[1], ==, "service:audit");
}

static void
test_principal_kinds (void)
{
    static const struct {
        const char *principal;
        DbnPrincipalKind kind;
        const char *id;
    } cases[] = {
        { "service:intake", DBN_PRINCIPAL_SERVICE, "intake" },
        { "operator", DBN_PRINCIPAL_OPERATOR, NULL },
        { "window:minzheng", DBN_PRINCIPAL_WINDOW, "minzheng" },
        { "station:qingshui", DBN_PRINCIPAL_STATION, "qingshui" },
        { "supervisor:east", DBN_PRINCIPAL_SUPERVISOR, "east" },
        { "committee", DBN_PRINCIPAL_COMMITTEE, NULL },
        { "committee:x", 0, NULL },
        { "operator2", 0, NULL },
        { "service:", 0, NULL },
        { "station:a/b", 0, NULL },
        { "", 0, NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_assert_cmpint (dbn_principal_get_kind (cases[i].principal), ==, cases[i].kind);
        g_assert_cmpstr (dbn_principal_get_id (cases[i].principal), ==, cases[i].id);
    }
    g_assert_cmpint (dbn_principal_get_kind (NULL), ==, 0);
}

static void
test_init_idempotent (Fixture *f, gconstpointer data)
{
    init_keys (f);
    g_autofree char *registry_path = keys_file (f, "registry");
    g_autofree char *intake_path = keys_file (f, "service-intake.secret");
    g_autofree char *registry_before = read_text (registry_path);
    g_autofree char *intake_before = read_text (intake_path);
    GStatBuf st_before, st_after;
    g_assert_cmpint (g_stat (registry_path, &st_before), ==, 0);

    init_keys (f);
    g_autofree char *registry_after = read_text (registry_path);
    g_autofree char *intake_after = read_text (intake_path);
    g_assert_cmpstr (registry_after, ==, registry_before);
    g_assert_cmpstr (intake_after, ==, intake_before);
    /* Not even rewritten: a running service's reload check sees no change. */
    g_assert_cmpint (g_stat (registry_path, &st_after), ==, 0);
    g_assert_cmpuint (st_after.st_ino, ==, st_before.st_ino);
}

static void
test_init_keeps_keys_when_registry_lost (Fixture *f, gconstpointer data)
{
    init_keys (f);
    g_autofree char *registry_path = keys_file (f, "registry");
    g_autofree char *intake_path = keys_file (f, "service-intake.secret");
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) intake = dbn_key_pair_load (intake_path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_unlink (registry_path), ==, 0);

    init_keys (f);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (intake)), ==, "service:intake");
}

static void
test_init_keeps_revoked_service (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_assert_true (dbn_keys_revoke (f->dir, "service:audit", keys_clock (), &error));
    g_assert_no_error (error);
    init_keys (f);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_true (dbn_registry_is_revoked (registry, "service:audit"));
    g_assert_nonnull (dbn_registry_get_revoked_at (registry, "service:audit"));
}

/* The registry's times are the given clock's, in office time (UTC+8): a
 * manual clock at 02:00:00.123 UTC writes 10:00:00.123 local, whatever the
 * environment says (DAIBAN_CLOCK_FILE is not read here). */
static void
test_times_come_from_the_given_clock (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (1772416800123); /* 2026-03-02T02:00:00.123Z */
    g_setenv ("DAIBAN_CLOCK_FILE", "/nonexistent/daiban-clock", TRUE);
    g_assert_true (dbn_keys_init (f->dir, clock, &error));
    g_assert_no_error (error);
    dbn_clock_advance_ms (clock, 60 * 1000);
    g_assert_true (dbn_keys_add (f->dir, "window:minzheng", clock, NULL, &error));
    g_assert_no_error (error);
    dbn_clock_advance_ms (clock, 60 * 1000);
    g_assert_true (dbn_keys_revoke (f->dir, "window:minzheng", clock, &error));
    g_assert_no_error (error);
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_cmpstr (dbn_registry_get_created (registry, "operator"), ==, "2026-03-02T10:00:00.123000+08");
    g_assert_cmpstr (dbn_registry_get_created (registry, "window:minzheng"), ==,
                     "2026-03-02T10:01:00.123000+08");
    g_assert_cmpstr (dbn_registry_get_revoked_at (registry, "window:minzheng"), ==,
                     "2026-03-02T10:02:00.123000+08");
}

static void
test_add_registers_client (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *secret_path = NULL;
    init_keys (f);
    g_assert_true (dbn_keys_add (f->dir, "window:minzheng", keys_clock (), &secret_path, &error));
    g_assert_no_error (error);
    g_autofree char *expected = keys_file (f, "window-minzheng.secret");
    g_assert_cmpstr (secret_path, ==, expected);
    g_assert_cmphex (file_mode (secret_path), ==, 0600);

    g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (secret_path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_key_pair_get_principal (pair), ==, "window:minzheng");
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (pair)), ==, "window:minzheng");

    g_autofree char *registry_path = keys_file (f, "registry");
    g_autofree char *text = read_text (registry_path);
    g_assert_nonnull (strstr (text, "[window:minzheng]"));
    g_assert_nonnull (strstr (text, "created="));
    g_assert_nonnull (strstr (text, "revoked=false"));
    /* The secret never reaches the registry. */
    g_assert_null (strstr (text, dbn_key_pair_get_secret (pair)));
}

static void
test_add_refuses_existing (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_assert_true (dbn_keys_add (f->dir, "committee", keys_clock (), NULL, &error));
    g_assert_no_error (error);
    g_autofree char *path = keys_file (f, "committee.secret");
    g_autofree char *before = read_text (path);

    g_assert_false (dbn_keys_add (f->dir, "committee", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_EXISTS);
    g_assert_cmpstr (dbn_error_wire_code (error), ==, "keys.exists");
    g_autofree char *after = read_text (path);
    g_assert_cmpstr (after, ==, before);
    g_clear_error (&error);

    /* Services count too: init made them. */
    g_assert_false (dbn_keys_add (f->dir, "service:intake", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_EXISTS);
}

static void
test_add_refuses_bad_principal (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_assert_false (dbn_keys_add (f->dir, "station:../../etc", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INVALID_PRINCIPAL);
    g_clear_error (&error);
    g_assert_false (dbn_keys_add (f->dir, "root", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INVALID_PRINCIPAL);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_null (dbn_registry_get_public_key (registry, "root"));
}

static void
test_add_needs_registry (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_assert_false (dbn_keys_add (f->dir, "window:a", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "keys init"));
}

static void
test_revoke (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autofree char *path = NULL;
    g_assert_true (dbn_keys_add (f->dir, "station:A", keys_clock (), &path, &error));
    g_assert_no_error (error);
    g_autoptr (DbnKeyPair) old_pair = dbn_key_pair_load (path, &error);
    g_assert_no_error (error);

    g_assert_true (dbn_keys_revoke (f->dir, "station:A", keys_clock (), &error));
    g_assert_no_error (error);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_null (dbn_registry_lookup (registry, dbn_key_pair_get_public (old_pair)));
    g_assert_true (dbn_registry_is_revoked (registry, "station:A"));
    g_assert_cmpstr (dbn_registry_get_public_key (registry, "station:A"), ==,
                     dbn_key_pair_get_public (old_pair));
    g_autofree char *registry_path = keys_file (f, "registry");
    g_autofree char *text = read_text (registry_path);
    g_assert_nonnull (strstr (text, "revoked=true"));
    g_assert_nonnull (strstr (text, "revoked-at="));

    /* Twice is harmless; an unknown principal is not. */
    g_assert_true (dbn_keys_revoke (f->dir, "station:A", keys_clock (), &error));
    g_assert_no_error (error);
    g_assert_false (dbn_keys_revoke (f->dir, "station:B", keys_clock (), &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_NOT_FOUND);
    g_clear_error (&error);

    /* A revoked principal may be issued a new key; the old one stays refused. */
    g_autofree char *new_path = NULL;
    g_assert_true (dbn_keys_add (f->dir, "station:A", keys_clock (), &new_path, &error));
    g_assert_no_error (error);
    g_autoptr (DbnKeyPair) new_pair = dbn_key_pair_load (new_path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_key_pair_get_public (new_pair), !=, dbn_key_pair_get_public (old_pair));
    g_assert_true (dbn_registry_reload_if_changed (registry));
    g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (new_pair)), ==, "station:A");
    g_assert_null (dbn_registry_lookup (registry, dbn_key_pair_get_public (old_pair)));
    g_assert_false (dbn_registry_is_revoked (registry, "station:A"));
}

static void
test_load_refuses_insecure (Fixture *f, gconstpointer data)
{
    static const int modes[] = { 0644, 0640, 0604, 0620, 0602, 0660 };
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autofree char *path = keys_file (f, "service-routing.secret");
    for (gsize i = 0; i < G_N_ELEMENTS (modes); i++) {
        g_assert_cmpint (g_chmod (path, modes[i]), ==, 0);
        g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (path, &error);
        g_assert_null (pair);
        g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INSECURE);
        g_autofree char *mode = g_strdup_printf ("%04o", modes[i]);
        g_assert_nonnull (strstr (error->message, path));
        g_assert_nonnull (strstr (error->message, mode));
        g_assert_cmpstr (dbn_error_wire_code (error), ==, "keys.insecure");
        g_autofree char *zh = dbn_error_dup_message_zh (error);
        g_assert_nonnull (strstr (zh, "密钥文件权限过宽"));
        g_assert_nonnull (strstr (zh, path));
        g_clear_error (&error);
    }
    /* Read-only for the owner is fine. */
    g_assert_cmpint (g_chmod (path, 0400), ==, 0);
    g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (path, &error);
    g_assert_no_error (error);
    g_assert_nonnull (pair);
    /* init checks existing secrets too, so `daiban up` stops on it. */
    g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    g_assert_false (dbn_keys_init (f->dir, keys_clock (), &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INSECURE);
}

static void
test_load_refuses_malformed (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autofree char *missing = keys_file (f, "window-nobody.secret");
    g_assert_null (dbn_key_pair_load (missing, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_nonnull (strstr (error->message, missing));
    g_clear_error (&error);

    g_autofree char *path = keys_file (f, "bad.secret");
    write_text (path, "not a key file\n", 0600);
    g_assert_null (dbn_key_pair_load (path, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_clear_error (&error);

    /* A public key that does not belong to the secret key. */
    g_autoptr (DbnKeyPair) a = dbn_key_pair_new ("window:a", &error);
    g_autoptr (DbnKeyPair) b = dbn_key_pair_new ("window:b", &error);
    g_assert_no_error (error);
    g_autofree char *mixed = g_strdup_printf ("[curve]\nprincipal=window:a\npublic-key=%s\n"
                                              "secret-key=%s\n",
                                              dbn_key_pair_get_public (b), dbn_key_pair_get_secret (a));
    write_text (path, mixed, 0600);
    g_assert_null (dbn_key_pair_load (path, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "does not belong"));
    g_clear_error (&error);

    /* The same file with the right public key loads. */
    g_autofree char *good = g_strdup_printf ("[curve]\nprincipal=window:a\npublic-key=%s\n"
                                             "secret-key=%s\n",
                                             dbn_key_pair_get_public (a), dbn_key_pair_get_secret (a));
    write_text (path, good, 0600);
    g_autoptr (DbnKeyPair) loaded = dbn_key_pair_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dbn_key_pair_get_secret (loaded), ==, dbn_key_pair_get_secret (a));

    /* A bad principal inside the file. */
    g_autofree char *bad_principal =
        g_strdup_printf ("[curve]\nprincipal=root\npublic-key=%s\n"
                         "secret-key=%s\n",
                         dbn_key_pair_get_public (a), dbn_key_pair_get_secret (a));
    write_text (path, bad_principal, 0600);
    g_assert_null (dbn_key_pair_load (path, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
}

static void
test_registry_reload_sees_revocation (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_false (dbn_registry_reload_if_changed (registry));

    g_autofree char *path = NULL;
    g_assert_true (dbn_keys_add (f->dir, "window:minzheng", keys_clock (), &path, &error));
    g_assert_no_error (error);
    g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (path, &error);
    g_assert_no_error (error);
    const char *key = dbn_key_pair_get_public (pair);
    g_assert_null (dbn_registry_lookup (registry, key)); /* not re-read yet */
    g_assert_true (dbn_registry_reload_if_changed (registry));
    g_assert_cmpstr (dbn_registry_lookup (registry, key), ==, "window:minzheng");
    g_assert_false (dbn_registry_reload_if_changed (registry));

    g_assert_true (dbn_keys_revoke (f->dir, "window:minzheng", keys_clock (), &error));
    g_assert_no_error (error);
    g_assert_true (dbn_registry_reload_if_changed (registry));
    g_assert_null (dbn_registry_lookup (registry, key));
    g_assert_true (dbn_registry_is_revoked (registry, "window:minzheng"));
}

static void
test_registry_malformed_keeps_previous (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    const char *intake_key = dbn_registry_get_public_key (registry, "service:intake");
    g_autofree char *intake = g_strdup (intake_key);

    g_autofree char *path = keys_file (f, "registry");
    write_text (path, "[window:a]\npublic-key=tooshort\n", 0644);
    g_test_expect_message ("daiban-keys", G_LOG_LEVEL_WARNING,
                           "*keeping the previous*[window:a]*not 40 characters*");
    g_test_expect_message ("daiban-keys", G_LOG_LEVEL_WARNING, "*keeping the previous*");
    g_assert_false (dbn_registry_reload_if_changed (registry));
    g_assert_cmpstr (dbn_registry_lookup (registry, intake), ==, "service:intake");
    /* Logged once per version of the file, not on every check. */
    g_assert_false (dbn_registry_reload_if_changed (registry));
    g_assert_null (dbn_registry_load (f->dir, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "[window:a]"));
    g_clear_error (&error);
    /* A writer refuses to rewrite (and so hide) a malformed registry. */
    g_assert_false (dbn_keys_add (f->dir, "window:b", keys_clock (), NULL, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_clear_error (&error);

    /* Deleting the file is reported the same way. */
    g_assert_cmpint (g_unlink (path), ==, 0);
    g_assert_false (dbn_registry_reload_if_changed (registry));
    g_test_assert_expected_messages ();
    g_assert_cmpstr (dbn_registry_lookup (registry, intake), ==, "service:intake");
}

static void
test_registry_refuses_shared_key (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autoptr (DbnKeyPair) a = dbn_key_pair_new ("window:a", &error);
    g_assert_no_error (error);
    g_autofree char *text = g_strdup_printf ("[window:a]\npublic-key=%s\n"
                                             "[window:b]\npublic-key=%s\n",
                                             dbn_key_pair_get_public (a), dbn_key_pair_get_public (a));
    g_autofree char *path = keys_file (f, "registry");
    write_text (path, text, 0644);
    g_assert_null (dbn_registry_load (f->dir, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "same public key"));
    g_clear_error (&error);

    /* Once one of them is revoked the key is unambiguous again. */
    g_autofree char *revoked = g_strdup_printf ("[window:a]\npublic-key=%s\n"
                                                "[window:b]\npublic-key=%s\nrevoked=true\n",
                                                dbn_key_pair_get_public (a), dbn_key_pair_get_public (a));
    write_text (path, revoked, 0644);
    g_autoptr (DbnRegistry) registry = load_registry (f);
    g_assert_cmpstr (dbn_registry_lookup (registry, dbn_key_pair_get_public (a)), ==, "window:a");
}

static void
test_registry_refuses_bad_revoked_value (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    init_keys (f);
    g_autoptr (DbnKeyPair) a = dbn_key_pair_new ("window:a", &error);
    g_assert_no_error (error);
    g_autofree char *text =
        g_strdup_printf ("[window:a]\npublic-key=%s\nrevoked=yes\n", dbn_key_pair_get_public (a));
    g_autofree char *path = keys_file (f, "registry");
    write_text (path, text, 0644);
    /* "yes" is not "false": a typo must not silently un-revoke a key. */
    g_assert_null (dbn_registry_load (f->dir, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/keys/principal/valid", test_principal_valid);
    g_test_add_func ("/keys/principal/invalid-refused", test_principal_invalid);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/keys/init/creates-service-keys", test_init_creates_service_keys);
    g_test_add_func ("/keys/principal/kinds", test_principal_kinds);
    ADD ("/keys/init/idempotent", test_init_idempotent);
    ADD ("/keys/init/keeps-keys-when-registry-lost", test_init_keeps_keys_when_registry_lost);
    ADD ("/keys/init/keeps-revoked-service", test_init_keeps_revoked_service);
    ADD ("/keys/registry/times-come-from-the-given-clock", test_times_come_from_the_given_clock);
    ADD ("/keys/add/registers-client", test_add_registers_client);
    ADD ("/keys/add/refuses-existing", test_add_refuses_existing);
    ADD ("/keys/add/refuses-bad-principal", test_add_refuses_bad_principal);
    ADD ("/keys/add/needs-registry", test_add_needs_registry);
    ADD ("/keys/revoke/refuses-key-and-allows-reissue", test_revoke);
    ADD ("/keys/load/refuses-insecure-mode", test_load_refuses_insecure);
    ADD ("/keys/load/refuses-malformed", test_load_refuses_malformed);
    ADD ("/keys/registry/reload-sees-revocation", test_registry_reload_sees_revocation);
    ADD ("/keys/registry/malformed-keeps-previous", test_registry_malformed_keeps_previous);
    ADD ("/keys/registry/refuses-shared-key", test_registry_refuses_shared_key);
    ADD ("/keys/registry/refuses-bad-revoked-value", test_registry_refuses_bad_revoked_value);
#undef ADD
    return g_test_run ();
}
