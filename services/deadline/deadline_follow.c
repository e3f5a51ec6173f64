/* deadline_follow.c: the deadline service follows routing's journal (every
 * case event carries the case's queue row) and intake's (materials).
 *
 * Each event is applied exactly once, inside the subscriber's transaction
 * that moves the stored offset (dbn_subscriber). Clocks start at the
 * event's own time (env.ts), not at the time it is applied, so a deadline
 * service that was down or syncing computes the same due dates.
 *
 *   case.routed         the case exists: level, kind, queue row. Clocks:
 *                       station (village matters, D-DL-3), progress (county
 *                       matters, D-DL-2), committed (承办/上报, D-DL-4, from
 *                       the acceptance)
 *   any row at the centre  for township matters the centre clock (D-DL-1)
 *   row state awaiting_materials   D-DL-7: the clocks stop; leaving that
 *                       state (routing's case.resumed) runs them again
 *   every other event   what `rules` below says: the clocks it ends and in
 *                       which state, the clocks it (re)starts, whether the
 *                       committed clock follows the kind, whether the case
 *                       closes
 *   intake's case.awaiting_materials / case.materials_supplemented
 *                       the same stop and resume, from intake directly
 *   evaluation's eval.followup.opened / eval.followup.recorded
 *                       D-EV-7: the followup clock starts (also on a
 *                       closed case: a bad rating comes after the reply)
 *                       and is met; routing's ends leave it alone
 *
 * Routing's row is read with dbn_msg_case_row_read(), the generated reader
 * of the case_row record (routing.xml) that every routing case event
 * carries: one typed, strict read whatever the event type, so it also takes
 * event types newer than this build. case.routed is decoded as itself for
 * the matter and level. An event without a row or a case, or a routing or
 * intake event about a case this service never saw routed, is acknowledged
 * and ignored (evaluation's follow-up waits for the case instead).
 *
 * An applied event that changes the case's queue row (or moves the case)
 * journals one deadline.due_changed in the same transaction; the service's
 * emitter publishes it once the subscriber has committed (deadline_queue.c).
 */
#include "deadline_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* intake4's wire name (issue 4): every missing material arrived. */
#define MATERIALS_SUPPLEMENTED_WIRE "case.materials_supplemented"

#define BIT(name)  (1u << DEADLINE_CLOCK_##name)
/* Every clock of the case's own handling: not D-EV-7's follow-up, which an
 * archive or a late reply must not end (only evaluation's result does). */
#define ALL_CLOCKS (((1u << DEADLINE_N_CLOCKS) - 1) & ~BIT (FOLLOWUP))

static gboolean
is_type (const DbnEnvEvent *env, const char *wire)
{
    return g_strcmp0 (env->type, wire) == 0;
}

static gboolean
committed_kind (const char *kind)
{
    return g_strcmp0 (kind, "committed") == 0 || g_strcmp0 (kind, "escalated") == 0;
}

static void
set_str (char **slot, const char *value)
{
    g_free (*slot);
    *slot = g_strdup (value ? value : "");
}

/* What a routing event does to the clocks beyond what its row says (the
 * materials stop, the centre clock) and beyond case.routed's own start.
 * Applied in column order: end, start, committed, closes. An event type
 * that is not here changes only what its row says. */
typedef struct {
    const char *type;     /* routing's wire name */
    guint end;            /* the open clocks that end (BIT) ... */
    DeadlineState end_as; /* ... in this state */
    guint start;          /* the clocks that (re)start at the event's time */
    gboolean committed;   /* the kind changed: a committed kind starts the committed
                              * clock from the acceptance (D-DL-4), any other cancels it */
    gboolean closes;      /* the case is done with: every clock has ended */
} EventRule;

static const EventRule rules[] = {
    { DBN_MSG_CASE_CLASSIFIED_WIRE, .committed = TRUE },
    /* D-DL-3: the transferred matter must be reported back ... */
    { DBN_MSG_CASE_HANDED_OFF_WIRE, .start = BIT (TRANSFER) },
    /* ... which these events are. */
    { DBN_MSG_CASE_STARTED_WIRE, BIT (TRANSFER), DEADLINE_STATE_MET },
    { DBN_MSG_CASE_PART_COMPLETED_WIRE, BIT (TRANSFER), DEADLINE_STATE_MET },
    /* D-DL-3: the county department answers within its days. */
    { DBN_MSG_CASE_ESCALATED_WIRE, BIT (TRANSFER), DEADLINE_STATE_MET, .start = BIT (DEPARTMENT) },
    { DBN_MSG_CASE_COUNTY_ANSWERED_WIRE, BIT (TRANSFER) | BIT (DEPARTMENT) | BIT (PROGRESS),
      DEADLINE_STATE_MET },
    { DBN_MSG_CASE_COMPLETED_WIRE, ALL_CLOCKS, DEADLINE_STATE_MET },
    { DBN_MSG_CASE_RETURNED_WIRE, ALL_CLOCKS, DEADLINE_STATE_MET, .closes = TRUE },
    { DBN_MSG_CASE_REPLIED_WIRE, ALL_CLOCKS, DEADLINE_STATE_MET, .closes = TRUE },
    { DBN_MSG_CASE_ARCHIVED_WIRE, ALL_CLOCKS, DEADLINE_STATE_MET, .closes = TRUE },
};

static const EventRule *
rule_for (const char *type)
{
    for (gsize i = 0; i < G_N_ELEMENTS (rules); i++) {
        if (g_strcmp0 (rules[i].type, type) == 0)
            return &rules[i];
    }
    return NULL;
}

static gboolean
apply_rule (DeadlineActions *self, DeadlineCase *c, const EventRule *rule, gint64 at, GError **error)
{
    if (rule->end != 0 && !deadline_end_clocks (self, c, rule->end, rule->end_as, error))
        return FALSE;
    for (guint name = 0; name < DEADLINE_N_CLOCKS; name++) {
        if ((rule->start & (1u << name)) != 0 && !deadline_start_clock (self, c, name, at, TRUE, error))
            return FALSE;
    }
    if (rule->committed) {
        /* D-DL-4: the promise dates from the acceptance. */
        gboolean ok =
            committed_kind (c->kind)
                ? deadline_start_clock (self, c, DEADLINE_CLOCK_COMMITTED, c->accepted_at, FALSE, error)
                : deadline_end_clocks (self, c, BIT (COMMITTED), DEADLINE_STATE_CANCELLED, error);
        if (!ok)
            return FALSE;
    }
    if (rule->closes)
        c->closed = TRUE;
    return TRUE;
}

/* A case deadline has not seen yet, from routing's case.routed (decoded as
 * itself for the matter and level); NULL when the event is not readable. */
static DeadlineCase *
routed_case (DeadlineActions *self, const DbnEnvEvent *env, GBytes *event)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseRouted) routed =
        dbn_msg_case_routed_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (routed == NULL) {
        g_warning ("routing's case.routed for %s is not readable, skipped: %s", env->case_no, local->message);
        return NULL;
    }
    DeadlineCase *c = g_new0 (DeadlineCase, 1);
    c->case_no = g_strdup (env->case_no);
    c->matter = g_strdup (routed->matter);
    c->level = g_strdup (routed->level);
    c->accepted_at = env->ts;
    /* D-INT-8: as routing marks it, from the catalog. */
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, c->matter);
    c->restricted = matter != NULL && matter->restricted;
    return c;
}

static gboolean
on_routing (DeadlineActions *self, const DbnEnvEvent *env, GBytes *event, DbnOrigin *sink, GError **error)
{
    g_autoptr (DbnMsgCaseRow) row = NULL;
    g_autoptr (GError) bad = NULL;
    if (env->case_no == NULL)
        return TRUE; /* no case: run sheets */
    if (!dbn_msg_case_row_read (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &row, &bad)) {
        g_debug ("routing's %s for %s has a broken row, skipped: %s", env->type, env->case_no, bad->message);
        return TRUE;
    }
    if (row == NULL)
        return TRUE; /* not a case event with a queue row */
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, env->case_no, &c, error))
        return FALSE;
    gboolean routed = is_type (env, DBN_MSG_CASE_ROUTED_WIRE);
    /* The row before (a new case has none: the queues gain it). */
    g_auto (DeadlineRow) before = { 0 };
    deadline_row_clear (&before);
    if (c != NULL && !c->closed && !deadline_row_read (self, c, &before, error))
        return FALSE;
    if (c == NULL) {
        if (!routed)
            return TRUE;
        c = routed_case (self, env, event);
        if (c == NULL)
            return TRUE;
    }
    if (c->closed)
        return TRUE;
    set_str (&c->window, row->window);
    set_str (&c->station, row->station);
    set_str (&c->area, row->area);
    set_str (&c->kind, row->kind);
    /* D-DL-3: the department's queue holds the case while it waits on it. */
    const char *county = g_str_has_prefix (row->holder ? row->holder : "", "county:") ? row->holder + 7 : "";
    set_str (&c->county, g_strcmp0 (row->state, "escalated") == 0 ? county : "");
    gint64 at = env->ts;

    /* D-DL-7 from the row: stopped while it waits for materials. */
    gboolean awaiting = g_strcmp0 (row->state, "awaiting_materials") == 0;
    if (awaiting && c->suspended_at == 0) {
        if (!deadline_suspend (self, c, at, DEADLINE_BY_MATERIALS, error))
            return FALSE;
    } else if (!awaiting && c->suspended_at != 0 && g_strcmp0 (c->suspended_by, DEADLINE_BY_MATERIALS) == 0) {
        if (!deadline_resume (self, c, at, error))
            return FALSE;
    }

    gboolean ok = TRUE;
    if (routed) {
        if (g_strcmp0 (c->level, "village") == 0)
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_STATION, at, FALSE, error);
        else if (g_strcmp0 (c->level, "county") == 0)
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_PROGRESS, at, FALSE, error);
        if (ok && committed_kind (c->kind))
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_COMMITTED, c->accepted_at, FALSE, error);
        /* D-EV-7 opened before the case reached here: its clock from the
         * opening, as when the case came first. */
        gint64 opened_at = 0;
        if (ok)
            ok = deadline_store_take_pending_followup (self->store, c->case_no, &opened_at, error);
        if (ok && opened_at != 0)
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_FOLLOWUP, opened_at, TRUE, error);
    }
    /* D-DL-1: within N working days of reaching the centre. */
    if (ok && !c->centre_seen && g_strcmp0 (c->level, "township") == 0
        && g_strcmp0 (row->location, "centre") == 0) {
        c->centre_seen = TRUE;
        ok = deadline_start_clock (self, c, DEADLINE_CLOCK_CENTRE, at, FALSE, error);
    }
    if (!ok)
        return FALSE;

    const EventRule *rule = rule_for (env->type);
    if (rule != NULL && !apply_rule (self, c, rule, at, error))
        return FALSE;
    return deadline_store_put_case (self->store, c, error)
           && deadline_row_changed (self, c, &before, sink, error);
}

static gboolean
apply_routing_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                     GError **error)
{
    return on_routing (user_data, env, event, origin, error);
}

static gboolean
on_intake (DeadlineActions *self, const DbnEnvEvent *env, DbnOrigin *sink, GError **error)
{
    gboolean stop = is_type (env, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE);
    gboolean go = is_type (env, MATERIALS_SUPPLEMENTED_WIRE);
    if ((!stop && !go) || env->case_no == NULL)
        return TRUE;
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, env->case_no, &c, error))
        return FALSE;
    if (c == NULL || c->closed)
        return TRUE; /* routing's row will say it when the case arrives there */
    g_auto (DeadlineRow) before = { 0 };
    if (!deadline_row_read (self, c, &before, error))
        return FALSE;
    gboolean ok;
    if (stop)
        ok = deadline_suspend (self, c, env->ts, DEADLINE_BY_MATERIALS, error);
    else if (g_strcmp0 (c->suspended_by, DEADLINE_BY_MATERIALS) == 0)
        ok = deadline_resume (self, c, env->ts, error);
    else
        return TRUE; /* stopped by a command for something else */
    return ok && deadline_store_put_case (self->store, c, error)
           && deadline_row_changed (self, c, &before, sink, error);
}

static gboolean
apply_intake_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                    GError **error)
{
    return on_intake (user_data, env, origin, error);
}

/* D-EV-7: evaluation's journal opens and meets the follow-up clock. The
 * clock starts at the event's time, like every other; for a case routing
 * has not brought here yet it waits in dl_followup_pending (on_routing). */
static gboolean
apply_evaluation_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                        GError **error)
{
    DeadlineActions *self = user_data;
    gboolean open = is_type (env, DBN_MSG_EVAL_FOLLOWUP_OPENED_WIRE);
    if ((!open && !is_type (env, DBN_MSG_EVAL_FOLLOWUP_RECORDED_WIRE)) || env->case_no == NULL)
        return TRUE;
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, env->case_no, &c, error))
        return FALSE;
    if (c == NULL) {
        /* Routing's subscriber is behind (a restart): kept until case.routed;
         * one met before then never starts. */
        return open ? deadline_store_put_pending_followup (self->store, env->case_no, env->ts, error)
                    : deadline_store_drop_pending_followup (self->store, env->case_no, error);
    }
    g_auto (DeadlineRow) before = { 0 };
    if (!c->closed && !deadline_row_read (self, c, &before, error))
        return FALSE;
    gboolean ok = open ? deadline_start_clock (self, c, DEADLINE_CLOCK_FOLLOWUP, env->ts, TRUE, error)
                       : deadline_end_clocks (self, c, BIT (FOLLOWUP), DEADLINE_STATE_MET, error);
    if (!ok || !deadline_store_put_case (self->store, c, error))
        return FALSE;
    return c->closed || deadline_row_changed (self, c, &before, origin, error);
}

gboolean
deadline_actions_apply (DeadlineActions *self, const char *source, const DbnEnvEvent *env, GBytes *event,
                        DbnOrigin *origin, GError **error)
{
    if (g_strcmp0 (source, "routing") == 0)
        return apply_routing_event (self, env, event, origin, error);
    if (g_strcmp0 (source, "intake") == 0)
        return apply_intake_event (self, env, event, origin, error);
    return apply_evaluation_event (self, env, event, origin, error);
}

gboolean
deadline_actions_follow (DeadlineActions *self, DbnBus *bus, GError **error)
{
    self->routing = dbn_service_follow (self->service, bus, "routing", apply_routing_event, self, error);
    if (self->routing == NULL)
        return FALSE;
    self->intake = dbn_service_follow (self->service, bus, "intake", apply_intake_event, self, error);
    if (self->intake == NULL)
        return FALSE;
    self->evaluation =
        dbn_service_follow (self->service, bus, "evaluation", apply_evaluation_event, self, error);
    return self->evaluation != NULL;
}
