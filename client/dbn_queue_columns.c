/* dbn_queue_columns.c: one factory per column, binding a GtkLabel to the
 * column's text. A changed row is rebound as a whole (the model reports it
 * as items-changed), so the cells need no property bindings. */
#include "dbn_queue_columns.h"

#include <string.h>
#include <glib/gi18n.h>

int
dbn_queue_item_days_left (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today)
{
    GDate due;
    if (today == NULL || !dbn_queue_item_get_due_date (item, &due))
        return G_MININT;
    /* D-DL-3: a calendar-day clock counts every day, as the service does. */
    if (dbn_queue_item_get_calendar_days (item))
        return g_date_days_between (today, &due);
    if (calendar == NULL)
        return G_MININT;
    /* The calendar's table lookups: holidays, adjusted working weekends
     * and the area's closures, as the deadline service counts them. */
    return dbn_calendar_working_days_between (calendar, dbn_queue_item_get_area (item), today, &due, NULL);
}

char *
dbn_queue_item_dup_due_text (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today)
{
    if (dbn_queue_item_get_suspended (item)) {
        int remaining = dbn_queue_item_get_remaining (item);
        if (remaining == G_MININT)
            return g_strdup (_ ("已暂停"));
        return g_strdup_printf (dbn_queue_item_get_calendar_days (item)
                                    ? _ ("已暂停（恢复后剩 %d 天）")
                                    : _ ("已暂停（恢复后剩 %d 个工作日）"),
                                remaining);
    }
    GDate due;
    if (!dbn_queue_item_get_due_date (item, &due))
        return g_strdup ("—");
    char date[16];
    g_snprintf (date, sizeof date, "%04d-%02d-%02d", g_date_get_year (&due), g_date_get_month (&due),
                g_date_get_day (&due));
    int left = dbn_queue_item_days_left (item, calendar, today);
    /* D-DL-5: a date counted on weekends only is flagged, not passed off. */
    const char *flag = dbn_queue_item_get_covered (item) ? "" : _ ("（仅按周末计）");
    if (left == G_MININT)
        return g_strdup_printf ("%s%s", date, flag);
    if (dbn_queue_item_get_calendar_days (item))
        return left < 0 ? g_strdup_printf (_ ("%s（超期 %d 天）%s"), date, -left, flag)
                        : g_strdup_printf (_ ("%s（剩 %d 天）%s"), date, left, flag);
    return left < 0 ? g_strdup_printf (_ ("%s（超期 %d 个工作日）%s"), date, -left, flag)
                    : g_strdup_printf (_ ("%s（剩 %d 个工作日）%s"), date, left, flag);
}

const char *
dbn_queue_item_due_class (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today)
{
    if (!dbn_queue_item_get_due_known (item))
        return NULL;
    if (dbn_queue_item_get_suspended (item))
        return "suspended";
    const char *stage = dbn_queue_item_get_stage (item);
    int left = dbn_queue_item_days_left (item, calendar, today);
    if (g_strcmp0 (stage, "overdue") == 0 || g_strcmp0 (stage, "violation") == 0
        || (left != G_MININT && left < 0))
        return "overdue";
    if (g_strcmp0 (stage, "warning") == 0 || (left != G_MININT && left <= 1))
        return "due-soon";
    return NULL;
}

char *
dbn_queue_item_dup_text (DbnQueueItem *item, DbnColumn column)
{
    switch (column) {
    case DBN_COLUMN_CASE: return g_strdup (dbn_queue_item_get_case_no (item));
    case DBN_COLUMN_MATTER:
        return g_strdup (*dbn_queue_item_get_matter_name (item) ? dbn_queue_item_get_matter_name (item)
                                                                : dbn_queue_item_get_matter (item));
    case DBN_COLUMN_APPLICANT: return g_strdup (dbn_queue_item_get_applicant (item));
    case DBN_COLUMN_KIND: return g_strdup (dbn_kind_display (dbn_queue_item_get_kind (item)));
    case DBN_COLUMN_STATE:
        return g_strdup (dbn_queue_item_get_pending (item)
                             ? _ ("未发送")
                             : dbn_state_display (dbn_queue_item_get_state (item)));
    case DBN_COLUMN_DUE: return dbn_queue_item_dup_due_text (item, NULL, NULL);
    case DBN_COLUMN_RESPONSIBLE: return g_strdup (dbn_queue_item_get_responsible (item));
    case DBN_COLUMN_WINDOW: return g_strdup (dbn_queue_item_get_window (item));
    case DBN_COLUMN_LOCATION: return g_strdup (dbn_location_display (dbn_queue_item_get_location (item)));
    }
    return g_strdup ("");
}

typedef struct {
    DbnColumn column;          /* which column */
    DbnConnection *connection; /* owned ref, may be NULL */
    DbnNeedApplicantFunc need; /* lazy applicant fetch, may be NULL */
    gpointer user_data;
} Column;

static void
free_column_notify (gpointer data, GClosure *closure)
{
    Column *c = data;
    g_clear_object (&c->connection);
    g_free (c);
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
    Column *c = user_data;
    DbnQueueItem *item = gtk_list_item_get_item (list_item);
    GtkWidget *label = gtk_list_item_get_child (list_item);
    g_autofree char *text = NULL;
    gtk_widget_remove_css_class (label, "overdue");
    gtk_widget_remove_css_class (label, "due-soon");
    gtk_widget_remove_css_class (label, "suspended");
    gtk_widget_remove_css_class (label, "pending");
    if (c->column == DBN_COLUMN_DUE) {
        GDate today;
        DbnCalendar *calendar = NULL;
        if (c->connection != NULL) {
            calendar = dbn_connection_get_calendar (c->connection);
            dbn_connection_get_today (c->connection, &today);
        }
        text = dbn_queue_item_dup_due_text (item, calendar, c->connection ? &today : NULL);
        const char *css = dbn_queue_item_due_class (item, calendar, c->connection ? &today : NULL);
        if (css != NULL)
            gtk_widget_add_css_class (label, css);
    } else {
        text = dbn_queue_item_dup_text (item, c->column);
    }
    gtk_label_set_text (GTK_LABEL (label), text);
    if (c->column == DBN_COLUMN_STATE && dbn_queue_item_get_pending (item))
        gtk_widget_add_css_class (label, "pending");
    if (c->column == DBN_COLUMN_APPLICANT && *text == '\0' && c->need != NULL
        && !dbn_queue_item_get_pending (item))
        c->need (item, c->user_data);
}

static const char *
column_title (DbnColumn column)
{
    static const char *titles[] = {
        N_ ("编号"), N_ ("事项"),       N_ ("申办人"), N_ ("类别"),     N_ ("状态"),
        N_ ("期限"), N_ ("首问责任人"), N_ ("窗口"),   N_ ("材料位置"),
    };
    return _ (titles[column]);
}

static char *
sort_key (DbnQueueItem *item, gpointer column)
{
    if (item == NULL)
        return NULL;
    /* Dates first (earliest first), then stopped clocks (fewest days
     * first), then cases without a date. */
    if (GPOINTER_TO_INT (column) == DBN_COLUMN_DUE) {
        GDate due;
        if (dbn_queue_item_get_suspended (item)) {
            int remaining = dbn_queue_item_get_remaining (item);
            return g_strdup_printf ("1%07d",
                                    remaining == G_MININT ? 9999999 : CLAMP (remaining + 100000, 0, 9999999));
        }
        if (dbn_queue_item_get_due_date (item, &due))
            return g_strdup_printf ("0%07u", g_date_get_julian (&due));
        return g_strdup ("2");
    }
    return dbn_queue_item_dup_text (item, GPOINTER_TO_INT (column));
}

void
dbn_queue_columns_add (GtkColumnView *view, DbnColumn column, DbnConnection *connection,
                       DbnNeedApplicantFunc need, gpointer user_data)
{
    Column *c = g_new0 (Column, 1);
    c->column = column;
    c->connection = connection != NULL ? g_object_ref (connection) : NULL;
    c->need = need;
    c->user_data = user_data;
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
    g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell), c, free_column_notify, 0);
    GtkColumnViewColumn *col = gtk_column_view_column_new (column_title (column), factory);
    /* Sort on what the column shows (dates sort as zero-padded numbers). */
    GtkExpression *expr = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (sort_key),
                                                       GINT_TO_POINTER (column), NULL);
    gtk_column_view_column_set_sorter (col, GTK_SORTER (gtk_string_sorter_new (expr)));
    gtk_column_view_column_set_resizable (col, TRUE);
    gtk_column_view_column_set_expand (col, column == DBN_COLUMN_MATTER);
    gtk_column_view_append_column (view, col);
    g_object_unref (col);
}

static gboolean
has_letters (const char *text)
{
    for (const char *p = text; *p; p++)
        if (g_ascii_isalpha (*p))
            return TRUE;
    return FALSE;
}

static gboolean
filter_match (gpointer item, gpointer user_data)
{
    GtkEditable *search = user_data;
    const char *text = gtk_editable_get_text (search);
    if (text == NULL || *text == '\0')
        return TRUE;
    /* Chinese and digits match as typed, without allocating: a search runs
     * over every row of the queue (100,000 in the benchmark). Only text with
     * Latin letters is compared case-insensitively. */
    if (!has_letters (text)) {
        const char *values[] = {
            dbn_queue_item_get_case_no (item),
            dbn_queue_item_get_matter_name (item),
            dbn_queue_item_get_applicant (item),
            dbn_queue_item_get_pending (item) ? _ ("未发送")
                                              : dbn_state_display (dbn_queue_item_get_state (item)),
            dbn_kind_display (dbn_queue_item_get_kind (item)),
        };
        for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
            if (strstr (values[i], text) != NULL)
                return TRUE;
        return FALSE;
    }
    g_autofree char *needle = g_utf8_casefold (text, -1);
    DbnColumn columns[] = { DBN_COLUMN_CASE, DBN_COLUMN_MATTER, DBN_COLUMN_APPLICANT, DBN_COLUMN_STATE,
                            DBN_COLUMN_KIND };
    for (gsize i = 0; i < G_N_ELEMENTS (columns); i++) {
        g_autofree char *value = dbn_queue_item_dup_text (item, columns[i]);
        g_autofree char *folded = g_utf8_casefold (value, -1);
        if (strstr (folded, needle) != NULL)
            return TRUE;
    }
    return FALSE;
}

GtkFilter *
dbn_queue_filter_new (GtkEditable *search)
{
    return GTK_FILTER (gtk_custom_filter_new (filter_match, search, NULL));
}

void
dbn_queue_filter_update (GtkFilterListModel *model, GtkFilter *filter, GtkEditable *search)
{
    const char *text = gtk_editable_get_text (search);
    if (text == NULL || *text == '\0') {
        gtk_filter_list_model_set_filter (model, NULL);
        return;
    }
    if (gtk_filter_list_model_get_filter (model) != filter)
        gtk_filter_list_model_set_filter (model, filter);
    else
        gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
}

GtkSingleSelection *
dbn_queue_columns_set_model (GtkColumnView *view, DbnQueueModel *model, const DbnColumn *columns, gsize n,
                             DbnConnection *connection, DbnNeedApplicantFunc need, gpointer user_data,
                             GtkFilterListModel **filtered)
{
    g_return_val_if_fail (GTK_IS_COLUMN_VIEW (view) && DBN_IS_QUEUE_MODEL (model) && filtered != NULL, NULL);
    *filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (model)), NULL);
    for (gsize i = 0; i < n; i++)
        dbn_queue_columns_add (view, columns[i], connection, need, user_data);
    /* The view's sorter: a click on a header sorts. */
    GtkSorter *sorter = gtk_column_view_get_sorter (view);
    GtkSortListModel *sorted =
        gtk_sort_list_model_new (G_LIST_MODEL (*filtered), sorter ? g_object_ref (sorter) : NULL);
    GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
    gtk_single_selection_set_autoselect (selection, FALSE);
    gtk_single_selection_set_can_unselect (selection, TRUE);
    gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
    return selection;
}

gboolean
dbn_queue_selection_select (GtkSingleSelection *selection, const char *case_no)
{
    GListModel *list = G_LIST_MODEL (selection);
    for (guint i = 0; i < g_list_model_get_n_items (list); i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (list, i);
        if (g_strcmp0 (dbn_queue_item_get_case_no (item), case_no) == 0) {
            gtk_single_selection_set_selected (selection, i);
            return TRUE;
        }
    }
    return FALSE;
}
