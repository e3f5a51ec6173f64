/* intake_private.h: what the files of daiban-intake share. */
#pragma once

#include <sqlite3.h>

#include "intake_actions.h"

#include "daiban/dbn_sql.h"
#include "daiban/dbn_text.h"

G_BEGIN_DECLS

struct _IntakeActions {
    DbnService   *service;      /* borrowed */
    DbnCatalog   *catalog;      /* owned; replaced whole by catalog.reload (D-CAT-3) */
    DbnOrg       *org;          /* owned: the villages a request may name (issue 11) */
    sqlite3_stmt *last_number;  /* the year's highest case number */
    sqlite3_stmt *insert_case;  /* INSERT case_record */
    sqlite3_stmt *select_case;  /* SELECT by case_no */
    int           cached_year;  /* year of cached_number */
    gint64        cached_number;/* the highest number allocated, as of cached_seq */
    gint64        cached_seq;   /* journal next_seq right after that submit; 0 = no cache */
    DbnSubscriber *routing;     /* routing's journal: how cases close (D-RPL-4) */
    sqlite3_stmt *close_case;   /* UPDATE case_record SET closed */
};

/* Columns of select_case, in order. */
enum {
    INTAKE_COL_CASE_NO, INTAKE_COL_MATTER, INTAKE_COL_APPLICANT, INTAKE_COL_ID_NUMBER,
    INTAKE_COL_PHONE, INTAKE_COL_ADDRESS, INTAKE_COL_VILLAGE, INTAKE_COL_CHANNEL,
    INTAKE_COL_MATERIALS, INTAKE_COL_MISSING, INTAKE_COL_STATE, INTAKE_COL_ACCEPTED_AT,
    INTAKE_COL_ACCEPTED_BY, INTAKE_COL_NOTE, INTAKE_COL_VISIT, INTAKE_COL_PREVIOUS,
    INTAKE_COL_CLOSED,
};

/* FALSE with DBN_ERROR_INVALID when value is empty or holds control characters. */
gboolean intake_require_text (const char *value, const char *what, GError **error);
/* A station acts only for its own village (FALSE with DBN_ERROR_FORBIDDEN);
 * every other principal the frame let through may. */
gboolean intake_check_village (DbnCommand *command, const char *village, const char *what,
                               GError **error);
/* Issue 11: a village that enters intake from the network (submit, refuse,
 * visit, the logbook and visit list) becomes the topic s/<village>, so it
 * must be a village of org.ini: FALSE with DBN_ORG_ERROR_UNKNOWN_ID. */
gboolean intake_check_known_village (IntakeActions *self, const char *village, GError **error);
/* Lists are stored one item per line. Caller owns the results. */
char    *intake_join_lines (char **items);
char   **intake_split_lines (const unsigned char *text);

/* The next number of a numbered book (refusals 'R', visits 'V'):
 * "<township>-<year>-<letter><6 digits>", one more than the year's highest
 * in table.column, read inside the batch transaction (a rolled-back command
 * gives its number back). Caller owns *out. */
gboolean intake_next_number (IntakeActions *self, const char *table, const char *column, char letter,
                             gint64 now_ms, char **out, GError **error);

/* Loads the case row into self->select_case (positioned on the row; reset it
 * when done). FALSE with DBN_ERROR_NOT_FOUND or a store error. */
gboolean intake_select_case (IntakeActions *self, const char *case_no, GError **error);

/* D-INT-8: whether the principal may read a case of matter: a window reads a
 * restricted matter's cases only when it is the matter's window. */
gboolean intake_may_read_matter (IntakeActions *self, DbnCommand *command, const char *matter,
                                 GError **error);

/* intake_visits.c (D-INT-1) */
GBytes  *intake_visit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes  *intake_visit_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
/* The visit exists and is of village: FALSE with DBN_ERROR_NOT_FOUND or
 * DBN_ERROR_INVALID. */
gboolean intake_visit_check (IntakeActions *self, const char *visit, const char *village, GError **error);
gboolean intake_visit_link (IntakeActions *self, const char *visit, const char *case_no, GError **error);

/* intake_logbook.c: the logbook of a village (D-INT-3) */
GBytes  *intake_logbook (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* intake_steps.c: supplement (D-INT-4), refuse (D-INT-5), catalog.reload (D-CAT-3) */
GBytes  *intake_supplement (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes  *intake_refuse (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes  *intake_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

G_END_DECLS
