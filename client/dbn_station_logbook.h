/* dbn_station_logbook.h: the station's logbook page (代办记录簿, D-INT-3):
 * every acceptance and refusal of its village, read with intake.logbook,
 * printed and exported on as many pages as it needs. Its actions are
 * "logbook.refresh", "logbook.print" and "logbook.export". */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_LOGBOOK (dbn_station_logbook_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationLogbook, dbn_station_logbook, DBN, STATION_LOGBOOK, GtkWidget)

/* Connects the page (built by its host's template) to village's logbook;
 * the PDF goes to client_dir. Call once. Takes references. */
void dbn_station_logbook_set_up (DbnStationLogbook *self, DbnConnection *connection, const char *village,
                                 const char *client_dir);
/* Reads the book again from its first page. */
void dbn_station_logbook_refresh (DbnStationLogbook *self);

G_END_DECLS
