/* dbn_eval_board.h: what the assessment views show (issue 13 item 8), read
 * from evaluation's eval.board reply: the last month's rows per window and
 * station with the rates worked out as the service works them out (integer
 * arithmetic, docs/evaluation.md), display names from org.ini, and the
 * on-time trend of the months before. Plain data: the page, the panel and
 * the 月度考核表 all draw from one of these. */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

/* Rates in tenths of a percent, rounded down; -1 when there is no
 * denominator (nothing accepted, completed or rated). */
typedef struct {
    char *scope; /* "window" or "station" */
    char *id;
    char *name; /* org.ini's name in the UI's language, else the id */
    gint64 accepted, completed, on_time, working_days, returns, repeats;
    gint64 rated, satisfied, basic, unsatisfied;
    int stars;          /* D-EV-4 */
    gint64 score_milli; /* D-EV-6 */
    gint64 completion_permille;
    gint64 on_time_permille;
    gint64 satisfaction_permille;
    gint64 days_centi; /* average working days in hundredths; -1: nothing completed */
} DbnEvalRow;

typedef struct _DbnEvalBoard DbnEvalBoard;

/* The month's board from the reply to an eval.board of n_months months
 * (1..12). org (may be NULL) names the windows and stations; english picks
 * name_en. NULL with the codec's error. */
DbnEvalBoard *dbn_eval_board_new_from_reply (GBytes *reply, guint n_months, DbnOrg *org, gboolean english,
                                             GError **error);
/* Reference counted: the page, its printed sheet and a print job in flight
 * may each hold it. */
DbnEvalBoard *dbn_eval_board_ref (DbnEvalBoard *self);
void dbn_eval_board_unref (DbnEvalBoard *self);

/* "2026-11". Borrowed. */
const char *dbn_eval_board_get_month (DbnEvalBoard *self);
gboolean dbn_eval_board_get_closed (DbnEvalBoard *self);
/* The last month's rows: windows first, then stations, each by id. */
guint dbn_eval_board_get_n_rows (DbnEvalBoard *self);
const DbnEvalRow *dbn_eval_board_get_row (DbnEvalBoard *self, guint index);
/* The row of scope and id in the last month, or NULL. */
const DbnEvalRow *dbn_eval_board_lookup (DbnEvalBoard *self, const char *scope, const char *id);
/* The sum of the last month's station rows (windows when there are none):
 * the area's month, for a supervisor. Borrowed. */
const DbnEvalRow *dbn_eval_board_get_total (DbnEvalBoard *self);

/* The trend: one point per month asked for, oldest first, of the
 * on-time rate of the same sum (stations, else windows); -1 for a month
 * with nothing completed. */
guint dbn_eval_board_get_n_months (DbnEvalBoard *self);
/* "2026-11" and its on-time rate. Borrowed. */
const char *dbn_eval_board_get_trend_month (DbnEvalBoard *self, guint index);
gint64 dbn_eval_board_get_trend_permille (DbnEvalBoard *self, guint index);

/* Fills row's rates (completion, on-time, satisfaction, days) from its
 * counters, as the board does: for rows made from other replies (the county
 * page's eval.month township rows). */
void dbn_eval_row_compute_rates (DbnEvalRow *row);

/* The table's columns, the same on the page and on paper: 名称, 受理, 办结,
 * 办结率, 按时率, 平均工作日, 退回, 重复申请, 满意度, 星级, 得分. */
#define DBN_EVAL_N_COLUMNS 11
/* A column's heading, translated. Static. */
const char *dbn_eval_column_title (guint column);
/* A row's cell as text (the name for column 0). Caller owns it. */
char *dbn_eval_row_cell (const DbnEvalRow *row, guint column);

/* The charts' marks (D-EV-4): [evaluation] star_completion_1 and
 * star_satisfaction of DIR/daiban.conf, else 80 and 90 (percent). */
void dbn_eval_marks_load (const char *data_dir, int *completion, int *satisfaction);

/* "98.5%" or "—" for a rate in tenths of a percent. Caller owns it. */
char *dbn_eval_permille_text (gint64 permille);
/* "★★☆" for 0..3 stars. Caller owns it. */
char *dbn_eval_stars_text (int stars);
/* The month before or after "2026-11" (delta months), "2026-10"; NULL for
 * text that is not a month. Caller owns it. */
char *dbn_eval_month_shift (const char *month, int delta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnEvalBoard, dbn_eval_board_unref)

G_END_DECLS
