/* dbn_due_feed.h: keeps a queue model's due column in step with the
 * deadline service.
 *
 * On creation and whenever deadline becomes reachable again it takes a
 * `deadline.queue` snapshot of the queue (every page), and it hands every
 * event of the queue's topic from deadline's publisher to the model
 * (dbn_queue_model_apply_due_event). A deadline service that does not
 * answer, or answers with an error (an older one without deadline.queue),
 * leaves the column as it is ("—" before any snapshot).
 */
#pragma once

#include "dbn_connection.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

typedef struct _DbnDueFeed DbnDueFeed;

/* Feeds model from the deadline queue kind (window, station or area) id,
 * whose events come on topic (e.g. "q/jisheng/"; subscribed by the caller
 * through dbn_connection_subscribe). Takes references. Caller owns it. */
DbnDueFeed *dbn_due_feed_new (DbnConnection *connection, DbnQueueModel *model, const char *kind,
                              const char *id, const char *topic);
/* Stops listening; a snapshot still on its way is dropped when it comes. */
void dbn_due_feed_free (DbnDueFeed *self);
/* Takes a new snapshot now (also done on ::deadline-resync). */
void dbn_due_feed_resync (DbnDueFeed *self);
/* The last error line of the deadline service (e.g. its unknown-command
 * refusal), NULL while all is well. Borrowed. */
const char *dbn_due_feed_get_error (DbnDueFeed *self);
/* The number of snapshots completed (all pages taken). */
guint dbn_due_feed_get_n_snapshots (DbnDueFeed *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnDueFeed, dbn_due_feed_free)

G_END_DECLS
