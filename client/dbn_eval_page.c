/* dbn_eval_page.c: the supervisor's assessment page.
 *
 * One eval.board call per month shown gives the table, the charts and the
 * trend (the service's figures: computed while the month is open, fixed
 * once closed). The table is a GtkGrid rebuilt per answer (a few dozen
 * rows at most: a township has a dozen windows and stations); the charts
 * are dbn_eval_chart on the drawing area's cairo context, the same calls
 * the 月度考核表 makes on the PDF's. Closing asks first, because it cannot
 * be undone (D-AUD-5: after it a change is a correction). */
#include "dbn_eval_page-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dbn_commands.h"
#include "dbn_eval_chart.h"
#include "dbn_eval_report.h"
#include "dbn_month_bar.h"

#define BOARD_TIMEOUT_MS 5000
#define CLOSE_TIMEOUT_MS 15000 /* closing a month writes every scope's figures */
#define BOARD_MONTHS     12

struct _DbnEvalPage {
    GtkWidget parent_instance;
    DbnConnection *connection;
    char *who;
    char *client_dir;
    char *month; /* shown: "2026-11" */
    DbnEvalBoard *board;
    int star_completion, star_satisfaction;
    guint n_answers;
    guint generation; /* answers to an older month are dropped */
    GtkLabel *month_label;
    GtkLabel *status;
    GtkGrid *table;
    GtkWidget *charts;
    GtkWidget *confirm; /* the open confirmation dialog, or NULL */
};

G_DEFINE_TYPE (DbnEvalPage, dbn_eval_page, GTK_TYPE_WIDGET)

static void
set_status (DbnEvalPage *self, const char *text)
{
    gtk_label_set_text (self->status, text);
}

static void
fill_table (DbnEvalPage *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
        gtk_grid_remove (self->table, child);
    guint n = self->board ? dbn_eval_board_get_n_rows (self->board) : 0;
    for (guint c = 0; c < DBN_EVAL_N_COLUMNS; c++) {
        GtkWidget *head = gtk_label_new (dbn_eval_column_title (c));
        gtk_label_set_xalign (GTK_LABEL (head), c == 0 ? 0 : 1);
        gtk_widget_add_css_class (head, "heading");
        gtk_grid_attach (self->table, head, (int) c, 0, 1, 1);
    }
    for (guint i = 0; i <= n && self->board != NULL; i++) {
        const DbnEvalRow *r =
            i < n ? dbn_eval_board_get_row (self->board, i) : dbn_eval_board_get_total (self->board);
        for (guint c = 0; c < DBN_EVAL_N_COLUMNS; c++) {
            g_autofree char *cell = dbn_eval_row_cell (r, c);
            GtkWidget *label = gtk_label_new (cell);
            gtk_label_set_xalign (GTK_LABEL (label), c == 0 ? 0 : 1);
            if (i == n)
                gtk_widget_add_css_class (label, "heading");
            gtk_grid_attach (self->table, label, (int) c, (int) i + 1, 1, 1);
        }
    }
}

static void
draw_charts (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
    DbnEvalPage *self = user_data;
    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_paint (cr);
    if (self->board != NULL)
        dbn_eval_chart_draw_board (cr, 8, 8, width - 16, height - 16, self->board, self->star_completion,
                                   self->star_satisfaction);
}

typedef struct {
    DbnEvalPage *self; /* owned ref */
    guint generation;
} Pending;

static void
on_board (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Pending *p = user_data;
    g_autoptr (DbnEvalPage) self = p->self;
    guint generation = p->generation;
    g_free (p);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->connection == NULL || generation != self->generation)
        return; /* disposed, or another month was asked for since */
    self->n_answers++;
    g_autoptr (DbnEvalBoard) board =
        reply != NULL ? dbn_eval_board_new_from_reply (
            reply, BOARD_MONTHS, dbn_connection_get_org (self->connection), dbn_ui_is_english (), &error)
                      : NULL;
    if (board == NULL) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    g_clear_pointer (&self->board, dbn_eval_board_unref);
    self->board = g_steal_pointer (&board);
    fill_table (self);
    /* Tall enough for every row's bar at full size (dbn_eval_chart gives the
     * bars at most 60 % of the height): a township has two dozen rows. */
    guint n = dbn_eval_board_get_n_rows (self->board);
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->charts),
                                         MAX (460, (int) ((36 + 22 * n) / 0.6) + 16));
    gtk_widget_queue_draw (self->charts);
    g_autofree char *text =
        g_strdup_printf (dbn_eval_board_get_closed (self->board) ? _ ("%s 已关账：数字已固定")
                                                                 : _ ("%s 未关账：数字随办理变化"),
                         self->month);
    set_status (self, text);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.close",
                                   !dbn_eval_board_get_closed (self->board));
}

static void
refresh (DbnEvalPage *self)
{
    gtk_label_set_text (self->month_label, self->month);
    g_autoptr (DbnMsgEvalBoard) m = dbn_msg_eval_board_new ();
    m->env.key = dbn_command_new_key ();
    m->month = g_strdup (self->month);
    m->has_months = TRUE;
    m->months = BOARD_MONTHS;
    g_autoptr (GBytes) body = dbn_msg_eval_board_encode (m, NULL);
    Pending *p = g_new0 (Pending, 1);
    p->self = g_object_ref (self);
    p->generation = ++self->generation;
    dbn_connection_call_async (self->connection, "evaluation", body, BOARD_TIMEOUT_MS, on_board, p);
}

void
dbn_eval_page_set_month (DbnEvalPage *self, const char *month)
{
    g_return_if_fail (month != NULL);
    g_free (self->month);
    self->month = g_strdup (month);
    refresh (self);
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    refresh (DBN_EVAL_PAGE (widget));
}

/* ---- closing ---- */

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnEvalPage) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->connection == NULL)
        return;
    if (reply == NULL) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        self->n_answers++;
        return;
    }
    refresh (self); /* the closed figures, as fixed */
}

static void
on_confirm (GtkDialog *dialog, int response, gpointer user_data)
{
    DbnEvalPage *self = user_data;
    self->confirm = NULL;
    gtk_window_destroy (GTK_WINDOW (dialog));
    if (response != GTK_RESPONSE_ACCEPT)
        return;
    g_autoptr (DbnMsgEvalClose) m = dbn_msg_eval_close_new ();
    m->env.key = dbn_command_new_key ();
    m->month = g_strdup (self->month);
    g_autoptr (GBytes) body = dbn_msg_eval_close_encode (m, NULL);
    set_status (self, _ ("正在关账…"));
    dbn_connection_call_async (self->connection, "evaluation", body, CLOSE_TIMEOUT_MS, on_closed,
                               g_object_ref (self));
}

static void
action_close (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnEvalPage *self = DBN_EVAL_PAGE (widget);
    if (self->confirm != NULL)
        return;
    GtkRoot *root = gtk_widget_get_root (widget);
    g_autofree char *question = g_strdup_printf (_ ("关闭 %s 的考核？"), self->month);
    GtkWidget *dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                                GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", question);
    gtk_message_dialog_format_secondary_text (
        GTK_MESSAGE_DIALOG (dialog), "%s",
        _ ("关账后本月数字、定额、罚款和奖励固定不变；此后的改动只能作为更正另行登记。"));
    gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("取消"), GTK_RESPONSE_CANCEL);
    gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("关账"), GTK_RESPONSE_ACCEPT);
    gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
    g_signal_connect (dialog, "response", G_CALLBACK (on_confirm), self);
    self->confirm = dialog;
    gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- paper ---- */

char *
dbn_eval_page_dup_pdf_path (DbnEvalPage *self)
{
    g_autofree char *name = g_strdup_printf ("月度考核表-%s.pdf", self->month);
    return g_build_filename (self->client_dir, "reports", name, NULL);
}

static void
action_export_pdf (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnEvalPage *self = DBN_EVAL_PAGE (widget);
    if (self->board == NULL) {
        set_status (self, _ ("请先刷新"));
        return;
    }
    g_autofree char *path = dbn_eval_page_dup_pdf_path (self);
    g_autofree char *dir = g_path_get_dirname (path);
    g_mkdir_with_parents (dir, 0700);
    g_autoptr (DbnEvalReport) report =
        dbn_eval_report_new (self->board, self->who, self->star_completion, self->star_satisfaction);
    g_autoptr (GError) error = NULL;
    g_autofree char *text = dbn_eval_report_export_pdf (report, path, &error)
                                ? g_strdup_printf (_ ("已导出 %s"), path)
                                : dbn_error_line (error);
    set_status (self, text);
}

static void
action_print (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnEvalPage *self = DBN_EVAL_PAGE (widget);
    if (self->board == NULL) {
        set_status (self, _ ("请先刷新"));
        return;
    }
    g_autoptr (DbnEvalReport) report =
        dbn_eval_report_new (self->board, self->who, self->star_completion, self->star_satisfaction);
    GtkRoot *root = gtk_widget_get_root (widget);
    dbn_eval_report_print (report, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

/* ---- the widget ---- */

static void
dbn_eval_page_dispose (GObject *object)
{
    DbnEvalPage *self = DBN_EVAL_PAGE (object);
    if (self->confirm != NULL) {
        GtkWidget *dialog = self->confirm;
        self->confirm = NULL;
        gtk_window_destroy (GTK_WINDOW (dialog));
    }
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->connection);
    g_clear_pointer (&self->board, dbn_eval_board_unref);
    G_OBJECT_CLASS (dbn_eval_page_parent_class)->dispose (object);
}

static void
dbn_eval_page_finalize (GObject *object)
{
    DbnEvalPage *self = DBN_EVAL_PAGE (object);
    g_free (self->who);
    g_free (self->client_dir);
    g_free (self->month);
    G_OBJECT_CLASS (dbn_eval_page_parent_class)->finalize (object);
}

static void
dbn_eval_page_class_init (DbnEvalPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    G_OBJECT_CLASS (klass)->dispose = dbn_eval_page_dispose;
    G_OBJECT_CLASS (klass)->finalize = dbn_eval_page_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    dbn_month_bar_install_actions (widget_class, "board", G_STRUCT_OFFSET (DbnEvalPage, month),
                                   DBN_MONTH_SHOW_FUNC (dbn_eval_page_set_month));
    gtk_widget_class_install_action (widget_class, "board.refresh", NULL, action_refresh);
    gtk_widget_class_install_action (widget_class, "board.close", NULL, action_close);
    gtk_widget_class_install_action (widget_class, "board.export-pdf", NULL, action_export_pdf);
    gtk_widget_class_install_action (widget_class, "board.print", NULL, action_print);
}

static void
dbn_eval_page_init (DbnEvalPage *self)
{
    GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (root, 8);
    gtk_widget_set_margin_end (root, 8);
    gtk_widget_set_margin_top (root, 6);
    gtk_widget_set_margin_bottom (root, 6);
    gtk_widget_set_parent (root, GTK_WIDGET (self));

    GtkWidget *bar = dbn_month_bar_new ("board", &self->month_label);
    gtk_box_append (GTK_BOX (bar), dbn_action_button (_ ("刷新"), "board.refresh"));
    self->status = dbn_month_bar_add_status (bar, "");
    gtk_box_append (GTK_BOX (bar), dbn_action_button (_ ("打印考核表"), "board.print"));
    gtk_box_append (GTK_BOX (bar), dbn_action_button (_ ("导出 PDF"), "board.export-pdf"));
    GtkWidget *close = dbn_action_button (_ ("关账…"), "board.close");
    gtk_widget_add_css_class (close, "destructive-action");
    gtk_box_append (GTK_BOX (bar), close);
    gtk_box_append (GTK_BOX (root), bar);

    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_widget_set_vexpand (scroll, TRUE);
    GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
    self->table = GTK_GRID (gtk_grid_new ());
    gtk_grid_set_column_spacing (self->table, 18);
    gtk_grid_set_row_spacing (self->table, 4);
    gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->table));
    self->charts = gtk_drawing_area_new ();
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->charts), 460);
    gtk_widget_set_hexpand (self->charts, TRUE);
    gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->charts), draw_charts, self, NULL);
    gtk_box_append (GTK_BOX (content), self->charts);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), content);
    gtk_box_append (GTK_BOX (root), scroll);
}

GtkWidget *
dbn_eval_page_new (DbnConnection *connection, const char *who, const char *client_dir)
{
    DbnEvalPage *self = g_object_new (DBN_TYPE_EVAL_PAGE, NULL);
    self->connection = g_object_ref (connection);
    self->who = g_strdup (who);
    self->client_dir = g_strdup (client_dir);
    dbn_eval_marks_load (dbn_connection_get_data_dir (connection), &self->star_completion,
                         &self->star_satisfaction);
    self->month = dbn_month_today (connection);
    refresh (self);
    return GTK_WIDGET (self);
}

DbnEvalBoard *
dbn_eval_page_get_board (DbnEvalPage *self)
{
    return self->board;
}

guint
dbn_eval_page_get_n_answers (DbnEvalPage *self)
{
    return self->n_answers;
}

const char *
dbn_eval_page_get_status (DbnEvalPage *self)
{
    return gtk_label_get_text (self->status);
}

GtkWidget *
dbn_eval_page_get_confirm (DbnEvalPage *self)
{
    return self->confirm;
}
