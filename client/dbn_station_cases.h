/* dbn_station_cases.h: the station's cases page (本站案件): its queue
 * (s/<station>, sortable, searchable) with the run sheet and, for a case
 * awaiting materials (D-INT-4), the supplement. Its actions are
 * "cases.runsheet-new", "cases.print-runsheet" and "cases.supplement". */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_CASES (dbn_station_cases_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationCases, dbn_station_cases, DBN, STATION_CASES, GtkWidget)

/* Connects the page (built by its host's template) to station_id's queue
 * model; client_dir holds the exported run sheets. Call once. Takes
 * references. */
void dbn_station_cases_set_up (DbnStationCases *self, DbnConnection *connection, DbnOutbox *outbox,
                               DbnQueueModel *model, const char *station_id, const char *client_dir);
/* The selected case (a DbnQueueItem; the reply acts on it). Borrowed. */
GtkSingleSelection *dbn_station_cases_get_selection (DbnStationCases *self);
/* Shows text on the page's status line (the queue's snapshot error). */
void dbn_station_cases_set_status (DbnStationCases *self, const char *text);

G_END_DECLS
