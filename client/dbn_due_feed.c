/* dbn_due_feed.c: the due column's snapshot pages and events.
 *
 * A snapshot walks the pages one request at a time (each page's `next` is
 * the following request's `after`), so a queue of 100,000 cases costs 50
 * small requests, never one reply over the codec's frame limit. A
 * generation counter ties each reply to the snapshot that asked for it: a
 * resync started while pages are on their way makes the old replies
 * stale, and they are dropped. The feed is a plain struct owned by its
 * view; the replies hold a reference on a small shared state, not on the
 * view, so a closed view never waits for a timeout to be freed.
 */
#include "dbn_due_feed.h"

#include <string.h>

#include "dbn_commands.h"

#define READ_TIMEOUT_MS 3000

/* The state is a g_atomic_rc_box: its last release clears it. */
#define state_release(s) g_atomic_rc_box_release_full ((s), (GDestroyNotify) state_clear)

/* What the replies may still reach after the feed is freed. */
typedef struct {
    DbnQueueModel *model; /* owned ref; NULL once the feed is freed */
    guint generation;     /* the snapshot the replies belong to */
    char *error;          /* last error line, or NULL */
    guint n_snapshots;
} State;

struct _DbnDueFeed {
    DbnConnection *connection; /* owned ref */
    char *kind, *id, *topic;
    State *state;
    gulong event_id, resync_id;
};

/* What the state holds, freed with its last reference. */
static void
state_clear (State *s)
{
    g_clear_object (&s->model);
    g_free (s->error);
}

typedef struct {
    State *state;              /* owned ref */
    DbnConnection *connection; /* owned ref */
    char *kind, *id;
    char *after; /* the page asked for; NULL the first */
    guint generation;
} Page;

static void
page_free (Page *p)
{
    state_release (p->state);
    g_object_unref (p->connection);
    g_free (p->kind);
    g_free (p->id);
    g_free (p->after);
    g_free (p);
}

static void ask_page (DbnConnection *connection, State *state, const char *kind, const char *id,
                      const char *after, guint generation);

static void
on_page (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Page *p = user_data;
    State *s = p->state;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (s->model == NULL || p->generation != s->generation) {
        page_free (p);
        return;
    }
    g_autofree char *next = NULL;
    if (reply == NULL || !dbn_queue_model_apply_due_page (s->model, reply, p->after, &next, &error)) {
        /* Asked again when deadline is heard anew (::deadline-resync). */
        g_free (s->error);
        s->error = dbn_error_line (error);
        g_debug ("deadline.queue %s/%s: %s", p->kind, p->id, s->error);
        page_free (p);
        return;
    }
    g_clear_pointer (&s->error, g_free);
    if (next != NULL) {
        ask_page (p->connection, s, p->kind, p->id, next, p->generation);
    } else {
        s->n_snapshots++;
        /* Deadline's events after the first page's seq: every one, the
         * missed ones from sys.sync (dbn_connection_catch_up_from). */
        dbn_connection_catch_up_from (p->connection, "deadline", dbn_queue_model_get_due_seq (s->model));
    }
    page_free (p);
}

static void
ask_page (DbnConnection *connection, State *state, const char *kind, const char *id, const char *after,
          guint generation)
{
    g_autoptr (DbnMsgDeadlineQueue) q = dbn_msg_deadline_queue_new ();
    q->env.key = dbn_command_new_key ();
    q->queue = g_strdup (kind);
    q->id = g_strdup (id);
    q->after = g_strdup (after);
    g_autoptr (GBytes) body = dbn_msg_deadline_queue_encode (q, NULL);
    if (body == NULL)
        return;
    Page *p = g_new0 (Page, 1);
    p->state = g_atomic_rc_box_acquire (state);
    p->connection = g_object_ref (connection);
    p->kind = g_strdup (kind);
    p->id = g_strdup (id);
    p->after = g_strdup (after);
    p->generation = generation;
    dbn_connection_call_async (connection, "deadline", body, READ_TIMEOUT_MS, on_page, p);
}

void
dbn_due_feed_resync (DbnDueFeed *self)
{
    State *s = self->state;
    s->generation++;
    dbn_queue_model_begin_due_resync (s->model);
    ask_page (self->connection, s, self->kind, self->id, NULL, s->generation);
}

static void
on_event (DbnConnection *connection, const char *topic, GBytes *body, gpointer user_data)
{
    DbnDueFeed *self = user_data;
    if (!g_str_has_prefix (topic, self->topic))
        return;
    g_autoptr (GError) error = NULL;
    if (!dbn_queue_model_apply_due_event (self->state->model, body, &error))
        g_warning ("deadline event dropped: %s", error->message);
}

DbnDueFeed *
dbn_due_feed_new (DbnConnection *connection, DbnQueueModel *model, const char *kind, const char *id,
                  const char *topic)
{
    g_return_val_if_fail (DBN_IS_CONNECTION (connection) && DBN_IS_QUEUE_MODEL (model), NULL);
    DbnDueFeed *self = g_new0 (DbnDueFeed, 1);
    self->connection = g_object_ref (connection);
    self->kind = g_strdup (kind);
    self->id = g_strdup (id);
    self->topic = g_strdup (topic);
    self->state = g_atomic_rc_box_new0 (State);
    self->state->model = g_object_ref (model);
    self->event_id = g_signal_connect (connection, "deadline-event", G_CALLBACK (on_event), self);
    self->resync_id =
        g_signal_connect_swapped (connection, "deadline-resync", G_CALLBACK (dbn_due_feed_resync), self);
    dbn_due_feed_resync (self);
    return self;
}

void
dbn_due_feed_free (DbnDueFeed *self)
{
    if (self == NULL)
        return;
    g_clear_signal_handler (&self->event_id, self->connection);
    g_clear_signal_handler (&self->resync_id, self->connection);
    g_clear_object (&self->state->model);
    state_release (self->state);
    g_object_unref (self->connection);
    g_free (self->kind);
    g_free (self->id);
    g_free (self->topic);
    g_free (self);
}

const char *
dbn_due_feed_get_error (DbnDueFeed *self)
{
    return self->state->error;
}
guint
dbn_due_feed_get_n_snapshots (DbnDueFeed *self)
{
    return self->state->n_snapshots;
}
