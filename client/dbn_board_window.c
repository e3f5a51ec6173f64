/* dbn_board_window.c: the hall's kiosk (issue 16 item 4). What it shows is
 * dbn_board.h's, the content `daiban board export --html` writes, so the
 * screen and the website agree; the window only pages it.
 *
 * Pages: the progress rows (ROWS_PER_PAGE a page), then the catalog (as
 * many a page), then the month's stars; one page at a time, the next after
 * page_seconds, round and round. A page is rebuilt from the model when it
 * is shown, so a board.row arriving meanwhile appears at the next turn and
 * the screen never jumps under a reader's eyes. Large type comes from the
 * window's own style (class "board"), so the clerks' windows keep theirs.
 *
 * Data: routing.board (snapshot, with its seq), then the board.row events
 * of topic pub/ after it (dbn_connection_catch_up_from: missed ones come
 * from sys.sync); a ::resync takes the snapshot again. eval.month is asked
 * at start and at every turn back to the first page.
 */
#include "dbn_board_window.h"

#include <glib/gi18n.h>

#define ROWS_PER_PAGE 8
#define CALL_MS       5000

struct _DbnBoardWindow {
    GtkApplicationWindow parent_instance;
    DbnConnection *connection; /* owned ref */
    DbnBoard *board;
    GtkLabel *title;
    GtkLabel *footer;
    GtkGrid *grid;
    guint page;
    guint timer;
    gulong event_handler, resync_handler;
};

G_DEFINE_TYPE (DbnBoardWindow, dbn_board_window, GTK_TYPE_APPLICATION_WINDOW)

static const char board_css[] =
    ".board { background: #fdfaf3; }\n"
    ".board label { font-size: 30px; color: #222; }\n"
    ".board .board-title { font-size: 48px; font-weight: bold; color: #b22222; }\n"
    ".board .board-head { font-weight: bold; color: #8b0000; }\n"
    ".board .board-stars { color: #d4a017; }\n"
    ".board .board-footer { font-size: 22px; color: #666; }\n";

static guint
n_pages_of (guint n)
{
    return MAX (1u, (n + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE);
}

static guint
n_public_matters (DbnCatalog *catalog)
{
    guint n = 0;
    for (guint i = 0; catalog != NULL && i < dbn_catalog_get_n_matters (catalog); i++)
        n += !dbn_catalog_get_matter (catalog, i)->restricted;
    return n;
}

guint
dbn_board_window_get_n_pages (DbnBoardWindow *self)
{
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    return n_pages_of (dbn_board_get_n_rows (self->board)) + n_pages_of (n_public_matters (catalog)) + 1;
}

guint
dbn_board_window_get_page (DbnBoardWindow *self)
{
    return self->page;
}

DbnBoard *
dbn_board_window_get_board (DbnBoardWindow *self)
{
    return self->board;
}

static void
clear_grid (DbnBoardWindow *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
        gtk_grid_remove (self->grid, child);
}

static void
put (DbnBoardWindow *self, int column, int row, const char *text, const char *css_class)
{
    GtkWidget *label = gtk_label_new (text);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    /* Only long texts (a matter's materials) wrap; numbers and names never. */
    gtk_label_set_wrap (GTK_LABEL (label), g_utf8_strlen (text, -1) > 12);
    gtk_widget_set_hexpand (label, g_utf8_strlen (text, -1) > 12);
    if (css_class != NULL)
        gtk_widget_add_css_class (label, css_class);
    gtk_grid_attach (self->grid, label, column, row, 1, 1);
}

static void
heads (DbnBoardWindow *self, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++)
        put (self, i, 0, names[i], "board-head");
}

static void
show_progress (DbnBoardWindow *self, guint first)
{
    const char *names[] = { _ ("案件编号"), _ ("事项"), _ ("申请人"), _ ("状态"), _ ("办理期限"), NULL };
    heads (self, names);
    if (dbn_board_get_n_rows (self->board) == 0)
        put (self, 0, 1, _ ("目前没有在办事项"), NULL);
    for (guint i = first; i < MIN (first + ROWS_PER_PAGE, dbn_board_get_n_rows (self->board)); i++) {
        const DbnBoardRow *r = dbn_board_get_row (self->board, i);
        int row = (int) (i - first) + 1;
        put (self, 0, row, r->case_no, NULL);
        put (self, 1, row, r->matter_name, NULL);
        put (self, 2, row, r->applicant, NULL);
        put (self, 3, row, dbn_board_state_display (r->state), NULL);
        put (self, 4, row, r->due ? r->due : "—", NULL);
    }
}

static void
show_catalog (DbnBoardWindow *self, guint first)
{
    const char *names[] = { _ ("事项"), _ ("所需材料"), _ ("办理时限"), _ ("收费"), NULL };
    heads (self, names);
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    guint shown = 0, index = 0;
    for (guint i = 0; catalog != NULL && i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (catalog, i);
        if (m->restricted) /* D-INT-8 */
            continue;
        if (index++ < first || shown >= ROWS_PER_PAGE)
            continue;
        int row = (int) ++shown;
        g_autofree char *materials = m->materials ? g_strjoinv ("、", m->materials) : g_strdup ("");
        g_autofree char *limit = g_strdup_printf (_ ("%d 个工作日"), m->limit_days);
        g_autofree char *fee =
            m->fee_fen == 0 ? g_strdup (_ ("免费")) : g_strdup_printf (_ ("%.2f 元"), m->fee_fen / 100.0);
        put (self, 0, row, m->name_zh, NULL);
        put (self, 1, row, materials, NULL);
        put (self, 2, row, limit, NULL);
        put (self, 3, row, fee, NULL);
    }
}

static void
show_stars (DbnBoardWindow *self)
{
    const char *names[] = { _ ("窗口 / 代办站"), _ ("星级"), _ ("受理"), _ ("办结"), NULL };
    heads (self, names);
    if (dbn_board_get_n_stars (self->board) == 0)
        put (self, 0, 1, _ ("本月尚无评定"), NULL);
    for (guint i = 0; i < dbn_board_get_n_stars (self->board); i++) {
        const DbnBoardStars *s = dbn_board_get_stars (self->board, i);
        const char *scope = g_strcmp0 (s->scope, "window") == 0    ? _ ("窗口")
                            : g_strcmp0 (s->scope, "station") == 0 ? _ ("代办站")
                                                                   : _ ("乡镇");
        g_autofree char *who = g_strdup_printf ("%s %s", scope, s->id);
        g_autofree char *stars = dbn_board_dup_stars_text (s->stars);
        g_autofree char *accepted = g_strdup_printf ("%" G_GINT64_FORMAT, s->accepted);
        g_autofree char *completed = g_strdup_printf ("%" G_GINT64_FORMAT, s->completed);
        put (self, 0, (int) i + 1, who, NULL);
        put (self, 1, (int) i + 1, stars, "board-stars");
        put (self, 2, (int) i + 1, accepted, NULL);
        put (self, 3, (int) i + 1, completed, NULL);
    }
}

/* Builds the page self->page from the model. */
static void
show_page (DbnBoardWindow *self)
{
    guint total = dbn_board_window_get_n_pages (self);
    if (self->page >= total)
        self->page = 0;
    guint progress = n_pages_of (dbn_board_get_n_rows (self->board));
    guint catalog = n_pages_of (n_public_matters (dbn_connection_get_catalog (self->connection)));
    clear_grid (self);
    if (self->page < progress) {
        gtk_label_set_text (self->title, _ ("办理进度"));
        show_progress (self, self->page * ROWS_PER_PAGE);
    } else if (self->page < progress + catalog) {
        gtk_label_set_text (self->title, _ ("代办事项清单"));
        show_catalog (self, (self->page - progress) * ROWS_PER_PAGE);
    } else {
        g_autofree char *title =
            dbn_board_get_month (self->board)
                ? g_strdup_printf (_ ("本月星级评定（%s）"), dbn_board_get_month (self->board))
                : g_strdup (_ ("本月星级评定"));
        gtk_label_set_text (self->title, title);
        show_stars (self);
    }
    g_autofree char *footer =
        g_strdup_printf (_ ("第 %u / %u 页 · 申请人姓名已隐去，不公开身份证号和电话"), self->page + 1, total);
    gtk_label_set_text (self->footer, footer);
}

static void ask_month (DbnBoardWindow *self);

void
dbn_board_window_turn (DbnBoardWindow *self)
{
    self->page = (self->page + 1) % dbn_board_window_get_n_pages (self);
    if (self->page == 0)
        ask_month (self);
    show_page (self);
}

static gboolean
on_timer (gpointer user_data)
{
    dbn_board_window_turn (user_data);
    return G_SOURCE_CONTINUE;
}

char *
dbn_board_window_dup_page_text (DbnBoardWindow *self)
{
    GString *text = g_string_new (gtk_label_get_text (self->title));
    for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->grid)); c != NULL;
         c = gtk_widget_get_next_sibling (c)) {
        g_string_append_c (text, '\n');
        g_string_append (text, gtk_label_get_text (GTK_LABEL (c)));
    }
    return g_string_free (text, FALSE);
}

/* The month of today, YYYY-MM. */
static char *
this_month (DbnBoardWindow *self)
{
    GDate today;
    dbn_connection_get_today (self->connection, &today);
    return g_strdup_printf ("%04d-%02d", g_date_get_year (&today), g_date_get_month (&today));
}

static void
on_month (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnBoardWindow) self = user_data;
    if (self->board == NULL) /* closed meanwhile */
        return;
    if (reply == NULL || !dbn_board_take_month (self->board, reply, &error)) {
        g_warning ("board: eval.month: %s", error->message);
        return;
    }
    if (dbn_board_window_get_page (self) + 1 == dbn_board_window_get_n_pages (self))
        show_page (self);
}

static void
ask_month (DbnBoardWindow *self)
{
    g_autoptr (DbnMsgEvalMonth) cmd = dbn_msg_eval_month_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup (dbn_connection_get_principal (self->connection));
    cmd->month = this_month (self);
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (cmd, NULL);
    /* The window is kept alive by its ref until the reply (which always comes). */
    dbn_connection_call_async (self->connection, "evaluation", body, CALL_MS, on_month, g_object_ref (self));
}

static void
on_snapshot (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnBoardWindow) self = user_data;
    if (self->board == NULL)
        return;
    if (reply == NULL || !dbn_board_take_snapshot (self->board, reply, &error)) {
        g_warning ("board: routing.board: %s", error->message);
        return;
    }
    dbn_connection_catch_up_from (self->connection, "routing", dbn_board_get_seq (self->board));
    show_page (self);
}

static void
take_snapshot (DbnBoardWindow *self)
{
    g_autoptr (DbnMsgRoutingBoard) cmd = dbn_msg_routing_board_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup (dbn_connection_get_principal (self->connection));
    g_autoptr (GBytes) body = dbn_msg_routing_board_encode (cmd, NULL);
    dbn_connection_call_async (self->connection, "routing", body, CALL_MS, on_snapshot, g_object_ref (self));
}

static void
on_event (DbnConnection *connection, const char *topic, GBytes *body, gpointer user_data)
{
    DbnBoardWindow *self = user_data;
    g_autoptr (GError) error = NULL;
    /* Only board.row travels on pub/; anything else is not the board's. */
    if (!dbn_board_apply_event (self->board, body, &error))
        g_debug ("board: not a board row on %s: %s", topic, error->message);
}

static void
on_resync (DbnConnection *connection, gpointer user_data)
{
    DbnBoardWindow *self = user_data;
    g_clear_pointer (&self->board, dbn_board_free);
    self->board = dbn_board_new ();
    take_snapshot (self);
}

static void
dbn_board_window_dispose (GObject *object)
{
    DbnBoardWindow *self = DBN_BOARD_WINDOW (object);
    g_clear_handle_id (&self->timer, g_source_remove);
    if (self->connection != NULL) {
        g_clear_signal_handler (&self->event_handler, self->connection);
        g_clear_signal_handler (&self->resync_handler, self->connection);
    }
    g_clear_object (&self->connection);
    g_clear_pointer (&self->board, dbn_board_free);
    G_OBJECT_CLASS (dbn_board_window_parent_class)->dispose (object);
}

static void
dbn_board_window_class_init (DbnBoardWindowClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = dbn_board_window_dispose;
}

static void
dbn_board_window_init (DbnBoardWindow *self)
{
    self->board = dbn_board_new ();
    gtk_widget_add_css_class (GTK_WIDGET (self), "board");
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
    gtk_widget_set_margin_start (box, 48);
    gtk_widget_set_margin_end (box, 48);
    gtk_widget_set_margin_top (box, 32);
    gtk_widget_set_margin_bottom (box, 32);
    self->title = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->title, 0);
    gtk_widget_add_css_class (GTK_WIDGET (self->title), "board-title");
    self->grid = GTK_GRID (gtk_grid_new ());
    gtk_grid_set_column_spacing (self->grid, 36);
    gtk_grid_set_row_spacing (self->grid, 14);
    gtk_widget_set_vexpand (GTK_WIDGET (self->grid), TRUE);
    self->footer = GTK_LABEL (gtk_label_new (NULL));
    gtk_label_set_xalign (self->footer, 0);
    gtk_widget_add_css_class (GTK_WIDGET (self->footer), "board-footer");
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->title));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->grid));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->footer));
    gtk_window_set_child (GTK_WINDOW (self), box);
}

DbnBoardWindow *
dbn_board_window_new (GtkApplication *app, DbnConnection *connection, guint page_seconds)
{
    DbnBoardWindow *self = g_object_new (DBN_TYPE_BOARD_WINDOW, "application", app, NULL);
    self->connection = g_object_ref (connection);
    gtk_window_set_title (GTK_WINDOW (self), _ ("公开栏"));
    GtkCssProvider *css = gtk_css_provider_new ();
    gtk_css_provider_load_from_data (css, board_css, -1);
    gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    g_object_unref (css);
    self->event_handler = g_signal_connect (connection, "event", G_CALLBACK (on_event), self);
    self->resync_handler = g_signal_connect (connection, "resync", G_CALLBACK (on_resync), self);
    dbn_connection_subscribe (connection, "pub/");
    take_snapshot (self);
    ask_month (self);
    show_page (self);
    self->timer = g_timeout_add_seconds (MAX (page_seconds, 1u), on_timer, self);
    /* The hall's screen: the whole monitor, also where no window manager
     * honours fullscreen (a kiosk session without one). */
    GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
    g_autoptr (GdkMonitor) monitor =
        g_list_model_get_n_items (monitors) > 0 ? g_list_model_get_item (monitors, 0) : NULL;
    if (monitor != NULL) {
        GdkRectangle area;
        gdk_monitor_get_geometry (monitor, &area);
        gtk_window_set_default_size (GTK_WINDOW (self), area.width, area.height);
    }
    gtk_window_fullscreen (GTK_WINDOW (self));
    return self;
}
