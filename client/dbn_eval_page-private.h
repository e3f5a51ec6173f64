/* dbn_eval_page-private.h: what the GUI tests reach of the assessment page. */
#pragma once

#include "dbn_eval_board.h"
#include "dbn_eval_page.h"

G_BEGIN_DECLS

/* Shows month ("2026-11") and asks the service for it. */
void dbn_eval_page_set_month (DbnEvalPage *self, const char *month);
/* The board shown, or NULL before the first answer. Borrowed. */
DbnEvalBoard *dbn_eval_page_get_board (DbnEvalPage *self);
/* Answers received so far (each refresh adds one, errors included). */
guint dbn_eval_page_get_n_answers (DbnEvalPage *self);
const char *dbn_eval_page_get_status (DbnEvalPage *self);
/* The open confirmation of board.close, or NULL. Borrowed. */
GtkWidget *dbn_eval_page_get_confirm (DbnEvalPage *self);
/* The path board.export-pdf writes for the month shown. Caller owns it. */
char *dbn_eval_page_dup_pdf_path (DbnEvalPage *self);

G_END_DECLS
