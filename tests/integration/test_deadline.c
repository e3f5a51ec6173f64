/* test_deadline: daiban-intake, -routing and -deadline as real processes
 * with CURVE and a manual clock (DAIBAN_CLOCK_FILE), moved across working
 * days in milliseconds.
 *
 *   /deadline/D-DL-1/yellow-red-violation   a walk-in township matter (1
 *       working day at the centre) crosses yellow, red and violation at the
 *       exact instants, each published on s/, q/, a/ and the audit topic
 *   /deadline/D-DL-6/explained-no-violation an explanation after red stops the
 *       violation and tells the applicant (deadline.explained)
 *   /deadline/D-DL-7/stop-moves-due-date    3 working days stopped move every
 *       running clock's due date by exactly 3 working days; a case accepted
 *       with materials missing starts with its clocks stopped
 *   /deadline/queue/rows-pages-and-updates  deadline.queue's rows by hand,
 *       its pages, and deadline.due_changed: one per row change on the
 *       queue's topic, snapshot + updates = fresh snapshot; a petition never
 *       on a/<area> (D-INT-8); `daiban deadline queue`
 *   /deadline/queue/principals             who may read which queue
 *   /deadline/D-DL-3/station-scope-calendar-days  "3 days" are calendar days:
 *       across a weekend and 劳动节, stopped and resumed, warning, red and
 *       violation at their instants (the grace in working days)
 *   /deadline/D-CAT-3/catalog-reload-reaches-new-clocks  `daiban catalog
 *       reload` puts a changed limit_days in force in the deadline service:
 *       new cases get it, a case accepted before keeps its promised date
 *   /deadline/D-DL-4/promised-at-acceptance  intake's reply and `daiban case
 *       submit` give the date the committed clock is due
 *   /deadline/restart/kill-9-fires-once     the service is SIGKILLed before a
 *       due instant and restarted after it: the firing happens once, and a
 *       second kill -9 and restart does not repeat it
 *
 * "Not earlier" is proved without sleeping: the clock is set one millisecond
 * before the instant and the test waits for two heartbeats of the deadline
 * service (it ticks every 20 ms here) before checking that nothing fired.
 */
#include <string.h>
#include <glib/gstdio.h>
#include <zmq.h>

#include "dbn_test_harness.h"

#define CALL_MS 5000
#define WAIT_US (20 * G_USEC_PER_SEC)

typedef struct {
    char *topic;   /* without the trailing '/' */
    char *type;    /* event type */
    char *case_no; /* may be NULL */
    gint64 seq;
    gint64 ts;
    GBytes *body; /* the frame */
} Heard;

static void
heard_free (Heard *h)
{
    g_free (h->topic);
    g_free (h->type);
    g_free (h->case_no);
    g_bytes_unref (h->body);
    g_free (h);
}

typedef struct {
    DbnHarness *harness;
    char *clock_file;
    GSubprocess *intake;
    GSubprocess *routing;
    GSubprocess *deadline;
    void *sub;        /* SUB on deadline's events */
    GPtrArray *heard; /* Heard*: every deadline event heard */
    guint hb;         /* heartbeats heard */
    gint64 hb_ts;     /* the service's clock in the last heartbeat */
    guint n_keys;
} Fixture;

/* 2026-MM-DD hh:mm China Standard Time, in ms since the epoch. */
static gint64
cst (int month, int day, int hour, int minute)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, minute, 0);
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

static void
pump (Fixture *f, int timeout_ms)
{
    zmq_pollitem_t item = { f->sub, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return;
    while (TRUE) {
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&topic, f->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&topic);
            zmq_msg_close (&body);
            return;
        }
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, f->sub, 0);
        gsize tlen = zmq_msg_size (&topic);
        const char *tdata = zmq_msg_data (&topic);
        if (tlen >= 2 && memcmp (tdata, "hb", 2) == 0) {
            DbnEnvEvent env = { 0 };
            if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL))
                f->hb_ts = env.ts;
            dbn_env_event_clear (&env);
            f->hb++;
        } else {
            DbnEnvEvent env = { 0 };
            if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
                Heard *h = g_new0 (Heard, 1);
                h->topic = g_strndup (tdata, tlen > 0 && tdata[tlen - 1] == '/' ? tlen - 1 : tlen);
                h->type = g_strdup (env.type);
                h->case_no = g_strdup (env.case_no);
                h->seq = env.seq;
                h->ts = env.ts;
                h->body = g_bytes_new (zmq_msg_data (&body), zmq_msg_size (&body));
                g_ptr_array_add (f->heard, h);
            }
            dbn_env_event_clear (&env);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
}

static guint
count_heard (Fixture *f, const char *type, const char *case_no, const char *topic)
{
    guint n = 0;
    for (guint i = 0; i < f->heard->len; i++) {
        Heard *h = f->heard->pdata[i];
        if (g_strcmp0 (h->type, type) == 0 && g_strcmp0 (h->case_no, case_no) == 0
            && (topic == NULL || g_strcmp0 (h->topic, topic) == 0))
            n++;
    }
    return n;
}

static Heard *
wait_heard (Fixture *f, const char *type, const char *case_no)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (g_get_monotonic_time () < end) {
        for (guint i = 0; i < f->heard->len; i++) {
            Heard *h = f->heard->pdata[i];
            if (g_strcmp0 (h->type, type) == 0 && g_strcmp0 (h->case_no, case_no) == 0)
                return h;
        }
        pump (f, 100);
    }
    g_error ("never heard %s for %s", type, case_no);
}

/* Two heartbeats after now: the service has run many ticks since. */
static void
wait_heartbeats (Fixture *f, guint n)
{
    guint target = f->hb + n;
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (f->hb < target && g_get_monotonic_time () < end)
        pump (f, 100);
    g_assert_cmpuint (f->hb, >=, target);
}

/* Moves the clock and waits for n heartbeats that show the service reading
 * it (a heartbeat carries the service's clock): every command and tick
 * after that sees the new time. */
static void
move_clock (Fixture *f, gint64 ms, guint n)
{
    set_clock (f, ms);
    guint seen = 0;
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (seen < n && g_get_monotonic_time () < end) {
        guint before = f->hb;
        pump (f, 100);
        if (f->hb != before && f->hb_ts == ms)
            seen++;
    }
    g_assert_cmpuint (seen, ==, n);
}

static void
connect_sub (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    f->sub = dbn_bus_socket_new (dbn_harness_get_bus (f->harness), ZMQ_SUB, &error);
    g_assert_no_error (error);
    const char *prefixes[] = { "q/", "s/", "a/", "audit", "hb" };
    for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
        zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, prefixes[i], strlen (prefixes[i]));
    DbnConfig *config = dbn_harness_get_config (f->harness);
    g_assert_true (dbn_bus_connect (dbn_harness_get_bus (f->harness), f->sub,
                                    dbn_config_get_publish_endpoint (config, "deadline"), &error));
    wait_heartbeats (f, 1);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (f->harness);
    /* Tick often: the test waits for heartbeats, not for ticks. */
    g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    /* The data folder's own catalog, so a test can edit it and reload (D-CAT-3). */
    g_autoptr (GRegex) catalog_line = g_regex_new ("^catalog = .*$", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *edited =
        g_regex_replace_literal (catalog_line, text, -1, 0, "catalog = catalog.ini", 0, NULL);
    g_autofree char *more = g_strconcat (edited, "[deadline]\ntick_ms = 20\n", NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
    g_autofree char *shipped_catalog = NULL;
    g_assert_true (
        g_file_get_contents (DBN_SOURCE_DIR "/schemas/data/catalog.ini", &shipped_catalog, NULL, NULL));
    g_autofree char *catalog = g_build_filename (dir, "catalog.ini", NULL);
    g_assert_true (g_file_set_contents (catalog, shipped_catalog, -1, NULL));
    /* The data folder's own calendar, so a test can add a year and reload. */
    g_autofree char *shipped = NULL;
    g_assert_true (g_file_get_contents (DBN_SOURCE_DIR "/schemas/data/calendar.ini", &shipped, NULL, NULL));
    g_autofree char *calendar = g_build_filename (dir, "calendar.ini", NULL);
    g_assert_true (g_file_set_contents (calendar, shipped, -1, NULL));
    f->clock_file = g_build_filename (dir, "clock", NULL);
    set_clock (f, cst (3, 2, 10, 0)); /* Monday 2 March 2026, 10:00 */
    g_setenv ("DAIBAN_CLOCK_FILE", f->clock_file, TRUE);
    f->heard = g_ptr_array_new_with_free_func ((GDestroyNotify) heard_free);
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
    f->deadline = dbn_harness_start_service (f->harness, "deadline");
    connect_sub (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    zmq_close (f->sub);
    g_assert_true (dbn_harness_stop (f->deadline, 10000));
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->deadline);
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_ptr_array_unref (f->heard);
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    dbn_harness_free (f->harness);
    g_free (f->clock_file);
}

static DbnMsgIntakeSubmitReply *
submit_reply (Fixture *f, const char *matter, const char *const *materials)
{
    g_autofree char *key = g_strdup_printf ("dl-%u", ++f->n_keys);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, f->n_keys, TRUE);
    g_free (m->matter);
    m->matter = g_strdup (matter);
    g_strfreev (m->materials);
    m->materials = g_strdupv ((char **) materials);
    /* Walk-in: the case is at the centre's window at once (D-INT-7). */
    m->channel = g_strdup ("walk-in");
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    DbnMsgIntakeSubmitReply *r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return r;
}

static char *
submit (Fixture *f, const char *matter, const char *const *materials)
{
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_reply (f, matter, materials);
    return g_strdup (r->case_no);
}

static DbnMsgDeadlineCaseDueReply *
case_due (Fixture *f, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgDeadlineCaseDue) m = dbn_msg_deadline_case_due_new ();
    m->env.key = g_strdup ("due");
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_deadline_case_due_encode (m, NULL);
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "deadline", body, CALL_MS, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                   error);
}

/* The deadline service follows routing, which follows intake: poll until
 * it has the case with at least n clocks. */
static DbnMsgDeadlineCaseDueReply *
wait_clocks (Fixture *f, const char *case_no, guint n)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (g_get_monotonic_time () < end) {
        g_autoptr (GError) error = NULL;
        DbnMsgDeadlineCaseDueReply *r = case_due (f, case_no, &error);
        if (r != NULL && r->clocks->len >= n)
            return r;
        if (r == NULL && !g_error_matches (error, DBN_ERROR, DBN_ERROR_NOT_FOUND))
            g_error ("deadline.case.due: %s", error->message);
        g_clear_pointer (&r, dbn_msg_deadline_case_due_reply_free);
        g_usleep (10 * 1000); /* the events are on their way through two services */
    }
    g_error ("the deadline service never got %u clocks for %s", n, case_no);
}

static DbnMsgDeadlineClock *
clock_of (DbnMsgDeadlineCaseDueReply *r, const char *name)
{
    for (guint i = 0; i < r->clocks->len; i++) {
        GBytes *b = r->clocks->pdata[i];
        g_autoptr (GError) error = NULL;
        DbnMsgDeadlineClock *k =
            dbn_msg_deadline_clock_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        if (g_strcmp0 (k->name, name) == 0)
            return k;
        dbn_msg_deadline_clock_free (k);
    }
    g_error ("no %s clock", name);
}

static const char *const zhunsheng_all[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };

/* The stage event fires at `at` and not a millisecond before; it goes to
 * the window's, station's and area's topics and to the committee. */
static void
cross (Fixture *f, const char *case_no, const char *type, gint64 at)
{
    move_clock (f, at - 1, 2);
    pump (f, 0);
    g_assert_cmpuint (count_heard (f, type, case_no, NULL), ==, 0);
    set_clock (f, at);
    Heard *h = wait_heard (f, type, case_no);
    g_assert_cmpint (h->ts, ==, at);
    wait_heartbeats (f, 1); /* every copy is in */
    const char *topics[] = { "s/qingshui", "q/jisheng", "a/east", "audit" };
    for (gsize i = 0; i < G_N_ELEMENTS (topics); i++)
        g_assert_cmpuint (count_heard (f, type, case_no, topics[i]), ==, 1);
}

static void
test_yellow_red_violation (Fixture *f, gconstpointer data)
{
    g_autofree char *case_no = submit (f, "JS-ZHUNSHENG", zhunsheng_all);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 1);
    g_autoptr (DbnMsgDeadlineClock) k = clock_of (r, "centre");
    /* D-DL-1: reached the centre Mon 2 Mar: due at the end of Tue 3 Mar. */
    g_assert_cmpstr (k->due, ==, "2026-03-03");
    g_assert_cmpstr (k->state, ==, "running");
    g_assert_cmpint (k->remaining, ==, 1);
    g_assert_true (k->covered);
    /* Yellow at the end of the working day before the due day (Mon). */
    cross (f, case_no, DBN_MSG_DEADLINE_WARNING_WIRE, cst (3, 3, 0, 0));
    /* Red at the end of the due day. */
    cross (f, case_no, DBN_MSG_DEADLINE_OVERDUE_WIRE, cst (3, 4, 0, 0));
    /* Violation after the grace (1 working day) without an explanation. */
    cross (f, case_no, DBN_MSG_DEADLINE_VIOLATION_WIRE, cst (3, 5, 0, 0));
    g_autoptr (DbnMsgDeadlineCaseDueReply) after = wait_clocks (f, case_no, 1);
    g_autoptr (DbnMsgDeadlineClock) done = clock_of (after, "centre");
    g_assert_cmpstr (done->stage, ==, "violation");
    g_assert_cmpint (done->remaining, ==, -2); /* Wed 4 and Thu 5 Mar past the due day */
}

static void
test_explained (Fixture *f, gconstpointer data)
{
    g_autofree char *case_no = submit (f, "JS-ZHUNSHENG", zhunsheng_all);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 1);
    cross (f, case_no, DBN_MSG_DEADLINE_OVERDUE_WIRE, cst (3, 4, 0, 0));
    g_autoptr (DbnMsgDeadlineCaseExplain) m = dbn_msg_deadline_case_explain_new ();
    m->env.key = g_strdup ("explain-1");
    m->case_no = g_strdup (case_no);
    m->text = g_strdup ("县卫健委系统升级，证件次日发放");
    g_autoptr (GBytes) body = dbn_msg_deadline_case_explain_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "deadline", body, CALL_MS, &error);
    g_assert_no_error (error);
    /* The applicant is told: the event goes to the station that tells them. */
    wait_heard (f, DBN_MSG_DEADLINE_EXPLAINED_WIRE, case_no);
    wait_heartbeats (f, 1);
    g_assert_cmpuint (count_heard (f, DBN_MSG_DEADLINE_EXPLAINED_WIRE, case_no, "s/qingshui"), ==, 1);
    /* Past the violation instant: nothing, the delay was explained (D-DL-6). */
    move_clock (f, cst (3, 6, 12, 0), 2);
    pump (f, 0);
    g_assert_cmpuint (count_heard (f, DBN_MSG_DEADLINE_VIOLATION_WIRE, case_no, NULL), ==, 0);
    g_autoptr (DbnMsgDeadlineCaseDueReply) after = wait_clocks (f, case_no, 1);
    g_autoptr (DbnMsgDeadlineClock) k = clock_of (after, "centre");
    g_assert_true (k->explained);
    g_assert_cmpstr (k->stage, ==, "overdue");
    /* An explanation without its reason is refused. */
    g_free (m->text);
    m->text = g_strdup ("  ");
    g_free (m->env.key);
    m->env.key = g_strdup ("explain-2");
    g_autoptr (GBytes) empty = dbn_msg_deadline_case_explain_encode (m, NULL);
    g_autoptr (GError) refused = NULL;
    g_autoptr (GBytes) none = dbn_harness_call (f->harness, "deadline", empty, CALL_MS, &refused);
    g_assert_null (none);
    g_assert_true (dbn_error_matches_wire (refused, "invalid"));
}

static GBytes *
suspend_or_resume (Fixture *f, const char *case_no, gboolean suspend)
{
    g_autoptr (GBytes) body = NULL;
    if (suspend) {
        g_autoptr (DbnMsgDeadlineCaseSuspend) m = dbn_msg_deadline_case_suspend_new ();
        m->env.key = g_strdup_printf ("suspend-%s", case_no);
        m->case_no = g_strdup (case_no);
        m->reason = g_strdup ("待补充家庭收入证明原件");
        body = dbn_msg_deadline_case_suspend_encode (m, NULL);
    } else {
        g_autoptr (DbnMsgDeadlineCaseResume) m = dbn_msg_deadline_case_resume_new ();
        m->env.key = g_strdup_printf ("resume-%s", case_no);
        m->case_no = g_strdup (case_no);
        body = dbn_msg_deadline_case_resume_encode (m, NULL);
    }
    g_autoptr (GError) error = NULL;
    GBytes *reply = dbn_harness_call (f->harness, "deadline", body, CALL_MS, &error);
    g_assert_no_error (error);
    return reply;
}

static void
test_stop_moves_due (Fixture *f, gconstpointer data)
{
    /* MZ-DIBAO: a county matter (progress told within 5 working days,
     * D-DL-2) and a 上报件 promised within its catalog limit of 20 (D-DL-4). */
    static const char *const dibao[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    g_autofree char *case_no = submit (f, "MZ-DIBAO", dibao);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) progress = clock_of (r, "progress");
    g_autoptr (DbnMsgDeadlineClock) committed = clock_of (r, "committed");
    /* By hand: 3, 4, 5, 6, 9 Mar; and 20 working days from Mon 2 Mar end Mon 30 Mar. */
    g_assert_cmpstr (progress->due, ==, "2026-03-09");
    g_assert_cmpstr (committed->due, ==, "2026-03-30");

    /* Stopped Tue 3 Mar, resumed Fri 6 Mar: Wed, Thu, Fri did not count. */
    move_clock (f, cst (3, 3, 10, 0), 1);
    g_autoptr (GBytes) s = suspend_or_resume (f, case_no, TRUE);
    g_autoptr (DbnMsgDeadlineCaseDueReply) stopped =
        dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (s, NULL), g_bytes_get_size (s), NULL);
    g_assert_true (stopped->suspended);
    g_autoptr (DbnMsgDeadlineClock) p_stopped = clock_of (stopped, "progress");
    g_assert_cmpstr (p_stopped->state, ==, "stopped");
    g_assert_cmpint (p_stopped->remaining, ==, 4); /* Wed 4, Thu 5, Fri 6, Mon 9 */
    g_assert_null (p_stopped->due);

    move_clock (f, cst (3, 6, 10, 0), 1);
    g_autoptr (GBytes) g = suspend_or_resume (f, case_no, FALSE);
    g_autoptr (DbnMsgDeadlineCaseDueReply) resumed =
        dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (g, NULL), g_bytes_get_size (g), NULL);
    g_autoptr (DbnMsgDeadlineClock) p2 = clock_of (resumed, "progress");
    g_autoptr (DbnMsgDeadlineClock) c2 = clock_of (resumed, "committed");
    /* Exactly 3 working days later: Mon 9 → Thu 12 Mar; Mon 30 Mar → Thu 2 Apr. */
    g_assert_cmpstr (p2->due, ==, "2026-03-12");
    g_assert_cmpstr (c2->due, ==, "2026-04-02");
    g_assert_cmpstr (p2->state, ==, "running");

    /* A case accepted with materials missing starts with its clocks stopped
     * at their full length (D-INT-4, D-DL-7). */
    static const char *const part[] = { "申请书", "户口簿", NULL };
    g_autofree char *waiting = submit (f, "MZ-DIBAO", part);
    g_autoptr (DbnMsgDeadlineCaseDueReply) w = wait_clocks (f, waiting, 2);
    g_assert_true (w->suspended);
    g_autoptr (DbnMsgDeadlineClock) wp = clock_of (w, "progress");
    g_assert_cmpstr (wp->state, ==, "stopped");
    g_assert_cmpint (wp->remaining, ==, 5);
}

/* deadline's journal through the sync protocol: events of type for case_no. */
static guint
journaled (Fixture *f, const char *type, const char *case_no)
{
    g_autoptr (DbnMsgSysSync) m = dbn_msg_sys_sync_new ();
    m->env.key = g_strdup ("sync");
    m->after = 0;
    g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "deadline", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgSysSyncReply) r =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    guint n = 0;
    for (guint i = 0; i < r->events->len; i++) {
        GBytes *e = r->events->pdata[i];
        DbnEnvEvent env = { 0 };
        g_assert_true (dbn_env_event_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), &env, NULL));
        n += g_strcmp0 (env.type, type) == 0 && g_strcmp0 (env.case_no, case_no) == 0;
        dbn_env_event_clear (&env);
    }
    return n;
}

/* A restarted service fires before the test's SUB is connected again:
 * watch its journal instead. */
static void
wait_journaled (Fixture *f, const char *type, const char *case_no)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (journaled (f, type, case_no) == 0) {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (10 * 1000); /* the firing follows the restart's rebuild */
    }
}

static void
restart_deadline (Fixture *f)
{
    g_object_unref (f->deadline);
    f->deadline = dbn_harness_start_service (f->harness, "deadline");
}

static void
test_kill_fires_once (Fixture *f, gconstpointer data)
{
    g_autofree char *case_no = submit (f, "JS-ZHUNSHENG", zhunsheng_all);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 1);
    /* Down across the yellow instant (the end of Mon 2 Mar). */
    dbn_harness_kill (f->deadline);
    set_clock (f, cst (3, 3, 9, 0));
    restart_deadline (f);
    wait_journaled (f, DBN_MSG_DEADLINE_WARNING_WIRE, case_no);
    g_assert_cmpuint (journaled (f, DBN_MSG_DEADLINE_WARNING_WIRE, case_no), ==, 1);
    /* Killed again right after it fired: the restart must not repeat it. */
    dbn_harness_kill (f->deadline);
    restart_deadline (f);
    wait_heartbeats (f, 2);
    g_assert_cmpuint (journaled (f, DBN_MSG_DEADLINE_WARNING_WIRE, case_no), ==, 1);
    /* Down across both the red and the violation instants: each fires once. */
    dbn_harness_kill (f->deadline);
    set_clock (f, cst (3, 5, 9, 0));
    restart_deadline (f);
    wait_journaled (f, DBN_MSG_DEADLINE_VIOLATION_WIRE, case_no);
    dbn_harness_kill (f->deadline);
    restart_deadline (f);
    wait_heartbeats (f, 2);
    g_assert_cmpuint (journaled (f, DBN_MSG_DEADLINE_WARNING_WIRE, case_no), ==, 1);
    g_assert_cmpuint (journaled (f, DBN_MSG_DEADLINE_OVERDUE_WIRE, case_no), ==, 1);
    g_assert_cmpuint (journaled (f, DBN_MSG_DEADLINE_VIOLATION_WIRE, case_no), ==, 1);
}

/* One routing command as the operator; asserts it was applied. */
static void
routing (Fixture *f, GBytes *body)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "routing", body, CALL_MS, &error);
    g_assert_no_error (error);
}

#define ROUTING_COMMAND(Type, name, m)                                                                       \
    g_autoptr (Type) m = dbn_msg_##name##_new ();                                                            \
    m->env.key = g_strdup_printf ("routing-%u", ++f->n_keys);                                                \
    m->case_no = g_strdup (case_no)

/* Polls until clock `name` of the case is in state. */
static DbnMsgDeadlineClock *
wait_state (Fixture *f, const char *case_no, guint n_clocks, const char *name, const char *state)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (g_get_monotonic_time () < end) {
        g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, n_clocks);
        DbnMsgDeadlineClock *k = clock_of (r, name);
        if (g_strcmp0 (k->state, state) == 0)
            return k;
        dbn_msg_deadline_clock_free (k);
        g_usleep (10 * 1000); /* routing's event is on its way */
    }
    g_error ("%s: the %s clock never became %s", case_no, name, state);
}

/* D-INT-4 → D-DL-7 through the real services: the applicant's missing
 * materials arrive (intake.supplement → case.materials_supplemented, and
 * routing's case.resumed); the clocks stopped since acceptance run again at
 * their full length from that day. */
static void
test_supplement_resumes_clocks (Fixture *f, gconstpointer data)
{
    static const char *const part[] = { "申请书", "户口簿", NULL };
    g_autofree char *case_no = submit (f, "MZ-DIBAO", part);
    g_autoptr (DbnMsgDeadlineClock) stopped = wait_state (f, case_no, 2, "progress", "stopped");
    g_assert_cmpint (stopped->remaining, ==, 5);

    /* Tue 10 Mar 2026: the rest is handed in at the station. */
    move_clock (f, cst (3, 10, 9, 30), 1);
    g_autoptr (DbnMsgIntakeSupplement) m = dbn_msg_intake_supplement_new ();
    m->env.key = g_strdup ("supplement-1");
    m->case_no = g_strdup (case_no);
    m->materials = g_strdupv ((char *[]){ "身份证", "家庭收入证明", NULL });
    g_autoptr (GBytes) body = dbn_msg_intake_supplement_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);

    g_autoptr (DbnMsgDeadlineClock) progress = wait_state (f, case_no, 2, "progress", "running");
    g_autoptr (DbnMsgDeadlineClock) committed = wait_state (f, case_no, 2, "committed", "running");
    /* By hand: 5 working days from Tue 10 Mar: 11, 12, 13, 16, 17 Mar.
     * 20 from Tue 10 Mar: 11-13 (3), 16-20 (8), 23-27 (13), 30-31 (15),
     * 1-3 Apr (18), 清明 4-6 Apr off, 7 (19), 8 Apr (20). */
    g_assert_cmpstr (progress->due, ==, "2026-03-17");
    g_assert_cmpstr (committed->due, ==, "2026-04-08");
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = case_due (f, case_no, &error);
    g_assert_no_error (error);
    g_assert_false (r->suspended);
}

/* D-DL-3: a handoff starts the 2-working-day report-back clock; escalation
 * the county department's 3 working days; the county's answer meets it and
 * the progress clock (D-DL-2). Routing's real commands drive it. */
static void
test_transfer_and_department (Fixture *f, gconstpointer data)
{
    static const char *const dibao[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    g_autofree char *case_no = submit (f, "MZ-DIBAO", dibao);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 2);
    {
        ROUTING_COMMAND (DbnMsgCaseClassify, case_classify, m);
        m->kind = g_strdup ("escalated");
        m->reason = g_strdup ("低保须县民政局审批");
        g_autoptr (GBytes) b = dbn_msg_case_classify_encode (m, NULL);
        routing (f, b);
    }
    {
        ROUTING_COMMAND (DbnMsgCaseAssign, case_assign, m);
        g_autoptr (GBytes) b = dbn_msg_case_assign_encode (m, NULL);
        routing (f, b);
    }
    move_clock (f, cst (3, 3, 10, 0), 1);
    {
        ROUTING_COMMAND (DbnMsgCaseHandoff, case_handoff, m);
        m->to = g_strdup ("window:minzheng");
        m->reason = g_strdup ("由民政窗口初审");
        g_autoptr (GBytes) b = dbn_msg_case_handoff_encode (m, NULL);
        routing (f, b);
    }
    g_autoptr (DbnMsgDeadlineClock) transfer = wait_state (f, case_no, 3, "transfer", "running");
    g_assert_cmpstr (transfer->rule, ==, "D-DL-3");
    g_assert_cmpstr (transfer->due, ==, "2026-03-05"); /* Tue 3 Mar + Wed 4, Thu 5 */
    move_clock (f, cst (3, 4, 10, 0), 1);
    {
        ROUTING_COMMAND (DbnMsgCaseEscalate, case_escalate, m);
        g_autoptr (GBytes) b = dbn_msg_case_escalate_encode (m, NULL);
        routing (f, b);
    }
    g_autoptr (DbnMsgDeadlineClock) department = wait_state (f, case_no, 4, "department", "running");
    g_assert_cmpstr (department->due, ==, "2026-03-09"); /* Wed 4 Mar + Thu 5, Fri 6, Mon 9 */
    g_autoptr (DbnMsgDeadlineClock) reported = wait_state (f, case_no, 4, "transfer", "met");
    {
        ROUTING_COMMAND (DbnMsgCaseCountyAnswer, case_county_answer, m);
        m->answer = g_strdup ("符合条件，予以批准");
        m->approved = TRUE;
        g_autoptr (GBytes) b = dbn_msg_case_county_answer_encode (m, NULL);
        routing (f, b);
    }
    g_autoptr (DbnMsgDeadlineClock) answered = wait_state (f, case_no, 4, "department", "met");
    g_autoptr (DbnMsgDeadlineClock) progress = wait_state (f, case_no, 4, "progress", "met");
    g_autoptr (DbnMsgDeadlineClock) committed = wait_state (f, case_no, 4, "committed", "running");
}

static GBytes *
call_as (Fixture *f, DbnBus *bus, GBytes *body, GError **error)
{
    return dbn_harness_call_on (f->harness, bus, "deadline", body, CALL_MS, error);
}

/* Who may: the case's station and window read and explain; another station
 * may not read it; the committee reads and never writes; the calendar is
 * the operator's. A refusal is the stable code `forbidden`. */
static void
test_principals (Fixture *f, gconstpointer data)
{
    g_autofree char *case_no = submit (f, "JS-ZHUNSHENG", zhunsheng_all);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 1);
    const char *names[] = { "station:qingshui", "station:shiqiao", "window:jisheng", "committee" };
    DbnBus *buses[G_N_ELEMENTS (names)];
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autofree char *key = dbn_harness_add_key (f->harness, names[i]);
        buses[i] = dbn_harness_new_bus (f->harness, key);
    }
    g_autoptr (DbnMsgDeadlineCaseDue) due = dbn_msg_deadline_case_due_new ();
    due->env.key = g_strdup ("due-p");
    due->case_no = g_strdup (case_no);
    g_autoptr (GBytes) due_body = dbn_msg_deadline_case_due_encode (due, NULL);
    gboolean may_read[] = { TRUE, FALSE, TRUE, TRUE };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autoptr (GError) error = NULL;
        /* The registry is re-read within 500 ms: retry while the key is new. */
        g_autoptr (GBytes) reply = NULL;
        for (int attempt = 0; attempt < 50; attempt++) {
            g_clear_error (&error);
            g_clear_pointer (&reply, g_bytes_unref);
            reply = call_as (f, buses[i], due_body, &error);
            if (reply != NULL || dbn_error_matches_wire (error, "forbidden"))
                break;
            g_usleep (100 * 1000);
        }
        if (may_read[i])
            g_assert_no_error (error);
        else
            g_assert_true (dbn_error_matches_wire (error, "forbidden"));
    }
    const gboolean may_explain[] = { TRUE, FALSE, TRUE, FALSE };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autoptr (DbnMsgDeadlineCaseExplain) m = dbn_msg_deadline_case_explain_new ();
        m->env.key = g_strdup_printf ("explain-p-%" G_GSIZE_FORMAT, i);
        m->case_no = g_strdup (case_no);
        m->text = g_strdup ("说明");
        g_autoptr (GBytes) body = dbn_msg_deadline_case_explain_encode (m, NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = call_as (f, buses[i], body, &error);
        if (may_explain[i])
            g_assert_no_error (error);
        else
            g_assert_true (dbn_error_matches_wire (error, "forbidden"));
    }
    g_autoptr (DbnMsgDeadlineCalendarReload) reload = dbn_msg_deadline_calendar_reload_new ();
    reload->env.key = g_strdup ("reload-p");
    g_autoptr (GBytes) reload_body = dbn_msg_deadline_calendar_reload_encode (reload, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) refused = call_as (f, buses[2], reload_body, &error);
    g_assert_true (dbn_error_matches_wire (error, "forbidden"));
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        dbn_bus_free (buses[i]);
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

/* The last deadline.due_changed of case_no heard on topic, after waiting
 * until there are n of them there. Caller owns it. */
static DbnMsgDeadlineDueChanged *
nth_due_changed (Fixture *f, const char *case_no, const char *topic, guint n)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (count_heard (f, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE, case_no, topic) < n) {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        pump (f, 100);
    }
    wait_heartbeats (f, 2); /* and no more than n */
    g_assert_cmpuint (count_heard (f, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE, case_no, topic), ==, n);
    for (guint i = f->heard->len; i > 0; i--) {
        Heard *h = f->heard->pdata[i - 1];
        if (g_strcmp0 (h->type, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE) == 0
            && g_strcmp0 (h->case_no, case_no) == 0 && g_strcmp0 (h->topic, topic) == 0) {
            g_autoptr (GError) error = NULL;
            DbnMsgDeadlineDueChanged *ev = dbn_msg_deadline_due_changed_decode (
                g_bytes_get_data (h->body, NULL), g_bytes_get_size (h->body), &error);
            g_assert_no_error (error);
            return ev;
        }
    }
    g_assert_not_reached ();
}

/* D-DL-5: a due date in 2027 is flagged; adding 2027 to the data and
 * `daiban calendar reload` computes it from the published schedule. The CLI
 * shows it all (`daiban case due`, `daiban case explain`). */
static void
test_cli_and_reload (Fixture *f, gconstpointer data)
{
    move_clock (f, cst (12, 28, 10, 0), 1);
    static const char *const dibao[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    g_autofree char *case_no = submit (f, "MZ-DIBAO", dibao);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) before = clock_of (r, "progress");
    /* 29, 30, 31 Dec, then weekends only: Fri 1 and Mon 4 Jan 2027. */
    g_assert_cmpstr (before->due, ==, "2027-01-04");
    g_assert_false (before->covered);
    /* The queue row: the case arrived (one deadline.due_changed). */
    g_autoptr (DbnMsgDeadlineDueChanged) arrived = nth_due_changed (f, case_no, "s/qingshui", 1);
    g_assert_cmpstr (arrived->clock, ==, "progress");
    g_assert_cmpstr (arrived->due, ==, "2027-01-04");
    g_assert_false (arrived->covered);

    DbnCliRun run = cli (f, (const char *[]){ "case", "due", case_no, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "progress    D-DL-2  2027-01-04 running   none       5  (日历外"));
    dbn_cli_run_clear (&run);

    /* A broken file is refused, with its line; the calendar in use stays. */
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (f->harness), "calendar.ini", NULL);
    g_autofree char *good = NULL;
    g_assert_true (g_file_get_contents (path, &good, NULL, NULL));
    g_autofree char *broken = g_strconcat (good, "[year 2027]\nholiday = 2027-13-01 x\n", NULL);
    g_assert_true (g_file_set_contents (path, broken, -1, NULL));
    run = cli (f, (const char *[]){ "calendar", "reload", NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "calendar.ini:"));
    dbn_cli_run_clear (&run);

    g_autofree char *added = g_strconcat (good, "[year 2027]\nholiday = 2027-01-01 元旦\n", NULL);
    g_assert_true (g_file_set_contents (path, added, -1, NULL));
    run = cli (f, (const char *[]){ "calendar", "reload", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "2025–2027"));
    dbn_cli_run_clear (&run);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r2 = wait_clocks (f, case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) after = clock_of (r2, "progress");
    /* 元旦 1 Jan 2027 is off now: 29, 30, 31 Dec, 4, 5 Jan. */
    g_assert_cmpstr (after->due, ==, "2027-01-05");
    g_assert_true (after->covered);
    /* The reload changed the row: one deadline.due_changed. */
    g_autoptr (DbnMsgDeadlineDueChanged) reloaded = nth_due_changed (f, case_no, "s/qingshui", 2);
    g_assert_cmpstr (reloaded->due, ==, "2027-01-05");
    g_assert_true (reloaded->covered);

    run = cli (f, (const char *[]){ "case", "explain", case_no, "--text", "县民政局入户核查排期", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "progress"));
    dbn_cli_run_clear (&run);
    wait_heard (f, DBN_MSG_DEADLINE_EXPLAINED_WIRE, case_no);
    /* D-DL-2: the written notice meets the progress clock. */
    g_autoptr (DbnMsgDeadlineCaseDueReply) r3 = wait_clocks (f, case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) told = clock_of (r3, "progress");
    g_assert_cmpstr (told->state, ==, "met");
    /* The row shows the committed clock now (20 working days). */
    g_autoptr (DbnMsgDeadlineDueChanged) explained = nth_due_changed (f, case_no, "q/minzheng", 3);
    g_assert_cmpstr (explained->clock, ==, "committed");
    g_assert_cmpstr (explained->rule, ==, "D-DL-4");
}

/* ---- deadline.queue and deadline.due_changed ---- */

static DbnMsgDeadlineQueueReply *
queue_page (Fixture *f, DbnBus *bus, const char *kind, const char *id, const char *after, gint64 limit,
            GError **error)
{
    g_autoptr (DbnMsgDeadlineQueue) m = dbn_msg_deadline_queue_new ();
    m->env.key = g_strdup_printf ("queue-%u", ++f->n_keys);
    m->queue = g_strdup (kind);
    m->id = g_strdup (id);
    m->after = g_strdup (after);
    m->has_limit = limit > 0;
    m->limit = limit;
    g_autoptr (GBytes) body = dbn_msg_deadline_queue_encode (m, NULL);
    g_autoptr (GBytes) reply = bus ? dbn_harness_call_on (f->harness, bus, "deadline", body, CALL_MS, error)
                                   : dbn_harness_call (f->harness, "deadline", body, CALL_MS, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_deadline_queue_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                error);
}

/* A row as one line; NULL for a row that shows nothing (no open clock). */
static char *
row_text (const char *clock, const char *rule, const char *due, gboolean has_remaining, gint64 remaining,
          const char *stage, gboolean suspended, gboolean covered)
{
    if (clock == NULL && g_strcmp0 (stage, "none") == 0 && !suspended)
        return NULL;
    g_autofree char *left =
        has_remaining ? g_strdup_printf ("r=%" G_GINT64_FORMAT, remaining) : g_strdup ("-");
    return g_strdup_printf ("%s %s %s %s %s%s%s", clock ? clock : "-", rule ? rule : "-", due ? due : "-",
                            left, stage, suspended ? " suspended" : "", covered ? "" : " uncovered");
}

/* One page (the whole queue: asserted not truncated): case → row text. */
static GHashTable *
snapshot (Fixture *f, const char *kind, const char *id, gint64 *seq)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgDeadlineQueueReply) r = queue_page (f, NULL, kind, id, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_false (r->truncated);
    g_assert_null (r->next);
    GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *b = r->items->pdata[i];
        g_autoptr (DbnMsgDeadlineDue) d =
            dbn_msg_deadline_due_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        char *text = row_text (d->clock, d->rule, d->due, d->has_remaining, d->remaining, d->stage,
                               d->suspended, d->covered);
        if (text != NULL)
            g_hash_table_insert (rows, g_strdup (d->case_no), text);
    }
    if (seq != NULL)
        *seq = r->seq;
    return rows;
}

/* Applies every deadline.due_changed heard on topic with a seq above after,
 * in the order heard (asserted increasing), as a queue client does: a case
 * whose window/station/area is no longer id, or whose row shows nothing,
 * leaves. Returns how many were applied. */
static guint
apply_updates (Fixture *f, GHashTable *rows, const char *topic, const char *kind, const char *id,
               gint64 after)
{
    guint n = 0;
    gint64 last = after;
    for (guint i = 0; i < f->heard->len; i++) {
        Heard *h = f->heard->pdata[i];
        if (g_strcmp0 (h->type, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE) != 0 || g_strcmp0 (h->topic, topic) != 0
            || h->seq <= after)
            continue;
        g_assert_cmpint (h->seq, >, last);
        last = h->seq;
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgDeadlineDueChanged) ev = dbn_msg_deadline_due_changed_decode (
            g_bytes_get_data (h->body, NULL), g_bytes_get_size (h->body), &error);
        g_assert_no_error (error);
        const char *own = g_str_equal (kind, "window")    ? ev->window
                          : g_str_equal (kind, "station") ? ev->station
                                                          : ev->area;
        char *text = row_text (ev->clock, ev->rule, ev->due, ev->has_remaining, ev->remaining, ev->stage,
                               ev->suspended, ev->covered);
        if (text == NULL || g_strcmp0 (own, id) != 0) {
            g_hash_table_remove (rows, h->case_no);
            g_free (text);
        } else {
            g_hash_table_replace (rows, g_strdup (h->case_no), text);
        }
        n++;
    }
    return n;
}

static void
assert_rows_equal (GHashTable *a, GHashTable *b)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init (&it, b);
    while (g_hash_table_iter_next (&it, &key, &value))
        g_assert_cmpstr (g_hash_table_lookup (a, key), ==, value);
    g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
}

/* The Clone pattern holds: the old snapshot plus the due_changed of the
 * queue's topic after its seq is exactly a fresh snapshot. */
static void
assert_clone (Fixture *f, GHashTable *old, gint64 old_seq, const char *topic, const char *kind,
              const char *id)
{
    g_autoptr (GHashTable) copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init (&it, old);
    while (g_hash_table_iter_next (&it, &key, &value))
        g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
    gint64 seq = 0;
    g_autoptr (GHashTable) fresh = snapshot (f, kind, id, &seq);
    wait_heartbeats (f, 2); /* every event up to seq is in */
    apply_updates (f, copy, topic, kind, id, old_seq);
    assert_rows_equal (copy, fresh);
}

/* Polls the queue until it has n rows (the events cross two services). */
static GHashTable *
wait_rows (Fixture *f, const char *kind, const char *id, guint n)
{
    gint64 end = g_get_monotonic_time () + WAIT_US;
    while (g_get_monotonic_time () < end) {
        GHashTable *rows = snapshot (f, kind, id, NULL);
        if (g_hash_table_size (rows) == n)
            return rows;
        g_hash_table_unref (rows);
        g_usleep (10 * 1000);
    }
    g_error ("the %s queue %s never had %u rows", kind, id, n);
}

static guint
count_due_changed (Fixture *f, const char *case_no, const char *topic, gint64 after)
{
    guint n = 0;
    for (guint i = 0; i < f->heard->len; i++) {
        Heard *h = f->heard->pdata[i];
        n += g_strcmp0 (h->type, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE) == 0
             && g_strcmp0 (h->case_no, case_no) == 0 && g_strcmp0 (h->topic, topic) == 0 && h->seq > after;
    }
    return n;
}

/* deadline.queue's rows worked out by hand, its pages, and its live
 * updates: each row change is one deadline.due_changed on the queue's
 * topic, and snapshot + updates = a fresh snapshot, through acceptance,
 * a classification that changes nothing, a firing (stage), and a suspend
 * and a resume by command. A petition's never reach a/<area> (D-INT-8). */
static void
test_queue_rows_and_updates (Fixture *f, gconstpointer data)
{
    gint64 s0_seq = 0, q0_seq = 0, a0_seq = 0;
    g_autoptr (GHashTable) s0 = snapshot (f, "station", "qingshui", &s0_seq);
    g_autoptr (GHashTable) q0 = snapshot (f, "window", "jisheng", &q0_seq);
    g_autoptr (GHashTable) a0 = snapshot (f, "area", "east", &a0_seq);
    g_assert_cmpuint (g_hash_table_size (s0), ==, 0);

    /* Mon 2 Mar 2026 10:00, walk-ins at the centre. */
    static const char *const zhunsheng_part[] = { "户口簿", "结婚证", NULL };
    static const char *const dibao[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    static const char *const xinfang[] = { "信访事项书面材料或口述记录", "身份证", NULL };
    g_autofree char *a = submit (f, "JS-ZHUNSHENG", zhunsheng_all);
    g_autofree char *b = submit (f, "JS-ZHUNSHENG", zhunsheng_part);
    g_autofree char *c = submit (f, "MZ-DIBAO", dibao);
    g_autofree char *p = submit (f, "QT-XINFANG", xinfang);
    g_autoptr (GHashTable) s1 = wait_rows (f, "station", "qingshui", 4);
    /* By hand: D-DL-1, 1 working day at the centre: Tue 3 Mar. B lacks the
     * couple's ID cards: accepted stopped, its 1 day kept (D-DL-7).
     * MZ-DIBAO: progress (D-DL-2) 5 days, Mon 9 Mar, before the committed
     * 20 days (30 Mar). The petition: its centre day (3 Mar) before its 42
     * committed days. */
    g_assert_cmpstr (g_hash_table_lookup (s1, a), ==, "centre D-DL-1 2026-03-03 - none");
    g_assert_cmpstr (g_hash_table_lookup (s1, b), ==, "centre D-DL-1 - r=1 none suspended");
    g_assert_cmpstr (g_hash_table_lookup (s1, c), ==, "progress D-DL-2 2026-03-09 - none");
    g_assert_cmpstr (g_hash_table_lookup (s1, p), ==, "centre D-DL-1 2026-03-03 - none");
    gint64 s1_seq = 0, q1_seq = 0;
    g_hash_table_unref (snapshot (f, "station", "qingshui", &s1_seq));
    g_autoptr (GHashTable) q1 = snapshot (f, "window", "jisheng", &q1_seq);
    g_assert_cmpuint (g_hash_table_size (q1), ==, 2);
    g_autoptr (GHashTable) area = snapshot (f, "area", "east", NULL);
    g_assert_cmpuint (g_hash_table_size (area), ==, 3);
    g_assert_false (g_hash_table_contains (area, p)); /* D-INT-8 */
    g_autoptr (GHashTable) xf = snapshot (f, "window", "xinfang", NULL);
    g_assert_cmpuint (g_hash_table_size (xf), ==, 1);
    g_assert_true (g_hash_table_contains (xf, p));

    /* Pages: keyset by case number, 3 then 1. */
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgDeadlineQueueReply) page1 = queue_page (f, NULL, "station", "qingshui", NULL, 3, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page1->items->len, ==, 3);
    g_assert_true (page1->truncated);
    g_autoptr (DbnMsgDeadlineQueueReply) page2 =
        queue_page (f, NULL, "station", "qingshui", page1->next, 3, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page2->items->len, ==, 1);
    g_assert_false (page2->truncated);
    g_assert_null (page2->next);
    g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
    for (int pg = 0; pg < 2; pg++) {
        GPtrArray *items = (pg == 0 ? page1 : page2)->items;
        for (guint i = 0; i < items->len; i++) {
            GBytes *bytes = items->pdata[i];
            g_autoptr (DbnMsgDeadlineDue) d = dbn_msg_deadline_due_decode (g_bytes_get_data (bytes, NULL),
                                                                           g_bytes_get_size (bytes), &error);
            g_assert_no_error (error);
            if (seen->len > 0)
                g_assert_cmpstr (g_ptr_array_index (seen, seen->len - 1), <, d->case_no);
            g_ptr_array_add (seen, g_strdup (d->case_no));
        }
    }
    g_assert_cmpuint (seen->len, ==, 4);
    g_assert_cmpstr (page1->next, ==, g_ptr_array_index (seen, 2));

    /* A 承办件 now: its committed clock (1 day, from the acceptance) ties
     * with the centre clock, which started first: the row is the same, no
     * event. Assigning changes no clock either. */
    const char *case_no = a;
    {
        ROUTING_COMMAND (DbnMsgCaseClassify, case_classify, m);
        m->kind = g_strdup ("committed");
        m->reason = g_strdup ("需上门核实");
        g_autoptr (GBytes) bytes = dbn_msg_case_classify_encode (m, NULL);
        routing (f, bytes);
    }
    {
        ROUTING_COMMAND (DbnMsgCaseAssign, case_assign, m);
        g_autoptr (GBytes) bytes = dbn_msg_case_assign_encode (m, NULL);
        routing (f, bytes);
    }
    g_autoptr (DbnMsgDeadlineClock) committed = wait_state (f, a, 2, "committed", "running");
    g_assert_cmpstr (committed->due, ==, "2026-03-03");

    /* Tue 3 Mar 00:00: yellow for A's two clocks and the petition's centre
     * clock. A's row changes once (stage warning), whatever fires twice. */
    set_clock (f, cst (3, 3, 0, 0));
    wait_heard (f, DBN_MSG_DEADLINE_WARNING_WIRE, p);
    move_clock (f, cst (3, 3, 10, 0), 2);
    g_autoptr (GHashTable) s2 = wait_rows (f, "station", "qingshui", 4);
    g_assert_cmpstr (g_hash_table_lookup (s2, a), ==, "centre D-DL-1 2026-03-03 - warning");
    g_assert_cmpstr (g_hash_table_lookup (s2, p), ==, "centre D-DL-1 2026-03-03 - warning");
    g_assert_cmpuint (count_heard (f, DBN_MSG_DEADLINE_WARNING_WIRE, a, "s/qingshui"), ==, 2);
    g_assert_cmpuint (count_due_changed (f, a, "s/qingshui", s1_seq), ==, 1);
    g_assert_cmpuint (count_due_changed (f, a, "q/jisheng", q1_seq), ==, 1);

    /* By command, Tue 3 Mar 10:00: B's materials arrived (1 day from today:
     * Wed 4 Mar); A waits for something (0 days were left, stage kept). */
    g_autoptr (GBytes) resumed = suspend_or_resume (f, b, FALSE);
    g_autoptr (GBytes) suspended = suspend_or_resume (f, a, TRUE);
    g_autoptr (GHashTable) s3 = snapshot (f, "station", "qingshui", NULL);
    g_assert_cmpstr (g_hash_table_lookup (s3, b), ==, "centre D-DL-1 2026-03-04 - none");
    g_assert_cmpstr (g_hash_table_lookup (s3, a), ==, "centre D-DL-1 - r=0 warning suspended");

    /* Snapshot + updates = fresh snapshot, from before any case and from
     * after acceptance, for the station's, the window's and the area's queue. */
    assert_clone (f, s0, s0_seq, "s/qingshui", "station", "qingshui");
    assert_clone (f, q0, q0_seq, "q/jisheng", "window", "jisheng");
    assert_clone (f, a0, a0_seq, "a/east", "area", "east");
    assert_clone (f, q1, q1_seq, "q/jisheng", "window", "jisheng");
    /* One event per change: A fired (1), was suspended (1); B resumed (1);
     * C did not change; the petition fired (1). */
    g_assert_cmpuint (count_due_changed (f, a, "q/jisheng", q1_seq), ==, 2);
    g_assert_cmpuint (count_due_changed (f, b, "q/jisheng", q1_seq), ==, 1);
    g_assert_cmpuint (count_due_changed (f, c, "s/qingshui", s1_seq), ==, 0);
    g_assert_cmpuint (count_due_changed (f, p, "s/qingshui", s1_seq), ==, 1);
    g_assert_cmpuint (count_due_changed (f, p, "q/xinfang", s1_seq), ==, 1);
    g_assert_cmpuint (count_due_changed (f, p, "audit", s1_seq), ==, 1);
    /* D-INT-8: nothing of the petition's on its area's topic. */
    for (guint i = 0; i < f->heard->len; i++) {
        Heard *h = f->heard->pdata[i];
        if (g_strcmp0 (h->case_no, p) == 0)
            g_assert_cmpstr (h->topic, !=, "a/east");
    }
    g_assert_cmpuint (count_heard (f, DBN_MSG_DEADLINE_WARNING_WIRE, p, "s/qingshui"), ==, 1);

    /* The shell sees the due column. */
    DbnCliRun run = cli (f, (const char *[]){ "deadline", "queue", "window", "jisheng", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autofree char *line_b = g_strdup_printf ("%s  centre     D-DL-1  2026-03-04", b);
    g_assert_nonnull (strstr (run.out, line_b));
    g_assert_nonnull (strstr (run.out, "已暂停"));
    dbn_cli_run_clear (&run);
    run = cli (f, (const char *[]){ "deadline", "queue", "window", "jisheng", "--json", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"due\":\"2026-03-04\""));
    dbn_cli_run_clear (&run);
}

/* deadline.queue as routing.queue: a station reads only its station's
 * queue, a window its window's, a supervisor its area's; the committee
 * reads any. A refusal is the stable code `forbidden`. */
static void
test_queue_principals (Fixture *f, gconstpointer data)
{
    const char *names[] = { "station:qingshui", "window:jisheng", "supervisor:east", "committee" };
    struct {
        guint who;
        const char *kind, *id;
        gboolean ok;
    } cases[] = {
        { 0, "station", "qingshui", TRUE },  { 0, "station", "shiqiao", FALSE },
        { 0, "window", "jisheng", FALSE },   { 1, "window", "jisheng", TRUE },
        { 1, "window", "xinfang", FALSE },   { 1, "area", "east", FALSE },
        { 2, "area", "east", TRUE },         { 2, "area", "west", FALSE },
        { 2, "station", "qingshui", FALSE }, { 3, "area", "east", TRUE },
        { 3, "window", "xinfang", TRUE },    { 3, "station", "shiqiao", TRUE },
    };
    DbnBus *buses[G_N_ELEMENTS (names)];
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
        g_autofree char *key = dbn_harness_add_key (f->harness, names[i]);
        buses[i] = dbn_harness_new_bus (f->harness, key);
    }
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgDeadlineQueueReply) r = NULL;
        /* The registry is re-read within 500 ms: retry while the key is new. */
        for (int attempt = 0; attempt < 50; attempt++) {
            g_clear_error (&error);
            g_clear_pointer (&r, dbn_msg_deadline_queue_reply_free);
            r = queue_page (f, buses[cases[i].who], cases[i].kind, cases[i].id, NULL, 0, &error);
            if (r != NULL || dbn_error_matches_wire (error, "forbidden"))
                break;
            g_usleep (100 * 1000);
        }
        if (cases[i].ok)
            g_assert_no_error (error);
        else
            g_assert_true (dbn_error_matches_wire (error, "forbidden"));
    }
    /* Only the three kinds of queue. */
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgDeadlineQueueReply) none = queue_page (f, NULL, "village", "qingshui", NULL, 0, &error);
    g_assert_null (none);
    g_assert_true (dbn_error_matches_wire (error, "invalid"));
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        dbn_bus_free (buses[i]);
}

/* The stage event of type fires for case_no at `at`, not a millisecond
 * before (cross() without its topics: any matter's window). */
static void
fires_at (Fixture *f, const char *case_no, const char *type, gint64 at)
{
    move_clock (f, at - 1, 2);
    pump (f, 0);
    g_assert_cmpuint (count_heard (f, type, case_no, NULL), ==, 0);
    set_clock (f, at);
    Heard *h = wait_heard (f, type, case_no);
    g_assert_cmpint (h->ts, ==, at);
}

/* D-DL-3: a station-scope matter is done within "3 days" (篇7): calendar
 * days by default, across a weekend and a public holiday, stopped and
 * resumed in calendar days; the grace before a violation stays a working
 * day. QT-RUDANG is a village matter (station clock) and a 承办件 whose
 * catalog limit is in working days (committed clock). */
static void
test_station_calendar_days (Fixture *f, gconstpointer data)
{
    static const char *const rudang[] = { "入党申请书", NULL };
    /* Fri 6 Mar 2026: 3 days are Sat 7, Sun 8, Mon 9 (3 working days: Wed 11). */
    move_clock (f, cst (3, 6, 10, 0), 1);
    g_autofree char *weekend = submit (f, "QT-RUDANG", rudang);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = wait_clocks (f, weekend, 2);
    g_autoptr (DbnMsgDeadlineClock) station = clock_of (r, "station");
    g_assert_cmpstr (station->unit, ==, "calendar");
    g_assert_cmpint (station->length, ==, 3);
    g_assert_cmpstr (station->due, ==, "2026-03-09");
    g_assert_cmpint (station->remaining, ==, 3);
    g_autoptr (DbnMsgDeadlineClock) committed = clock_of (r, "committed");
    g_assert_cmpstr (committed->unit, ==, "working");
    /* Yellow at the end of Sunday, the calendar day before; red at the end of Monday. */
    fires_at (f, weekend, DBN_MSG_DEADLINE_WARNING_WIRE, cst (3, 9, 0, 0));
    fires_at (f, weekend, DBN_MSG_DEADLINE_OVERDUE_WIRE, cst (3, 10, 0, 0));
    /* The queue row says what its days are (arrived, yellow, red: three rows). */
    g_autoptr (DbnMsgDeadlineDueChanged) row = nth_due_changed (f, weekend, "s/qingshui", 3);
    g_assert_cmpstr (row->stage, ==, "overdue");
    g_assert_cmpstr (row->clock, ==, "station");
    g_assert_cmpstr (row->unit, ==, "calendar");
    /* The CLI names the unit. */
    DbnCliRun run = cli (f, (const char *[]){ "case", "due", weekend, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "station     D-DL-3  2026-03-09"));
    g_assert_nonnull (strstr (run.out, "自然日 calendar days"));
    dbn_cli_run_clear (&run);

    /* Wed 29 Apr 2026: 3 days end on Sat 2 May, inside 劳动节 (1–5 May off;
     * 3 working days would end on Thu 7 May). */
    move_clock (f, cst (4, 29, 10, 0), 1);
    g_autofree char *holiday = submit (f, "QT-RUDANG", rudang);
    g_autoptr (DbnMsgDeadlineCaseDueReply) h = wait_clocks (f, holiday, 2);
    g_autoptr (DbnMsgDeadlineClock) hs = clock_of (h, "station");
    g_assert_cmpstr (hs->due, ==, "2026-05-02");
    /* D-DL-7 in calendar days: stopped Thu 30 Apr with 2 days left (1, 2
     * May), resumed Wed 6 May: due Fri 8 May. */
    move_clock (f, cst (4, 30, 10, 0), 1);
    g_autoptr (GBytes) s = suspend_or_resume (f, holiday, TRUE);
    g_autoptr (DbnMsgDeadlineCaseDueReply) stopped =
        dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (s, NULL), g_bytes_get_size (s), NULL);
    g_autoptr (DbnMsgDeadlineClock) ss = clock_of (stopped, "station");
    g_assert_cmpstr (ss->state, ==, "stopped");
    g_assert_cmpint (ss->remaining, ==, 2);
    move_clock (f, cst (5, 6, 10, 0), 1);
    g_autoptr (GBytes) g = suspend_or_resume (f, holiday, FALSE);
    g_autoptr (DbnMsgDeadlineCaseDueReply) resumed =
        dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (g, NULL), g_bytes_get_size (g), NULL);
    g_autoptr (DbnMsgDeadlineClock) rs = clock_of (resumed, "station");
    g_assert_cmpstr (rs->due, ==, "2026-05-08");
    /* Red at the end of Fri 8 May; the violation after one working day of
     * grace: Sat 9 May is worked (劳动节调休), so at its end. */
    fires_at (f, holiday, DBN_MSG_DEADLINE_OVERDUE_WIRE, cst (5, 9, 0, 0));
    fires_at (f, holiday, DBN_MSG_DEADLINE_VIOLATION_WIRE, cst (5, 10, 0, 0));
}

/* D-CAT-3: `daiban catalog reload` reaches the deadline service too: a
 * changed limit_days is the promised date (D-DL-4) of the cases accepted
 * after it, without a restart; a case accepted before keeps the date it
 * was promised. */
static void
test_catalog_reload_reaches_clocks (Fixture *f, gconstpointer data)
{
    /* MZ-LINSHI: a township 承办件, limit 5 working days in the shipped catalog. */
    static const char *const linshi[] = { "申请书", "身份证", "困难情况说明", NULL };
    g_autofree char *before = submit (f, "MZ-LINSHI", linshi);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r1 = wait_clocks (f, before, 2);
    g_autoptr (DbnMsgDeadlineClock) k1 = clock_of (r1, "committed");
    g_assert_cmpint (k1->length, ==, 5);
    g_assert_cmpstr (k1->due, ==, "2026-03-09"); /* Mon 2 Mar + 3, 4, 5, 6, 9 */

    /* The administrator edits the catalog: 8 working days. */
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (f->harness), "catalog.ini", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_autoptr (GRegex) limit = g_regex_new ("(\\[matter:MZ-LINSHI\\][^\\[]*?limit_days = )5\n", 0, 0, NULL);
    g_autofree char *edited = g_regex_replace (limit, text, -1, 0, "\\g<1>8\n", 0, NULL);
    g_assert_cmpstr (edited, !=, text);
    g_assert_true (g_file_set_contents (path, edited, -1, NULL));

    /* One command reloads every service that holds the catalog. */
    DbnCliRun run = cli (f, (const char *[]){ "catalog", "reload", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "intake: 30"));
    g_assert_nonnull (strstr (run.out, "routing: 30"));
    g_assert_nonnull (strstr (run.out, "deadline: 30"));
    dbn_cli_run_clear (&run);

    g_autofree char *after = submit (f, "MZ-LINSHI", linshi);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r2 = wait_clocks (f, after, 2);
    g_autoptr (DbnMsgDeadlineClock) k2 = clock_of (r2, "committed");
    g_assert_cmpint (k2->length, ==, 8);
    g_assert_cmpstr (k2->due, ==, "2026-03-12"); /* … 9, 10, 11, 12 */

    /* The case accepted before the edit keeps its promised date. */
    g_autoptr (DbnMsgDeadlineCaseDueReply) r3 = wait_clocks (f, before, 2);
    g_autoptr (DbnMsgDeadlineClock) k3 = clock_of (r3, "committed");
    g_assert_cmpint (k3->length, ==, 5);
    g_assert_cmpstr (k3->due, ==, "2026-03-09");

    /* A broken file is refused by the first service, with its line, and
     * every service keeps the catalog in force. */
    g_autofree char *broken = g_strconcat (edited, "\n[matter:XX-BAD]\nlevel = galaxy\n", NULL);
    g_assert_true (g_file_set_contents (path, broken, -1, NULL));
    run = cli (f, (const char *[]){ "catalog", "reload", NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "[catalog.invalid]"));
    dbn_cli_run_clear (&run);
    /* Asked directly, the deadline service refuses it the same way. */
    g_autoptr (DbnMsgCatalogReload) m = dbn_msg_catalog_reload_new ();
    m->env.key = g_strdup ("reload-broken");
    g_autoptr (GBytes) body = dbn_msg_catalog_reload_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "deadline", body, CALL_MS, &error);
    g_assert_null (reply);
    g_assert_true (dbn_error_matches_wire (error, "catalog.invalid"));
    g_autofree char *third = submit (f, "MZ-LINSHI", linshi);
    g_autoptr (DbnMsgDeadlineCaseDueReply) r4 = wait_clocks (f, third, 2);
    g_autoptr (DbnMsgDeadlineClock) k4 = clock_of (r4, "committed");
    g_assert_cmpint (k4->length, ==, 8);
}

/* D-DL-4: the date promised at acceptance is in intake's reply, and it is
 * the day deadline's committed clock is due (one computation, dbn_promise);
 * `daiban case submit` prints it. A matter that is not a 承办件/上报件 and an
 * incomplete request (its clock stopped, D-DL-7) carry none. The second
 * acceptance is in April, across 清明 (4-6 Apr), so the calendar counts. */
static void
test_promised_at_acceptance (Fixture *f, gconstpointer data)
{
    static const char *const dibao[] = { "申请书", "户口簿", "身份证", "家庭收入证明", NULL };
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_reply (f, "MZ-DIBAO", dibao);
    /* 20 working days from Mon 2 Mar 2026 end Mon 30 Mar (by hand above). */
    g_assert_cmpstr (r->promised, ==, "2026-03-30");
    g_autoptr (DbnMsgDeadlineCaseDueReply) due = wait_clocks (f, r->case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) committed = clock_of (due, "committed");
    g_assert_cmpstr (committed->due, ==, r->promised);

    /* Wed 1 Apr: 2-3 Apr (2), 清明 4-6 off, 7-10 (6), 13-17 (11), 20-24 (16),
     * 27-30 (20): Thu 30 Apr. */
    move_clock (f, cst (4, 1, 9, 0), 1);
    g_autoptr (DbnMsgIntakeSubmitReply) april = submit_reply (f, "MZ-DIBAO", dibao);
    g_assert_cmpstr (april->promised, ==, "2026-04-30");
    g_autoptr (DbnMsgDeadlineCaseDueReply) due2 = wait_clocks (f, april->case_no, 2);
    g_autoptr (DbnMsgDeadlineClock) committed2 = clock_of (due2, "committed");
    g_assert_cmpstr (committed2->due, ==, april->promised);

    static const char *const part[] = { "申请书", "户口簿", NULL };
    g_autoptr (DbnMsgIntakeSubmitReply) waiting = submit_reply (f, "MZ-DIBAO", part);
    g_assert_cmpstr (waiting->state, ==, "awaiting_materials");
    g_assert_null (waiting->promised);
    static const char *const birth[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    g_autoptr (DbnMsgIntakeSubmitReply) immediate = submit_reply (f, "JS-ZHUNSHENG", birth);
    g_assert_null (immediate->promised);

    g_autofree char *id = dbn_test_id_number (4242);
    DbnCliRun run =
        cli (f, (const char *[]){ "case", "submit", "--matter", "MZ-DIBAO", "--applicant", "李四",
                                  "--id-number", id, "--phone", "13800138000", "--village", "qingshui",
                                  "--materials", "申请书,户口簿,身份证,家庭收入证明", "--consent", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "承诺办结 promised by: 2026-04-30\n"));
    dbn_cli_run_clear (&run);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/deadline/D-DL-1/yellow-red-violation", test_yellow_red_violation);
    ADD ("/deadline/D-DL-6/explained-no-violation", test_explained);
    ADD ("/deadline/D-DL-7/stop-moves-due-date", test_stop_moves_due);
    ADD ("/deadline/D-DL-7/supplement-resumes-clocks", test_supplement_resumes_clocks);
    ADD ("/deadline/D-DL-3/transfer-and-department", test_transfer_and_department);
    ADD ("/deadline/D-DL-3/station-scope-calendar-days", test_station_calendar_days);
    ADD ("/deadline/restart/kill-9-fires-once", test_kill_fires_once);
    ADD ("/deadline/security/principals", test_principals);
    ADD ("/deadline/D-DL-5/cli-due-and-calendar-reload", test_cli_and_reload);
    ADD ("/deadline/queue/rows-pages-and-updates", test_queue_rows_and_updates);
    ADD ("/deadline/queue/principals", test_queue_principals);
    ADD ("/deadline/D-CAT-3/catalog-reload-reaches-new-clocks", test_catalog_reload_reaches_clocks);
    ADD ("/deadline/D-DL-4/promised-at-acceptance", test_promised_at_acceptance);
    return g_test_run ();
}
