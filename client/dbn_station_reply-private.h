/* dbn_station_reply-private.h: what the tests reach the reply page by. */
#pragma once

#include "dbn_station_reply.h"

G_BEGIN_DECLS

/* The fields "reply-result" and "reply-reason"; NULL another. Borrowed. */
GtkEditable *dbn_station_reply_get_entry (DbnStationReply *self, const char *name);
/* The signature pad (a DbnSignaturePad). Borrowed. */
GtkWidget *dbn_station_reply_get_signature_pad (DbnStationReply *self);
/* The status line under the actions. Borrowed. */
const char *dbn_station_reply_get_status (DbnStationReply *self);

G_END_DECLS
