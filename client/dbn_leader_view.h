/* dbn_leader_view.h: the duty leader's page (a leader:<id> key opens it,
 * D-AUD-6): the day's window summaries drafted by the audit service, each
 * with a sign action (the leader's Ed25519 key beside its key file, the
 * same signed bytes as the CLI, dbn_day_summary.h), print and PDF. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_LEADER_VIEW (dbn_leader_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnLeaderView, dbn_leader_view, DBN, LEADER_VIEW, GtkBox)

/* A page for leader (leader:<id>) on connection; PDFs go to dir. It asks
 * for the newest day's drafts at once. */
GtkWidget *dbn_leader_view_new (DbnConnection *connection, const char *leader, const char *dir);

/* Asks the audit service for the newest day's drafts again. */
void dbn_leader_view_refresh (DbnLeaderView *self);
/* The day shown ("" before the first answer or when none was drafted). */
const char *dbn_leader_view_get_day (DbnLeaderView *self);
/* Drafts shown, and whether window's is signed. */
guint dbn_leader_view_get_n_drafts (DbnLeaderView *self);
gboolean dbn_leader_view_is_signed (DbnLeaderView *self, const char *window);
/* The last refusal or failure shown ("" when none). */
const char *dbn_leader_view_get_status (DbnLeaderView *self);
/* The row's sign action: signs window's draft and sends it; the list is
 * asked for again when the service answers. FALSE when there is no such
 * unsigned draft. */
gboolean dbn_leader_view_sign (DbnLeaderView *self, const char *window);
/* Writes window's summary (with its signature, if any) as an A4 PDF. */
gboolean dbn_leader_view_export_pdf (DbnLeaderView *self, const char *window, const char *path,
                                     GError **error);
/* The row's print action without the dialog: the same GtkPrintOperation,
 * exported to the PDF at path (print to file). */
gboolean dbn_leader_view_print_to_file (DbnLeaderView *self, const char *window, const char *path,
                                        GError **error);

G_END_DECLS
