/* dbn_eval_panel.c: the station's and window's own month, in one line.
 *
 * It asks for the current month only (eval.board, months 1): the trend is
 * the supervisor's page's. A unit with no case this month has no row: it
 * says so rather than showing zeros that look like a bad month. */
#include "dbn_eval_panel.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_eval_board.h"

#define PANEL_TIMEOUT_MS 5000

struct _DbnEvalPanel {
    GtkWidget parent_instance;
    DbnConnection *connection;
    char *scope;
    char *id;
    guint n_answers;
    GtkLabel *stars;
    GtkLabel *line;
};

G_DEFINE_TYPE (DbnEvalPanel, dbn_eval_panel, GTK_TYPE_WIDGET)

static void
on_board (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnEvalPanel) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (self->connection == NULL)
        return;
    self->n_answers++;
    g_autoptr (DbnEvalBoard) board =
        reply != NULL ? dbn_eval_board_new_from_reply (reply, 1, NULL, FALSE, &error) : NULL;
    if (board == NULL) {
        /* Evaluation may be down while the queue works: say so, quietly. */
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->stars, "");
        gtk_label_set_text (self->line, line);
        return;
    }
    const DbnEvalRow *r = dbn_eval_board_lookup (board, self->scope, self->id);
    const char *month = dbn_eval_board_get_month (board);
    if (r == NULL) {
        g_autofree char *text = g_strdup_printf (_ ("本月 %s：尚无受理"), month);
        gtk_label_set_text (self->stars, "");
        gtk_label_set_text (self->line, text);
        return;
    }
    g_autofree char *stars = dbn_eval_stars_text (r->stars);
    g_autofree char *completion = dbn_eval_permille_text (r->completion_permille);
    g_autofree char *on_time = dbn_eval_permille_text (r->on_time_permille);
    g_autofree char *satisfaction = dbn_eval_permille_text (r->satisfaction_permille);
    g_autofree char *score = dbn_eval_row_cell (r, 10);
    /* %lld, not G_GINT64_FORMAT: xgettext cannot see through the macro. */
    g_autofree char *text = g_strdup_printf (
        _ ("本月 %s：受理 %lld，办结 %lld，办结率 %s，按时率 %s，满意度 %s，得分 %s"), month,
        (long long) r->accepted, (long long) r->completed, completion, on_time, satisfaction, score);
    /* Gold stars, larger than the line: what a station looks at first. */
    g_autofree char *markup =
        g_markup_printf_escaped ("<span size='x-large' foreground='#c8960c'>%s</span>", stars);
    gtk_label_set_markup (self->stars, markup);
    gtk_label_set_text (self->line, text);
}

void
dbn_eval_panel_refresh (DbnEvalPanel *self)
{
    GDate today;
    dbn_connection_get_today (self->connection, &today);
    g_autoptr (DbnMsgEvalBoard) m = dbn_msg_eval_board_new ();
    m->env.key = dbn_command_new_key ();
    m->month = g_strdup_printf ("%04d-%02d", g_date_get_year (&today), g_date_get_month (&today));
    m->has_months = TRUE;
    m->months = 1;
    g_autoptr (GBytes) body = dbn_msg_eval_board_encode (m, NULL);
    dbn_connection_call_async (self->connection, "evaluation", body, PANEL_TIMEOUT_MS, on_board,
                               g_object_ref (self));
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_eval_panel_refresh (DBN_EVAL_PANEL (widget));
}

static void
on_map (GtkWidget *widget)
{
    GTK_WIDGET_CLASS (dbn_eval_panel_parent_class)->map (widget);
    dbn_eval_panel_refresh (DBN_EVAL_PANEL (widget));
}

static void
dbn_eval_panel_dispose (GObject *object)
{
    DbnEvalPanel *self = DBN_EVAL_PANEL (object);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_eval_panel_parent_class)->dispose (object);
}

static void
dbn_eval_panel_finalize (GObject *object)
{
    DbnEvalPanel *self = DBN_EVAL_PANEL (object);
    g_free (self->scope);
    g_free (self->id);
    G_OBJECT_CLASS (dbn_eval_panel_parent_class)->finalize (object);
}

static void
dbn_eval_panel_class_init (DbnEvalPanelClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    G_OBJECT_CLASS (klass)->dispose = dbn_eval_panel_dispose;
    G_OBJECT_CLASS (klass)->finalize = dbn_eval_panel_finalize;
    widget_class->map = on_map;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
    gtk_widget_class_install_action (widget_class, "stars.refresh", NULL, action_refresh);
}

static void
dbn_eval_panel_init (DbnEvalPanel *self)
{
    GtkBoxLayout *layout = GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));
    gtk_box_layout_set_spacing (layout, 8);
    gtk_widget_set_margin_top (GTK_WIDGET (self), 2);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self), 2);
    self->stars = GTK_LABEL (gtk_label_new (""));
    gtk_widget_add_css_class (GTK_WIDGET (self->stars), "dbn-stars");
    gtk_widget_set_parent (GTK_WIDGET (self->stars), GTK_WIDGET (self));
    self->line = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->line, 0);
    gtk_label_set_wrap (self->line, TRUE);
    gtk_widget_set_hexpand (GTK_WIDGET (self->line), TRUE);
    gtk_widget_set_parent (GTK_WIDGET (self->line), GTK_WIDGET (self));
    GtkWidget *button = gtk_button_new_from_icon_name ("view-refresh-symbolic");
    gtk_widget_set_tooltip_text (button, _ ("刷新考核"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "stars.refresh");
    gtk_widget_set_parent (button, GTK_WIDGET (self));
}

GtkWidget *
dbn_eval_panel_new (DbnConnection *connection, const char *scope, const char *id)
{
    DbnEvalPanel *self = g_object_new (DBN_TYPE_EVAL_PANEL, NULL);
    self->connection = g_object_ref (connection);
    self->scope = g_strdup (scope);
    self->id = g_strdup (id);
    return GTK_WIDGET (self);
}

const char *
dbn_eval_panel_get_text (DbnEvalPanel *self)
{
    return gtk_label_get_text (self->line);
}

guint
dbn_eval_panel_get_n_answers (DbnEvalPanel *self)
{
    return self->n_answers;
}
