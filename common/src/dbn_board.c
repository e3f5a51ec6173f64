/* dbn_board.c: the public board's content and its static HTML export
 * (issue 16 item 4; dbn_board.h). The rows are kept in a hash table by
 * case number and sorted when read, so a board.row event is one upsert. The
 * HTML is written with every text escaped (g_markup_escape_text escapes
 * what HTML needs), into a temporary file renamed into place, so the
 * website never serves half a page. No script: the township's site may
 * forbid it, and a page that is only HTML and CSS works in any browser.
 */
#include "daiban/dbn_board.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#include "dbn_msg_board.h"
#include "dbn_msg_eval.h"

#define STARS_MAX 3 /* D-EV-4 */

struct _DbnBoard {
    GHashTable *rows;  /* case_no → DbnBoardRow* (owned) */
    GPtrArray *sorted; /* borrowed rows by case number; NULL when stale */
    GPtrArray *stars;  /* DbnBoardStars* (owned) */
    char *month;
    gint64 seq;
};

static void
row_free (DbnBoardRow *row)
{
    if (row == NULL)
        return;
    g_free (row->case_no);
    g_free (row->matter);
    g_free (row->matter_name);
    g_free (row->state);
    g_free (row->applicant);
    g_free (row->window);
    g_free (row->due);
    g_free (row);
}

static void
stars_free (DbnBoardStars *stars)
{
    if (stars == NULL)
        return;
    g_free (stars->scope);
    g_free (stars->id);
    g_free (stars);
}

DbnBoard *
dbn_board_new (void)
{
    DbnBoard *self = g_new0 (DbnBoard, 1);
    self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) row_free);
    self->stars = g_ptr_array_new_with_free_func ((GDestroyNotify) stars_free);
    return self;
}

void
dbn_board_free (DbnBoard *self)
{
    if (self == NULL)
        return;
    g_clear_pointer (&self->sorted, g_ptr_array_unref);
    g_hash_table_destroy (self->rows);
    g_ptr_array_unref (self->stars);
    g_free (self->month);
    g_free (self);
}

/* A case that left the board: archived (D-RPL-4) or returned (退回件). */
static gboolean
leaves_board (const char *state)
{
    return g_strcmp0 (state, "archived") == 0 || g_strcmp0 (state, "returned") == 0;
}

static void
put_row (DbnBoard *self, const char *case_no, const char *matter, const char *matter_name, const char *state,
         const char *applicant, const char *window, const char *due)
{
    g_clear_pointer (&self->sorted, g_ptr_array_unref);
    if (leaves_board (state)) {
        g_hash_table_remove (self->rows, case_no);
        return;
    }
    DbnBoardRow *row = g_new0 (DbnBoardRow, 1);
    row->case_no = g_strdup (case_no);
    row->matter = g_strdup (matter);
    row->matter_name = g_strdup (matter_name);
    row->state = g_strdup (state);
    row->applicant = g_strdup (applicant);
    row->window = g_strdup (window ? window : "");
    row->due = g_strdup (due);
    g_hash_table_replace (self->rows, row->case_no, row);
}

gboolean
dbn_board_take_snapshot (DbnBoard *self, GBytes *reply, GError **error)
{
    g_autoptr (DbnMsgRoutingBoardReply) r =
        dbn_msg_routing_board_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    if (r == NULL)
        return FALSE;
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *item = r->items->pdata[i];
        g_autoptr (DbnMsgRoutingBoardItem) it =
            dbn_msg_routing_board_item_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), error);
        if (it == NULL)
            return FALSE;
        put_row (self, it->case_no, it->matter, it->matter_name, it->state, it->applicant, it->window,
                 it->due);
    }
    self->seq = MAX (self->seq, r->seq);
    return TRUE;
}

gint64
dbn_board_get_seq (DbnBoard *self)
{
    return self->seq;
}

gboolean
dbn_board_apply_event (DbnBoard *self, GBytes *event, GError **error)
{
    g_autoptr (DbnMsgBoardRow) ev =
        dbn_msg_board_row_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), error);
    if (ev == NULL)
        return FALSE;
    /* Already in the snapshot (the Clone pattern). */
    if (ev->env.seq <= self->seq)
        return TRUE;
    put_row (self, ev->env.case_no, ev->matter, ev->matter_name, ev->state, ev->applicant, ev->window,
             ev->due);
    self->seq = ev->env.seq;
    return TRUE;
}

gboolean
dbn_board_take_month (DbnBoard *self, GBytes *reply, GError **error)
{
    g_autoptr (DbnMsgEvalMonthReply) r =
        dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    if (r == NULL)
        return FALSE;
    g_ptr_array_set_size (self->stars, 0);
    for (guint i = 0; i < r->figures->len; i++) {
        GBytes *item = r->figures->pdata[i];
        g_autoptr (DbnMsgEvalFigure) f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), error);
        if (f == NULL)
            return FALSE;
        /* A person's figures are not the public's (D-AUD-4 publishes the offices'). */
        if (g_strcmp0 (f->scope, "person") == 0)
            continue;
        DbnBoardStars *s = g_new0 (DbnBoardStars, 1);
        s->scope = g_strdup (f->scope);
        s->id = g_strdup (f->id);
        s->stars = f->stars;
        s->accepted = f->accepted;
        s->completed = f->completed;
        s->rated = f->rated;
        s->satisfied = f->satisfied;
        s->basic = f->basic;
        g_ptr_array_add (self->stars, s);
    }
    g_free (self->month);
    self->month = g_strdup (r->month);
    return TRUE;
}

const char *
dbn_board_get_month (DbnBoard *self)
{
    return self->month;
}

static gint
by_case_no (gconstpointer a, gconstpointer b)
{
    const DbnBoardRow *x = *(DbnBoardRow *const *) a, *y = *(DbnBoardRow *const *) b;
    return strcmp (x->case_no, y->case_no);
}

static GPtrArray *
sorted (DbnBoard *self)
{
    if (self->sorted == NULL) {
        self->sorted = g_ptr_array_sized_new (g_hash_table_size (self->rows));
        GHashTableIter iter;
        gpointer row;
        g_hash_table_iter_init (&iter, self->rows);
        while (g_hash_table_iter_next (&iter, NULL, &row))
            g_ptr_array_add (self->sorted, row);
        g_ptr_array_sort (self->sorted, by_case_no);
    }
    return self->sorted;
}

guint
dbn_board_get_n_rows (DbnBoard *self)
{
    return g_hash_table_size (self->rows);
}

const DbnBoardRow *
dbn_board_get_row (DbnBoard *self, guint index)
{
    GPtrArray *rows = sorted (self);
    return index < rows->len ? rows->pdata[index] : NULL;
}

guint
dbn_board_get_n_stars (DbnBoard *self)
{
    return self->stars->len;
}

const DbnBoardStars *
dbn_board_get_stars (DbnBoard *self, guint index)
{
    return index < self->stars->len ? self->stars->pdata[index] : NULL;
}

const char *
dbn_board_state_display (const char *state)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        { "received", "已接收" },
        { "awaiting_materials", "待补材料" },
        { "classified", "已受理" },
        { "assigned", "已分派" },
        { "in_progress", "办理中" },
        { "escalated", "已上报县级" },
        { "county_answered", "县级已答复" },
        { "completed", "已办结" },
        { "returned", "已退回" },
        { "replied", "已答复" },
        { "archived", "已归档" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (state, names[i].id) == 0)
            return names[i].name;
    return state != NULL ? state : "";
}

char *
dbn_board_dup_stars_text (gint64 stars)
{
    GString *text = g_string_new (NULL);
    for (gint64 i = 0; i < STARS_MAX; i++)
        g_string_append (text, i < stars ? "★" : "☆");
    return g_string_free (text, FALSE);
}

/* Appends text escaped for HTML. */
static void
esc (GString *out, const char *text)
{
    g_autofree char *e = g_markup_escape_text (text ? text : "", -1);
    g_string_append (out, e);
}

static void
cell (GString *out, const char *text)
{
    g_string_append (out, "<td>");
    esc (out, text);
    g_string_append (out, "</td>");
}

static const char board_css[] =
    "/* daiban public board (D-AUD-4, 公开): no script, large type. */\n"
    "body { font-family: \"Noto Sans CJK SC\", \"WenQuanYi Micro Hei\", sans-serif; margin: 1.5em;\n"
    "       background: #fdfaf3; color: #222; font-size: 20px; }\n"
    "h1 { color: #b22222; border-bottom: 4px solid #b22222; padding-bottom: .3em; }\n"
    "h2 { color: #8b0000; margin-top: 1.5em; }\n"
    "table { border-collapse: collapse; width: 100%; background: #fff; }\n"
    "th, td { border: 1px solid #ccc; padding: .4em .6em; text-align: left; vertical-align: top; }\n"
    "th { background: #b22222; color: #fff; }\n"
    "tr:nth-child(even) td { background: #f6f0e4; }\n"
    ".stars { color: #d4a017; font-size: 1.3em; letter-spacing: .1em; }\n"
    ".note { color: #666; font-size: .8em; }\n";

static void
write_progress (DbnBoard *self, GString *out)
{
    g_string_append (out, "<section id=\"progress\"><h2>办理进度</h2>\n");
    if (dbn_board_get_n_rows (self) == 0) {
        g_string_append (out, "<p>目前没有在办事项。</p></section>\n");
        return;
    }
    g_string_append (out, "<table><thead><tr><th>案件编号</th><th>事项</th><th>申请人</th><th>状态</th>"
                          "<th>办理期限</th></tr></thead><tbody>\n");
    for (guint i = 0; i < dbn_board_get_n_rows (self); i++) {
        const DbnBoardRow *r = dbn_board_get_row (self, i);
        g_string_append (out, "<tr>");
        cell (out, r->case_no);
        cell (out, r->matter_name);
        cell (out, r->applicant);
        cell (out, dbn_board_state_display (r->state));
        cell (out, r->due ? r->due : "—");
        g_string_append (out, "</tr>\n");
    }
    g_string_append (out, "</tbody></table></section>\n");
}

static void
write_catalog (DbnCatalog *catalog, GString *out)
{
    g_string_append (out, "<section id=\"catalog\"><h2>代办事项清单</h2>\n"
                          "<table><thead><tr><th>事项</th><th>所需材料</th><th>办理时限</th><th>收费</th>"
                          "</tr></thead><tbody>\n");
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (catalog, i);
        /* D-INT-8: petitions are not a service offered on the board. */
        if (m->restricted)
            continue;
        g_autofree char *materials = m->materials ? g_strjoinv ("、", m->materials) : g_strdup ("");
        g_autofree char *limit = g_strdup_printf ("%d 个工作日", m->limit_days);
        g_autofree char *fee = m->fee_fen == 0
                                   ? g_strdup ("免费")
                                   : g_strdup_printf ("%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT " 元",
                                                      m->fee_fen / 100, m->fee_fen % 100);
        g_string_append (out, "<tr>");
        cell (out, m->name_zh);
        cell (out, materials);
        cell (out, limit);
        cell (out, fee);
        g_string_append (out, "</tr>\n");
    }
    g_string_append (out, "</tbody></table></section>\n");
}

static void
write_stars (DbnBoard *self, GString *out)
{
    g_string_append (out, "<section id=\"stars\"><h2>本月星级评定");
    if (self->month != NULL) {
        g_string_append (out, "（");
        esc (out, self->month);
        g_string_append (out, "）");
    }
    g_string_append (out, "</h2>\n");
    if (self->stars->len == 0) {
        g_string_append (out, "<p>本月尚无评定。</p></section>\n");
        return;
    }
    g_string_append (out, "<table><thead><tr><th>窗口 / 代办站</th><th>星级</th><th>受理</th><th>办结</th>"
                          "<th>满意率</th></tr></thead><tbody>\n");
    for (guint i = 0; i < self->stars->len; i++) {
        const DbnBoardStars *s = self->stars->pdata[i];
        const char *scope = g_strcmp0 (s->scope, "window") == 0    ? "窗口"
                            : g_strcmp0 (s->scope, "station") == 0 ? "代办站"
                                                                   : "乡镇";
        g_autofree char *who = g_strdup_printf ("%s %s", scope, s->id);
        g_autofree char *stars = dbn_board_dup_stars_text (s->stars);
        g_autofree char *accepted = g_strdup_printf ("%" G_GINT64_FORMAT, s->accepted);
        g_autofree char *completed = g_strdup_printf ("%" G_GINT64_FORMAT, s->completed);
        g_autofree char *rate = s->rated > 0
                                    ? g_strdup_printf ("%.1f%%", 100.0 * (s->satisfied + s->basic) / s->rated)
                                    : g_strdup ("—");
        g_string_append (out, "<tr>");
        cell (out, who);
        g_string_append (out, "<td class=\"stars\">");
        esc (out, stars);
        g_string_append (out, "</td>");
        cell (out, accepted);
        cell (out, completed);
        cell (out, rate);
        g_string_append (out, "</tr>\n");
    }
    g_string_append (out, "</tbody></table></section>\n");
}

static gboolean
write_file (const char *dir, const char *name, const char *contents, GError **error)
{
    g_autofree char *path = g_build_filename (dir, name, NULL);
    return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

gboolean
dbn_board_write_html (DbnBoard *self, DbnCatalog *catalog, const char *title, const char *dir, GError **error)
{
    if (g_mkdir_with_parents (dir, 0755) != 0) {
        int saved = errno;
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot create %s: %s", dir,
                     g_strerror (saved));
        return FALSE;
    }
    g_autoptr (GString) out = g_string_new ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
                                            "<meta charset=\"utf-8\">\n<title>");
    esc (out, title);
    g_string_append (out, "</title>\n<link rel=\"stylesheet\" href=\"board.css\">\n</head>\n<body>\n<h1>");
    esc (out, title);
    g_string_append (out, "</h1>\n");
    write_progress (self, out);
    if (catalog != NULL)
        write_catalog (catalog, out);
    write_stars (self, out);
    g_string_append (out,
                     "<p class=\"note\">申请人姓名已隐去，不公开身份证号和电话。</p>\n</body>\n</html>\n");
    return write_file (dir, "board.css", board_css, error) && write_file (dir, "index.html", out->str, error);
}
