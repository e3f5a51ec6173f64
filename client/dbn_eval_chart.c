/* dbn_eval_chart.c: bars and a trend line with cairo; text with PangoCairo
 * (the Noto CJK fonts the papers use, so the Chinese renders the same on
 * screen and in the PDF). No chart library: three shapes do not earn one. */
#include "dbn_eval_chart.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <string.h>

#define FONT       "Noto Sans CJK SC 8"
#define FONT_TITLE "Noto Sans CJK SC Bold 9"

/* Draws s at (x, y) within width (PANGO_ALIGN_*); returns its height. */
static double
label (cairo_t *cr, double x, double y, double width, const char *font, const char *s, PangoAlignment align)
{
    PangoLayout *layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc = pango_font_description_from_string (font);
    pango_layout_set_font_description (layout, desc);
    pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
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

static void
frame (cairo_t *cr, double x, double y, double w, double h)
{
    cairo_set_source_rgb (cr, 0.75, 0.75, 0.75);
    cairo_set_line_width (cr, 0.5);
    cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
    cairo_stroke (cr);
}

void
dbn_eval_chart_bars (cairo_t *cr, double x, double y, double w, double h, const char *title, guint n,
                     const char *const *labels, const gint64 *permille, gint64 mark)
{
    cairo_save (cr);
    frame (cr, x, y, w, h);
    cairo_set_source_rgb (cr, 0, 0, 0);
    double top = y + 4 + label (cr, x + 6, y + 4, w - 12, FONT_TITLE, title, PANGO_ALIGN_LEFT) + 4;
    double name_w = MIN (110, w * 0.32), value_w = 44;
    double bar_x = x + 6 + name_w + 4, bar_w = MAX (10, w - (bar_x - x) - value_w - 8);
    double bottom = y + h - 6;
    double step = n > 0 ? MIN (22, (bottom - top) / n) : 0;
    for (guint i = 0; i < n; i++) {
        double row_y = top + i * step;
        cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
        label (cr, x + 6, row_y + step / 2 - 6, name_w, FONT, labels[i], PANGO_ALIGN_RIGHT);
        g_autofree char *value = dbn_eval_permille_text (permille[i]);
        if (permille[i] >= 0) {
            double len = bar_w * (double) MIN (permille[i], 1000) / 1000.0;
            gboolean below = mark >= 0 && permille[i] < mark;
            /* Below the star's mark in the red of the 不满意 ball, else blue. */
            if (below)
                cairo_set_source_rgb (cr, 0.84, 0.30, 0.25);
            else
                cairo_set_source_rgb (cr, 0.20, 0.45, 0.78);
            cairo_rectangle (cr, bar_x, row_y + step * 0.15, MAX (len, 1), step * 0.7);
            cairo_fill (cr);
        }
        cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
        label (cr, bar_x + bar_w + 4, row_y + step / 2 - 6, value_w, FONT, value, PANGO_ALIGN_LEFT);
    }
    if (mark >= 0 && n > 0) {
        double mx = bar_x + bar_w * (double) mark / 1000.0;
        double dash[] = { 3, 2 };
        cairo_set_dash (cr, dash, 2, 0);
        cairo_set_line_width (cr, 1);
        cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
        cairo_move_to (cr, mx, top - 2);
        cairo_line_to (cr, mx, top + n * step);
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);
    }
    cairo_restore (cr);
}

void
dbn_eval_chart_trend (cairo_t *cr, double x, double y, double w, double h, const char *title, guint n,
                      const char *const *labels, const gint64 *permille)
{
    cairo_save (cr);
    frame (cr, x, y, w, h);
    cairo_set_source_rgb (cr, 0, 0, 0);
    /* Room above 100 % for the points' values. */
    double top = y + 4 + label (cr, x + 6, y + 4, w - 12, FONT_TITLE, title, PANGO_ALIGN_LEFT) + 18;
    double left = x + 40, right = x + w - 30, bottom = y + h - 22;
    if (bottom - top < 10 || n == 0) {
        cairo_restore (cr);
        return;
    }
    /* The grid: 0, 50 and 100 %. */
    cairo_set_line_width (cr, 0.5);
    for (int p = 0; p <= 100; p += 50) {
        double gy = bottom - (bottom - top) * p / 100.0;
        cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
        cairo_move_to (cr, left, gy);
        cairo_line_to (cr, right, gy);
        cairo_stroke (cr);
        g_autofree char *tick = g_strdup_printf ("%d%%", p);
        cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
        label (cr, x + 2, gy - 6, 34, FONT, tick, PANGO_ALIGN_RIGHT);
    }
    double dx = n > 1 ? (right - left) / (n - 1) : 0;
    for (guint i = 0; i < n; i++) {
        /* "2026-11" → "11月": the year is in the page's title. */
        const char *m = labels[i] != NULL && strlen (labels[i]) == 7 ? labels[i] + 5 : labels[i];
        g_autofree char *text = g_strdup_printf (_ ("%s月"), m ? m : "");
        cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
        label (cr, left + i * dx - 20, bottom + 4, 40, FONT, text, PANGO_ALIGN_CENTER);
    }
    cairo_set_source_rgb (cr, 0.16, 0.55, 0.35);
    cairo_set_line_width (cr, 2);
    gboolean drawing = FALSE;
    for (guint i = 0; i < n; i++) {
        if (permille[i] < 0) {
            drawing = FALSE; /* a month with nothing completed is a gap */
            continue;
        }
        double px = left + i * dx, py = bottom - (bottom - top) * (double) MIN (permille[i], 1000) / 1000.0;
        if (drawing)
            cairo_line_to (cr, px, py);
        else
            cairo_move_to (cr, px, py);
        drawing = TRUE;
    }
    cairo_stroke (cr);
    for (guint i = 0; i < n; i++) {
        if (permille[i] < 0)
            continue;
        double px = left + i * dx, py = bottom - (bottom - top) * (double) MIN (permille[i], 1000) / 1000.0;
        cairo_arc (cr, px, py, 3, 0, 2 * G_PI);
        cairo_fill (cr);
        g_autofree char *value = dbn_eval_permille_text (permille[i]);
        label (cr, px - 26, py - 16, 52, FONT, value, PANGO_ALIGN_CENTER);
    }
    cairo_restore (cr);
}

void
dbn_eval_chart_draw_board (cairo_t *cr, double x, double y, double w, double h, DbnEvalBoard *board,
                           int star_completion, int star_satisfaction)
{
    guint n = dbn_eval_board_get_n_rows (board);
    g_autofree const char **names = g_new0 (const char *, n + 1);
    g_autofree gint64 *completion = g_new0 (gint64, n + 1);
    g_autofree gint64 *satisfaction = g_new0 (gint64, n + 1);
    for (guint i = 0; i < n; i++) {
        const DbnEvalRow *r = dbn_eval_board_get_row (board, i);
        names[i] = r->name;
        completion[i] = r->completion_permille;
        satisfaction[i] = r->satisfaction_permille;
    }
    /* The bars take what their rows need (22 each, a title and margins),
     * at most 60 %; the trend the rest. */
    double gap = 8, half = (w - gap) / 2, bars_h = MIN (h * 0.6, 36 + 22.0 * MAX (n, 1));
    dbn_eval_chart_bars (cr, x, y, half, bars_h, _ ("办结率"), n, names, completion, star_completion * 10);
    dbn_eval_chart_bars (cr, x + half + gap, y, half, bars_h, _ ("满意度"), n, names, satisfaction,
                         star_satisfaction * 10);
    guint months = dbn_eval_board_get_n_months (board);
    g_autofree const char **labels = g_new0 (const char *, months + 1);
    g_autofree gint64 *trend = g_new0 (gint64, months + 1);
    for (guint i = 0; i < months; i++) {
        labels[i] = dbn_eval_board_get_trend_month (board, i);
        trend[i] = dbn_eval_board_get_trend_permille (board, i);
    }
    dbn_eval_chart_trend (cr, x, y + bars_h + gap, w, h - bars_h - gap, _ ("按时办结率（近 12 个月）"),
                          months, labels, trend);
}
