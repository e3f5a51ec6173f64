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
GtkWidget     *dbn_clerk_view_new (DbnConnection *connection, DbnOutbox *outbox,
                                   const char *kind, const char *id);
/* Borrowed. */
DbnQueueModel *dbn_clerk_view_get_model (DbnClerkView *self);
/* The feed of the queue's due column. Borrowed. */
DbnDueFeed    *dbn_clerk_view_get_due_feed (DbnClerkView *self);
/* The rows as shown (filtered and sorted). Borrowed. */
GListModel    *dbn_clerk_view_get_visible (DbnClerkView *self);
/* Selects case_no's row and loads its detail; FALSE when it is not shown. */
gboolean       dbn_clerk_view_select (DbnClerkView *self, const char *case_no);
/* The case the actions act on, NULL when none. Borrowed. */
const char    *dbn_clerk_view_get_selected (DbnClerkView *self);
/* Timeline lines of the selected case as loaded (GtkStringList). Borrowed. */
GListModel    *dbn_clerk_view_get_timeline (DbnClerkView *self);
/* The input fields the actions read (tests fill them as a clerk would). */
GtkEditable   *dbn_clerk_view_get_entry (DbnClerkView *self, const char *name);
/* The selected case's clocks as shown (deadline.case.due), "" before. Borrowed. */
const char    *dbn_clerk_view_get_clocks_text (DbnClerkView *self);
/* The status line under the actions. Borrowed. */
const char    *dbn_clerk_view_get_status (DbnClerkView *self);
/* The missing list of a selected case awaiting materials: how many, and
 * ticking the first n (what "clerk.supplement" sends). */
guint          dbn_clerk_view_get_n_missing (DbnClerkView *self);
void           dbn_clerk_view_tick_missing (DbnClerkView *self, guint n);

G_END_DECLS
