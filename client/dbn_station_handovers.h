/* dbn_station_handovers.h: the station's page of the requests its group
 * agents handed over (组代办员转交, issue 16): each pending one "from group
 * X", accepted with the applicant's consent (the usual intake: a case
 * number) or sent back with the reason. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_HANDOVERS (dbn_station_handovers_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationHandovers, dbn_station_handovers, DBN, STATION_HANDOVERS, GtkWidget)

/* The page for station_id over connection (takes a reference). */
GtkWidget *dbn_station_handovers_new (DbnConnection *connection, const char *station_id);
/* Reads the pending handovers again (intake.handover.list). */
void dbn_station_handovers_refresh (DbnStationHandovers *self);

/* What the tests reach. */
/* One line per pending handover, newest first (GtkStringList). Borrowed. */
GListModel *dbn_station_handovers_get_lines (DbnStationHandovers *self);
/* Selects the handover whose number is number; FALSE when it is not listed. */
gboolean dbn_station_handovers_select (DbnStationHandovers *self, const char *number);
void dbn_station_handovers_set_consent (DbnStationHandovers *self, gboolean consent);
GtkEditable *dbn_station_handovers_get_reason (DbnStationHandovers *self);
/* The status line: the case number, the refusal, or the error. Borrowed. */
const char *dbn_station_handovers_get_status (DbnStationHandovers *self);
/* The case number of the last acceptance, NULL before. */
const char *dbn_station_handovers_get_last_case (DbnStationHandovers *self);

G_END_DECLS
