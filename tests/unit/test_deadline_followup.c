/* test_deadline_followup: D-EV-7's follow-up clock whatever the order in
 * which deadline's subscribers bring routing's and evaluation's journals
 * (they catch up separately: after a restart evaluation's can come first).
 * The deadline core runs in-process on inproc:// (dbn_test_inproc.h) and
 * the test hands it each journal's events in the order it chooses. */
#include "deadline_actions.h"
#include "dbn_test_inproc.h"

/* Monday 2 March 2026, 09:00 in Beijing. */
#define START_MS (G_GINT64_CONSTANT (1772413200000))
#define DAY_MS   (G_GINT64_CONSTANT (86400000))

typedef struct {
    DbnInproc *world;
    DbnService *service;
    DeadlineActions *actions;
    gint64 seq;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
    (void) data;
    g_autoptr (GError) error = NULL;
    f->world = dbn_inproc_new (START_MS);
    DbnConfig *config = dbn_inproc_get_config (f->world);
    f->service = dbn_inproc_service_new (f->world, "deadline", deadline_migrations);
    DeadlineSettings settings;
    g_assert_true (deadline_settings_load (&settings, config, &error));
    g_autofree char *path = dbn_promise_dup_calendar_path (config);
    DbnCalendar *calendar = dbn_calendar_load (path, &error);
    g_assert_no_error (error);
    DbnCatalog *catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), &error);
    g_assert_no_error (error);
    f->actions = deadline_actions_new (f->service, calendar, path, catalog, &settings, &error);
    g_assert_no_error (error);
    dbn_inproc_own (f->world, f->actions, (GDestroyNotify) deadline_actions_free);
    dbn_service_add_commands (f->service, deadline_commands, f->actions);
    dbn_inproc_start (f->world, f->service);
}

static void
teardown (Fixture *f, gconstpointer data)
{
    (void) data;
    dbn_inproc_free (f->world);
}

static void
stamp (Fixture *f, DbnEnvEvent *env, const char *type, const char *src, const char *case_no, gint64 ts)
{
    /* _new has set the type already. */
    g_free (env->type);
    env->type = g_strdup (type);
    g_free (env->src);
    env->src = g_strdup (src);
    env->seq = ++f->seq;
    env->ts = ts;
    env->case_no = g_strdup (case_no);
    env->actor = g_strdup_printf ("service:%s", src);
}

/* Applies one event of src's journal in its own transaction, as the
 * subscriber does. */
static void
apply (Fixture *f, const char *src, const DbnEnvEvent *env, GBytes *event)
{
    g_autoptr (GError) error = NULL;
    DbnEmitter *emitter = dbn_service_get_emitter (f->service);
    DbnOrigin origin = { .emitter = emitter, .actor = "service:deadline", .now_ms = env->ts };
    g_assert_true (dbn_emitter_begin (emitter, &error));
    g_assert_true (deadline_actions_apply (f->actions, src, env, event, &origin, &error));
    g_assert_no_error (error);
    g_assert_true (dbn_emitter_commit (emitter, &error));
    g_assert_no_error (error);
}

static void
routed (Fixture *f, const char *case_no, gint64 ts)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseRouted) m = dbn_msg_case_routed_new ();
    stamp (f, &m->env, DBN_MSG_CASE_ROUTED_WIRE, "routing", case_no, ts);
    m->window = g_strdup ("");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("north");
    m->state = g_strdup ("at_station");
    m->kind = g_strdup ("immediate");
    m->holder = g_strdup ("station:qingshui");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("station");
    m->matter = g_strdup ("JS-ZHUNSHENG");
    m->level = g_strdup ("village");
    m->departments = g_new0 (char *, 1);
    m->village = g_strdup ("清水村");
    m->channel = g_strdup ("station");
    g_autoptr (GBytes) event = dbn_msg_case_routed_encode (m, &error);
    g_assert_no_error (error);
    apply (f, "routing", &m->env, event);
}

static void
followup_opened (Fixture *f, const char *case_no, gint64 ts)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgEvalFollowupOpened) m = dbn_msg_eval_followup_opened_new ();
    stamp (f, &m->env, DBN_MSG_EVAL_FOLLOWUP_OPENED_WIRE, "evaluation", case_no, ts);
    m->window = g_strdup ("");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("north");
    m->matter = g_strdup ("JS-ZHUNSHENG");
    m->cause = g_strdup ("reply");
    g_autoptr (GBytes) event = dbn_msg_eval_followup_opened_encode (m, &error);
    g_assert_no_error (error);
    apply (f, "evaluation", &m->env, event);
}

static void
followup_recorded (Fixture *f, const char *case_no, gint64 ts)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgEvalFollowupRecorded) m = dbn_msg_eval_followup_recorded_new ();
    stamp (f, &m->env, DBN_MSG_EVAL_FOLLOWUP_RECORDED_WIRE, "evaluation", case_no, ts);
    m->window = g_strdup ("");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("north");
    m->text = g_strdup ("已回访");
    g_autoptr (GBytes) event = dbn_msg_eval_followup_recorded_encode (m, &error);
    g_assert_no_error (error);
    apply (f, "evaluation", &m->env, event);
}

/* The case's follow-up clock (caller owns it), or NULL. */
static DeadlineClock *
followup_clock (Fixture *f, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) clocks =
        deadline_store_get_clocks (deadline_actions_get_store (f->actions), case_no, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (k->name == DEADLINE_CLOCK_FOLLOWUP)
            return g_ptr_array_steal_index (clocks, i);
    }
    return NULL;
}

/* D-EV-7: eval.followup.opened before the case's case.routed starts the
 * same clock, from the opening, with the same due date, as in the order
 * the services produced them. */
static void
test_followup_opened_before_routed (Fixture *f, gconstpointer data)
{
    (void) data;
    gint64 opened_at = START_MS + 3 * DAY_MS;
    routed (f, "T01-20260302-0001", START_MS);
    followup_opened (f, "T01-20260302-0001", opened_at);

    followup_opened (f, "T01-20260302-0002", opened_at);
    g_assert_null (followup_clock (f, "T01-20260302-0002"));
    routed (f, "T01-20260302-0002", START_MS);

    g_autoptr (DeadlineClock) in_order = followup_clock (f, "T01-20260302-0001");
    g_autoptr (DeadlineClock) reversed = followup_clock (f, "T01-20260302-0002");
    g_assert_nonnull (in_order);
    g_assert_nonnull (reversed);
    g_assert_cmpint (in_order->state, ==, DEADLINE_STATE_RUNNING);
    g_assert_cmpint (reversed->state, ==, DEADLINE_STATE_RUNNING);
    g_assert_cmpint (reversed->started_at, ==, opened_at);
    g_assert_cmpint (reversed->started_at, ==, in_order->started_at);
    g_assert_cmpint (reversed->due_day, !=, 0);
    g_assert_cmpint (reversed->due_day, ==, in_order->due_day);
    g_assert_cmpint (reversed->next_at, ==, in_order->next_at);
}

/* D-EV-7: a follow-up opened and recorded before the case arrives was met
 * before it could start: the case gets no follow-up clock. */
static void
test_followup_recorded_before_routed (Fixture *f, gconstpointer data)
{
    (void) data;
    followup_opened (f, "T01-20260302-0003", START_MS + 3 * DAY_MS);
    followup_recorded (f, "T01-20260302-0003", START_MS + 5 * DAY_MS);
    routed (f, "T01-20260302-0003", START_MS);
    g_autoptr (DeadlineClock) k = followup_clock (f, "T01-20260302-0003");
    g_assert_null (k);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add ("/deadline/D-EV-7/followup-opened-before-routed", Fixture, NULL, setup,
                test_followup_opened_before_routed, teardown);
    g_test_add ("/deadline/D-EV-7/followup-recorded-before-routed", Fixture, NULL, setup,
                test_followup_recorded_before_routed, teardown);
    return g_test_run ();
}
