/* dbn_station_cases-private.h: what the tests reach the cases page by. */
#pragma once

#include "dbn_case_papers.h"
#include "dbn_station_cases.h"

G_BEGIN_DECLS

/* Selects case_no in the list; FALSE when it is not shown. */
gboolean dbn_station_cases_select (DbnStationCases *self, const char *case_no);
/* The field "case-search"; NULL another. Borrowed. */
GtkEditable *dbn_station_cases_get_entry (DbnStationCases *self, const char *name);
/* The case whose missing list the supplement check boxes show, NULL none. */
const char *dbn_station_cases_get_supplement_case (DbnStationCases *self);
guint dbn_station_cases_get_n_missing (DbnStationCases *self);
/* Ticks the first n missing materials and clears the rest. */
void dbn_station_cases_tick_supplement (DbnStationCases *self, guint n);
/* The status line of the run sheet (the page's) or of the supplement. Borrowed. */
const char *dbn_station_cases_get_status (DbnStationCases *self);
const char *dbn_station_cases_get_supplement_status (DbnStationCases *self);
/* The papers row of the selected case (dbn_case_papers.h). */
DbnCasePapers *dbn_station_cases_get_papers (DbnStationCases *self);

G_END_DECLS
