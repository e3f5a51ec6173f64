/* dbn_station_logbook.c: the station's logbook page.
 *
 * intake.logbook answers a page at a time; a full page asks for the next,
 * from the time after its last entry, until the book is read (the CLI reads
 * it the same way). The lines and the printable form grow page by page.
 */
#include "dbn_station_logbook-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dbn_commands.h"
#include "dbn_print.h"
#include "dbn_queue_model.h"
#include "dbn_station_pages.h"
#include "dbn_text_row.h"

struct _DbnStationLogbook {
    GtkWidget parent_instance;
    DbnConnection *connection;    /* owned ref */
    char *village;                /* whose book */
    char *client_dir;             /* where the PDF goes */
    GtkStringList *logbook_lines; /* the lines as read so far */
    DbnPrintForm *logbook;        /* the logbook as last read */
    gint64 logbook_from;          /* the page being read starts here (ms); 0: the first */
    char *logbook_after;          /* ... after this entry (the last one read) */
    guint logbook_count;          /* entries read so far */
    /* template children */
    GtkLabel *logbook_status;
    GtkListView *logbook_list;
};

G_DEFINE_TYPE (DbnStationLogbook, dbn_station_logbook, GTK_TYPE_WIDGET)

static const char *
entry_display (const char *entry)
{
    if (g_strcmp0 (entry, "accepted") == 0)
        return _ ("受理");
    if (g_strcmp0 (entry, "awaiting_materials") == 0)
        return _ ("受理（待补材料）");
    if (g_strcmp0 (entry, "refused") == 0)
        return _ ("不予受理");
    return entry != NULL ? entry : "";
}

static void request_logbook_page (DbnStationLogbook *self);

/* One page of intake.logbook. A full page asks for the next, from the time
 * after its last entry, until the book is read (the CLI reads it the same way). */
static void
on_logbook (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationLogbook) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeLogbookReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_logbook_reply_decode (g_bytes_get_data (reply, NULL),
                                                             g_bytes_get_size (reply), &error);
    if (self->logbook_lines == NULL)
        return;
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->logbook_status, line);
        return;
    }
    if (self->logbook_after == NULL) {
        g_clear_pointer (&self->logbook, dbn_print_form_free);
        self->logbook = dbn_print_form_new (DBN_FORM_LOGBOOK, self->village);
        self->logbook_count = 0;
        gtk_string_list_splice (self->logbook_lines, 0,
                                g_list_model_get_n_items (G_LIST_MODEL (self->logbook_lines)), NULL);
    }
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    gint64 last_at = self->logbook_from;
    g_autofree char *last_number = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        g_autoptr (DbnMsgIntakeLogbookEntry) e = dbn_msg_intake_logbook_entry_decode (
            g_bytes_get_data (r->entries->pdata[i], NULL), g_bytes_get_size (r->entries->pdata[i]), NULL);
        if (e == NULL)
            continue;
        last_at = e->at; /* oldest first: the last is the newest */
        g_free (last_number);
        last_number = g_strdup (e->number);
        g_autoptr (GDateTime) when = dbn_clock_local_from_ms (e->at);
        g_autofree char *at = g_date_time_format (when, "%Y-%m-%d %H:%M");
        const DbnMatter *m = e->matter ? dbn_catalog_lookup (catalog, e->matter) : NULL;
        /* The book is read by many: the ID comes masked, the name is masked here. */
        g_autofree char *applicant = dbn_mask_name (e->applicant);
        g_autofree char *body =
            g_strdup_printf ("%s  %s  %s %s  %s  %s%s%s", at, entry_display (e->entry), applicant,
                             e->id_number ? e->id_number : "", m ? m->name_zh : (e->matter ? e->matter : "—"),
                             e->by, e->detail ? "  " : "", e->detail ? e->detail : "");
        dbn_print_form_add_row (self->logbook, e->number, body);
        g_ptr_array_add (lines, g_strdup_printf ("%s  %s", e->number, body));
        self->logbook_count++;
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->logbook_lines,
                            g_list_model_get_n_items (G_LIST_MODEL (self->logbook_lines)), 0,
                            (const char *const *) lines->pdata);
    gboolean more = r->truncated && last_number != NULL;
    g_autofree char *text =
        g_strdup_printf (more ? _ ("读取中… 已读 %u 条") : _ ("共 %u 条"), self->logbook_count);
    gtk_label_set_text (self->logbook_status, text);
    if (more) {
        /* The next page starts after the last entry read (its time and number). */
        self->logbook_from = last_at;
        g_free (self->logbook_after);
        self->logbook_after = g_steal_pointer (&last_number);
        request_logbook_page (self);
    }
}

static void
request_logbook_page (DbnStationLogbook *self)
{
    g_autoptr (DbnMsgIntakeLogbook) m = dbn_msg_intake_logbook_new ();
    m->env.key = dbn_command_new_key ();
    m->village = g_strdup (self->village);
    m->has_from_ms = self->logbook_after != NULL;
    m->from_ms = self->logbook_from;
    m->after = g_strdup (self->logbook_after);
    g_autoptr (GBytes) body = dbn_msg_intake_logbook_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, DBN_STATION_READ_TIMEOUT_MS, on_logbook,
                               g_object_ref (self));
}

void
dbn_station_logbook_refresh (DbnStationLogbook *self)
{
    self->logbook_from = 0;
    g_clear_pointer (&self->logbook_after, g_free);
    request_logbook_page (self);
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_station_logbook_refresh (DBN_STATION_LOGBOOK (widget));
}

static void
action_print (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationLogbook *self = DBN_STATION_LOGBOOK (widget);
    if (self->logbook == NULL) {
        gtk_label_set_text (self->logbook_status, _ ("请先刷新记录簿"));
        return;
    }
    dbn_print_form_print (self->logbook, GTK_WINDOW (gtk_widget_get_root (widget)));
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationLogbook *self = DBN_STATION_LOGBOOK (widget);
    if (self->logbook == NULL) {
        gtk_label_set_text (self->logbook_status, _ ("请先刷新记录簿"));
        return;
    }
    g_autoptr (GError) error = NULL;
    g_mkdir_with_parents (self->client_dir, 0700);
    g_autofree char *path = g_build_filename (self->client_dir, "logbook.pdf", NULL);
    if (!dbn_print_form_export_pdf (self->logbook, path, &error)) {
        gtk_label_set_text (self->logbook_status, error->message);
        return;
    }
    g_autofree char *text = g_strdup_printf (_ ("已导出：%s"), path);
    gtk_label_set_text (self->logbook_status, text);
}

static void
dbn_station_logbook_dispose (GObject *object)
{
    DbnStationLogbook *self = DBN_STATION_LOGBOOK (object);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_LOGBOOK);
    g_clear_object (&self->logbook_lines);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_station_logbook_parent_class)->dispose (object);
}

static void
dbn_station_logbook_finalize (GObject *object)
{
    DbnStationLogbook *self = DBN_STATION_LOGBOOK (object);
    g_free (self->village);
    g_free (self->client_dir);
    dbn_print_form_free (self->logbook);
    g_free (self->logbook_after);
    G_OBJECT_CLASS (dbn_station_logbook_parent_class)->finalize (object);
}

static void
dbn_station_logbook_class_init (DbnStationLogbookClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_logbook_dispose;
    object_class->finalize = dbn_station_logbook_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_logbook.ui");
    gtk_widget_class_bind_template_child (widget_class, DbnStationLogbook, logbook_status);
    gtk_widget_class_bind_template_child (widget_class, DbnStationLogbook, logbook_list);
    gtk_widget_class_install_action (widget_class, "logbook.refresh", NULL, action_refresh);
    gtk_widget_class_install_action (widget_class, "logbook.print", NULL, action_print);
    gtk_widget_class_install_action (widget_class, "logbook.export", NULL, action_export);
}

static void
dbn_station_logbook_init (DbnStationLogbook *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->logbook_lines = gtk_string_list_new (NULL);
    GtkListItemFactory *factory = dbn_text_row_factory_new ();
    gtk_list_view_set_factory (self->logbook_list, factory);
    g_object_unref (factory);
    gtk_list_view_set_model (self->logbook_list, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                     g_object_ref (G_LIST_MODEL (self->logbook_lines)))));
}

void
dbn_station_logbook_set_up (DbnStationLogbook *self, DbnConnection *connection, const char *village,
                            const char *client_dir)
{
    g_return_if_fail (DBN_IS_STATION_LOGBOOK (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->village = g_strdup (village);
    self->client_dir = g_strdup (client_dir);
}

/* ---- what the tests reach (dbn_station_logbook-private.h) ---- */

GListModel *
dbn_station_logbook_get_lines (DbnStationLogbook *self)
{
    return G_LIST_MODEL (self->logbook_lines);
}
const char *
dbn_station_logbook_get_status (DbnStationLogbook *self)
{
    return gtk_label_get_text (self->logbook_status);
}
