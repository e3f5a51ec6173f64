/* dbn_station_view.h: the village station's screen: the intake form driven
 * by the catalog, the station's cases (queue s/<station>) with its run
 * sheets, and the reply to the applicant with rating and signature. Its
 * actions are "station.submit", "station.runsheet-new", "station.reply", "station.archive",
 * "station.print-*" and "station.export-pdf". */
#pragma once

#include <gtk/gtk.h>

#include "dbn_due_feed.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_STATION_VIEW (dbn_station_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnStationView, dbn_station_view, DBN, STATION_VIEW, GtkWidget)

/* The screen of station station_id. client_dir holds what the station keeps
 * locally (signatures, exported PDFs). Takes references. */
GtkWidget     *dbn_station_view_new (DbnConnection *connection, DbnOutbox *outbox,
                                     const char *station_id, const char *client_dir);
/* The station's queue, with the outbox's not-yet-sent submits. Borrowed. */
DbnQueueModel *dbn_station_view_get_model (DbnStationView *self);
/* The feed of the queue's due column. Borrowed. */
DbnDueFeed    *dbn_station_view_get_due_feed (DbnStationView *self);
/* Shows page "intake", "cases" or "reply". */
void           dbn_station_view_show_page (DbnStationView *self, const char *name);
/* Chooses the matter by catalog code as a click in the list would; FALSE
 * when the search filter hides it. */
gboolean       dbn_station_view_choose_matter (DbnStationView *self, const char *code);
/* Ticks the first n materials of the chosen matter's checklist and clears
 * the rest (G_MAXUINT: all handed in). */
void           dbn_station_view_tick_materials (DbnStationView *self, guint n);
/* Selects case_no in the cases list (the reply acts on it). */
gboolean       dbn_station_view_select (DbnStationView *self, const char *case_no);
/* The form fields by name: "matter-search", "applicant", "id-number",
 * "phone", "address", "note", "reply-result", "reply-reason". Borrowed. */
GtkEditable   *dbn_station_view_get_entry (DbnStationView *self, const char *name);
void           dbn_station_view_set_consent (DbnStationView *self, gboolean consent);
/* The signature pad (a DbnSignaturePad). Borrowed. */
GtkWidget     *dbn_station_view_get_signature_pad (DbnStationView *self);
/* The text under the form: case number, missing materials, or the error. */
const char    *dbn_station_view_get_result (DbnStationView *self);
/* The last intake reply's case number, NULL before. */
const char    *dbn_station_view_get_last_case (DbnStationView *self);
/* Number of matters the search shows. */
guint          dbn_station_view_get_n_matches (DbnStationView *self);

G_END_DECLS
