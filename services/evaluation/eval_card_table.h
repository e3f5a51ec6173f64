/* eval_card_table.h: the completion card's table (D-RPL-1, eval_card.h),
 * apart so the model's migrations (eval_store.c) take it without the
 * service's headers. */
#pragma once

/* The largest signature PNG taken: the schema's limit on eval.rate's
 * signature (256 KiB, well inside the codec's 4 MiB frame); the signature
 * pad's PNG of a few strokes is a few KiB. */
#define EVAL_CARD_MAX_SIGNATURE (256 * 1024)

/* Migration 2 of eval_migrations: the ev_card table. */
#define EVAL_CARD_MIGRATION                                                                                  \
    "CREATE TABLE ev_card ("                                                                                 \
    "  case_no   TEXT PRIMARY KEY,"                                                                          \
    "  level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),"                                            \
    "  result    TEXT,"                                                                                      \
    "  signature BLOB,"                                                                                      \
    "  sha256    TEXT,"                                                                                      \
    "  actor     TEXT NOT NULL,"                                                                             \
    "  at        INTEGER NOT NULL"                                                                           \
    ") WITHOUT ROWID;"                                                                                       \
    "CREATE TRIGGER ev_card_no_update BEFORE UPDATE ON ev_card"                                              \
    " BEGIN SELECT RAISE (ABORT, 'a completion card is fixed'); END;"                                        \
    "CREATE TRIGGER ev_card_no_delete BEFORE DELETE ON ev_card"                                              \
    " BEGIN SELECT RAISE (ABORT, 'a completion card is fixed'); END;"
