/* test_simulate.c: `daiban simulate` (issue 13 item 9) through the real
 * services: the figures it prints are the evaluation service's and come out
 * the same for the same seed; the seed report's own month (篇1: 214
 * matters, 36 petitions, 98 % completed) is reproduced; and a closed
 * simulated month's quotas and fines are the ones worked out by hand
 * (D-EV-3). Each run starts the five services in the harness's data folder
 * (ipc endpoints, so parallel tests do not collide). */
#include <string.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "dbn_test_harness.h"

#define CALL_MS 5000

/* The small month the first and third test play: 2 stations (qingshui,
 * shiqiao), 0.3 matters a station a working day, seed t1. */
#define SMALL "--month", "2026-11", "--stations", "2", "--rate", "0.3", "--seed"

static DbnCliRun
simulate (DbnHarness *h, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) dbn_harness_get_data_dir (h));
    g_ptr_array_add (argv, (gpointer) "simulate");
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *const *) argv->pdata);
    if (r.status != 0)
        g_printerr ("%s", r.err);
    g_assert_cmpint (r.status, ==, 0);
    return r;
}

static JsonObject *
row_of (JsonArray *rows, const char *scope, const char *id)
{
    for (guint i = 0; i < json_array_get_length (rows); i++) {
        JsonObject *row = json_array_get_object_element (rows, i);
        if (g_strcmp0 (json_object_get_string_member (row, "scope"), scope) == 0
            && g_strcmp0 (json_object_get_string_member (row, "id"), id) == 0)
            return row;
    }
    return NULL;
}

static JsonParser *
parse (const char *text)
{
    JsonParser *parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
    return parser;
}

static JsonArray *
figures_of (JsonParser *parser)
{
    return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "figures");
}

/* D-EV-5: the printed figures are eval.month's, row by row, asked again of
 * a freshly started evaluation service on the simulation's SQLite file; the
 * same seed prints the same month in another folder, another seed another. */
static void
test_figures_are_evaluations (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    DbnCliRun run = simulate (h, (const char *[]){ SMALL, "t1", "--json", NULL });
    g_assert_nonnull (strstr (run.err, "模拟 simulated 2026-11"));
    g_autoptr (JsonParser) printed = parse (run.out);
    JsonArray *rows = figures_of (printed);
    g_assert_cmpuint (json_array_get_length (rows), >, 3);

    g_autoptr (GSubprocess) evaluation = dbn_harness_start_service (h, "evaluation");
    g_autoptr (DbnMsgEvalMonth) m = dbn_msg_eval_month_new ();
    m->env.key = g_strdup ("month");
    m->month = g_strdup ("2026-11");
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "evaluation", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgEvalMonthReply) r =
        dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r->figures->len, ==, json_array_get_length (rows));
    gint64 township_accepted = 0;
    for (guint i = 0; i < r->figures->len; i++) {
        GBytes *b = r->figures->pdata[i];
        g_autoptr (DbnMsgEvalFigure) f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        JsonObject *row = row_of (rows, f->scope, f->id);
        g_assert_nonnull (row);
        const char *const names[] = { "accepted",  "completed", "on_time",     "returns", "rated",
                                      "satisfied", "basic",     "unsatisfied", "stars",   "score_milli" };
        const gint64 values[] = { f->accepted,  f->completed, f->on_time,     f->returns, f->rated,
                                  f->satisfied, f->basic,     f->unsatisfied, f->stars,   f->score_milli };
        for (guint k = 0; k < G_N_ELEMENTS (names); k++)
            g_assert_cmpint (json_object_get_int_member (row, names[k]), ==, values[k]);
        if (g_strcmp0 (f->scope, "township") == 0)
            township_accepted = f->accepted;
    }
    /* The summary's count of matters is the township's accepted. */
    g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT " 件 matters", township_accepted);
    g_assert_nonnull (strstr (run.err, count));
    g_assert_cmpint (township_accepted, >, 0);
    g_assert_true (dbn_harness_stop (evaluation, 10000));

    g_autoptr (DbnHarness) again = dbn_harness_new (FALSE);
    DbnCliRun replay = simulate (again, (const char *[]){ SMALL, "t1", "--json", NULL });
    g_assert_cmpstr (replay.out, ==, run.out);
    g_autoptr (DbnHarness) other = dbn_harness_new (FALSE);
    DbnCliRun different = simulate (other, (const char *[]){ SMALL, "t2", "--json", NULL });
    g_assert_cmpstr (different.out, !=, run.out);
    dbn_cli_run_clear (&run);
    dbn_cli_run_clear (&replay);
    dbn_cli_run_clear (&different);
}

/* D-EV-5, 篇1: "村代办员为群众代办各类事项214件，包括信访件36件，办结率为98%".
 * The profile seed-report plays exactly 214 matters at org.ini's six
 * stations, 36 of them petitions (the 信访 window's), 4 returned: 210
 * completed, 981 ‰, which the report rounds to 98 %; 2 of them late, so
 * 208 on time. */
static void
test_seed_report (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    DbnCliRun run = simulate (h, (const char *[]){ "--month", "2026-11", "--profile", "seed-report", "--seed",
                                                   "篇1", "--json", NULL });
    g_assert_nonnull (strstr (run.err, "214 件 matters (信访 petitions 36, 退回 returned 4"));
    /* Two late cases went red at deadline and were explained (D-DL-6). */
    g_assert_nonnull (strstr (run.err, "逾期并说明 overdue and explained 2,"));
    g_autoptr (JsonParser) printed = parse (run.out);
    JsonArray *rows = figures_of (printed);
    JsonObject *township = row_of (rows, "township", "T01");
    g_assert_nonnull (township);
    g_assert_cmpint (json_object_get_int_member (township, "accepted"), ==, 214);
    g_assert_cmpint (json_object_get_int_member (township, "completed"), ==, 210);
    g_assert_cmpint (json_object_get_int_member (township, "returns"), ==, 4);
    g_assert_cmpint (json_object_get_int_member (township, "on_time"), ==, 208);
    gint64 permille = json_object_get_int_member (township, "completion_permille");
    g_assert_cmpint (permille, ==, 981);
    g_assert_cmpint ((permille + 5) / 10, ==, 98);
    JsonObject *petitions = row_of (rows, "window", "xinfang");
    g_assert_nonnull (petitions);
    g_assert_cmpint (json_object_get_int_member (petitions, "accepted"), ==, 36);
    dbn_cli_run_clear (&run);
}

/* D-EV-3, worked out by hand for the small month of seed t1, closed on
 * Tuesday 1 December 2026 (--close). Who a matter counts for is
 * docs/evaluation.md's "Who a matter counts for" (eval_credit.h):
 *
 * - November 2026 has five Mondays (2, 9, 16, 23, 30): a township agent
 *   owes 5 × 1 = 5 matters, a village agent 2, a group agent 1.
 * - The month's 9 matters, all accepted at a station and all completed
 *   (qingshui 5, shiqiao 4: the station rows), in the order the simulation
 *   accepts them (T01-2026-000001 ..):
 *     1 SB-YANGLAO   qingshui  the head qs-wang
 *     2 QT-XINFANG   qingshui  a petition: its mediation officer qs-zhang
 *                              holds it from the start (D-INT-8)
 *     3 JS-BINGCANER qingshui  qs-wang; 上报件, assigned (D-RTE-1 default:
 *                              the county department's first agent) to ts-chen
 *     4 JS-LIUDONG   qingshui  qs-wang
 *     5 QT-XINFANG   shiqiao   petition: sq-zhou
 *     6 QT-XINFANG   shiqiao   petition: sq-zhou
 *     7 JS-ZHUNSHENG qingshui  qs-wang
 *     8 MZ-WUBAO     shiqiao   the head sq-huang; 上报件 carried by ts-li
 *     9 SB-YILIAO    shiqiao   sq-huang
 *   handled: qs-wang 4, qs-zhang 1, sq-huang 2, sq-zhou 2, ts-chen 1,
 *   ts-li 1; every other agent of org.ini 0 (no group agent handed a
 *   request over in this month).
 * - Fines (missing × 100 township, × 80 village and group):
 *     township: ts-chen 4 × 100 = 400, ts-li 400, 6 others × 5 × 100 = 3000  3800
 *     village:  qs-wang 0, qs-zhang 1 × 80 = 80, sq-huang 0, sq-zhou 0,
 *               14 others × 2 × 80 = 2240                                   2320
 *     group:    3 × 1 × 80                                                   240
 *   total 6360 yuan. (Crediting the station's key instead of an agent, as
 *   before, fined everyone in full: 7120.) */
typedef struct {
    const char *person;
    gint64 handled;
} Credit;

static gint64
handled_by (const Credit *credits, const char *person)
{
    for (const Credit *c = credits; c->person != NULL; c++)
        if (g_strcmp0 (c->person, person) == 0)
            return c->handled;
    return 0;
}

static void
test_quotas_by_hand (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    DbnCliRun run = simulate (h, (const char *[]){ SMALL, "t1", "--close", "--json", NULL });
    g_autoptr (JsonParser) printed = parse (run.out);
    g_assert_true (
        json_object_get_boolean_member (json_node_get_object (json_parser_get_root (printed)), "closed"));
    JsonArray *rows = figures_of (printed);
    JsonObject *qs = row_of (rows, "station", "qingshui");
    JsonObject *sq = row_of (rows, "station", "shiqiao");
    g_assert_nonnull (qs);
    g_assert_nonnull (sq);
    g_assert_cmpint (json_object_get_int_member (qs, "completed"), ==, 5);
    g_assert_cmpint (json_object_get_int_member (sq, "completed"), ==, 4);
    /* The stations' keys are no person: their matters are their agents'. */
    g_assert_null (row_of (rows, "person", "station:qingshui"));
    g_assert_null (row_of (rows, "person", "station:shiqiao"));
    static const Credit credits[] = {
        { "qs-wang", 4 }, { "qs-zhang", 1 }, { "sq-huang", 2 }, { "sq-zhou", 2 },
        { "ts-chen", 1 }, { "ts-li", 1 },    { NULL, 0 },
    };
    for (const Credit *c = credits; c->person != NULL; c++) {
        JsonObject *p = row_of (rows, "person", c->person);
        g_assert_nonnull (p);
        g_assert_cmpint (json_object_get_int_member (p, "accepted"), ==, c->handled);
    }
    dbn_cli_run_clear (&run);

    g_autofree char *path = dbn_config_dup_store_path (dbn_harness_get_config (h), "evaluation");
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db,
                            "SELECT person, level, required, handled, missing, fine_yuan FROM ev_quota "
                            "ORDER BY person",
                            -1, &s, NULL),
        ==, SQLITE_OK);
    /* DbnAgentLevel: group 0, village 1, township 2 (dbn_org.h). */
    const gint64 owed[] = {
        [DBN_AGENT_LEVEL_GROUP] = 1, [DBN_AGENT_LEVEL_VILLAGE] = 2, [DBN_AGENT_LEVEL_TOWNSHIP] = 5
    };
    const gint64 yuan[] = {
        [DBN_AGENT_LEVEL_GROUP] = 80, [DBN_AGENT_LEVEL_VILLAGE] = 80, [DBN_AGENT_LEVEL_TOWNSHIP] = 100
    };
    guint per_level[3] = { 0 };
    gint64 fined[3] = { 0 };
    gint64 total = 0, credited = 0;
    while (sqlite3_step (s) == SQLITE_ROW) {
        const char *person = (const char *) sqlite3_column_text (s, 0);
        int level = sqlite3_column_int (s, 1);
        g_assert_cmpint (level, >=, 0);
        g_assert_cmpint (level, <, 3);
        per_level[level]++;
        gint64 handled = handled_by (credits, person);
        gint64 missing = MAX (0, owed[level] - handled);
        g_assert_cmpint (sqlite3_column_int64 (s, 2), ==, owed[level]);
        g_assert_cmpint (sqlite3_column_int64 (s, 3), ==, handled);
        g_assert_cmpint (sqlite3_column_int64 (s, 4), ==, missing);
        g_assert_cmpint (sqlite3_column_int64 (s, 5), ==, missing * yuan[level]);
        fined[level] += sqlite3_column_int64 (s, 5);
        total += sqlite3_column_int64 (s, 5);
        credited += handled;
    }
    sqlite3_finalize (s);
    sqlite3_close (db);
    /* Every credited person is on the roster: 9 matters + 2 carried. */
    g_assert_cmpint (credited, ==, 11);
    g_assert_cmpuint (per_level[DBN_AGENT_LEVEL_TOWNSHIP], ==, 8);
    g_assert_cmpuint (per_level[DBN_AGENT_LEVEL_VILLAGE], ==, 18);
    g_assert_cmpuint (per_level[DBN_AGENT_LEVEL_GROUP], ==, 3);
    g_assert_cmpint (fined[DBN_AGENT_LEVEL_TOWNSHIP], ==, 3800);
    g_assert_cmpint (fined[DBN_AGENT_LEVEL_VILLAGE], ==, 2320);
    g_assert_cmpint (fined[DBN_AGENT_LEVEL_GROUP], ==, 240);
    g_assert_cmpint (total, ==, 6360);
}

/* More stations than org.ini has: refused, naming the limit. */
static void
test_too_many_stations (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *args[] = {
        "--data", dbn_harness_get_data_dir (h), "simulate", "--month", "2026-11", "--stations", "12", NULL
    };
    DbnCliRun r = dbn_harness_run_cli (args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "has 6 stations, 12 asked"));
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-simulate");
    g_test_add_func ("/simulate/D-EV-5/figures-are-evaluations-and-replay", test_figures_are_evaluations);
    g_test_add_func ("/simulate/D-EV-5/seed-report-214-36-98", test_seed_report);
    g_test_add_func ("/simulate/D-EV-3/quotas-and-fines-by-hand", test_quotas_by_hand);
    g_test_add_func ("/simulate/cli/too-many-stations", test_too_many_stations);
    return g_test_run ();
}
