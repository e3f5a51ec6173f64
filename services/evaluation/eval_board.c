/* eval_board.c: eval.board (issue 13 item 8). Each month is the model's
 * eval_store_month_figures, as eval.month gives it (computed while open,
 * closed with its corrections once closed), so the views and `daiban eval
 * month` never disagree. Only window and station rows go out: they are what
 * the views draw, and what a supervisor may read (may_read_figure). */
#include "eval_board.h"

#define BOARD_MAX_MONTHS 12
#define BOARD_MAX_ROWS   4096 /* the reply's bytes_list cap */

guint
eval_board_month_back (guint month, guint back)
{
    guint index = (month / 100) * 12 + (month % 100 - 1);
    index = back <= index ? index - back : 0;
    return (index / 12) * 100 + index % 12 + 1;
}

static GBytes *
encode_row (const EvalFigures *f, const char *month, GError **error)
{
    g_autoptr (DbnMsgEvalBoardRow) row = dbn_msg_eval_board_row_new ();
    row->month = g_strdup (month);
    row->scope = g_strdup (eval_scope_to_string (f->scope));
    row->id = g_strdup (f->id);
    row->accepted = f->c.accepted;
    row->completed = f->c.completed;
    row->on_time = f->c.on_time;
    row->working_days = f->c.working_days;
    row->returns = f->c.returns;
    row->repeats = f->c.repeats;
    row->rated = f->c.rated;
    row->satisfied = f->c.satisfied;
    row->basic = f->c.basic;
    row->unsatisfied = f->c.unsatisfied;
    row->stars = f->stars;
    row->score_milli = f->score_milli;
    return dbn_msg_eval_board_row_encode (row, error);
}

GBytes *
eval_board_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *actions = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgEvalBoard) req =
        dbn_msg_eval_board_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    guint last = 0;
    if (req == NULL || !eval_month_parse (req->month, &last, error))
        return NULL;
    gint64 months = req->has_months ? req->months : BOARD_MAX_MONTHS;
    if (months < 1 || months > BOARD_MAX_MONTHS) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "eval.board shows 1 to %d months, not %" G_GINT64_FORMAT, BOARD_MAX_MONTHS, months);
        return NULL;
    }
    EvalStore *store = evaluation_actions_get_store (actions);
    const EvalSettings *settings = evaluation_actions_get_settings (actions);
    g_autoptr (DbnMsgEvalBoardReply) reply = dbn_msg_eval_board_reply_new ();
    reply->month = g_strdup (req->month);
    reply->closed = eval_store_month_is_closed (store, last);
    reply->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (gint64 back = months - 1; back >= 0; back--) {
        guint month = eval_board_month_back (last, (guint) back);
        if (!eval_month_valid (month))
            continue; /* before 2000: nothing can lie there */
        g_autoptr (GPtrArray) figures = eval_store_month_figures (store, settings, month, TRUE, error);
        if (figures == NULL)
            return NULL;
        g_autofree char *name = eval_month_to_string (month);
        for (guint i = 0; i < figures->len && reply->rows->len < BOARD_MAX_ROWS; i++) {
            const EvalFigures *f = figures->pdata[i];
            if ((f->scope != EVAL_SCOPE_WINDOW && f->scope != EVAL_SCOPE_STATION)
                || !evaluation_actions_may_read_figure (actions, command, f))
                continue;
            GBytes *encoded = encode_row (f, name, error);
            if (encoded == NULL)
                return NULL;
            g_ptr_array_add (reply->rows, encoded);
        }
    }
    return dbn_msg_eval_board_reply_encode (reply, error);
}
