/* dbn_eval_board.c: an eval.board reply as rows, a total and a trend.
 *
 * The rates are recomputed here from the counters, as the service's
 * eval_rules.c does (integers, rounded down), rather than sent: the reply
 * stays counters only, and a sum of rows (the area's total, the trend) gets
 * its rate the same way as one row. */
#include "dbn_eval_board.h"

#include <glib/gi18n.h>
#include <stdio.h>

struct _DbnEvalBoard {
    gatomicrefcount ref;
    char *month;
    gboolean closed;
    GPtrArray *rows;   /* DbnEvalRow*: the last month's */
    DbnEvalRow total;  /* the sum of the last month's stations (else windows) */
    GPtrArray *months; /* char*: every month of the reply, oldest first */
    GArray *trend;     /* gint64: the on-time rate of each month's sum */
};

static gint64
permille (gint64 num, gint64 den)
{
    return den > 0 ? num * 1000 / den : -1;
}

static void
row_rates (DbnEvalRow *r)
{
    r->completion_permille = permille (r->completed, r->accepted);
    r->on_time_permille = permille (r->on_time, r->completed);
    r->satisfaction_permille = permille (r->satisfied + r->basic, r->rated);
    r->days_centi = r->completed > 0 ? r->working_days * 100 / r->completed : -1;
}

void
dbn_eval_row_compute_rates (DbnEvalRow *row)
{
    row_rates (row);
}

static void
row_add (DbnEvalRow *sum, const DbnEvalRow *r)
{
    sum->accepted += r->accepted;
    sum->completed += r->completed;
    sum->on_time += r->on_time;
    sum->working_days += r->working_days;
    sum->returns += r->returns;
    sum->repeats += r->repeats;
    sum->rated += r->rated;
    sum->satisfied += r->satisfied;
    sum->basic += r->basic;
    sum->unsatisfied += r->unsatisfied;
}

static void
row_free (DbnEvalRow *r)
{
    g_free (r->scope);
    g_free (r->id);
    g_free (r->name);
    g_free (r);
}

static char *
display_name (DbnOrg *org, gboolean english, const char *scope, const char *id)
{
    if (org != NULL && g_strcmp0 (scope, "window") == 0) {
        const DbnWindow *w = dbn_org_lookup_window (org, id);
        if (w != NULL)
            return g_strdup (english && w->name_en ? w->name_en : w->name_zh);
    } else if (org != NULL) {
        const DbnStation *s = dbn_org_lookup_station (org, id);
        if (s != NULL)
            return g_strdup (english && s->name_en ? s->name_en : s->name_zh);
    }
    return g_strdup (id);
}

static int
compare_rows (gconstpointer a, gconstpointer b)
{
    const DbnEvalRow *x = *(DbnEvalRow *const *) a, *y = *(DbnEvalRow *const *) b;
    /* "station" > "window": windows first. */
    int by_scope = -g_strcmp0 (x->scope, y->scope);
    return by_scope != 0 ? by_scope : g_strcmp0 (x->id, y->id);
}

DbnEvalBoard *
dbn_eval_board_new_from_reply (GBytes *reply, guint n_months, DbnOrg *org, gboolean english, GError **error)
{
    g_autoptr (DbnMsgEvalBoardReply) r =
        dbn_msg_eval_board_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    if (r == NULL)
        return NULL;
    DbnEvalBoard *self = g_new0 (DbnEvalBoard, 1);
    g_atomic_ref_count_init (&self->ref);
    self->month = g_strdup (r->month);
    self->closed = r->closed;
    self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
    self->months = g_ptr_array_new_with_free_func (g_free);
    self->trend = g_array_new (FALSE, FALSE, sizeof (gint64));
    /* Per month: the sum of stations and of windows, for the trend. */
    g_autoptr (GHashTable) station_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr (GHashTable) window_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < r->rows->len; i++) {
        GBytes *b = r->rows->pdata[i];
        g_autoptr (DbnMsgEvalBoardRow) m =
            dbn_msg_eval_board_row_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (m == NULL)
            continue; /* a broken record loses that row, not the page */
        DbnEvalRow *row = g_new0 (DbnEvalRow, 1);
        row->scope = g_strdup (m->scope);
        row->id = g_strdup (m->id);
        row->name = display_name (org, english, m->scope, m->id);
        row->accepted = m->accepted;
        row->completed = m->completed;
        row->on_time = m->on_time;
        row->working_days = m->working_days;
        row->returns = m->returns;
        row->repeats = m->repeats;
        row->rated = m->rated;
        row->satisfied = m->satisfied;
        row->basic = m->basic;
        row->unsatisfied = m->unsatisfied;
        row->stars = (int) m->stars;
        row->score_milli = m->score_milli;
        row_rates (row);
        GHashTable *sums = g_strcmp0 (m->scope, "station") == 0 ? station_sum : window_sum;
        DbnEvalRow *sum = g_hash_table_lookup (sums, m->month);
        if (sum == NULL) {
            sum = g_new0 (DbnEvalRow, 1);
            g_hash_table_insert (sums, g_strdup (m->month), sum);
        }
        row_add (sum, row);
        if (g_strcmp0 (m->month, r->month) == 0)
            g_ptr_array_add (self->rows, row);
        else
            row_free (row);
    }
    g_ptr_array_sort (self->rows, compare_rows);
    /* The trend's points are the n_months months ending with the last,
     * whether or not a month has rows (a month with nothing is a gap). */
    for (int k = (int) n_months - 1; k >= 0; k--) {
        char *m = dbn_eval_month_shift (r->month, -k);
        if (m != NULL)
            g_ptr_array_add (self->months, m);
    }
    GHashTable *sums = g_hash_table_size (station_sum) > 0 ? station_sum : window_sum;
    for (guint k = 0; k < self->months->len; k++) {
        DbnEvalRow *sum = g_hash_table_lookup (sums, g_ptr_array_index (self->months, k));
        gint64 p = sum != NULL ? permille (sum->on_time, sum->completed) : -1;
        g_array_append_val (self->trend, p);
    }
    DbnEvalRow *last = g_hash_table_lookup (sums, r->month);
    if (last != NULL)
        self->total = *last;
    self->total.scope = NULL;
    self->total.id = NULL;
    self->total.name = NULL;
    row_rates (&self->total);
    return self;
}

DbnEvalBoard *
dbn_eval_board_ref (DbnEvalBoard *self)
{
    g_atomic_ref_count_inc (&self->ref);
    return self;
}

void
dbn_eval_board_unref (DbnEvalBoard *self)
{
    if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
        return;
    g_free (self->month);
    g_ptr_array_unref (self->rows);
    g_ptr_array_unref (self->months);
    g_array_unref (self->trend);
    g_free (self);
}

const char *
dbn_eval_board_get_month (DbnEvalBoard *self)
{
    return self->month;
}

gboolean
dbn_eval_board_get_closed (DbnEvalBoard *self)
{
    return self->closed;
}

guint
dbn_eval_board_get_n_rows (DbnEvalBoard *self)
{
    return self->rows->len;
}

const DbnEvalRow *
dbn_eval_board_get_row (DbnEvalBoard *self, guint index)
{
    return index < self->rows->len ? self->rows->pdata[index] : NULL;
}

const DbnEvalRow *
dbn_eval_board_lookup (DbnEvalBoard *self, const char *scope, const char *id)
{
    for (guint i = 0; i < self->rows->len; i++) {
        const DbnEvalRow *r = self->rows->pdata[i];
        if (g_strcmp0 (r->scope, scope) == 0 && g_strcmp0 (r->id, id) == 0)
            return r;
    }
    return NULL;
}

const DbnEvalRow *
dbn_eval_board_get_total (DbnEvalBoard *self)
{
    return &self->total;
}

guint
dbn_eval_board_get_n_months (DbnEvalBoard *self)
{
    return self->months->len;
}

const char *
dbn_eval_board_get_trend_month (DbnEvalBoard *self, guint index)
{
    return index < self->months->len ? self->months->pdata[index] : NULL;
}

gint64
dbn_eval_board_get_trend_permille (DbnEvalBoard *self, guint index)
{
    return index < self->trend->len ? g_array_index (self->trend, gint64, index) : -1;
}

char *
dbn_eval_permille_text (gint64 permille)
{
    if (permille < 0)
        return g_strdup ("—");
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "%%", permille / 10, permille % 10);
}

char *
dbn_eval_stars_text (int stars)
{
    GString *s = g_string_new (NULL);
    for (int i = 0; i < 3; i++)
        g_string_append (s, i < stars ? "★" : "☆");
    return g_string_free (s, FALSE);
}

char *
dbn_eval_month_shift (const char *month, int delta)
{
    unsigned y = 0, m = 0;
    char tail = 0;
    if (month == NULL || sscanf (month, "%4u-%2u%c", &y, &m, &tail) != 2 || m < 1 || m > 12 || y < 2000
        || y > 9999)
        return NULL;
    int index = (int) y * 12 + (int) m - 1 + delta;
    if (index < 2000 * 12 || index > 9999 * 12 + 11)
        return NULL;
    return g_strdup_printf ("%04d-%02d", index / 12, index % 12 + 1);
}

const char *
dbn_eval_column_title (guint column)
{
    static const char *const titles[DBN_EVAL_N_COLUMNS] = {
        N_ ("名称"), N_ ("受理"),     N_ ("办结"),   N_ ("办结率"), N_ ("按时率"), N_ ("平均工作日"),
        N_ ("退回"), N_ ("重复申请"), N_ ("满意度"), N_ ("星级"),   N_ ("得分"),
    };
    return column < DBN_EVAL_N_COLUMNS ? _ (titles[column]) : "";
}

char *
dbn_eval_row_cell (const DbnEvalRow *r, guint column)
{
    switch (column) {
    case 0: return g_strdup (r->name ? r->name : _ ("合计"));
    case 1: return g_strdup_printf ("%" G_GINT64_FORMAT, r->accepted);
    case 2: return g_strdup_printf ("%" G_GINT64_FORMAT, r->completed);
    case 3: return dbn_eval_permille_text (r->completion_permille);
    case 4: return dbn_eval_permille_text (r->on_time_permille);
    case 5:
        return r->days_centi < 0 ? g_strdup ("—")
                                 : g_strdup_printf ("%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT,
                                                    r->days_centi / 100, r->days_centi % 100);
    case 6: return g_strdup_printf ("%" G_GINT64_FORMAT, r->returns);
    case 7: return g_strdup_printf ("%" G_GINT64_FORMAT, r->repeats);
    case 8: return dbn_eval_permille_text (r->satisfaction_permille);
    /* The total has no stars or score of its own: the service scores scopes. */
    case 9: return r->id != NULL ? dbn_eval_stars_text (r->stars) : g_strdup ("");
    case 10:
        return r->id != NULL ? g_strdup_printf ("%" G_GINT64_FORMAT ".%01" G_GINT64_FORMAT,
                                                r->score_milli / 1000, (r->score_milli % 1000) / 100)
                             : g_strdup ("");
    default: return g_strdup ("");
    }
}

static int
setting_percent (DbnConfig *config, const char *key, int fallback)
{
    const char *text = config != NULL ? dbn_config_get_setting (config, "evaluation", key) : NULL;
    guint64 value = 0;
    if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 100, &value, NULL))
        return fallback;
    return (int) value;
}

void
dbn_eval_marks_load (const char *data_dir, int *completion, int *satisfaction)
{
    /* The service refuses a daiban.conf out of range; here a bad value only
     * moves a dashed line, so the default stands in. */
    g_autoptr (DbnConfig) config = data_dir != NULL ? dbn_config_load (data_dir, NULL) : NULL;
    *completion = setting_percent (config, "star_completion_1", 80);
    *satisfaction = setting_percent (config, "star_satisfaction", 90);
}
