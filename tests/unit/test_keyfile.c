/* test_keyfile.c: the strict reading of data files (dbn_keyfile_private.h)
 * that the catalog and org.ini loaders share: line numbers in messages,
 * duplicates and unknown keys refused, ';'-lists, plain ids. */
#include <daiban/daiban.h>

#include "dbn_keyfile_private.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (test-keyfile-error-quark, test_keyfile_error)
/* clang-format on */
#define TEST_ERROR   (test_keyfile_error_quark ())
#define TEST_INVALID 7

static const char sample[] = "# a data file\n"         /* 1 */
                             "[matter:A]\n"            /* 2 */
                             "name = 甲\n"             /* 3 */
                             "materials = a; b ;; c\n" /* 4 */
                             "\n"                      /* 5 */
                             "[matter:B]\n"            /* 6 */
                             "name =   \n"             /* 7 */
                             "restricted = maybe\n"    /* 8 */
                             "colour = red\n";         /* 9 */

typedef struct {
    GKeyFile *kf;
    DbnKeyFileCtx ctx;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    const char *text = data != NULL ? data : sample;
    f->kf = g_key_file_new ();
    g_assert_true (g_key_file_load_from_data (f->kf, text, -1, G_KEY_FILE_NONE, &error));
    g_assert_no_error (error);
    f->ctx = (DbnKeyFileCtx){ f->kf, "/d/catalog.ini", text, TEST_ERROR, TEST_INVALID };
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_key_file_free (f->kf);
}

static void
test_find_line (void)
{
    g_assert_cmpint (dbn_keyfile_find_line (sample, "matter:A", NULL), ==, 2);
    g_assert_cmpint (dbn_keyfile_find_line (sample, "matter:A", "materials"), ==, 4);
    /* A key is looked for inside its own group only. */
    g_assert_cmpint (dbn_keyfile_find_line (sample, "matter:B", "name"), ==, 7);
    g_assert_cmpint (dbn_keyfile_find_line (sample, "matter:B", "materials"), ==, 0);
    g_assert_cmpint (dbn_keyfile_find_line (sample, "matter:C", NULL), ==, 0);
}

static void
test_find_unparsable_line (void)
{
    g_assert_cmpint (dbn_keyfile_find_unparsable_line (sample), ==, 0);
    g_assert_cmpint (dbn_keyfile_find_unparsable_line ("key = before any group\n"), ==, 1);
    g_assert_cmpint (dbn_keyfile_find_unparsable_line ("[a]\nx = 1\njust words\n"), ==, 3);
    g_assert_cmpint (dbn_keyfile_find_unparsable_line ("[a]\n= no key\n"), ==, 2);
    g_assert_cmpint (dbn_keyfile_find_unparsable_line ("# c\n[open\n"), ==, 2);
}

/* "path:line: [group] key: reason", at the key's line, else the group's. */
static void
test_invalid_names_the_line (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_assert_false (dbn_keyfile_invalid (&f->ctx, &error, "matter:A", "materials", "bad %s", "list"));
    g_assert_error (error, TEST_ERROR, TEST_INVALID);
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:4: [matter:A] materials: bad list");
    g_clear_error (&error);
    g_assert_false (dbn_keyfile_invalid (&f->ctx, &error, "matter:B", "window", "needed"));
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:6: [matter:B] window: needed");
    g_clear_error (&error);
    g_assert_false (dbn_keyfile_invalid (&f->ctx, &error, "matter:A", NULL, "whole group"));
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:2: [matter:A]: whole group");
}

static void
test_values (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *name = dbn_keyfile_dup_required (&f->ctx, "matter:A", "name", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (name, ==, "甲");
    /* Blank is missing. */
    g_assert_null (dbn_keyfile_dup_required (&f->ctx, "matter:B", "name", &error));
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:7: [matter:B] name: missing or empty");
    g_clear_error (&error);

    g_auto (GStrv) list = dbn_keyfile_dup_list (&f->ctx, "matter:A", "materials");
    g_autofree char *joined = g_strjoinv ("|", list);
    g_assert_cmpstr (joined, ==, "a|b|c");
    g_auto (GStrv) none = dbn_keyfile_dup_list (&f->ctx, "matter:B", "materials");
    g_assert_nonnull (none);
    g_assert_null (none[0]);

    gboolean value = FALSE;
    g_assert_true (
        dbn_keyfile_get_optional_boolean (&f->ctx, "matter:A", "restricted", TRUE, &value, &error));
    g_assert_no_error (error);
    g_assert_true (value);
    g_assert_false (
        dbn_keyfile_get_optional_boolean (&f->ctx, "matter:B", "restricted", FALSE, &value, &error));
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:8: [matter:B] restricted: must be true or false");
}

static void
test_unknown_key (Fixture *f, gconstpointer data)
{
    static const char *const allowed[] = { "name", "materials", "restricted", NULL };
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_keyfile_check_keys (&f->ctx, "matter:A", allowed, &error));
    g_assert_no_error (error);
    g_assert_false (dbn_keyfile_check_keys (&f->ctx, "matter:B", allowed, &error));
    g_assert_cmpstr (error->message, ==, "/d/catalog.ini:9: [matter:B] colour: unknown key");
}

static const char duplicate_group[] = "[a]\nx = 1\n[b]\nx = 2\n[a]\ny = 3\n";
static const char duplicate_key[] = "[a]\nx = 1\ny = 2\nx = 3\n";

static void
test_duplicates (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_assert_false (dbn_keyfile_check_duplicates (&f->ctx, &error));
    g_assert_error (error, TEST_ERROR, TEST_INVALID);
    const char *want = data == duplicate_group ? "/d/catalog.ini:5: [a]: duplicate group (first on line 1)"
                                               : "/d/catalog.ini:4: [a] x: duplicate key (first on line 2)";
    g_assert_cmpstr (error->message, ==, want);
}

static void
test_no_duplicates (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    /* The same key in two groups is no duplicate. */
    g_assert_true (dbn_keyfile_check_duplicates (&f->ctx, &error));
    g_assert_no_error (error);
}

static void
test_plain_id (void)
{
    g_assert_true (dbn_keyfile_is_plain_id ("qingshui"));
    g_assert_true (dbn_keyfile_is_plain_id ("a-1_b"));
    g_assert_true (dbn_keyfile_is_plain_id ("abcdefghijklmnopqrstuvwxyz012345")); /* 32 */
    g_assert_false (dbn_keyfile_is_plain_id ("abcdefghijklmnopqrstuvwxyz0123456"));
    g_assert_false (dbn_keyfile_is_plain_id (""));
    g_assert_false (dbn_keyfile_is_plain_id (NULL));
    g_assert_false (dbn_keyfile_is_plain_id ("Qingshui"));
    g_assert_false (dbn_keyfile_is_plain_id ("a/b"));
    g_assert_false (dbn_keyfile_is_plain_id ("a.b"));
    g_assert_false (dbn_keyfile_is_plain_id ("清水"));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/keyfile/find-line", test_find_line);
    g_test_add_func ("/keyfile/find-unparsable-line", test_find_unparsable_line);
    g_test_add_func ("/keyfile/plain-id", test_plain_id);
#define ADD(path, text, func) g_test_add (path, Fixture, text, fixture_set_up, func, fixture_tear_down)
    ADD ("/keyfile/invalid-names-the-line", NULL, test_invalid_names_the_line);
    ADD ("/keyfile/values", NULL, test_values);
    ADD ("/keyfile/unknown-key", NULL, test_unknown_key);
    ADD ("/keyfile/duplicate-group", duplicate_group, test_duplicates);
    ADD ("/keyfile/duplicate-key", duplicate_key, test_duplicates);
    ADD ("/keyfile/no-duplicates", NULL, test_no_duplicates);
    return g_test_run ();
}
