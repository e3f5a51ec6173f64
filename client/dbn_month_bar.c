/* dbn_month_bar.c: the month selector the one-month pages share.
 *
 * The actions find the page's month and its set_month through the class
 * (type qdata set by dbn_month_bar_install_actions), so a page installs
 * them with one call instead of its own prev/next/shift functions. */
#include "dbn_month_bar.h"

#include "dbn_eval_board.h"

typedef struct {
    glong month_offset;
    DbnMonthShowFunc show;
} MonthClass; /* lives as long as the class: never freed */

static GQuark
month_class_quark (void)
{
    return g_quark_from_static_string ("dbn-month-bar-class");
}

GtkWidget *
dbn_action_button (const char *label, const char *action)
{
    GtkWidget *b = gtk_button_new_with_label (label);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (b), action);
    return b;
}

static void
step (GtkWidget *page, int delta)
{
    const MonthClass *mc = g_type_get_qdata (G_OBJECT_TYPE (page), month_class_quark ());
    g_return_if_fail (mc != NULL);
    const char *month = G_STRUCT_MEMBER (char *, page, mc->month_offset);
    g_autofree char *to = dbn_eval_month_shift (month, delta);
    if (to != NULL)
        mc->show (page, to);
}

static void
action_prev (GtkWidget *widget, const char *name, GVariant *param)
{
    step (widget, -1);
}

static void
action_next (GtkWidget *widget, const char *name, GVariant *param)
{
    step (widget, 1);
}

void
dbn_month_bar_install_actions (GtkWidgetClass *klass, const char *prefix, glong month_offset,
                               DbnMonthShowFunc show)
{
    g_return_if_fail (GTK_IS_WIDGET_CLASS (klass) && prefix != NULL && show != NULL);
    MonthClass *mc = g_new0 (MonthClass, 1);
    mc->month_offset = month_offset;
    mc->show = show;
    g_type_set_qdata (G_TYPE_FROM_CLASS (klass), month_class_quark (), mc);
    g_autofree char *prev = g_strconcat (prefix, ".prev", NULL);
    g_autofree char *next = g_strconcat (prefix, ".next", NULL);
    gtk_widget_class_install_action (klass, prev, NULL, action_prev);
    gtk_widget_class_install_action (klass, next, NULL, action_next);
}

GtkWidget *
dbn_month_bar_new (const char *prefix, GtkLabel **month_label)
{
    g_autofree char *prev = g_strconcat (prefix, ".prev", NULL);
    g_autofree char *next = g_strconcat (prefix, ".next", NULL);
    GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (bar), dbn_action_button ("◀", prev));
    *month_label = GTK_LABEL (gtk_label_new (""));
    gtk_widget_add_css_class (GTK_WIDGET (*month_label), "title-3");
    gtk_box_append (GTK_BOX (bar), GTK_WIDGET (*month_label));
    gtk_box_append (GTK_BOX (bar), dbn_action_button ("▶", next));
    return bar;
}

GtkLabel *
dbn_month_bar_add_status (GtkWidget *bar, const char *text)
{
    GtkLabel *status = GTK_LABEL (gtk_label_new (text));
    gtk_widget_set_hexpand (GTK_WIDGET (status), TRUE);
    gtk_label_set_xalign (status, 0);
    gtk_label_set_ellipsize (status, PANGO_ELLIPSIZE_END);
    gtk_widget_add_css_class (GTK_WIDGET (status), "dim-label");
    gtk_box_append (GTK_BOX (bar), GTK_WIDGET (status));
    return status;
}

char *
dbn_month_today (DbnConnection *connection)
{
    GDate today;
    dbn_connection_get_today (connection, &today);
    return g_strdup_printf ("%04d-%02d", g_date_get_year (&today), g_date_get_month (&today));
}
