/* dbn_main_window.h: the main window. Its header bar shows the principal and
 * which services answer; a banner says when the client is offline; the
 * content is the first-start setup, or the clerk's or the station's screen
 * for the principal of the key file. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"
#include "dbn_county_connections.h"
#include "dbn_outbox.h"

G_BEGIN_DECLS

#define DBN_TYPE_MAIN_WINDOW (dbn_main_window_get_type ())
G_DECLARE_FINAL_TYPE (DbnMainWindow, dbn_main_window, DBN, MAIN_WINDOW, GtkApplicationWindow)

/* A window reading the key file and data folder from settings (schema
 * org.daiban.Client; borrowed, a reference is taken). When both are set it
 * connects at once; otherwise, or when that fails, it shows the setup page,
 * whose "win.connect" action stores the entries in settings and connects.
 * app may be NULL (tests). */
DbnMainWindow *dbn_main_window_new (GtkApplication *app, GSettings *settings);

/* Connects with the settings' key file and data folder and shows the view
 * for its principal. FALSE with the error of dbn_connection_new or
 * dbn_outbox_new, shown on the setup page too. */
gboolean dbn_main_window_connect (DbnMainWindow *self, GError **error);

/* NULL before connecting, and for a county folder that names townships
 * (its connections are then dbn_main_window_get_county's). Borrowed. */
DbnConnection *dbn_main_window_get_connection (DbnMainWindow *self);
DbnOutbox *dbn_main_window_get_outbox (DbnMainWindow *self);
/* A county folder's townships (issue 16 item 1), NULL otherwise. Borrowed. */
DbnCountyConnections *dbn_main_window_get_county (DbnMainWindow *self);
/* The header bar's line of which services (or townships) answer. Borrowed. */
const char *dbn_main_window_get_status_text (DbnMainWindow *self);
/* The DbnClerkView or DbnStationView, NULL before connecting. Borrowed. */
GtkWidget *dbn_main_window_get_view (DbnMainWindow *self);
/* TRUE when the offline banner is shown. */
gboolean dbn_main_window_get_offline_shown (DbnMainWindow *self);
/* The setup page's entries: "key-file", "data-dir". Borrowed. */
GtkEditable *dbn_main_window_get_setup_entry (DbnMainWindow *self, const char *name);

G_END_DECLS
