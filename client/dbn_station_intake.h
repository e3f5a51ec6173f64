/* dbn_station_intake.h: the station's intake page (受理): the form driven by
 * the catalog, the submit (D-INT-2, D-INT-4), the refusal (D-INT-5) and the
 * papers of the last case. Its actions are "intake.submit",
 * "intake.refuse", "intake.print-acceptance", "intake.print-notice" and
 * "intake.export-pdf". ::logbook-changed says a refusal was answered (the
 * logbook has a new entry). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_INTAKE (dbn_station_intake_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationIntake, dbn_station_intake, DBN, STATION_INTAKE, GtkWidget)

/* Connects the page (built by its host's template) to the station
 * station_id of village, whose queue model shows the submits not yet sent.
 * client_dir holds the exported PDFs. Call once. Takes references. */
void dbn_station_intake_set_up (DbnStationIntake *self, DbnConnection *connection, DbnOutbox *outbox,
                                DbnQueueModel *model, const char *station_id, const char *village,
                                const char *client_dir);
/* D-INT-1: fills the form from a need found on visit (the submit will name
 * the visit). */
void dbn_station_intake_take_need (DbnStationIntake *self, const char *visit, const char *household,
                                   const char *address, const char *need);

G_END_DECLS
