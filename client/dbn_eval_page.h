/* dbn_eval_page.h: the supervisor's assessment page (考核, issue 13 item 8):
 * a month selector, the month's table per window and station (accepted,
 * completed, 办结率, on-time rate, average working days, returns, repeat
 * requests, satisfaction, stars, score), bar charts of the completion rate
 * and satisfaction and the 12-month trend of the on-time rate in a
 * GtkDrawingArea (dbn_eval_chart), closing the month (eval.close, after a
 * confirmation), and the 月度考核表 to print or to PDF (dbn_eval_report).
 * Actions: board.prev, board.next, board.refresh, board.close,
 * board.export-pdf, board.print. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_EVAL_PAGE (dbn_eval_page_get_type ())
G_DECLARE_FINAL_TYPE (DbnEvalPage, dbn_eval_page, DBN, EVAL_PAGE, GtkWidget)

/* The page of who (the area's name, printed on the sheet) over what
 * connection's principal may read; PDFs go to client_dir. Shows the
 * current month. Takes a reference to connection. */
GtkWidget *dbn_eval_page_new (DbnConnection *connection, const char *who, const char *client_dir);

G_END_DECLS
