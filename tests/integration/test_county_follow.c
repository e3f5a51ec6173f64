/* test_county_follow: issue 16 item 3, "the county sees its townships"
 * (docs/county.md), as a county host runs it.
 *
 * Two township sets (two data folders, each with its own intake, routing,
 * evaluation and audit, and its own audit key), each with a month played
 * through its services and closed (`daiban simulate --close`, different
 * seeds). A county folder names both in its daiban.conf, with the county's
 * committee key made there and imported into both registries (`daiban keys
 * export/import`). `daiban up --county` runs the follower as a real
 * process. Then:
 *   - `daiban county table --month M --json` shows each township's figures
 *     equal to that township's own `daiban eval month M --json` (the
 *     township row, and each window's stars), and both verified;
 *   - `daiban --data COUNTY --township TB eval month M` reaches B;
 *   - the follower SIGKILLed: daiban up starts it again;
 *   - B's audit stopped: the follower says so once (and once when B answers
 *     again), and A goes on;
 *   - B rewrites its record live: its audit stopped, its last 4 entries
 *     and the heads and stored nodes over them cut, audit started again, one
 *     more case (new heads, signed by B's own key, over another history).
 *     The follower flags B REWRITTEN within 10 s (the time is printed);
 *     A stays verified. */
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>

#include "audit_service.h"
#include "dbn_test_harness.h"

#define FLAG_BOUND_S 10.0

static void
append_conf (const char *dir, const char *lines)
{
    g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_file_get_contents (conf, &text, NULL, NULL);
    g_autofree char *more = g_strconcat (text ? text : "", lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

/* `daiban args...` in English: asserts the exit status; stdout (stderr on failure). */
static char *
daiban (int want, const char *const *args)
{
    DbnCliRun r = dbn_harness_run_cli_english (args);
    if (r.status != want)
        g_error ("daiban %s %s %s exited %d, not %d: %s%s", args[0], args[1] ? args[1] : "",
                 args[1] && args[2] ? args[2] : "", r.status, want, r.out, r.err);
    char *out = g_steal_pointer (&r.out);
    dbn_cli_run_clear (&r);
    return out;
}

static char *
first_line (char *text)
{
    char *nl = strchr (text, '\n');
    if (nl)
        *nl = '\0';
    return text;
}

static JsonNode *
parse_json (const char *text)
{
    g_autoptr (GError) error = NULL;
    JsonNode *node = json_from_string (text, &error);
    g_assert_no_error (error);
    return node;
}

typedef struct {
    DbnHarness *h;
    const char *dir;
    GSubprocess *intake, *routing, *evaluation, *audit;
} Township;

/* A township set with month played and closed, the county's key imported,
 * and its services running. */
static void
township_start (Township *t, const char *month, const char *seed, const char *committee_pub)
{
    g_autoptr (GError) error = NULL;
    t->h = dbn_harness_new (FALSE);
    t->dir = dbn_harness_get_data_dir (t->h);
    /* A head every 2 entries and for the tail: every case is soon covered. */
    append_conf (t->dir, "[audit]\nhead_every_entries = 2\nhead_every_ms = 100\n");
    g_assert_true (audit_signing_key_ensure (t->dir, &error));
    g_assert_no_error (error);
    g_autofree char *played =
        daiban (0, (const char *[]){ "--data", t->dir, "simulate", "--month", month, "--stations", "1",
                                     "--seed", seed, "--close", NULL });
    g_autofree char *imported =
        daiban (0, (const char *[]){ "--data", t->dir, "keys", "import", "committee", committee_pub, NULL });
    t->intake = dbn_harness_start_service (t->h, "intake");
    t->routing = dbn_harness_start_service (t->h, "routing");
    t->evaluation = dbn_harness_start_service (t->h, "evaluation");
    t->audit = dbn_harness_start_service (t->h, "audit");
}

static void
township_stop (Township *t)
{
    GSubprocess **all[] = { &t->audit, &t->evaluation, &t->routing, &t->intake };
    for (guint i = 0; i < G_N_ELEMENTS (all); i++) {
        if (*all[i] == NULL)
            continue;
        g_assert_true (dbn_harness_stop (*all[i], 10000));
        g_clear_object (all[i]);
    }
    dbn_harness_free (t->h);
}

/* The county table's row of township (borrowed from root). */
static JsonObject *
table_row (JsonNode *root, const char *township)
{
    return dbn_test_json_row (root, "townships", "township", township);
}

static JsonNode *
county_table (const char *store, const char *month)
{
    DbnCliRun r = dbn_harness_run_cli_english (
        (const char *[]){ "county", "table", "--store", store, "--month", month, "--json", NULL });
    /* 0, or 5 once a township is flagged. */
    g_assert_true (r.status == 0 || r.status == 5);
    JsonNode *node = parse_json (r.out);
    dbn_cli_run_clear (&r);
    return node;
}

/* Whether the county's row of township equals the township's own eval month. */
static gboolean
row_matches (JsonObject *row, const char *dir, const char *month, gboolean print)
{
    if (row == NULL || !json_object_get_boolean_member (row, "fetched"))
        return FALSE;
    g_autofree char *own =
        daiban (0, (const char *[]){ "--data", dir, "eval", "month", month, "--json", NULL });
    g_autoptr (JsonNode) node = parse_json (own);
    JsonObject *o = json_node_get_object (node);
    if (json_object_get_boolean_member (o, "closed") != json_object_get_boolean_member (row, "closed"))
        return FALSE;
    JsonArray *figures = json_object_get_array_member (o, "figures");
    JsonObject *windows = json_object_get_object_member (row, "windows");
    guint n_windows = 0, n_township = 0;
    for (guint i = 0; i < json_array_get_length (figures); i++) {
        JsonObject *f = json_array_get_object_element (figures, i);
        const char *scope = json_object_get_string_member (f, "scope");
        if (g_strcmp0 (scope, "window") == 0) {
            n_windows++;
            const char *id = json_object_get_string_member (f, "id");
            if (!json_object_has_member (windows, id)
                || json_object_get_int_member (windows, id) != json_object_get_int_member (f, "stars"))
                return FALSE;
        } else if (g_strcmp0 (scope, "township") == 0) {
            n_township++;
            const char *const counts[] = {
                "accepted",  "completed", "on_time",     "returns", "rated",
                "satisfied", "basic",     "unsatisfied", "stars",   "score_milli"
            };
            for (guint k = 0; k < G_N_ELEMENTS (counts); k++) {
                if (json_object_get_int_member (f, counts[k]) != json_object_get_int_member (row, counts[k]))
                    return FALSE;
                if (print)
                    g_test_message ("%s %s = %" G_GINT64_FORMAT,
                                    json_object_get_string_member (row, "township"), counts[k],
                                    json_object_get_int_member (row, counts[k]));
            }
        }
    }
    /* A month with cases: the township row, windows with stars. */
    return n_township == 1 && n_windows > 0 && n_windows == json_object_get_size (windows)
           && json_object_get_int_member (row, "accepted") > 0;
}

/* B's record cut by 4 entries, the heads over them and the stored nodes
 * covering them (so that the service opens it again and goes on: a
 * shorter, consistent, newly signed history). Audit must be stopped. */
static void
cut_record (const char *dir)
{
    gint64 entries = dbn_test_audit_int (dir, "SELECT count(*) FROM audit_entry");
    g_assert_cmpint (entries, >, 8);
    gint64 cut = entries - 4;
    g_autofree char *path = g_build_filename (dir, "audit.db", NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    /* Whoever holds the file can drop the append-only triggers. */
    g_autofree char *sql =
        g_strdup_printf ("DROP TRIGGER audit_entry_no_delete;"
                         "DROP TRIGGER audit_head_no_delete;"
                         "DROP TRIGGER audit_node_no_delete;"
                         "DROP TRIGGER audit_summary_no_delete;"
                         "DELETE FROM audit_entry WHERE idx >= %" G_GINT64_FORMAT ";"
                         "DELETE FROM audit_head WHERE size > %" G_GINT64_FORMAT ";"
                         "DELETE FROM audit_node WHERE ((idx + 1) << level) > %" G_GINT64_FORMAT ";"
                         "DELETE FROM audit_summary WHERE idx >= %" G_GINT64_FORMAT ";",
                         cut, cut, cut, cut);
    char *message = NULL;
    int rc = sqlite3_exec (db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        g_error ("cutting the record: %s", message);
    sqlite3_close (db);
}

static void
submit (DbnHarness *h, guint n)
{
    g_autofree char *key = g_strdup_printf ("county-follow-%u", n);
    g_free (dbn_test_submit (h, NULL, key, n, TRUE, 10000));
}

static guint
count (const char *text, const char *what)
{
    guint n = 0;
    for (const char *p = strstr (text, what); p != NULL; p = strstr (p + 1, what))
        n++;
    return n;
}

/* Waits (bounded) until the follower's log says what. */
static void
wait_log (const char *log, const char *what)
{
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *said = NULL;
        g_file_get_contents (log, &said, NULL, NULL);
        if (said != NULL && strstr (said, what) != NULL)
            return;
        if (g_get_monotonic_time () > deadline)
            g_error ("the follower never said \"%s\":\n%s", what, said ? said : "");
        g_usleep (100 * 1000);
    }
}

/* A clock file that runs at the wall clock's pace from start_ms. */
typedef struct {
    char *file;
    gint64 start_ms;
    gint64 t0_us; /* monotonic, at the first write */
    int stop;
} MovingClock;

static void
moving_clock_write (MovingClock *c)
{
    if (c->t0_us == 0)
        c->t0_us = g_get_monotonic_time ();
    gint64 now = c->start_ms + (g_get_monotonic_time () - c->t0_us) / 1000;
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", now);
    g_assert_true (g_file_set_contents (c->file, text, -1, NULL));
}

static gpointer
moving_clock_run (gpointer data)
{
    MovingClock *c = data;
    while (!g_atomic_int_get (&c->stop)) {
        moving_clock_write (c);
        g_usleep (50 * 1000);
    }
    return NULL;
}

static void
test_county_follows (void)
{
    /* November 2026, closed on 1 December; every process of the test runs on
     * a clock that moves from Tuesday 15 December 2026, 10:00, so the month
     * the follower fetches (this one and the one before) never depends on
     * the day the test runs. */
    const char *month = "2026-11";
    g_autofree char *clock_dir = g_dir_make_tmp ("daiban-county-clock-XXXXXX", NULL);
    MovingClock moving = { .file = g_build_filename (clock_dir, "clock", NULL),
                           .start_ms = 1797300000000 /* 2026-12-15 10:00 CST */ };
    moving_clock_write (&moving);
    g_setenv ("DAIBAN_CLOCK_FILE", moving.file, TRUE);
    GThread *mover = g_thread_new ("clock", moving_clock_run, &moving);

    /* The county folder, its key, made there. */
    g_autofree char *county = g_dir_make_tmp ("daiban-county-XXXXXX", NULL);
    g_autofree char *init = daiban (0, (const char *[]){ "--data", county, "keys", "init", NULL });
    g_autofree char *key_out =
        daiban (0, (const char *[]){ "--data", county, "keys", "add", "committee", NULL });
    g_autofree char *committee = g_strdup (first_line (key_out));
    g_assert_true (g_str_has_suffix (committee, "/keys/committee.secret"));
    g_autofree char *exported =
        daiban (0, (const char *[]){ "--data", county, "keys", "export", "committee", NULL });
    g_auto (GStrv) parts = g_strsplit (first_line (exported), " ", 2);
    g_assert_cmpstr (parts[0], ==, "committee");

    Township a = { 0 }, b = { 0 };
    township_start (&a, month, "county-a", parts[1]);
    township_start (&b, month, "county-b", parts[1]);

    /* Not a county folder yet: up --county refuses, bilingual. */
    DbnCliRun refused = dbn_harness_run_cli ((const char *[]){ "--data", county, "up", "--county", NULL });
    g_assert_cmpint (refused.status, ==, 4);
    g_assert_nonnull (strstr (refused.err, "names no townships"));
    g_assert_nonnull (strstr (refused.err, "没有列出乡镇"));
    dbn_cli_run_clear (&refused);

    g_autofree char *conf = g_strdup_printf ("[county]\nname_zh = 青山县\ntownships = TA;TB\n"
                                             "committee_key = keys/committee.secret\n"
                                             "[township:TA]\nname_zh = 甲镇\nfolder = %s\n"
                                             "[township:TB]\nname_zh = 乙镇\nfolder = %s\n",
                                             a.dir, b.dir);
    append_conf (county, conf);
    g_autofree char *store = g_build_filename (county, "county.db", NULL);

    /* --township: any command against one township, as the county's key. */
    g_autofree char *via = daiban (
        0, (const char *[]){ "--data", county, "--township", "TB", "eval", "month", month, "--json", NULL });
    g_autofree char *own_b =
        daiban (0, (const char *[]){ "--data", b.dir, "eval", "month", month, "--json", NULL });
    g_assert_cmpstr (via, ==, own_b);
    DbnCliRun unknown = dbn_harness_run_cli_english (
        (const char *[]){ "--data", county, "--township", "TZ", "status", NULL });
    g_assert_cmpint (unknown.status, ==, 2);
    g_assert_nonnull (strstr (unknown.err, "no such township"));
    g_assert_nonnull (strstr (unknown.err, "TA, TB"));
    dbn_cli_run_clear (&unknown);

    /* The county host: the follower only, as a real supervised process. */
    g_autofree char *log = g_build_filename (county, "up.log", NULL);
    dbn_harness_set_stderr_file (a.h, log);
    GSubprocess *up =
        dbn_harness_spawn (a.h, "daiban", (const char *[]){ "--data", county, "up", "--county", NULL });
    dbn_harness_set_stderr_file (a.h, NULL);

    /* Both townships' figures as their own eval month gives them, both verified. */
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (!g_file_test (store, G_FILE_TEST_EXISTS)) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (50 * 1000);
    }
    g_usleep (200 * 1000); /* its tables, made as it opens it */
    for (;;) {
        g_autoptr (JsonNode) table = county_table (store, month);
        JsonObject *ra = table_row (table, "TA"), *rb = table_row (table, "TB");
        if (row_matches (ra, a.dir, month, FALSE) && row_matches (rb, b.dir, month, FALSE)
            && g_strcmp0 (json_object_get_string_member (ra, "audit"), "verified") == 0
            && g_strcmp0 (json_object_get_string_member (rb, "audit"), "verified") == 0) {
            row_matches (ra, a.dir, month, TRUE);
            row_matches (rb, b.dir, month, TRUE);
            g_assert_cmpstr (json_object_get_string_member (ra, "name"), ==, "甲镇");
            g_assert_true (json_object_get_boolean_member (ra, "closed"));
            break;
        }
        if (g_get_monotonic_time () > deadline) {
            g_autofree char *text = json_to_string (table, TRUE);
            g_autofree char *said = NULL;
            g_file_get_contents (log, &said, NULL, NULL);
            g_error ("the county's table never matched the townships' own figures:\n%s\n%s", text, said);
        }
        g_usleep (200 * 1000);
    }
    /* The A and B figures differ (two seeds): the rows are not one township's twice. */
    g_autofree char *printed =
        daiban (0, (const char *[]){ "county", "table", "--store", store, "--month", month, NULL });
    g_test_message ("%s", printed);
    g_assert_nonnull (strstr (printed, "verified through head"));
    g_assert_nonnull (strstr (printed, "乙镇"));

    /* The follower crashes: daiban up starts it again, and it goes on from the store. */
    {
        g_autofree char *said = NULL;
        g_assert_true (g_file_get_contents (log, &said, NULL, NULL));
        const char *at = strstr (said, "county follow started (pid ");
        g_assert_nonnull (at);
        int pid = atoi (at + strlen ("county follow started (pid "));
        g_assert_cmpint (pid, >, 1);
        g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
        wait_log (log, "county follow 异常退出 died (killed by signal 9)");
        gint64 restart_deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
        for (;;) {
            g_autofree char *now_said = NULL;
            g_file_get_contents (log, &now_said, NULL, NULL);
            if (count (now_said, "county follow started (pid ") == 2)
                break;
            g_assert_cmpint (g_get_monotonic_time (), <, restart_deadline);
            g_usleep (100 * 1000);
        }
    }

    /* B rewrites its record live. */
    g_assert_true (dbn_harness_stop (b.audit, 10000));
    g_clear_object (&b.audit);
    /* B's audit away: said once, whatever the rounds; A goes on. */
    wait_log (log, "township TB cannot be followed now");
    g_usleep (3 * G_USEC_PER_SEC);
    cut_record (b.dir);
    b.audit = dbn_harness_start_service (b.h, "audit");
    submit (b.h, 900);
    gint64 t0 = g_get_monotonic_time ();
    double took = -1;
    while (took < 0) {
        g_autoptr (JsonNode) table = county_table (store, month);
        JsonObject *rb = table_row (table, "TB");
        if (g_strcmp0 (json_object_get_string_member (rb, "audit"), "REWRITTEN") == 0) {
            took = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
            g_assert_cmpstr (json_object_get_string_member (table_row (table, "TA"), "audit"), ==,
                             "verified");
        } else if (g_get_monotonic_time () - t0 > 2 * FLAG_BOUND_S * G_USEC_PER_SEC) {
            g_autofree char *said = NULL;
            g_file_get_contents (log, &said, NULL, NULL);
            g_error ("B was not flagged in %.0f s:\n%s", 2 * FLAG_BOUND_S, said);
        } else {
            g_usleep (100 * 1000);
        }
    }
    g_printerr (
        "county follow: township B flagged REWRITTEN %.2f s after its rewrite's next case (bound %.0f s)\n",
        took, FLAG_BOUND_S);
    g_assert_cmpfloat (took, <=, FLAG_BOUND_S);
    /* A takes one more case and stays verified through its newer head. */
    submit (a.h, 901);
    gint64 newest_a = 0;
    deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        gint64 entries = dbn_test_audit_int (a.dir, "SELECT count(*) FROM audit_entry");
        newest_a = dbn_test_audit_int (a.dir, "SELECT coalesce(max(size), 0) FROM audit_head");
        g_autoptr (JsonNode) table = county_table (store, month);
        JsonObject *ra = table_row (table, "TA");
        if (newest_a == entries && json_object_get_int_member (ra, "verified_through") == newest_a
            && g_strcmp0 (json_object_get_string_member (ra, "audit"), "verified") == 0)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (200 * 1000);
    }
    g_autofree char *status = daiban (5, (const char *[]){ "county", "status", "--store", store, NULL });
    g_assert_nonnull (strstr (status, "TB\tkept"));
    g_assert_nonnull (strstr (status, "REWRITTEN"));

    /* The supervisor stops its follower on SIGTERM. */
    g_assert_true (dbn_harness_stop (up, 15000));
    g_clear_object (&up);
    g_autofree char *said = NULL;
    g_assert_true (g_file_get_contents (log, &said, NULL, NULL));
    g_assert_nonnull (strstr (said, "following 2 townships"));
    g_assert_nonnull (strstr (said, "ALARM TB"));
    /* Once per outage: the restarted follower had not seen B away before. */
    g_assert_cmpuint (count (said, "township TB cannot be followed now"), ==, 1);
    g_assert_cmpuint (count (said, "township TB answers again"), ==, 1);
    g_assert_cmpuint (count (said, "township TA cannot be followed now"), ==, 0);
    g_assert_null (strstr (said, "ALARM TA"));
    g_assert_nonnull (strstr (said, "the follower stopped"));

    township_stop (&b);
    township_stop (&a);
    g_atomic_int_set (&moving.stop, 1);
    g_thread_join (mover);
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    if (g_getenv ("DAIBAN_KEEP_TEST_DATA") == NULL) {
        g_autofree char *rm = g_strdup_printf ("rm -rf %s %s", county, clock_dir);
        g_assert_cmpint (system (rm), ==, 0);
    }
    g_free (moving.file);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/audit/D-AUD-5/county-follows-townships-flags-live-rewrite", test_county_follows);
    return g_test_run ();
}
