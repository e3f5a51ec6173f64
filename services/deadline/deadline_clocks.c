/* deadline_clocks.c: the clocks of a case, for every family that moves them
 * (the commands, the reloads, the followers of routing and intake, the
 * firings): start, end, suspend, resume, schedule; and the topics of a
 * case's events.
 *
 * A case's clocks live in dl_clock, one row each; every change of a clock
 * (start, stop, resume, end, a firing) rewrites its row and, when it has a
 * next firing, pushes (next_at, id) on the timer heap. The heap is never
 * searched: an entry whose clock moved on is recognised as stale when it
 * reaches the top (deadline_fire.c), which also makes a rolled-back
 * transaction harmless to the heap.
 */
#include "deadline_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

static void
push_pending (gint64 at, gint64 id, gpointer user_data)
{
    deadline_timers_append_sorted (user_data, at, id);
}

gboolean
deadline_actions_rebuild (DeadlineActions *self, GError **error)
{
    deadline_timers_clear (self->timers);
    return deadline_store_foreach_pending (self->store, push_pending, self->timers, error);
}

char *
deadline_queue_topic (char kind, const char *id, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    char *topic = dbn_topic_dup_queue (kind, id, &error);
    if (topic == NULL) {
        g_autofree char *key = g_strdup_printf ("deadline-topic:%c:%s", kind, case_no ? case_no : "");
        dbn_log_once (key, "%s: not published on its %c/ queue: %s", case_no ? case_no : "?", kind,
                      error->message);
    }
    return topic;
}

static void
add_queue_topic (GPtrArray *topics, char kind, const char *id, const char *case_no)
{
    char *topic = deadline_queue_topic (kind, id, case_no);
    if (topic != NULL)
        g_ptr_array_add (topics, topic);
}

char **
deadline_case_topics (const DeadlineCase *c)
{
    GPtrArray *topics = g_ptr_array_new ();
    /* Routing's station ids come from org.ini; the check is the second wall
     * (issue 11), so a bad one costs the event its queue, never a leak. */
    add_queue_topic (topics, 's', c->station, c->case_no);
    if (c->window != NULL && *c->window != '\0')
        add_queue_topic (topics, 'q', c->window, c->case_no);
    /* D-INT-8: a petition's deadlines reach its station and its window (the
     * mediation officer's), never the area's supervisors (as routing). */
    if (c->area != NULL && *c->area != '\0' && !c->restricted)
        add_queue_topic (topics, 'a', c->area, c->case_no);
    /* D-AUD-2: the committee's live feed. */
    g_ptr_array_add (topics, g_strdup ("audit"));
    g_ptr_array_add (topics, NULL);
    return (char **) g_ptr_array_free (topics, FALSE);
}

gboolean
deadline_schedule (DeadlineActions *self, DeadlineClock *k, const char *area, GError **error)
{
    gboolean covered = TRUE;
    k->due_day = deadline_due_day (self->calendar, area, k->unit, k->anchor_day, k->anchor_n, &covered);
    if (!covered && k->covered) {
        /* D-DL-5: never silently guessed: flagged on the clock and logged. */
        g_autofree char *due = deadline_day_to_iso (k->due_day);
        g_warning ("%s: %s clock due %s lies outside the calendar's years: counted on weekends only",
                   k->case_no, deadline_clock_name_to_string (k->name), due);
    }
    k->covered = covered;
    k->next_at = deadline_next_at (self->calendar, area, k->unit, k->due_day, k->started_at, k->stage,
                                   k->explained, self->settings.grace);
    if (!deadline_store_put_clock (self->store, k, error))
        return FALSE;
    if (k->next_at != 0)
        deadline_timers_push (self->timers, k->next_at, k->id);
    return TRUE;
}

static int
clock_length (DeadlineActions *self, const DeadlineCase *c, DeadlineClockName name)
{
    int length = self->settings.lengths[name];
    if (name == DEADLINE_CLOCK_COMMITTED)
        /* D-DL-4: as intake promised it at acceptance (dbn_promise). */
        return dbn_promise_length (length, dbn_catalog_lookup (self->catalog, c->matter));
    return length;
}

static DeadlineClock *
find_clock (GPtrArray *clocks, DeadlineClockName name)
{
    for (guint i = 0; i < clocks->len; i++)
        if (((DeadlineClock *) clocks->pdata[i])->name == name)
            return clocks->pdata[i];
    return NULL;
}

gboolean
deadline_clock_is_open (const DeadlineClock *k)
{
    return k->state == DEADLINE_STATE_RUNNING || k->state == DEADLINE_STATE_STOPPED;
}

gboolean
deadline_start_clock (DeadlineActions *self, DeadlineCase *c, DeadlineClockName name, gint64 at,
                      gboolean restart, GError **error)
{
    int length = clock_length (self, c, name);
    /* D-EV-7's follow-up comes after the reply, when the case is closed. */
    if (length <= 0 || (c->closed && name != DEADLINE_CLOCK_FOLLOWUP))
        return TRUE; /* configured off */
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    DeadlineClock *k = find_clock (clocks, name);
    if (k != NULL && !restart && k->state != DEADLINE_STATE_CANCELLED)
        return TRUE;
    if (k == NULL) {
        k = g_new0 (DeadlineClock, 1);
        k->case_no = g_strdup (c->case_no);
        k->name = name;
        g_ptr_array_add (clocks, k);
    }
    k->length = length;
    /* D-DL-3: the unit is the clock's from its start; a later change of the
     * setting reaches clocks started after it. */
    k->unit = self->settings.units[name];
    k->started_at = at;
    k->stage = DEADLINE_STAGE_NONE;
    k->explained = FALSE;
    k->covered = TRUE;
    if (c->suspended_at != 0 && name != DEADLINE_CLOCK_FOLLOWUP) {
        /* D-DL-7: a clock that starts while the case waits starts stopped. */
        k->state = DEADLINE_STATE_STOPPED;
        k->anchor_day = deadline_day_of_ms (at);
        k->anchor_n = length;
        k->due_day = 0;
        k->next_at = 0;
        return deadline_store_put_clock (self->store, k, error);
    }
    k->state = DEADLINE_STATE_RUNNING;
    k->anchor_day = deadline_day_of_ms (at);
    k->anchor_n = length;
    return deadline_schedule (self, k, c->area, error);
}

gboolean
deadline_end_clocks (DeadlineActions *self, DeadlineCase *c, guint mask, DeadlineState state, GError **error)
{
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (!deadline_clock_is_open (k) || (mask & (1u << k->name)) == 0)
            continue;
        k->state = state;
        k->next_at = 0;
        if (!deadline_store_put_clock (self->store, k, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
deadline_suspend (DeadlineActions *self, DeadlineCase *c, gint64 at, const char *by, GError **error)
{
    if (c->suspended_at != 0)
        return TRUE;
    c->suspended_at = at;
    g_free (c->suspended_by);
    c->suspended_by = g_strdup (by);
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    gint64 today = deadline_day_of_ms (at);
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        /* An overdue clock stays overdue: waiting now does not undo the delay. */
        /* D-EV-7's follow-up is not the case's handling: a materials stop of
         * a case whose follow-up arrived before it (pending) leaves it be. */
        if (k->state != DEADLINE_STATE_RUNNING || k->stage >= DEADLINE_STAGE_OVERDUE
            || k->name == DEADLINE_CLOCK_FOLLOWUP)
            continue;
        k->state = DEADLINE_STATE_STOPPED;
        k->anchor_n = MAX (0, deadline_remaining (self->calendar, c->area, k->unit, today, k->due_day));
        k->due_day = 0;
        k->next_at = 0;
        if (!deadline_store_put_clock (self->store, k, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
deadline_resume (DeadlineActions *self, DeadlineCase *c, gint64 at, GError **error)
{
    if (c->suspended_at == 0)
        return TRUE;
    c->suspended_at = 0;
    g_clear_pointer (&c->suspended_by, g_free);
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (k->state != DEADLINE_STATE_STOPPED)
            continue;
        /* D-DL-7: what remained, counted again from today; a new yellow
         * warning one working day before the new date. */
        k->state = DEADLINE_STATE_RUNNING;
        k->anchor_day = deadline_day_of_ms (at);
        k->stage = DEADLINE_STAGE_NONE;
        if (!deadline_schedule (self, k, c->area, error))
            return FALSE;
    }
    return TRUE;
}
