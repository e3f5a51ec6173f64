/* dbn_station_reply.h: the station's reply page (答复申办人): the reply to
 * the applicant of the case selected on the cases page, with the rating
 * and the signature (D-RPL-1/2), and its archiving (D-RPL-4). Its actions
 * are "reply.send", "reply.archive" and "reply.clear-signature". */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_REPLY (dbn_station_reply_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationReply, dbn_station_reply, DBN, STATION_REPLY, GtkWidget)

/* Connects the page (built by its host's template): it replies on the case
 * selected in selection (DbnQueueItems of model), and keeps the signature
 * and the rating under client_dir. Call once. Takes references. */
void dbn_station_reply_set_up (DbnStationReply *self, DbnConnection *connection, DbnOutbox *outbox,
                               DbnQueueModel *model, GtkSingleSelection *selection, const char *client_dir);

G_END_DECLS
