/* dbn_eval_report.h: the monthly assessment sheet (月度考核表, issue 13
 * item 8) of a board: its title, the month's table and the same charts as
 * the supervisor's page (dbn_eval_chart), on A4 landscape. The same drawing
 * goes to the printer (GtkPrintOperation) and to a PDF (cairo_pdf_surface). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_eval_board.h"

G_BEGIN_DECLS

typedef struct _DbnEvalReport DbnEvalReport;

/* The sheet of board (takes a reference). who is the area's or unit's name
 * printed under the title; star_* are the charts' marks (percent). Caller
 * owns it. */
DbnEvalReport *dbn_eval_report_new (DbnEvalBoard *board, const char *who, int star_completion,
                                    int star_satisfaction);
void dbn_eval_report_free (DbnEvalReport *self);
/* 1, or 2 when the table leaves no room for the charts on the first page. */
int dbn_eval_report_get_n_pages (DbnEvalReport *self);
void dbn_eval_report_draw_page (DbnEvalReport *self, cairo_t *cr, double width, double height, int page);
/* Writes the sheet as an A4 landscape PDF at path. FALSE with G_IO_ERROR. */
gboolean dbn_eval_report_export_pdf (DbnEvalReport *self, const char *path, GError **error);
/* Opens the print dialog for parent (may be NULL); returns at once. The
 * print job takes its own reference to the board. */
void dbn_eval_report_print (DbnEvalReport *self, GtkWindow *parent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnEvalReport, dbn_eval_report_free)

G_END_DECLS
