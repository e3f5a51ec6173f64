/* dbn_county_page.c: a county department answers escalated cases, issue 16.
 *
 * Per township: a DbnQueueModel fed by DbnQueueFeed from that township's
 * routing (kind "county", topic c/<dept>/: routing publishes a case there
 * from its escalation on). The models are flattened into one list, filtered
 * to the cases still escalated (waiting for the answer) and shown with the
 * township's name. "批准" / "不批准" send case.county_answer with the text
 * through that township's outbox; the row leaves the list when routing's
 * event of the answer comes back, and the case's timeline names the
 * department (the key's principal is the actor).
 */
#include "dbn_county_page-private.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_queue_columns.h"
#include "dbn_queue_feed.h"

typedef struct {
    char *name;                /* the township as shown */
    DbnConnection *connection; /* owned ref */
    DbnOutbox *outbox;         /* owned ref */
    DbnQueueModel *model;      /* owned: the department's cases there */
    DbnQueueFeed *feed;        /* keeps model */
    gulong replied_id;         /* outbox's */
    DbnCountyPage *page;       /* borrowed: the owner */
} Township;

struct _DbnCountyPage {
    GtkWidget parent_instance;
    char *dept;                    /* the county department's id */
    GPtrArray *townships;          /* Township*, owned */
    GListStore *models;            /* the townships' models, for the flatten model */
    GtkSingleSelection *selection; /* owned */
    GHashTable *sent;              /* outbox row ids sent from here (gint64*) */
    GtkColumnView *columns;
    GtkEntry *answer_entry;
    GtkLabel *count_label;
    GtkLabel *status_label;
};

G_DEFINE_TYPE (DbnCountyPage, dbn_county_page, GTK_TYPE_WIDGET)

static void
township_free (Township *t)
{
    if (t->outbox != NULL)
        g_clear_signal_handler (&t->replied_id, t->outbox);
    g_clear_pointer (&t->feed, dbn_queue_feed_free);
    g_clear_object (&t->model);
    g_clear_object (&t->outbox);
    g_clear_object (&t->connection);
    g_free (t->name);
    g_free (t);
}

static void
set_status (DbnCountyPage *self, const char *text)
{
    gtk_label_set_text (self->status_label, text);
}

static void
update_count (DbnCountyPage *self)
{
    g_autofree char *text =
        g_strdup_printf (_ ("待答复上报件 %u 件（%u 个乡镇）"),
                         g_list_model_get_n_items (G_LIST_MODEL (self->selection)), self->townships->len);
    gtk_label_set_text (self->count_label, text);
}

/* The township whose model holds item (rows are the models' own objects). */
static Township *
township_of (DbnCountyPage *self, DbnQueueItem *item)
{
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (dbn_queue_model_lookup (t->model, dbn_queue_item_get_case_no (item)) == item)
            return t;
    }
    return NULL;
}

static gboolean
waiting (gpointer item, gpointer user_data)
{
    return g_strcmp0 (dbn_queue_item_get_state (item), "escalated") == 0;
}

static void
action_answer (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCountyPage *self = DBN_COUNTY_PAGE (widget);
    DbnQueueItem *item = gtk_single_selection_get_selected_item (self->selection);
    Township *t = item != NULL ? township_of (self, item) : NULL;
    if (t == NULL) {
        set_status (self, _ ("请先选择一个上报件"));
        return;
    }
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->answer_entry));
    if (text == NULL || *text == '\0') {
        set_status (self, _ ("请写明部门的答复意见"));
        return;
    }
    g_autoptr (DbnMsgCaseCountyAnswer) m = dbn_msg_case_county_answer_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (dbn_queue_item_get_case_no (item));
    m->answer = g_strdup (text);
    m->approved = g_variant_get_boolean (param);
    g_autoptr (GBytes) body = dbn_msg_case_county_answer_encode (m, NULL);
    if (body == NULL) {
        set_status (self, _ ("命令无法编码（字段过长？）"));
        return;
    }
    g_autofree char *label = g_strdup_printf ("case.county_answer %s %s", t->name, m->case_no);
    g_autoptr (GError) error = NULL;
    gint64 id =
        dbn_outbox_enqueue (t->outbox, "routing", DBN_MSG_CASE_COUNTY_ANSWER_WIRE, key, body, label, &error);
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    g_autofree char *done = g_strdup_printf (_ ("已答复：%s %s"), t->name, m->case_no);
    set_status (self, done);
    gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), "");
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    Township *t = user_data;
    if (!g_hash_table_remove (t->page->sent, &id) || error == NULL)
        return;
    g_autofree char *line = dbn_error_line (error);
    set_status (t->page, line);
}

static void
feed_changed (gpointer user_data, gboolean open_moved)
{
    Township *t = user_data;
    update_count (t->page);
}

static void
feed_failed (gpointer user_data, const GError *error)
{
    Township *t = user_data;
    g_autofree char *line = dbn_error_line (error);
    g_autofree char *text = g_strdup_printf ("%s：%s", t->name, line);
    set_status (t->page, text);
}

static const DbnQueueFeedHooks feed_hooks = { feed_failed, feed_changed, NULL };

static void
township_setup (GtkSignalListItemFactory *factory, GtkListItem *li, gpointer user_data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_list_item_set_child (li, label);
}

static void
township_bind (GtkSignalListItemFactory *factory, GtkListItem *li, gpointer user_data)
{
    Township *t = township_of (user_data, gtk_list_item_get_item (li));
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (li)), t != NULL ? t->name : "");
}

static GtkWidget *
answer_button (const char *label, gboolean approved)
{
    GtkWidget *button = gtk_button_new_with_label (label);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "county.answer");
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_boolean (approved));
    gtk_widget_add_css_class (button, approved ? "suggested-action" : "destructive-action");
    return button;
}

static void
dbn_county_page_init (DbnCountyPage *self)
{
    self->townships = g_ptr_array_new_with_free_func ((GDestroyNotify) township_free);
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->models = g_list_store_new (G_TYPE_LIST_MODEL);
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (box, 12);
    gtk_widget_set_margin_end (box, 12);
    gtk_widget_set_margin_top (box, 12);
    gtk_widget_set_margin_bottom (box, 12);
    gtk_widget_set_parent (box, GTK_WIDGET (self));
    GtkWidget *title = gtk_label_new (_ ("县直部门：各乡镇的上报件"));
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_widget_add_css_class (title, "title-2");
    gtk_box_append (GTK_BOX (box), title);
    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_widget_set_vexpand (scroll, TRUE);
    self->columns = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->columns));
    gtk_box_append (GTK_BOX (box), scroll);
    self->count_label = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->count_label, 0);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_label));
    self->answer_entry = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->answer_entry, _ ("部门答复意见（批准或不批准的理由）"));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->answer_entry));
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (buttons), answer_button (_ ("批准"), TRUE));
    gtk_box_append (GTK_BOX (buttons), answer_button (_ ("不批准"), FALSE));
    gtk_box_append (GTK_BOX (box), buttons);
    self->status_label = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->status_label, 0);
    gtk_label_set_wrap (self->status_label, TRUE);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));

    /* townships' models → one list → the cases waiting → the header's sorter. */
    GtkFlattenListModel *flat = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->models)));
    GtkFilterListModel *filtered = gtk_filter_list_model_new (
        G_LIST_MODEL (flat), GTK_FILTER (gtk_custom_filter_new (waiting, NULL, NULL)));
    GtkSorter *sorter = gtk_column_view_get_sorter (self->columns);
    GtkSortListModel *sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered), g_object_ref (sorter));
    self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
    gtk_single_selection_set_autoselect (self->selection, FALSE);
    gtk_single_selection_set_can_unselect (self->selection, TRUE);
    gtk_column_view_set_model (self->columns, GTK_SELECTION_MODEL (self->selection));
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (township_setup), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (township_bind), self);
    GtkColumnViewColumn *township = gtk_column_view_column_new (_ ("乡镇"), factory);
    gtk_column_view_append_column (self->columns, township);
    g_object_unref (township);
    /* The due column is the department's own clock (D-DL-3: deadline's
     * county queue and c/<dept>/ carry that clock, not the case's nearest). */
    static const DbnColumn cols[] = { DBN_COLUMN_CASE, DBN_COLUMN_MATTER, DBN_COLUMN_STATE, DBN_COLUMN_DUE,
                                      DBN_COLUMN_RESPONSIBLE };
    for (gsize i = 0; i < G_N_ELEMENTS (cols); i++)
        dbn_queue_columns_add (self->columns, cols[i], NULL, NULL, NULL);
    g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (update_count), self);
}

static void
dbn_county_page_dispose (GObject *object)
{
    DbnCountyPage *self = DBN_COUNTY_PAGE (object);
    if (self->townships != NULL)
        g_ptr_array_set_size (self->townships, 0);
    GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
    if (child != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->selection);
    g_clear_object (&self->models);
    G_OBJECT_CLASS (dbn_county_page_parent_class)->dispose (object);
}

static void
dbn_county_page_finalize (GObject *object)
{
    DbnCountyPage *self = DBN_COUNTY_PAGE (object);
    g_ptr_array_unref (self->townships);
    g_hash_table_unref (self->sent);
    g_free (self->dept);
    G_OBJECT_CLASS (dbn_county_page_parent_class)->finalize (object);
}

static void
dbn_county_page_class_init (DbnCountyPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_county_page_dispose;
    object_class->finalize = dbn_county_page_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_install_action (widget_class, "county.answer", "b", action_answer);
}

GtkWidget *
dbn_county_page_new (const char *dept)
{
    g_return_val_if_fail (dept != NULL, NULL);
    DbnCountyPage *self = g_object_new (DBN_TYPE_COUNTY_PAGE, NULL);
    self->dept = g_strdup (dept);
    update_count (self);
    return GTK_WIDGET (self);
}

void
dbn_county_page_add_township (DbnCountyPage *self, const char *name, DbnConnection *connection,
                              DbnOutbox *outbox)
{
    g_return_if_fail (DBN_IS_COUNTY_PAGE (self) && name != NULL && connection != NULL && outbox != NULL);
    Township *t = g_new0 (Township, 1);
    t->page = self;
    t->name = g_strdup (name);
    t->connection = g_object_ref (connection);
    t->outbox = g_object_ref (outbox);
    t->model = dbn_queue_model_new (dbn_connection_get_catalog (connection));
    g_ptr_array_add (self->townships, t);
    g_list_store_append (self->models, t->model);
    t->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), t);
    g_autofree char *topic = g_strdup_printf ("c/%s/", self->dept);
    t->feed = dbn_queue_feed_new (connection, t->model, "county", self->dept, topic, &feed_hooks, t);
    update_count (self);
}

DbnQueueModel *
dbn_county_page_get_model (DbnCountyPage *self, const char *name)
{
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (g_strcmp0 (t->name, name) == 0)
            return t->model;
    }
    return NULL;
}

GListModel *
dbn_county_page_get_visible (DbnCountyPage *self)
{
    return G_LIST_MODEL (self->selection);
}

gboolean
dbn_county_page_select (DbnCountyPage *self, const char *name, const char *case_no)
{
    GListModel *shown = G_LIST_MODEL (self->selection);
    for (guint i = 0; i < g_list_model_get_n_items (shown); i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (shown, i);
        Township *t = township_of (self, item);
        if (t != NULL && g_strcmp0 (t->name, name) == 0
            && g_strcmp0 (dbn_queue_item_get_case_no (item), case_no) == 0) {
            gtk_single_selection_set_selected (self->selection, i);
            return TRUE;
        }
    }
    return FALSE;
}

GtkEditable *
dbn_county_page_get_answer_entry (DbnCountyPage *self)
{
    return GTK_EDITABLE (self->answer_entry);
}

const char *
dbn_county_page_get_status (DbnCountyPage *self)
{
    return gtk_label_get_text (self->status_label);
}
