/* dbn_station_logbook-private.h: what the tests reach the logbook page by. */
#pragma once

#include "dbn_station_logbook.h"

G_BEGIN_DECLS

/* The logbook's lines as last read (GtkStringList). Borrowed. */
GListModel *dbn_station_logbook_get_lines (DbnStationLogbook *self);
/* The status line. Borrowed. */
const char *dbn_station_logbook_get_status (DbnStationLogbook *self);

G_END_DECLS
