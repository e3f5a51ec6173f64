/* deadline_queue.c: the due column of the queues (deadline.queue) and its
 * live updates (deadline.due_changed).
 *
 * A case's row is derived, never stored: from its clocks, the open clock
 * due first (while the case waits for materials, D-DL-7: the stopped clock
 * with the fewest working days kept, with that number), the furthest stage
 * an open clock reached, the stop and the coverage flag. Deriving it keeps
 * one truth (dl_clock) and costs one indexed read of a case's few clocks.
 * The row holds nothing that moves by itself with the date (no "remaining"
 * of a running clock): it changes only when a clock does, so an event per
 * change keeps a copy exact.
 *
 * deadline.due_changed: every path that changes clocks (following routing
 * and intake, a firing, explain, suspend/resume, a calendar reload) reads
 * the row before and compares it with the row after; when it differs the
 * event is journaled in the SAME transaction as the change (exactly once
 * across crashes: both or neither) and published after the commit. At most
 * one per case per applied event. A case that moved to another window,
 * station or area is a change too, published on the old queues' topics as
 * well, so a client of the queue it left sees the case go (its window,
 * station or area no longer match).
 *
 * deadline.queue: keyset paging by case number over the partial indexes
 * dl_case_{window,station,area} (migration 2), never OFFSET; the reply's seq
 * is the journal's newest seq read in the same moment (reads run after the
 * batch commits, and the subscribers' and firings' transactions are on the
 * same thread), so a client applies the due_changed with a greater seq: the
 * Clone pattern, as routing.queue. Who may: as routing.queue (a station its
 * own station's queue, a window its window's, a supervisor its area's; the
 * committee and the operator any); an area's queue leaves restricted
 * matters out (D-INT-8).
 *
 * Following routing's and intake's journals happens in the subscriber's
 * transaction, not in a command batch; either way the event goes through
 * the service's emitter, published after whichever transaction commits.
 */
#include "deadline_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* One page of deadline.queue (schema limit of the reply's items). */
#define QUEUE_MAX 2000

/* ---- the row ---- */

void
deadline_row_clear (DeadlineRow *row)
{
    g_free (row->window);
    g_free (row->station);
    g_free (row->area);
    g_free (row->county);
    memset (row, 0, sizeof *row);
    row->clock = -1;
    row->covered = TRUE;
}

void
deadline_row_of (const DeadlineCase *c, GPtrArray *clocks, DeadlineRow *row)
{
    deadline_row_clear (row);
    row->window = g_strdup (c->window ? c->window : "");
    row->station = g_strdup (c->station ? c->station : "");
    row->area = g_strdup (c->area ? c->area : "");
    row->county = g_strdup (c->county ? c->county : "");
    row->restricted = c->restricted;
    row->closed = c->closed;
    if (c->closed)
        return;
    row->suspended = c->suspended_at != 0;
    const DeadlineClock *running = NULL, *stopped = NULL;
    for (guint i = 0; i < clocks->len; i++) {
        const DeadlineClock *k = clocks->pdata[i];
        if (k->state == DEADLINE_STATE_RUNNING) {
            /* Ties: the clock that started first (lowest id), whatever the order given. */
            if (running == NULL || k->due_day < running->due_day
                || (k->due_day == running->due_day && k->id < running->id))
                running = k;
        } else if (k->state == DEADLINE_STATE_STOPPED) {
            if (stopped == NULL || k->anchor_n < stopped->anchor_n
                || (k->anchor_n == stopped->anchor_n && k->id < stopped->id))
                stopped = k;
        } else {
            continue;
        }
        row->stage = MAX (row->stage, k->stage);
    }
    /* While stopped, a clock already red keeps running (D-DL-7: waiting
     * does not undo a delay): it is past due, so it comes first. */
    if (running != NULL) {
        row->clock = running->name;
        row->unit = running->unit;
        row->due_day = running->due_day;
        row->covered = running->covered;
    } else if (stopped != NULL) {
        row->clock = stopped->name;
        row->unit = stopped->unit;
        row->has_remaining = TRUE;
        row->remaining = stopped->anchor_n;
    }
}

gboolean
deadline_row_read (DeadlineActions *self, const DeadlineCase *c, DeadlineRow *row, GError **error)
{
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    deadline_row_of (c, clocks, row);
    return TRUE;
}

static gboolean
row_equal (const DeadlineRow *a, const DeadlineRow *b)
{
    return a->clock == b->clock && a->unit == b->unit && a->due_day == b->due_day
           && a->has_remaining == b->has_remaining && (!a->has_remaining || a->remaining == b->remaining)
           && a->stage == b->stage && a->suspended == b->suspended && a->covered == b->covered
           && a->closed == b->closed && a->restricted == b->restricted
           && g_strcmp0 (a->window, b->window) == 0 && g_strcmp0 (a->station, b->station) == 0
           && g_strcmp0 (a->area, b->area) == 0;
}

static void
add_topic (GPtrArray *topics, char *topic)
{
    for (guint i = 0; i < topics->len; i++)
        if (g_strcmp0 (topics->pdata[i], topic) == 0) {
            g_free (topic);
            return;
        }
    g_ptr_array_add (topics, topic);
}

/* c's topics, then those of the queues before's coordinates named (when
 * the case moved). NULL-terminated; caller owns it. */
static char **
row_topics (const DeadlineCase *c, const DeadlineRow *before)
{
    g_auto (GStrv) now = deadline_case_topics (c);
    GPtrArray *topics = g_ptr_array_new ();
    for (int i = 0; now[i] != NULL; i++)
        add_topic (topics, g_strdup (now[i]));
    const char *const ids[] = { before->station, before->window, before->restricted ? NULL : before->area };
    static const char kinds[] = { 's', 'q', 'a' };
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++) {
        char *topic =
            ids[k] != NULL && *ids[k] != '\0' ? deadline_queue_topic (kinds[k], ids[k], c->case_no) : NULL;
        if (topic != NULL)
            add_topic (topics, topic);
    }
    g_ptr_array_add (topics, NULL);
    return (char **) g_ptr_array_free (topics, FALSE);
}

static gboolean department_row_read (DeadlineActions *self, const DeadlineCase *c, DeadlineRow *row,
                                     GError **error);

static DbnMsgDeadlineDueChanged *
due_changed_of (const DeadlineRow *after)
{
    DbnMsgDeadlineDueChanged *ev = dbn_msg_deadline_due_changed_new ();
    ev->window = g_strdup (after->window);
    ev->station = g_strdup (after->station);
    ev->area = g_strdup (after->area);
    if (after->clock >= 0) {
        ev->clock = g_strdup (deadline_clock_name_to_string (after->clock));
        ev->rule = g_strdup (deadline_clock_rule (after->clock));
        ev->unit = g_strdup (deadline_unit_to_string (after->unit));
    }
    ev->due = after->due_day != 0 ? deadline_day_to_iso (after->due_day) : NULL;
    ev->has_remaining = after->has_remaining;
    ev->remaining = after->remaining;
    ev->stage = g_strdup (deadline_stage_to_string (after->stage));
    ev->suspended = after->suspended;
    ev->covered = after->covered;
    return ev;
}

/* D-DL-3: the county department's page shows its own clock, so its topic
 * c/<dept>/ gets the department's row, not the case's nearest clock; and
 * once the case leaves the department, a row without a clock. */
static gboolean
county_row_changed (DeadlineActions *self, const DeadlineCase *c, const DeadlineRow *before, DbnOrigin *origin,
                    GError **error)
{
    const char *dept = c->county != NULL && *c->county != '\0' ? c->county : before->county;
    if (dept == NULL || *dept == '\0')
        return TRUE;
    g_auto (DeadlineRow) row = { 0 };
    if (!department_row_read (self, c, &row, error))
        return FALSE;
    if (c->county == NULL || *c->county == '\0')
        row.clock = -1, row.due_day = 0, row.has_remaining = FALSE;
    g_autoptr (DbnMsgDeadlineDueChanged) ev = due_changed_of (&row);
    dbn_origin_stamp (origin, &ev->env, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE, c->case_no);
    g_autoptr (GBytes) body = dbn_msg_deadline_due_changed_encode (ev, error);
    if (body == NULL)
        return FALSE;
    char *topic = deadline_queue_topic ('c', dept, c->case_no);
    if (topic == NULL)
        return TRUE;
    const char *topics[] = { topic, NULL };
    gboolean ok = dbn_origin_emit (origin, topics, &ev->env, body, error);
    g_free (topic);
    return ok;
}

gboolean
deadline_row_changed (DeadlineActions *self, const DeadlineCase *c, const DeadlineRow *before,
                      DbnOrigin *origin, GError **error)
{
    g_auto (DeadlineRow) after = { 0 };
    if (!deadline_row_read (self, c, &after, error))
        return FALSE;
    if (row_equal (before, &after) && g_strcmp0 (before->county, after.county) == 0)
        return TRUE;
    if (!county_row_changed (self, c, before, origin, error))
        return FALSE;
    g_autoptr (DbnMsgDeadlineDueChanged) ev = due_changed_of (&after);
    dbn_origin_stamp (origin, &ev->env, DBN_MSG_DEADLINE_DUE_CHANGED_WIRE, c->case_no);
    g_autoptr (GBytes) body = dbn_msg_deadline_due_changed_encode (ev, error);
    if (body == NULL)
        return FALSE;
    g_auto (GStrv) topics = row_topics (c, before);
    return dbn_origin_emit (origin, (const char *const *) topics, &ev->env, body, error);
}

/* ---- deadline.queue ---- */

/* A county department's queue shows its own clock (D-DL-3: it answers
 * within 3 working days), not the case's nearest one (often the promise to
 * the applicant, which is the township's). */
static gboolean
department_row_read (DeadlineActions *self, const DeadlineCase *c, DeadlineRow *row, GError **error)
{
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    for (guint i = clocks->len; i-- > 0;) {
        const DeadlineClock *k = clocks->pdata[i];
        if (k->name != DEADLINE_CLOCK_DEPARTMENT)
            g_ptr_array_remove_index (clocks, i);
    }
    deadline_row_of (c, clocks, row);
    return TRUE;
}

static GBytes *
encode_due (const DeadlineCase *c, const DeadlineRow *row, GError **error)
{
    g_autoptr (DbnMsgDeadlineDue) item = dbn_msg_deadline_due_new ();
    item->case_no = g_strdup (c->case_no);
    if (row->clock >= 0) {
        item->clock = g_strdup (deadline_clock_name_to_string (row->clock));
        item->rule = g_strdup (deadline_clock_rule (row->clock));
        item->unit = g_strdup (deadline_unit_to_string (row->unit));
    }
    item->due = row->due_day != 0 ? deadline_day_to_iso (row->due_day) : NULL;
    item->has_remaining = row->has_remaining;
    item->remaining = row->remaining;
    item->stage = g_strdup (deadline_stage_to_string (row->stage));
    item->suspended = row->suspended;
    item->covered = row->covered;
    return dbn_msg_deadline_due_encode (item, error);
}

GBytes *
deadline_queue_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineQueue) req =
        dbn_msg_deadline_queue_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),
                                       g_bytes_get_size (dbn_command_get_body (command)), error);
    if (req == NULL)
        return NULL;
    gboolean county = g_strcmp0 (req->queue, "county") == 0;
    if (g_strcmp0 (req->queue, "window") != 0 && g_strcmp0 (req->queue, "station") != 0
        && g_strcmp0 (req->queue, "area") != 0 && !county) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "a queue is of a window, station, area or county department, not '%s'", req->queue);
        return NULL;
    }
    if (!dbn_auth_may_read_queue (dbn_command_get_principal (command), req->queue, req->id, error))
        return NULL;
    guint limit = req->has_limit && req->limit > 0 && req->limit < QUEUE_MAX ? (guint) req->limit : QUEUE_MAX;
    /* One more than a page tells whether the queue goes on. */
    g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) deadline_case_free);
    if (!deadline_store_read_queue (self->store, req->queue, req->id, req->after, limit + 1, cases, error))
        return NULL;
    g_autoptr (DbnMsgDeadlineQueueReply) reply = dbn_msg_deadline_queue_reply_new ();
    /* Reads run after the batch commits and nothing writes in between (the
     * followers and the firings run on this thread): the page is exactly
     * the journal up to this seq. */
    reply->seq = dbn_store_journal_newest (dbn_service_get_store (service));
    reply->truncated = cases->len > limit;
    if (reply->truncated)
        reply->next = g_strdup (((DeadlineCase *) cases->pdata[limit - 1])->case_no);
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < MIN (cases->len, limit); i++) {
        const DeadlineCase *c = cases->pdata[i];
        g_auto (DeadlineRow) row = { 0 };
        if (!(county ? department_row_read (self, c, &row, error) : deadline_row_read (self, c, &row, error)))
            return NULL;
        GBytes *encoded = encode_due (c, &row, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (reply->items, encoded);
    }
    return dbn_msg_deadline_queue_reply_encode (reply, error);
}
