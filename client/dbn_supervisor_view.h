/* dbn_supervisor_view.h: the screen of a supervisor:<area> key (包片干部):
 * a stack of the area's queue (the clerk's screen over a/<area>, read-only
 * for it: routing refuses a supervisor every change), the assessment page
 * (DbnEvalPage, issue 13 item 8) and the return visits (DbnCallbackPage,
 * D-EV-2). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"

G_BEGIN_DECLS

#define DBN_TYPE_SUPERVISOR_VIEW (dbn_supervisor_view_get_type ())
G_DECLARE_FINAL_TYPE (DbnSupervisorView, dbn_supervisor_view, DBN, SUPERVISOR_VIEW, GtkWidget)

/* The screen of area area_id; client_dir holds the exported sheets. Takes
 * references. */
GtkWidget *dbn_supervisor_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *area_id,
                                    const char *client_dir);
/* The pages: "queue" (a DbnClerkView), "board" (a DbnEvalPage) and
 * "callbacks" (a DbnCallbackPage). Borrowed. */
GtkWidget *dbn_supervisor_view_get_page (DbnSupervisorView *self, const char *name);
void dbn_supervisor_view_show_page (DbnSupervisorView *self, const char *name);

G_END_DECLS
