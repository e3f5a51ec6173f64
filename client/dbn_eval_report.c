/* dbn_eval_report.c: the 月度考核表 laid out top-down in points: title, who
 * and the month, whether the figures are fixed (closed) or still moving, the
 * table (every row and the total), then dbn_eval_chart_draw_board. */
#include "dbn_eval_report.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "dbn_eval_chart.h"

#define PAGE_W 842.0 /* A4 landscape */
#define PAGE_H 595.0
#define MARGIN 36.0
#define ROW_H  16.0
/* Rows that leave the charts room on the first page; more go on their own. */
#define ROWS_WITH_CHARTS 10

struct _DbnEvalReport {
    DbnEvalBoard *board;
    char *who;
    int star_completion, star_satisfaction;
};

DbnEvalReport *
dbn_eval_report_new (DbnEvalBoard *board, const char *who, int star_completion, int star_satisfaction)
{
    DbnEvalReport *self = g_new0 (DbnEvalReport, 1);
    self->board = dbn_eval_board_ref (board);
    self->who = g_strdup (who ? who : "");
    self->star_completion = star_completion;
    self->star_satisfaction = star_satisfaction;
    return self;
}

void
dbn_eval_report_free (DbnEvalReport *self)
{
    if (self == NULL)
        return;
    dbn_eval_board_unref (self->board);
    g_free (self->who);
    g_free (self);
}

int
dbn_eval_report_get_n_pages (DbnEvalReport *self)
{
    return dbn_eval_board_get_n_rows (self->board) <= ROWS_WITH_CHARTS ? 1 : 2;
}

static double
text (cairo_t *cr, double x, double y, double width, const char *font, const char *s, PangoAlignment align)
{
    PangoLayout *layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc = pango_font_description_from_string (font);
    pango_layout_set_font_description (layout, desc);
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment (layout, align);
    pango_layout_set_text (layout, s, -1);
    cairo_move_to (cr, x, y);
    pango_cairo_show_layout (cr, layout);
    cairo_new_path (cr); /* the move_to above must not join the next shape */
    int w, h;
    pango_layout_get_size (layout, &w, &h);
    pango_font_description_free (desc);
    g_object_unref (layout);
    return (double) h / PANGO_SCALE;
}

/* The table: a heading row, every row, the total; returns the y under it. */
static double
draw_table (DbnEvalReport *self, cairo_t *cr, double x, double y, double width, double max_y)
{
    /* The name takes a sixth; the ten figures share the rest. */
    double name_w = width * 0.17, cell_w = (width - name_w) / (DBN_EVAL_N_COLUMNS - 1);
    guint n = dbn_eval_board_get_n_rows (self->board);
    cairo_set_line_width (cr, 0.5);
    for (guint i = 0; i <= n + 1; i++) {
        double row_y = y + i * ROW_H;
        if (row_y + ROW_H > max_y)
            break;
        const DbnEvalRow *r = i == 0   ? NULL
                              : i <= n ? dbn_eval_board_get_row (self->board, i - 1)
                                       : dbn_eval_board_get_total (self->board);
        if (i == 0 || i == n + 1) {
            cairo_set_source_rgb (cr, 0.92, 0.94, 0.97);
            cairo_rectangle (cr, x, row_y, width, ROW_H);
            cairo_fill (cr);
        }
        cairo_set_source_rgb (cr, 0, 0, 0);
        for (guint c = 0; c < DBN_EVAL_N_COLUMNS; c++) {
            double cx = c == 0 ? x : x + name_w + (c - 1) * cell_w;
            double cw = c == 0 ? name_w : cell_w;
            g_autofree char *cell =
                r != NULL ? dbn_eval_row_cell (r, c) : g_strdup (dbn_eval_column_title (c));
            text (cr, cx + 3, row_y + 2, cw - 6,
                  i == 0 || i == n + 1 ? "Noto Sans CJK SC Bold 8" : "Noto Sans CJK SC 8", cell,
                  c == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
        }
        cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
        cairo_move_to (cr, x, row_y + ROW_H);
        cairo_line_to (cr, x + width, row_y + ROW_H);
        cairo_stroke (cr);
    }
    return y + (n + 2) * ROW_H;
}

void
dbn_eval_report_draw_page (DbnEvalReport *self, cairo_t *cr, double width, double height, int page)
{
    double inner = width - 2 * MARGIN, y = MARGIN;
    const char *month = dbn_eval_board_get_month (self->board);
    cairo_set_source_rgb (cr, 0, 0, 0);
    g_autofree char *title = g_strdup_printf (_ ("%s 月度考核表"), month);
    y += text (cr, MARGIN, y, inner, "Noto Serif CJK SC Bold 18", title, PANGO_ALIGN_CENTER) + 4;
    g_autofree char *sub =
        g_strdup_printf ("%s    %s", self->who,
                         dbn_eval_board_get_closed (self->board) ? _ ("本月已关账，数字已固定")
                                                                 : _ ("本月未关账，数字以关账时为准"));
    y += text (cr, MARGIN, y, inner, "Noto Sans CJK SC 10", sub, PANGO_ALIGN_CENTER) + 10;
    gboolean both = dbn_eval_report_get_n_pages (self) == 1;
    if (page == 0)
        y = draw_table (self, cr, MARGIN, y, inner, height - MARGIN) + 12;
    if (both || page == 1)
        dbn_eval_chart_draw_board (cr, MARGIN, y, inner, height - MARGIN - y, self->board,
                                   self->star_completion, self->star_satisfaction);
    g_autofree char *foot =
        g_strdup_printf (_ ("第 %d 页，共 %d 页"), page + 1, dbn_eval_report_get_n_pages (self));
    cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
    text (cr, MARGIN, height - MARGIN + 8, inner, "Noto Sans CJK SC 8", foot, PANGO_ALIGN_CENTER);
}

gboolean
dbn_eval_report_export_pdf (DbnEvalReport *self, const char *path, GError **error)
{
    cairo_surface_t *surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
    g_autofree char *title = g_strdup_printf (_ ("%s 月度考核表"), dbn_eval_board_get_month (self->board));
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_t *cr = cairo_create (surface);
    for (int page = 0; page < dbn_eval_report_get_n_pages (self); page++) {
        dbn_eval_report_draw_page (self, cr, PAGE_W, PAGE_H, page);
        cairo_show_page (cr);
    }
    cairo_destroy (cr);
    cairo_surface_finish (surface);
    cairo_status_t status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s", path,
                     cairo_status_to_string (status));
        return FALSE;
    }
    return TRUE;
}

static void
on_draw_page (GtkPrintOperation *op, GtkPrintContext *context, int page, gpointer user_data)
{
    dbn_eval_report_draw_page (user_data, gtk_print_context_get_cairo_context (context),
                               gtk_print_context_get_width (context), gtk_print_context_get_height (context),
                               page);
}

static void
free_report_notify (gpointer data, GClosure *closure)
{
    dbn_eval_report_free (data);
}

void
dbn_eval_report_print (DbnEvalReport *self, GtkWindow *parent)
{
    GtkPrintOperation *op = gtk_print_operation_new ();
    gtk_print_operation_set_n_pages (op, dbn_eval_report_get_n_pages (self));
    gtk_print_operation_set_unit (op, GTK_UNIT_POINTS);
    g_autoptr (GtkPageSetup) setup = gtk_page_setup_new ();
    gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_LANDSCAPE);
    gtk_print_operation_set_default_page_setup (op, setup);
    gtk_print_operation_set_job_name (op, dbn_eval_board_get_month (self->board));
    DbnEvalReport *copy =
        dbn_eval_report_new (self->board, self->who, self->star_completion, self->star_satisfaction);
    g_signal_connect_data (op, "draw-page", G_CALLBACK (on_draw_page), copy, free_report_notify, 0);
    /* Async: the dialog must not block the main loop. */
    gtk_print_operation_set_allow_async (op, TRUE);
    gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, NULL);
    g_object_unref (op);
}
