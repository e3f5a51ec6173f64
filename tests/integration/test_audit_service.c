/* test_audit_service: daiban-audit as a real process following intake,
 * routing and deadline (issue 14 item 1). Cases are taken in rounds; in
 * each round audit is SIGKILLed at a random instant while it catches up
 * (at least 10 kills; DAIBAN_AUDIT_KILLS for more), then restarted.
 * Afterwards, for every producer, the record holds exactly one entry per
 * journal event, in the producer's order (seq 1..N ascending with the
 * record's index), with the journal's exact bytes, and the offline verify
 * of the record passes.
 *
 * D-AUD-2 with a manual clock (DAIBAN_CLOCK_FILE): a case runs past its
 * centre clock's grace without an explanation (D-DL-6); a committee key
 * subscribed to audit/ receives audit.violation naming the case, the
 * person and the rule, and receives it again after a reconnect through
 * sys.sync on the audit service. */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <zmq.h>

#include "audit_service.h"
#include "audit_verify.h"
#include "dbn_test_harness.h"

#define CALL_MS      10000
#define PER_ROUND    12
#define MIN_KILLS    10
#define CATCH_UP_SEC 60

static const char *const producers[] = { "intake", "routing", "deadline", NULL };

static void
append_conf (DbnHarness *h, const char *lines)
{
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (h), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

static void
submit (DbnHarness *h, guint n)
{
    g_autofree char *key = g_strdup_printf ("audit-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
}

static sqlite3 *
open_db (DbnHarness *h, const char *name)
{
    g_autofree char *file = g_strconcat (name, ".db", NULL);
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), file, NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    return db;
}

static gint64
count (sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
    if (arg != NULL)
        sqlite3_bind_text (s, 1, arg, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    gint64 n = sqlite3_column_int64 (s, 0);
    sqlite3_finalize (s);
    return n;
}

/* TRUE once the record holds as many entries of each producer as its
 * journal has events, and a head covers them all. */
static gboolean
caught_up (DbnHarness *h)
{
    sqlite3 *audit = open_db (h, "audit");
    gboolean all = count (audit, "SELECT count(*) FROM audit_entry", NULL)
                   == count (audit, "SELECT coalesce(max(size), 0) FROM audit_head", NULL);
    for (const char *const *p = producers; *p != NULL && all; p++) {
        sqlite3 *db = open_db (h, *p);
        gint64 events = count (db, "SELECT count(*) FROM journal", NULL);
        sqlite3_close (db);
        all = count (audit, "SELECT count(*) FROM audit_entry WHERE producer = ?", *p) == events;
    }
    sqlite3_close (audit);
    return all;
}

static void
check_producer (DbnHarness *h, sqlite3 *audit, const char *producer)
{
    sqlite3 *db = open_db (h, producer);
    sqlite3_stmt *j = NULL, *a = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, body FROM journal ORDER BY seq", -1, &j, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (audit,
                                         "SELECT seq, event FROM audit_entry WHERE producer = ? ORDER BY idx",
                                         -1, &a, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_text (a, 1, producer, -1, SQLITE_STATIC);
    gint64 n = 0;
    for (;;) {
        int rj = sqlite3_step (j), ra = sqlite3_step (a);
        g_assert_cmpint (rj, ==, ra);
        if (rj != SQLITE_ROW)
            break;
        n++;
        g_assert_cmpint (sqlite3_column_int64 (j, 0), ==, n);
        g_assert_cmpint (sqlite3_column_int64 (a, 0), ==, n);
        g_assert_cmpmem (sqlite3_column_blob (j, 1), sqlite3_column_bytes (j, 1), sqlite3_column_blob (a, 1),
                         sqlite3_column_bytes (a, 1));
    }
    g_assert_cmpint (n, >, 0);
    g_test_message ("%s: %" G_GINT64_FORMAT " events, each once and in order", producer, n);
    sqlite3_finalize (j);
    sqlite3_finalize (a);
    sqlite3_close (db);
}

static void
test_kill9 (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autoptr (GError) error = NULL;
    /* Heads by count inside the appends, and by time for the tail. */
    append_conf (h, "[audit]\nhead_every_entries = 100\nhead_every_ms = 100\n");
    g_assert_true (audit_signing_key_ensure (dbn_harness_get_data_dir (h), &error));
    g_assert_no_error (error);
    g_autoptr (GSubprocess) intake = dbn_harness_start_service (h, "intake");
    g_autoptr (GSubprocess) routing = dbn_harness_start_service (h, "routing");
    g_autoptr (GSubprocess) deadline = dbn_harness_start_service (h, "deadline");
    GSubprocess *audit = dbn_harness_start_service (h, "audit");

    guint kills = MIN_KILLS;
    const char *env = g_getenv ("DAIBAN_AUDIT_KILLS");
    if (env != NULL && atoi (env) > MIN_KILLS)
        kills = (guint) atoi (env);
    guint n = 0;
    for (guint k = 0; k < kills; k++) {
        for (guint i = 0; i < PER_ROUND; i++)
            submit (h, ++n);
        /* A random instant of audit's catching up (or after it). */
        g_usleep (g_random_int_range (0, 40000));
        dbn_harness_kill (audit);
        g_object_unref (audit);
        /* Events pile up while it is down. */
        for (guint i = 0; i < PER_ROUND / 2; i++)
            submit (h, ++n);
        audit = dbn_harness_start_service (h, "audit");
    }
    gint64 until = g_get_monotonic_time () + CATCH_UP_SEC * G_USEC_PER_SEC;
    while (!caught_up (h)) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (50000);
    }
    g_assert_true (dbn_harness_stop (audit, 10000));
    g_object_unref (audit);
    g_assert_true (dbn_harness_stop (deadline, 10000));
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));

    sqlite3 *db = open_db (h, "audit");
    for (const char *const *p = producers; *p != NULL; p++)
        check_producer (h, db, *p);
    /* Entries of no other producer, and none twice. */
    g_assert_cmpint (count (db,
                            "SELECT count(*) FROM audit_entry WHERE producer NOT IN"
                            " ('intake', 'routing', 'deadline')",
                            NULL),
                     ==, 0);
    /* One audit.entry summary journaled (and published) per entry, in the
     * same transaction: exactly once as well. */
    g_assert_cmpint (count (db, "SELECT count(*) FROM journal WHERE type = 'audit.entry'", NULL), ==,
                     count (db, "SELECT count(*) FROM audit_entry", NULL));
    g_assert_cmpint (count (db, "SELECT count(*) FROM journal WHERE type = 'audit.head'", NULL), ==,
                     count (db, "SELECT count(*) FROM audit_head", NULL));
    sqlite3_close (db);

    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), "audit.db", NULL);
    AuditVerifyReport r = { 0 };
    g_assert_true (audit_verify_file (path, NULL, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_OK);
    g_assert_true (r.has_head);
    g_assert_cmpint (r.head.size, ==, r.entries);
    g_test_message ("%u kills, %u cases, %" G_GINT64_FORMAT " entries verified, %" G_GINT64_FORMAT " heads",
                    kills, n, r.entries, r.heads);
    audit_verify_report_clear (&r);
}

/* ---- D-DL-6 to the committee, live and through sys.sync ---- */

/* 2026-MM-DD hh:mm China Standard Time, in ms since the epoch. */
static gint64
cst (int month, int day, int hour, int minute)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, minute, 0);
    return g_date_time_to_unix (t) * 1000 - 8 * 3600 * 1000;
}

static void
set_clock (const char *file, gint64 ms)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (file, ".tmp", NULL);
    g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
    g_assert_cmpint (g_rename (tmp, file), ==, 0);
}

/* The next event on sub whose type is type (others and heartbeats are
 * skipped), within timeout_ms; NULL when none came. *topic gets its topic. */
static GBytes *
next_event (void *sub, const char *type, int timeout_ms, char **topic)
{
    gint64 until = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    while (g_get_monotonic_time () < until) {
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        zmq_msg_t t, b;
        zmq_msg_init (&t);
        zmq_msg_init (&b);
        g_assert_cmpint (zmq_msg_recv (&t, sub, 0), >=, 0);
        if (zmq_msg_more (&t))
            zmq_msg_recv (&b, sub, 0);
        DbnEnvEvent env = { 0 };
        GBytes *found = NULL;
        if (dbn_env_event_decode (zmq_msg_data (&b), zmq_msg_size (&b), &env, NULL)
            && g_strcmp0 (env.type, type) == 0) {
            found = g_bytes_new (zmq_msg_data (&b), zmq_msg_size (&b));
            *topic = g_strndup (zmq_msg_data (&t), zmq_msg_size (&t));
        }
        dbn_env_event_clear (&env);
        zmq_msg_close (&t);
        zmq_msg_close (&b);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* Waits for the audit.entry of a deadline event of type event_type: the
 * record, and so the committee, has it. */
static void
wait_entry (void *sub, const char *event_type)
{
    gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < until) {
        g_autofree char *topic = NULL;
        g_autoptr (GBytes) b = next_event (sub, DBN_MSG_AUDIT_ENTRY_WIRE, 1000, &topic);
        if (b == NULL)
            continue;
        g_autoptr (DbnMsgAuditEntry) e =
            dbn_msg_audit_entry_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        g_assert_nonnull (e);
        if (g_strcmp0 (e->event_type, event_type) == 0)
            return;
    }
    g_error ("no audit.entry of %s within 60 s", event_type);
}

static DbnMsgAuditViolation *
decode_violation (GBytes *b)
{
    g_autoptr (GError) error = NULL;
    DbnMsgAuditViolation *v =
        dbn_msg_audit_violation_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
    g_assert_no_error (error);
    return v;
}

static void
check_violation (const DbnMsgAuditViolation *v, const char *case_no)
{
    g_assert_cmpstr (v->env.case_no, ==, case_no);
    g_assert_cmpstr (v->kind, ==, "overdue_unexplained");
    g_assert_cmpstr (v->rule, ==, "D-DL-6");
    g_assert_true (g_str_has_prefix (v->person, "window:") || g_str_has_prefix (v->person, "station:"));
    g_assert_cmpstr (v->producer, ==, "deadline");
    g_assert_cmpint (v->event_seq, >, 0);
}

static void
test_violation_to_committee (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autoptr (GError) error = NULL;
    append_conf (h, "[deadline]\ntick_ms = 20\n");
    g_autofree char *clock = g_build_filename (dir, "clock", NULL);
    set_clock (clock, cst (3, 2, 10, 0)); /* Monday 2 March 2026, 10:00 */
    g_setenv ("DAIBAN_CLOCK_FILE", clock, TRUE);
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    g_autofree char *committee_key = dbn_harness_add_key (h, "committee");
    GSubprocess *procs[4];
    for (int i = 0; i < 3; i++)
        procs[i] = dbn_harness_start_service (h, producers[i]);
    procs[3] = dbn_harness_start_service (h, "audit");

    g_autoptr (DbnBus) committee = dbn_harness_new_bus (h, committee_key);
    void *sub = dbn_bus_socket_new (committee, ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "audit", 5);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb", 2);
    g_assert_true (dbn_bus_connect (
        committee, sub, dbn_config_get_publish_endpoint (dbn_harness_get_config (h), "audit"), &error));
    /* Subscribed once a heartbeat arrives. */
    g_autofree char *hb_topic = NULL;
    g_autoptr (GBytes) hb = next_event (sub, "sys.heartbeat", 10000, &hb_topic);
    g_assert_nonnull (hb);

    /* A walk-in case at the centre: D-DL-1, due at the end of Tue 3 Mar. */
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new ("dl6-1", 1, TRUE);
    g_free (m->channel);
    m->channel = g_strdup ("walk-in");
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    /* Deadline has the case's clocks; then, step by step as deadline's own
     * test does, yellow, red, and past the one-day grace with no
     * explanation. Each step is awaited in the record's entries. */
    wait_entry (sub, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE);
    set_clock (clock, cst (3, 3, 0, 1));
    wait_entry (sub, DBN_MSG_DEADLINE_WARNING_WIRE);
    set_clock (clock, cst (3, 4, 0, 1));
    wait_entry (sub, DBN_MSG_DEADLINE_OVERDUE_WIRE);
    set_clock (clock, cst (3, 5, 12, 0));
    /* The same jump passes the signing deadline of the daily summaries of
     * 2-4 March (D-AUD-6): their summary_unsigned violations (no case) may
     * come before or after the overdue one; this test is about the latter. */
    g_autoptr (DbnMsgAuditViolation) v = NULL;
    gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (v == NULL && g_get_monotonic_time () < until) {
        g_autofree char *topic = NULL;
        g_autoptr (GBytes) live = next_event (sub, DBN_MSG_AUDIT_VIOLATION_WIRE, 60000, &topic);
        g_assert_nonnull (live);
        g_assert_cmpstr (topic, ==, "audit/");
        g_autoptr (DbnMsgAuditViolation) got = decode_violation (live);
        if (g_strcmp0 (got->kind, "summary_unsigned") == 0) {
            g_assert_cmpstr (got->rule, ==, "D-AUD-6");
            continue;
        }
        v = g_steal_pointer (&got);
    }
    g_assert_nonnull (v);
    check_violation (v, r->case_no);
    zmq_close (sub);

    /* Reconnected: the committee catches up from the start through sys.sync
     * on the audit service, scoped to its topic. */
    guint violations = 0, entries = 0;
    gint64 after = 0, newest = -1;
    while (after != newest) {
        g_autoptr (DbnMsgSysSync) s = dbn_msg_sys_sync_new ();
        s->env.key = g_strdup_printf ("sync-%" G_GINT64_FORMAT, after);
        s->after = after;
        s->topic = g_strdup ("audit/");
        g_autoptr (GBytes) sb = dbn_msg_sys_sync_encode (s, NULL);
        g_autoptr (GBytes) sr = dbn_harness_call_on (h, committee, "audit", sb, CALL_MS, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgSysSyncReply) rep =
            dbn_msg_sys_sync_reply_decode (g_bytes_get_data (sr, NULL), g_bytes_get_size (sr), &error);
        g_assert_no_error (error);
        for (guint i = 0; i < rep->events->len; i++) {
            GBytes *e = rep->events->pdata[i];
            DbnEnvEvent env = { 0 };
            g_assert_true (
                dbn_env_event_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), &env, NULL));
            if (g_strcmp0 (env.type, DBN_MSG_AUDIT_VIOLATION_WIRE) == 0) {
                g_autoptr (DbnMsgAuditViolation) again = decode_violation (e);
                if (g_strcmp0 (again->kind, "summary_unsigned") != 0) {
                    check_violation (again, r->case_no);
                    g_assert_cmpint (again->env.seq, ==, v->env.seq);
                    violations++;
                }
            } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_ENTRY_WIRE) == 0) {
                entries++;
            }
            dbn_env_event_clear (&env);
        }
        after = rep->through;
        newest = rep->newest;
    }
    g_assert_cmpuint (violations, ==, 1);
    g_assert_cmpuint (entries, >, 0);
    g_test_message ("violation seq %" G_GINT64_FORMAT " live and again through sys.sync (%u entries)",
                    v->env.seq, entries);

    /* The CLI's feed reads the same, as JSON lines and as text. */
    const char *const feed[] = { "audit", "feed", "--data", dir, NULL };
    DbnCliRun run = dbn_harness_run_cli (feed);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "VIOLATION D-DL-6 overdue_unexplained"));
    g_assert_nonnull (strstr (run.out, r->case_no));
    dbn_cli_run_clear (&run);
    const char *const feed_json[] = { "audit", "feed", "--json", "--data", dir, NULL };
    run = dbn_harness_run_cli (feed_json);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"rule\":\"D-DL-6\""));
    dbn_cli_run_clear (&run);

    for (int i = 3; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (procs[i], 10000));
        g_object_unref (procs[i]);
    }
    g_unsetenv ("DAIBAN_CLOCK_FILE");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/audit-service/kill9-exactly-once", test_kill9);
    g_test_add_func ("/audit-service/D-DL-6/violation-to-committee", test_violation_to_committee);
    return g_test_run ();
}
