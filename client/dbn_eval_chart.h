/* dbn_eval_chart.h: the assessment's charts, drawn with cairo and Pango in
 * whatever units cr has (pixels in the GtkDrawingArea, points in the PDF and
 * on the printer): one renderer for screen and paper (issue 13 item 8). */
#pragma once

#include <cairo.h>

#include "dbn_eval_board.h"

G_BEGIN_DECLS

/* A horizontal bar per row inside (x, y, w, h): label, bar, value. Rates in
 * tenths of a percent; -1 draws "—" and no bar. mark (tenths, -1 none) is a
 * dashed line with its value: the rate a star needs. */
void dbn_eval_chart_bars (cairo_t *cr, double x, double y, double w, double h, const char *title, guint n,
                          const char *const *labels, const gint64 *permille, gint64 mark);
/* A line through n points (-1: a gap) inside (x, y, w, h), 0..100 %, the
 * labels under the axis. */
void dbn_eval_chart_trend (cairo_t *cr, double x, double y, double w, double h, const char *title, guint n,
                           const char *const *labels, const gint64 *permille);
/* The board's three charts inside (x, y, w, h): completion rate (办结率) and
 * satisfaction (满意度) per row side by side, the on-time trend under them.
 * star_completion and star_satisfaction (percent) are the marks. */
void dbn_eval_chart_draw_board (cairo_t *cr, double x, double y, double w, double h, DbnEvalBoard *board,
                                int star_completion, int star_satisfaction);

G_END_DECLS
