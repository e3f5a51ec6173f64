/* intake_store.h: intake's state and its tables (intake_store.c), below the
 * command families: the statements, the case row's columns, the numbered
 * books. */
#pragma once

#include <sqlite3.h>

#include "intake_actions.h"

#include "daiban/dbn_sql.h"

G_BEGIN_DECLS

/* The service's state: what the table creates, the families use and the
 * store's statements live in. */
struct _IntakeActions {
    DbnService *service;            /* borrowed */
    DbnCatalog *catalog;            /* owned; replaced whole by catalog.reload (D-CAT-3) */
    DbnOrg *org;                    /* owned: the villages a request may name (issue 11) */
    sqlite3_stmt *last_number;      /* the year's highest case number */
    sqlite3_stmt *insert_case;      /* INSERT case_record */
    sqlite3_stmt *select_case;      /* SELECT by case_no */
    int cached_year;                /* year of cached_number */
    gint64 cached_number;           /* the highest number allocated, as of cached_seq */
    gint64 cached_seq;              /* journal next_seq right after that submit; 0 = no cache */
    DbnSubscriber *routing;         /* routing's journal: how cases close (D-RPL-4) */
    sqlite3_stmt *close_case;       /* UPDATE case_record SET closed */
    DbnCalendar *calendar;          /* owned, may be NULL: no promised date then (D-DL-4) */
    int promise_setting;            /* [deadline] committed (dbn_promise_length) */
    gboolean promise_calendar_days; /* [deadline] committed_unit = calendar */
};

/* Columns of select_case, in order. */
enum {
    INTAKE_COL_CASE_NO,
    INTAKE_COL_MATTER,
    INTAKE_COL_APPLICANT,
    INTAKE_COL_ID_NUMBER,
    INTAKE_COL_PHONE,
    INTAKE_COL_ADDRESS,
    INTAKE_COL_VILLAGE,
    INTAKE_COL_CHANNEL,
    INTAKE_COL_MATERIALS,
    INTAKE_COL_MISSING,
    INTAKE_COL_STATE,
    INTAKE_COL_ACCEPTED_AT,
    INTAKE_COL_ACCEPTED_BY,
    INTAKE_COL_NOTE,
    INTAKE_COL_VISIT,
    INTAKE_COL_PREVIOUS,
    INTAKE_COL_CLOSED,
};

/* Prepares the statements of submit and case.get (once: submit runs tens of
 * thousands of times a second). FALSE with a store error. */
gboolean intake_store_prepare (IntakeActions *self, GError **error);
/* Finalizes every statement of self (the follower's close_case too). */
void intake_store_clear (IntakeActions *self);

/* Lists are stored one item per line. Caller owns the results. */
char *intake_join_lines (char **items);
char **intake_split_lines (const unsigned char *text);

/* The next case number of now_ms's year (the cache, else the year's highest
 * in case_record, plus one): *out "<township>-<year>-<6 digits>", caller owns
 * it. FALSE with DBN_ERROR_UNAVAILABLE when the year's numbers are used up. */
gboolean intake_allocate_case_number (IntakeActions *self, gint64 now_ms, int *year_out, gint64 *number_out,
                                      char **out, GError **error);
/* Inserts the case row of req (missing: what it still lacks). */
gboolean intake_insert_case (IntakeActions *self, const char *case_no, const DbnMsgIntakeSubmit *req,
                             char **missing, const char *state, const char *channel, gint64 now_ms,
                             const char *actor, GError **error);

/* The next number of a numbered book (refusals 'R', visits 'V'):
 * "<township>-<year>-<letter><6 digits>", one more than the year's highest
 * in table.column, read inside the batch transaction (a rolled-back command
 * gives its number back). Caller owns *out. */
gboolean intake_next_number (IntakeActions *self, const char *table, const char *column, char letter,
                             gint64 now_ms, char **out, GError **error);

/* Loads the case row into self->select_case (positioned on the row; reset it
 * when done). FALSE with DBN_ERROR_NOT_FOUND or a store error. */
gboolean intake_select_case (IntakeActions *self, const char *case_no, GError **error);

G_END_DECLS
