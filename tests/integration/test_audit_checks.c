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

static const char *const services[] = { "intake", "routing", "deadline", "evaluation", "audit", NULL };

typedef struct {
    DbnHarness *h;
    const char *dir;
    char *clock;
    char *committee_key;
    char *huji_key, *jisheng_key; /* window:huji, window:jisheng */
    DbnBus *committee;
    void *sub;
    GSubprocess *procs[5];
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
    for (int i = 4; i >= 0; i--) {
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
            g_assert_true (
                dbn_env_event_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), &env, NULL));
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
    g_test_message ("%s on %s: live and again through sys.sync (seq %" G_GINT64_FORMAT
                    "), entered in the record",
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

/* ---- D-AUD-2: spot checks ---- */

static JsonObject *
parse_object (const char *text, JsonNode **keep)
{
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;
    json_parser_load_from_data (parser, text, -1, &error);
    g_assert_no_error (error);
    *keep = json_node_copy (json_parser_get_root (parser));
    return json_node_get_object (*keep);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The draw redone from the record file and the head alone, as docs/audit.md
 * describes it: "window case" lines, by window then rank. */
static char *
redo_draw (Fixture *f, gint64 start, gint64 end, gint64 per_window, gint64 *head_size, char **seed)
{
    sqlite3 *db = open_record (f);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT size, hex(root) FROM audit_head WHERE time_ms >= ?"
                                         " ORDER BY size LIMIT 1",
                                         -1, &s, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_int64 (s, 1, end);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    *head_size = sqlite3_column_int64 (s, 0);
    *seed = g_ascii_strdown ((const char *) sqlite3_column_text (s, 1), -1);
    sqlite3_finalize (s);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT case_no, event FROM audit_entry WHERE producer = 'routing'"
                                         " AND idx < ? AND time_ms >= ? AND time_ms < ? ORDER BY idx",
                                         -1, &s, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_int64 (s, 1, *head_size);
    sqlite3_bind_int64 (s, 2, start);
    sqlite3_bind_int64 (s, 3, end);
    g_autoptr (GHashTable) window_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    while (sqlite3_step (s) == SQLITE_ROW) {
        g_autoptr (DbnMsgCaseRow) row = NULL;
        g_assert_true (dbn_msg_case_row_read (sqlite3_column_blob (s, 1), (gsize) sqlite3_column_bytes (s, 1),
                                              &row, NULL));
        /* Events without a queue row (the board's, issue 16) have none. */
        if (row != NULL && row->window[0] != '\0')
            g_hash_table_insert (window_of, g_strdup ((const char *) sqlite3_column_text (s, 0)),
                                 g_strdup (row->window));
    }
    sqlite3_finalize (s);
    sqlite3_close (db);
    /* rank = SHA-256(seed "/" window "/" case), hex; sorted by window, rank. */
    g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, window_of);
    while (g_hash_table_iter_next (&it, &k, &v)) {
        g_autofree char *input = g_strconcat (*seed, "/", v, "/", k, NULL);
        g_autofree char *rank = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
        g_ptr_array_add (keys, g_strconcat (v, " ", rank, " ", k, NULL));
    }
    g_ptr_array_sort (keys, compare_strings);
    GString *out = g_string_new (NULL);
    g_autofree char *window = NULL;
    gint64 taken = 0;
    for (guint i = 0; i < keys->len; i++) {
        g_auto (GStrv) parts = g_strsplit (keys->pdata[i], " ", 3);
        if (g_strcmp0 (window, parts[0]) != 0) {
            g_free (window);
            window = g_strdup (parts[0]);
            taken = 0;
        }
        if (taken++ < per_window)
            g_string_append_printf (out, "%s %s\n", parts[0], parts[2]);
    }
    return g_string_free (out, FALSE);
}

static char *
draw_lines (JsonObject *o)
{
    JsonArray *w = json_object_get_array_member (o, "windows");
    JsonArray *c = json_object_get_array_member (o, "cases");
    g_assert_cmpuint (json_array_get_length (w), ==, json_array_get_length (c));
    GString *out = g_string_new (NULL);
    for (guint i = 0; i < json_array_get_length (w); i++)
        g_string_append_printf (out, "%s %s\n", json_array_get_string_element (w, i),
                                json_array_get_string_element (c, i));
    return g_string_free (out, FALSE);
}

static void
test_spot_check (void)
{
    Fixture f = { 0 };
    /* Week 2026-W10: Monday 2 March to Sunday 8 March. */
    fixture_start (&f, cst (3, 4, 10, 0), "[audit]\nhead_every_ms = 100\nspotcheck_per_window = 2\n");
    g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 1; i <= 5; i++)
        g_ptr_array_add (cases, submit (&f, i, NULL, NULL));
    for (guint i = 6; i <= 8; i++)
        g_ptr_array_add (cases, submit (&f, i, "QT-SHENFENZHENG", id_card));
    wait_entry (&f, cases->pdata[7], DBN_MSG_CASE_ROUTED_WIRE);
    /* While the week runs, no head after it exists: nothing to seed from. */
    g_autofree char *early = cli (&f, 1, f.committee_key,
                                  (const char *const[]){ "audit", "spot-check", "--draw", "2026-W10", NULL });
    g_assert_nonnull (strstr (early, "[unavailable]"));
    g_autofree char *no_week =
        cli (&f, 1, NULL, (const char *const[]){ "audit", "spot-check", "--draw", "2026-W54", NULL });
    g_assert_nonnull (strstr (no_week, "[invalid]"));

    /* The week is over; a case on Monday 9 March makes entries for the next
     * head, signed after the week. */
    set_clock (f.clock, cst (3, 9, 9, 0));
    g_autofree char *later = submit (&f, 9, NULL, NULL);
    gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (GBytes) b = next_event (f.sub, DBN_MSG_AUDIT_HEAD_WIRE, 1000);
        g_autoptr (DbnMsgAuditHead) head =
            b ? dbn_msg_audit_head_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL) : NULL;
        if (head != NULL && head->time >= cst (3, 9, 0, 0))
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, until);
    }
    const char *const draw_args[] = { "audit", "spot-check", "--draw", "2026-W10", "--json", NULL };
    g_autofree char *first = cli (&f, 0, f.committee_key, draw_args);
    g_autofree char *second = cli (&f, 0, f.committee_key, draw_args);
    g_assert_cmpstr (first, ==, second);
    g_autoptr (JsonNode) keep = NULL;
    JsonObject *o = parse_object (first, &keep);
    g_autofree char *drawn = draw_lines (o);
    /* Two windows, two cases each. */
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (o, "cases")), ==, 4);
    gint64 head_size = 0;
    g_autofree char *seed = NULL;
    g_autofree char *redone = redo_draw (&f, cst (3, 2, 0, 0), cst (3, 9, 0, 0), 2, &head_size, &seed);
    g_assert_cmpstr (drawn, ==, redone);
    g_assert_cmpstr (json_object_get_string_member (o, "seed"), ==, seed);
    g_assert_cmpint (json_object_get_int_member (o, "head_size"), ==, head_size);
    g_assert_null (strstr (drawn, later)); /* not of the week */
    g_test_message ("draw of 2026-W10 from head %" G_GINT64_FORMAT " (seed %.16s…):\n%s", head_size, seed,
                    drawn);

    /* A finding on the first drawn case: a problem needs its text; only
     * the committee (and the operator) records one; it goes out on audit/
     * and into the record. */
    const char *checked = json_array_get_string_element (json_object_get_array_member (o, "cases"), 0);
    const char *its_window = json_array_get_string_element (json_object_get_array_member (o, "windows"), 0);
    g_autofree char *no_text =
        cli (&f, 1, f.committee_key,
             (const char *const[]){ "audit", "spot-check", checked, "--finding", "problem", NULL });
    g_assert_nonnull (strstr (no_text, "[invalid]"));
    g_autofree char *window_try = cli (
        &f, 1, f.huji_key, (const char *const[]){ "audit", "spot-check", checked, "--finding", "ok", NULL });
    g_assert_nonnull (strstr (window_try, "[forbidden]"));
    CLI (&f, 1, "audit", "spot-check", "NO-SUCH-CASE", "--finding", "ok");
    g_autofree char *recorded =
        cli (&f, 0, f.committee_key,
             (const char *const[]){ "audit", "spot-check", checked, "--finding", "problem", "--text",
                                    "承诺期限未告知申办人", "--json", NULL });
    g_autoptr (JsonNode) rkeep = NULL;
    JsonObject *r = parse_object (recorded, &rkeep);
    gint64 index = json_object_get_int_member (r, "index");
    g_autoptr (GBytes) live = next_event (f.sub, DBN_MSG_AUDIT_FINDING_WIRE, 10000);
    g_assert_nonnull (live);
    g_autoptr (DbnMsgAuditFinding) finding =
        dbn_msg_audit_finding_decode (g_bytes_get_data (live, NULL), g_bytes_get_size (live), NULL);
    g_assert_nonnull (finding);
    g_assert_cmpstr (finding->env.case_no, ==, checked);
    g_assert_cmpstr (finding->env.actor, ==, "committee");
    g_assert_cmpstr (finding->window, ==, its_window);
    g_assert_cmpstr (finding->finding, ==, "problem");
    CLI_AS (&f, f.committee_key, 0, "audit", "spot-check", cases->pdata[0], "--finding", "ok");

    sqlite3 *db = open_record (&f);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db, "SELECT producer, type, case_no, actor FROM audit_entry WHERE idx = ?", -1,
                            &s, NULL),
        ==, SQLITE_OK);
    sqlite3_bind_int64 (s, 1, index);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 0), ==, "audit");
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 1), ==, DBN_MSG_AUDIT_FINDING_WIRE);
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 2), ==, checked);
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 3), ==, "committee");
    sqlite3_finalize (s);
    g_assert_cmpint (
        count (db, "SELECT count(*) FROM audit_entry WHERE type = ?", DBN_MSG_AUDIT_FINDING_WIRE), ==, 2);
    sqlite3_close (db);

    /* Listed by the month they were recorded in, per window. */
    g_autofree char *all =
        cli (&f, 0, f.committee_key,
             (const char *const[]){ "audit", "findings", "--month", "2026-03", "--json", NULL });
    g_auto (GStrv) lines = g_strsplit (g_strstrip (all), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_nonnull (strstr (lines[0], checked));
    g_assert_nonnull (strstr (lines[0], "承诺期限未告知申办人"));
    g_autofree char *one =
        cli (&f, 0, f.committee_key,
             (const char *const[]){ "audit", "findings", "--month", "2026-03", "--window", "huji", NULL });
    /* Windows are drawn in id order: huji's case first; the other finding
     * is on a jisheng case. */
    g_assert_cmpstr (its_window, ==, "huji");
    g_assert_nonnull (strstr (one, checked));
    g_assert_nonnull (strstr (one, "共 1 条"));
    g_autofree char *april = cli (&f, 0, f.committee_key,
                                  (const char *const[]){ "audit", "findings", "--month", "2026-04", NULL });
    g_assert_nonnull (strstr (april, "共 0 条"));
    /* A reconnecting committee key gets both findings through sys.sync;
     * the CLI's feed prints them. */
    g_autoptr (GPtrArray) synced = sync_events (&f, DBN_MSG_AUDIT_FINDING_WIRE);
    g_assert_cmpuint (synced->len, ==, 2);
    g_autofree char *feed = cli (&f, 0, f.committee_key, (const char *const[]){ "audit", "feed", NULL });
    g_assert_nonnull (strstr (feed, "FINDING problem committee 承诺期限未告知申办人"));

    /* Entries of producer audit hash like every other: the record verifies. */
    g_autofree char *path = g_build_filename (f.dir, "audit.db", NULL);
    AuditVerifyReport report = { 0 };
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_verify_file (path, NULL, NULL, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpint (report.problem, ==, AUDIT_VERIFY_OK);
    audit_verify_report_clear (&report);
    fixture_stop (&f);
}

/* ---- D-AUD-5: corrections ---- */

static sqlite3 *
open_db (Fixture *f, const char *name)
{
    g_autofree char *file = g_strconcat (name, ".db", NULL);
    g_autofree char *path = g_build_filename (f->dir, file, NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    return db;
}

/* The event bytes of the record's entry of producer's event type for case_no. */
static GBytes *
record_event (Fixture *f, const char *producer, const char *type, const char *case_no)
{
    sqlite3 *db = open_record (f);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT event FROM audit_entry WHERE producer = ?1 AND type = ?2"
                                         " AND case_no = ?3 ORDER BY idx LIMIT 1",
                                         -1, &s, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_text (s, 1, producer, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 3, case_no, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    GBytes *b = g_bytes_new (sqlite3_column_blob (s, 0), (gsize) sqlite3_column_bytes (s, 0));
    sqlite3_finalize (s);
    sqlite3_close (db);
    return b;
}

static void
test_correction (void)
{
    Fixture f = { 0 };
    fixture_start (&f, cst (3, 2, 10, 0), NULL);
    g_autofree char *n = submit (&f, 1, NULL, NULL); /* applicant 测试申办人1 */
    wait_entry (&f, n, DBN_MSG_CASE_ROUTED_WIRE);
    /* Refused: the matter is routing's, a reason is required, a phone
     * number must be one. */
    g_autofree char *matter =
        cli (&f, 1, f.jisheng_key,
             (const char *const[]){ "case", "correct", n, "--field", "matter", "--value", "QT-SHENFENZHENG",
                                    "--reason", "选错事项", NULL });
    g_assert_nonnull (strstr (matter, "[invalid]"));
    g_autofree char *blank = cli (&f, 1, f.jisheng_key,
                                  (const char *const[]){ "case", "correct", n, "--field", "name", "--value",
                                                         "张三丰", "--reason", "  ", NULL });
    g_assert_nonnull (strstr (blank, "[invalid]"));
    g_autofree char *phone = cli (&f, 1, f.jisheng_key,
                                  (const char *const[]){ "case", "correct", n, "--field", "phone", "--value",
                                                         "abc", "--reason", "号码有误", NULL });
    g_assert_nonnull (strstr (phone, "[invalid]"));
    /* Longer than a name may be at intake (64 bytes): refused, so every
     * later read of the case still encodes. */
    g_autofree char *long_name = g_strnfill (65, 'x');
    g_autofree char *too_long = cli (&f, 1, f.jisheng_key,
                                     (const char *const[]){ "case", "correct", n, "--field", "name",
                                                            "--value", long_name, "--reason", "测试", NULL });
    g_assert_nonnull (strstr (too_long, "[invalid]"));
    CLI_AS (&f, f.jisheng_key, 0, "case", "correct", n, "--field", "name", "--value", "张三丰", "--reason",
            "录入时写错");
    CLI_AS (&f, f.jisheng_key, 0, "case", "correct", n, "--field", "phone", "--value", "13912345678",
            "--reason", "号码有误");
    wait_entry (&f, n, DBN_MSG_CASE_CORRECTION_WIRE);
    wait_entry (&f, n, DBN_MSG_CASE_CORRECTION_WIRE);

    /* The timeline shows both as corrections, who made them and why, with
     * the earlier value beside the new one (the phone masked). */
    g_autofree char *timeline = cli (&f, 0, NULL, (const char *const[]){ "case", "timeline", n, NULL });
    g_assert_nonnull (strstr (
        timeline, "更正 CORRECTION  previous=测试申办人1  reason=录入时写错  field=applicant  value=张三丰"));
    g_assert_nonnull (strstr (timeline, "window:jisheng"));
    g_assert_nonnull (strstr (timeline, "field=phone"));
    g_assert_null (strstr (timeline, "13912345678"));
    /* Intake's case is the corrected one now. */
    g_autofree char *shown = cli (&f, 0, NULL, (const char *const[]){ "case", "show", n, NULL });
    g_assert_nonnull (strstr (shown, "张三丰"));
    g_assert_nonnull (strstr (shown, "13912345678"));

    /* The earlier values stay: intake's book of corrections, in full; the
     * record's entry of the acceptance, as it was; and the record holds the
     * correction itself (masked). */
    sqlite3 *intake = open_db (&f, "intake");
    g_assert_cmpint (count (intake, "SELECT count(*) FROM case_correction WHERE case_no = ?", n), ==, 2);
    g_assert_cmpint (
        count (intake,
               "SELECT count(*) FROM case_correction WHERE field = 'applicant'"
               " AND previous = '测试申办人1' AND value = '张三丰' AND corrected_by = 'window:jisheng'"
               " AND case_no = ?",
               n),
        ==, 1);
    sqlite3_close (intake);
    g_autoptr (GBytes) accepted = record_event (&f, "intake", DBN_MSG_CASE_ACCEPTED_WIRE, n);
    g_autoptr (DbnMsgCaseAccepted) a =
        dbn_msg_case_accepted_decode (g_bytes_get_data (accepted, NULL), g_bytes_get_size (accepted), NULL);
    g_assert_nonnull (a);
    g_assert_cmpstr (a->applicant, ==, "测试申办人1");
    g_autoptr (GBytes) corrected = record_event (&f, "intake", DBN_MSG_CASE_CORRECTED_WIRE, n);
    g_autoptr (DbnMsgCaseCorrected) c = dbn_msg_case_corrected_decode (g_bytes_get_data (corrected, NULL),
                                                                       g_bytes_get_size (corrected), NULL);
    g_assert_nonnull (c);
    g_assert_cmpstr (c->field, ==, "applicant");
    g_assert_cmpstr (c->previous, ==, "测试申办人1");
    g_assert_cmpstr (c->value, ==, "张三丰");
    g_assert_cmpstr (c->env.actor, ==, "window:jisheng");
    fixture_stop (&f);
}

/* ---- issue 14 item 1: evaluation's journal too ---- */

/* TRUE once the record holds one entry per event of evaluation's journal. */
static gboolean
evaluation_caught_up (Fixture *f)
{
    sqlite3 *eval = open_db (f, "evaluation");
    gint64 events = count (eval, "SELECT count(*) FROM journal", NULL);
    sqlite3_close (eval);
    sqlite3 *db = open_record (f);
    gint64 entries = count (db, "SELECT count(*) FROM audit_entry WHERE producer = ?", "evaluation");
    sqlite3_close (db);
    return events > 0 && entries == events;
}

static void
test_follows_evaluation (void)
{
    Fixture f = { 0 };
    fixture_start (&f, cst (3, 2, 10, 0), NULL);
    g_autofree char *n = submit (&f, 1, "QT-SHENFENZHENG", id_card);
    wait_entry (&f, n, DBN_MSG_CASE_ROUTED_WIRE);
    handle (&f, n, "committed");
    CLI_AS (&f, f.huji_key, 0, "case", "reply", n, "--result", "已领取", "--fee", "20", "--rating", "basic");
    wait_entry (&f, n, DBN_MSG_EVAL_RATED_WIRE);
    gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (!evaluation_caught_up (&f)) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (50 * 1000);
    }
    /* Exactly once and in order: seq 1..N with the journal's own bytes. */
    sqlite3 *eval = open_db (&f, "evaluation");
    sqlite3 *db = open_record (&f);
    sqlite3_stmt *j = NULL, *a = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (eval, "SELECT seq, body FROM journal ORDER BY seq", -1, &j, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT seq, event FROM audit_entry WHERE producer = 'evaluation'"
                                         " ORDER BY idx",
                                         -1, &a, NULL),
                     ==, SQLITE_OK);
    gint64 k = 0;
    for (;;) {
        int rj = sqlite3_step (j), ra = sqlite3_step (a);
        g_assert_cmpint (rj, ==, ra);
        if (rj != SQLITE_ROW)
            break;
        k++;
        g_assert_cmpint (sqlite3_column_int64 (j, 0), ==, k);
        g_assert_cmpint (sqlite3_column_int64 (a, 0), ==, k);
        g_assert_cmpmem (sqlite3_column_blob (j, 1), sqlite3_column_bytes (j, 1), sqlite3_column_blob (a, 1),
                         sqlite3_column_bytes (a, 1));
    }
    sqlite3_finalize (j);
    sqlite3_finalize (a);
    sqlite3_close (eval);
    sqlite3_close (db);
    g_assert_cmpint (k, >, 0);
    g_test_message ("evaluation: %" G_GINT64_FORMAT " events, each once and in order", k);
    fixture_stop (&f);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/audit-checks/follows-evaluation", test_follows_evaluation);
    g_test_add_func ("/audit-checks/D-AUD-3/fee-above-catalog", test_fee_above_catalog);
    g_test_add_func ("/audit-checks/D-DL-4/reclassified-deadline-moved", test_reclassified_deadline_moved);
    g_test_add_func ("/audit-checks/D-AUD-2/spot-check", test_spot_check);
    g_test_add_func ("/audit-checks/D-AUD-5/correction", test_correction);
    return g_test_run ();
}
