/* dbn_application.c: activation opens (or raises) the one main window. */
#include "dbn_application.h"

#include <glib/gi18n.h>

#include "dbn_main_window.h"

struct _DbnApplication {
    GtkApplication parent_instance;
    GSettings     *settings; /* org.daiban.Client */
};

G_DEFINE_TYPE (DbnApplication, dbn_application, GTK_TYPE_APPLICATION)

void
dbn_application_load_style (void)
{
    GtkCssProvider *css = gtk_css_provider_new ();
    gtk_css_provider_load_from_resource (css, "/org/daiban/Client/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    g_object_unref (css);
}

static void
dbn_application_startup (GApplication *app)
{
    G_APPLICATION_CLASS (dbn_application_parent_class)->startup (app);
    dbn_application_load_style ();
}

static void
dbn_application_activate (GApplication *app)
{
    DbnApplication *self = DBN_APPLICATION (app);
    GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
    if (window == NULL) {
        if (self->settings == NULL)
            self->settings = g_settings_new ("org.daiban.Client");
        window = GTK_WINDOW (dbn_main_window_new (GTK_APPLICATION (app), self->settings));
    }
    gtk_window_present (window);
}

static void
dbn_application_dispose (GObject *object)
{
    g_clear_object (&DBN_APPLICATION (object)->settings);
    G_OBJECT_CLASS (dbn_application_parent_class)->dispose (object);
}

static void
dbn_application_class_init (DbnApplicationClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = dbn_application_dispose;
    G_APPLICATION_CLASS (klass)->startup = dbn_application_startup;
    G_APPLICATION_CLASS (klass)->activate = dbn_application_activate;
}

static void
dbn_application_init (DbnApplication *self)
{
}

DbnApplication *
dbn_application_new (void)
{
    return g_object_new (DBN_TYPE_APPLICATION, "application-id", "org.daiban.Client",
                         "flags", G_APPLICATION_DEFAULT_FLAGS, NULL);
}
