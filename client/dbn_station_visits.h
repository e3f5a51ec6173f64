/* dbn_station_visits.h: the station's household visit log (走访日志,
 * D-INT-1): records visits (intake.visit) and lists them, one row per need
 * found. Its actions are "visits.record", "visits.refresh" and
 * "visits.to-request"; the last emits ::need-chosen (visit, household,
 * address, need) for the intake form to take. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_VISITS (dbn_station_visits_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationVisits, dbn_station_visits, DBN, STATION_VISITS, GtkWidget)

/* Connects the page (built by its host's template) to village's visits.
 * Call once. Takes references. */
void dbn_station_visits_set_up (DbnStationVisits *self, DbnConnection *connection, DbnOutbox *outbox,
                                const char *village);
/* Reads the list again (intake.visit.list). */
void dbn_station_visits_refresh (DbnStationVisits *self);

G_END_DECLS
