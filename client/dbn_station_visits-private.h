/* dbn_station_visits-private.h: what the tests reach the visit log by. */
#pragma once

#include "dbn_station_visits.h"

G_BEGIN_DECLS

/* The fields "household", "visit-address", "needs", "visit-note"; NULL another. Borrowed. */
GtkEditable *dbn_station_visits_get_entry (DbnStationVisits *self, const char *name);
/* One line per need of the listed visits (GtkStringList). Borrowed. */
GListModel *dbn_station_visits_get_lines (DbnStationVisits *self);
/* One line per household of the must-visit list (三必访), the most
 * pressing first (GtkStringList). Borrowed. */
GListModel *dbn_station_visits_get_must_lines (DbnStationVisits *self);
/* The must-visit list's status line ("三必访 3 户，应访或逾期 2 户"). Borrowed. */
const char *dbn_station_visits_get_must_status (DbnStationVisits *self);
/* Selects the need at position (for "visits.to-request"). */
void dbn_station_visits_select_need (DbnStationVisits *self, guint position);
/* The status line. Borrowed. */
const char *dbn_station_visits_get_status (DbnStationVisits *self);

G_END_DECLS
