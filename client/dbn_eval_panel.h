/* dbn_eval_panel.h: a station's or window's own stars and month (issue 13
 * item 8, D-EV-4..6): one line, "本月 2026-11 ★★☆ 受理 … 办结率 … 满意度 …
 * 得分 …", read with eval.board (the service gives a station and a window
 * their own rows only). Refreshed when shown and by its button
 * (stars.refresh). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_EVAL_PANEL (dbn_eval_panel_get_type ())
G_DECLARE_FINAL_TYPE (DbnEvalPanel, dbn_eval_panel, DBN, EVAL_PANEL, GtkWidget)

/* The panel of scope ("station" or "window") id. Takes a reference. */
GtkWidget *dbn_eval_panel_new (DbnConnection *connection, const char *scope, const char *id);
/* The line shown (tests). Borrowed. */
const char *dbn_eval_panel_get_text (DbnEvalPanel *self);
/* Answers received so far (tests). */
guint dbn_eval_panel_get_n_answers (DbnEvalPanel *self);
void dbn_eval_panel_refresh (DbnEvalPanel *self);

G_END_DECLS
