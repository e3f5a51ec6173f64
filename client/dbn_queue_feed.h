/* dbn_queue_feed.h: keeps a queue view's model in step with routing (and,
 * through its DbnDueFeed, with the deadline service).
 *
 * On creation it subscribes to the queue's topic and takes a routing.queue
 * snapshot; it takes a new one on every ::resync of the connection (routing
 * heard again, or a hole the catchup cannot fill). From the snapshot's seq
 * on, every event of the topic is applied to the model, the missed ones
 * included (dbn_connection_catch_up_from, issue 11). The clerk's and the
 * station's views both keep their queue this way.
 */
#pragma once

#include "dbn_connection.h"
#include "dbn_due_feed.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

typedef struct _DbnQueueFeed DbnQueueFeed;

/* What the view does when the feed has changed its model. Every hook may be NULL. */
typedef struct {
    /* The snapshot failed (the next resync asks again); error says why. */
    void (*failed) (gpointer user_data, const GError *error);
    /* The snapshot or an event was applied. open_moved: it was an event and
     * it moved the row of the case open_case names. */
    void (*changed) (gpointer user_data, gboolean open_moved);
    /* The case the view has open (its detail), NULL none. Borrowed. */
    const char *(*open_case) (gpointer user_data);
} DbnQueueFeedHooks;

/* Feeds model from queue kind ("window", "area" or "station") id, whose
 * events come on topic (e.g. "q/jisheng/"): subscribes to it and asks for
 * the first snapshot now. hooks (static) and user_data are called until
 * dbn_queue_feed_free. Takes references. Caller owns it. */
DbnQueueFeed *dbn_queue_feed_new (DbnConnection *connection, DbnQueueModel *model, const char *kind,
                                  const char *id, const char *topic, const DbnQueueFeedHooks *hooks,
                                  gpointer user_data);
/* Stops listening; a snapshot still on its way is dropped when it comes. */
void dbn_queue_feed_free (DbnQueueFeed *self);
/* Takes a new snapshot now (also done on ::resync). */
void dbn_queue_feed_resync (DbnQueueFeed *self);
/* The feed of the model's due column. Borrowed. */
DbnDueFeed *dbn_queue_feed_get_due_feed (DbnQueueFeed *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnQueueFeed, dbn_queue_feed_free)

G_END_DECLS
