/* dbn_application.c: activation opens (or raises) the one main window.
 *
 * Settings come from the installed schema org.daiban.Client or, when the
 * program runs from the build tree, from the schema compiled there. The
 * options --key-file/--data/--client-dir run one session with those values
 * in memory (the saved settings stay as they are) and without the
 * one-instance rule, so one PC can show a station and a window side by
 * side for training or a demonstration. */
#include "dbn_application.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "dbn_board_window.h"
#include "dbn_main_window.h"

struct _DbnApplication {
    GtkApplication parent_instance;
    GSettings *settings; /* org.daiban.Client */
    char *key_file;      /* --key-file, NULL: the saved setting */
    char *data_dir;      /* --data */
    char *client_dir;    /* --client-dir */
    gboolean board;      /* --board: the hall's kiosk (issue 16) */
    int page_seconds;    /* --page-seconds */
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

GSettings *
dbn_application_new_settings (GSettingsBackend *backend)
{
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr (GSettingsSchema) schema =
        source != NULL ? g_settings_schema_source_lookup (source, "org.daiban.Client", TRUE) : NULL;
    if (schema == NULL) {
        /* Not installed: the schema compiled in the build tree. */
        g_autoptr (GSettingsSchemaSource) build =
            g_settings_schema_source_new_from_directory (DBN_CLIENT_BUILD_SCHEMA_DIR, source, FALSE, NULL);
        schema = build != NULL ? g_settings_schema_source_lookup (build, "org.daiban.Client", FALSE) : NULL;
    }
    if (schema == NULL)
        return NULL;
    return g_settings_new_full (schema, backend, NULL);
}

/* --board: the kiosk with the session's key (a board:<id> key) and data
 * folder; no setup page, since nobody types at the hall's screen. */
static GtkWindow *
board_window (DbnApplication *self)
{
    g_autofree char *key = g_settings_get_string (self->settings, "key-file");
    g_autofree char *data = g_settings_get_string (self->settings, "data-dir");
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConnection) connection = dbn_connection_new (data, key, &error);
    if (connection == NULL) {
        g_printerr ("daiban-client --board: %s\n", error->message);
        return NULL;
    }
    guint seconds = self->page_seconds > 0 ? (guint) self->page_seconds : 15;
    return GTK_WINDOW (dbn_board_window_new (GTK_APPLICATION (self), connection, seconds));
}

static void
dbn_application_activate (GApplication *app)
{
    DbnApplication *self = DBN_APPLICATION (app);
    GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
    if (window == NULL) {
        if (self->settings == NULL) {
            g_autoptr (GSettingsBackend) memory = self->key_file || self->data_dir || self->client_dir
                                                      ? g_memory_settings_backend_new ()
                                                      : NULL;
            self->settings = dbn_application_new_settings (memory);
        }
        if (self->settings == NULL) {
            g_printerr ("daiban-client: the settings schema org.daiban.Client is not installed\n");
            return;
        }
        if (self->key_file)
            g_settings_set_string (self->settings, "key-file", self->key_file);
        if (self->data_dir)
            g_settings_set_string (self->settings, "data-dir", self->data_dir);
        if (self->client_dir)
            g_settings_set_string (self->settings, "client-dir", self->client_dir);
        if (self->board)
            window = board_window (self);
        else
            window = GTK_WINDOW (dbn_main_window_new (GTK_APPLICATION (app), self->settings));
        if (window == NULL)
            return;
    }
    gtk_window_present (window);
}

static int
dbn_application_handle_local_options (GApplication *app, GVariantDict *options)
{
    DbnApplication *self = DBN_APPLICATION (app);
    g_variant_dict_lookup (options, "key-file", "^ay", &self->key_file);
    g_variant_dict_lookup (options, "data", "^ay", &self->data_dir);
    g_variant_dict_lookup (options, "client-dir", "^ay", &self->client_dir);
    g_variant_dict_lookup (options, "board", "b", &self->board);
    g_variant_dict_lookup (options, "page-seconds", "i", &self->page_seconds);
    if (self->key_file || self->data_dir || self->client_dir) {
        GApplicationFlags flags = g_application_get_flags (app);
        g_application_set_flags (app, flags | G_APPLICATION_NON_UNIQUE);
    }
    return -1;
}

static void
dbn_application_dispose (GObject *object)
{
    DbnApplication *self = DBN_APPLICATION (object);
    g_clear_pointer (&self->key_file, g_free);
    g_clear_pointer (&self->data_dir, g_free);
    g_clear_pointer (&self->client_dir, g_free);
    g_clear_object (&self->settings);
    G_OBJECT_CLASS (dbn_application_parent_class)->dispose (object);
}

static void
dbn_application_class_init (DbnApplicationClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = dbn_application_dispose;
    G_APPLICATION_CLASS (klass)->startup = dbn_application_startup;
    G_APPLICATION_CLASS (klass)->activate = dbn_application_activate;
    G_APPLICATION_CLASS (klass)->handle_local_options = dbn_application_handle_local_options;
}

static void
dbn_application_init (DbnApplication *self)
{
    GOptionEntry entries[] = {
        { "key-file", 'k', 0, G_OPTION_ARG_FILENAME, NULL,
          "Secret key file for this session (from `daiban keys add`); not saved", "FILE" },
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
          "Data folder with daiban.conf and keys/registry for this session", "DIR" },
        { "client-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
          "Folder for this session's outbox, signatures and forms", "DIR" },
        { "board", 0, 0, G_OPTION_ARG_NONE, NULL,
          "Public board kiosk (公开栏): full screen, pages turn by themselves; use a board:<id> key", NULL },
        { "page-seconds", 0, 0, G_OPTION_ARG_INT, NULL, "Seconds each board page is shown (default 15)",
          "N" },
        { NULL },
    };
    g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

DbnApplication *
dbn_application_new (void)
{
    return g_object_new (DBN_TYPE_APPLICATION, "application-id", "org.daiban.Client", "flags",
                         G_APPLICATION_DEFAULT_FLAGS, NULL);
}
