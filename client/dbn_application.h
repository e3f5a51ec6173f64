/* dbn_application.h: daiban-client's GtkApplication: one window, the
 * GSettings of org.daiban.Client, the translations and the style sheet. */
#pragma once

#include <gio/gio.h>
#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DBN_TYPE_APPLICATION (dbn_application_get_type ())
G_DECLARE_FINAL_TYPE (DbnApplication, dbn_application, DBN, APPLICATION, GtkApplication)

DbnApplication *dbn_application_new (void);

/* Loads the client's style sheet (resource style.css) for display; the
 * application does it at startup, tests that build windows directly call it. */
void dbn_application_load_style (void);

/* org.daiban.Client on backend (NULL: the default), from the installed
 * schemas or else the build tree's. NULL when neither has it. Caller owns it. */
GSettings *dbn_application_new_settings (GSettingsBackend *backend);

G_END_DECLS
