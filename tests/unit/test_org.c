/* test_org: the shipped organisation loads and agrees with the shipped
 * catalog; lookups answer what routing asks; run-sheet days parse; broken
 * files are refused with the line, the group and the key. */
#include <glib/gstdio.h>
#include <string.h>

#include <daiban/dbn_catalog.h>
#include <daiban/dbn_log.h>
#include <daiban/dbn_org.h>

static char *
shipped (const char *name)
{
    return g_build_filename (g_getenv ("DAIBAN_SOURCE_DIR"), "schemas", "data", name, NULL);
}

static DbnOrg *
load_shipped_org (void)
{
    g_autofree char *path = shipped ("org.ini");
    g_autoptr (GError) error = NULL;
    DbnOrg *org = dbn_org_load (path, &error);
    g_assert_no_error (error);
    return org;
}

static void
test_shipped_org_loads (void)
{
    /* In a build tree the default is the file in the source tree. */
    g_autofree char *path = shipped ("org.ini");
    g_autofree char *canonical = g_canonicalize_filename (path, NULL);
    g_autofree char *dflt = g_canonicalize_filename (dbn_org_default_path (), NULL);
    g_assert_cmpstr (dflt, ==, canonical);
    g_autoptr (DbnOrg) org = load_shipped_org ();
    g_assert_cmpstr (dbn_org_get_name (org, TRUE), ==, "青山乡便民服务中心");
    /* The windows of issue 4 item 2. */
    const char *windows[] = { "minzheng", "jisheng", "huji", "guotu", "shebao", "sifa", "linye", "dangqun" };
    for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
        g_assert_nonnull (dbn_org_lookup_window (org, windows[i]));
    g_assert_cmpuint (dbn_org_get_n_villages (org), ==, dbn_org_get_n_stations (org));
    g_assert_cmpuint (dbn_org_get_n_areas (org), >=, 2);
    /* Every level of agent is present. */
    guint levels[3] = { 0, 0, 0 };
    for (guint i = 0; i < dbn_org_get_n_agents (org); i++)
        levels[dbn_org_get_agent (org, i)->level]++;
    for (guint l = 0; l < 3; l++)
        g_assert_cmpuint (levels[l], >=, 1);
    /* D-INT-8: every shipped station has someone for petitions. */
    for (guint i = 0; i < dbn_org_get_n_stations (org); i++) {
        const DbnStation *s = dbn_org_get_station (org, i);
        g_assert_nonnull (dbn_org_lookup_petition_agent (org, s->id));
    }
}

/* Every matter's window exists, every department is known, and every county
 * matter has a township agent to carry it (D-RTE-1). */
static void
test_shipped_org_agrees_with_catalog (void)
{
    g_autoptr (DbnOrg) org = load_shipped_org ();
    g_autofree char *path = shipped ("catalog.ini");
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_no_error (error);
    g_assert_true (dbn_org_check_catalog (org, cat, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < dbn_catalog_get_n_matters (cat); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (cat, i);
        if (m->level != DBN_LEVEL_COUNTY)
            continue;
        const DbnAgent *carrier = NULL;
        for (int d = 0; carrier == NULL && m->departments[d] != NULL; d++) {
            const DbnCountyDepartment *c = dbn_org_lookup_county_department (org, m->departments[d]);
            if (c != NULL)
                carrier = dbn_org_lookup_agent (org, c->agents[0]);
        }
        g_assert_nonnull (carrier);
        g_assert_cmpint (carrier->level, ==, DBN_AGENT_LEVEL_TOWNSHIP);
    }
}

static void
test_lookups (void)
{
    g_autoptr (DbnOrg) org = load_shipped_org ();
    /* By window, and from a department to the window that fronts it. */
    const DbnWindow *w = dbn_org_lookup_window (org, "minzheng");
    g_assert_cmpstr (w->name_zh, ==, "民政优抚");
    g_assert_true (g_strv_contains ((const char *const *) w->departments, "乡民政办"));
    g_assert_true (dbn_org_lookup_window_for_department (org, "乡计生办")
                   == dbn_org_lookup_window (org, "jisheng"));
    g_assert_null (dbn_org_lookup_window_for_department (org, "县民政局"));
    g_assert_null (dbn_org_lookup_window (org, "no-such"));
    g_assert_null (dbn_org_lookup_window (org, NULL));
    /* By station: its village, head, agents and area. */
    const DbnStation *s = dbn_org_lookup_station (org, "qingshui");
    g_assert_nonnull (s);
    g_assert_cmpstr (s->village, ==, "qingshui");
    g_assert_cmpstr (s->name_zh, ==, "清水村代办站");
    const DbnAgent *head = dbn_org_lookup_agent (org, s->head);
    g_assert_cmpstr (head->station, ==, "qingshui");
    g_autoptr (GPtrArray) agents = dbn_org_dup_station_agents (org, "qingshui");
    g_assert_cmpuint (agents->len, ==, 5);
    guint group_agents = 0;
    for (guint i = 0; i < agents->len; i++) {
        const DbnAgent *a = g_ptr_array_index (agents, i);
        g_assert_cmpstr (a->station, ==, "qingshui");
        if (a->level == DBN_AGENT_LEVEL_GROUP) {
            g_assert_nonnull (a->group);
            group_agents++;
        }
    }
    g_assert_cmpuint (group_agents, ==, 2);
    g_autoptr (GPtrArray) none = dbn_org_dup_station_agents (org, "no-such");
    g_assert_cmpuint (none->len, ==, 0);
    const DbnAgent *mediator = dbn_org_lookup_petition_agent (org, "qingshui");
    g_assert_cmpstr (mediator->id, ==, "qs-zhang");
    g_assert_true (mediator->petitions);
    g_assert_null (dbn_org_lookup_petition_agent (org, "no-such"));
    /* By village and area: the a/<area> queue of a station. */
    const DbnVillage *v = dbn_org_lookup_village (org, "qingshui");
    g_assert_cmpstr (v->name_zh, ==, "清水村");
    g_assert_cmpstr (v->station, ==, "qingshui");
    const DbnArea *area = dbn_org_lookup_area_for_station (org, "qingshui");
    g_assert_true (area == dbn_org_lookup_area (org, v->area));
    g_assert_cmpstr (area->id, ==, "east");
    g_assert_true (g_strv_contains ((const char *const *) area->villages, "qingshui"));
    g_assert_false (g_strv_contains ((const char *const *) area->villages, "liujia"));
    g_assert_cmpint (dbn_org_lookup_agent (org, area->supervisor)->level, ==, DBN_AGENT_LEVEL_TOWNSHIP);
    g_assert_null (dbn_org_lookup_area_for_station (org, "no-such"));
    /* By agent. */
    const DbnAgent *ts = dbn_org_lookup_agent (org, "ts-li");
    g_assert_cmpint (ts->level, ==, DBN_AGENT_LEVEL_TOWNSHIP);
    g_assert_null (ts->station);
    g_assert_cmpstr (ts->window, ==, "minzheng");
    g_assert_cmpstr (dbn_agent_level_to_string (ts->level), ==, "township");
    g_assert_null (dbn_org_lookup_agent (org, "no-such"));
    /* County departments by the name the catalog uses. */
    const DbnCountyDepartment *c = dbn_org_lookup_county_department (org, "县民政局");
    g_assert_nonnull (c);
    g_assert_cmpstr (c->agents[0], ==, "ts-li");
    g_assert_null (dbn_org_lookup_county_department (org, "乡民政办"));
    /* Village bodies decide village-level matters. */
    g_assert_true (dbn_org_is_village_body (org, "村党支部"));
    g_assert_false (dbn_org_is_village_body (org, "县民政局"));
}

/* D-RTE-3: Sunday and Wednesday by default, configurable per station. */
static void
test_run_sheet_days (void)
{
    guint days = 0;
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_org_parse_days ("sun,wed", &days, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (days, ==, DBN_RUN_DAYS_DEFAULT);
    g_autofree char *text = dbn_org_days_to_string (days);
    g_assert_cmpstr (text, ==, "wed,sun");
    g_assert_true (dbn_org_parse_days (" Sat ; WED,", &days, &error));
    g_assert_cmpuint (days, ==, DBN_RUN_DAY (G_DATE_SATURDAY) | DBN_RUN_DAY (G_DATE_WEDNESDAY));
    g_assert_true (dbn_org_parse_days ("mon,tue,wed,thu,fri,sat,sun", &days, &error));
    g_assert_cmpuint (days, ==, 0xfe);
    /* A failed parse leaves the output alone. */
    guint kept = 42;
    g_assert_false (dbn_org_parse_days ("sun,funday", &kept, &error));
    g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "funday"));
    g_assert_cmpuint (kept, ==, 42);
    g_clear_error (&error);
    g_assert_false (dbn_org_parse_days (" , ", &kept, &error));
    g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_false (dbn_org_parse_days ("sunday", &kept, &error));
    g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID);
    g_clear_error (&error);

    g_autoptr (DbnOrg) org = load_shipped_org ();
    const DbnStation *qingshui = dbn_org_lookup_station (org, "qingshui");
    g_assert_cmpuint (qingshui->days, ==, DBN_RUN_DAYS_DEFAULT);
    g_assert_true (dbn_station_runs_on (qingshui, G_DATE_SUNDAY));
    g_assert_true (dbn_station_runs_on (qingshui, G_DATE_WEDNESDAY));
    g_assert_false (dbn_station_runs_on (qingshui, G_DATE_MONDAY));
    g_assert_false (dbn_station_runs_on (qingshui, G_DATE_BAD_WEEKDAY));
    const DbnStation *huangtu = dbn_org_lookup_station (org, "huangtu");
    g_assert_true (dbn_station_runs_on (huangtu, G_DATE_SATURDAY));
    g_assert_false (dbn_station_runs_on (huangtu, G_DATE_SUNDAY));
}

/* A small valid org; the line numbers below refer to it. */
static const char good_org[] =
    "[township]\nname_zh = 乡\nname_en = T\nvillage_bodies = 村委会\n\n"                       /* 1-5 */
    "[window:w]\nname_zh = 窗\nname_en = W\ndepartments = d\n\n"                               /* 6-10 */
    "[agent:t1]\nname = 甲\nlevel = township\nphone = 13800000001\nwindow = w\n\n"             /* 11-16 */
    "[county:c]\nname_zh = 县局\nname_en = C\nagents = t1\n\n"                                 /* 17-21 */
    "[area:a]\nname_zh = 片\nname_en = A\nsupervisor = t1\n\n"                                 /* 22-26 */
    "[village:v]\nname_zh = 村\nname_en = V\narea = a\n\n"                                     /* 27-31 */
    "[station:v]\nvillage = v\nname_zh = 站\nname_en = S\nphone = 0000-1234567\nhead = v1\n\n" /* 32-38 */
    "[agent:v1]\nname = 乙\nlevel = village\nphone = 13800000002\nstation = v\n";              /* 39-43 */

static char *
write_tmp (const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename (dir, name, NULL);
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
    return path;
}

/* good_org with the first occurrence of old replaced by new. */
static char *
edit (const char *old, const char *replacement)
{
    const char *at = strstr (good_org, old);
    g_assert_nonnull (at);
    return g_strdup_printf ("%.*s%s%s", (int) (at - good_org), good_org, replacement, at + strlen (old));
}

static void
expect_broken (const char *text, int code, const char *needle)
{
    g_autofree char *dir = g_dir_make_tmp ("org-XXXXXX", NULL);
    g_autofree char *path = write_tmp (dir, "org.ini", text);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnOrg) org = dbn_org_load (path, &error);
    g_assert_null (org);
    g_assert_error (error, DBN_ORG_ERROR, code);
    if (strstr (error->message, needle) == NULL)
        g_error ("expected '%s' in: %s", needle, error->message);
    g_unlink (path);
    g_rmdir (dir);
}

static void
expect_edit_broken (const char *old, const char *replacement, const char *needle)
{
    g_autofree char *text = edit (old, replacement);
    expect_broken (text, DBN_ORG_ERROR_INVALID, needle);
}

static void
test_broken_files_name_the_line (void)
{
    /* The good file loads, with the default days. */
    g_autofree char *dir = g_dir_make_tmp ("org-XXXXXX", NULL);
    g_autofree char *path = write_tmp (dir, "org.ini", good_org);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnOrg) org = dbn_org_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (dbn_org_lookup_station (org, "v")->days, ==, DBN_RUN_DAYS_DEFAULT);
    g_unlink (path);
    g_rmdir (dir);

    /* Not a key file; no file at all. */
    expect_broken ("[township]\nthis line is nonsense\n", DBN_ORG_ERROR_PARSE, "org.ini");
    g_autoptr (DbnOrg) missing = dbn_org_load ("/nonexistent/org.ini", &error);
    g_assert_null (missing);
    g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_READ);
    g_clear_error (&error);

    /* Values of one group. */
    expect_edit_broken ("level = village", "level = boss",
                        ":41: [agent:v1] level: must be group, village or township");
    expect_edit_broken ("13800000002", "138-abc", ":42: [agent:v1] phone: not a phone number");
    expect_edit_broken ("phone = 0000-1234567", "phone = ", ":36: [station:v] phone: missing or empty");
    expect_edit_broken ("head = v1\n", "head = v1\ndays = sun,funday\n",
                        ":38: [station:v] days: unknown day 'funday'");
    expect_edit_broken ("[window:w]", "[window:Win]", ":6: [window:Win]: the id must");
    expect_edit_broken ("departments = d", "departments = ;", ":9: [window:w] departments: at least one");
    expect_edit_broken ("agents = t1", "agents = ", ":20: [county:c] agents: at least one township agent");

    /* References, reported at the key that makes them. */
    expect_edit_broken ("head = v1", "head = t1",
                        ":37: [station:v] head: agent t1 is not an agent of this station");
    expect_edit_broken ("head = v1", "head = nobody", ":37: [station:v] head: no [agent:nobody]");
    expect_edit_broken ("window = w", "window = x", ":15: [agent:t1] window: no [window:x]");
    expect_edit_broken ("agents = t1", "agents = t1;v1",
                        ":20: [county:c] agents: agent v1 is not a township agent");
    expect_edit_broken ("supervisor = t1", "supervisor = v1",
                        ":25: [area:a] supervisor: agent v1 is not a township agent");
    expect_edit_broken ("area = a", "area = b", ":30: [village:v] area: no [area:b]");
    expect_edit_broken ("village = v", "village = v2", ":33: [station:v] village: no [village:v2]");
    expect_edit_broken ("station = v", "station = v2", ":43: [agent:v1] station: no [station:v2]");
    expect_edit_broken ("level = township\n", "level = township\nstation = v\n",
                        ":14: [agent:t1] station: a township agent belongs to no station");
    expect_edit_broken ("station = v\n", "station = v\nwindow = w\n",
                        ":44: [agent:v1] window: only township agents sit at a window");
    expect_edit_broken ("level = village", "level = group", "[agent:v1] group: missing");
    expect_edit_broken ("name_zh = 县局", "name_zh = d",
                        ":18: [county:c] name_zh: d names another department");

    /* Whole-file rules. */
    g_autofree char *two_fronts =
        g_strconcat (good_org, "\n[window:w2]\nname_zh = 二\nname_en = W2\ndepartments = d\n", NULL);
    expect_broken (two_fronts, DBN_ORG_ERROR_INVALID,
                   ":48: [window:w2] departments: d is already fronted by window w");
    g_autofree char *two_stations = g_strconcat (good_org,
                                                 "\n[station:s2]\nvillage = v\nname_zh = 二\nname_en = S2\n"
                                                 "phone = 0000-1234568\nhead = v1\n",
                                                 NULL);
    expect_broken (two_stations, DBN_ORG_ERROR_INVALID,
                   ":46: [station:s2] village: village v already has station v");
    g_autofree char *no_station =
        g_strconcat (good_org, "\n[village:u]\nname_zh = 村二\nname_en = U\narea = a\n", NULL);
    expect_broken (no_station, DBN_ORG_ERROR_INVALID, ":45: [village:u]: the village has no [station:...]");
    g_autofree char *empty_area =
        g_strconcat (good_org, "\n[area:b]\nname_zh = 片二\nname_en = B\nsupervisor = t1\n", NULL);
    expect_broken (empty_area, DBN_ORG_ERROR_INVALID, ":45: [area:b]: no village belongs to this area");
    expect_edit_broken ("[township]\n", "[office]\n", ":1: [office]: unknown group");
    expect_edit_broken ("[township]\n", "[window:z]\n", ":4: [window:z] village_bodies: unknown key");
    g_autofree char *no_township = g_strdup (strstr (good_org, "[window:w]"));
    expect_broken (no_township, DBN_ORG_ERROR_INVALID, "no [township] group");
    /* What GKeyFile would let pass: repeats and unknown keys. */
    g_autofree char *key_twice = g_strconcat (good_org, "name = 丙\n", NULL);
    expect_broken (key_twice, DBN_ORG_ERROR_INVALID,
                   ":44: [agent:v1] name: duplicate key (first on line 40)");
    g_autofree char *group_twice = g_strconcat (good_org, "\n[agent:t1]\n", NULL);
    expect_broken (group_twice, DBN_ORG_ERROR_INVALID, ":45: [agent:t1]: duplicate group (first on line 11)");
    g_autofree char *typo = g_strconcat (good_org, "petition = true\n", NULL);
    expect_broken (typo, DBN_ORG_ERROR_INVALID, ":44: [agent:v1] petition: unknown key");
    g_autofree char *bad_bool = g_strconcat (good_org, "petitions = often\n", NULL);
    expect_broken (bad_bool, DBN_ORG_ERROR_INVALID, ":44: [agent:v1] petitions: must be true or false");
}

/* A one-matter catalog whose window, departments and level vary. */
static void
expect_catalog (DbnOrg *org, const char *window, const char *departments, const char *level,
                const char *needle)
{
    g_autofree char *text = g_strdup_printf (
        "[category:c]\nname_zh = 类\nname_en = Cat\n\n"
        "[matter:A-1]\ncategory = c\nname_zh = 甲\nname_en = A\nmaterials = x\nlevel = %s\n"
        "departments = %s\nwindow = %s\nkind = committed\nlimit_days = 3\npresence = false\nfee_fen = 0\n",
        level, departments, window);
    g_autofree char *dir = g_dir_make_tmp ("org-XXXXXX", NULL);
    g_autofree char *path = write_tmp (dir, "catalog.ini", text);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCatalog) cat = dbn_catalog_load (path, &error);
    g_assert_no_error (error);
    gboolean ok = dbn_org_check_catalog (org, cat, &error);
    if (needle == NULL) {
        g_assert_no_error (error);
        g_assert_true (ok);
    } else {
        g_assert_false (ok);
        g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_CATALOG);
        if (strstr (error->message, needle) == NULL)
            g_error ("expected '%s' in: %s", needle, error->message);
    }
    g_unlink (path);
    g_rmdir (dir);
}

static void
test_check_catalog (void)
{
    g_autofree char *dir = g_dir_make_tmp ("org-XXXXXX", NULL);
    g_autofree char *path = write_tmp (dir, "org.ini", good_org);
    g_autoptr (DbnOrg) org = dbn_org_load (path, NULL);
    g_assert_nonnull (org);
    expect_catalog (org, "w", "d", "township", NULL);
    expect_catalog (org, "w", "村委会", "village", NULL);
    /* D-RTE-1: a county matter names the county department its agent reaches. */
    expect_catalog (org, "w", "县局;d", "county", NULL);
    expect_catalog (org, "nowin", "d", "township", "[matter:A-1] window: nowin is not a [window:...]");
    expect_catalog (org, "w", "d;elsewhere", "township",
                    "[matter:A-1] departments: elsewhere is fronted by no window");
    expect_catalog (org, "w", "d", "county",
                    "[matter:A-1] departments: decided by the county but names no [county:...]");
    g_unlink (path);
    g_rmdir (dir);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-org");
    g_test_add_func ("/org/shipped-org-loads", test_shipped_org_loads);
    g_test_add_func ("/org/D-RTE-1/shipped-org-agrees-with-catalog", test_shipped_org_agrees_with_catalog);
    g_test_add_func ("/org/lookups", test_lookups);
    g_test_add_func ("/org/D-RTE-3/run-sheet-days", test_run_sheet_days);
    g_test_add_func ("/org/broken-files-name-the-line", test_broken_files_name_the_line);
    g_test_add_func ("/org/D-RTE-1/check-catalog", test_check_catalog);
    return g_test_run ();
}
