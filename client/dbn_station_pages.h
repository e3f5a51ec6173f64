/* dbn_station_pages.h: what the station's pages (DbnStationIntake,
 * DbnStationCases, DbnStationReply, DbnStationVisits, DbnStationLogbook)
 * share: reading a field and putting a command into the outbox. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"

G_BEGIN_DECLS

/* How long a read (a list, a case) waits for its service. */
#define DBN_STATION_READ_TIMEOUT_MS 3000

/* The entry's text, NULL when it is empty. Borrowed. */
const char *dbn_station_entry_text (GtkEntry *entry);

/* Puts the encoded command body (NULL: it could not be encoded) into
 * outbox, taking body. Returns its row id, or 0 with the reason shown on
 * status. */
gint64 dbn_station_enqueue (DbnOutbox *outbox, const char *service, const char *cmd, const char *key,
                            GBytes *body, const char *label, GtkLabel *status);

G_END_DECLS
