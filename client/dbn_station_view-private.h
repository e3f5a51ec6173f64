/* dbn_station_view-private.h: what the tests reach the station's screen by.
 * The host hands each call to the page that holds what it names. */
#pragma once

#include "dbn_station_view.h"
#include "dbn_station_handovers.h"

G_BEGIN_DECLS

/* The page "intake", "cases", "visits", "logbook" or "reply" (its actions
 * are activated on it). Borrowed. */
GtkWidget *dbn_station_view_get_page (DbnStationView *self, const char *name);
/* Shows page name. */
void dbn_station_view_show_page (DbnStationView *self, const char *name);
/* Chooses the matter by catalog code as a click in the list would; FALSE
 * when the search filter hides it. */
gboolean dbn_station_view_choose_matter (DbnStationView *self, const char *code);
/* Ticks the first n materials of the chosen matter's checklist and clears
 * the rest (G_MAXUINT: all handed in). */
void dbn_station_view_tick_materials (DbnStationView *self, guint n);
/* Selects case_no in the cases list (the reply acts on it). */
gboolean dbn_station_view_select (DbnStationView *self, const char *case_no);
/* The form fields by name: "matter-search", "applicant", "id-number",
 * "phone", "address", "note", "reply-result", "reply-reason", "case-search",
 * "refuse-reason", "refuse-apply-to", and the visit log's "household",
 * "visit-address", "needs", "visit-note". Borrowed. */
GtkEditable *dbn_station_view_get_entry (DbnStationView *self, const char *name);
void dbn_station_view_set_consent (DbnStationView *self, gboolean consent);
/* The signature pad (a DbnSignaturePad). Borrowed. */
GtkWidget *dbn_station_view_get_signature_pad (DbnStationView *self);
/* The text under the intake form: case number, missing materials, or the error. */
const char *dbn_station_view_get_result (DbnStationView *self);
/* The last intake reply's case number, NULL before. */
const char *dbn_station_view_get_last_case (DbnStationView *self);
/* Number of matters the search shows. */
guint dbn_station_view_get_n_matches (DbnStationView *self);
/* The visit log: one line per need of the listed visits (GtkStringList). Borrowed. */
GListModel *dbn_station_view_get_visits (DbnStationView *self);
/* Selects the need at position of the visit log (for "visits.to-request"). */
void dbn_station_view_select_visit_need (DbnStationView *self, guint position);
/* The visit number the intake form will carry, NULL when none. */
const char *dbn_station_view_get_visit (DbnStationView *self);
/* The case whose missing list the supplement check boxes show, NULL none. */
const char *dbn_station_view_get_supplement_case (DbnStationView *self);
guint dbn_station_view_get_n_missing (DbnStationView *self);
/* Ticks the first n missing materials and clears the rest. */
void dbn_station_view_tick_supplement (DbnStationView *self, guint n);
/* The logbook's lines as last read (GtkStringList). Borrowed. */
GListModel *dbn_station_view_get_logbook (DbnStationView *self);
/* The status line of page "intake", "cases", "visits", "supplement",
 * "logbook" or "reply". Borrowed. */
const char *dbn_station_view_get_status (DbnStationView *self, const char *page);

/* Issue 16: the page of the groups' handovers ("handovers"). Borrowed. */
DbnStationHandovers *dbn_station_view_get_handovers (DbnStationView *self);
G_END_DECLS
