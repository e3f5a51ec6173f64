/* dbn_callback_page.c: the month's return-visit list and its form.
 *
 * The list is evaluation's (which cases were drawn, from which seed, and
 * what each call found); the names and phones are intake's, asked case by
 * case as the list arrives, so evaluation never holds a phone number. The
 * seed is shown with its source so the supervisor, or anyone, can check the
 * draw (docs/evaluation.md). A recording goes through the outbox like every
 * other change a person makes, so a call noted while offline is sent once
 * when the link is back; the list is asked again when it is answered. */
#include "dbn_callback_page.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_eval_board.h"
#include "dbn_month_bar.h"

#define LIST_TIMEOUT_MS 5000

typedef struct {
    char *case_no;
    char *matter;
    char *station;
    char *state;   /* pending, reached, unreached */
    char *levels;  /* "态度 满意 质量 … 效率 …", or "" */
    char *contact; /* "name phone" from intake, or NULL before it answers */
    char *line;
} Item;

static void
item_free (Item *item)
{
    g_free (item->case_no);
    g_free (item->matter);
    g_free (item->station);
    g_free (item->state);
    g_free (item->levels);
    g_free (item->contact);
    g_free (item->line);
    g_free (item);
}

struct _DbnCallbackPage {
    GtkWidget parent_instance;
    DbnConnection *connection;
    DbnOutbox *outbox;
    gulong replied_id;
    GHashTable *sent; /* outbox ids (gint64*) of our recordings */
    char *month;
    guint generation;
    guint n_answers, n_contacts, n_recorded;
    GPtrArray *items; /* Item* */
    int selected;     /* index into items, -1 none */
    GtkLabel *month_label;
    GtkLabel *status;
    GtkLabel *seed;
    GtkListBox *list;
    GtkLabel *chosen;
    GtkCheckButton *reached;
    GtkDropDown *levels[3]; /* attitude, quality, speed */
    GtkEntry *note;
    GtkEntry *followup;    /* D-EV-7: what was done about a bad call or rating */
    GHashTable *followups; /* outbox ids (gint64*) of our follow-up records */
};

G_DEFINE_TYPE (DbnCallbackPage, dbn_callback_page, GTK_TYPE_WIDGET)

static const char *const level_words[] = { "satisfied", "basic", "unsatisfied" };

static const char *
level_name (const char *word)
{
    if (g_strcmp0 (word, "satisfied") == 0)
        return _ ("满意");
    if (g_strcmp0 (word, "basic") == 0)
        return _ ("基本满意");
    if (g_strcmp0 (word, "unsatisfied") == 0)
        return _ ("不满意");
    return "—";
}

static const char *
state_name (const char *state)
{
    if (g_strcmp0 (state, "reached") == 0)
        return _ ("已回访");
    if (g_strcmp0 (state, "unreached") == 0)
        return _ ("未接通");
    return _ ("待回访");
}

static void
item_update_line (DbnCallbackPage *self, Item *item)
{
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    DbnOrg *org = dbn_connection_get_org (self->connection);
    const DbnMatter *m = catalog && item->matter ? dbn_catalog_lookup (catalog, item->matter) : NULL;
    const DbnStation *st = org && item->station ? dbn_org_lookup_station (org, item->station) : NULL;
    g_free (item->line);
    item->line =
        g_strdup_printf ("%s  %s  %s  %s  %s%s%s", item->case_no, m ? m->name_zh : item->matter,
                         st ? st->name_zh : (item->station && *item->station ? item->station : _ ("窗口")),
                         item->contact ? item->contact : "…", state_name (item->state),
                         *item->levels ? "  " : "", item->levels);
}

static void
set_status (DbnCallbackPage *self, const char *text)
{
    gtk_label_set_text (self->status, text);
}

static void
fill_list (DbnCallbackPage *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
    for (guint i = 0; i < self->items->len; i++) {
        Item *item = self->items->pdata[i];
        GtkWidget *label = gtk_label_new (item->line);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_selectable (GTK_LABEL (label), FALSE);
        gtk_list_box_append (self->list, label);
    }
}

static void
update_row (DbnCallbackPage *self, guint index)
{
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int) index);
    Item *item = self->items->pdata[index];
    if (row != NULL)
        gtk_label_set_text (GTK_LABEL (gtk_list_box_row_get_child (row)), item->line);
}

typedef struct {
    DbnCallbackPage *self; /* owned ref */
    guint generation;
    guint index;
} Pending;

static void
on_contact (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Pending *p = user_data;
    g_autoptr (DbnCallbackPage) self = p->self;
    guint generation = p->generation, index = p->index;
    g_free (p);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->connection == NULL || generation != self->generation || index >= self->items->len)
        return;
    self->n_contacts++;
    Item *item = self->items->pdata[index];
    g_autoptr (DbnMsgIntakeCaseContactReply) r =
        reply ? dbn_msg_intake_case_contact_reply_decode (g_bytes_get_data (reply, NULL),
                                                          g_bytes_get_size (reply), &error)
              : NULL;
    g_free (item->contact);
    /* A walk-in has no station, so intake gives no area's supervisor its phone. */
    item->contact = r != NULL ? g_strdup_printf ("%s %s", r->applicant, r->phone) : dbn_error_line (error);
    item_update_line (self, item);
    update_row (self, index);
}

static void
ask_contacts (DbnCallbackPage *self)
{
    for (guint i = 0; i < self->items->len; i++) {
        Item *item = self->items->pdata[i];
        g_autoptr (DbnMsgIntakeCaseContact) m = dbn_msg_intake_case_contact_new ();
        m->env.key = dbn_command_new_key ();
        m->case_no = g_strdup (item->case_no);
        g_autoptr (GBytes) body = dbn_msg_intake_case_contact_encode (m, NULL);
        Pending *p = g_new0 (Pending, 1);
        p->self = g_object_ref (self);
        p->generation = self->generation;
        p->index = i;
        dbn_connection_call_async (self->connection, "intake", body, LIST_TIMEOUT_MS, on_contact, p);
    }
}

static void
on_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Pending *p = user_data;
    g_autoptr (DbnCallbackPage) self = p->self;
    guint generation = p->generation;
    g_free (p);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->connection == NULL || generation != self->generation)
        return;
    self->n_answers++;
    g_autoptr (DbnMsgEvalCallbackListReply) r =
        reply ? dbn_msg_eval_callback_list_reply_decode (g_bytes_get_data (reply, NULL),
                                                         g_bytes_get_size (reply), &error)
              : NULL;
    g_ptr_array_set_size (self->items, 0);
    self->selected = -1;
    gtk_label_set_text (self->chosen, _ ("请在列表中选择案件"));
    if (r == NULL) {
        fill_list (self);
        gtk_label_set_text (self->seed, "");
        /* Not drawn yet is the normal state of a month not ended: say when. */
        g_autofree char *line = g_strcmp0 (dbn_error_wire_code (error), "eval.not-sampled") == 0
                                    ? g_strdup (_ ("本月回访名单尚未抽取：次月第一个工作日自动抽取"))
                                    : dbn_error_line (error);
        set_status (self, line);
        return;
    }
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *b = r->items->pdata[i];
        g_autoptr (DbnMsgEvalCallbackItem) m =
            dbn_msg_eval_callback_item_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (m == NULL)
            continue;
        Item *item = g_new0 (Item, 1);
        item->case_no = g_strdup (m->case_no);
        item->matter = g_strdup (m->matter);
        item->station = g_strdup (m->station);
        item->state = g_strdup (m->state);
        item->levels = g_strcmp0 (m->state, "reached") == 0
                           ? g_strdup_printf (_ ("态度 %s 质量 %s 效率 %s"), level_name (m->attitude),
                                              level_name (m->quality), level_name (m->speed))
                           : g_strdup ("");
        item_update_line (self, item);
        g_ptr_array_add (self->items, item);
    }
    fill_list (self);
    g_autofree char *seed = g_strdup_printf (
        _ ("抽样种子（%s）：%s"),
        g_strcmp0 (r->seed_source, "audit-head") == 0 ? _ ("审计签名头") : _ ("备用种子"), r->seed);
    gtk_label_set_text (self->seed, seed);
    g_autofree char *text = g_strdup_printf (_ ("%s 回访名单 %u 件"), r->month, self->items->len);
    set_status (self, text);
    ask_contacts (self);
}

static void
refresh (DbnCallbackPage *self)
{
    gtk_label_set_text (self->month_label, self->month);
    g_autoptr (DbnMsgEvalCallbackList) m = dbn_msg_eval_callback_list_new ();
    m->env.key = dbn_command_new_key ();
    m->month = g_strdup (self->month);
    g_autoptr (GBytes) body = dbn_msg_eval_callback_list_encode (m, NULL);
    Pending *p = g_new0 (Pending, 1);
    p->self = g_object_ref (self);
    p->generation = ++self->generation;
    dbn_connection_call_async (self->connection, "evaluation", body, LIST_TIMEOUT_MS, on_list, p);
}

void
dbn_callback_page_set_month (DbnCallbackPage *self, const char *month)
{
    g_free (self->month);
    self->month = g_strdup (month);
    refresh (self);
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    refresh (DBN_CALLBACK_PAGE (widget));
}

static void
on_row_selected (GtkListBox *list, GtkListBoxRow *row, gpointer user_data)
{
    DbnCallbackPage *self = user_data;
    self->selected = row != NULL ? gtk_list_box_row_get_index (row) : -1;
    if (self->selected < 0 || (guint) self->selected >= self->items->len) {
        gtk_label_set_text (self->chosen, _ ("请在列表中选择案件"));
        return;
    }
    Item *item = self->items->pdata[self->selected];
    gtk_label_set_text (self->chosen, item->line);
}

static void
on_reached_toggled (DbnCallbackPage *self)
{
    gboolean reached = gtk_check_button_get_active (self->reached);
    for (guint i = 0; i < 3; i++)
        gtk_widget_set_sensitive (GTK_WIDGET (self->levels[i]), reached);
}

static void
action_record (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCallbackPage *self = DBN_CALLBACK_PAGE (widget);
    if (self->selected < 0 || (guint) self->selected >= self->items->len) {
        set_status (self, _ ("请先在列表中选择案件"));
        return;
    }
    Item *item = self->items->pdata[self->selected];
    g_autoptr (DbnMsgEvalCallbackRecord) m = dbn_msg_eval_callback_record_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (item->case_no);
    m->reached = gtk_check_button_get_active (self->reached);
    if (m->reached) {
        char **fields[] = { &m->attitude, &m->quality, &m->speed };
        for (guint i = 0; i < 3; i++) {
            guint chosen = gtk_drop_down_get_selected (self->levels[i]);
            *fields[i] = g_strdup (level_words[chosen < 3 ? chosen : 0]);
        }
    }
    const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note));
    if (note != NULL && *note != '\0')
        m->note = g_strdup (note);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_callback_record_encode (m, &error);
    g_autofree char *label = g_strdup_printf ("eval.callback.record %s", item->case_no);
    gint64 id = body ? dbn_outbox_enqueue (self->outbox, "evaluation", DBN_MSG_EVAL_CALLBACK_RECORD_WIRE, key,
                                           body, label, &error)
                     : 0;
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    g_autofree char *text = g_strdup_printf (_ ("%s：回访记录已存入待发箱"), item->case_no);
    set_status (self, text);
}

/* D-EV-7: the follow-up of the selected case's bad rating or call is
 * recorded (evaluation closes it and deadline stops its clock). */
static void
action_followup (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCallbackPage *self = DBN_CALLBACK_PAGE (widget);
    const char *text = gtk_editable_get_text (GTK_EDITABLE (self->followup));
    if (self->selected < 0 || (guint) self->selected >= self->items->len || text == NULL || *text == '\0') {
        set_status (self, _ ("请先选择案件并写明跟进结果"));
        return;
    }
    Item *item = self->items->pdata[self->selected];
    g_autoptr (DbnMsgEvalFollowupRecord) m = dbn_msg_eval_followup_record_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (item->case_no);
    m->text = g_strdup (text);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_followup_record_encode (m, &error);
    g_autofree char *label = g_strdup_printf ("eval.followup.record %s", item->case_no);
    gint64 id = body ? dbn_outbox_enqueue (self->outbox, "evaluation", DBN_MSG_EVAL_FOLLOWUP_RECORD_WIRE, key,
                                           body, label, &error)
                     : 0;
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    g_hash_table_add (self->followups, g_memdup2 (&id, sizeof id));
    g_autofree char *queued = g_strdup_printf (_ ("%s：跟进结果已存入待发箱"), item->case_no);
    set_status (self, queued);
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnCallbackPage *self = user_data;
    if (g_hash_table_remove (self->followups, &id)) {
        self->n_recorded++;
        g_autofree char *line = error != NULL ? dbn_error_line (error) : g_strdup (_ ("已记录跟进结果"));
        if (error == NULL)
            gtk_editable_set_text (GTK_EDITABLE (self->followup), "");
        set_status (self, line);
        return;
    }
    if (!g_hash_table_remove (self->sent, &id))
        return;
    self->n_recorded++;
    if (error != NULL) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    gtk_editable_set_text (GTK_EDITABLE (self->note), ""); /* the next call starts blank */
    refresh (self);                                        /* the list shows the call */
}

static void
dbn_callback_page_dispose (GObject *object)
{
    DbnCallbackPage *self = DBN_CALLBACK_PAGE (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->outbox);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_callback_page_parent_class)->dispose (object);
}

static void
dbn_callback_page_finalize (GObject *object)
{
    DbnCallbackPage *self = DBN_CALLBACK_PAGE (object);
    g_ptr_array_unref (self->items);
    g_hash_table_unref (self->sent);
    g_hash_table_unref (self->followups);
    g_free (self->month);
    G_OBJECT_CLASS (dbn_callback_page_parent_class)->finalize (object);
}

static void
dbn_callback_page_class_init (DbnCallbackPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    G_OBJECT_CLASS (klass)->dispose = dbn_callback_page_dispose;
    G_OBJECT_CLASS (klass)->finalize = dbn_callback_page_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    dbn_month_bar_install_actions (widget_class, "callbacks", G_STRUCT_OFFSET (DbnCallbackPage, month),
                                   DBN_MONTH_SHOW_FUNC (dbn_callback_page_set_month));
    gtk_widget_class_install_action (widget_class, "callbacks.refresh", NULL, action_refresh);
    gtk_widget_class_install_action (widget_class, "callbacks.record", NULL, action_record);
    gtk_widget_class_install_action (widget_class, "callbacks.followup", NULL, action_followup);
}

static void
dbn_callback_page_init (DbnCallbackPage *self)
{
    self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->followups = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->selected = -1;
    GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (root, 8);
    gtk_widget_set_margin_end (root, 8);
    gtk_widget_set_margin_top (root, 6);
    gtk_widget_set_margin_bottom (root, 6);
    gtk_widget_set_parent (root, GTK_WIDGET (self));

    GtkWidget *bar = dbn_month_bar_new ("callbacks", &self->month_label);
    gtk_box_append (GTK_BOX (bar), dbn_action_button (_ ("刷新"), "callbacks.refresh"));
    self->status = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->status, 0);
    gtk_label_set_ellipsize (self->status, PANGO_ELLIPSIZE_END);
    gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
    gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->status));
    gtk_box_append (GTK_BOX (root), bar);

    self->seed = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->seed, 0);
    gtk_label_set_selectable (self->seed, TRUE);
    gtk_label_set_wrap (self->seed, TRUE);
    gtk_label_set_wrap_mode (self->seed, PANGO_WRAP_CHAR);
    gtk_widget_add_css_class (GTK_WIDGET (self->seed), "dim-label");
    gtk_box_append (GTK_BOX (root), GTK_WIDGET (self->seed));

    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_widget_set_vexpand (scroll, TRUE);
    self->list = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_SINGLE);
    g_signal_connect (self->list, "row-selected", G_CALLBACK (on_row_selected), self);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->list));
    gtk_box_append (GTK_BOX (root), scroll);

    /* The form: the chosen case, reached or not, the three levels, a note. */
    GtkWidget *form = gtk_grid_new ();
    gtk_grid_set_column_spacing (GTK_GRID (form), 8);
    gtk_grid_set_row_spacing (GTK_GRID (form), 6);
    self->chosen = GTK_LABEL (gtk_label_new (_ ("请在列表中选择案件")));
    gtk_label_set_xalign (self->chosen, 0);
    gtk_widget_add_css_class (GTK_WIDGET (self->chosen), "heading");
    gtk_grid_attach (GTK_GRID (form), GTK_WIDGET (self->chosen), 0, 0, 8, 1);
    self->reached = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_ ("已接通")));
    gtk_check_button_set_active (self->reached, TRUE);
    g_signal_connect_swapped (self->reached, "toggled", G_CALLBACK (on_reached_toggled), self);
    gtk_grid_attach (GTK_GRID (form), GTK_WIDGET (self->reached), 0, 1, 1, 1);
    const char *titles[] = { N_ ("态度"), N_ ("质量"), N_ ("效率") };
    const char *names[] = { _ ("满意"), _ ("基本满意"), _ ("不满意"), NULL };
    for (guint i = 0; i < 3; i++) {
        gtk_grid_attach (GTK_GRID (form), gtk_label_new (_ (titles[i])), 1 + (int) i * 2, 1, 1, 1);
        self->levels[i] = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (names));
        gtk_grid_attach (GTK_GRID (form), GTK_WIDGET (self->levels[i]), 2 + (int) i * 2, 1, 1, 1);
    }
    self->note = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->note, _ ("申办人的意见（只存于考核服务）"));
    gtk_widget_set_hexpand (GTK_WIDGET (self->note), TRUE);
    gtk_grid_attach (GTK_GRID (form), GTK_WIDGET (self->note), 0, 2, 7, 1);
    GtkWidget *record = dbn_action_button (_ ("记录回访"), "callbacks.record");
    gtk_widget_add_css_class (record, "suggested-action");
    gtk_grid_attach (GTK_GRID (form), record, 7, 2, 1, 1);
    self->followup = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->followup, _ ("不满意的跟进结果：做了什么、申办人怎么说（D-EV-7）"));
    gtk_grid_attach (GTK_GRID (form), GTK_WIDGET (self->followup), 0, 3, 7, 1);
    gtk_grid_attach (GTK_GRID (form), dbn_action_button (_ ("记录跟进"), "callbacks.followup"), 7, 3, 1, 1);
    gtk_box_append (GTK_BOX (root), form);
}

GtkWidget *
dbn_callback_page_new (DbnConnection *connection, DbnOutbox *outbox)
{
    DbnCallbackPage *self = g_object_new (DBN_TYPE_CALLBACK_PAGE, NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
    g_autofree char *now = dbn_month_today (connection);
    self->month = dbn_eval_month_shift (now, -1);
    if (self->month == NULL)
        self->month = g_steal_pointer (&now);
    refresh (self);
    return GTK_WIDGET (self);
}

guint
dbn_callback_page_get_n_answers (DbnCallbackPage *self)
{
    return self->n_answers;
}

guint
dbn_callback_page_get_n_contacts (DbnCallbackPage *self)
{
    return self->n_contacts;
}

guint
dbn_callback_page_get_n_recorded (DbnCallbackPage *self)
{
    return self->n_recorded;
}

guint
dbn_callback_page_get_n_items (DbnCallbackPage *self)
{
    return self->items->len;
}

const char *
dbn_callback_page_get_line (DbnCallbackPage *self, guint index)
{
    return index < self->items->len ? ((Item *) self->items->pdata[index])->line : NULL;
}

const char *
dbn_callback_page_get_status (DbnCallbackPage *self)
{
    return gtk_label_get_text (self->status);
}

void
dbn_callback_page_select (DbnCallbackPage *self, guint index)
{
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int) index);
    gtk_list_box_select_row (self->list, row);
}

void
dbn_callback_page_fill (DbnCallbackPage *self, gboolean reached, guint attitude, guint quality, guint speed,
                        const char *note)
{
    gtk_check_button_set_active (self->reached, reached);
    gtk_drop_down_set_selected (self->levels[0], attitude);
    gtk_drop_down_set_selected (self->levels[1], quality);
    gtk_drop_down_set_selected (self->levels[2], speed);
    gtk_editable_set_text (GTK_EDITABLE (self->note), note ? note : "");
}

void
dbn_callback_page_set_followup (DbnCallbackPage *self, const char *text)
{
    gtk_editable_set_text (GTK_EDITABLE (self->followup), text ? text : "");
}
