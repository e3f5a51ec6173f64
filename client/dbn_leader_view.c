/* dbn_leader_view.c: the duty leader's page (dbn_leader_view.h, D-AUD-6).
 *
 * Built in code, not a .ui: a heading, a status line and one row per
 * window, rebuilt from each audit.summary.list answer (at most one per
 * window of org.ini, so rebuilding costs nothing worth keeping rows for).
 * The signature is made here, with the leader's .sign file, over the bytes
 * the service will rebuild from its own entry (dbn_day_summary.h); only the
 * signature travels. */
#include "dbn_leader_view.h"

#include <daiban/dbn_day_summary.h>
#include <daiban/dbn_sign_key.h>
#include <glib/gi18n.h>
#include <sodium.h>

#include "dbn_print.h"

#define CALL_MS 5000

struct _DbnLeaderView {
    GtkBox parent_instance;
    DbnConnection *connection; /* owned ref */
    char *leader;              /* leader:<id> */
    char *dir;                 /* where PDFs go */
    char *day;                 /* the day shown */
    char *status;              /* the last refusal, "" when none */
    GPtrArray *drafts;         /* DbnMsgAuditSummary*, owned */
    GHashTable *signatures;    /* window → DbnMsgAuditSummarySigned*, owned */
    GtkLabel *heading;
    GtkLabel *status_label;
    GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (DbnLeaderView, dbn_leader_view, GTK_TYPE_BOX)

static DbnMsgAuditSummary *
draft_of (DbnLeaderView *self, const char *window)
{
    for (guint i = 0; i < self->drafts->len; i++) {
        DbnMsgAuditSummary *m = self->drafts->pdata[i];
        if (g_strcmp0 (m->window, window) == 0)
            return m;
    }
    return NULL;
}

static void
set_status (DbnLeaderView *self, const char *text)
{
    g_free (self->status);
    self->status = g_strdup (text ? text : "");
    gtk_label_set_text (self->status_label, self->status);
}

static void
on_sign_clicked (GtkButton *button, gpointer user_data)
{
    DbnLeaderView *self = user_data;
    dbn_leader_view_sign (self, g_object_get_data (G_OBJECT (button), "window"));
}

static void
on_pdf_clicked (GtkButton *button, gpointer user_data)
{
    DbnLeaderView *self = user_data;
    const char *window = g_object_get_data (G_OBJECT (button), "window");
    g_autofree char *file = g_strdup_printf ("summary-%s-%s.pdf", window, self->day);
    g_autofree char *path = g_build_filename (self->dir, file, NULL);
    g_autoptr (GError) error = NULL;
    g_mkdir_with_parents (self->dir, 0700);
    if (!dbn_leader_view_export_pdf (self, window, path, &error))
        set_status (self, error->message);
    else {
        g_autofree char *done = g_strdup_printf (_ ("已导出 %s"), path);
        set_status (self, done);
    }
}

static DbnPrintForm *form_for (DbnLeaderView *self, const char *window);

static void
on_print_clicked (GtkButton *button, gpointer user_data)
{
    DbnLeaderView *self = user_data;
    g_autoptr (DbnPrintForm) form = form_for (self, g_object_get_data (G_OBJECT (button), "window"));
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    if (form != NULL)
        dbn_print_form_print (form, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

static GtkWidget *
row_for (DbnLeaderView *self, DbnMsgAuditSummary *m)
{
    DbnMsgAuditSummarySigned *s = g_hash_table_lookup (self->signatures, m->window);
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_set_margin_top (box, 6);
    gtk_widget_set_margin_bottom (box, 6);
    gtk_widget_set_margin_start (box, 12);
    gtk_widget_set_margin_end (box, 12);
    g_autofree char *who = NULL;
    if (s != NULL) {
        g_autoptr (GDateTime) t = dbn_clock_local_from_ms (s->env.ts);
        g_autofree char *when = g_date_time_format (t, "%m-%d %H:%M");
        who = g_strdup_printf (_ ("已签字 %s %s"), s->leader, when);
    } else {
        who = g_strdup (_ ("未签字"));
    }
    /* Counts as int: a gettext msgid cannot hold G_GINT64_FORMAT. */
    g_autofree char *text = g_strdup_printf (
        _ ("窗口 %s　受理 %d　办结 %d　超期 %d　违规 %d　评价 满意 %d / 基本满意 %d / 不满意 %d　%s"),
        m->window, (int) m->accepted, (int) m->completed, (int) m->overdue, (int) m->violations,
        (int) m->rated_satisfied, (int) m->rated_basic, (int) m->rated_unsatisfied, who);
    GtkWidget *label = gtk_label_new (text);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_set_hexpand (label, TRUE);
    gtk_box_append (GTK_BOX (box), label);
    GtkWidget *sign = gtk_button_new_with_label (_ ("签字"));
    gtk_widget_set_sensitive (sign, s == NULL);
    g_object_set_data_full (G_OBJECT (sign), "window", g_strdup (m->window), g_free);
    g_signal_connect (sign, "clicked", G_CALLBACK (on_sign_clicked), self);
    gtk_box_append (GTK_BOX (box), sign);
    GtkWidget *pdf = gtk_button_new_with_label (_ ("导出 PDF"));
    g_object_set_data_full (G_OBJECT (pdf), "window", g_strdup (m->window), g_free);
    g_signal_connect (pdf, "clicked", G_CALLBACK (on_pdf_clicked), self);
    gtk_box_append (GTK_BOX (box), pdf);
    GtkWidget *print = gtk_button_new_with_label (_ ("打印"));
    g_object_set_data_full (G_OBJECT (print), "window", g_strdup (m->window), g_free);
    g_signal_connect (print, "clicked", G_CALLBACK (on_print_clicked), self);
    gtk_box_append (GTK_BOX (box), print);
    return box;
}

static void
rebuild (DbnLeaderView *self)
{
    /* GTK 4.8 has no gtk_list_box_remove_all (4.12). */
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
    for (guint i = 0; i < self->drafts->len; i++)
        gtk_list_box_append (self->list, row_for (self, self->drafts->pdata[i]));
    g_autofree char *heading =
        *self->day != '\0'
            ? g_strdup_printf (_ ("%s 各窗口当日汇总（值班领导 %s 签字）"), self->day, self->leader)
            : g_strdup (_ ("尚无当日汇总"));
    gtk_label_set_text (self->heading, heading);
}

static void
on_list_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnLeaderView) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgAuditSummaryListReply) r =
        reply != NULL ? dbn_msg_audit_summary_list_reply_decode (g_bytes_get_data (reply, NULL),
                                                                 g_bytes_get_size (reply), &error)
                      : NULL;
    if (r == NULL) {
        set_status (self, error->message);
        return;
    }
    g_free (self->day);
    self->day = g_strdup (r->day);
    g_ptr_array_set_size (self->drafts, 0);
    g_hash_table_remove_all (self->signatures);
    for (guint i = 0; i < r->summaries->len; i++) {
        GBytes *b = r->summaries->pdata[i];
        DbnMsgAuditSummary *m =
            dbn_msg_audit_summary_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (m != NULL)
            g_ptr_array_add (self->drafts, m);
    }
    for (guint i = 0; i < r->signatures->len; i++) {
        GBytes *b = r->signatures->pdata[i];
        DbnMsgAuditSummarySigned *s =
            dbn_msg_audit_summary_signed_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (s != NULL)
            g_hash_table_replace (self->signatures, g_strdup (s->window), s);
    }
    rebuild (self);
}

void
dbn_leader_view_refresh (DbnLeaderView *self)
{
    g_autoptr (DbnMsgAuditSummaryList) m = dbn_msg_audit_summary_list_new ();
    m->env.key = g_uuid_string_random ();
    g_autoptr (GBytes) body = dbn_msg_audit_summary_list_encode (m, NULL);
    dbn_connection_call_async (self->connection, "audit", body, CALL_MS, on_list_reply, g_object_ref (self));
}

static void
on_sign_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnLeaderView) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    set_status (self, reply == NULL ? error->message : "");
    dbn_leader_view_refresh (self);
}

gboolean
dbn_leader_view_sign (DbnLeaderView *self, const char *window)
{
    DbnMsgAuditSummary *draft = draft_of (self, window);
    if (draft == NULL || g_hash_table_contains (self->signatures, window))
        return FALSE;
    g_autofree char *path = dbn_sign_key_path_for_secret (dbn_connection_get_key_path (self->connection));
    guint8 sk[DBN_SIGN_SECRET_KEY_SIZE];
    g_autoptr (GError) error = NULL;
    if (!dbn_sign_key_load (path, sk, &error)) {
        set_status (self, error->message);
        return FALSE;
    }
    g_autoptr (GBytes) bytes = dbn_day_summary_signed_bytes (draft);
    g_autoptr (DbnMsgAuditSummarySign) m = dbn_msg_audit_summary_sign_new ();
    m->env.key = g_uuid_string_random ();
    m->window = g_strdup (draft->window);
    m->day = g_strdup (draft->day);
    m->signature = dbn_sign_key_sign_hex (sk, bytes);
    sodium_memzero (sk, sizeof sk);
    g_autoptr (GBytes) body = dbn_msg_audit_summary_sign_encode (m, NULL);
    dbn_connection_call_async (self->connection, "audit", body, CALL_MS, on_sign_reply, g_object_ref (self));
    return TRUE;
}

/* The paper of window's summary (当日汇总), NULL when none is shown. */
static DbnPrintForm *
form_for (DbnLeaderView *self, const char *window)
{
    DbnMsgAuditSummary *m = draft_of (self, window);
    if (m == NULL)
        return NULL;
    DbnMsgAuditSummarySigned *s = g_hash_table_lookup (self->signatures, window);
    g_autofree char *number = g_strdup_printf ("%s %s", m->window, m->day);
    g_autoptr (DbnPrintForm) form = dbn_print_form_new (DBN_FORM_DAY_SUMMARY, number);
    g_autofree char *accepted = g_strdup_printf ("%" G_GINT64_FORMAT, m->accepted);
    g_autofree char *completed = g_strdup_printf ("%" G_GINT64_FORMAT, m->completed);
    g_autofree char *overdue = g_strdup_printf ("%" G_GINT64_FORMAT, m->overdue);
    g_autofree char *violations = g_strdup_printf ("%" G_GINT64_FORMAT, m->violations);
    g_autofree char *ratings =
        g_strdup_printf (_ ("满意 %d，基本满意 %d，不满意 %d"), (int) m->rated_satisfied,
                         (int) m->rated_basic, (int) m->rated_unsatisfied);
    g_autoptr (GDateTime) drafted = dbn_clock_local_from_ms (m->env.ts);
    g_autofree char *drafted_text = g_date_time_format (drafted, "%Y-%m-%d %H:%M");
    dbn_print_form_add_row (form, _ ("窗口"), m->window);
    dbn_print_form_add_row (form, _ ("日期"), m->day);
    dbn_print_form_add_row (form, _ ("受理件数"), accepted);
    dbn_print_form_add_row (form, _ ("办结件数"), completed);
    dbn_print_form_add_row (form, _ ("超期"), overdue);
    dbn_print_form_add_row (form, _ ("违规"), violations);
    dbn_print_form_add_row (form, _ ("群众评价"), ratings);
    dbn_print_form_add_row (form, _ ("汇总生成"), drafted_text);
    if (s != NULL) {
        g_autoptr (GDateTime) t = dbn_clock_local_from_ms (s->env.ts);
        g_autofree char *when = g_date_time_format (t, "%Y-%m-%d %H:%M");
        g_autofree char *who = g_strdup_printf ("%s（%s）", s->leader, when);
        dbn_print_form_add_row (form, _ ("值班领导签字"), who);
        dbn_print_form_add_row (form, _ ("签名 Ed25519"), s->signature);
        dbn_print_form_add_row (form, _ ("签名公钥"), s->public_key);
    } else {
        dbn_print_form_add_row (form, _ ("值班领导签字"), _ ("未签字"));
    }
    return g_steal_pointer (&form);
}

gboolean
dbn_leader_view_export_pdf (DbnLeaderView *self, const char *window, const char *path, GError **error)
{
    g_autoptr (DbnPrintForm) form = form_for (self, window);
    if (form == NULL) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("没有窗口 %s 的汇总"), window);
        return FALSE;
    }
    return dbn_print_form_export_pdf (form, path, error);
}

gboolean
dbn_leader_view_print_to_file (DbnLeaderView *self, const char *window, const char *path, GError **error)
{
    g_autoptr (DbnPrintForm) form = form_for (self, window);
    if (form == NULL) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("没有窗口 %s 的汇总"), window);
        return FALSE;
    }
    return dbn_print_form_print_to_file (form, path, error);
}

const char *
dbn_leader_view_get_day (DbnLeaderView *self)
{
    return self->day;
}

guint
dbn_leader_view_get_n_drafts (DbnLeaderView *self)
{
    return self->drafts->len;
}

gboolean
dbn_leader_view_is_signed (DbnLeaderView *self, const char *window)
{
    return g_hash_table_contains (self->signatures, window);
}

const char *
dbn_leader_view_get_status (DbnLeaderView *self)
{
    return self->status;
}

static void
dbn_leader_view_dispose (GObject *object)
{
    DbnLeaderView *self = DBN_LEADER_VIEW (object);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_leader_view_parent_class)->dispose (object);
}

static void
dbn_leader_view_finalize (GObject *object)
{
    DbnLeaderView *self = DBN_LEADER_VIEW (object);
    g_free (self->leader);
    g_free (self->dir);
    g_free (self->day);
    g_free (self->status);
    g_ptr_array_unref (self->drafts);
    g_hash_table_unref (self->signatures);
    G_OBJECT_CLASS (dbn_leader_view_parent_class)->finalize (object);
}

static void
dbn_leader_view_class_init (DbnLeaderViewClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = dbn_leader_view_dispose;
    G_OBJECT_CLASS (klass)->finalize = dbn_leader_view_finalize;
}

static void
dbn_leader_view_init (DbnLeaderView *self)
{
    self->day = g_strdup ("");
    self->status = g_strdup ("");
    self->drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_msg_audit_summary_free);
    self->signatures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) dbn_msg_audit_summary_signed_free);
    gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
    gtk_box_set_spacing (GTK_BOX (self), 8);
    self->heading = GTK_LABEL (gtk_label_new (_ ("尚无当日汇总")));
    gtk_widget_add_css_class (GTK_WIDGET (self->heading), "title-2");
    gtk_widget_set_margin_top (GTK_WIDGET (self->heading), 12);
    gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->heading));
    self->status_label = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_wrap (self->status_label, TRUE);
    gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->status_label));
    self->list = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->list));
    gtk_widget_set_vexpand (scroll, TRUE);
    gtk_box_append (GTK_BOX (self), scroll);
    GtkWidget *refresh = gtk_button_new_with_label (_ ("刷新"));
    gtk_widget_set_halign (refresh, GTK_ALIGN_END);
    g_signal_connect_swapped (refresh, "clicked", G_CALLBACK (dbn_leader_view_refresh), self);
    gtk_box_append (GTK_BOX (self), refresh);
}

GtkWidget *
dbn_leader_view_new (DbnConnection *connection, const char *leader, const char *dir)
{
    DbnLeaderView *self = g_object_new (DBN_TYPE_LEADER_VIEW, NULL);
    self->connection = g_object_ref (connection);
    self->leader = g_strdup (leader);
    self->dir = g_strdup (dir);
    dbn_leader_view_refresh (self);
    return GTK_WIDGET (self);
}
