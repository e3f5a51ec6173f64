/* dbn_station_view.h: the village station's screen: the intake form driven
 * by the catalog, the station's cases (queue s/<station>) with its run
 * sheets and supplements, the household visit log, the logbook, and the
 * reply to the applicant with rating and signature. Its actions are
 * "station.submit", "station.refuse", "station.runsheet-new",
 * "station.supplement", "station.visit", "station.visits-refresh",
 * "station.visit-to-request", "station.logbook-refresh", "station.reply",
 * "station.archive", "station.print-*", "station.export-pdf" and
 * "station.export-logbook". */
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
 * "phone", "address", "note", "reply-result", "reply-reason", "case-search",
 * "refuse-reason", "refuse-apply-to", and the visit log's "household",
 * "visit-address", "needs", "visit-note". Borrowed. */
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
/* The visit log: one line per need of the listed visits (GtkStringList). Borrowed. */
GListModel    *dbn_station_view_get_visits (DbnStationView *self);
/* Selects the need at position of the visit log (for "station.visit-to-request"). */
void           dbn_station_view_select_visit_need (DbnStationView *self, guint position);
/* The visit number the intake form will carry, NULL when none. */
const char    *dbn_station_view_get_visit (DbnStationView *self);
/* The case whose missing list the supplement check boxes show, NULL none. */
const char    *dbn_station_view_get_supplement_case (DbnStationView *self);
guint          dbn_station_view_get_n_missing (DbnStationView *self);
/* Ticks the first n missing materials and clears the rest. */
void           dbn_station_view_tick_supplement (DbnStationView *self, guint n);
/* The logbook's lines as last read (GtkStringList). Borrowed. */
GListModel    *dbn_station_view_get_logbook (DbnStationView *self);
/* The status line of page "intake", "cases", "visits", "supplement",
 * "logbook" or "reply". Borrowed. */
const char    *dbn_station_view_get_status (DbnStationView *self, const char *page);

G_END_DECLS
