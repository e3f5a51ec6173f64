/* eval_board.h: eval.board, the figures the assessment views draw (issue 13
 * item 8): a month and up to eleven months before it, per window and
 * station, with the counters eval.month leaves out (working days, repeats),
 * so the supervisor's table, its charts and the 12-month on-time trend come
 * from one call. */
#pragma once

#include "evaluation_actions.h"

G_BEGIN_DECLS

/* The DbnCommandSpec handler; user_data is the EvaluationActions. */
GBytes *eval_board_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* The month `back` months before month (202611, 1 → 202610). */
guint eval_board_month_back (guint month, guint back);

G_END_DECLS
