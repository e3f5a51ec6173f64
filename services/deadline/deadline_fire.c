/* deadline_fire.c: the timers fire (yellow, red, violation).
 *
 * Exactly once across crashes: a firing journals its event and stores the
 * clock's new stage and next_at in ONE transaction, so after a kill -9 the
 * clock either has fired (its stage says so, the event is in the journal
 * and consumers sync it) or it has not (its next_at is still due, and the
 * rebuilt heap fires it at once). The service's emitter runs the
 * transaction and publishes after the commit (dbn_emitter.h); an event lost
 * between commit and publish is in the journal, and consumers sync on the
 * next heartbeat.
 *
 * A firing that changes the case's queue row (its stage) also journals
 * deadline.due_changed in the same transaction (deadline_queue.c).
 *
 * A batch takes at most `max` firings in one transaction (group commit: one
 * fsync for many firings). Popped entries are put back if the transaction
 * fails. An entry whose clock no longer has that next_at is stale (the
 * clock moved, ended, or a rolled-back change pushed it) and is dropped.
 */
#include "deadline_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

typedef struct {
    gint64 at; /* the popped entry, put back on failure */
    gint64 id;
} Popped;

/* The event of stage for k, encoded. */
static GBytes *
encode_stage (DeadlineActions *self, DbnOrigin *origin, const DeadlineCase *c, const DeadlineClock *k,
              DeadlineStage stage, DbnEnvEvent *env_out, GError **error)
{
    g_autofree char *due = deadline_day_to_iso (k->due_day);
#define FILL(ev, WIRE)                                                                                       \
    dbn_origin_stamp (origin, &(ev)->env, WIRE, c->case_no);                                                 \
    (ev)->window = g_strdup (c->window);                                                                     \
    (ev)->station = g_strdup (c->station);                                                                   \
    (ev)->area = g_strdup (c->area);                                                                         \
    (ev)->matter = g_strdup (c->matter);                                                                     \
    (ev)->clock = g_strdup (deadline_clock_name_to_string (k->name));                                        \
    (ev)->rule = g_strdup (deadline_clock_rule (k->name));                                                   \
    (ev)->due = g_strdup (due);                                                                              \
    (ev)->covered = k->covered;                                                                              \
    env_out->seq = (ev)->env.seq;                                                                            \
    env_out->ts = (ev)->env.ts;                                                                              \
    env_out->type = g_strdup (WIRE);                                                                         \
    env_out->case_no = g_strdup (c->case_no)
    switch (stage) {
    case DEADLINE_STAGE_WARNING: {
        g_autoptr (DbnMsgDeadlineWarning) ev = dbn_msg_deadline_warning_new ();
        FILL (ev, DBN_MSG_DEADLINE_WARNING_WIRE);
        return dbn_msg_deadline_warning_encode (ev, error);
    }
    case DEADLINE_STAGE_OVERDUE: {
        g_autoptr (DbnMsgDeadlineOverdue) ev = dbn_msg_deadline_overdue_new ();
        FILL (ev, DBN_MSG_DEADLINE_OVERDUE_WIRE);
        ev->explained = k->explained;
        return dbn_msg_deadline_overdue_encode (ev, error);
    }
    case DEADLINE_STAGE_VIOLATION:
    default: {
        g_autoptr (DbnMsgDeadlineViolation) ev = dbn_msg_deadline_violation_new ();
        FILL (ev, DBN_MSG_DEADLINE_VIOLATION_WIRE);
        ev->grace = self->settings.grace;
        return dbn_msg_deadline_violation_encode (ev, error);
    }
    }
#undef FILL
}

static gboolean
fire_one (DeadlineActions *self, DbnOrigin *origin, DeadlineClock *k, GError **error)
{
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, k->case_no, &c, error))
        return FALSE;
    if (c == NULL)
        return TRUE;
    DeadlineStage stage = MIN (k->stage + 1, DEADLINE_STAGE_VIOLATION);
    if (stage == DEADLINE_STAGE_VIOLATION && k->explained) {
        k->next_at = 0; /* D-DL-6: explained, no violation */
        return deadline_store_put_clock (self->store, k, error);
    }
    g_auto (DeadlineRow) before = { 0 };
    if (!deadline_row_read (self, c, &before, error))
        return FALSE;
    DbnEnvEvent env = { 0 };
    g_autoptr (GBytes) body = encode_stage (self, origin, c, k, stage, &env, error);
    g_auto (GStrv) topics = deadline_case_topics (c);
    gboolean ok = body != NULL && dbn_origin_emit (origin, (const char *const *) topics, &env, body, error);
    g_free (env.type);
    g_free (env.case_no);
    if (!ok)
        return FALSE;
    k->stage = stage;
    k->next_at = deadline_next_at (self->calendar, c->area, k->unit, k->due_day, k->started_at, k->stage,
                                   k->explained, self->settings.grace);
    if (!deadline_store_put_clock (self->store, k, error))
        return FALSE;
    if (k->next_at != 0)
        deadline_timers_push (self->timers, k->next_at, k->id);
    /* The stage is in the queue's row: deadline.due_changed in the same
     * transaction, after the stage event. */
    return deadline_row_changed (self, c, &before, origin, error);
}

gboolean
deadline_actions_fire_due (DeadlineActions *self, gint64 now, guint max, guint *fired, GError **error)
{
    *fired = 0;
    gint64 at = 0, id = 0;
    DbnStore *store = dbn_service_get_store (self->service);
    DbnEmitter *emitter = dbn_service_get_emitter (self->service);
    if (!deadline_timers_peek (self->timers, &at, &id) || at > now || dbn_store_in_transaction (store))
        return TRUE;
    if (!dbn_emitter_begin (emitter, error))
        return FALSE;
    g_autoptr (GArray) popped = g_array_new (FALSE, FALSE, sizeof (Popped));
    DbnOrigin origin = dbn_service_get_origin (self->service, now);
    gboolean ok = TRUE;
    guint n = 0;
    while (ok && n < max && deadline_timers_peek (self->timers, &at, &id) && at <= now) {
        deadline_timers_pop (self->timers, &at, &id);
        Popped p = { at, id };
        g_array_append_val (popped, p);
        g_autoptr (DeadlineClock) k = NULL;
        ok = deadline_store_get_clock (self->store, id, &k, error);
        if (!ok || k == NULL || k->state != DEADLINE_STATE_RUNNING || k->next_at != at)
            continue; /* stale */
        gint64 before = origin.last_seq;
        ok = fire_one (self, &origin, k, error);
        n += origin.last_seq != before; /* a firing (its due_changed is not counted) */
    }
    /* The commit publishes the firings' events; a rollback drops them. */
    if (ok)
        ok = dbn_emitter_commit (emitter, error);
    else
        dbn_emitter_rollback (emitter);
    if (!ok) {
        for (guint i = 0; i < popped->len; i++) {
            Popped *p = &g_array_index (popped, Popped, i);
            deadline_timers_push (self->timers, p->at, p->id);
        }
        return FALSE;
    }
    *fired = n;
    return TRUE;
}

/* Batches of this many firings per transaction, and per tick at most
 * TICK_BATCHES of them: the loop stays responsive to commands. */
#define BATCH        1000
#define TICK_BATCHES 20

static gboolean
on_tick (gpointer user_data)
{
    DeadlineActions *self = user_data;
    gint64 now = dbn_clock_now_ms (dbn_service_get_clock (self->service));
    for (int i = 0; i < TICK_BATCHES; i++) {
        guint fired = 0;
        g_autoptr (GError) error = NULL;
        if (!deadline_actions_fire_due (self, now, BATCH, &fired, &error)) {
            g_warning ("firing deadlines failed, retried on the next tick: %s", error->message);
            break;
        }
        if (fired < BATCH)
            break;
    }
    return G_SOURCE_CONTINUE;
}

void
deadline_actions_start_ticking (DeadlineActions *self)
{
    if (self->tick_id == 0)
        self->tick_id = g_timeout_add (self->settings.tick_ms, on_tick, self);
}
