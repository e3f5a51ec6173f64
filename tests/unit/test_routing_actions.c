/* test_routing_actions.c: routing's handlers in-process (routing_core),
 * following an in-process intake on inproc://, with the shipped catalog
 * and org.ini; no process is started. Over inproc the caller has the
 * operator's rights; the queue rule for restricted principals is tested on
 * dbn_auth_may_read_queue itself, and over CURVE in tests/integration. */
#include <string.h>

#include "dbn_test_inproc.h"
#include "routing_actions.h"

#define START_MS 1772416800000 /* Monday 2026-03-02 10:00 office time */
#define ENCODE   DBN_INPROC_ENCODE

typedef struct {
    DbnInproc *world;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->world = dbn_inproc_new (START_MS);
    dbn_inproc_add_intake (f->world);
    dbn_inproc_add_routing (f->world);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    dbn_inproc_free (f->world);
}

/* Submits JS-ZHUNSHENG with materials and channel; waits until routing has
 * the case (its case.routed). Returns the case number; caller owns it. */
static char *
submit_routed (Fixture *f, const char *materials, const char *channel)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_inproc_submit_new (f->world, materials);
    m->channel = g_strdup (channel);
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_submit, m));
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) routed =
        dbn_inproc_wait_event (f->world, "routing", DBN_MSG_CASE_ROUTED_WIRE, r->case_no, NULL);
    return g_strdup (r->case_no);
}

static DbnMsgRoutingCaseGetReply *
case_get (Fixture *f, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = dbn_inproc_next_key (f->world);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "routing", ENCODE (routing_case_get, m));
    DbnMsgRoutingCaseGetReply *r = dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                                          g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return r;
}

/* Sends body (taken) to routing, asserts success and the state after it. */
static void
expect_state (Fixture *f, GBytes *body, const char *state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "routing", body);
    g_autoptr (DbnMsgRoutingCaseReply) r =
        dbn_msg_routing_case_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r->state, ==, state);
}

/* Fills a command's envelope with a fresh key. */
#define COMMAND(Type, name, m)                                                                               \
    g_autoptr (Type) m = dbn_msg_##name##_new ();                                                            \
    m->env.key = dbn_inproc_next_key (f->world)

static GBytes *
enc_classify (Fixture *f, const char *case_no, const char *kind, const char *reason)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgCaseClassify, case_classify, m);
    m->case_no = g_strdup (case_no);
    m->kind = g_strdup (kind);
    m->reason = g_strdup (reason);
    return ENCODE (case_classify, m);
}

/* A command whose only field is the case (start, archive). */
#define ENC_CASE(fn, Type, name)                                                                             \
    static GBytes *fn (Fixture *f, const char *case_no)                                                      \
    {                                                                                                        \
        g_autoptr (GError) error = NULL;                                                                     \
        COMMAND (Type, name, m);                                                                             \
        m->case_no = g_strdup (case_no);                                                                     \
        return ENCODE (name, m);                                                                             \
    }
ENC_CASE (enc_start, DbnMsgCaseStart, case_start)
ENC_CASE (enc_archive, DbnMsgCaseArchive, case_archive)

static GBytes *
enc_assign (Fixture *f, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgCaseAssign, case_assign, m);
    m->case_no = g_strdup (case_no);
    return ENCODE (case_assign, m);
}

static GBytes *
enc_complete (Fixture *f, const char *case_no, const char *result)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgCaseComplete, case_complete, m);
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (result);
    return ENCODE (case_complete, m);
}

static GBytes *
enc_reply (Fixture *f, const char *case_no, const char *result, const char *reason)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgCaseReply, case_reply, m);
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (result);
    m->reason = g_strdup (reason);
    m->has_satisfied = TRUE;
    m->satisfied = TRUE;
    return ENCODE (case_reply, m);
}

static GBytes *
enc_return (Fixture *f, const char *case_no, const char *reason, const char *apply_to)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgCaseReturn, case_return, m);
    m->case_no = g_strdup (case_no);
    m->reason = g_strdup (reason);
    m->apply_to = g_strdup (apply_to);
    return ENCODE (case_return, m);
}

/* The cases of a queue, in the snapshot's order, ';'-joined. Caller owns it. */
static char *
queue_cases (Fixture *f, const char *kind, const char *id)
{
    g_autoptr (GError) error = NULL;
    COMMAND (DbnMsgRoutingQueue, routing_queue, m);
    m->kind = g_strdup (kind);
    m->id = g_strdup (id);
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "routing", ENCODE (routing_queue, m));
    g_autoptr (DbnMsgRoutingQueueReply) r =
        dbn_msg_routing_queue_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_false (r->truncated);
    GString *out = g_string_new (NULL);
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *b = r->items->pdata[i];
        g_autoptr (DbnMsgRoutingQueueItem) item =
            dbn_msg_routing_queue_item_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        g_string_append_printf (out, "%s%s", out->len > 0 ? ";" : "", item->case_no);
    }
    return g_string_free (out, FALSE);
}

/* 即办件 at the window: routed from intake's case.accepted with the
 * catalog's kind and window, then classified, assigned, started,
 * completed, replied and archived, each step an event; archived leaves the
 * window's queue and is read-only (D-RPL-4). */
static void
test_walk_in_case_life (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit_routed (f, "夫妻双方身份证;户口簿;结婚证", "walk-in");
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = case_get (f, n);
    g_assert_cmpstr (routed->state, ==, "received");
    g_assert_cmpstr (routed->kind, ==, "immediate");
    g_assert_cmpstr (routed->window, ==, "jisheng");
    g_assert_cmpstr (routed->location, ==, "centre");
    g_autofree char *queued = queue_cases (f, "window", "jisheng");
    g_assert_cmpstr (queued, ==, n);

    /* Not every step is allowed in every state. */
    dbn_inproc_call_fails (f->world, "routing", enc_start (f, n), "routing.illegal-transition");
    expect_state (f, enc_classify (f, n, "immediate", "材料齐全，当场办理"), "classified");
    expect_state (f, enc_assign (f, n), "assigned");
    expect_state (f, enc_start (f, n), "in_progress");
    expect_state (f, enc_complete (f, n, "准生证已发放"), "completed");
    expect_state (f, enc_reply (f, n, "准生证已发放", NULL), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    const char *types[] = { DBN_MSG_CASE_CLASSIFIED_WIRE, DBN_MSG_CASE_ASSIGNED_WIRE,
                            DBN_MSG_CASE_STARTED_WIRE,    DBN_MSG_CASE_COMPLETED_WIRE,
                            DBN_MSG_CASE_REPLIED_WIRE,    DBN_MSG_CASE_ARCHIVED_WIRE };
    for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
        g_autoptr (GBytes) event = dbn_inproc_wait_event (f->world, "routing", types[i], n, NULL);
    }
    dbn_inproc_call_fails (f->world, "routing", enc_return (f, n, "理由", "县"), "routing.case-archived");
    g_autofree char *after = queue_cases (f, "window", "jisheng");
    g_assert_cmpstr (after, ==, "");
    g_autoptr (DbnMsgRoutingCaseGetReply) done = case_get (f, n);
    g_assert_cmpstr (done->state, ==, "archived");
    g_assert_cmpstr (done->outcome, ==, "done");
    g_assert_cmpuint (done->timeline->len, >, 0);
}

/* D-INT-5: a return needs its written reason and where to apply instead;
 * a returned case is answered with the reason, not handled. */
static void
test_return_needs_reason (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit_routed (f, "夫妻双方身份证;户口簿;结婚证", "walk-in");
    dbn_inproc_call_fails (f->world, "routing", enc_return (f, n, "   ", "县卫健局"),
                           "routing.reason-required");
    dbn_inproc_call_fails (f->world, "routing", enc_return (f, n, "不符合条件\001", "县卫健局"), "invalid");
    expect_state (f, enc_return (f, n, "不符合办理条件", "县卫健局"), "returned");
    dbn_inproc_call_fails (f->world, "routing", enc_classify (f, n, "committed", "x"),
                           "routing.illegal-transition");
    expect_state (f, enc_reply (f, n, NULL, "已告知退回理由及去处"), "replied");
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, n);
    g_assert_cmpstr (c->kind, ==, "returned");
}

/* D-INT-4: routing marks an incomplete case and resumes it when intake's
 * supplement completes it (case.resumed). */
static void
test_awaiting_materials_resumes (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *n = submit_routed (f, "夫妻双方身份证", "walk-in");
    g_autoptr (DbnMsgRoutingCaseGetReply) waiting = case_get (f, n);
    g_assert_cmpstr (waiting->state, ==, "awaiting_materials");
    g_autoptr (DbnMsgIntakeSupplement) s = dbn_msg_intake_supplement_new ();
    s->env.key = dbn_inproc_next_key (f->world);
    s->case_no = g_strdup (n);
    s->materials = g_strsplit ("户口簿;结婚证", ";", -1);
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_supplement, s));
    g_autoptr (GBytes) resumed =
        dbn_inproc_wait_event (f->world, "routing", DBN_MSG_CASE_RESUMED_WIRE, n, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) back = case_get (f, n);
    g_assert_cmpstr (back->state, ==, "received");
}

/* D-RTE-3: a station's case travels on a run sheet until the centre
 * acknowledges it. */
static void
test_run_sheet (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *n = submit_routed (f, "夫妻双方身份证;户口簿;结婚证", "station");
    COMMAND (DbnMsgRunsheetNew, runsheet_new, m);
    m->station = g_strdup ("qingshui");
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "routing", ENCODE (runsheet_new, m));
    g_autoptr (DbnMsgRunsheetNewReply) sheet =
        dbn_msg_runsheet_new_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (sheet->cases), ==, 1);
    g_assert_cmpstr (sheet->cases[0], ==, n);
    g_autoptr (DbnMsgRoutingCaseGetReply) moving = case_get (f, n);
    g_assert_cmpstr (moving->location, ==, "in_transit");
    g_assert_cmpstr (moving->sheet, ==, sheet->sheet);

    /* Nothing else waits at the station. */
    COMMAND (DbnMsgRunsheetNew, runsheet_new, again);
    again->station = g_strdup ("qingshui");
    dbn_inproc_call_fails (f->world, "routing", ENCODE (runsheet_new, again), "routing.nothing-to-carry");

    COMMAND (DbnMsgRunsheetAck, runsheet_ack, ack);
    ack->sheet = g_strdup (sheet->sheet);
    ack->case_no = g_strdup (n);
    g_autoptr (GBytes) acked = dbn_inproc_call_ok (f->world, "routing", ENCODE (runsheet_ack, ack));
    g_autoptr (DbnMsgRunsheetAckReply) a =
        dbn_msg_runsheet_ack_reply_decode (g_bytes_get_data (acked, NULL), g_bytes_get_size (acked), &error);
    g_assert_no_error (error);
    g_assert_cmpint (a->remaining, ==, 0);
    g_autoptr (DbnMsgRoutingCaseGetReply) arrived = case_get (f, n);
    g_assert_cmpstr (arrived->location, ==, "centre");
    /* The same item again (a new command, not a retry of the first). */
    g_free (ack->env.key);
    ack->env.key = dbn_inproc_next_key (f->world);
    dbn_inproc_call_fails (f->world, "routing", ENCODE (runsheet_ack, ack), "routing.not-on-sheet");
}

/* routing.queue's rule (and deadline.queue's): a restricted principal
 * reads only its own queue; the others read any. */
static void
test_queue_rule (void)
{
    struct {
        const char *principal, *kind, *id;
        gboolean allowed;
    } cases[] = {
        { "station:qingshui", "station", "qingshui", TRUE },
        { "station:qingshui", "station", "liujia", FALSE },
        { "station:qingshui", "window", "qingshui", FALSE },
        { "window:jisheng", "window", "jisheng", TRUE },
        { "window:jisheng", "window", "minzheng", FALSE },
        { "supervisor:east", "area", "east", TRUE },
        { "supervisor:east", "station", "east", FALSE },
        { "committee", "window", "jisheng", TRUE },
        { "service:deadline", "station", "liujia", TRUE },
        { NULL, "area", "east", TRUE },
        { "operator", "station", "qingshui", TRUE },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autoptr (GError) error = NULL;
        gboolean ok = dbn_auth_may_read_queue (cases[i].principal, cases[i].kind, cases[i].id, &error);
        g_assert_cmpint (ok, ==, cases[i].allowed);
        if (ok)
            g_assert_no_error (error);
        else
            g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    }
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_init ("test-routing-actions");
    g_test_add_func ("/routing/actions/queue-rule", test_queue_rule);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/routing/actions/walk-in-case-life", test_walk_in_case_life);
    ADD ("/routing/actions/return-needs-reason", test_return_needs_reason);
    ADD ("/routing/actions/awaiting-materials-resumes", test_awaiting_materials_resumes);
    ADD ("/routing/actions/run-sheet", test_run_sheet);
    return g_test_run ();
}
