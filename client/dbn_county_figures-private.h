/* dbn_county_figures-private.h: what the GUI tests reach of the county
 * committee's figures page. */
#pragma once

#include "dbn_county_figures.h"
#include "dbn_eval_board.h"

G_BEGIN_DECLS

/* The table's columns (dbn_county_figures_dup_cell). */
enum {
    DBN_COUNTY_COLUMN_NAME,
    DBN_COUNTY_COLUMN_ACCEPTED,
    DBN_COUNTY_COLUMN_COMPLETED,
    DBN_COUNTY_COLUMN_ON_TIME,
    DBN_COUNTY_COLUMN_SATISFACTION,
    DBN_COUNTY_COLUMN_STARS,
    DBN_COUNTY_COLUMN_SCORE,
    DBN_COUNTY_COLUMN_AUDIT,
    DBN_COUNTY_N_COLUMNS
};

/* "2026-12". Borrowed. */
const char *dbn_county_figures_get_month (DbnCountyFigures *self);
void dbn_county_figures_set_month (DbnCountyFigures *self, const char *month);
/* Township id's cell as shown, or NULL for an id not added. Caller owns it. */
char *dbn_county_figures_dup_cell (DbnCountyFigures *self, const char *id, guint column);
/* Township id's windows line as shown ("民政 ★★☆ …"). Caller owns it. */
char *dbn_county_figures_dup_windows (DbnCountyFigures *self, const char *id);
/* Answers of eval.month received for township id (errors included). */
guint dbn_county_figures_get_n_answers (DbnCountyFigures *self, const char *id);
/* Township id's trend board (eval.board), NULL before its answer. Borrowed. */
DbnEvalBoard *dbn_county_figures_get_board (DbnCountyFigures *self, const char *id);
/* Times the charts were drawn with figures in them. */
guint dbn_county_figures_get_n_drawn (DbnCountyFigures *self);
GtkWidget *dbn_county_figures_get_charts (DbnCountyFigures *self);

G_END_DECLS
