/* dbn_station_handovers.c: see dbn_station_handovers.h.
 *
 * Built in code (a list, a consent box, two buttons and a reason): the page
 * is small and has no form worth a template. Accepting and sending back go
 * straight to intake, not through the outbox: the station decides with the
 * applicant in front of it and must see the case number, or why intake
 * refused, at once. Offline the call fails, the handover stays pending at
 * intake, and nothing is lost. Its actions are "handovers.refresh",
 * "handovers.accept" and "handovers.return". */
#include "dbn_station_handovers.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_queue_model.h"
#include "dbn_station_pages.h"

struct _DbnStationHandovers {
    GtkWidget parent_instance;
    DbnConnection *connection; /* owned ref */
    char *station;
    GtkStringList *lines; /* one per pending handover */
    GPtrArray *numbers;   /* the handover number of each line */
    GtkSingleSelection *selection;
    GtkCheckButton *consent;
    GtkEntry *reason;
    GtkLabel *status;
    char *last_case;
};

G_DEFINE_TYPE (DbnStationHandovers, dbn_station_handovers, GTK_TYPE_WIDGET)

static void
on_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationHandovers) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeHandoverListReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_handover_list_reply_decode (g_bytes_get_data (reply, NULL),
                                                                   g_bytes_get_size (reply), &error);
    if (self->lines == NULL)
        return; /* disposed */
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->status, line);
        return;
    }
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_set_size (self->numbers, 0);
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *frame = r->items->pdata[i];
        g_autoptr (DbnMsgIntakeHandoverItem) h = dbn_msg_intake_handover_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);
        if (h == NULL)
            continue;
        g_autoptr (GDateTime) when = dbn_clock_local_from_ms (h->at);
        g_autofree char *at = g_date_time_format (when, "%m-%d %H:%M");
        const DbnMatter *m = catalog ? dbn_catalog_lookup (catalog, h->matter) : NULL;
        g_autofree char *applicant = dbn_mask_name (h->applicant);
        /* TRANSLATORS: a group agent's request waiting at the station:
         * number, time, the group, the matter, the applicant (masked). */
        g_ptr_array_add (lines, g_strdup_printf (_ ("%s  %s  来自%s  %s  %s"), h->handover, at, h->group_name,
                                                 m ? m->name_zh : h->matter, applicant));
        g_ptr_array_add (self->numbers, g_strdup (h->handover));
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->lines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->lines)),
                            (const char *const *) lines->pdata);
    g_autofree char *text = g_strdup_printf (_ ("待受理 %u 件"), self->numbers->len);
    if (self->last_case == NULL)
        gtk_label_set_text (self->status, text);
}

void
dbn_station_handovers_refresh (DbnStationHandovers *self)
{
    g_autoptr (DbnMsgIntakeHandoverList) m = dbn_msg_intake_handover_list_new ();
    m->env.key = dbn_command_new_key ();
    m->station = g_strdup (self->station);
    m->state = g_strdup ("pending");
    g_autoptr (GBytes) body = dbn_msg_intake_handover_list_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, DBN_STATION_READ_TIMEOUT_MS, on_list,
                               g_object_ref (self));
}

static const char *
selected_number (DbnStationHandovers *self)
{
    guint pos = gtk_single_selection_get_selected (self->selection);
    return pos < self->numbers->len ? self->numbers->pdata[pos] : NULL;
}

static void
on_accepted (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationHandovers) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeHandoverAcceptReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_handover_accept_reply_decode (g_bytes_get_data (reply, NULL),
                                                                     g_bytes_get_size (reply), &error);
    if (self->lines == NULL)
        return;
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->status, line);
        return;
    }
    g_free (self->last_case);
    self->last_case = g_strdup (r->case_no);
    g_autofree char *missing = g_strjoinv ("、", r->missing);
    g_autofree char *text = *missing ? g_strdup_printf (_ ("已受理，案件号 %s；缺：%s"), r->case_no, missing)
                                     : g_strdup_printf (_ ("已受理，案件号 %s"), r->case_no);
    gtk_label_set_text (self->status, text);
    gtk_check_button_set_active (self->consent, FALSE);
    dbn_station_handovers_refresh (self);
}

static void
action_accept (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationHandovers *self = DBN_STATION_HANDOVERS (widget);
    const char *number = selected_number (self);
    if (number == NULL) {
        gtk_label_set_text (self->status, _ ("请先选择一件转交件"));
        return;
    }
    /* D-INT-2: the consent box is the applicant's, ticked at the station;
     * intake refuses without it and the handover keeps waiting. */
    g_autoptr (DbnMsgIntakeHandoverAccept) m = dbn_msg_intake_handover_accept_new ();
    m->env.key = dbn_command_new_key ();
    m->handover = g_strdup (number);
    m->consent = gtk_check_button_get_active (self->consent);
    g_autoptr (GBytes) body = dbn_msg_intake_handover_accept_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, DBN_STATION_READ_TIMEOUT_MS, on_accepted,
                               g_object_ref (self));
}

static void
on_returned (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationHandovers) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->lines == NULL)
        return;
    if (reply == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->status, line);
        return;
    }
    gtk_label_set_text (self->status, _ ("已退回组代办员"));
    gtk_editable_set_text (GTK_EDITABLE (self->reason), "");
    dbn_station_handovers_refresh (self);
}

static void
action_return (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationHandovers *self = DBN_STATION_HANDOVERS (widget);
    const char *number = selected_number (self);
    if (number == NULL) {
        gtk_label_set_text (self->status, _ ("请先选择一件转交件"));
        return;
    }
    g_autoptr (DbnMsgIntakeHandoverReturn) m = dbn_msg_intake_handover_return_new ();
    m->env.key = dbn_command_new_key ();
    m->handover = g_strdup (number);
    m->reason = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason)));
    g_autoptr (GBytes) body = dbn_msg_intake_handover_return_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, DBN_STATION_READ_TIMEOUT_MS, on_returned,
                               g_object_ref (self));
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_station_handovers_refresh (DBN_STATION_HANDOVERS (widget));
}

static void
dbn_station_handovers_dispose (GObject *object)
{
    DbnStationHandovers *self = DBN_STATION_HANDOVERS (object);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->selection);
    g_clear_object (&self->lines);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_station_handovers_parent_class)->dispose (object);
}

static void
dbn_station_handovers_finalize (GObject *object)
{
    DbnStationHandovers *self = DBN_STATION_HANDOVERS (object);
    g_free (self->station);
    g_free (self->last_case);
    g_ptr_array_unref (self->numbers);
    G_OBJECT_CLASS (dbn_station_handovers_parent_class)->finalize (object);
}

static void
dbn_station_handovers_class_init (DbnStationHandoversClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_handovers_dispose;
    object_class->finalize = dbn_station_handovers_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_install_action (widget_class, "handovers.refresh", NULL, action_refresh);
    gtk_widget_class_install_action (widget_class, "handovers.accept", NULL, action_accept);
    gtk_widget_class_install_action (widget_class, "handovers.return", NULL, action_return);
}

static void
setup_line (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_set_margin_start (label, 6);
    gtk_list_item_set_child (item, label);
}

static void
bind_line (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GtkStringObject *s = gtk_list_item_get_item (item);
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (s));
}

static void
dbn_station_handovers_init (DbnStationHandovers *self)
{
    self->numbers = g_ptr_array_new_with_free_func (g_free);
    self->lines = gtk_string_list_new (NULL);
    self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->lines)));
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (box, 12);
    gtk_widget_set_margin_end (box, 12);
    gtk_widget_set_margin_top (box, 12);
    gtk_widget_set_margin_bottom (box, 12);
    gtk_widget_set_parent (box, GTK_WIDGET (self));

    GtkWidget *title = gtk_label_new (_ ("组代办员转交的申请（待代办站受理）"));
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_widget_add_css_class (title, "title-4");
    gtk_box_append (GTK_BOX (box), title);

    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_line), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_line), NULL);
    GtkWidget *list = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory);
    GtkWidget *scroller = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
    gtk_widget_set_vexpand (scroller, TRUE);
    gtk_box_append (GTK_BOX (box), scroller);

    GtkWidget *accept_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    self->consent = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_ ("申请人本人同意委托（自愿原则）")));
    gtk_box_append (GTK_BOX (accept_row), GTK_WIDGET (self->consent));
    GtkWidget *accept = gtk_button_new_with_label (_ ("受理"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (accept), "handovers.accept");
    gtk_box_append (GTK_BOX (accept_row), accept);
    GtkWidget *refresh = gtk_button_new_with_label (_ ("刷新"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (refresh), "handovers.refresh");
    gtk_box_append (GTK_BOX (accept_row), refresh);
    gtk_box_append (GTK_BOX (box), accept_row);

    GtkWidget *return_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    self->reason = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->reason, _ ("退回理由"));
    gtk_widget_set_hexpand (GTK_WIDGET (self->reason), TRUE);
    gtk_box_append (GTK_BOX (return_row), GTK_WIDGET (self->reason));
    GtkWidget *send_back = gtk_button_new_with_label (_ ("退回组代办员"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (send_back), "handovers.return");
    gtk_box_append (GTK_BOX (return_row), send_back);
    gtk_box_append (GTK_BOX (box), return_row);

    self->status = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->status, 0);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));
}

GtkWidget *
dbn_station_handovers_new (DbnConnection *connection, const char *station_id)
{
    DbnStationHandovers *self = g_object_new (DBN_TYPE_STATION_HANDOVERS, NULL);
    self->connection = g_object_ref (connection);
    self->station = g_strdup (station_id);
    return GTK_WIDGET (self);
}

GListModel *
dbn_station_handovers_get_lines (DbnStationHandovers *self)
{
    return G_LIST_MODEL (self->lines);
}

gboolean
dbn_station_handovers_select (DbnStationHandovers *self, const char *number)
{
    for (guint i = 0; i < self->numbers->len; i++)
        if (g_strcmp0 (self->numbers->pdata[i], number) == 0) {
            gtk_single_selection_set_selected (self->selection, i);
            return TRUE;
        }
    return FALSE;
}

void
dbn_station_handovers_set_consent (DbnStationHandovers *self, gboolean consent)
{
    gtk_check_button_set_active (self->consent, consent);
}

GtkEditable *
dbn_station_handovers_get_reason (DbnStationHandovers *self)
{
    return GTK_EDITABLE (self->reason);
}

const char *
dbn_station_handovers_get_status (DbnStationHandovers *self)
{
    return gtk_label_get_text (self->status);
}

const char *
dbn_station_handovers_get_last_case (DbnStationHandovers *self)
{
    return self->last_case;
}
