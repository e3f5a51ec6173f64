/* bench_evaluation: closing a month of 1,000,000 cases (issue 13), beside
 * the same aggregation done by one SQL GROUP BY on the same rows in the
 * same run.
 *
 *   bench_evaluation [--cases N] [--stations S] [--seed X]
 *
 * 1. Fills a fresh evaluation store through the model itself
 *    (eval_store_apply_fact, eval_store_rate): N cases accepted in November
 *    2026 at S stations and 12 windows, each classified with a clerk and
 *    for a tenth a township agent; 95 % completed (3 % with a clock
 *    overdue), 5 % returned, 80 % rated. 10,000 cases per transaction.
 * 2. Closes the month (eval_store_close_month: one scan of the cases and
 *    one of the ratings into per-scope hash tables, then the fixed figures,
 *    the quota of every agent and the rewards written in one transaction);
 *    prints the time and the memory (growth of the peak RSS, reset before
 *    each step through /proc/self/clear_refs where the kernel allows).
 * 3. The same aggregation alone (eval_store_period_figures), and the
 *    reference: one SELECT … GROUP BY scope, id over the same rows, which
 *    the bench checks gives the same counters for every scope.
 * The ratios say what the model's C aggregation costs over SQLite's own.
 */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "eval_store.h"

static gint64 opt_cases = 1000000;
static gint64 opt_stations = 200;
static gint64 opt_seed = 11;

static const char *const windows[] = {
    "minzheng", "shebao", "jisheng", "jianfang", "tiaojie",  "bingyi",
    "jiuye",    "hukou",  "linye",   "nongji",   "caizheng", "zonghe",
};

/* Peak RSS in bytes (VmHWM), 0 when /proc is not there. */
static gsize
peak_rss (void)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
        return 0;
    const char *line = strstr (text, "VmHWM:");
    unsigned long kib = 0;
    return line != NULL && sscanf (line, "VmHWM: %lu kB", &kib) == 1 ? (gsize) kib * 1024 : 0;
}

static gsize
rss (void)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
        return 0;
    const char *line = strstr (text, "VmRSS:");
    unsigned long kib = 0;
    return line != NULL && sscanf (line, "VmRSS: %lu kB", &kib) == 1 ? (gsize) kib * 1024 : 0;
}

/* Resets VmHWM to the current RSS (Linux 4.0+); FALSE when not allowed. */
static gboolean
reset_peak (void)
{
    FILE *f = fopen ("/proc/self/clear_refs", "w");
    if (f == NULL)
        return FALSE;
    gboolean ok = fputs ("5", f) >= 0;
    return fclose (f) == 0 && ok;
}

static double
now_s (void)
{
    return g_get_monotonic_time () / 1e6;
}

static void
check (gboolean ok, GError *error, const char *what)
{
    if (!ok) {
        g_printerr ("bench_evaluation: %s: %s\n", what, error ? error->message : "failed");
        exit (1);
    }
}

static gint64
at (int day, int hour, int minute)
{
    g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
    g_autoptr (GDateTime) t = g_date_time_new (tz, 2026, 11, day, hour, minute, 0);
    return g_date_time_to_unix (t) * 1000;
}

static void
fill (DbnStore *store, EvalStore *eval, GRand *rand)
{
    GError *error = NULL;
    /* Working days of November 2026 up to the 27th, so most cases finish in the month. */
    const int days[] = { 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27 };
    for (gint64 i = 0; i < opt_cases; i++) {
        if (i % 10000 == 0)
            check (dbn_store_begin (store, &error), error, "begin");
        char no[32], station[16], agent[24], clerk[16], tagent[16];
        g_snprintf (no, sizeof no, "T01-2026-%07" G_GINT64_FORMAT, i);
        gint64 s = g_rand_int_range (rand, 0, (gint32) opt_stations);
        g_snprintf (station, sizeof station, "s%03" G_GINT64_FORMAT, s);
        g_snprintf (agent, sizeof agent, "s%03" G_GINT64_FORMAT "-%c%d", s, g_rand_boolean (rand) ? 'v' : 'g',
                    g_rand_int_range (rand, 0, 2));
        int w = g_rand_int_range (rand, 0, G_N_ELEMENTS (windows));
        g_snprintf (clerk, sizeof clerk, "k-%02d-%d", w, g_rand_int_range (rand, 0, 2));
        gboolean county = g_rand_int_range (rand, 0, 10) == 0;
        g_snprintf (tagent, sizeof tagent, "t-%02d", g_rand_int_range (rand, 0, 20));
        gboolean walk_in = g_rand_int_range (rand, 0, 5) == 0;
        int day = days[g_rand_int_range (rand, 0, G_N_ELEMENTS (days))];
        gint64 t = at (day, 9 + g_rand_int_range (rand, 0, 8), g_rand_int_range (rand, 0, 60));
        EvalFact a = {
            .type = EVAL_FACT_ACCEPTED,
            .case_no = no,
            .at = t,
            .matter = "MZ-JINGLAOYUAN",
            .station = walk_in ? NULL : station,
            .window = windows[w],
            .agent = walk_in ? NULL : agent,
            .channel = walk_in ? "window" : "station",
            .repeat = g_rand_int_range (rand, 0, 50) == 0,
        };
        check (eval_store_apply_fact (eval, &a, &error), error, "accepted");
        int outcome = g_rand_int_range (rand, 0, 100);
        EvalFact c = {
            .type = EVAL_FACT_CLASSIFIED,
            .case_no = no,
            .at = t + 60000,
            .kind = outcome < 5 ? DBN_KIND_RETURNED : DBN_KIND_COMMITTED,
            .clerk = clerk,
            .township_agent = county ? tagent : NULL,
        };
        check (eval_store_apply_fact (eval, &c, &error), error, "classified");
        if (outcome >= 5) {
            if (outcome < 8) {
                EvalFact k = { .type = EVAL_FACT_CLOCK,
                               .case_no = no,
                               .at = t + 86400000,
                               .clock = "centre",
                               .overdue = TRUE };
                check (eval_store_apply_fact (eval, &k, &error), error, "clock");
            }
            EvalFact d = { .type = EVAL_FACT_COMPLETED,
                           .case_no = no,
                           .at = t + g_rand_int_range (rand, 1, 72) * G_GINT64_CONSTANT (3600000) };
            check (eval_store_apply_fact (eval, &d, &error), error, "completed");
        }
        if (g_rand_int_range (rand, 0, 10) < 8) {
            int roll = g_rand_int_range (rand, 0, 100);
            EvalRating r = { no, walk_in ? EVAL_STAGE_WINDOW : EVAL_STAGE_REPLY,
                             roll < 85   ? EVAL_LEVEL_SATISFIED
                             : roll < 95 ? EVAL_LEVEL_BASIC
                                         : EVAL_LEVEL_UNSATISFIED,
                             t + 4 * G_GINT64_CONSTANT (86400000) };
            check (eval_store_rate (eval, &r, &error), error, "rating");
        }
        if (i % 10000 == 9999 || i == opt_cases - 1)
            check (dbn_store_commit (store, &error), error, "commit");
    }
}

/* The reference: every scope's counters in one statement. */
static const char group_by_sql[] =
    "WITH r AS ("
    "  SELECT station_id AS st, window_id AS w, agent AS a, clerk AS c, tagent AS ta, 1 AS accepted,"
    "    coalesce (completed_day <= ?2, 0) AS completed,"
    "    coalesce (completed_day <= ?2, 0) * (overdue_day IS NULL OR overdue_day > ?2) AS on_time,"
    "    CASE WHEN completed_day <= ?2 THEN working_days ELSE 0 END AS working_days,"
    "    coalesce (returned_day <= ?2, 0) AS returns, repeat AS repeats,"
    "    0 AS rated, 0 AS satisfied, 0 AS basic, 0 AS unsatisfied,"
    "    coalesce (completed_day <= ?2, 0) * (days_covered = 0) AS uncovered"
    "  FROM ev_case WHERE accepted_day BETWEEN ?1 AND ?2"
    "  UNION ALL"
    "  SELECT station_id, window_id, agent, clerk, tagent, 0, 0, 0, 0, 0, 0, 1,"
    "    level = 1, level = 2, level = 3, 0 FROM ev_rating WHERE day BETWEEN ?1 AND ?2"
    "  UNION ALL"
    "  SELECT station_id, window_id, agent, clerk, tagent, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0"
    "  FROM ev_callback WHERE day BETWEEN ?1 AND ?2 AND unsatisfied = 1"
    "), s AS ("
    "  SELECT 3 AS scope, ?3 AS id, * FROM r"
    "  UNION ALL SELECT 2, st, * FROM r WHERE st IS NOT NULL"
    "  UNION ALL SELECT 1, w, * FROM r WHERE w IS NOT NULL"
    "  UNION ALL SELECT 0, a, * FROM r WHERE a IS NOT NULL"
    "  UNION ALL SELECT 0, c, * FROM r WHERE c IS NOT NULL AND c IS NOT a"
    "  UNION ALL SELECT 0, ta, * FROM r WHERE ta IS NOT NULL AND ta IS NOT a AND ta IS NOT c"
    ")"
    " SELECT scope, id, sum (accepted), sum (completed), sum (on_time), sum (working_days),"
    "  sum (returns), sum (repeats), sum (rated), sum (satisfied), sum (basic), sum (unsatisfied),"
    "  sum (uncovered)"
    " FROM s GROUP BY scope, id ORDER BY scope, id";

int
main (int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "cases", 0, 0, G_OPTION_ARG_INT64, &opt_cases, "cases in the month (1000000)", "N" },
        { "stations", 0, 0, G_OPTION_ARG_INT64, &opt_stations, "village stations (200)", "S" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "random seed of the month (11)", "X" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("- close a month of cases");
    g_option_context_add_main_entries (context, entries, NULL);
    GError *error = NULL;
    check (g_option_context_parse (context, &argc, &argv, &error), error, "options");
    if (opt_cases < 1 || opt_stations < 1 || opt_stations > 999) {
        g_printerr ("bench_evaluation: --cases >= 1, --stations 1..999\n");
        return 2;
    }
    const char *source = g_getenv ("DAIBAN_SOURCE_DIR");
    g_autofree char *calendar_path =
        g_build_filename (source ? source : DBN_SOURCE_DIR, "schemas", "data", "calendar.ini", NULL);
    g_autoptr (DbnCalendar) calendar = dbn_calendar_load (calendar_path, &error);
    check (calendar != NULL, error, "calendar");
    g_autofree char *dir = g_dir_make_tmp ("daiban-bench-eval-XXXXXX", &error);
    check (dir != NULL, error, "temporary folder");
    g_autofree char *path = g_build_filename (dir, "evaluation.db", NULL);
    DbnStore *store = dbn_store_open (path, DBN_STORE_SYNC_FULL, eval_migrations, &error);
    check (store != NULL, error, "store");
    EvalStore *eval = eval_store_new (store, calendar, &error);
    check (eval != NULL, error, "evaluation store");
    EvalSettings settings;
    check (eval_settings_load (&settings, NULL, &error), error, "settings");

    GRand *rand = g_rand_new_with_seed ((guint32) opt_seed);
    double t0 = now_s ();
    fill (store, eval, rand);
    double t_fill = now_s () - t0;
    g_rand_free (rand);

    /* Every agent of the generated org: two village and two group agents a
     * station, twenty township agents. */
    g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GArray) roster = g_array_new (FALSE, FALSE, sizeof (EvalPerson));
    for (gint64 s = 0; s < opt_stations; s++)
        for (int k = 0; k < 4; k++) {
            char *id = g_strdup_printf ("s%03" G_GINT64_FORMAT "-%c%d", s, k < 2 ? 'v' : 'g', k % 2);
            g_ptr_array_add (ids, id);
            EvalPerson p = { id, k < 2 ? DBN_AGENT_LEVEL_VILLAGE : DBN_AGENT_LEVEL_GROUP };
            g_array_append_val (roster, p);
        }
    for (int t = 0; t < 20; t++) {
        char *id = g_strdup_printf ("t-%02d", t);
        g_ptr_array_add (ids, id);
        EvalPerson p = { id, DBN_AGENT_LEVEL_TOWNSHIP };
        g_array_append_val (roster, p);
    }

    /* The close. */
    gboolean peaks = reset_peak ();
    gsize base = peaks ? peak_rss () : rss ();
    t0 = now_s ();
    check (dbn_store_begin (store, &error), error, "begin");
    check (eval_store_close_month (eval, &settings, 202611, (const EvalPerson *) roster->data, roster->len,
                                   at (30, 23, 0) + 2 * G_GINT64_CONSTANT (3600000), &error),
           error, "close");
    check (dbn_store_commit (store, &error), error, "commit");
    double t_close = now_s () - t0;
    gsize close_mem = (peaks ? peak_rss () : rss ()) - base;

    /* The aggregation alone, through the model. */
    guint32 first, last;
    eval_month_bounds (202611, &first, &last);
    peaks = reset_peak ();
    base = peaks ? peak_rss () : rss ();
    t0 = now_s ();
    g_autoptr (GPtrArray) figures = eval_store_period_figures (eval, &settings, first, last, &error);
    check (figures != NULL, error, "period figures");
    double t_model = now_s () - t0;
    gsize model_mem = (peaks ? peak_rss () : rss ()) - base;

    /* The reference, checked row by row against the model's. */
    sqlite3 *db = dbn_store_get_db (store);
    sqlite3_stmt *s = NULL;
    check (sqlite3_prepare_v2 (db, group_by_sql, -1, &s, NULL) == SQLITE_OK, NULL, sqlite3_errmsg (db));
    sqlite3_bind_int64 (s, 1, first);
    sqlite3_bind_int64 (s, 2, last);
    sqlite3_bind_text (s, 3, settings.township, -1, SQLITE_STATIC);
    peaks = reset_peak ();
    base = peaks ? peak_rss () : rss ();
    t0 = now_s ();
    guint rows = 0, mismatches = 0;
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        const EvalFigures *f = rows < figures->len ? figures->pdata[rows] : NULL;
        const gint64 mine[] = { f ? f->c.accepted : -1,     f ? f->c.completed : -1, f ? f->c.on_time : -1,
                                f ? f->c.working_days : -1, f ? f->c.returns : -1,   f ? f->c.repeats : -1,
                                f ? f->c.rated : -1,        f ? f->c.satisfied : -1, f ? f->c.basic : -1,
                                f ? f->c.unsatisfied : -1,  f ? f->c.uncovered : -1 };
        gboolean same = f != NULL && (int) f->scope == sqlite3_column_int (s, 0)
                        && g_strcmp0 (f->id, (const char *) sqlite3_column_text (s, 1)) == 0;
        for (gsize i = 0; same && i < G_N_ELEMENTS (mine); i++)
            same = mine[i] == sqlite3_column_int64 (s, 2 + (int) i);
        if (!same && mismatches++ < 5)
            g_printerr ("bench_evaluation: GROUP BY row %u (%d %s) differs from the model's\n", rows,
                        sqlite3_column_int (s, 0), sqlite3_column_text (s, 1));
        rows++;
    }
    double t_sql = now_s () - t0;
    gsize sql_mem = (peaks ? peak_rss () : rss ()) - base;
    check (rc == SQLITE_DONE, NULL, sqlite3_errmsg (db));
    sqlite3_finalize (s);
    if (rows != figures->len)
        mismatches++;
    /* The model's aggregation once more, now that the GROUP BY has read the
     * same pages: the first scan of the run pays for a cold page cache. */
    t0 = now_s ();
    g_autoptr (GPtrArray) again = eval_store_period_figures (eval, &settings, first, last, &error);
    check (again != NULL, error, "period figures");
    double t_model_warm = now_s () - t0;

    const double mib = 1024.0 * 1024.0;
    printf ("cases: %" G_GINT64_FORMAT " in 2026-11 at %" G_GINT64_FORMAT
            " stations; filled through the model in %.1f s (%.0f cases/s)\n",
            opt_cases, opt_stations, t_fill, opt_cases / t_fill);
    printf ("close (aggregate + fixed figures, %u scopes, quotas of %u agents, rewards): %.3f s, peak RSS "
            "+%.2f MiB%s\n",
            figures->len, roster->len, t_close, close_mem / mib, peaks ? "" : " (RSS, peak not resettable)");
    printf ("aggregation alone (eval_store_period_figures): %.3f s, peak RSS +%.2f MiB; again after the "
            "GROUP BY: %.3f s\n",
            t_model, model_mem / mib, t_model_warm);
    printf ("one SQL GROUP BY, same rows: %.3f s, peak RSS +%.2f MiB, %u rows\n", t_sql, sql_mem / mib, rows);
    printf ("ratio model / GROUP BY: aggregation %.2f (again %.2f), close %.2f\n", t_model / t_sql,
            t_model_warm / t_sql, t_close / t_sql);
    printf ("figures agree: %s\n", mismatches == 0 ? "yes" : "NO");

    eval_settings_clear (&settings);
    eval_store_free (eval);
    dbn_store_free (store);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (dir);
    return mismatches == 0 ? 0 : 1;
}
