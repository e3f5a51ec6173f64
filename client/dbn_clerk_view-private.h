/* dbn_clerk_view-private.h: what the tests (and bench_client_queue) reach
 * the clerk's screen by. */
#pragma once

#include "dbn_case_papers.h"
#include "dbn_clerk_view.h"

G_BEGIN_DECLS

/* The rows as shown (filtered and sorted). Borrowed. */
GListModel *dbn_clerk_view_get_visible (DbnClerkView *self);
/* Selects case_no's row and loads its detail; FALSE when it is not shown. */
gboolean dbn_clerk_view_select (DbnClerkView *self, const char *case_no);
/* The case the actions act on, NULL when none. Borrowed. */
const char *dbn_clerk_view_get_selected (DbnClerkView *self);
/* Timeline lines of the selected case as loaded (GtkStringList). Borrowed. */
GListModel *dbn_clerk_view_get_timeline (DbnClerkView *self);
/* Chooses kind (immediate … returned) in the classify drop-down; FALSE for
 * an unknown kind. */
gboolean dbn_clerk_view_set_kind (DbnClerkView *self, const char *kind);
/* The input fields the actions read (tests fill them as a clerk would). */
GtkEditable *dbn_clerk_view_get_entry (DbnClerkView *self, const char *name);
/* The selected case's clocks as shown (deadline.case.due), "" before. Borrowed. */
const char *dbn_clerk_view_get_clocks_text (DbnClerkView *self);
/* The status line under the actions. Borrowed. */
const char *dbn_clerk_view_get_status (DbnClerkView *self);
/* The missing list of a selected case awaiting materials: how many, and
 * ticking the first n (what "clerk.supplement" sends). */
guint dbn_clerk_view_get_n_missing (DbnClerkView *self);
void dbn_clerk_view_tick_missing (DbnClerkView *self, guint n);

/* The papers row of the case (dbn_case_papers.h). */
DbnCasePapers *dbn_clerk_view_get_papers (DbnClerkView *self);

G_END_DECLS
