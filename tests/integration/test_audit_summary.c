/* test_audit_summary: daily summaries signed by the duty leader (issue 14
 * item 7, D-AUD-6) with real processes (intake, routing, deadline,
 * evaluation, audit) on a manual clock (DAIBAN_CLOCK_FILE):
 *
 *   - `daiban keys add leader:zhang` makes an Ed25519 signing key beside the
 *     CURVE key (mode 0600) and registers its public half;
 *   - when Monday 2026-03-02 is over, the audit service drafts every
 *     window's summary of it from the record (huji: one case accepted,
 *     completed, a fee violation, one satisfied rating; the others: zeros),
 *     received live by a committee key;
 *   - `audit summary list --json` gives each draft's signed bytes, equal to
 *     the bytes rebuilt here from docs/audit.md's layout;
 *   - a signature made with another leader's key, and a window's key, are
 *     refused; the leader's own is accepted, published, verifies with
 *     libsodium against the registered key, and cannot be given twice;
 *   - at 12:00 of the next working day ([audit] summary_sign_hour = 12)
 *     every draft still unsigned is a summary_unsigned violation naming the
 *     window, the day and the rule, live and again after a reconnect, and
 *     none names the signed window; the record still verifies.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zmq.h>

#include "audit_service.h"
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
    /* Drafts, signatures and violations are entries: the record verifies. */
    g_autofree char *record = g_build_filename (f->dir, "audit.db", NULL);
    DbnCliRun run = dbn_harness_run_cli ((const char *const[]){ "audit", "verify", "--db", record, NULL });
    if (run.status != 0)
        g_error ("audit verify: exit %d\n%s%s", run.status, run.out, run.err);
    dbn_cli_run_clear (&run);
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
put_u64 (GByteArray *b, guint64 v)
{
    for (int i = 7; i >= 0; i--) {
        guint8 c = (guint8) (v >> (8 * i));
        g_byte_array_append (b, &c, 1);
    }
}

static void
put_text (GByteArray *b, const char *s)
{
    guint8 l[2] = { (guint8) (strlen (s) >> 8), (guint8) strlen (s) };
    g_byte_array_append (b, l, 2);
    g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s));
}

/* docs/audit.md, "Daily summaries": the signed bytes, built from the JSON
 * fields alone (not with dbn_day_summary.c), as lower-case hex. */
static char *
documented_bytes_hex (JsonObject *o)
{
    GByteArray *b = g_byte_array_new ();
    g_byte_array_append (b, (const guint8 *) "DAIBAN-DAY-SUMMARY", 18);
    guint8 v = 1;
    g_byte_array_append (b, &v, 1);
    put_text (b, json_object_get_string_member (o, "window"));
    put_text (b, json_object_get_string_member (o, "day"));
    static const char *const ints[] = { "drafted_ms",      "through",     "accepted",
                                        "completed",       "overdue",     "violations",
                                        "rated_satisfied", "rated_basic", "rated_unsatisfied" };
    for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
        put_u64 (b, (guint64) json_object_get_int_member (o, ints[i]));
    char *hex = g_malloc (2 * b->len + 1);
    sodium_bin2hex (hex, 2 * b->len + 1, b->data, b->len);
    g_byte_array_unref (b);
    return hex;
}

/* The "# public <hex>" line of a .sign file. */
static char *
public_of_sign_file (const char *path)
{
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    const char *p = strstr (text, "# public ");
    g_assert_nonnull (p);
    return g_strndup (p + strlen ("# public "), 64);
}

static JsonObject *
summary_of (JsonNode *root, const char *window)
{
    JsonObject *o = dbn_test_json_row (root, "summaries", "window", window);
    if (o == NULL)
        g_error ("no summary of %s", window);
    return o;
}

static void
test_daily_summary (void)
{
    Fixture f = { 0 };
    fixture_start (&f, cst (3, 2, 10, 0), "[audit]\nsummary_sign_hour = 12\n");
    g_autoptr (DbnOrg) org = dbn_org_load (dbn_org_default_path (), NULL);
    g_assert_nonnull (org);
    guint windows = dbn_org_get_n_windows (org);
    g_assert_cmpuint (windows, >=, 2);

    /* The duty leader's keys, by the CLI; another leader's for the wrong key. */
    g_autofree char *added = cli (&f, 0, NULL, (const char *const[]){ "keys", "add", "leader:zhang", NULL });
    g_assert_nonnull (strstr (added, "leader-zhang.sign"));
    g_autofree char *zhang = dbn_keys_dup_secret_path (f.dir, "leader:zhang");
    g_autofree char *zhang_sign = g_build_filename (f.dir, "keys", "leader-zhang.sign", NULL);
    struct stat st;
    g_assert_cmpint (g_stat (zhang_sign, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_autofree char *li = dbn_harness_add_key (f.h, "leader:li");
    g_autofree char *li_sign = g_build_filename (f.dir, "keys", "leader-li.sign", NULL);
    g_autofree char *registry = NULL;
    g_autofree char *registry_path = g_build_filename (f.dir, "keys", "registry", NULL);
    g_assert_true (g_file_get_contents (registry_path, &registry, NULL, NULL));
    g_autofree char *zhang_public = public_of_sign_file (zhang_sign);
    g_autofree char *registered = g_strconcat ("sign-key=", zhang_public, NULL);
    g_assert_nonnull (strstr (registry, registered));

    /* Monday at huji: one case accepted, completed, replied with a fee above
     * the catalog's (a violation) and rated satisfied. */
    g_autofree char *n = submit (&f, 1, "QT-SHENFENZHENG", id_card);
    wait_entry (&f, n, DBN_MSG_CASE_ROUTED_WIRE);
    handle (&f, n, "committed");
    CLI_AS (&f, f.huji_key, 0, "case", "reply", n, "--result", "已领取", "--fee", "25", "--rating",
            "satisfied");
    /* The fee's violation follows routing's reply; the rating comes later. */
    g_autoptr (GBytes) fee = next_event (f.sub, DBN_MSG_AUDIT_VIOLATION_WIRE, 30000);
    g_assert_nonnull (fee);
    wait_entry (&f, n, DBN_MSG_EVAL_RATED_WIRE);

    /* Nothing is drafted while the day lasts: list says no day yet. */
    g_autofree char *none =
        cli (&f, 0, zhang, (const char *const[]){ "audit", "summary", "list", "--json", NULL });
    g_assert_nonnull (strstr (none, "\"day\":\"\""));

    /* The day is over: one draft per window, live on audit/. */
    set_clock (f.clock, cst (3, 3, 0, 0) + 1000);
    g_autoptr (GHashTable) drafts =
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dbn_msg_audit_summary_free);
    while (g_hash_table_size (drafts) < windows) {
        g_autoptr (GBytes) b = next_event (f.sub, DBN_MSG_AUDIT_SUMMARY_WIRE, 30000);
        g_assert_nonnull (b);
        DbnMsgAuditSummary *m =
            dbn_msg_audit_summary_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        g_assert_nonnull (m);
        g_assert_cmpstr (m->day, ==, "2026-03-02");
        g_assert_false (g_hash_table_contains (drafts, m->window));
        g_hash_table_insert (drafts, g_strdup (m->window), m);
    }
    DbnMsgAuditSummary *huji = g_hash_table_lookup (drafts, "huji");
    g_assert_nonnull (huji);
    g_assert_cmpint (huji->accepted, ==, 1);
    g_assert_cmpint (huji->completed, ==, 1);
    g_assert_cmpint (huji->overdue, ==, 0);
    g_assert_cmpint (huji->violations, ==, 1);
    g_assert_cmpint (huji->rated_satisfied, ==, 1);
    g_assert_cmpint (huji->rated_basic + huji->rated_unsatisfied, ==, 0);
    DbnMsgAuditSummary *jisheng = g_hash_table_lookup (drafts, "jisheng");
    g_assert_nonnull (jisheng);
    g_assert_cmpint (jisheng->accepted + jisheng->completed + jisheng->violations + jisheng->rated_satisfied,
                     ==, 0);

    /* The list's signed bytes are docs/audit.md's layout. */
    g_autofree char *listed =
        cli (&f, 0, zhang,
             (const char *const[]){ "audit", "summary", "list", "--day", "2026-03-02", "--json", NULL });
    g_autoptr (JsonNode) root = json_from_string (listed, NULL);
    g_assert_nonnull (root);
    JsonObject *h = summary_of (root, "huji");
    g_assert_false (json_object_get_boolean_member (h, "signed"));
    g_assert_cmpint (json_object_get_int_member (h, "accepted"), ==, 1);
    g_autofree char *doc_hex = documented_bytes_hex (h);
    g_assert_cmpstr (json_object_get_string_member (h, "signed_bytes"), ==, doc_hex);

    /* Another leader's key, and a window's: refused, nothing entered. */
    g_autofree char *wrong =
        cli (&f, 1, zhang,
             (const char *const[]){ "audit", "summary", "sign", "--window", "huji", "--day", "2026-03-02",
                                    "--sign-key", li_sign, NULL });
    g_test_message ("wrong key: %s", wrong);
    g_assert_nonnull (strstr (wrong, "forbidden"));
    CLI_AS (&f, f.huji_key, 1, "audit", "summary", "sign", "--window", "huji", "--day", "2026-03-02",
            "--sign-key", zhang_sign);
    CLI_AS (&f, li, 1, "audit", "summary", "sign", "--window", "huji", "--day", "2026-03-01");
    /* The leader's own key: accepted and published. */
    CLI_AS (&f, zhang, 0, "audit", "summary", "sign", "--window", "huji", "--day", "2026-03-02");
    g_autoptr (GBytes) sb = next_event (f.sub, DBN_MSG_AUDIT_SUMMARY_SIGNED_WIRE, 30000);
    g_assert_nonnull (sb);
    g_autoptr (DbnMsgAuditSummarySigned) s =
        dbn_msg_audit_summary_signed_decode (g_bytes_get_data (sb, NULL), g_bytes_get_size (sb), NULL);
    g_assert_nonnull (s);
    g_assert_cmpstr (s->window, ==, "huji");
    g_assert_cmpstr (s->leader, ==, "leader:zhang");
    g_assert_cmpstr (s->env.actor, ==, "leader:zhang");
    g_assert_cmpstr (s->public_key, ==, zhang_public);
    /* Anyone can check it with libsodium alone. */
    guint8 sig[64], pk[32], msg[512];
    size_t msg_len = 0;
    g_assert_cmpint (sodium_hex2bin (sig, 64, s->signature, 128, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint (sodium_hex2bin (pk, 32, zhang_public, 64, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint (sodium_hex2bin (msg, sizeof msg, doc_hex, strlen (doc_hex), NULL, &msg_len, NULL), ==,
                     0);
    g_assert_cmpint (crypto_sign_verify_detached (sig, msg, msg_len, pk), ==, 0);
    CLI_AS (&f, zhang, 1, "audit", "summary", "sign", "--window", "huji", "--day", "2026-03-02");
    g_autofree char *table = cli (&f, 0, zhang, (const char *const[]){ "audit", "summary", "list", NULL });
    g_assert_nonnull (strstr (table, "leader:zhang"));
    g_assert_nonnull (strstr (table, "2026-03-02"));

    /* 12:00 of Tuesday, the next working day: every other draft is late. */
    set_clock (f.clock, cst (3, 3, 12, 0) + 1000);
    g_autoptr (GHashTable) late = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    while (g_hash_table_size (late) < windows - 1) {
        g_autoptr (GBytes) b = next_event (f.sub, DBN_MSG_AUDIT_VIOLATION_WIRE, 30000);
        g_assert_nonnull (b);
        g_autoptr (DbnMsgAuditViolation) v = decode_violation (b);
        g_assert_cmpstr (v->kind, ==, "summary_unsigned");
        g_assert_cmpstr (v->rule, ==, "D-AUD-6");
        g_assert_cmpstr (v->day, ==, "2026-03-02");
        g_assert_true (g_str_has_prefix (v->person, "window:"));
        g_assert_cmpstr (v->person, !=, "window:huji");
        g_assert_cmpint (v->env.ts, >=, cst (3, 3, 12, 0));
        g_assert_nonnull (strstr (v->detail, "2026-03-02"));
        g_assert_false (g_hash_table_contains (late, v->person));
        g_hash_table_add (late, g_strdup (v->person));
    }
    zmq_close (f.sub);
    f.sub = NULL;
    /* After a reconnect: the same, through sys.sync. */
    g_autoptr (GPtrArray) again = sync_events (&f, DBN_MSG_AUDIT_VIOLATION_WIRE);
    guint unsigned_again = 0;
    for (guint i = 0; i < again->len; i++) {
        g_autoptr (DbnMsgAuditViolation) v = decode_violation (again->pdata[i]);
        if (g_strcmp0 (v->kind, "summary_unsigned") == 0) {
            unsigned_again++;
            g_assert_true (g_hash_table_contains (late, v->person));
        }
    }
    g_assert_cmpuint (unsigned_again, ==, windows - 1);
    g_test_message (
        "%u drafts of 2026-03-02, huji signed by leader:zhang, %u summary_unsigned violations at 12:00",
        windows, unsigned_again);
    fixture_stop (&f);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/audit-summary/D-AUD-6/daily-summary", test_daily_summary);
    return g_test_run ();
}
