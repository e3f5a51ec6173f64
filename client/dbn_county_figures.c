/* dbn_county_figures.c: the county committee's figures of its townships.
 *
 * Per township, over its own connection: eval.month of the month shown
 * gives the township scope's row (the county table) and the windows' rows
 * (their stars); eval.board of the six months ending with it gives the
 * on-time trend. Both are asked again every few seconds (POLL_SECONDS), one
 * call of each kind in flight per township, so a township whose evaluation
 * stops shows "离线" in its row (a call that timed out, or its heartbeat
 * gone: dbn_connection_is_reachable) and fills in again by itself when it
 * answers; the other townships' calls are their own and go on. The table is
 * a GtkGrid rebuilt on each answer (a county has a dozen townships); the
 * charts are dbn_eval_chart's bars and trend on a drawing area.
 *
 * The audit column reads the county's county.db (the store of `daiban
 * county keep|prove`, services/cli/cli_county.c) read-only on the same
 * tick: county_proof's size proven for the township, or its failure. */
#include "dbn_county_figures-private.h"

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "dbn_commands.h"
#include "dbn_eval_chart.h"
#include "dbn_month_bar.h"

#define CALL_TIMEOUT_MS 2500 /* under POLL_SECONDS: an answer or offline per tick */
#define POLL_SECONDS    3
#define TREND_MONTHS    6

typedef struct {
    DbnCountyFigures *page; /* borrowed: the owner */
    char *id;               /* the county folder's [township:<id>] */
    char *name;
    DbnConnection *connection; /* owned ref */
    gulong status_id;
    DbnEvalRow *row;     /* the township scope's figures of the month, or NULL */
    GPtrArray *windows;  /* DbnEvalRow*: the windows' figures of the month */
    DbnEvalBoard *board; /* the trend's months, or NULL */
    gboolean offline;    /* the last call timed out or its evaluation is not heard */
    char *problem;       /* another refusal's line, or NULL */
    gboolean month_pending, board_pending;
    guint n_answers;
    char *audit;        /* the audit column's text */
    gboolean rewritten; /* county_proof holds a failure */
} Township;

struct _DbnCountyFigures {
    GtkWidget parent_instance;
    char *county_name;
    char *month;          /* shown: "2026-12" */
    guint generation;     /* answers to another month are dropped */
    GPtrArray *townships; /* Township*, owned; NULL once disposed */
    char *audit_store;    /* county.db's path, or NULL */
    guint poll_id;
    guint n_drawn;
    int star_completion, star_satisfaction;
    GtkLabel *month_label;
    GtkLabel *status;
    GtkGrid *table;
    GtkBox *windows_box;
    GtkWidget *charts;
};

G_DEFINE_TYPE (DbnCountyFigures, dbn_county_figures, GTK_TYPE_WIDGET)

static void
row_free (DbnEvalRow *r)
{
    if (r == NULL)
        return;
    g_free (r->scope);
    g_free (r->id);
    g_free (r->name);
    g_free (r);
}

static void
township_free (Township *t)
{
    if (t->connection != NULL)
        g_clear_signal_handler (&t->status_id, t->connection);
    g_clear_object (&t->connection);
    row_free (t->row);
    g_ptr_array_unref (t->windows);
    g_clear_pointer (&t->board, dbn_eval_board_unref);
    g_free (t->problem);
    g_free (t->audit);
    g_free (t->id);
    g_free (t->name);
    g_free (t);
}

static Township *
lookup (DbnCountyFigures *self, const char *id)
{
    for (guint i = 0; self->townships != NULL && i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (g_strcmp0 (t->id, id) == 0)
            return t;
    }
    return NULL;
}

/* ---- what a row shows ---- */

/* The table's headings: the supervisor page's own words where they are the
 * same figures (dbn_eval_column_title). */
static const char *
column_title (guint column)
{
    switch (column) {
    case DBN_COUNTY_COLUMN_NAME: return _ ("乡镇");
    case DBN_COUNTY_COLUMN_ACCEPTED: return dbn_eval_column_title (1);
    case DBN_COUNTY_COLUMN_COMPLETED: return dbn_eval_column_title (2);
    case DBN_COUNTY_COLUMN_ON_TIME: return dbn_eval_column_title (4);
    case DBN_COUNTY_COLUMN_SATISFACTION: return dbn_eval_column_title (8);
    case DBN_COUNTY_COLUMN_STARS: return dbn_eval_column_title (9);
    case DBN_COUNTY_COLUMN_SCORE: return dbn_eval_column_title (10);
    case DBN_COUNTY_COLUMN_AUDIT: return _ ("审计核验");
    default: return "";
    }
}

/* The eval column (dbn_eval_row_cell) of each figure column. */
static const guint eval_columns[DBN_COUNTY_N_COLUMNS] = { 0, 1, 2, 4, 8, 9, 10, 0 };

static char *
cell_text (Township *t, guint column)
{
    if (column == DBN_COUNTY_COLUMN_NAME)
        return g_strdup (t->name);
    if (column == DBN_COUNTY_COLUMN_AUDIT)
        return g_strdup (t->audit ? t->audit : _ ("未核验"));
    /* Offline: the figures are not this township's now, whatever was shown. */
    if (t->offline)
        return g_strdup (column == DBN_COUNTY_COLUMN_ACCEPTED ? _ ("离线") : "");
    if (t->problem != NULL)
        return g_strdup (column == DBN_COUNTY_COLUMN_ACCEPTED ? t->problem : "");
    if (t->row == NULL)
        return g_strdup (column == DBN_COUNTY_COLUMN_ACCEPTED ? "…" : "");
    return dbn_eval_row_cell (t->row, eval_columns[column]);
}

static char *
windows_text (Township *t)
{
    if (t->offline)
        return g_strdup (_ ("离线"));
    GString *s = g_string_new (NULL);
    for (guint i = 0; i < t->windows->len; i++) {
        const DbnEvalRow *w = t->windows->pdata[i];
        g_autofree char *stars = dbn_eval_stars_text (w->stars);
        g_string_append_printf (s, "%s%s %s", i > 0 ? "    " : "", w->name, stars);
    }
    if (s->len == 0)
        g_string_append (s, t->row != NULL ? _ ("本月无窗口数据") : "…");
    return g_string_free (s, FALSE);
}

static void
fill (DbnCountyFigures *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
        gtk_grid_remove (self->table, child);
    for (guint c = 0; c < DBN_COUNTY_N_COLUMNS; c++) {
        GtkWidget *head = gtk_label_new (column_title (c));
        gtk_label_set_xalign (GTK_LABEL (head), c == 0 || c == DBN_COUNTY_COLUMN_AUDIT ? 0 : 1);
        gtk_widget_add_css_class (head, "heading");
        gtk_grid_attach (self->table, head, (int) c, 0, 1, 1);
    }
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->windows_box))) != NULL)
        gtk_box_remove (self->windows_box, child);
    GtkWidget *heading = gtk_label_new (_ ("各乡镇窗口星级"));
    gtk_label_set_xalign (GTK_LABEL (heading), 0);
    gtk_widget_add_css_class (heading, "heading");
    gtk_box_append (self->windows_box, heading);
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        for (guint c = 0; c < DBN_COUNTY_N_COLUMNS; c++) {
            g_autofree char *text = cell_text (t, c);
            GtkWidget *label = gtk_label_new (text);
            gtk_label_set_xalign (GTK_LABEL (label), c == 0 || c == DBN_COUNTY_COLUMN_AUDIT ? 0 : 1);
            if (t->offline && c == DBN_COUNTY_COLUMN_ACCEPTED)
                gtk_widget_add_css_class (label, "offline");
            if (t->rewritten && c == DBN_COUNTY_COLUMN_AUDIT)
                gtk_widget_add_css_class (label, "error");
            gtk_grid_attach (self->table, label, (int) c, (int) i + 1, 1, 1);
        }
        g_autofree char *windows = windows_text (t);
        g_autofree char *line = g_strdup_printf ("%s：%s", t->name, windows);
        GtkWidget *label = gtk_label_new (line);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        if (t->offline)
            gtk_widget_add_css_class (label, "offline");
        gtk_box_append (self->windows_box, label);
    }
    gtk_widget_queue_draw (self->charts);
}

/* ---- the charts ---- */

#define TREND_HEIGHT 190.0

static double
bars_height (guint n)
{
    return 36 + 22.0 * MAX (n, 1);
}

static void
draw_charts (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
    DbnCountyFigures *self = user_data;
    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_paint (cr);
    if (self->townships == NULL || self->townships->len == 0)
        return;
    guint n = self->townships->len;
    g_autofree const char **names = g_new0 (const char *, n + 1);
    g_autofree gint64 *on_time = g_new0 (gint64, n + 1);
    g_autofree gint64 *satisfaction = g_new0 (gint64, n + 1);
    gboolean any = FALSE;
    for (guint i = 0; i < n; i++) {
        Township *t = self->townships->pdata[i];
        gboolean shown = t->row != NULL && !t->offline;
        names[i] = t->name;
        on_time[i] = shown ? t->row->on_time_permille : -1;
        satisfaction[i] = shown ? t->row->satisfaction_permille : -1;
        any = any || shown;
    }
    double x = 8, y = 8, w = width - 16, gap = 8, half = (w - gap) / 2, bars_h = bars_height (n);
    dbn_eval_chart_bars (cr, x, y, half, bars_h, _ ("按时率"), n, names, on_time, -1);
    dbn_eval_chart_bars (cr, x + half + gap, y, half, bars_h, _ ("满意度"), n, names, satisfaction,
                         self->star_satisfaction * 10);
    /* One on-time trend per township, side by side: the months of each
     * township's own eval.board. */
    double trend_y = y + bars_h + gap, trend_w = (w - gap * (n - 1)) / n;
    for (guint i = 0; i < n; i++) {
        Township *t = self->townships->pdata[i];
        g_autofree char *title = g_strdup_printf (_ ("%s 按时率（近 %d 个月）"), t->name, TREND_MONTHS);
        guint months = t->board != NULL && !t->offline ? dbn_eval_board_get_n_months (t->board) : 0;
        g_autofree const char **labels = g_new0 (const char *, months + 1);
        g_autofree gint64 *trend = g_new0 (gint64, months + 1);
        for (guint k = 0; k < months; k++) {
            labels[k] = dbn_eval_board_get_trend_month (t->board, k);
            trend[k] = dbn_eval_board_get_trend_permille (t->board, k);
        }
        dbn_eval_chart_trend (cr, x + i * (trend_w + gap), trend_y, trend_w, TREND_HEIGHT, title, months,
                              labels, trend);
    }
    if (any)
        self->n_drawn++;
}

/* ---- asking each township ---- */

/* What an answer of township t's call makes of it: FALSE with error (a
 * refusal, a timeout, a reply that does not decode) when it has none. */
typedef gboolean (*TookFunc) (DbnCountyFigures *self, Township *t, GBytes *reply, GError **error);

typedef struct {
    DbnCountyFigures *self; /* owned ref */
    Township *township;     /* valid while self->townships holds it */
    guint generation;
    TookFunc took;
} Pending;

static Pending *
pending_new (DbnCountyFigures *self, Township *t, TookFunc took)
{
    Pending *p = g_new0 (Pending, 1);
    p->self = g_object_ref (self);
    p->township = t;
    p->generation = self->generation;
    p->took = took;
    return p;
}

static void
took_error (Township *t, const GError *error)
{
    g_clear_pointer (&t->problem, g_free);
    if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT)
        || !dbn_connection_is_reachable (t->connection, "evaluation"))
        t->offline = TRUE;
    else {
        t->offline = FALSE; /* it answered: with a refusal, shown as such */
        t->problem = dbn_error_line (error);
    }
}

static DbnEvalRow *
row_from_figure (DbnMsgEvalFigure *f, DbnOrg *org)
{
    DbnEvalRow *r = g_new0 (DbnEvalRow, 1);
    r->scope = g_strdup (f->scope);
    r->id = g_strdup (f->id);
    const DbnWindow *w =
        org != NULL && g_strcmp0 (f->scope, "window") == 0 ? dbn_org_lookup_window (org, f->id) : NULL;
    r->name = g_strdup (w == NULL ? f->id : dbn_ui_is_english () && w->name_en ? w->name_en : w->name_zh);
    r->accepted = f->accepted;
    r->completed = f->completed;
    r->on_time = f->on_time;
    r->returns = f->returns;
    r->repeats = f->repeats;
    r->rated = f->rated;
    r->satisfied = f->satisfied;
    r->basic = f->basic;
    r->unsatisfied = f->unsatisfied;
    r->stars = (int) f->stars;
    r->score_milli = f->score_milli;
    r->days_centi = -1;
    dbn_eval_row_compute_rates (r);
    return r;
}

static gboolean
took_month (DbnCountyFigures *self, Township *t, GBytes *reply, GError **error)
{
    t->month_pending = FALSE;
    t->n_answers++;
    g_autoptr (DbnMsgEvalMonthReply) r =
        reply != NULL
            ? dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error)
            : NULL;
    if (r == NULL)
        return FALSE;
    t->offline = FALSE;
    g_clear_pointer (&t->problem, g_free);
    g_clear_pointer (&t->row, row_free);
    g_ptr_array_set_size (t->windows, 0);
    DbnOrg *org = dbn_connection_get_org (t->connection);
    for (guint i = 0; i < r->figures->len; i++) {
        GBytes *b = r->figures->pdata[i];
        g_autoptr (DbnMsgEvalFigure) f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (f == NULL)
            continue; /* a broken record loses that row, not the page */
        if (g_strcmp0 (f->scope, "township") == 0 && t->row == NULL)
            t->row = row_from_figure (f, org);
        else if (g_strcmp0 (f->scope, "window") == 0)
            g_ptr_array_add (t->windows, row_from_figure (f, org));
    }
    fill (self);
    return TRUE;
}

static gboolean
took_board (DbnCountyFigures *self, Township *t, GBytes *reply, GError **error)
{
    t->board_pending = FALSE;
    DbnEvalBoard *board =
        reply != NULL ? dbn_eval_board_new_from_reply (reply, TREND_MONTHS, NULL, FALSE, error) : NULL;
    if (board == NULL)
        return FALSE;
    g_clear_pointer (&t->board, dbn_eval_board_unref);
    t->board = board;
    gtk_widget_queue_draw (self->charts);
    return TRUE;
}

/* Both calls' answers: dropped when the page was disposed or another month
 * was asked for since, else given to the call's TookFunc. */
static void
on_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Pending *p = user_data;
    g_autoptr (DbnCountyFigures) self = p->self;
    Township *t = p->township;
    gboolean current = self->townships != NULL && p->generation == self->generation;
    TookFunc took = p->took;
    g_free (p);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (!current)
        return;
    if (!took (self, t, reply, &error)) {
        took_error (t, error);
        fill (self);
    }
}

static void
ask (DbnCountyFigures *self, Township *t)
{
    if (!t->month_pending) {
        g_autoptr (DbnMsgEvalMonth) m = dbn_msg_eval_month_new ();
        m->env.key = dbn_command_new_key ();
        m->month = g_strdup (self->month);
        g_autoptr (GBytes) body = dbn_msg_eval_month_encode (m, NULL);
        t->month_pending = TRUE;
        dbn_connection_call_async (t->connection, "evaluation", body, CALL_TIMEOUT_MS, on_answer,
                                   pending_new (self, t, took_month));
    }
    if (!t->board_pending) {
        g_autoptr (DbnMsgEvalBoard) m = dbn_msg_eval_board_new ();
        m->env.key = dbn_command_new_key ();
        m->month = g_strdup (self->month);
        m->has_months = TRUE;
        m->months = TREND_MONTHS;
        g_autoptr (GBytes) body = dbn_msg_eval_board_encode (m, NULL);
        t->board_pending = TRUE;
        dbn_connection_call_async (t->connection, "evaluation", body, CALL_TIMEOUT_MS, on_answer,
                                   pending_new (self, t, took_board));
    }
}

/* ---- the county's audit check ---- */

static void
read_audit (DbnCountyFigures *self)
{
    sqlite3 *db = NULL;
    gboolean open = self->audit_store != NULL && g_file_test (self->audit_store, G_FILE_TEST_IS_REGULAR)
                    && sqlite3_open_v2 (self->audit_store, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    sqlite3_stmt *st = NULL;
    if (open
        && sqlite3_prepare_v2 (db, "SELECT proven, failed FROM county_proof WHERE township = ?1", -1, &st,
                               NULL)
               != SQLITE_OK)
        st = NULL;
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        g_clear_pointer (&t->audit, g_free);
        t->rewritten = FALSE;
        if (st == NULL)
            continue; /* no store, or none of its proofs yet: not checked */
        sqlite3_reset (st);
        sqlite3_bind_text (st, 1, t->id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (st) != SQLITE_ROW)
            continue;
        if (sqlite3_column_type (st, 1) != SQLITE_NULL) {
            t->rewritten = TRUE;
            t->audit = g_strdup (_ ("被改写"));
        } else
            t->audit = g_strdup_printf (_ ("已核验至第 %lld 条"), (long long) sqlite3_column_int64 (st, 0));
    }
    sqlite3_finalize (st);
    sqlite3_close (db);
}

static gboolean
poll (gpointer user_data)
{
    DbnCountyFigures *self = user_data;
    read_audit (self);
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        /* Its heartbeat gone: offline now, before the call times out. */
        if (!t->offline && t->n_answers > 0 && !dbn_connection_is_reachable (t->connection, "evaluation"))
            t->offline = TRUE;
        ask (self, t);
    }
    fill (self);
    return G_SOURCE_CONTINUE;
}

/* ---- the month ---- */

static void
show_title (DbnCountyFigures *self)
{
    g_autofree char *title = g_strdup_printf (_ ("%s 各乡镇 %s 考核"), self->county_name, self->month);
    gtk_label_set_text (self->month_label, title);
}

static void
show_month (DbnCountyFigures *self)
{
    show_title (self);
    self->generation++;
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        /* Calls of the month before are dropped when they answer. */
        t->month_pending = t->board_pending = FALSE;
        g_clear_pointer (&t->row, row_free);
        g_ptr_array_set_size (t->windows, 0);
        g_clear_pointer (&t->board, dbn_eval_board_unref);
        ask (self, t);
    }
    fill (self);
}

void
dbn_county_figures_set_month (DbnCountyFigures *self, const char *month)
{
    g_return_if_fail (DBN_IS_COUNTY_FIGURES (self) && month != NULL);
    g_free (self->month);
    self->month = g_strdup (month);
    show_month (self);
}

/* ---- the widget ---- */

static void
on_status (DbnConnection *connection, gpointer user_data)
{
    Township *t = user_data;
    gboolean heard = dbn_connection_is_reachable (connection, "evaluation");
    if (!heard && !t->offline && t->n_answers > 0) {
        t->offline = TRUE;
        fill (t->page);
    } else if (heard && t->offline)
        ask (t->page, t); /* back: fill in now, not at the next tick */
}

void
dbn_county_figures_add_township (DbnCountyFigures *self, const char *id, const char *name,
                                 DbnConnection *connection)
{
    g_return_if_fail (DBN_IS_COUNTY_FIGURES (self) && id != NULL && DBN_IS_CONNECTION (connection));
    Township *t = g_new0 (Township, 1);
    t->page = self;
    t->id = g_strdup (id);
    t->name = g_strdup (name ? name : id);
    t->connection = g_object_ref (connection);
    t->windows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
    t->status_id = g_signal_connect (connection, "status-changed", G_CALLBACK (on_status), t);
    g_ptr_array_add (self->townships, t);
    if (self->townships->len == 1) {
        dbn_eval_marks_load (dbn_connection_get_data_dir (connection), &self->star_completion,
                             &self->star_satisfaction);
        /* The client's clock as the connection reads it (DAIBAN_CLOCK_FILE
         * when set): this month. */
        g_free (self->month);
        self->month = dbn_month_today (connection);
        show_title (self);
    }
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->charts),
                                         (int) (bars_height (self->townships->len) + 8 + TREND_HEIGHT + 16));
    read_audit (self);
    ask (self, t);
    fill (self);
}

void
dbn_county_figures_set_audit_store (DbnCountyFigures *self, const char *path)
{
    g_return_if_fail (DBN_IS_COUNTY_FIGURES (self));
    g_free (self->audit_store);
    self->audit_store = g_strdup (path);
    read_audit (self);
    fill (self);
}

static void
dbn_county_figures_dispose (GObject *object)
{
    DbnCountyFigures *self = DBN_COUNTY_FIGURES (object);
    g_clear_handle_id (&self->poll_id, g_source_remove);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    /* Calls still in flight hold a reference and find this NULL. */
    g_clear_pointer (&self->townships, g_ptr_array_unref);
    G_OBJECT_CLASS (dbn_county_figures_parent_class)->dispose (object);
}

static void
dbn_county_figures_finalize (GObject *object)
{
    DbnCountyFigures *self = DBN_COUNTY_FIGURES (object);
    g_free (self->county_name);
    g_free (self->month);
    g_free (self->audit_store);
    G_OBJECT_CLASS (dbn_county_figures_parent_class)->finalize (object);
}

static void
dbn_county_figures_class_init (DbnCountyFiguresClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    G_OBJECT_CLASS (klass)->dispose = dbn_county_figures_dispose;
    G_OBJECT_CLASS (klass)->finalize = dbn_county_figures_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    dbn_month_bar_install_actions (widget_class, "figures", G_STRUCT_OFFSET (DbnCountyFigures, month),
                                   DBN_MONTH_SHOW_FUNC (dbn_county_figures_set_month));
}

static void
dbn_county_figures_init (DbnCountyFigures *self)
{
    self->townships = g_ptr_array_new_with_free_func ((GDestroyNotify) township_free);
    self->star_completion = 80;
    self->star_satisfaction = 90;
    GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start (root, 8);
    gtk_widget_set_margin_end (root, 8);
    gtk_widget_set_margin_top (root, 6);
    gtk_widget_set_margin_bottom (root, 6);
    gtk_widget_set_parent (root, GTK_WIDGET (self));

    GtkWidget *bar = dbn_month_bar_new ("figures", &self->month_label);
    self->status = dbn_month_bar_add_status (bar, _ ("每 3 秒向各乡镇刷新；离线的乡镇恢复后自动补上"));
    gtk_box_append (GTK_BOX (root), bar);

    GtkWidget *scroll = gtk_scrolled_window_new ();
    gtk_widget_set_vexpand (scroll, TRUE);
    GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
    self->table = GTK_GRID (gtk_grid_new ());
    gtk_grid_set_column_spacing (self->table, 24);
    gtk_grid_set_row_spacing (self->table, 4);
    gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->table));
    self->windows_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 2));
    gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->windows_box));
    self->charts = gtk_drawing_area_new ();
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->charts), 300);
    gtk_widget_set_hexpand (self->charts, TRUE);
    gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->charts), draw_charts, self, NULL);
    gtk_box_append (GTK_BOX (content), self->charts);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), content);
    gtk_box_append (GTK_BOX (root), scroll);
}

GtkWidget *
dbn_county_figures_new (const char *county_name)
{
    DbnCountyFigures *self = g_object_new (DBN_TYPE_COUNTY_FIGURES, NULL);
    self->county_name = g_strdup (county_name && *county_name ? county_name : _ ("本县"));
    /* This month by the client's clock (the wall clock, or DAIBAN_CLOCK_FILE's
     * as dbn_connection_get_today reads it once a township is added). */
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    self->month = g_date_time_format (now, "%Y-%m");
    show_title (self);
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll, self);
    return GTK_WIDGET (self);
}

/* ---- for the tests ---- */

const char *
dbn_county_figures_get_month (DbnCountyFigures *self)
{
    return self->month;
}

char *
dbn_county_figures_dup_cell (DbnCountyFigures *self, const char *id, guint column)
{
    Township *t = lookup (self, id);
    return t != NULL && column < DBN_COUNTY_N_COLUMNS ? cell_text (t, column) : NULL;
}

char *
dbn_county_figures_dup_windows (DbnCountyFigures *self, const char *id)
{
    Township *t = lookup (self, id);
    return t != NULL ? windows_text (t) : NULL;
}

guint
dbn_county_figures_get_n_answers (DbnCountyFigures *self, const char *id)
{
    Township *t = lookup (self, id);
    return t != NULL ? t->n_answers : 0;
}

DbnEvalBoard *
dbn_county_figures_get_board (DbnCountyFigures *self, const char *id)
{
    Township *t = lookup (self, id);
    return t != NULL ? t->board : NULL;
}

guint
dbn_county_figures_get_n_drawn (DbnCountyFigures *self)
{
    return self->n_drawn;
}

GtkWidget *
dbn_county_figures_get_charts (DbnCountyFigures *self)
{
    return self->charts;
}
