/* test_kill_all: issue 17 item 3 and issue 14's exactly-once proof.
 *
 * All five services run as real processes. Cases are driven through them in
 * waves: a submit at intake, then at routing classification, assignment,
 * work, completion and the reply with the applicant's rating, so intake,
 * routing, deadline (clocks), evaluation (ratings) and audit (entries) all
 * have work. The commands go through two clients' outboxes (the client's
 * DbnOutbox, headless, as tests/net/net_station.c drives it); without the
 * client (DBN_CLIENT=OFF builds) or for the 20,000-case run, through a
 * pipelined DEALER with resends instead.
 *
 * The same input runs twice (the audit-alone run only with
 * DBN_KILL_ALL_COMPARE=1), each on a fresh data folder: once undisturbed,
 * once while a killer thread SIGKILLs a random service at random instants
 * and restarts it at once, with the same binary and `--data DIR`, as
 * `daiban up` does (without up's 1 s back-off, so 100 kills fit in CI).
 * Then, for the run with kills:
 *   - every acknowledged submit exists exactly once at intake, under the
 *     case number of its acknowledgement, with one case.accepted;
 *   - every consumer's offset for every producer it follows is that
 *     producer's newest seq, and the audit record holds exactly one entry
 *     per journal event of every producer, in the producer's order, with the
 *     journal's bytes;
 *   - every service's state equals the undisturbed run's (canonical dumps,
 *     below), and `daiban audit verify` passes on audit.db.
 *
 * What is compared, and what is not. Both runs read one fixed manual clock
 * (DAIBAN_CLOCK_FILE), so every time in every table is the same. Case
 * numbers depend on which outbox's submit came first, so each is replaced
 * by the applicant's test number (c17). Left out, because the interleaving
 * of two clients and four followers decides them, not the input: journal
 * seqs and what is derived from them (routing_case.updated_seq, the
 * handoff and dl_explanation seq keys, dl_clock.id, audit_entry idx and
 * producer seq: the record's global order, leaves, chain and nodes), and
 * audit heads (signed every N entries or by a timer: how many there are
 * depends on how the appends were batched). Compared, per table:
 * intake case_record; routing_case and handoffs (per case, in order);
 * dl_case, dl_clock, dl_explanation; every ev_ table; per case and producer
 * the audit entries' type, actor and time in the producer's order; and for
 * every service's journal, per case, the event types in order, and the
 * count of every event type.
 *
 * Except the number of deadline.due_changed per case, left out of
 * deadline's journal per case and type counts, of the audit entries per
 * case and of audit's journal (its audit.entry of each). Deadline follows
 * routing and evaluation, each in its own order but not in order with each
 * other, and one of its row changes depends on which comes first: an unsatisfied reply rating makes evaluation open the
 * follow-up (eval.followup.opened, D-EV-7) only after routing's
 * case.replied, yet deadline applies it before that case.replied whenever
 * its routing subscriber is behind its evaluation one (catching up after a
 * kill of routing or deadline, or just slower under load). Applied first,
 * the follow-up clock starts on an open case and changes its row (one
 * due_changed with the follow-up's due date), then case.replied closes it
 * (another); applied after, it starts on a closed case, whose row does not
 * change. What must be equal is compared instead: the clocks (dl_clock),
 * each case's last due_changed row, and each case's due_changed rows in
 * order leaving out those naming the follow-up clock and a row equal to the
 * one before it (the closing row reads as the completed one: the event has
 * no closed field).
 *
 * Environment: DBN_KILL_ALL_KILLS (default 100, audit alone 50; 1000 with
 * DBN_SOAK=1), DBN_KILL_ALL_CASES (default 200, audit alone 20,000; 2000
 * with DBN_SOAK=1),
 * DBN_KILL_ALL_VICTIMS (comma-separated services to kill, default all five),
 * DBN_KILL_ALL_PIPELINED=1 (the DEALER instead of the outboxes),
 * DBN_KILL_ALL_SEED (the killer's random choices), DBN_KILL_ALL_DUMPS (a
 * folder: both runs' dumps are written there), DBN_KILL_ALL_COMPARE=1 (the
 * audit-alone run also runs undisturbed and compares; the other always does),
 * DBN_FAULT_SUMMARY (a file for the summary line). */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <zmq.h>

#include "audit_service.h"
#include "dbn_msg.h"
#include "dbn_test_harness.h"
#ifdef DBN_TEST_OUTBOX
#include "dbn_outbox.h"
#endif

#define N_SERVICES 5
#define WAVES      10
#define CALL_MS    2000
#define RESEND_US  (1000 * 1000)
#define WINDOW     500

static const char *const services[N_SERVICES] = { "intake", "routing", "deadline", "evaluation", "audit" };
/* Who follows whom (consumer_offset rows), from the services' start code. */
static const char *const follows[][2] = {
    { "routing", "intake" },   { "intake", "routing" },     { "deadline", "routing" },
    { "deadline", "intake" },  { "evaluation", "routing" }, { "evaluation", "deadline" },
    { "audit", "intake" },     { "audit", "routing" },      { "audit", "deadline" },
    { "audit", "evaluation" },
};
static const char *const audited[] = { "intake", "routing", "deadline", "evaluation", NULL };

/* ---- the input: cases and their commands ---- */

typedef struct {
    char *service; /* intake or routing */
    char *cmd;     /* wire name, for the outbox */
    char *key;     /* idempotency key */
    GBytes *body;  /* encoded once: a resend is the same bytes */
} Command;

typedef struct {
    guint n;          /* the applicant's test number */
    int kind;         /* 0..4: immediate, committed, joint, escalated, returned */
    char *case_no;    /* from the submit's acknowledgement */
    GPtrArray *steps; /* Command*: steps[0] the submit, the rest built once the number is known */
    Command *rating;  /* eval.rate after the reply, sent once evaluation has the case */
} Case;

static void
command_free (Command *c)
{
    g_free (c->service);
    g_free (c->cmd);
    g_free (c->key);
    g_bytes_unref (c->body);
    g_free (c);
}

static void
case_free (Case *c)
{
    g_free (c->case_no);
    g_ptr_array_unref (c->steps);
    if (c->rating != NULL)
        command_free (c->rating);
    g_free (c);
}

static const char *const matters[] = { "JS-ZHUNSHENG", "MZ-LINSHI", "SB-ZHENGDI", "MZ-DIBAO", "QT-XINFANG" };
static const char *const *const materials[] = {
    (const char *[]){ "夫妻双方身份证", "户口簿", "结婚证", NULL },
    (const char *[]){ "申请书", "身份证", "困难情况说明", NULL },
    (const char *[]){ "参保申请表", "身份证", "户口簿", "征地协议", "村委会出具的被征地人员名单", NULL },
    (const char *[]){ "申请书", "身份证", "户口簿", "家庭收入证明", NULL },
    (const char *[]){ "信访事项书面材料或口述记录", "身份证", NULL },
};

static void
add_step (Case *c, const char *service, const char *cmd, DbnEnvCommand *env, GBytes *body)
{
    Command *s = g_new0 (Command, 1);
    s->service = g_strdup (service);
    s->cmd = g_strdup (cmd);
    s->key = g_strdup (env->key);
    s->body = body;
    g_assert_nonnull (body);
    g_ptr_array_add (c->steps, s);
}

static Case *
case_new (guint n)
{
    Case *c = g_new0 (Case, 1);
    c->n = n;
    c->kind = (int) (n % 5);
    c->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
    g_autofree char *key = g_strdup_printf ("ka-%u-submit", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_free (m->matter);
    m->matter = g_strdup (matters[c->kind]);
    g_strfreev (m->materials);
    m->materials = g_strdupv ((char **) materials[c->kind]);
    g_free (m->channel);
    m->channel = g_strdup ("walk-in"); /* at the centre: no run sheet */
    add_step (c, "intake", DBN_MSG_INTAKE_SUBMIT_WIRE, &m->env, dbn_msg_intake_submit_encode (m, NULL));
    return c;
}

#define STEP(Type, name, who)                                                                                \
    g_autoptr (Type) m = dbn_msg_##name##_new ();                                                            \
    m->env.key = g_strdup_printf ("ka-%u-%u", c->n, c->steps->len);                                          \
    m->env.actor = g_strdup (who);                                                                           \
    m->case_no = g_strdup (c->case_no)

static void
classify (Case *c, const char *kind, const char *reason)
{
    STEP (DbnMsgCaseClassify, case_classify, "window:front");
    m->kind = g_strdup (kind);
    m->reason = g_strdup (reason);
    add_step (c, "routing", DBN_MSG_CASE_CLASSIFY_WIRE, &m->env, dbn_msg_case_classify_encode (m, NULL));
}

static void
assign (Case *c, const char *window)
{
    STEP (DbnMsgCaseAssign, case_assign, "window:front");
    m->window = g_strdup (window);
    add_step (c, "routing", DBN_MSG_CASE_ASSIGN_WIRE, &m->env, dbn_msg_case_assign_encode (m, NULL));
}

static void
handoff (Case *c, const char *to, const char *reason)
{
    STEP (DbnMsgCaseHandoff, case_handoff, "window:back");
    m->to = g_strdup (to);
    m->reason = g_strdup (reason);
    add_step (c, "routing", DBN_MSG_CASE_HANDOFF_WIRE, &m->env, dbn_msg_case_handoff_encode (m, NULL));
}

static void
start (Case *c)
{
    STEP (DbnMsgCaseStart, case_start, "window:back");
    add_step (c, "routing", DBN_MSG_CASE_START_WIRE, &m->env, dbn_msg_case_start_encode (m, NULL));
}

static void
complete (Case *c, const char *part, const char *result)
{
    STEP (DbnMsgCaseComplete, case_complete, "window:back");
    m->part = g_strdup (part);
    m->result = g_strdup (result);
    add_step (c, "routing", DBN_MSG_CASE_COMPLETE_WIRE, &m->env, dbn_msg_case_complete_encode (m, NULL));
}

static void
escalate (Case *c)
{
    STEP (DbnMsgCaseEscalate, case_escalate, "agent:ts-li");
    m->reason = g_strdup ("报县审批");
    add_step (c, "routing", DBN_MSG_CASE_ESCALATE_WIRE, &m->env, dbn_msg_case_escalate_encode (m, NULL));
}

static void
county_answer (Case *c)
{
    STEP (DbnMsgCaseCountyAnswer, case_county_answer, "agent:ts-li");
    m->answer = g_strdup ("同意");
    m->approved = TRUE;
    add_step (c, "routing", DBN_MSG_CASE_COUNTY_ANSWER_WIRE, &m->env,
              dbn_msg_case_county_answer_encode (m, NULL));
}

static void
return_case (Case *c)
{
    STEP (DbnMsgCaseReturn, case_return, "station:test");
    m->reason = g_strdup ("不属代办范围");
    m->apply_to = g_strdup ("县信访局");
    add_step (c, "routing", DBN_MSG_CASE_RETURN_WIRE, &m->env, dbn_msg_case_return_encode (m, NULL));
}

/* The reply with the applicant's rating: satisfied for two cases in three. */
static void
reply (Case *c)
{
    STEP (DbnMsgCaseReply, case_reply, "station:test");
    gboolean done = c->kind != 4;
    m->result = done ? g_strdup ("已办结") : NULL;
    m->reason = done ? NULL : g_strdup ("已告知申请人");
    m->has_satisfied = TRUE;
    m->satisfied = c->n % 3 != 0;
    m->has_confirmed = TRUE;
    m->confirmed = TRUE;
    add_step (c, "routing", DBN_MSG_CASE_REPLY_WIRE, &m->env, dbn_msg_case_reply_encode (m, NULL));
    /* The applicant's rating, as the station's reply page sends it: to
     * evaluation under "<reply key>/rating" (docs/evaluation.md, Clients). */
    static const char *const levels[] = { "satisfied", "basic", "unsatisfied" };
    g_autoptr (DbnMsgEvalRate) r = dbn_msg_eval_rate_new ();
    r->env.key = g_strdup_printf ("%s/rating", m->env.key);
    r->env.actor = g_strdup ("station:test");
    r->case_no = g_strdup (c->case_no);
    r->stage = g_strdup ("reply");
    r->level = g_strdup (levels[c->n % 3]);
    c->rating = g_new0 (Command, 1);
    c->rating->service = g_strdup ("evaluation");
    c->rating->cmd = g_strdup (DBN_MSG_EVAL_RATE_WIRE);
    c->rating->key = g_strdup (r->env.key);
    c->rating->body = dbn_msg_eval_rate_encode (r, NULL);
    g_assert_nonnull (c->rating->body);
}

/* The case's path after its submit, as test_routing's kill test walks them. */
static void
build_path (Case *c)
{
    switch (c->kind) {
    case 0:
        classify (c, "immediate", "材料齐全");
        assign (c, NULL);
        start (c);
        complete (c, NULL, "准生证已发放");
        break;
    case 1:
        classify (c, "committed", "需核实");
        assign (c, "shebao");
        handoff (c, "window:minzheng", "属民政事项");
        start (c);
        complete (c, NULL, "已发放临时救助");
        break;
    case 2:
        classify (c, "joint", "三部门联办");
        assign (c, NULL);
        start (c);
        complete (c, "县财政局", "a");
        complete (c, "县自然资源局", "b");
        complete (c, "县人力资源和社会保障局", "c");
        break;
    case 3:
        classify (c, "escalated", "县审批");
        assign (c, NULL);
        start (c);
        escalate (c);
        county_answer (c);
        complete (c, NULL, "低保已批");
        break;
    default: return_case (c); break;
    }
    reply (c);
}

/* ---- sending: two outboxes, or a pipelined DEALER ---- */

typedef struct {
    Case *c;
    Command *cmd;
    gboolean done;
    gint64 sent_us; /* pipelined: last (re)send, 0 never */
} Pending;

typedef struct _Sender Sender;

#ifdef DBN_TEST_OUTBOX
typedef struct {
    Sender *sender;
    DbnConnection *connection;
    DbnOutbox *outbox;
    GHashTable *rows; /* row id → Pending* (borrowed) */
    gint64 last_us;   /* the last answer, or when the queue filled from empty */
} Station;

/* The outbox waits 2 s (SEND_TIMEOUT_MS) for an answer before it sends the
 * row again: an answer that took longer came from a retry. */
#define OUTBOX_RETRIED_US (1900 * 1000)
#endif

struct _Sender {
    DbnHarness *h;
    gboolean pipelined;
#ifdef DBN_TEST_OUTBOX
    Station stations[2];
#endif
    DbnClient *clients[3]; /* pipelined: intake, routing, evaluation */
    guint remaining;       /* in the current batch */
    guint refused;         /* answers that were refusals: each fails the test */
    gint *hot;             /* the fleet's: which service this step sends to */
    guint64 commands;      /* answered ok */
    guint64 resends; /* sent again: pipelined after silence or a busy store; an outbox after its timeout */
};

/* An ok answer to p: the submit's gives the case number. */
static void
answered (Sender *s, Pending *p, GBytes *reply)
{
    if (p->done)
        return;
    if (g_strcmp0 (p->cmd->cmd, DBN_MSG_INTAKE_SUBMIT_WIRE) == 0) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgIntakeSubmitReply) ok = dbn_msg_intake_submit_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        g_assert_no_error (error);
        g_assert_null (p->c->case_no);
        p->c->case_no = g_strdup (ok->case_no);
    }
    p->done = TRUE;
    s->remaining--;
    s->commands++;
}

#ifdef DBN_TEST_OUTBOX
static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, const GError *error,
            gpointer user_data)
{
    Station *st = user_data;
    Pending *p = g_hash_table_lookup (st->rows, &id);
    g_assert_nonnull (p);
    g_hash_table_remove (st->rows, &id);
    gint64 now = g_get_monotonic_time ();
    if (now - st->last_us >= OUTBOX_RETRIED_US)
        st->sender->resends++;
    st->last_us = now;
    if (reply == NULL) {
        g_printerr ("# refused: %s of case %u: %s\n", cmd, p->c->n, error ? error->message : "?");
        st->sender->refused++;
        p->done = TRUE;
        st->sender->remaining--;
        return;
    }
    answered (st->sender, p, reply);
}
#endif

static Sender *
sender_new (DbnHarness *h, gboolean pipelined)
{
    Sender *s = g_new0 (Sender, 1);
    s->h = h;
    s->pipelined = pipelined;
    g_autoptr (GError) error = NULL;
    if (pipelined) {
        DbnConfig *config = dbn_harness_get_config (h);
        const char *const commanded[] = { "intake", "routing", "evaluation" };
        for (int i = 0; i < 3; i++) {
            s->clients[i] = dbn_client_new (dbn_harness_get_bus (h),
                                            dbn_config_get_command_endpoint (config, commanded[i]), &error);
            g_assert_no_error (error);
        }
        return s;
    }
#ifdef DBN_TEST_OUTBOX
    /* Two stations' clients: each its own connection and outbox file. They
     * act as the operator (every command of the path is allowed to it). */
    g_autofree char *key = dbn_keys_dup_secret_path (dbn_harness_get_data_dir (h), "operator");
    for (int i = 0; i < 2; i++) {
        Station *st = &s->stations[i];
        st->sender = s;
        st->connection = dbn_connection_new (dbn_harness_get_data_dir (h), key, &error);
        g_assert_no_error (error);
        g_autofree char *name = g_strdup_printf ("outbox-%d.db", i);
        g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), name, NULL);
        st->outbox = dbn_outbox_new (st->connection, path, &error);
        g_assert_no_error (error);
        st->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
        g_signal_connect (st->outbox, "replied", G_CALLBACK (on_replied), st);
    }
#else
    g_assert_not_reached ();
#endif
    return s;
}

static void
sender_free (Sender *s)
{
#ifdef DBN_TEST_OUTBOX
    for (int i = 0; i < 2; i++) {
        Station *st = &s->stations[i];
        if (st->outbox != NULL)
            g_signal_handlers_disconnect_by_data (st->outbox, st);
        g_clear_object (&st->outbox);
        g_clear_object (&st->connection);
        g_clear_pointer (&st->rows, g_hash_table_unref);
    }
    while (g_main_context_iteration (NULL, FALSE))
        ;
#endif
    for (int i = 0; i < 3; i++)
        g_clear_pointer (&s->clients[i], dbn_client_free);
    g_free (s);
}

/* Is this refusal one a restart explains (resend the same bytes later)? */
static gboolean
transient (const char *code)
{
    return g_strcmp0 (code, "store.busy") == 0 || g_strcmp0 (code, "unavailable") == 0
           || g_strcmp0 (code, "timeout") == 0;
}

static int
client_of (const Command *c)
{
    return g_strcmp0 (c->service, "intake") == 0 ? 0 : g_strcmp0 (c->service, "routing") == 0 ? 1 : 2;
}

/* One reply of the pipelined DEALER (request id: the index in batch). */
static void
pipelined_answer (Sender *s, GArray *batch, guint next, GBytes *rid, GBytes *body, guint *in_flight)
{
    guint32 id;
    if (g_bytes_get_size (rid) != sizeof id)
        return;
    memcpy (&id, g_bytes_get_data (rid, NULL), sizeof id);
    if (id >= next)
        return;
    Pending *p = &g_array_index (batch, Pending, id);
    if (p->done)
        return; /* the answer to a resend of something answered */
    DbnEnvReply env = { 0 };
    g_assert_true (dbn_env_reply_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &env, NULL));
    if (env.ok) {
        answered (s, p, body);
        (*in_flight)--;
    } else if (transient (env.code)) {
        p->sent_us = 0; /* goes again with the resends */
    } else {
        g_printerr ("# refused: %s of case %u: %s %s\n", p->cmd->cmd, p->c->n, env.code, env.msg_en);
        s->refused++;
        p->done = TRUE;
        s->remaining--;
        (*in_flight)--;
    }
    dbn_env_reply_clear (&env);
}

static void
pipelined_run (Sender *s, GArray *batch)
{
    gint64 deadline = g_get_monotonic_time () + 600 * G_USEC_PER_SEC;
    guint next = 0, in_flight = 0;
    while (s->remaining > 0) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        while (in_flight < WINDOW && next < batch->len) {
            Pending *p = &g_array_index (batch, Pending, next);
            guint32 id = next++;
            g_autoptr (GBytes) rid = g_bytes_new (&id, sizeof id);
            p->sent_us = g_get_monotonic_time ();
            dbn_client_send_raw (s->clients[client_of (p->cmd)], rid, p->cmd->body, NULL);
            in_flight++;
        }
        /* Wait on all three sockets at once, then take whatever came. */
        zmq_pollitem_t items[3];
        for (int i = 0; i < 3; i++)
            items[i] = (zmq_pollitem_t){ dbn_client_get_socket (s->clients[i]), 0, ZMQ_POLLIN, 0 };
        gboolean got = FALSE;
        if (zmq_poll (items, 3, 100) > 0) {
            for (int i = 0; i < 3; i++) {
                g_autoptr (GBytes) rid = NULL;
                g_autoptr (GBytes) body = NULL;
                while (dbn_client_recv_raw (s->clients[i], 0, &rid, &body)) {
                    got = TRUE;
                    pipelined_answer (s, batch, next, rid, body, &in_flight);
                    g_clear_pointer (&rid, g_bytes_unref);
                    g_clear_pointer (&body, g_bytes_unref);
                }
            }
        }
        if (got)
            continue;
        /* Lazy Pirate: silence means the peer may have died with our
         * requests; resend what is unanswered and old enough. */
        gint64 now = g_get_monotonic_time ();
        for (guint i = 0; i < next; i++) {
            Pending *p = &g_array_index (batch, Pending, i);
            if (p->done || now - p->sent_us < RESEND_US)
                continue;
            guint32 id = i;
            g_autoptr (GBytes) rid = g_bytes_new (&id, sizeof id);
            p->sent_us = now;
            s->resends++;
            dbn_client_send_raw (s->clients[client_of (p->cmd)], rid, p->cmd->body, NULL);
        }
    }
}

#define RATING_STEP G_MAXUINT

/* Sends step `step` (RATING_STEP: the rating) of every case in
 * cases[from, to) that has one and returns once each was answered. */
static void
sender_run_step (Sender *s, GPtrArray *cases, guint from, guint to, guint step)
{
    g_autoptr (GArray) batch = g_array_new (FALSE, TRUE, sizeof (Pending));
    for (guint i = from; i < to; i++) {
        Case *c = g_ptr_array_index (cases, i);
        Command *cmd = step == RATING_STEP ? c->rating : step < c->steps->len ? c->steps->pdata[step] : NULL;
        if (cmd != NULL) {
            Pending p = { c, cmd, FALSE, 0 };
            g_array_append_val (batch, p);
        }
    }
    s->remaining = batch->len;
    for (int i = 0; batch->len > 0 && i < N_SERVICES; i++)
        if (g_strcmp0 (services[i], g_array_index (batch, Pending, 0).cmd->service) == 0)
            g_atomic_int_set (s->hot, i + 1);
    if (s->pipelined) {
        pipelined_run (s, batch);
        return;
    }
#ifdef DBN_TEST_OUTBOX
    for (guint i = 0; i < batch->len; i++) {
        Pending *p = &g_array_index (batch, Pending, i);
        Station *st = &s->stations[p->c->n % 2];
        if (g_hash_table_size (st->rows) == 0)
            st->last_us = g_get_monotonic_time ();
        g_autoptr (GError) error = NULL;
        gint64 id = dbn_outbox_enqueue (st->outbox, p->cmd->service, p->cmd->cmd, p->cmd->key, p->cmd->body,
                                        p->cmd->key, &error);
        g_assert_no_error (error);
        g_hash_table_insert (st->rows, g_memdup2 (&id, sizeof id), p);
    }
    gint64 deadline = g_get_monotonic_time () + 600 * G_USEC_PER_SEC;
    while (s->remaining > 0) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
    }
#endif
}

/* ---- the services, and the killer ---- */

typedef struct {
    DbnHarness *h;
    GSubprocess *procs[N_SERVICES];
    gboolean victims[N_SERVICES];
    guint n_victims;
    guint target;               /* kills to do */
    gint kills;                 /* atomic */
    guint per[N_SERVICES];      /* kills per service */
    guint exits[N_SERVICES];    /* exits nobody asked for (a crash), restarted as daiban up does */
    GString *exit_notes;        /* how each of those ended */
    gint phase;                 /* atomic: 0 starting, 1 up, 2 stop asked, 3 stopped */
    gint hot;                   /* atomic: 1 + the service the clients are sending to, 0 none */
    gboolean stopped_by_itself; /* every service exited on SIGTERM at the end */
    GRand *rand;
    GThread *thread;
} Fleet;

static void
respawn (Fleet *f, int v)
{
    /* As `daiban up` restarts a service that died: the same program with --data DIR. */
    g_autofree char *program = g_strdup_printf ("daiban-%s", services[v]);
    const char *args[] = { "--data", dbn_harness_get_data_dir (f->h), NULL };
    f->procs[v] = dbn_harness_spawn (f->h, program, args);
    /* Kill again only once this instance serves (a slow build starts slower than the interval). */
    if (!dbn_harness_wait_ready (f->h, services[v], 30000))
        g_error ("%s did not come back after kill %d", services[v], g_atomic_int_get (&f->kills));
}

/* A service that exited by itself (GLib's worker reaps it) is restarted,
 * as `daiban up` does, and counted: a crash is a finding, not a kill. */
static void
restart_exited (Fleet *f)
{
    for (int i = 0; i < N_SERVICES; i++) {
        if (f->procs[i] == NULL || g_subprocess_get_identifier (f->procs[i]) != NULL)
            continue;
        g_subprocess_wait (f->procs[i], NULL, NULL);
        int sig = g_subprocess_get_if_signaled (f->procs[i]) ? g_subprocess_get_term_sig (f->procs[i]) : 0;
        int status =
            g_subprocess_get_if_exited (f->procs[i]) ? g_subprocess_get_exit_status (f->procs[i]) : -1;
        g_printerr ("# %s exited by itself (%s %d); restarting it\n", services[i], sig ? "signal" : "status",
                    sig ? sig : status);
        g_string_append_printf (f->exit_notes, "%s%s by %s %d", f->exit_notes->len ? ", " : "", services[i],
                                sig ? "signal" : "status", sig ? sig : status);
        f->exits[i]++;
        g_clear_object (&f->procs[i]);
        respawn (f, i);
    }
}

/* The services live and die in this thread only: PR_SET_PDEATHSIG is tied
 * to the spawning thread, so what it restarts must outlive every kill. */
static gpointer
fleet_thread (gpointer data)
{
    Fleet *f = data;
    for (int i = 0; i < N_SERVICES; i++)
        f->procs[i] = dbn_harness_start_service (f->h, services[i]);
    g_atomic_int_set (&f->phase, 1);
    while ((guint) g_atomic_int_get (&f->kills) < f->target) {
        /* A random instant: mid-batch, mid-commit, between commit and
         * reply, or while the last one restarted is still catching up. */
        g_usleep (g_rand_int_range (f->rand, 0, 60) * 1000);
        guint pick = g_rand_int_range (f->rand, 0, f->n_victims), v = 0;
        for (int i = 0; i < N_SERVICES; i++)
            if (f->victims[i] && pick-- == 0)
                v = i;
        /* Half the time the one the clients are talking to: a kill then
         * often takes a command in flight (before, during or after its
         * commit), which an idle service never has. */
        int hot = g_atomic_int_get (&f->hot) - 1;
        if (hot >= 0 && f->victims[hot] && g_rand_boolean (f->rand))
            v = hot;
        restart_exited (f);
        dbn_harness_kill (f->procs[v]);
        g_clear_object (&f->procs[v]);
        f->per[v]++;
        g_atomic_int_inc (&f->kills);
        respawn (f, v);
    }
    while (g_atomic_int_get (&f->phase) != 2) {
        restart_exited (f);
        g_usleep (10 * 1000);
    }
    f->stopped_by_itself = TRUE;
    for (int i = N_SERVICES - 1; i >= 0; i--) {
        f->stopped_by_itself &= dbn_harness_stop (f->procs[i], 10000);
        g_clear_object (&f->procs[i]);
    }
    g_atomic_int_set (&f->phase, 3);
    return NULL;
}

static void
wait_kills (Fleet *f, guint want)
{
    gint64 deadline = g_get_monotonic_time () + 600 * G_USEC_PER_SEC;
    while ((guint) g_atomic_int_get (&f->kills) < MIN (want, f->target)) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (5 * 1000);
    }
}

/* ---- reading the stores ---- */

static sqlite3 *
open_db (DbnHarness *h, const char *service)
{
    g_autofree char *file = g_strconcat (service, ".db", NULL);
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), file, NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 10000);
    return db;
}

static gint64
query_int (sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
    if (arg != NULL)
        sqlite3_bind_text (st, 1, arg, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    gint64 v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

static gint64
newest_seq (DbnHarness *h, const char *service)
{
    sqlite3 *db = open_db (h, service);
    gint64 n = query_int (db, "SELECT coalesce(max(seq), 0) FROM journal", NULL);
    sqlite3_close (db);
    return n;
}

/* TRUE when every consumer's offset is its producer's newest seq, and the
 * newest seqs are those of the last look (*last: their sum). */
static gboolean
caught_up (DbnHarness *h, gint64 *last)
{
    gint64 newest[N_SERVICES], sum = 0;
    for (int i = 0; i < N_SERVICES; i++)
        sum += newest[i] = newest_seq (h, services[i]);
    gboolean all = sum == *last;
    *last = sum;
    for (guint i = 0; i < G_N_ELEMENTS (follows) && all; i++) {
        int p = 0;
        while (g_strcmp0 (services[p], follows[i][1]) != 0)
            p++;
        sqlite3 *db = open_db (h, follows[i][0]);
        all = query_int (db, "SELECT coalesce(max(seq), 0) FROM consumer_offset WHERE producer = ?",
                         follows[i][1])
              == newest[p];
        sqlite3_close (db);
    }
    return all;
}

/* Waits until consumer has applied producer's newest event. */
static void
wait_followed (DbnHarness *h, const char *consumer, const char *producer)
{
    gint64 newest = newest_seq (h, producer);
    gint64 until = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    for (;;) {
        sqlite3 *db = open_db (h, consumer);
        gint64 applied =
            query_int (db, "SELECT coalesce(max(seq), 0) FROM consumer_offset WHERE producer = ?", producer);
        sqlite3_close (db);
        if (applied >= newest)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (20 * 1000);
    }
}

static gboolean
heads_cover_all (DbnHarness *h)
{
    sqlite3 *db = open_db (h, "audit");
    gboolean all = query_int (db, "SELECT count(*) FROM audit_entry", NULL)
                   == query_int (db, "SELECT coalesce(max(size), 0) FROM audit_head", NULL);
    sqlite3_close (db);
    return all;
}

/* 2026-MM-DD hh:mm China Standard Time, in ms since the epoch. */
static gint64
cst (int month, int day, int hour)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, 0, 0);
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

/* ---- canonical dumps ---- */

typedef struct {
    GHashTable *names; /* case number → "c<n>" */
    GRegex *number;
} Canon;

static gboolean
rename_case (const GMatchInfo *info, GString *out, gpointer user_data)
{
    Canon *canon = user_data;
    g_autofree char *found = g_match_info_fetch (info, 0);
    const char *name = g_hash_table_lookup (canon->names, found);
    g_string_append (out, name != NULL ? name : found);
    return FALSE;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The rows of sql as lines "col|col|…", case numbers replaced, sorted. */
static void
dump (GString *out, Canon *canon, sqlite3 *db, const char *title, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    while (sqlite3_step (st) == SQLITE_ROW) {
        GString *row = g_string_new (NULL);
        for (int i = 0; i < sqlite3_column_count (st); i++) {
            if (i > 0)
                g_string_append_c (row, '|');
            if (sqlite3_column_type (st, i) == SQLITE_NULL)
                g_string_append (row, "NULL");
            else if (sqlite3_column_type (st, i) == SQLITE_BLOB) {
                g_autofree char *hex = g_compute_checksum_for_data (
                    G_CHECKSUM_SHA256, sqlite3_column_blob (st, i), sqlite3_column_bytes (st, i));
                g_string_append (row, hex);
            } else
                g_string_append (row, (const char *) sqlite3_column_text (st, i));
        }
        char *line = g_regex_replace_eval (canon->number, row->str, -1, 0, 0, rename_case, canon, NULL);
        g_string_free (row, TRUE);
        g_ptr_array_add (lines, line);
    }
    sqlite3_finalize (st);
    g_ptr_array_sort (lines, compare_lines);
    g_string_append_printf (out, "## %s (%u rows)\n", title, lines->len);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (lines, i));
}

/* due_row(body): a deadline.due_changed's queue row as text, without its
 * envelope (whose seq is the interleaving's). */
static void
due_row_sql (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    g_assert_cmpint (argc, ==, 1);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgDeadlineDueChanged) ev = dbn_msg_deadline_due_changed_decode (
        sqlite3_value_blob (argv[0]), (gsize) sqlite3_value_bytes (argv[0]), &error);
    g_assert_no_error (error);
    g_autofree char *remaining =
        ev->has_remaining ? g_strdup_printf ("%" G_GINT64_FORMAT, ev->remaining) : NULL;
    g_autofree char *text = g_strdup_printf (
        "%s/%s/%s %s %s %s %s %s %s%s", ev->window, ev->station, ev->area, ev->clock ? ev->clock : "-",
        ev->due ? ev->due : "-", remaining ? remaining : "-", ev->unit ? ev->unit : "-", ev->stage,
        ev->suspended ? "suspended" : "running", ev->covered ? "" : " uncovered");
    sqlite3_result_text (ctx, text, -1, SQLITE_TRANSIENT);
}

/* entry_type(body): the type of the producer's event an audit.entry is of. */
static void
entry_type_sql (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    g_assert_cmpint (argc, ==, 1);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgAuditEntry) ev = dbn_msg_audit_entry_decode (
        sqlite3_value_blob (argv[0]), (gsize) sqlite3_value_bytes (argv[0]), &error);
    g_assert_no_error (error);
    sqlite3_result_text (ctx, ev->event_type, -1, SQLITE_TRANSIENT);
}

static void
add_function (sqlite3 *db, const char *name, void (*func) (sqlite3_context *, int, sqlite3_value **))
{
    g_assert_cmpint (
        sqlite3_create_function (db, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, func, NULL, NULL), ==,
        SQLITE_OK);
}

/* Per case, its events' types in the journal's order; and the count of
 * each type (the audit heads left out: their number is the batching's).
 * `keep` is an SQL condition on the journal's rows: it leaves out the
 * events whose number the interleaving of producers decides (see the
 * header). */
static void
dump_journal (GString *out, Canon *canon, sqlite3 *db, const char *service, const char *keep)
{
    g_autofree char *t1 = g_strdup_printf ("%s journal per case", service);
    g_autofree char *q1 = g_strdup_printf (
        "SELECT case_no, group_concat(type, ' ') FROM"
        " (SELECT case_no, type FROM journal WHERE case_no IS NOT NULL AND case_no != '' AND %s"
        " ORDER BY seq) GROUP BY case_no",
        keep);
    dump (out, canon, db, t1, q1);
    g_autofree char *t2 = g_strdup_printf ("%s journal types", service);
    g_autofree char *q2 = g_strdup_printf (
        "SELECT type, count(*) FROM journal WHERE type != 'audit.head' AND %s GROUP BY type", keep);
    dump (out, canon, db, t2, q2);
}

/* Deadline's due_changed rows (due_row), compared as the header says: per
 * case the last one; and every one in order but the follow-up clock's, a
 * row equal to the one before it once (the closing row reads as the
 * completed one). */
static void
dump_due_rows (GString *out, Canon *canon, sqlite3 *db)
{
    add_function (db, "due_row", due_row_sql);
    dump (out, canon, db, "deadline last due_changed per case",
          /* A window, not a correlated max(seq): the journal has no case_no
           * index, and 20,000 cases made that quadratic (over 900 s). */
          "SELECT case_no, due_row(body) FROM (SELECT case_no, body, row_number() OVER"
          " (PARTITION BY case_no ORDER BY seq DESC) AS nth FROM journal"
          " WHERE type = '" DBN_MSG_DEADLINE_DUE_CHANGED_WIRE "') WHERE nth = 1");
    dump (out, canon, db, "deadline due_changed rows per case but the follow-up's",
          "SELECT case_no, group_concat(r, ' ; ') FROM"
          " (SELECT case_no, r, lag(r) OVER (PARTITION BY case_no ORDER BY seq) AS prev FROM"
          "  (SELECT seq, case_no, due_row(body) AS r FROM journal"
          "   WHERE type = '" DBN_MSG_DEADLINE_DUE_CHANGED_WIRE "')"
          "  WHERE r NOT LIKE '% followup %' ORDER BY case_no, seq)"
          " WHERE prev IS NULL OR prev != r GROUP BY case_no");
}

static char *
dump_all (DbnHarness *h, GPtrArray *cases, guint *rows)
{
    Canon canon = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
                    g_regex_new ("T01-[0-9]{4}-[0-9]{6}", 0, 0, NULL) };
    for (guint i = 0; i < cases->len; i++) {
        Case *c = g_ptr_array_index (cases, i);
        g_hash_table_insert (canon.names, g_strdup (c->case_no), g_strdup_printf ("c%u", c->n));
    }
    GString *out = g_string_new (NULL);
    sqlite3 *db = open_db (h, "intake");
    dump (out, &canon, db, "intake case_record", "SELECT * FROM case_record");
    dump_journal (out, &canon, db, "intake", "1");
    sqlite3_close (db);
    db = open_db (h, "routing");
    dump (
        out, &canon, db, "routing_case",
        "SELECT case_no, matter, level, kind, state, window_id, station_id, village, area_id, channel,"
        " applicant, responsible, holder, location, sheet, county, escalated_from, accepted_at, accompanied,"
        " parts, parts_done, missing, outcome, updated_at, restricted FROM routing_case");
    dump (
        out, &canon, db, "routing handoffs per case",
        "SELECT case_no, group_concat(at || ' ' || from_holder || '>' || to_holder || ' ' || handed_by || ' '"
        " || why, ';') FROM (SELECT * FROM handoff ORDER BY seq) GROUP BY case_no");
    dump_journal (out, &canon, db, "routing", "1");
    sqlite3_close (db);
    db = open_db (h, "deadline");
    dump (out, &canon, db, "dl_case", "SELECT * FROM dl_case");
    dump (out, &canon, db, "dl_clock",
          "SELECT case_no, name, length, started_at, state, stage, anchor_day, anchor_n, due_day, covered,"
          " explained, next_at, calendar_days FROM dl_clock");
    dump (out, &canon, db, "dl_explanation", "SELECT case_no, at, actor, clocks, text FROM dl_explanation");
    dump_journal (out, &canon, db, "deadline", "type != '" DBN_MSG_DEADLINE_DUE_CHANGED_WIRE "'");
    dump_due_rows (out, &canon, db);
    sqlite3_close (db);
    db = open_db (h, "evaluation");
    const char *eval_tables[] = { "ev_case",  "ev_rating", "ev_sample", "ev_sample_case", "ev_callback",
                                  "ev_month", "ev_figure", "ev_quota",  "ev_reward",      NULL };
    for (int i = 0; eval_tables[i] != NULL; i++) {
        g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", eval_tables[i]);
        dump (out, &canon, db, eval_tables[i], sql);
    }
    dump (out, &canon, db, "ev_correction",
          "SELECT month, scope, scope_id, at, actor, reason, accepted, completed, on_time, working_days,"
          " returns, repeats, rated, satisfied, basic, unsatisfied, uncovered FROM ev_correction");
    dump_journal (out, &canon, db, "evaluation", "1");
    sqlite3_close (db);
    db = open_db (h, "audit");
    dump (out, &canon, db, "audit entries per case and producer",
          "SELECT case_no, producer, group_concat(type || ' ' || actor || ' ' || time_ms, ';') FROM"
          " (SELECT * FROM audit_entry WHERE type != '" DBN_MSG_DEADLINE_DUE_CHANGED_WIRE "' ORDER BY seq)"
          " GROUP BY case_no, producer");
    add_function (db, "entry_type", entry_type_sql);
    dump_journal (out, &canon, db, "audit",
                  "(type != '" DBN_MSG_AUDIT_ENTRY_WIRE
                  "' OR entry_type(body) != '" DBN_MSG_DEADLINE_DUE_CHANGED_WIRE "')");
    sqlite3_close (db);
    g_hash_table_unref (canon.names);
    g_regex_unref (canon.number);
    *rows = 0;
    for (const char *p = out->str; (p = strchr (p, '\n')) != NULL; p++)
        (*rows)++;
    return g_string_free (out, FALSE);
}

/* Fails naming the first line where a and b differ. */
static void
assert_same_dump (const char *undisturbed, const char *killed)
{
    if (g_strcmp0 (undisturbed, killed) == 0)
        return;
    g_auto (GStrv) a = g_strsplit (undisturbed, "\n", -1);
    g_auto (GStrv) b = g_strsplit (killed, "\n", -1);
    const char *section = "";
    for (guint i = 0; a[i] != NULL && b[i] != NULL; i++) {
        if (g_str_has_prefix (a[i], "## "))
            section = a[i];
        if (strcmp (a[i], b[i]) != 0)
            g_error ("states differ in %s, line %u:\n  undisturbed: %s\n  with kills:  %s", section, i, a[i],
                     b[i]);
    }
    g_error ("states differ in length");
}

/* ---- one run ---- */

typedef struct {
    guint n_cases;
    guint kills;
    gboolean victims[N_SERVICES];
    gboolean pipelined;
    gboolean compare; /* also run it undisturbed and compare the states */
} Plan;

typedef struct {
    char *state; /* canonical dump */
    guint rows;  /* its lines */
    guint per[N_SERVICES];
    guint kills;
    guint64 commands; /* answered ok */
    guint64 resends;
    guint lost;        /* acked submits or journal events missing */
    guint duplicated;  /* cases or entries more than once */
    gint64 entries;    /* audit entries verified */
    char *verify_line; /* daiban audit verify's first line */
    char *exit_notes;  /* services that exited by themselves, or "" */
    double secs;
} Outcome;

static void
append_conf (DbnHarness *h, const char *lines)
{
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (h), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

/* Exactly once at intake: each acknowledged submit is one case, under its
 * acknowledged number, with one case.accepted. */
static void
check_intake (DbnHarness *h, GPtrArray *cases, Outcome *o)
{
    sqlite3 *db = open_db (h, "intake");
    /* Applicant → the case numbers stored for it; case number → its case.accepted count. */
    g_autoptr (GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr (GHashTable) accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT applicant, case_no FROM case_record", -1, &st, NULL), ==,
                     SQLITE_OK);
    gint64 rows = 0;
    while (sqlite3_step (st) == SQLITE_ROW) {
        rows++;
        const char *applicant = (const char *) sqlite3_column_text (st, 0);
        const char *number = (const char *) sqlite3_column_text (st, 1);
        char *before = g_hash_table_lookup (stored, applicant);
        g_hash_table_insert (stored, g_strdup (applicant),
                             before ? g_strconcat (before, " ", number, NULL) : g_strdup (number));
    }
    sqlite3_finalize (st);
    g_assert_cmpint (
        sqlite3_prepare_v2 (db, "SELECT case_no FROM journal WHERE type = 'case.accepted'", -1, &st, NULL),
        ==, SQLITE_OK);
    while (sqlite3_step (st) == SQLITE_ROW) {
        const char *number = (const char *) sqlite3_column_text (st, 0);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (accepted, number));
        g_hash_table_insert (accepted, g_strdup (number), GUINT_TO_POINTER (n + 1));
    }
    sqlite3_finalize (st);
    sqlite3_close (db);
    g_autoptr (GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < cases->len; i++) {
        Case *c = g_ptr_array_index (cases, i);
        g_assert_nonnull (c->case_no); /* acknowledged */
        if (!g_hash_table_add (numbers, c->case_no))
            o->duplicated++; /* two submits given one number */
        g_autofree char *applicant = g_strdup_printf ("测试申办人%u", c->n);
        const char *found = g_hash_table_lookup (stored, applicant);
        if (found == NULL || strcmp (found, c->case_no) != 0) {
            if (found == NULL || strstr (found, c->case_no) == NULL)
                o->lost++; /* not stored, or not under its acknowledged number */
            else
                o->duplicated++; /* stored more than once */
        }
        guint times = GPOINTER_TO_UINT (g_hash_table_lookup (accepted, c->case_no));
        if (times == 0)
            o->lost++;
        else if (times > 1)
            o->duplicated += times - 1;
    }
    if (rows > (gint64) cases->len)
        o->duplicated += rows - cases->len;
}

/* Exactly once into the record: per producer, one entry per journal event,
 * seq 1..N in the record's order, with the journal's bytes. */
static void
check_audit (DbnHarness *h, Outcome *o)
{
    sqlite3 *audit = open_db (h, "audit");
    for (const char *const *p = audited; *p != NULL; p++) {
        sqlite3 *db = open_db (h, *p);
        sqlite3_stmt *j = NULL, *a = NULL;
        g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, body FROM journal ORDER BY seq", -1, &j, NULL),
                         ==, SQLITE_OK);
        g_assert_cmpint (
            sqlite3_prepare_v2 (audit, "SELECT seq, event FROM audit_entry WHERE producer = ? ORDER BY idx",
                                -1, &a, NULL),
            ==, SQLITE_OK);
        sqlite3_bind_text (a, 1, *p, -1, SQLITE_STATIC);
        gint64 n = 0;
        for (;;) {
            int rj = sqlite3_step (j), ra = sqlite3_step (a);
            if (rj != SQLITE_ROW || ra != SQLITE_ROW) {
                while (rj == SQLITE_ROW) {
                    o->lost++;
                    rj = sqlite3_step (j);
                }
                while (ra == SQLITE_ROW) {
                    o->duplicated++;
                    ra = sqlite3_step (a);
                }
                break;
            }
            n++;
            g_assert_cmpint (sqlite3_column_int64 (j, 0), ==, n);
            if (sqlite3_column_int64 (a, 0) != n)
                g_error ("%s: the record's entry %" G_GINT64_FORMAT " of it has seq %" G_GINT64_FORMAT, *p, n,
                         (gint64) sqlite3_column_int64 (a, 0));
            g_assert_cmpmem (sqlite3_column_blob (j, 1), sqlite3_column_bytes (j, 1),
                             sqlite3_column_blob (a, 1), sqlite3_column_bytes (a, 1));
        }
        /* Evaluation journals nothing for these cases (yet): it may have no events. */
        if (g_strcmp0 (*p, "evaluation") != 0)
            g_assert_cmpint (n, >, 0);
        sqlite3_finalize (j);
        sqlite3_finalize (a);
        sqlite3_close (db);
    }
    g_assert_cmpint (query_int (audit,
                                "SELECT count(*) FROM audit_entry WHERE producer NOT IN"
                                " ('intake', 'routing', 'deadline', 'evaluation')",
                                NULL),
                     ==, 0);
    /* Its own summaries: one audit.entry per entry. */
    o->entries = query_int (audit, "SELECT count(*) FROM audit_entry", NULL);
    g_assert_cmpint (query_int (audit, "SELECT count(*) FROM journal WHERE type = 'audit.entry'", NULL), ==,
                     o->entries);
    sqlite3_close (audit);
}

/* The services' manual clock (DAIBAN_CLOCK_FILE), named before any thread starts. */
static char *clock_file;

static void
run_once (const Plan *plan, Outcome *o)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autoptr (GError) error = NULL;
    /* Audit follows all four; heads by count, and by time for the tail. */
    append_conf (h, "\n[audit]\nproducers = intake,routing,deadline,evaluation\nhead_every_entries = 500\n"
                    "head_every_ms = 100\n");
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    /* One fixed instant, the same in both runs: Monday 2 November 2026, 10:00. */
    const char *clock = clock_file;
    gint64 now = cst (11, 2, 10);
    set_clock (clock, now);
    g_autofree char *log = g_build_filename (dir, "services.log", NULL);
    if (plan->kills > 0)
        dbn_harness_set_stderr_file (h, log); /* each kill's restart logs its catch-up */

    /* The killer's choices: DBN_KILL_ALL_SEED picks others (the instants vary with the machine anyway). */
    const char *seed = g_getenv ("DBN_KILL_ALL_SEED");
    Fleet fleet = { .h = h,
                    .exit_notes = g_string_new (NULL),
                    .target = plan->kills,
                    .rand = g_rand_new_with_seed (seed ? (guint32) g_ascii_strtoull (seed, NULL, 10)
                                                       : 20261202) };
    for (int i = 0; i < N_SERVICES; i++) {
        fleet.victims[i] = plan->victims[i];
        fleet.n_victims += plan->victims[i];
    }
    g_assert_true (plan->kills == 0 || fleet.n_victims > 0);
    gint64 t0 = g_get_monotonic_time ();
    fleet.thread = g_thread_new ("fleet", fleet_thread, &fleet);
    while (g_atomic_int_get (&fleet.phase) == 0)
        g_usleep (10 * 1000);

    g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
    for (guint i = 0; i < plan->n_cases; i++)
        g_ptr_array_add (cases, case_new (i + 1));
    Sender *s = sender_new (h, plan->pipelined);
    s->hot = &fleet.hot;
    guint per_wave = (plan->n_cases + WAVES - 1) / WAVES;
    for (guint w = 0; w < WAVES; w++) {
        guint from = w * per_wave, to = MIN (plan->n_cases, from + per_wave);
        if (from >= to)
            break;
        /* Spread the kills over the load: each wave waits for its share. */
        wait_kills (&fleet, plan->kills * w / WAVES);
        sender_run_step (s, cases, from, to, 0);
        /* Routing follows intake: the wave's newest number there means all of it is. */
        const char *newest = NULL;
        for (guint i = from; i < to; i++) {
            Case *c = g_ptr_array_index (cases, i);
            if (c->case_no != NULL && g_strcmp0 (c->case_no, newest) > 0)
                newest = c->case_no;
        }
        gint64 until = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
        for (;;) {
            g_assert_cmpint (g_get_monotonic_time (), <, until);
            g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
            m->env.key = g_strdup ("get");
            m->case_no = g_strdup (newest);
            g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
            g_autoptr (GError) get_error = NULL;
            g_autoptr (GBytes) got = dbn_harness_call (h, "routing", body, CALL_MS, &get_error);
            if (got != NULL)
                break;
            g_usleep (20 * 1000);
        }
        guint longest = 0;
        for (guint i = from; i < to; i++) {
            Case *c = g_ptr_array_index (cases, i);
            if (c->case_no != NULL && c->steps->len == 1)
                build_path (c);
            longest = MAX (longest, c->steps->len);
        }
        for (guint step = 1; step < longest; step++)
            sender_run_step (s, cases, from, to, step);
        /* Evaluation knows a case from routing's journal: the ratings go
         * once it has followed routing to its newest event. */
        wait_followed (h, "evaluation", "routing");
        sender_run_step (s, cases, from, to, RATING_STEP);
    }
    g_atomic_int_set (&fleet.hot, 0);
    o->commands = s->commands;
    o->resends = s->resends;
    guint refused = s->refused;
    sender_free (s);
    g_assert_cmpuint (refused, ==, 0);
    wait_kills (&fleet, plan->kills);
    o->secs = (g_get_monotonic_time () - t0) / 1e6;

    /* Every follower catches up with every producer (the kills are over). */
    gint64 last = -1, until = g_get_monotonic_time () + 180 * G_USEC_PER_SEC;
    guint stable = 0;
    while (stable < 2) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        stable = caught_up (h, &last) ? stable + 1 : 0;
        if (stable < 2)
            g_usleep (100 * 1000);
    }
    /* A second later on the clock the audit timer signs the tail. */
    set_clock (clock, now + 1000);
    while (!heads_cover_all (h)) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (50 * 1000);
    }
    g_atomic_int_set (&fleet.phase, 2);
    g_thread_join (fleet.thread);
    g_assert_true (fleet.stopped_by_itself);
    o->kills = g_atomic_int_get (&fleet.kills);
    memcpy (o->per, fleet.per, sizeof o->per);
    o->exit_notes = g_string_free (fleet.exit_notes, FALSE);
    g_rand_free (fleet.rand);

    check_intake (h, cases, o);
    check_audit (h, o);
    /* The committee's check, offline on the record. */
    g_autofree char *audit_db = g_build_filename (dir, "audit.db", NULL);
    const char *verify[] = { "audit", "verify", "--db", audit_db, NULL };
    DbnCliRun run = dbn_harness_run_cli_english (verify);
    if (run.status != 0)
        g_error ("audit verify: status %d: %s%s", run.status, run.out, run.err);
    g_assert_nonnull (strstr (run.out, "verified through entry"));
    /* Its line is bilingual, "中文 / English": the summary keeps the English. */
    const char *english = strstr (run.out, " / ");
    english = english != NULL ? english + 3 : run.out;
    o->verify_line = g_strndup (english, strcspn (english, "\n"));
    dbn_cli_run_clear (&run);
    /* The dump is only read to compare two runs (seconds at 20,000 cases). */
    if (plan->compare)
        o->state = dump_all (h, cases, &o->rows);
}

static void
outcome_clear (Outcome *o)
{
    g_free (o->state);
    g_free (o->verify_line);
    g_free (o->exit_notes);
}

static void
plan_from_env (Plan *plan, guint kills, guint n_cases, const char *victims)
{
    if (g_getenv ("DBN_KILL_ALL_VICTIMS") != NULL)
        victims = g_getenv ("DBN_KILL_ALL_VICTIMS");
    g_auto (GStrv) names = g_strsplit (victims, ",", -1);
    /* The soak multiplies the kill-all run only: the audit run is issue 14's size already. */
    gboolean soak = g_strcmp0 (g_getenv ("DBN_SOAK"), "1") == 0 && g_strv_length (names) > 1;
    plan->kills = soak ? 10 * kills : kills;
    plan->n_cases = soak ? 10 * n_cases : n_cases;
    if (g_getenv ("DBN_KILL_ALL_KILLS") != NULL)
        plan->kills = (guint) g_ascii_strtoull (g_getenv ("DBN_KILL_ALL_KILLS"), NULL, 10);
    if (g_getenv ("DBN_KILL_ALL_CASES") != NULL)
        plan->n_cases = (guint) g_ascii_strtoull (g_getenv ("DBN_KILL_ALL_CASES"), NULL, 10);
    for (int i = 0; i < N_SERVICES; i++)
        plan->victims[i] = g_strv_contains ((const char *const *) names, services[i]);
#ifdef DBN_TEST_OUTBOX
    plan->pipelined = plan->pipelined || g_strcmp0 (g_getenv ("DBN_KILL_ALL_PIPELINED"), "1") == 0;
#else
    plan->pipelined = TRUE;
#endif
}

static GString *summary_text;

static const char *
quiet_notes (const Outcome *o)
{
    return o->exit_notes != NULL ? o->exit_notes : "";
}

static void
run_and_compare (const Plan *plan, const char *name)
{
    Plan calm = *plan;
    calm.kills = 0;
    Outcome quiet = { 0 }, killed = { 0 };
    if (plan->compare)
        run_once (&calm, &quiet);
    run_once (plan, &killed);
    GString *line = g_string_new (NULL);
    g_string_append_printf (line, "%s: %u cases, %" G_GUINT64_FORMAT " commands through %s, %u SIGKILLs (",
                            name, plan->n_cases, killed.commands,
                            plan->pipelined ? "a pipelined DEALER" : "two client outboxes", killed.kills);
    for (int i = 0; i < N_SERVICES; i++)
        if (plan->victims[i])
            g_string_append_printf (line, "%s%s %u", line->str[line->len - 1] == '(' ? "" : ", ", services[i],
                                    killed.per[i]);
    g_string_append (line, ")");
    /* A crash is restarted (as daiban up would) and the checks still hold,
     * but it is a defect of its own: named here, and fatal with DBN_KILL_ALL_STRICT=1. */
    if (*quiet_notes (&quiet) || *killed.exit_notes)
        g_string_append_printf (line, ", services that exited by themselves: %s%s%s", quiet_notes (&quiet),
                                *quiet_notes (&quiet) && *killed.exit_notes ? ", " : "", killed.exit_notes);
    else
        g_string_append (line, ", no service exited by itself");
    if (plan->pipelined)
        g_string_append_printf (line, ", %" G_GUINT64_FORMAT " resends", killed.resends);
    else
        g_string_append_printf (line, ", %" G_GUINT64_FORMAT " rows the outboxes sent again after a timeout",
                                killed.resends);
    g_string_append_printf (
        line, "; lost %u, duplicated %u; %" G_GINT64_FORMAT " audit entries each once in order, %s",
        killed.lost, killed.duplicated, killed.entries, killed.verify_line);
    if (plan->compare)
        g_string_append_printf (
            line, "; states %s the undisturbed run's (%u lines); %.1f s undisturbed, %.1f s with kills",
            g_strcmp0 (quiet.state, killed.state) == 0 ? "equal" : "DIFFER from", killed.rows, quiet.secs,
            killed.secs);
    else
        g_string_append_printf (line, "; %.1f s (states not compared: DBN_KILL_ALL_COMPARE=1)", killed.secs);
    g_printerr ("%s\n", line->str);
    if (summary_text == NULL)
        summary_text = g_string_new (NULL);
    g_string_append_printf (summary_text, "%s\n", line->str);
    g_string_free (line, TRUE);
    const char *keep = g_getenv ("DBN_KILL_ALL_DUMPS");
    if (keep != NULL && plan->compare) {
        g_autofree char *a = g_strdup_printf ("%s/%s-undisturbed.txt", keep, name);
        g_autofree char *b = g_strdup_printf ("%s/%s-killed.txt", keep, name);
        g_file_set_contents (a, quiet.state, -1, NULL);
        g_file_set_contents (b, killed.state, -1, NULL);
    }
    g_assert_cmpuint (killed.kills, >=, plan->kills);
    if (g_strcmp0 (g_getenv ("DBN_KILL_ALL_STRICT"), "1") == 0) {
        g_assert_cmpstr (quiet_notes (&quiet), ==, "");
        g_assert_cmpstr (killed.exit_notes, ==, "");
    }
    g_assert_cmpuint (killed.lost, ==, 0);
    g_assert_cmpuint (killed.duplicated, ==, 0);
    if (plan->compare) {
        g_assert_cmpuint (quiet.lost + quiet.duplicated, ==, 0);
        assert_same_dump (quiet.state, killed.state);
    }
    outcome_clear (&quiet);
    outcome_clear (&killed);
}

/* Issue 17 item 3: a random one of the five at random instants. */
static void
test_kill_all (void)
{
    Plan plan = { .compare = TRUE };
    plan_from_env (&plan, 100, 200, "intake,routing,deadline,evaluation,audit");
    run_and_compare (&plan, "kill-all");
}

/* Issue 14: audit SIGKILLed 50 times while the other four take 20,000 cases. */
static void
test_kill_audit (void)
{
    /* What issue 14 asks is checked in the run with kills alone; comparing
     * with an undisturbed run doubles its time (DBN_KILL_ALL_COMPARE=1). */
    Plan plan = { .pipelined = TRUE, .compare = g_strcmp0 (g_getenv ("DBN_KILL_ALL_COMPARE"), "1") == 0 };
    plan_from_env (&plan, 50, 20000, "audit");
    run_and_compare (&plan, "kill-audit");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-kill-all");
    dbn_error_register_builtin ();
    clock_file = g_strdup_printf ("%s/daiban-kill-all-clock-%d", g_get_tmp_dir (), (int) getpid ());
    set_clock (clock_file, cst (11, 2, 10));
    g_setenv ("DAIBAN_CLOCK_FILE", clock_file, TRUE);
    g_test_add_func ("/fault/kill-9/all-five", test_kill_all);
    g_test_add_func ("/fault/kill-9/audit-exactly-once", test_kill_audit);
    int status = g_test_run ();
    const char *path = g_getenv ("DBN_FAULT_SUMMARY");
    if (path != NULL && summary_text != NULL)
        g_file_set_contents (path, summary_text->str, -1, NULL);
    g_unlink (clock_file);
    g_free (clock_file);
    return status;
}
