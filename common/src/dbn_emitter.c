/* dbn_emitter.c: journal in the transaction, publish after the commit.
 *
 * The queue is one array of (topic, event) in journal order; an event that
 * goes out on three topics is journaled once (one journal row, two
 * journal_topic rows) and queued three times. A unit of work that rolls
 * back alone (a command's savepoint) truncates the array to its mark; a
 * transaction that rolls back empties it; a commit publishes it and empties
 * it. Nothing else is kept: no event waits beyond its own transaction, so
 * there is no seq-tagged outbox and no idle flush (issue 12: routing and
 * deadline each had one, publishing from a high-priority idle whatever its
 * subscriber had committed by then).
 *
 * Rejected: publishing from the store's commit hook (SQLite's commit hook
 * runs before the commit is durable, and may not touch the connection).
 */
#include "daiban/dbn_emitter.h"

#include <string.h>

#include "daiban/dbn_error.h"
#include "daiban/dbn_topic.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-service"

/* The most topics one event goes out on (routing's case event: its three
 * queues and the three it left). */
#define TOPICS_MAX 16

typedef struct {
    char *topic;   /* PUB topic */
    GBytes *event; /* encoded event map */
} Queued;

struct _DbnEmitter {
    DbnStore *store;         /* borrowed: the journal */
    char *src;               /* the service's name */
    DbnPublisher *publisher; /* borrowed; NULL: journal only */
    GArray *queue;           /* Queued, of the open transaction, in journal order */
    GBytes *last_event;      /* the event emitted last in this unit (a ref) */
    gint64 last_seq;         /* its seq */
    GError *also_error;      /* what publish_also met in this unit */
};

static void
queued_clear (gpointer data)
{
    Queued *q = data;
    g_free (q->topic);
    g_bytes_unref (q->event);
}

DbnEmitter *
dbn_emitter_new (DbnStore *store, const char *src)
{
    g_return_val_if_fail (store != NULL && src != NULL, NULL);
    DbnEmitter *self = g_new0 (DbnEmitter, 1);
    self->store = store;
    self->src = g_strdup (src);
    self->queue = g_array_new (FALSE, FALSE, sizeof (Queued));
    g_array_set_clear_func (self->queue, queued_clear);
    return self;
}

void
dbn_emitter_free (DbnEmitter *self)
{
    if (self == NULL)
        return;
    g_array_unref (self->queue);
    g_clear_pointer (&self->last_event, g_bytes_unref);
    g_clear_error (&self->also_error);
    g_free (self->src);
    g_free (self);
}

void
dbn_emitter_set_publisher (DbnEmitter *self, DbnPublisher *publisher)
{
    self->publisher = publisher;
}

void
dbn_emitter_stamp (DbnEmitter *self, DbnEnvEvent *env, const char *type, const char *case_no,
                   const char *actor, gint64 ts_ms)
{
    /* A message's _new() fills some of them already. */
    env->v = DBN_SCHEMA_VERSION;
    g_free (env->type);
    env->type = g_strdup (type);
    g_free (env->src);
    env->src = g_strdup (self->src);
    env->seq = dbn_store_journal_next_seq (self->store);
    env->ts = ts_ms;
    g_free (env->case_no);
    env->case_no = g_strdup (case_no);
    g_free (env->actor);
    env->actor = g_strdup (actor);
}

static void
enqueue (DbnEmitter *self, const char *topic, GBytes *event)
{
    Queued q = { g_strdup (topic), g_bytes_ref (event) };
    g_array_append_val (self->queue, q);
}

gboolean
dbn_emitter_emit (DbnEmitter *self, const char *const *topics, const DbnEnvEvent *env, GBytes *event,
                  GError **error)
{
    g_return_val_if_fail (topics != NULL && topics[0] != NULL, FALSE);
    /* Issue 11, second wall: an id with '/' must never become a topic that
     * another station's grant matches; the change fails instead. */
    if (!dbn_topic_check (topics[0], error))
        return FALSE;
    const char *kept[TOPICS_MAX + 1] = { topics[0] };
    guint n = 1;
    for (guint i = 1; topics[i] != NULL; i++) {
        gboolean repeat = *topics[i] == '\0';
        for (guint j = 0; j < n && !repeat; j++)
            repeat = strcmp (topics[i], kept[j]) == 0;
        if (repeat)
            continue;
        g_autoptr (GError) refused = NULL;
        if (!dbn_topic_check (topics[i], &refused)) {
            g_warning ("%s: %s", self->src, refused->message);
            continue;
        }
        g_assert (n < TOPICS_MAX); /* the callers' topics are few and fixed */
        kept[n++] = topics[i];
    }
    kept[n] = NULL;
    /* Every topic it goes out on is stored with it, so a station or window
     * that missed it live gets it back from a scoped sys.sync (issue 11). */
    if (!dbn_store_journal_append_topics (self->store, env->seq, env->ts, env->type, env->case_no, kept,
                                          event, error))
        return FALSE;
    for (guint i = 0; i < n; i++)
        enqueue (self, kept[i], event);
    g_clear_pointer (&self->last_event, g_bytes_unref);
    self->last_event = g_bytes_ref (event);
    self->last_seq = env->seq;
    return TRUE;
}

void
dbn_emitter_publish_also (DbnEmitter *self, const char *topic, GBytes *event)
{
    g_autoptr (GError) refused = NULL;
    if (!dbn_topic_check (topic, &refused)) {
        g_warning ("%s: %s", self->src, refused->message);
        return;
    }
    /* An event that is not the last one emitted has no seq we know: refused
     * loudly, since a subscriber of that topic could never recover it. */
    if (self->also_error == NULL) {
        if (self->last_event == NULL
            || (event != self->last_event && !g_bytes_equal (event, self->last_event)))
            self->also_error = g_error_new (DBN_ERROR, DBN_ERROR_INTERNAL,
                                            "published on %s an event that was not the one "
                                            "journaled last",
                                            topic);
        else
            dbn_store_journal_add_topic (self->store, self->last_seq, topic, &self->also_error);
        if (self->also_error != NULL)
            return;
    }
    enqueue (self, topic, event);
}

guint
dbn_emitter_mark (DbnEmitter *self)
{
    g_clear_pointer (&self->last_event, g_bytes_unref);
    return self->queue->len;
}

void
dbn_emitter_drop_to (DbnEmitter *self, guint mark)
{
    if (mark < self->queue->len)
        g_array_set_size (self->queue, mark);
    g_clear_pointer (&self->last_event, g_bytes_unref);
}

gboolean
dbn_emitter_take_error (DbnEmitter *self, GError **error)
{
    if (self->also_error == NULL)
        return TRUE;
    g_propagate_error (error, g_steal_pointer (&self->also_error));
    return FALSE;
}

void
dbn_emitter_publish (DbnEmitter *self)
{
    for (guint i = 0; self->publisher != NULL && i < self->queue->len; i++) {
        Queued *q = &g_array_index (self->queue, Queued, i);
        dbn_publisher_send (self->publisher, q->topic, q->event);
    }
    dbn_emitter_discard (self);
}

void
dbn_emitter_discard (DbnEmitter *self)
{
    g_array_set_size (self->queue, 0);
    g_clear_pointer (&self->last_event, g_bytes_unref);
    g_clear_error (&self->also_error);
}

gboolean
dbn_emitter_begin (DbnEmitter *self, GError **error)
{
    dbn_emitter_discard (self);
    return dbn_store_begin (self->store, error);
}

gboolean
dbn_emitter_commit (DbnEmitter *self, GError **error)
{
    /* A crash between the commit and the sends loses nothing: the events are
     * in the journal, and consumers sync on the next heartbeat. */
    if (!dbn_store_commit (self->store, error)) {
        dbn_emitter_discard (self);
        return FALSE;
    }
    dbn_emitter_publish (self);
    return TRUE;
}

void
dbn_emitter_rollback (DbnEmitter *self)
{
    dbn_store_rollback (self->store);
    dbn_emitter_discard (self);
}

void
dbn_origin_stamp (DbnOrigin *self, DbnEnvEvent *env, const char *type, const char *case_no)
{
    dbn_emitter_stamp (self->emitter, env, type, case_no, self->actor, self->now_ms);
}

gboolean
dbn_origin_emit (DbnOrigin *self, const char *const *topics, const DbnEnvEvent *env, GBytes *event,
                 GError **error)
{
    if (!dbn_emitter_emit (self->emitter, topics, env, event, error))
        return FALSE;
    self->last_seq = env->seq;
    return TRUE;
}
