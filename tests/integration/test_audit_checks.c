/* test_audit_checks: the audit service's checks (issue 14 items 4 and 5)
 * with real processes (intake, routing, deadline, audit) on a manual clock
 * (DAIBAN_CLOCK_FILE):
 *
 *   D-AUD-3  a fee charged above the catalog's at the reply is a violation;
 *            the catalog's own fee is not;
 *   D-DL-4   a reclassification after the first that moves the promised
 *            date is a violation; the first classification is not;
 *            in both, a committee key subscribed to audit/ receives the
 *            violation live, naming the case, the person and the rule, and
 *            again after a reconnect through sys.sync, and the violation is
 *            an entry of the record (producer audit);
 *   D-AUD-2  the week's spot-check draw is refused until a head is signed
 *            after the week, then is the same on every call and the same as
 *            one recomputed here from the record file and that head alone;
 *            a committee member's finding is published, is an entry, and is
 *            listed by month and window; the record still verifies.
 */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zmq.h>

#include "audit_service.h"
#include "audit_verify.h"
#include "dbn_test_harness.h"

#define CALL_MS 10000

static const char *const services[] = { "intake", "routing", "deadline", "audit", NULL };

typedef struct {
    DbnHarness *h;
    const char *dir;
    char *clock;
    char *committee_key;
    char *huji_key, *jisheng_key; /* window:huji, window:jisheng */
    DbnBus *committee;
    void *sub;
    GSubprocess *procs[4];
} Fixture;

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
 * skipped), within timeout_ms; NULL when none came. */
static GBytes *
next_event (void *sub, const char *type, int timeout_ms)
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
            && g_strcmp0 (env.type, type) == 0)
            found = g_bytes_new (zmq_msg_data (&b), zmq_msg_size (&b));
        dbn_env_event_clear (&env);
        zmq_msg_close (&t);
        zmq_msg_close (&b);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* Waits for the audit.entry of case_no's event of event_type: the record,
 * and so routing, has it. */
static void
wait_entry (Fixture *f, const char *case_no, const char *event_type)
{
    gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < until) {
        g_autoptr (GBytes) b = next_event (f->sub, DBN_MSG_AUDIT_ENTRY_WIRE, 1000);
        if (b == NULL)
            continue;
        g_autoptr (DbnMsgAuditEntry) e =
            dbn_msg_audit_entry_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        g_assert_nonnull (e);
        if (g_strcmp0 (e->event_type, event_type) == 0 && g_strcmp0 (e->env.case_no, case_no) == 0)
            return;
    }
    g_error ("no audit.entry of %s for %s within 60 s", event_type, case_no);
}

static void
append_conf (Fixture *f, const char *lines)
{
    g_autofree char *conf = g_build_filename (f->dir, "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

static void
fixture_start (Fixture *f, gint64 now, const char *conf)
{
    g_autoptr (GError) error = NULL;
    f->h = dbn_harness_new (FALSE);
    f->dir = dbn_harness_get_data_dir (f->h);
    append_conf (f, "[deadline]\ntick_ms = 20\n");
    if (conf != NULL)
        append_conf (f, conf);
    f->clock = g_build_filename (f->dir, "clock", NULL);
    set_clock (f->clock, now);
    g_setenv ("DAIBAN_CLOCK_FILE", f->clock, TRUE);
    g_assert_true (audit_signing_key_ensure (f->dir, &error));
    g_assert_no_error (error);
    f->committee_key = dbn_harness_add_key (f->h, "committee");
    f->huji_key = dbn_harness_add_key (f->h, "window:huji");
    f->jisheng_key = dbn_harness_add_key (f->h, "window:jisheng");
    for (int i = 0; services[i] != NULL; i++)
        f->procs[i] = dbn_harness_start_service (f->h, services[i]);
    f->committee = dbn_harness_new_bus (f->h, f->committee_key);
    f->sub = dbn_bus_socket_new (f->committee, ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, "audit", 5);
    zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, "hb", 2);
    g_assert_true (dbn_bus_connect (f->committee, f->sub,
                                    dbn_config_get_publish_endpoint (dbn_harness_get_config (f->h), "audit"),
                                    &error));
    /* Subscribed once a heartbeat arrives. */
    g_autoptr (GBytes) hb = next_event (f->sub, "sys.heartbeat", 10000);
    g_assert_nonnull (hb);
}

static void
fixture_stop (Fixture *f)
{
    if (f->sub != NULL)
        zmq_close (f->sub);
    g_clear_pointer (&f->committee, dbn_bus_free);
    for (int i = 3; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (f->procs[i], 10000));
        g_object_unref (f->procs[i]);
    }
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    g_free (f->clock);
    g_free (f->committee_key);
    g_free (f->huji_key);
    g_free (f->jisheng_key);
    g_clear_pointer (&f->h, dbn_harness_free);
}

/* A walk-in case of matter at its window; its number. */
static char *
submit (Fixture *f, guint n, const char *matter, const char *const *materials)
{
    g_autofree char *key = g_strdup_printf ("checks-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_free (m->channel);
    m->channel = g_strdup ("walk-in");
    if (matter != NULL) {
        g_free (m->matter);
        m->matter = g_strdup (matter);
        g_strfreev (m->materials);
        m->materials = g_strdupv ((char **) materials);
    }
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

/* daiban ARGS --data DIR [--key-file KEY]; asserts the exit status, returns
 * the output. */
static char *
cli (Fixture *f, int status, const char *key, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) f->dir);
    if (key != NULL) {
        g_ptr_array_add (argv, (gpointer) "--key-file");
        g_ptr_array_add (argv, (gpointer) key);
    }
    g_ptr_array_add (argv, NULL);
    DbnCliRun run = dbn_harness_run_cli ((const char *const *) argv->pdata);
    if (run.status != status)
        g_error ("daiban %s: exit %d, not %d\n%s%s", args[0], run.status, status, run.out, run.err);
    char *out = g_strconcat (run.out, run.err, NULL);
    dbn_cli_run_clear (&run);
    return out;
}

#define CLI(f, status, ...) g_free (cli ((f), (status), NULL, (const char *const[]){ __VA_ARGS__, NULL }))
/* The same acting with a key file (the principal is the person named). */
#define CLI_AS(f, key, status, ...)                                                                          \
    g_free (cli ((f), (status), (key), (const char *const[]){ __VA_ARGS__, NULL }))

/* Every event of type on audit/ from the start, through sys.sync on the
 * audit service with the committee's key (a reconnect's catch-up). */
static GPtrArray *
sync_events (Fixture *f, const char *type)
{
    GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    gint64 after = 0, newest = -1;
    while (after != newest) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgSysSync) s = dbn_msg_sys_sync_new ();
        s->env.key = g_strdup_printf ("sync-%" G_GINT64_FORMAT, after);
        s->after = after;
        s->topic = g_strdup ("audit/");
        g_autoptr (GBytes) sb = dbn_msg_sys_sync_encode (s, NULL);
        g_autoptr (GBytes) sr = dbn_harness_call_on (f->h, f->committee, "audit", sb, CALL_MS, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgSysSyncReply) rep =
            dbn_msg_sys_sync_reply_decode (g_bytes_get_data (sr, NULL), g_bytes_get_size (sr), &error);
        g_assert_no_error (error);
        for (guint i = 0; i < rep->events->len; i++) {
            GBytes *e = rep->events->pdata[i];
            DbnEnvEvent env = { 0 };
            g_assert_true (dbn_env_event_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), &env, NULL));
            if (g_strcmp0 (env.type, type) == 0)
                g_ptr_array_add (found, g_bytes_ref (e));
            dbn_env_event_clear (&env);
        }
        after = rep->through;
        newest = rep->newest;
    }
    return found;
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

static sqlite3 *
open_record (Fixture *f)
{
    g_autofree char *path = g_build_filename (f->dir, "audit.db", NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    return db;
}

G_GNUC_UNUSED static gint64
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

/* The violation arrives live, then once more through sys.sync with the
 * same seq; it is one entry of the record, of producer audit. */
static void
check_violation_delivered (Fixture *f, const char *case_no, const char *kind, const char *rule,
                           const char *person, const char *detail_part)
{
    g_autoptr (GBytes) live = next_event (f->sub, DBN_MSG_AUDIT_VIOLATION_WIRE, 60000);
    g_assert_nonnull (live);
    g_autoptr (DbnMsgAuditViolation) v = decode_violation (live);
    g_assert_cmpstr (v->env.case_no, ==, case_no);
    g_assert_cmpstr (v->kind, ==, kind);
    g_assert_cmpstr (v->rule, ==, rule);
    g_assert_cmpstr (v->person, ==, person);
    g_assert_cmpstr (v->producer, ==, "routing");
    g_assert_nonnull (v->detail);
    g_assert_nonnull (strstr (v->detail, detail_part));
    zmq_close (f->sub);
    f->sub = NULL;

    g_autoptr (GPtrArray) again = sync_events (f, DBN_MSG_AUDIT_VIOLATION_WIRE);
    g_assert_cmpuint (again->len, ==, 1);
    g_autoptr (DbnMsgAuditViolation) w = decode_violation (again->pdata[0]);
    g_assert_cmpint (w->env.seq, ==, v->env.seq);
    g_assert_cmpstr (w->kind, ==, kind);
    g_assert_cmpstr (w->env.case_no, ==, case_no);

    sqlite3 *db = open_record (f);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT seq, case_no FROM audit_entry WHERE producer = 'audit'"
                                         " AND type = 'audit.violation'",
                                         -1, &s, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int64 (s, 0), ==, v->env.seq);
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 1), ==, case_no);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_DONE);
    sqlite3_finalize (s);
    sqlite3_close (db);
    g_test_message ("%s on %s: live and again through sys.sync (seq %" G_GINT64_FORMAT "), entered in the record",
                    kind, case_no, v->env.seq);
}

static const char *const id_card[] = { "户口簿", "二寸照片", NULL };

/* Classify, assign, accompany (D-RTE-4: presence), start, complete. */
static void
handle (Fixture *f, const char *n, const char *kind)
{
    CLI (f, 0, "case", "classify", n, "--kind", kind, "--reason", "材料齐全");
    CLI (f, 0, "case", "assign", n);
    CLI_AS (f, f->huji_key, 0, "case", "accompany", n, "--note", "陪同拍照");
    CLI_AS (f, f->huji_key, 0, "case", "start", n);
    CLI_AS (f, f->huji_key, 0, "case", "complete", n, "--result", "已受理制证");
}

static void
test_fee_above_catalog (void)
{
    Fixture f = { 0 };
    fixture_start (&f, cst (3, 2, 10, 0), NULL);
    /* QT-SHENFENZHENG's fee is 20 yuan (2000 fen): charging it is in order,
     * 25 yuan is not. */
    g_autofree char *fair = submit (&f, 1, "QT-SHENFENZHENG", id_card);
    g_autofree char *over = submit (&f, 2, "QT-SHENFENZHENG", id_card);
    wait_entry (&f, over, DBN_MSG_CASE_ROUTED_WIRE);
    handle (&f, fair, "committed");
    handle (&f, over, "committed");
    /* A fee the CLI cannot read is refused before anything is sent. */
    CLI (&f, 2, "case", "reply", over, "--result", "已领取", "--fee", "25.123");
    CLI_AS (&f, f.huji_key, 0, "case", "reply", fair, "--result", "已领取", "--fee", "20");
    CLI_AS (&f, f.huji_key, 0, "case", "reply", over, "--result", "已领取", "--fee", "25.50");
    /* The fair reply came first in routing's journal: had it been judged a
     * violation, it would be the first to arrive. */
    check_violation_delivered (&f, over, "fee_above_catalog", "D-AUD-3", "window:huji", "25.50");
    g_autofree char *feed = cli (&f, 0, NULL, (const char *const[]){ "audit", "feed", NULL });
    g_assert_nonnull (strstr (feed, "VIOLATION D-AUD-3 fee_above_catalog window:huji"));
    fixture_stop (&f);
}

static void
test_reclassified_deadline_moved (void)
{
    Fixture f = { 0 };
    fixture_start (&f, cst (3, 2, 10, 0), NULL);
    /* JS-ZHUNSHENG arrives as immediate (catalog). The first classification
     * to committed settles it (no violation); a second one back to
     * immediate cancels the promised date. */
    g_autofree char *once = submit (&f, 1, NULL, NULL);
    g_autofree char *twice = submit (&f, 2, NULL, NULL);
    wait_entry (&f, twice, DBN_MSG_CASE_ROUTED_WIRE);
    CLI_AS (&f, f.jisheng_key, 0, "case", "classify", once, "--kind", "committed", "--reason", "需核实");
    CLI_AS (&f, f.jisheng_key, 0, "case", "classify", twice, "--kind", "committed", "--reason", "需核实");
    CLI_AS (&f, f.jisheng_key, 0, "case", "classify", twice, "--kind", "immediate", "--reason", "改为即办");
    check_violation_delivered (&f, twice, "reclassified_deadline_moved", "D-DL-4", "window:jisheng",
                               "committed → immediate");
    fixture_stop (&f);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/audit-checks/D-AUD-3/fee-above-catalog", test_fee_above_catalog);
    g_test_add_func ("/audit-checks/D-DL-4/reclassified-deadline-moved", test_reclassified_deadline_moved);
    return g_test_run ();
}
