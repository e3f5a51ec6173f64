/* test_evaluation_service.c: daiban-evaluation through the real services
 * (issue 13): intake, routing and evaluation as processes on a manual clock
 * (DAIBAN_CLOCK_FILE), cases submitted at intake and followed by evaluation
 * from routing's journal, its commands over CURVE as the principals that
 * send them. Named by rule. */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <zmq.h>

#include "dbn_test_harness.h"
#include "eval_sample.h"
#include "eval_store.h"

#define CALL_MS     5000
#define RESPONSIBLE "station:qingshui"

static const char *const principals[] = { RESPONSIBLE, "station:shiqiao", "supervisor:east", NULL };

typedef struct {
    DbnHarness *harness;
    char *clock_file;
    GSubprocess *intake;
    GSubprocess *routing;
    GSubprocess *evaluation;
    GHashTable *buses; /* principal → DbnBus* */
    guint n_keys;
} Fixture;

/* 2026-MM-DD hh:mm China Standard Time, in ms since the epoch. */
static gint64
cst (int month, int day, int hour)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, 0, 0);
    return g_date_time_to_unix (t) * 1000 - 8 * 3600 * 1000;
}

static void
set_clock (Fixture *f, gint64 ms)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (f->clock_file, ".tmp", NULL);
    g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
    g_assert_cmpint (g_rename (tmp, f->clock_file), ==, 0);
}

/* Moves the clock and waits for a heartbeat of evaluation carrying the new
 * time (the service re-reads the file at intervals; a heartbeat shows it
 * did): every command after that sees it. */
static void
move_clock (Fixture *f, gint64 ms)
{
    g_autoptr (GError) error = NULL;
    void *sub = dbn_bus_socket_new (dbn_harness_get_bus (f->harness), ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb", 2);
    DbnConfig *config = dbn_harness_get_config (f->harness);
    g_assert_true (dbn_bus_connect (dbn_harness_get_bus (f->harness), sub,
                                    dbn_config_get_publish_endpoint (config, "evaluation"), &error));
    set_clock (f, ms);
    gboolean seen = FALSE;
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (!seen && g_get_monotonic_time () < end) {
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, sub, 0);
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, sub, 0);
        DbnEnvEvent env = { 0 };
        if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL))
            seen = env.ts == ms;
        dbn_env_event_clear (&env);
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    zmq_close (sub);
    g_assert_true (seen);
}

static DbnBus *
bus_of (Fixture *f, const char *principal)
{
    DbnBus *bus = g_hash_table_lookup (f->buses, principal);
    g_assert_nonnull (bus);
    return bus;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    f->buses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dbn_bus_free);
    for (int i = 0; principals[i] != NULL; i++) {
        g_autofree char *key = dbn_harness_add_key (f->harness, principals[i]);
        g_hash_table_insert (f->buses, (gpointer) principals[i], dbn_harness_new_bus (f->harness, key));
    }
    /* The 好差评 export needs the region code (D-EV-1). */
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (f->harness), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, "\n[evaluation]\nregion_code = 330106\n", NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
    f->clock_file = g_build_filename (dbn_harness_get_data_dir (f->harness), "clock", NULL);
    set_clock (f, cst (11, 2, 10)); /* Monday 2 November 2026 */
    g_setenv ("DAIBAN_CLOCK_FILE", f->clock_file, TRUE);
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
    f->evaluation = dbn_harness_start_service (f->harness, "evaluation");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_assert_true (dbn_harness_stop (f->evaluation, 10000));
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->evaluation);
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    g_free (f->clock_file);
    g_hash_table_unref (f->buses);
    dbn_harness_free (f->harness);
}

static char *
next_key (Fixture *f)
{
    return g_strdup_printf ("test-%u", ++f->n_keys);
}

static char *
submit (Fixture *f)
{
    g_autofree char *key = next_key (f);
    return dbn_test_submit (f->harness, bus_of (f, RESPONSIBLE), key, f->n_keys, TRUE, CALL_MS);
}

static void
return_case (Fixture *f, const char *case_no)
{
    g_autoptr (DbnMsgCaseReturn) m = dbn_msg_case_return_new ();
    m->env.key = next_key (f);
    m->case_no = g_strdup (case_no);
    m->reason = g_strdup ("不属于代办范围");
    m->apply_to = g_strdup ("县政务服务中心");
    g_autoptr (GBytes) body = dbn_msg_case_return_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "routing", body, CALL_MS, &error);
    g_assert_no_error (error);
}

/* eval.month's row for scope and id; NULL when there is none. */
static DbnMsgEvalFigure *
figure (Fixture *f, const char *month, const char *scope, const char *id, gboolean *closed)
{
    g_autoptr (DbnMsgEvalMonth) m = dbn_msg_eval_month_new ();
    m->env.key = g_strdup ("month");
    m->month = g_strdup (month);
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "evaluation", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgEvalMonthReply) r =
        dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    if (closed != NULL)
        *closed = r->closed;
    for (guint i = 0; i < r->figures->len; i++) {
        GBytes *b = r->figures->pdata[i];
        DbnMsgEvalFigure *row =
            dbn_msg_eval_figure_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        if (g_strcmp0 (row->scope, scope) == 0 && g_strcmp0 (row->id, id) == 0)
            return row;
        dbn_msg_eval_figure_free (row);
    }
    return NULL;
}

/* Waits until evaluation has followed routing's journal as far as
 * qingshui's November counting accepted cases and returns. Polls: the
 * events are on their way between processes. */
static void
wait_counted (Fixture *f, gint64 accepted, gint64 returns)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (DbnMsgEvalFigure) row = figure (f, "2026-11", "station", "qingshui", NULL);
        if (row != NULL && row->accepted == accepted && row->returns == returns)
            return;
        g_usleep (20 * 1000);
    }
    g_error ("evaluation never counted %" G_GINT64_FORMAT " cases", accepted);
}

/* eval.rate as principal with key; the reply's seq, or 0 with error. */
static gint64
rate (Fixture *f, const char *principal, const char *key, const char *case_no, const char *stage,
      const char *level, GError **error)
{
    g_autoptr (DbnMsgEvalRate) m = dbn_msg_eval_rate_new ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    m->stage = g_strdup (stage);
    m->level = g_strdup (level);
    g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (m, NULL);
    g_autoptr (GBytes) reply =
        dbn_harness_call_on (f->harness, bus_of (f, principal), "evaluation", body, CALL_MS, error);
    if (reply == NULL)
        return 0;
    g_autoptr (DbnMsgEvalRateReply) r =
        dbn_msg_eval_rate_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    g_assert_nonnull (r);
    g_assert_cmpstr (r->case_no, ==, case_no);
    g_assert_cmpstr (r->level, ==, level);
    return r->seq;
}

static GBytes *
call_month (Fixture *f, const char *wire_name, const char *month, GError **error)
{
    GBytes *body = NULL;
    if (g_strcmp0 (wire_name, DBN_MSG_EVAL_CLOSE_WIRE) == 0) {
        g_autoptr (DbnMsgEvalClose) m = dbn_msg_eval_close_new ();
        m->env.key = next_key (f);
        m->month = g_strdup (month);
        body = dbn_msg_eval_close_encode (m, NULL);
    } else {
        g_autoptr (DbnMsgEvalSample) m = dbn_msg_eval_sample_new ();
        m->env.key = next_key (f);
        m->month = g_strdup (month);
        m->seed = g_strdup ("seed-of-the-test");
        body = dbn_msg_eval_sample_encode (m, NULL);
    }
    g_autoptr (GBytes) owned = body;
    return dbn_harness_call (f->harness, "evaluation", owned, CALL_MS, error);
}

/* D-EV-1: a rating reaches evaluation exactly once, across a kill -9 of
 * evaluation: the retry with the same key gets the first reply (the same
 * journal seq), a new rating of the same case and stage is refused, and the
 * month counts one. A station rates only its own station's cases. */
static void
test_rated_once_across_kill (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_counted (f, 1, 0);

    g_autoptr (GError) error = NULL;
    gint64 seq = rate (f, RESPONSIBLE, "rate-1", n, "reply", "satisfied", &error);
    g_assert_no_error (error);
    g_assert_cmpint (seq, >, 0);

    /* kill -9 mid-month; the outbox (here the test) sends again with the same key. */
    dbn_harness_kill (f->evaluation);
    g_object_unref (f->evaluation);
    f->evaluation = dbn_harness_start_service (f->harness, "evaluation");
    g_assert_cmpint (rate (f, RESPONSIBLE, "rate-1", n, "reply", "satisfied", &error), ==, seq);
    g_assert_no_error (error);

    /* Rated twice: refused. */
    g_assert_cmpint (rate (f, RESPONSIBLE, "rate-2", n, "reply", "basic", &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED);
    g_clear_error (&error);
    /* Another station's case: forbidden. */
    g_assert_cmpint (rate (f, "station:shiqiao", "rate-3", n, "window", "basic", &error), ==, 0);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);

    g_autoptr (DbnMsgEvalFigure) row = figure (f, "2026-11", "station", "qingshui", NULL);
    g_assert_nonnull (row);
    g_assert_cmpint (row->rated, ==, 1);
    g_assert_cmpint (row->satisfied, ==, 1);
    g_assert_cmpint (row->basic, ==, 0);
}

/* D-EV-7: an unsatisfied rating is published at once on the area's topic,
 * where the supervisor (supervisor:east, qingshui's area) listens. */
static void
test_unsatisfied_tells_the_area (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_counted (f, 1, 0);
    g_autoptr (GError) error = NULL;
    void *sub = dbn_bus_socket_new (bus_of (f, "supervisor:east"), ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "a/east", 6);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb", 2);
    DbnConfig *config = dbn_harness_get_config (f->harness);
    g_assert_true (dbn_bus_connect (bus_of (f, "supervisor:east"), sub,
                                    dbn_config_get_publish_endpoint (config, "evaluation"), &error));
    /* A heartbeat proves the subscription is in place before the rating. */
    gboolean heartbeat = FALSE, told = FALSE;
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (!told && g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, sub, 0);
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, sub, 0);
        if (zmq_msg_size (&topic) >= 2 && memcmp (zmq_msg_data (&topic), "hb", 2) == 0) {
            if (!heartbeat) {
                heartbeat = TRUE;
                g_assert_cmpint (rate (f, RESPONSIBLE, "rate-u", n, "reply", "unsatisfied", &error), >, 0);
                g_assert_no_error (error);
            }
        } else {
            g_autoptr (DbnMsgEvalRated) ev =
                dbn_msg_eval_rated_decode (zmq_msg_data (&body), zmq_msg_size (&body), &error);
            g_assert_no_error (error);
            g_assert_cmpstr (ev->env.case_no, ==, n);
            g_assert_cmpstr (ev->level, ==, "unsatisfied");
            g_assert_cmpstr (ev->area, ==, "east");
            told = TRUE;
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    zmq_close (sub);
    g_assert_true (heartbeat);
    g_assert_true (told);
}

/* D-EV-2: the return-visit list of November, drawn on 2 December (the
 * first working day after), is 35 % of the month's handled cases, redone
 * here from its seed and population alone; it is drawn once. Without an
 * audit head the seed is the fallback (test_evaluation_wire: with one). */
static void
test_sample_from_seed (Fixture *f, gconstpointer data)
{
    enum { N = 20 };
    char *cases[N];
    for (int i = 0; i < N; i++)
        cases[i] = submit (f);
    wait_counted (f, N, 0);
    for (int i = 0; i < N; i++)
        return_case (f, cases[i]);
    wait_counted (f, N, N);

    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) early = call_month (f, DBN_MSG_EVAL_SAMPLE_WIRE, "2026-11", &error);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE);
    g_clear_error (&error);

    move_clock (f, cst (12, 2, 10));
    g_autoptr (GBytes) reply = call_month (f, DBN_MSG_EVAL_SAMPLE_WIRE, "2026-11", &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgEvalSampleReply) r =
        dbn_msg_eval_sample_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    /* No audit service runs here: the documented fallback, said so. The
     * caller's seed is ignored (nobody picks the cases). */
    g_assert_cmpstr (r->seed, ==, "daiban-T01-2026-11");
    g_assert_cmpstr (r->seed_source, ==, "fallback");
    g_assert_false (r->has_head_size);
    g_assert_cmpint (r->percent, ==, 35);
    g_assert_cmpuint (g_strv_length (r->population), ==, N);
    g_assert_cmpuint (g_strv_length (r->cases), ==, 7); /* 35 % of 20 */
    g_autoptr (GPtrArray) redone =
        eval_sample_draw (r->seed, (const char *const *) r->population, g_strv_length (r->population), 35);
    g_assert_cmpuint (redone->len, ==, 7);
    for (guint i = 0; i < redone->len; i++)
        g_assert_cmpstr (redone->pdata[i], ==, r->cases[i]);
    for (int i = 0; i < N; i++)
        g_assert_true (g_strv_contains ((const char *const *) r->population, cases[i]));

    /* Drawn once: asking again answers the recorded draw. */
    g_autoptr (GBytes) again = call_month (f, DBN_MSG_EVAL_SAMPLE_WIRE, "2026-11", &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgEvalSampleReply) r2 =
        dbn_msg_eval_sample_reply_decode (g_bytes_get_data (again, NULL), g_bytes_get_size (again), &error);
    g_assert_no_error (error);
    g_assert_true (g_strv_equal ((const char *const *) r2->cases, (const char *const *) r->cases));
    for (int i = 0; i < N; i++)
        g_free (cases[i]);
}

/* D-AUD-5, D-EV-6: a month closes once it has ended, once; its figures are
 * fixed, and a rating that would count in it is refused. */
static void
test_closed_month_refuses (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_counted (f, 1, 0);
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (rate (f, RESPONSIBLE, "rate-1", n, "reply", "basic", &error), >, 0);
    g_assert_no_error (error);

    g_autoptr (GBytes) early = call_month (f, DBN_MSG_EVAL_CLOSE_WIRE, "2026-11", &error);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE);
    g_clear_error (&error);

    move_clock (f, cst (12, 1, 9));
    g_autoptr (GBytes) closed = call_month (f, DBN_MSG_EVAL_CLOSE_WIRE, "2026-11", &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) twice = call_month (f, DBN_MSG_EVAL_CLOSE_WIRE, "2026-11", &error);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_clear_error (&error);

    /* A rating stamped in November (a PC whose outbox was offline, its
     * clock behind) is refused: the closed figures do not move. */
    move_clock (f, cst (11, 30, 17));
    g_assert_cmpint (rate (f, RESPONSIBLE, "rate-2", n, "window", "unsatisfied", &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_clear_error (&error);
    gboolean is_closed = FALSE;
    g_autoptr (DbnMsgEvalFigure) row = figure (f, "2026-11", "station", "qingshui", &is_closed);
    g_assert_true (is_closed);
    g_assert_nonnull (row);
    g_assert_cmpint (row->rated, ==, 1);
    g_assert_cmpint (row->basic, ==, 1);
    g_assert_cmpint (row->unsatisfied, ==, 0);
}

static DbnCliRun
cli (Fixture *f, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) dbn_harness_get_data_dir (f->harness));
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    return dbn_harness_run_cli ((const char *const *) argv->pdata);
}

/* The CLI (issue 13): `case reply --rating` sends the reply to routing and
 * the rating to evaluation under one key, so its retry counts once; `eval
 * month --json`, `eval sample`, `eval close` (twice: refused) and `eval
 * export` in the 好差评 shape. */
static void
test_cli (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_counted (f, 1, 0);
    return_case (f, n);
    wait_counted (f, 1, 1);
    const char *reply[] = { "case",     "reply",       n,       "--reason", "不属于代办范围",
                            "--rating", "unsatisfied", "--key", "reply-1",  NULL };
    DbnCliRun r = cli (f, reply);
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);
    r = cli (f, reply); /* the retry: the same key, counted once */
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);
    const char *bad[] = { "case", "reply", n, "--reason", "x", "--rating", "yes", NULL };
    r = cli (f, bad);
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);

    r = cli (f, (const char *[]){ "eval", "month", "2026-11", "--json", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
    JsonObject *month = json_node_get_object (json_parser_get_root (parser));
    g_assert_false (json_object_get_boolean_member (month, "closed"));
    JsonArray *rows = json_object_get_array_member (month, "figures");
    gboolean found = FALSE;
    for (guint i = 0; i < json_array_get_length (rows); i++) {
        JsonObject *row = json_array_get_object_element (rows, i);
        if (g_strcmp0 (json_object_get_string_member (row, "scope"), "station") != 0
            || g_strcmp0 (json_object_get_string_member (row, "id"), "qingshui") != 0)
            continue;
        found = TRUE;
        g_assert_cmpint (json_object_get_int_member (row, "rated"), ==, 1);
        g_assert_cmpint (json_object_get_int_member (row, "unsatisfied"), ==, 1);
        g_assert_cmpint (json_object_get_int_member (row, "returns"), ==, 1);
        g_assert_cmpint (json_object_get_int_member (row, "satisfaction_permille"), ==, 0);
    }
    g_assert_true (found);
    dbn_cli_run_clear (&r);

    /* D-EV-4..6 "for any period": November's days give the month's counts,
     * October's none; a backwards period is refused. */
    const char *const periods[][2] = { { "2026-11-01", "2026-11-30" }, { "2026-10-01", "2026-10-31" } };
    for (guint p = 0; p < G_N_ELEMENTS (periods); p++) {
        r = cli (f, (const char *[]){ "eval", "period", periods[p][0], periods[p][1], "--json", NULL });
        g_assert_cmpint (r.status, ==, 0);
        g_autoptr (JsonParser) pp = json_parser_new ();
        g_assert_true (json_parser_load_from_data (pp, r.out, -1, NULL));
        JsonObject *period = json_node_get_object (json_parser_get_root (pp));
        g_assert_cmpstr (json_object_get_string_member (period, "from"), ==, periods[p][0]);
        JsonArray *prow = json_object_get_array_member (period, "figures");
        gint64 accepted = 0, returns = 0, unsatisfied = 0;
        for (guint i = 0; i < json_array_get_length (prow); i++) {
            JsonObject *row = json_array_get_object_element (prow, i);
            if (g_strcmp0 (json_object_get_string_member (row, "scope"), "station") == 0
                && g_strcmp0 (json_object_get_string_member (row, "id"), "qingshui") == 0) {
                accepted = json_object_get_int_member (row, "accepted");
                returns = json_object_get_int_member (row, "returns");
                unsatisfied = json_object_get_int_member (row, "unsatisfied");
            }
        }
        g_assert_cmpint (accepted, ==, p == 0 ? 1 : 0);
        g_assert_cmpint (returns, ==, p == 0 ? 1 : 0);
        g_assert_cmpint (unsatisfied, ==, p == 0 ? 1 : 0);
        dbn_cli_run_clear (&r);
    }
    r = cli (f, (const char *[]){ "eval", "period", "2026-11-30", "2026-11-01", NULL });
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "eval.invalid"));
    dbn_cli_run_clear (&r);

    move_clock (f, cst (12, 2, 10));
    r = cli (f, (const char *[]){ "eval", "sample", "--month", "2026-11", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "0/1")); /* 35 % of one case rounds to none */
    g_assert_nonnull (strstr (r.out, "daiban-T01-2026-11 (fallback)"));
    dbn_cli_run_clear (&r);

    r = cli (f,
             (const char *[]){ "eval", "export", "--month", "2026-11", "--format", "haochaping.json", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonParser) exported = json_parser_new ();
    g_assert_true (json_parser_load_from_data (exported, r.out, -1, NULL));
    JsonObject *doc = json_node_get_object (json_parser_get_root (exported));
    g_assert_cmpstr (json_object_get_string_member (doc, "region_code"), ==, "330106");
    JsonArray *records = json_object_get_array_member (doc, "records");
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    JsonObject *record = json_array_get_object_element (records, 0);
    g_assert_cmpstr (json_object_get_string_member (record, "case_no"), ==, n);
    g_assert_cmpstr (json_object_get_string_member (record, "stage"), ==, "reply");
    dbn_cli_run_clear (&r);

    r = cli (f, (const char *[]){ "eval", "close", "2026-11", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "2026-11"));
    dbn_cli_run_clear (&r);
    r = cli (f, (const char *[]){ "eval", "close", "2026-11", NULL });
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "eval.month-closed"));
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-evaluation-service");
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD ("/evaluation/D-EV-1/rated-once-across-kill-9", test_rated_once_across_kill);
    ADD ("/evaluation/D-EV-7/unsatisfied-tells-the-area", test_unsatisfied_tells_the_area);
    ADD ("/evaluation/D-EV-2/sample-35-from-its-seed", test_sample_from_seed);
    ADD ("/evaluation/D-AUD-5/closed-month-refuses", test_closed_month_refuses);
    ADD ("/evaluation/cli/reply-rating-month-sample-export-close", test_cli);
    return g_test_run ();
}
