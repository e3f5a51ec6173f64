/* test_catalog: the shipped catalog loads and is the complete list of the
 * seeds; broken files are refused with the line and the reason (D-CAT-3). */
#include <glib/gstdio.h>
#include <string.h>

#include <daiban/daiban.h>

static char *
shipped_catalog (void)
{
    return g_build_filename (g_getenv ("DAIBAN_SOURCE_DIR"), "schemas", "data", "catalog.ini", NULL);
}

static void
test_shipped_catalog_loads (void)
{
    g_autofree char *path = shipped_catalog ();
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (dbn_catalog_get_n_matters (cat), >=, 8);
    const DbnMatter *m = dbn_catalog_lookup (cat, "MZ-DIBAO");
    g_assert_nonnull (m);
    g_assert_cmpstr (m->name_zh, ==, "农村最低生活保障申请");
    g_assert_cmpint (m->level, ==, DBN_LEVEL_COUNTY);
    g_assert_cmpint (m->kind, ==, DBN_KIND_ESCALATED);
    g_assert_cmpuint (g_strv_length (m->materials), ==, 4);
    g_assert_cmpstr (dbn_catalog_get_category_name (cat, m->category, TRUE), ==, "民政和社会保障");
    const DbnMatter *id = dbn_catalog_lookup (cat, "QT-SHENFENZHENG");
    g_assert_cmpint (id->fee_fen, ==, 2000);
    g_assert_true (id->presence);
    g_assert_null (dbn_catalog_lookup (cat, "NO-SUCH"));
    /* Every matter is complete enough to route. */
    for (guint i = 0; i < dbn_catalog_get_n_matters (cat); i++) {
        const DbnMatter *x = dbn_catalog_get_matter (cat, i);
        g_assert_nonnull (x->departments[0]);
        g_assert_cmpint (x->limit_days, >, 0);
        g_assert_nonnull (dbn_catalog_get_category_name (cat, x->category, FALSE));
    }
}

/* D-CAT-1: the 30 matters in 8 categories of 篇6, as complete as routing
 * needs them. */
static void
test_shipped_catalog_is_complete (void)
{
    g_autofree char *path = shipped_catalog ();
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_no_error (error);
    guint n = dbn_catalog_get_n_matters (cat);
    g_assert_cmpuint (n, >=, 28);
    /* Codes other modules and tests already use stay. */
    const char *kept[] = { "MZ-DIBAO",    "MZ-CANJI", "MZ-LINSHI",  "JS-ZHUNSHENG",
                           "JF-ZHAIJIDI", "JF-CAIFA", "TJ-TIAOJIE", "QT-SHENFENZHENG" };
    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
        g_assert_nonnull (dbn_catalog_lookup (cat, kept[i]));
    /* Every category of the seeds exists and holds at least one matter. */
    const char *categories[] = { "minzheng", "jisheng", "jianfang", "tiaojie",
                                 "bingyi",   "jiuye",   "shebao",   "qita" };
    g_autoptr (GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
    guint joint = 0, joint3 = 0, per_level[3] = { 0, 0, 0 };
    for (guint i = 0; i < n; i++) {
        const DbnMatter *m = dbn_catalog_get_matter (cat, i);
        g_hash_table_add (used, m->category);
        g_assert_true (g_hash_table_add (codes, m->code));
        g_assert_nonnull (m->materials[0]);
        g_assert_cmpuint (strlen (m->name_zh), >, 0);
        g_assert_cmpuint (strlen (m->name_en), >, 0);
        per_level[m->level]++;
        if (m->kind == DBN_KIND_JOINT) {
            joint++;
            g_assert_cmpuint (g_strv_length (m->departments), >=, 2);
            if (g_strv_length (m->departments) >= 3)
                joint3++;
        }
        /* D-AUD-3: free of charge but for a statutory 工本费. */
        if (g_strcmp0 (m->code, "QT-SHENFENZHENG") != 0)
            g_assert_cmpint (m->fee_fen, ==, 0);
    }
    for (guint i = 0; i < G_N_ELEMENTS (categories); i++) {
        g_assert_nonnull (dbn_catalog_get_category_name (cat, categories[i], TRUE));
        if (!g_hash_table_contains (used, categories[i]))
            g_error ("category %s holds no matter", categories[i]);
    }
    g_assert_cmpuint (g_hash_table_size (used), ==, G_N_ELEMENTS (categories));
    g_assert_cmpuint (g_hash_table_size (codes), ==, n);
    g_assert_cmpuint (joint, >=, 1);
    /* The integration test's joint case with three departments. */
    g_assert_cmpuint (joint3, >=, 1);
    for (guint l = 0; l < 3; l++)
        g_assert_cmpuint (per_level[l], >=, 1);
}

/* D-INT-8: petitions carry stricter confidentiality; nothing else does. */
static void
test_petitions_restricted (void)
{
    g_autofree char *path = shipped_catalog ();
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, NULL);
    g_assert_nonnull (cat);
    const DbnMatter *petition = dbn_catalog_lookup (cat, "QT-XINFANG");
    g_assert_nonnull (petition);
    g_assert_true (petition->restricted);
    for (guint i = 0; i < dbn_catalog_get_n_matters (cat); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (cat, i);
        if (m != petition)
            g_assert_false (m->restricted);
    }
}

/* D-INT-4: every missing material, in catalog order, nothing else. */
static void
test_missing_materials (void)
{
    g_autofree char *path = shipped_catalog ();
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, NULL);
    const DbnMatter *m = dbn_catalog_lookup (cat, "MZ-DIBAO");
    const char *given[] = { "身份证", "不相干的材料", NULL };
    g_auto (GStrv) missing = dbn_matter_dup_missing (m, given);
    g_assert_cmpuint (g_strv_length (missing), ==, 3);
    g_assert_cmpstr (missing[0], ==, "申请书");
    g_assert_cmpstr (missing[1], ==, "户口簿");
    g_assert_cmpstr (missing[2], ==, "家庭收入证明");
    const char *all[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    g_auto (GStrv) none = dbn_matter_dup_missing (m, all);
    g_assert_null (none[0]);
    g_auto (GStrv) everything = dbn_matter_dup_missing (m, NULL);
    g_assert_cmpuint (g_strv_length (everything), ==, 4);
}

static const char good_head[] =
    "[category:c]\nname_zh = 类\nname_en = Cat\n\n"
    "[matter:A-1]\ncategory = c\nname_zh = 甲\nname_en = A\nmaterials = x;y\nlevel = township\n"
    "departments = d\nwindow = w\nkind = immediate\nlimit_days = 1\npresence = false\nfee_fen = 0\n";

static void
expect_broken (const char *text, int code, const char *needle)
{
    g_autofree char *dir = g_dir_make_tmp ("catalog-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "catalog.ini", NULL);
    g_file_set_contents (path, text, -1, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_null (cat);
    g_assert_error (error, DBN_CATALOG_ERROR, code);
    if (strstr (error->message, needle) == NULL)
        g_error ("expected '%s' in: %s", needle, error->message);
    g_unlink (path);
    g_rmdir (dir);
}

static void
test_broken_files_name_the_line (void)
{
    /* A bad enum on line 11 of the file. */
    g_autofree char *bad_kind = g_strdup (good_head);
    char *p = strstr (bad_kind, "kind = immediate");
    memcpy (p, "kind = sometime ", 16);
    expect_broken (bad_kind, DBN_CATALOG_ERROR_INVALID, ":13: [matter:A-1] kind");
    /* Not a key file at all. */
    expect_broken ("[category:c]\nthis line is nonsense\n", DBN_CATALOG_ERROR_PARSE, "catalog.ini:2: ");
    /* D-CAT-3: GKeyFile names no line; the loader finds it. */
    expect_broken ("# c\n\nkey = before any group\n", DBN_CATALOG_ERROR_PARSE, "catalog.ini:3: ");
    expect_broken ("[category:c]\nname_zh = 甲\n[broken\n", DBN_CATALOG_ERROR_PARSE, "catalog.ini:3: ");
    /* A missing required key names the group. */
    g_autofree char *no_window = g_strdup (good_head);
    memcpy (strstr (no_window, "window = w"), "#indow = w", 10);
    expect_broken (no_window, DBN_CATALOG_ERROR_INVALID, "[matter:A-1] window: missing");
    /* A negative limit, an unknown category, a joint matter with one department. */
    g_autofree char *neg = g_strdup (good_head);
    memcpy (strstr (neg, "limit_days = 1"), "limit_days =-1", 14);
    expect_broken (neg, DBN_CATALOG_ERROR_INVALID, "limit_days");
    g_autofree char *cat = g_strdup (good_head);
    memcpy (strstr (cat, "category = c\n"), "category = x\n", 13);
    expect_broken (cat, DBN_CATALOG_ERROR_INVALID, "names no [category:...] group");
    g_autofree char *joint = g_strdup (good_head);
    memcpy (strstr (joint, "kind = immediate"), "kind = joint    ", 16);
    expect_broken (joint, DBN_CATALOG_ERROR_INVALID, "two or more departments");
    expect_broken ("[category:c]\nname_zh = 类\nname_en = Cat\n", DBN_CATALOG_ERROR_INVALID, "no [matter:");
    expect_broken ("[wrong]\na = b\n", DBN_CATALOG_ERROR_INVALID, "unknown group");
}

/* Mistakes GKeyFile alone would let through, each named with its line. */
static void
test_strict_keys_and_duplicates (void)
{
    /* good_head loads, and restricted defaults to false. */
    g_autofree char *dir = g_dir_make_tmp ("catalog-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "catalog.ini", NULL);
    g_assert_true (g_file_set_contents (path, good_head, -1, NULL));
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_no_error (error);
    g_assert_false (dbn_catalog_lookup (cat, "A-1")->restricted);
    g_unlink (path);
    g_rmdir (dir);
    /* D-INT-8: a misspelt key must not leave a petition unprotected. */
    g_autofree char *typo = g_strconcat (good_head, "restriced = true\n", NULL);
    expect_broken (typo, DBN_CATALOG_ERROR_INVALID, ":17: [matter:A-1] restriced: unknown key");
    g_autofree char *maybe = g_strconcat (good_head, "restricted = maybe\n", NULL);
    expect_broken (maybe, DBN_CATALOG_ERROR_INVALID, ":17: [matter:A-1] restricted: must be true or false");
    /* GKeyFile merges a repeated group and keeps the last of a repeated key. */
    g_autofree char *twice = g_strconcat (good_head, "\n[matter:A-1]\nname_zh = 乙\n", NULL);
    expect_broken (twice, DBN_CATALOG_ERROR_INVALID, ":18: [matter:A-1]: duplicate group (first on line 5)");
    g_autofree char *key_twice = g_strconcat (good_head, "fee_fen = 100\n", NULL);
    expect_broken (key_twice, DBN_CATALOG_ERROR_INVALID,
                   ":17: [matter:A-1] fee_fen: duplicate key (first on line 16)");
    expect_broken ("[category:c]\nname_zh = 类\nname_en = Cat\ncolour = red\n", DBN_CATALOG_ERROR_INVALID,
                   ":4: [category:c] colour: unknown key");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-catalog");
    g_test_add_func ("/catalog/D-CAT-1/shipped-catalog-loads", test_shipped_catalog_loads);
    g_test_add_func ("/catalog/D-CAT-1/shipped-catalog-is-complete", test_shipped_catalog_is_complete);
    g_test_add_func ("/catalog/D-INT-8/petitions-restricted", test_petitions_restricted);
    g_test_add_func ("/catalog/D-INT-4/missing-materials", test_missing_materials);
    g_test_add_func ("/catalog/D-CAT-3/broken-files-name-the-line", test_broken_files_name_the_line);
    g_test_add_func ("/catalog/D-CAT-3/strict-keys-and-duplicates", test_strict_keys_and_duplicates);
    return g_test_run ();
}
