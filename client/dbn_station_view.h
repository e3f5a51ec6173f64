/* dbn_station_view.h: the village station's screen, a host of five pages
 * in a stack: intake (DbnStationIntake), the station's cases with its run
 * sheets and supplements (DbnStationCases), the household visit log
 * (DbnStationVisits), the logbook (DbnStationLogbook) and the reply to the
 * applicant with rating and signature (DbnStationReply). Each page has its
 * own actions ("intake.submit", "cases.runsheet-new", "visits.record",
 * "logbook.refresh", "reply.send", ...); the host keeps the queue
 * (DbnQueueFeed) and passes between pages what one hands to another. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_due_feed.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_VIEW (dbn_station_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationView, dbn_station_view, DBN, STATION_VIEW, GtkWidget)

/* The screen of station station_id. client_dir holds what the station keeps
 * locally (signatures, exported PDFs). Takes references. */
GtkWidget *dbn_station_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *station_id,
                                 const char *client_dir);
/* The station's queue, with the outbox's not-yet-sent submits. Borrowed. */
DbnQueueModel *dbn_station_view_get_model (DbnStationView *self);
/* The feed of the queue's due column. Borrowed. */
DbnDueFeed *dbn_station_view_get_due_feed (DbnStationView *self);

G_END_DECLS
