/* dbn_main_window.c: header bar, offline banner, and the page for the principal.
 *
 * The setup entries are bound to GSettings (g_settings_bind), so what the
 * clerk typed is remembered even before connecting; "win.connect" only
 * reads the settings back. A window:<id> key gets the clerk's screen, a
 * station:<id> key the station's, a supervisor:<area> its own (the clerk's
 * screen over its area's queue, where routing refuses it every change, and
 * the month's assessment: dbn_supervisor_view.h); the operator
 * gets the clerk's screen of no window, the committee its own screen
 * (dbn_committee_view.h), or with a county folder the county's figures
 * of its townships (dbn_county_figures.h). A county:<dept> key on a county
 * folder (its daiban.conf lists townships) gets the county page over every
 * township, one connection and outbox each (dbn_county_connections.h).
 */
#include "dbn_main_window.h"

#include <glib/gi18n.h>

#include "dbn_clerk_view.h"
#include "dbn_county_connections.h"
#include "dbn_county_figures.h"
#include "dbn_county_page.h"
#include "dbn_front_desk.h"
#include "dbn_committee_view.h"
#include "dbn_leader_view.h"
#include "dbn_station_view.h"
#include "dbn_supervisor_view.h"

struct _DbnMainWindow {
    GtkApplicationWindow parent_instance;
    GSettings *settings;                     /* org.daiban.Client, owned ref */
    DbnConnection *connection;               /* NULL before connecting */
    DbnOutbox *outbox;                       /* NULL before connecting */
    DbnCountyConnections *county;            /* a county folder's townships, else NULL */
    GtkWidget *view;                         /* clerk or station view, in the stack */
    gulong status_id, online_id, pending_id; /* handlers */
    /* template children */
    GtkLabel *principal_label;
    GtkLabel *status_label;
    GtkLabel *outbox_label;
    GtkRevealer *banner;
    GtkStack *stack;
    GtkEntry *key_entry;
    GtkEntry *data_entry;
    GtkLabel *setup_error;
};

G_DEFINE_TYPE (DbnMainWindow, dbn_main_window, GTK_TYPE_APPLICATION_WINDOW)

static void
update_status (DbnMainWindow *self)
{
    if (self->county != NULL) {
        g_autofree char *status = dbn_county_connections_dup_status_text (self->county);
        gtk_label_set_text (self->status_label, status);
        gboolean offline = dbn_county_connections_get_some_offline (self->county);
        gtk_widget_set_visible (GTK_WIDGET (self->banner), offline);
        gtk_revealer_set_reveal_child (self->banner, offline);
        return;
    }
    if (self->connection == NULL)
        return;
    g_autofree char *status = dbn_connection_dup_status_text (self->connection);
    gtk_label_set_text (self->status_label, status);
    gboolean offline = !dbn_connection_get_online (self->connection);
    /* Hidden as well as unrevealed: a closed revealer still takes its height. */
    gtk_widget_set_visible (GTK_WIDGET (self->banner), offline);
    gtk_revealer_set_reveal_child (self->banner, offline);
}

static void
update_outbox (DbnMainWindow *self)
{
    guint n = self->county   ? dbn_county_connections_get_n_pending (self->county)
              : self->outbox ? dbn_outbox_get_n_pending (self->outbox)
                             : 0;
    g_autofree char *text = n > 0 ? g_strdup_printf (_ ("未发送 %u"), n) : g_strdup ("");
    gtk_label_set_text (self->outbox_label, text);
}

static char *
client_dir (DbnMainWindow *self, const char *principal)
{
    g_autofree char *base = g_settings_get_string (self->settings, "client-dir");
    g_autofree char *file = dbn_principal_dup_file_name (principal);
    if (base == NULL || *base == '\0') {
        g_free (base);
        base = g_build_filename (g_get_user_data_dir (), "daiban-client", NULL);
    }
    return g_build_filename (base, file ? file : "client", NULL);
}

static void
on_county_changed (gpointer user_data)
{
    update_status (user_data);
    update_outbox (user_data);
}

/* Issue 16 item 1: a county folder's daiban.conf names township sets; the
 * county:<dept> key reaches each through its own connection and outbox
 * (dbn_county_connections.h). A township that fails is shown on the page;
 * only when none opens does the setup page come back. */
static gboolean
connect_county (DbnMainWindow *self, DbnConfig *config, const char *key, GError **error)
{
    g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (key, error);
    if (pair == NULL)
        return FALSE;
    const char *principal = dbn_key_pair_get_principal (pair);
    if (dbn_principal_get_kind (principal) != DBN_PRINCIPAL_COUNTY) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     _ ("这个数据目录是县里的（daiban.conf 列有乡镇），只能用县直部门 county:<部门> "
                        "或纪委 committee 的密钥打开，%s 不是"),
                     principal);
        return FALSE;
    }
    g_autofree char *dir = client_dir (self, principal);
    g_autoptr (DbnCountyConnections) county =
        dbn_county_connections_new (config, key, dir, on_county_changed, self);
    if (dbn_county_connections_get_n_opened (county) == 0) {
        GString *why = g_string_new (NULL);
        for (guint i = 0; i < dbn_county_connections_get_n (county); i++)
            g_string_append_printf (why, "%s%s", i > 0 ? "\n" : "",
                                    dbn_county_connections_get_failure (county, i));
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "%s", why->str);
        g_string_free (why, TRUE);
        return FALSE;
    }
    self->county = g_steal_pointer (&county);
    self->view = dbn_county_page_new (dbn_principal_get_id (principal));
    dbn_county_connections_fill_page (self->county, DBN_COUNTY_PAGE (self->view));
    gtk_stack_add_named (self->stack, self->view, "main");
    gtk_stack_set_visible_child_name (self->stack, "main");
    const char *county_name = dbn_config_get_county_name (config);
    g_autofree char *title = county_name != NULL
                                 ? g_strdup_printf (_ ("代办 · %s · %s"), principal, county_name)
                                 : g_strdup_printf (_ ("代办 · %s"), principal);
    gtk_label_set_text (self->principal_label, title);
    update_status (self);
    update_outbox (self);
    return TRUE;
}

/* Issue 16 item 3: the committee's key on a county folder (daiban.conf's
 * [county] names townships) opens the county's figures page, with one
 * connection per township (its folder's daiban.conf, the same key
 * registered there). *county FALSE, nothing done, for any other key or
 * folder: the caller goes on as before. */
static gboolean
connect_county_committee (DbnMainWindow *self, const char *key, const char *data, gboolean *county,
                          GError **error)
{
    *county = FALSE;
    g_autoptr (DbnConfig) config = dbn_config_load (data, NULL);
    g_autoptr (DbnKeyPair) pair =
        config != NULL && dbn_config_get_n_townships (config) > 0 ? dbn_key_pair_load (key, NULL) : NULL;
    if (pair == NULL || dbn_principal_get_kind (dbn_key_pair_get_principal (pair)) != DBN_PRINCIPAL_COMMITTEE)
        return TRUE; /* the usual path reports a bad file */
    *county = TRUE;
    guint n = dbn_config_get_n_townships (config);
    GtkWidget *page = dbn_county_figures_new (dbn_config_get_county_name (config));
    g_object_ref_sink (page);
    for (guint i = 0; i < n; i++) {
        g_autoptr (DbnConnection) connection =
            dbn_connection_new (dbn_config_get_township_folder (config, i), key, error);
        if (connection == NULL) {
            g_prefix_error (error, "%s: ", dbn_config_get_township_name (config, i));
            g_clear_object (&self->connection);
            g_object_unref (page);
            return FALSE;
        }
        dbn_county_figures_add_township (DBN_COUNTY_FIGURES (page), dbn_config_get_township_id (config, i),
                                         dbn_config_get_township_name (config, i), connection);
        if (self->connection == NULL) /* the window's "connected"; each row shows its own state */
            self->connection = g_steal_pointer (&connection);
    }
    g_autofree char *store = g_build_filename (data, "county.db", NULL);
    dbn_county_figures_set_audit_store (DBN_COUNTY_FIGURES (page), store);
    self->view = page;
    gtk_stack_add_named (self->stack, page, "main");
    g_object_unref (page);
    gtk_stack_set_visible_child_name (self->stack, "main");
    g_autofree char *title = g_strdup_printf (_ ("代办 · %s · %s"), dbn_key_pair_get_principal (pair),
                                              dbn_config_get_county_name (config));
    gtk_label_set_text (self->principal_label, title);
    g_autofree char *status = g_strdup_printf (_ ("%u 个乡镇"), n);
    gtk_label_set_text (self->status_label, status);
    gtk_widget_set_visible (GTK_WIDGET (self->banner), FALSE);
    return TRUE;
}

static gboolean
connect_settings (DbnMainWindow *self, GError **error)
{
    g_autofree char *key = g_settings_get_string (self->settings, "key-file");
    g_autofree char *data = g_settings_get_string (self->settings, "data-dir");
    if (*key == '\0' || *data == '\0') {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "%s", _ ("请填写密钥文件和数据目录"));
        return FALSE;
    }
    /* A county folder: the committee's figures, or a department's page. */
    gboolean county = FALSE;
    if (!connect_county_committee (self, key, data, &county, error))
        return FALSE;
    if (county)
        return TRUE;
    g_autoptr (DbnConfig) config = dbn_config_load (data, error);
    if (config == NULL)
        return FALSE;
    if (dbn_config_get_n_townships (config) > 0)
        return connect_county (self, config, key, error);
    g_autoptr (DbnConnection) connection = dbn_connection_new (data, key, error);
    if (connection == NULL)
        return FALSE;
    const char *principal = dbn_connection_get_principal (connection);
    g_autofree char *dir = client_dir (self, principal);
    g_autofree char *outbox_path = g_build_filename (dir, "outbox.db", NULL);
    g_autoptr (DbnOutbox) outbox = dbn_outbox_new (connection, outbox_path, error);
    if (outbox == NULL)
        return FALSE;
    self->connection = g_steal_pointer (&connection);
    self->outbox = g_steal_pointer (&outbox);
    const char *id = dbn_principal_get_id (principal);
    guint desks = dbn_principal_get_window_roles (principal);
    if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_STATION)
        self->view = dbn_station_view_new (self->connection, self->outbox, id, dir);
    else if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_COUNTY) {
        /* Issue 16: a county department on a township's own data folder:
         * that one township (a county folder's townships: connect_county). */
        self->view = dbn_county_page_new (id);
        dbn_county_page_add_township (DBN_COUNTY_PAGE (self->view), _ ("本乡镇"), self->connection,
                                      self->outbox);
    } else if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_SUPERVISOR)
        self->view = dbn_supervisor_view_new (self->connection, self->outbox, id ? id : "", dir);
    else if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_COMMITTEE)
        self->view = dbn_committee_view_new (self->connection, dir); /* read-only: no outbox */
    else if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_LEADER)
        self->view = dbn_leader_view_new (self->connection, principal, dir); /* D-AUD-6 */
    else if (desks == DBN_WINDOW_ROLE_FRONT) /* D-RTE-6: front:<window> signs for run sheets */
        self->view = dbn_front_desk_new (self->connection, self->outbox, id);
    else {
        self->view = dbn_clerk_view_new (
            self->connection, self->outbox,
            dbn_principal_get_kind (principal) == DBN_PRINCIPAL_SUPERVISOR ? "area" : "window", id ? id : "");
        /* back:<window> handles; signing for run sheets is the front desk's. */
        if (desks == DBN_WINDOW_ROLE_BACK)
            gtk_widget_action_set_enabled (self->view, "clerk.acknowledge", FALSE);
    }
    /* Any case's papers are written to this PC's folder (dbn_case_papers.h). */
    if (DBN_IS_CLERK_VIEW (self->view))
        dbn_clerk_view_set_papers_dir (DBN_CLERK_VIEW (self->view), dir);
    gtk_stack_add_named (self->stack, self->view, "main");
    gtk_stack_set_visible_child_name (self->stack, "main");
    g_autofree char *title = g_strdup_printf (_ ("代办 · %s"), principal);
    gtk_label_set_text (self->principal_label, title);
    self->status_id =
        g_signal_connect_swapped (self->connection, "status-changed", G_CALLBACK (update_status), self);
    self->online_id =
        g_signal_connect_swapped (self->connection, "notify::online", G_CALLBACK (update_status), self);
    self->pending_id =
        g_signal_connect_swapped (self->outbox, "notify::n-pending", G_CALLBACK (update_outbox), self);
    update_status (self);
    update_outbox (self);
    return TRUE;
}

gboolean
dbn_main_window_connect (DbnMainWindow *self, GError **error)
{
    g_return_val_if_fail (DBN_IS_MAIN_WINDOW (self), FALSE);
    g_return_val_if_fail (self->view == NULL, FALSE);
    g_autoptr (GError) local = NULL;
    if (connect_settings (self, &local))
        return TRUE;
    gtk_label_set_text (self->setup_error, local->message);
    gtk_stack_set_visible_child_name (self->stack, "setup");
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
}

static void
action_connect (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnMainWindow *self = DBN_MAIN_WINDOW (widget);
    if (self->view == NULL)
        dbn_main_window_connect (self, NULL);
}

static void
on_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
    GtkEntry *entry = user_data;
    if (response == GTK_RESPONSE_ACCEPT) {
        g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
        g_autofree char *path = file ? g_file_get_path (file) : NULL;
        if (path != NULL)
            gtk_editable_set_text (GTK_EDITABLE (entry), path);
    }
    g_object_unref (dialog);
}

static void
choose (DbnMainWindow *self, GtkFileChooserAction action, GtkEntry *entry)
{
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
        action == GTK_FILE_CHOOSER_ACTION_OPEN ? _ ("选择密钥文件") : _ ("选择数据目录"), GTK_WINDOW (self),
        action, _ ("选择"), _ ("取消"));
    g_signal_connect (dialog, "response", G_CALLBACK (on_chosen), entry);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_choose_key (GtkWidget *widget, const char *name, GVariant *param)
{
    choose (DBN_MAIN_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN, DBN_MAIN_WINDOW (widget)->key_entry);
}

static void
action_choose_data (GtkWidget *widget, const char *name, GVariant *param)
{
    choose (DBN_MAIN_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
            DBN_MAIN_WINDOW (widget)->data_entry);
}

static void
dbn_main_window_dispose (GObject *object)
{
    DbnMainWindow *self = DBN_MAIN_WINDOW (object);
    if (self->connection != NULL) {
        g_clear_signal_handler (&self->status_id, self->connection);
        g_clear_signal_handler (&self->online_id, self->connection);
    }
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->pending_id, self->outbox);
    g_clear_pointer (&self->county, dbn_county_connections_free); /* its handlers call us */
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_MAIN_WINDOW);
    self->view = NULL;
    g_clear_object (&self->outbox);
    g_clear_object (&self->connection);
    g_clear_object (&self->settings);
    G_OBJECT_CLASS (dbn_main_window_parent_class)->dispose (object);
}

static void
dbn_main_window_class_init (DbnMainWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    G_OBJECT_CLASS (klass)->dispose = dbn_main_window_dispose;
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_main_window.ui");
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, principal_label);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, status_label);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, outbox_label);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, banner);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, stack);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, key_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, data_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnMainWindow, setup_error);
    gtk_widget_class_install_action (widget_class, "win.connect", NULL, action_connect);
    gtk_widget_class_install_action (widget_class, "win.choose-key", NULL, action_choose_key);
    gtk_widget_class_install_action (widget_class, "win.choose-data", NULL, action_choose_data);
}

static void
dbn_main_window_init (DbnMainWindow *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}

DbnMainWindow *
dbn_main_window_new (GtkApplication *app, GSettings *settings)
{
    g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
    DbnMainWindow *self = g_object_new (DBN_TYPE_MAIN_WINDOW, "application", app, NULL);
    self->settings = g_object_ref (settings);
    g_settings_bind (settings, "key-file", self->key_entry, "text", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind (settings, "data-dir", self->data_entry, "text", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
    g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
    g_autofree char *key = g_settings_get_string (settings, "key-file");
    g_autofree char *data = g_settings_get_string (settings, "data-dir");
    if (*key != '\0' && *data != '\0')
        dbn_main_window_connect (self, NULL);
    return self;
}

DbnConnection *
dbn_main_window_get_connection (DbnMainWindow *self)
{
    return self->connection;
}
DbnOutbox *
dbn_main_window_get_outbox (DbnMainWindow *self)
{
    return self->outbox;
}
DbnCountyConnections *
dbn_main_window_get_county (DbnMainWindow *self)
{
    return self->county;
}
const char *
dbn_main_window_get_status_text (DbnMainWindow *self)
{
    return gtk_label_get_text (self->status_label);
}
GtkWidget *
dbn_main_window_get_view (DbnMainWindow *self)
{
    return self->view;
}
gboolean
dbn_main_window_get_offline_shown (DbnMainWindow *self)
{
    return gtk_revealer_get_reveal_child (self->banner);
}

GtkEditable *
dbn_main_window_get_setup_entry (DbnMainWindow *self, const char *name)
{
    if (g_strcmp0 (name, "key-file") == 0)
        return GTK_EDITABLE (self->key_entry);
    if (g_strcmp0 (name, "data-dir") == 0)
        return GTK_EDITABLE (self->data_entry);
    return NULL;
}
