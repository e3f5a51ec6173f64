/* dbn_committee_view.h: the discipline committee's screen (issue 14 item 8,
 * D-AUD-2), opened by a committee key; read-only but for the one thing the
 * committee writes, its spot checks' findings.
 *
 *   - a red banner when a head this client kept is inconsistent with the
 *     service's record (a consistency proof fails: a rewrite, even one
 *     re-signed with the real key), and the verification status: the last
 *     head, and the size through which this client verified the record
 *     consistent with every head it kept (dbn_kept_heads.h);
 *   - violations (audit.violation) above the live feed (audit.entry), both
 *     filtered by window, station, event type and "violations only";
 *   - a case's whole record (audit.case) with each entry's proof checked
 *     here (✓ included in head N), and its evidence PDF (dbn_evidence_pdf.h);
 *   - the spot-check form (audit.spotcheck.record: in order, or a problem
 *     with its text) on the case shown, and the month's findings
 *     (audit.findings), of the filter's window when one is typed.
 *
 * A window or station filter matches an entry whose actor is that window or
 * station, and every entry of a case such an actor acted on. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_COMMITTEE_VIEW (dbn_committee_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnCommitteeView, dbn_committee_view, DBN, COMMITTEE_VIEW, GtkBox)

/* client_dir: this principal's folder (kept heads, evidence PDFs). */
GtkWidget *dbn_committee_view_new (DbnConnection *connection, const char *client_dir);

/* ---- for tests and the header bar ---- */
gboolean dbn_committee_view_get_banner_shown (DbnCommitteeView *self);
/* The verification status line (borrowed). */
const char *dbn_committee_view_get_status (DbnCommitteeView *self);
/* The size through which the record was found consistent with the kept heads (0: none yet). */
gint64 dbn_committee_view_get_verified_through (DbnCommitteeView *self);
/* Feed events received, and feed/violation rows the filter shows. */
guint dbn_committee_view_get_n_entries (DbnCommitteeView *self);
guint dbn_committee_view_get_n_violations (DbnCommitteeView *self);
guint dbn_committee_view_count_shown (DbnCommitteeView *self, gboolean violations);
/* Sets the filter's fields (NULL or "": any) as a person would type them. */
void dbn_committee_view_set_filter (DbnCommitteeView *self, const char *window, const char *station,
                                    const char *type, gboolean violations_only);
/* The case pane: asks for case_no's record (as the "show" button does). */
void dbn_committee_view_show_case (DbnCommitteeView *self, const char *case_no);
/* The loaded case: entries and those verified included; FALSE before one is loaded. */
gboolean dbn_committee_view_get_case (DbnCommitteeView *self, guint *n_entries, guint *n_included);
/* Writes the loaded case's evidence PDF to path. */
gboolean dbn_committee_view_write_evidence (DbnCommitteeView *self, const char *path, GError **error);

/* The spot-check form: records a finding on the loaded case (as the button
 * does), in order or a problem with text. */
void dbn_committee_view_record_finding (DbnCommitteeView *self, gboolean in_order, const char *text);
/* Rows of the findings list (the month's, after the last answer), and the form's status line. */
guint dbn_committee_view_get_n_findings (DbnCommitteeView *self);
const char *dbn_committee_view_get_finding_status (DbnCommitteeView *self);

G_END_DECLS
