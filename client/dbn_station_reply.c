/* dbn_station_reply.c: the station's reply page.
 *
 * The case is the one selected on the cases page (the selection is
 * shared). The reply (with "confirmed") goes to routing and the three-level
 * rating (D-EV-1) to evaluation, both through the outbox, so each arrives
 * exactly once; the rating's key is the reply's with "/rating". The
 * signature and a copy of the rating stay with the case on this PC too
 * (client_dir/cases/<case>/). The archiving goes through the outbox.
 */
#include "dbn_station_reply-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dbn_commands.h"
#include "dbn_signature_pad.h"
#include "dbn_station_pages.h"

struct _DbnStationReply {
    GtkWidget parent_instance;
    DbnConnection *connection;     /* owned ref */
    DbnOutbox *outbox;             /* owned ref */
    DbnQueueModel *model;          /* owned ref: the station's queue */
    GtkSingleSelection *selection; /* owned ref: the cases page's selected case */
    char *client_dir;              /* local files: signatures */
    GHashTable *sent;              /* outbox id (gint64*) → TRUE: our commands */
    GtkWidget *pad;                /* DbnSignaturePad */
    gulong replied_id;             /* the outbox's */
    gulong selected_id;            /* the selection's */
    /* template children */
    GtkLabel *reply_case_label;
    GtkEntry *reply_result_entry;
    GtkEntry *reply_reason_entry;
    GtkEntry *reply_fee_entry; /* D-AUD-3: the fee charged, yuan */
    GtkDropDown *rating_drop;
    GtkFrame *pad_frame;
    GtkLabel *reply_status;
};

G_DEFINE_TYPE (DbnStationReply, dbn_station_reply, GTK_TYPE_WIDGET)

#define text_of dbn_station_entry_text

static void
on_case_selected (GtkSingleSelection *selection, GParamSpec *pspec, gpointer user_data)
{
    DbnStationReply *self = user_data;
    DbnQueueItem *item = gtk_single_selection_get_selected_item (selection);
    if (item == NULL || dbn_queue_item_get_pending (item))
        return;
    g_autofree char *text = g_strdup_printf (_ ("答复：%s  %s（%s）"), dbn_queue_item_get_case_no (item),
                                             dbn_queue_item_get_matter_name (item),
                                             dbn_state_display (dbn_queue_item_get_state (item)));
    gtk_label_set_text (self->reply_case_label, text);
}

static const char *
selected_case (DbnStationReply *self)
{
    DbnQueueItem *item = gtk_single_selection_get_selected_item (self->selection);
    return item != NULL && !dbn_queue_item_get_pending (item) ? dbn_queue_item_get_case_no (item) : NULL;
}

static void
action_send (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationReply *self = DBN_STATION_REPLY (widget);
    const char *case_no = selected_case (self);
    if (case_no == NULL) {
        gtk_label_set_text (self->reply_status, _ ("请先在“本站案件”中选择案件"));
        return;
    }
    DbnQueueItem *item = dbn_queue_model_lookup (self->model, case_no);
    gboolean done = item != NULL && g_strcmp0 (dbn_queue_item_get_state (item), "completed") == 0;
    const char *result = text_of (self->reply_result_entry);
    const char *reason = text_of (self->reply_reason_entry);
    /* D-RPL-1/2: a completed case is told its result, any other the reason. */
    if ((done && result == NULL) || (!done && reason == NULL)) {
        gtk_label_set_text (self->reply_status, done ? _ ("请填写办理结果") : _ ("未办结的案件须告知理由"));
        return;
    }
    /* D-AUD-3: the fee actually charged, compared with the catalog's by the
     * audit service; empty: not stated. */
    const char *fee = text_of (self->reply_fee_entry);
    gint64 fee_fen = 0;
    if (fee != NULL && !dbn_text_parse_yuan (fee, &fee_fen)) {
        gtk_label_set_text (self->reply_status, _ ("实收费用请以元填写，如 0、20 或 12.50"));
        return;
    }
    guint rating = gtk_drop_down_get_selected (self->rating_drop);
    static const char *const ratings[] = { "satisfied", "basic", "unsatisfied" };
    gboolean signed_card = !dbn_signature_pad_is_empty (DBN_SIGNATURE_PAD (self->pad));
    /* The signature stays with the case on this PC (issue 13 item 3 takes
     * it to the service); the rating goes to evaluation below. */
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (self->client_dir, "cases", case_no, NULL);
    g_mkdir_with_parents (dir, 0700);
    if (signed_card) {
        g_autofree char *png = g_build_filename (dir, "signature.png", NULL);
        if (!dbn_signature_pad_save_png (DBN_SIGNATURE_PAD (self->pad), png, &error)) {
            gtk_label_set_text (self->reply_status, error->message);
            return;
        }
    }
    g_autoptr (GKeyFile) record = g_key_file_new ();
    g_key_file_set_string (record, "reply", "case", case_no);
    g_key_file_set_string (record, "reply", "rating", ratings[MIN (rating, 2)]);
    g_key_file_set_boolean (record, "reply", "signed", signed_card);
    g_key_file_set_string (record, "reply", "text", done ? result : reason);
    g_autofree char *ini = g_build_filename (dir, "reply.ini", NULL);
    g_key_file_save_to_file (record, ini, NULL);

    g_autoptr (DbnMsgCaseReply) m = dbn_msg_case_reply_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (done ? result : NULL);
    m->reason = g_strdup (done ? NULL : reason);
    m->has_confirmed = TRUE;
    m->confirmed = signed_card;
    m->has_fee_charged = fee != NULL;
    m->fee_charged = fee_fen;
    g_autofree char *label = g_strdup_printf ("case.reply %s", case_no);
    gint64 id = dbn_station_enqueue (self->outbox, "routing", "case.reply", key,
                                     dbn_msg_case_reply_encode (m, NULL), label, self->reply_status);
    if (id == 0)
        return;
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));

    /* D-EV-1: the rating, to evaluation, through the outbox as well. */
    g_autoptr (DbnMsgEvalRate) r = dbn_msg_eval_rate_new ();
    g_autofree char *rating_key = g_strdup_printf ("%s/rating", key);
    r->env.key = g_strdup (rating_key);
    r->case_no = g_strdup (case_no);
    r->stage = g_strdup ("reply");
    r->level = g_strdup (ratings[MIN (rating, 2)]);
    g_autofree char *rating_label = g_strdup_printf ("eval.rate %s", case_no);
    gint64 rid = dbn_station_enqueue (self->outbox, "evaluation", "eval.rate", rating_key,
                                      dbn_msg_eval_rate_encode (r, NULL), rating_label, self->reply_status);
    if (rid != 0) {
        g_hash_table_add (self->sent, g_memdup2 (&rid, sizeof rid));
        gtk_label_set_text (self->reply_status, _ ("答复与评价已存入待发箱（未发送）"));
    }
}

/* D-RPL-4: a replied case is archived (建档) and read-only from then on; it
 * leaves every queue when routing's case.archived arrives. */
static void
action_archive (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationReply *self = DBN_STATION_REPLY (widget);
    const char *case_no = selected_case (self);
    if (case_no == NULL) {
        gtk_label_set_text (self->reply_status, _ ("请先在“本站案件”中选择案件"));
        return;
    }
    g_autoptr (DbnMsgCaseArchive) m = dbn_msg_case_archive_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    g_autofree char *label = g_strdup_printf ("case.archive %s", case_no);
    gint64 id = dbn_station_enqueue (self->outbox, "routing", "case.archive", key,
                                     dbn_msg_case_archive_encode (m, NULL), label, self->reply_status);
    if (id != 0)
        g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
}

static void
action_clear_signature (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_signature_pad_clear (DBN_SIGNATURE_PAD (DBN_STATION_REPLY (widget)->pad));
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnStationReply *self = user_data;
    if (!g_hash_table_remove (self->sent, &id))
        return;
    g_autofree char *text = error != NULL ? dbn_error_line (error) : g_strdup_printf (_ ("%s：完成"), cmd);
    gtk_label_set_text (self->reply_status, text);
}

static void
dbn_station_reply_dispose (GObject *object)
{
    DbnStationReply *self = DBN_STATION_REPLY (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    if (self->selection != NULL)
        g_clear_signal_handler (&self->selected_id, self->selection);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_REPLY);
    g_clear_object (&self->selection);
    g_clear_object (&self->model);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_station_reply_parent_class)->dispose (object);
}

static void
dbn_station_reply_finalize (GObject *object)
{
    DbnStationReply *self = DBN_STATION_REPLY (object);
    g_free (self->client_dir);
    g_hash_table_unref (self->sent);
    G_OBJECT_CLASS (dbn_station_reply_parent_class)->finalize (object);
}

static void
dbn_station_reply_class_init (DbnStationReplyClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_reply_dispose;
    object_class->finalize = dbn_station_reply_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_reply.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationReply, name)
    CHILD (reply_case_label);
    CHILD (reply_result_entry);
    CHILD (reply_reason_entry);
    CHILD (reply_fee_entry);
    CHILD (rating_drop);
    CHILD (pad_frame);
    CHILD (reply_status);
#undef CHILD
    gtk_widget_class_install_action (widget_class, "reply.send", NULL, action_send);
    gtk_widget_class_install_action (widget_class, "reply.archive", NULL, action_archive);
    gtk_widget_class_install_action (widget_class, "reply.clear-signature", NULL, action_clear_signature);
}

static void
dbn_station_reply_init (DbnStationReply *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->pad = dbn_signature_pad_new ();
    gtk_frame_set_child (self->pad_frame, self->pad);
    g_autoptr (GtkStringList) ratings =
        gtk_string_list_new ((const char *[]){ _ ("满意"), _ ("基本满意"), _ ("不满意"), NULL });
    gtk_drop_down_set_model (self->rating_drop, G_LIST_MODEL (ratings));
}

void
dbn_station_reply_set_up (DbnStationReply *self, DbnConnection *connection, DbnOutbox *outbox,
                          DbnQueueModel *model, GtkSingleSelection *selection, const char *client_dir)
{
    g_return_if_fail (DBN_IS_STATION_REPLY (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->model = g_object_ref (model);
    self->selection = g_object_ref (selection);
    self->client_dir = g_strdup (client_dir);
    self->selected_id =
        g_signal_connect (selection, "notify::selected-item", G_CALLBACK (on_case_selected), self);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
}

/* ---- what the tests reach (dbn_station_reply-private.h) ---- */

GtkWidget *
dbn_station_reply_get_signature_pad (DbnStationReply *self)
{
    return self->pad;
}
const char *
dbn_station_reply_get_status (DbnStationReply *self)
{
    return gtk_label_get_text (self->reply_status);
}

GtkEditable *
dbn_station_reply_get_entry (DbnStationReply *self, const char *name)
{
    if (g_strcmp0 (name, "reply-result") == 0)
        return GTK_EDITABLE (self->reply_result_entry);
    if (g_strcmp0 (name, "reply-reason") == 0)
        return GTK_EDITABLE (self->reply_reason_entry);
    if (g_strcmp0 (name, "reply-fee") == 0)
        return GTK_EDITABLE (self->reply_fee_entry);
    return NULL;
}
