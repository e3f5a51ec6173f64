/* dbn_front_desk.c: the front desk (前台受理) of a split window, D-RTE-6.
 *
 * The window's queue is kept as the clerk's is (DbnQueueModel fed by
 * DbnQueueFeed on q/<window>/); a filter keeps the rows whose papers are in
 * transit, so an item leaves the list when routing's event of its receipt
 * comes back, not when the reply does. "签收" signs for the selected item,
 * "全部签收" for every item shown; each runsheet.ack goes through the
 * outbox with its own idempotency key, so a desk offline signs all the same.
 * Handling is the back office's screen (the clerk view), not this one.
 */
#include "dbn_front_desk-private.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_queue_columns.h"
#include "dbn_queue_feed.h"

struct _DbnFrontDesk {
    GtkWidget parent_instance;
    DbnConnection *connection;     /* owned ref */
    DbnOutbox *outbox;             /* owned ref */
    char *window_id;               /* the window whose front desk this is */
    DbnQueueModel *model;          /* the window's whole queue */
    DbnQueueFeed *feed;            /* keeps model with routing */
    GtkFilterListModel *filtered;  /* borrowed: the items in transit */
    GtkSingleSelection *selection; /* owned */
    GHashTable *sent;              /* outbox row ids this desk sent (gint64*) */
    gulong replied_id;             /* the outbox's */
    GtkColumnView *columns;
    GtkLabel *count_label;
    GtkLabel *status_label;
};

G_DEFINE_TYPE (DbnFrontDesk, dbn_front_desk, GTK_TYPE_WIDGET)

static void
set_status (DbnFrontDesk *self, const char *text)
{
    gtk_label_set_text (self->status_label, text);
}

static void
update_count (DbnFrontDesk *self)
{
    guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
    g_autofree char *text = g_strdup_printf (_ ("待签收 %u 件"), n);
    gtk_label_set_text (self->count_label, text);
}

static gboolean
in_transit (gpointer item, gpointer user_data)
{
    return g_strcmp0 (dbn_queue_item_get_location (item), "in_transit") == 0;
}

/* One runsheet.ack into the outbox; FALSE (status set) when it was refused. */
static gboolean
acknowledge (DbnFrontDesk *self, DbnQueueItem *item)
{
    g_autoptr (DbnMsgRunsheetAck) m = dbn_msg_runsheet_ack_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->sheet = g_strdup (dbn_queue_item_get_sheet (item));
    m->case_no = g_strdup (dbn_queue_item_get_case_no (item));
    g_autoptr (GBytes) body = dbn_msg_runsheet_ack_encode (m, NULL);
    if (body == NULL) {
        set_status (self, _ ("命令无法编码（字段过长？）"));
        return FALSE;
    }
    g_autofree char *label = g_strdup_printf ("runsheet.ack %s %s", m->sheet, m->case_no);
    g_autoptr (GError) error = NULL;
    gint64 id = dbn_outbox_enqueue (self->outbox, "routing", "runsheet.ack", key, body, label, &error);
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return FALSE;
    }
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    return TRUE;
}

static void
action_acknowledge (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnFrontDesk *self = DBN_FRONT_DESK (widget);
    DbnQueueItem *item = gtk_single_selection_get_selected_item (self->selection);
    if (item == NULL) {
        set_status (self, _ ("请先选择一个交接件"));
        return;
    }
    if (acknowledge (self, item)) {
        g_autofree char *text = g_strdup_printf (_ ("已签收：%s"), dbn_queue_item_get_case_no (item));
        set_status (self, text);
    }
}

static void
action_acknowledge_all (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnFrontDesk *self = DBN_FRONT_DESK (widget);
    /* Collect first: the rows leave the list as their receipts come back. */
    GListModel *shown = G_LIST_MODEL (self->selection);
    g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
        g_ptr_array_add (items, g_list_model_get_item (shown, i));
    guint n = 0;
    for (guint i = 0; i < items->len; i++) {
        if (!acknowledge (self, items->pdata[i]))
            return;
        n++;
    }
    g_autofree char *text = g_strdup_printf (_ ("已签收 %u 件"), n);
    set_status (self, n > 0 ? text : _ ("没有待签收的交接件"));
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnFrontDesk *self = user_data;
    if (!g_hash_table_remove (self->sent, &id))
        return;
    if (error != NULL) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
    }
}

static void
feed_changed (gpointer user_data, gboolean open_moved)
{
    update_count (user_data);
}

static void
feed_failed (gpointer user_data, const GError *error)
{
    g_autofree char *line = dbn_error_line (error);
    set_status (user_data, line);
}

static const DbnQueueFeedHooks feed_hooks = { feed_failed, feed_changed, NULL };

/* The sheet column: which run sheet carries the item (交接清单编号). */
static void
sheet_setup (GtkSignalListItemFactory *factory, GtkListItem *li, gpointer user_data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_list_item_set_child (li, label);
}

static void
sheet_bind (GtkSignalListItemFactory *factory, GtkListItem *li, gpointer user_data)
{
    DbnQueueItem *item = gtk_list_item_get_item (li);
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (li)), dbn_queue_item_get_sheet (item));
}

static GtkWidget *
button_new (const char *label, const char *action, gboolean suggested)
{
    GtkWidget *button = gtk_button_new_with_label (label);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
    if (suggested)
        gtk_widget_add_css_class (button, "suggested-action");
    return button;
}

static void
dbn_front_desk_init (DbnFrontDesk *self)
{
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (box, 12);
    gtk_widget_set_margin_end (box, 12);
    gtk_widget_set_margin_top (box, 12);
    gtk_widget_set_margin_bottom (box, 12);
    gtk_widget_set_parent (box, GTK_WIDGET (self));
    GtkWidget *title = gtk_label_new (_ ("前台受理：签收交接清单上的事项"));
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_widget_add_css_class (title, "title-2");
    gtk_box_append (GTK_BOX (box), title);
    GtkWidget *hint = gtk_label_new (_ ("代办员送来的材料逐件核对后签收；办理由后台进行。"));
    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_box_append (GTK_BOX (box), hint);
    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_widget_set_vexpand (scroll, TRUE);
    self->columns = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->columns));
    gtk_box_append (GTK_BOX (box), scroll);
    self->count_label = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->count_label, 0);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_label));
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (buttons), button_new (_ ("签收"), "front.acknowledge", TRUE));
    gtk_box_append (GTK_BOX (buttons), button_new (_ ("全部签收"), "front.acknowledge-all", FALSE));
    gtk_box_append (GTK_BOX (box), buttons);
    self->status_label = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->status_label, 0);
    gtk_label_set_wrap (self->status_label, TRUE);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));
}

static void
dbn_front_desk_dispose (GObject *object)
{
    DbnFrontDesk *self = DBN_FRONT_DESK (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    g_clear_pointer (&self->feed, dbn_queue_feed_free);
    GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
    if (child != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->selection);
    g_clear_object (&self->model);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_front_desk_parent_class)->dispose (object);
}

static void
dbn_front_desk_finalize (GObject *object)
{
    DbnFrontDesk *self = DBN_FRONT_DESK (object);
    g_free (self->window_id);
    g_hash_table_unref (self->sent);
    G_OBJECT_CLASS (dbn_front_desk_parent_class)->finalize (object);
}

static void
dbn_front_desk_class_init (DbnFrontDeskClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_front_desk_dispose;
    object_class->finalize = dbn_front_desk_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_install_action (widget_class, "front.acknowledge", NULL, action_acknowledge);
    gtk_widget_class_install_action (widget_class, "front.acknowledge-all", NULL, action_acknowledge_all);
}

GtkWidget *
dbn_front_desk_new (DbnConnection *connection, DbnOutbox *outbox, const char *id)
{
    g_return_val_if_fail (connection != NULL && outbox != NULL && id != NULL, NULL);
    DbnFrontDesk *self = g_object_new (DBN_TYPE_FRONT_DESK, NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->window_id = g_strdup (id);
    self->model = dbn_queue_model_new (dbn_connection_get_catalog (connection));
    static const DbnColumn cols[] = { DBN_COLUMN_CASE, DBN_COLUMN_MATTER, DBN_COLUMN_LOCATION,
                                      DBN_COLUMN_STATE, DBN_COLUMN_RESPONSIBLE };
    self->selection = dbn_queue_columns_set_model (self->columns, self->model, cols, G_N_ELEMENTS (cols),
                                                   connection, NULL, self, &self->filtered);
    gtk_single_selection_set_autoselect (self->selection, FALSE);
    g_autoptr (GtkCustomFilter) filter = gtk_custom_filter_new (in_transit, NULL, NULL);
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (filter));
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (sheet_setup), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (sheet_bind), NULL);
    GtkColumnViewColumn *sheet = gtk_column_view_column_new (_ ("交接清单"), factory);
    gtk_column_view_append_column (self->columns, sheet);
    g_object_unref (sheet);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
    g_autofree char *topic = g_strdup_printf ("q/%s/", id);
    self->feed = dbn_queue_feed_new (connection, self->model, "window", id, topic, &feed_hooks, self);
    g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (update_count), self);
    update_count (self);
    return GTK_WIDGET (self);
}

DbnQueueModel *
dbn_front_desk_get_model (DbnFrontDesk *self)
{
    return self->model;
}

GListModel *
dbn_front_desk_get_visible (DbnFrontDesk *self)
{
    return G_LIST_MODEL (self->selection);
}

gboolean
dbn_front_desk_select (DbnFrontDesk *self, const char *case_no)
{
    return dbn_queue_selection_select (self->selection, case_no);
}

const char *
dbn_front_desk_get_status (DbnFrontDesk *self)
{
    return gtk_label_get_text (self->status_label);
}
