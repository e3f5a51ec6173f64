/* dbn_board.h: the public board's content (D-AUD-4, 公开; issue 16 item 4).
 *
 * What the hall's kiosk (daiban-client --board) shows and `daiban board
 * export --html` writes, kept in one place so both show the same: the open
 * cases' public rows (routing.board, then board.row events of topic pub/;
 * the applicant already masked by routing), the catalog (items, materials,
 * limits, fees) and the month's stars per window and station (eval.month).
 * Nothing here ever holds an id number, a phone or a full name: routing
 * never sends them on pub/ (docs/security.md, "The public board").
 */
#pragma once

#include <glib.h>

#include "dbn_catalog.h"

G_BEGIN_DECLS

typedef struct {
    char *case_no;
    char *matter;      /* catalog code */
    char *matter_name; /* Chinese name */
    char *state;       /* routing state */
    char *applicant;   /* masked: 张** */
    char *window;      /* "" when none */
    char *due;         /* YYYY-MM-DD, or NULL */
} DbnBoardRow;

typedef struct {
    char *scope; /* window, station or township */
    char *id;
    gint64 stars;
    gint64 accepted, completed, rated, satisfied, basic;
} DbnBoardStars;

typedef struct _DbnBoard DbnBoard;

/* An empty board. Caller owns it. */
DbnBoard *dbn_board_new (void);
void dbn_board_free (DbnBoard *self);

/* Takes a routing.board reply (one page): its rows are added (replacing
 * rows of the same case), and the seq it reflects is kept. FALSE with the
 * decoder's error. */
gboolean dbn_board_take_snapshot (DbnBoard *self, GBytes *reply, GError **error);
/* The journal seq the board reflects (0: none yet). */
gint64 dbn_board_get_seq (DbnBoard *self);
/* Applies one board.row event: upserts its row, or removes it when the case
 * left the board (archived, returned). An event at or below the board's seq
 * changes nothing. FALSE with the decoder's error. */
gboolean dbn_board_apply_event (DbnBoard *self, GBytes *event, GError **error);
/* Takes an eval.month reply: the stars of its windows, stations and
 * township (a person's figures, if any came, are left out). */
gboolean dbn_board_take_month (DbnBoard *self, GBytes *reply, GError **error);
/* The month of the stars (YYYY-MM), or NULL. Borrowed. */
const char *dbn_board_get_month (DbnBoard *self);

/* Rows by case number; borrowed, valid until the board changes. */
guint dbn_board_get_n_rows (DbnBoard *self);
const DbnBoardRow *dbn_board_get_row (DbnBoard *self, guint index);
guint dbn_board_get_n_stars (DbnBoard *self);
const DbnBoardStars *dbn_board_get_stars (DbnBoard *self, guint index);

/* The state as the public reads it (办理中, 已办结 ...). Borrowed. */
const char *dbn_board_state_display (const char *state);
/* "★★☆" for 2 of the 3 stars of D-EV-4. Caller owns it. */
char *dbn_board_dup_stars_text (gint64 stars);

/* Writes DIR/index.html and DIR/board.css (DIR is created): the progress
 * table, the catalog and the stars, static HTML and CSS with no script.
 * title is the township's heading (escaped). catalog may be NULL (no
 * catalog section). FALSE with a GIO error. */
gboolean dbn_board_write_html (DbnBoard *self, DbnCatalog *catalog, const char *title, const char *dir,
                               GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnBoard, dbn_board_free)

G_END_DECLS
