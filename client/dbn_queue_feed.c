/* dbn_queue_feed.c: a queue's routing snapshot and events (see the header).
 *
 * The feed is a plain struct owned by its view, as DbnDueFeed is. A
 * snapshot on its way holds a reference on a small shared state, not on
 * the view, so a view closed meanwhile is freed at once and its snapshot is
 * dropped when it comes (a view used to stay alive until the reply, and
 * apply it to a model it had already let go).
 */
#include "dbn_queue_feed.h"

#include "dbn_commands.h"

#define READ_TIMEOUT_MS 3000

/* The state is a g_atomic_rc_box: its last release clears it. */
#define state_release(s) g_atomic_rc_box_release_full ((s), (GDestroyNotify) state_clear)

/* What a snapshot on its way may still reach after the feed is freed. */
typedef struct {
    DbnQueueModel *model;           /* owned ref; NULL once the feed is freed */
    const DbnQueueFeedHooks *hooks; /* the view's */
    gpointer user_data;             /* the view */
} State;

struct _DbnQueueFeed {
    DbnConnection *connection; /* owned ref */
    char *kind, *id;           /* the routing.queue asked for */
    char *topic;               /* its events' topic prefix */
    State *state;              /* shared with the snapshot on its way */
    DbnDueFeed *due_feed;      /* the model's due column */
    gulong event_id, resync_id;
};

/* What the state holds, freed with its last reference. */
static void
state_clear (State *s)
{
    g_clear_object (&s->model);
}

static void
on_snapshot (GObject *source, GAsyncResult *result, gpointer user_data)
{
    State *s = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (s->model == NULL) {
        state_release (s);
        return;
    }
    if (reply == NULL || !dbn_queue_model_apply_snapshot (s->model, reply, &error)) {
        if (s->hooks->failed != NULL)
            s->hooks->failed (s->user_data, error);
        state_release (s);
        return;
    }
    /* From the snapshot's seq on, the connection brings every event of the
     * topic, the ones its subscriber missed included (issue 11). */
    dbn_connection_catch_up_from (DBN_CONNECTION (source), "routing", dbn_queue_model_get_seq (s->model));
    if (s->hooks->changed != NULL)
        s->hooks->changed (s->user_data, FALSE);
    state_release (s);
}

void
dbn_queue_feed_resync (DbnQueueFeed *self)
{
    g_autoptr (DbnMsgRoutingQueue) q = dbn_msg_routing_queue_new ();
    q->env.key = dbn_command_new_key ();
    q->kind = g_strdup (self->kind);
    q->id = g_strdup (self->id);
    g_autoptr (GBytes) body = dbn_msg_routing_queue_encode (q, NULL);
    dbn_queue_model_begin_resync (self->state->model);
    dbn_connection_call_async (self->connection, "routing", body, READ_TIMEOUT_MS, on_snapshot,
                               g_atomic_rc_box_acquire (self->state));
}

static gint64
open_seq (State *s)
{
    const char *open = s->hooks->open_case != NULL ? s->hooks->open_case (s->user_data) : NULL;
    DbnQueueItem *item = open != NULL ? dbn_queue_model_lookup (s->model, open) : NULL;
    return item != NULL ? dbn_queue_item_get_updated_seq (item) : 0;
}

static void
on_event (DbnConnection *connection, const char *topic, GBytes *body, gpointer user_data)
{
    DbnQueueFeed *self = user_data;
    State *s = self->state;
    if (!g_str_has_prefix (topic, self->topic))
        return;
    gint64 before = open_seq (s);
    g_autoptr (GError) error = NULL;
    if (!dbn_queue_model_apply_event (s->model, body, &error))
        g_warning ("queue event dropped: %s", error->message);
    if (s->hooks->changed != NULL)
        s->hooks->changed (s->user_data, open_seq (s) != before);
}

DbnQueueFeed *
dbn_queue_feed_new (DbnConnection *connection, DbnQueueModel *model, const char *kind, const char *id,
                    const char *topic, const DbnQueueFeedHooks *hooks, gpointer user_data)
{
    g_return_val_if_fail (DBN_IS_CONNECTION (connection) && DBN_IS_QUEUE_MODEL (model), NULL);
    g_return_val_if_fail (hooks != NULL, NULL);
    DbnQueueFeed *self = g_new0 (DbnQueueFeed, 1);
    self->connection = g_object_ref (connection);
    self->kind = g_strdup (kind);
    self->id = g_strdup (id);
    self->topic = g_strdup (topic);
    self->state = g_atomic_rc_box_new0 (State);
    self->state->model = g_object_ref (model);
    self->state->hooks = hooks;
    self->state->user_data = user_data;
    self->event_id = g_signal_connect (connection, "event", G_CALLBACK (on_event), self);
    self->resync_id =
        g_signal_connect_swapped (connection, "resync", G_CALLBACK (dbn_queue_feed_resync), self);
    dbn_connection_subscribe (connection, topic);
    dbn_queue_feed_resync (self);
    self->due_feed = dbn_due_feed_new (connection, model, kind, id, topic);
    return self;
}

void
dbn_queue_feed_free (DbnQueueFeed *self)
{
    if (self == NULL)
        return;
    g_clear_signal_handler (&self->event_id, self->connection);
    g_clear_signal_handler (&self->resync_id, self->connection);
    g_clear_pointer (&self->due_feed, dbn_due_feed_free);
    g_clear_object (&self->state->model);
    state_release (self->state);
    g_object_unref (self->connection);
    g_free (self->kind);
    g_free (self->id);
    g_free (self->topic);
    g_free (self);
}

DbnDueFeed *
dbn_queue_feed_get_due_feed (DbnQueueFeed *self)
{
    return self->due_feed;
}
