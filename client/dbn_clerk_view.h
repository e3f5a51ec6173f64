/* dbn_clerk_view.h: the window clerk's screen: the window's live queue
 * (GtkColumnView, sortable, filterable), the selected case with its
 * timeline and clocks, and the routing, intake and deadline commands as
 * actions ("clerk.classify", ..., "clerk.request-materials", "clerk.supplement",
 * "clerk.explain"). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_due_feed.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_CLERK_VIEW (dbn_clerk_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnClerkView, dbn_clerk_view, DBN, CLERK_VIEW, GtkWidget)

/* The queue of kind "window" (topic q/<id>/) or "area" (a/<id>/, what a
 * supervisor oversees, read-only for them): subscribes to its topic and takes
 * a snapshot now and on every resync. Takes references. */
GtkWidget *dbn_clerk_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *kind,
                               const char *id);
/* Borrowed. */
DbnQueueModel *dbn_clerk_view_get_model (DbnClerkView *self);
/* Where the case's papers (dbn_case_papers.h) write their PDFs: this PC's
 * client folder; until it is set they cannot be fetched. */
void dbn_clerk_view_set_papers_dir (DbnClerkView *self, const char *dir);
/* The feed of the queue's due column. Borrowed. */
DbnDueFeed *dbn_clerk_view_get_due_feed (DbnClerkView *self);

G_END_DECLS
