/* dbn_front_desk.h: the front desk's screen of a window whose desks are
 * split (D-RTE-6, org.ini `split_desks`): the run-sheet items on their way
 * to the window, to be signed for (runsheet.ack), one or all at once. A
 * front:<window> key opens it; the back office's key opens the clerk's
 * handling queue instead. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_FRONT_DESK (dbn_front_desk_get_type ())
G_DECLARE_FINAL_TYPE (DbnFrontDesk, dbn_front_desk, DBN, FRONT_DESK, GtkWidget)

/* The front desk of window id: keeps the window's queue (topic q/<id>/) and
 * shows the items in transit. Takes references. */
GtkWidget *dbn_front_desk_new (DbnConnection *connection, DbnOutbox *outbox, const char *id);
/* The whole queue as kept. Borrowed. */
DbnQueueModel *dbn_front_desk_get_model (DbnFrontDesk *self);

G_END_DECLS
