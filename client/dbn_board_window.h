/* dbn_board_window.h: daiban-client --board, the kiosk of the township
 * hall's screen (D-AUD-4, 公开; issue 16 item 4). */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_BOARD_WINDOW (dbn_board_window_get_type ())
G_DECLARE_FINAL_TYPE (DbnBoardWindow, dbn_board_window, DBN, BOARD_WINDOW, GtkApplicationWindow)

/* A full-screen window showing the public board through connection (a
 * board:<id> key): the open cases' progress, the catalog and the month's
 * stars, in large type, turning to the next page every page_seconds
 * (at least 1). It takes routing.board, then follows topic pub/; the stars
 * come from eval.month, asked again at each turn of the whole board. */
DbnBoardWindow *dbn_board_window_new (GtkApplication *app, DbnConnection *connection, guint page_seconds);

/* Tests: the pages and the page shown (0-based), and turning by hand. */
guint dbn_board_window_get_n_pages (DbnBoardWindow *self);
guint dbn_board_window_get_page (DbnBoardWindow *self);
void dbn_board_window_turn (DbnBoardWindow *self);
/* The board's content (borrowed). */
DbnBoard *dbn_board_window_get_board (DbnBoardWindow *self);
/* The text of every label of the page shown, one per line. Caller owns it. */
char *dbn_board_window_dup_page_text (DbnBoardWindow *self);

G_END_DECLS
