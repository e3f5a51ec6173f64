/* eval_store.c: the evaluation model over its tables (see eval_store.h).
 *
 * A case is one row that the facts fill in as they arrive; the month's
 * figures are never kept up to date row by row but computed when asked:
 * one scan of the period's cases, one of its ratings, one of its
 * unsatisfied callbacks, each row added into the counters of the scopes it
 * is attributed to (its agent, clerk and township agent, its window, its
 * station, the township), kept in one hash table per scope keyed by id.
 * The alternative, counters updated on every fact, would make every fact
 * touch six rows and a closed month a matter of discipline; a scan of a
 * township's month (hundreds of cases) costs nothing, and a month of
 * 1,000,000 cases is measured in tests/bench/bench_evaluation.c beside the
 * same aggregation as one SQL GROUP BY.
 *
 * Closing a month writes its figures, quotas and rewards into tables that
 * triggers keep fixed (no UPDATE, no DELETE: D-AUD-5); facts dated in a
 * closed month are refused, and a correction is a row of its own, laid over
 * the closed counters when read.
 *
 * Statements are prepared once; each use resets and clears its bindings.
 */
#include "eval_store.h"
#include "eval_sample.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"
#include "eval_card_table.h"

/* Triggers that make a table append-only (D-AUD-5). */
#define FIXED(table)                                                                                         \
    "CREATE TRIGGER " table "_no_update BEFORE UPDATE ON " table                                             \
    " BEGIN SELECT RAISE (ABORT, 'closed figures are fixed'); END;"                                          \
    "CREATE TRIGGER " table "_no_delete BEFORE DELETE ON " table                                             \
    " BEGIN SELECT RAISE (ABORT, 'closed figures are fixed'); END;"

const char *const eval_migrations[] = {
    /* 1: cases, ratings, samples, callbacks, closed months. Days are julian
     * day numbers (GDate), months 202611. */
    "CREATE TABLE ev_case ("
    "  case_no       TEXT PRIMARY KEY,"
    "  matter        TEXT NOT NULL,"
    "  station_id    TEXT,"
    "  window_id     TEXT,"
    "  area_id       TEXT,"
    "  agent         TEXT,"
    "  clerk         TEXT,"
    "  tagent        TEXT,"
    "  channel       TEXT NOT NULL,"
    "  repeat        INTEGER NOT NULL,"
    "  kind          INTEGER,"
    "  accepted_at   INTEGER NOT NULL,"
    "  accepted_day  INTEGER NOT NULL,"
    "  completed_day INTEGER,"
    "  returned_day  INTEGER,"
    "  handled_day   INTEGER,"
    "  working_days  INTEGER,"
    "  days_covered  INTEGER,"
    "  overdue_day   INTEGER,"
    "  replied_at    INTEGER,"
    "  archived_at   INTEGER"
    ") WITHOUT ROWID;"
    "CREATE INDEX ev_case_accepted ON ev_case (accepted_day);"
    "CREATE INDEX ev_case_handled ON ev_case (handled_day) WHERE handled_day IS NOT NULL;"
    "CREATE TABLE ev_rating ("
    "  case_no    TEXT NOT NULL,"
    "  stage      INTEGER NOT NULL,"
    "  level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),"
    "  at         INTEGER NOT NULL,"
    "  day        INTEGER NOT NULL,"
    "  station_id TEXT, window_id TEXT, agent TEXT, clerk TEXT, tagent TEXT,"
    "  PRIMARY KEY (case_no, stage)"
    ");"
    "CREATE INDEX ev_rating_day ON ev_rating (day);"
    "CREATE TABLE ev_sample ("
    "  month      INTEGER PRIMARY KEY,"
    "  seed       TEXT NOT NULL,"
    "  percent    INTEGER NOT NULL,"
    "  drawn_at   INTEGER NOT NULL,"
    "  population INTEGER NOT NULL,"
    "  drawn      INTEGER NOT NULL"
    ");"
    /* rank NULL: in the population, not drawn. */
    "CREATE TABLE ev_sample_case ("
    "  month   INTEGER NOT NULL,"
    "  case_no TEXT NOT NULL,"
    "  rank    INTEGER,"
    "  PRIMARY KEY (month, case_no)"
    ") WITHOUT ROWID;"
    "CREATE TABLE ev_callback ("
    "  month       INTEGER NOT NULL,"
    "  case_no     TEXT NOT NULL,"
    "  at          INTEGER NOT NULL,"
    "  day         INTEGER NOT NULL,"
    "  reached     INTEGER NOT NULL,"
    "  attitude    INTEGER NOT NULL,"
    "  quality     INTEGER NOT NULL,"
    "  speed       INTEGER NOT NULL,"
    "  unsatisfied INTEGER NOT NULL,"
    "  station_id TEXT, window_id TEXT, agent TEXT, clerk TEXT, tagent TEXT,"
    "  PRIMARY KEY (month, case_no)"
    ");"
    "CREATE INDEX ev_callback_day ON ev_callback (day) WHERE unsatisfied = 1;"
    "CREATE TABLE ev_month ("
    "  month     INTEGER PRIMARY KEY,"
    "  closed_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE ev_figure ("
    "  month INTEGER NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,"
    "  accepted INTEGER NOT NULL, completed INTEGER NOT NULL, on_time INTEGER NOT NULL,"
    "  working_days INTEGER NOT NULL, returns INTEGER NOT NULL, repeats INTEGER NOT NULL,"
    "  rated INTEGER NOT NULL, satisfied INTEGER NOT NULL, basic INTEGER NOT NULL,"
    "  unsatisfied INTEGER NOT NULL, uncovered INTEGER NOT NULL, stars INTEGER NOT NULL,"
    "  score_milli INTEGER NOT NULL,"
    "  PRIMARY KEY (month, scope, id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE ev_quota ("
    "  month INTEGER NOT NULL, person TEXT NOT NULL, level INTEGER NOT NULL,"
    "  required INTEGER NOT NULL, handled INTEGER NOT NULL, missing INTEGER NOT NULL,"
    "  fine_yuan INTEGER NOT NULL,"
    "  PRIMARY KEY (month, person)"
    ") WITHOUT ROWID;"
    "CREATE TABLE ev_reward ("
    "  month INTEGER NOT NULL, scope INTEGER NOT NULL, id TEXT NOT NULL,"
    "  score_milli INTEGER NOT NULL, amount_yuan INTEGER NOT NULL,"
    "  PRIMARY KEY (month, scope)"
    ") WITHOUT ROWID;"
    "CREATE TABLE ev_correction ("
    "  id INTEGER PRIMARY KEY, month INTEGER NOT NULL, scope INTEGER NOT NULL,"
    "  scope_id TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,"
    "  accepted INTEGER NOT NULL, completed INTEGER NOT NULL, on_time INTEGER NOT NULL,"
    "  working_days INTEGER NOT NULL, returns INTEGER NOT NULL, repeats INTEGER NOT NULL,"
    "  rated INTEGER NOT NULL, satisfied INTEGER NOT NULL, basic INTEGER NOT NULL,"
    "  unsatisfied INTEGER NOT NULL, uncovered INTEGER NOT NULL"
    ");"
    "CREATE INDEX ev_correction_month ON ev_correction (month);" FIXED ("ev_month") FIXED ("ev_figure")
        FIXED ("ev_quota") FIXED ("ev_reward") FIXED ("ev_correction") FIXED ("ev_sample")
            FIXED ("ev_sample_case"),
    /* 2: the completion card (D-RPL-1, eval_card.h). */
    EVAL_CARD_MIGRATION,
    /* 3: the wire of issue 13 (docs/evaluation.md, "The service"). Repeat
     * requests heard from intake before routing's acceptance (D-EV-5); the
     * supervisor's note and name on a callback; the audit heads a draw is
     * seeded from, one per month (the last signed in it), and the source of
     * each draw's seed (fixed like the draw); the D-EV-7 follow-ups. */
    "CREATE TABLE ev_repeat (case_no TEXT PRIMARY KEY, previous TEXT) WITHOUT ROWID;"
    "ALTER TABLE ev_callback ADD COLUMN note TEXT;"
    "ALTER TABLE ev_callback ADD COLUMN actor TEXT;"
    "CREATE TABLE ev_audit_head ("
    "  month INTEGER PRIMARY KEY, size INTEGER NOT NULL, time_ms INTEGER NOT NULL,"
    "  root TEXT NOT NULL, signature TEXT NOT NULL, key TEXT NOT NULL"
    ");"
    "CREATE TABLE ev_sample_source ("
    "  month INTEGER PRIMARY KEY, source TEXT NOT NULL, head_size INTEGER, head_time INTEGER,"
    "  head_root TEXT, head_signature TEXT, head_key TEXT"
    ");"
    "CREATE TABLE ev_followup ("
    "  id INTEGER PRIMARY KEY, case_no TEXT NOT NULL, cause TEXT NOT NULL, opened_at INTEGER NOT NULL,"
    "  recorded_at INTEGER, result TEXT, actor TEXT"
    ");"
    "CREATE UNIQUE INDEX ev_followup_open ON ev_followup (case_no) WHERE recorded_at IS NULL;" FIXED (
        "ev_sample_source"),
    /* 4: issue 16: the cases a group agent handed to its station
     * (intake's handover.accepted). They count for the group agent's
     * quota (D-EV-3) in the month the case was accepted; intake's event
     * may come before routing's case.routed, hence a table of its own. */
    "CREATE TABLE ev_group_case ("
    "  case_no TEXT PRIMARY KEY,"
    "  agent   TEXT NOT NULL"
    ") WITHOUT ROWID;",
    NULL,
};

enum {
    GET_CASE,
    INSERT_CASE,
    SET_CLASSIFIED,
    SET_COMPLETED,
    SET_RETURNED,
    SET_REPLIED,
    SET_ARCHIVED,
    SET_OVERDUE,
    SET_CARRIED,
    INSERT_RATING,
    SCAN_CASES,
    SCAN_GROUP_CASES,
    INSERT_GROUP_CASE,
    SCAN_RATINGS,
    SCAN_CALLBACKS,
    HANDLED,
    INSERT_SAMPLE,
    INSERT_SAMPLE_CASE,
    GET_SAMPLE,
    GET_SAMPLE_CASES,
    SAMPLE_RANK,
    INSERT_CALLBACK,
    CLOSED_MONTHS,
    INSERT_MONTH,
    INSERT_FIGURE,
    INSERT_QUOTA,
    INSERT_REWARD,
    GET_FIGURES,
    GET_CORRECTIONS,
    INSERT_CORRECTION,
    GET_QUOTAS,
    GET_REWARDS,
    EXPORT,
    N_STATEMENTS,
};

#define COUNTER_COLUMNS                                                                                      \
    "accepted, completed, on_time, working_days, returns, repeats, rated,"                                   \
    " satisfied, basic, unsatisfied, uncovered"

static const char *const sql[N_STATEMENTS] = {
    [GET_CASE] = "SELECT station_id, window_id, agent, clerk, tagent, accepted_day, completed_day,"
                 " returned_day, area_id FROM ev_case WHERE case_no = ?",
    /* A repeat request may be heard from intake first (ev_repeat). */
    [INSERT_CASE] = "INSERT INTO ev_case (case_no, matter, station_id, window_id, area_id, agent, channel,"
                    " repeat, accepted_at, accepted_day) VALUES (?1,?2,?3,?4,?5,?6,?7,"
                    " ?8 OR EXISTS (SELECT 1 FROM ev_repeat WHERE case_no = ?1),?9,?10)",
    [SET_CLASSIFIED] = "UPDATE ev_case SET kind = ?2, window_id = coalesce (?3, window_id),"
                       " clerk = coalesce (?4, clerk), tagent = coalesce (?5, tagent) WHERE case_no = ?1",
    [SET_COMPLETED] = "UPDATE ev_case SET completed_day = ?2, working_days = ?3, days_covered = ?4,"
                      " handled_day = coalesce (handled_day, ?2) WHERE case_no = ?1",
    [SET_RETURNED] = "UPDATE ev_case SET returned_day = coalesce (returned_day, ?2),"
                     " handled_day = coalesce (handled_day, ?2) WHERE case_no = ?1",
    [SET_REPLIED] = "UPDATE ev_case SET replied_at = coalesce (replied_at, ?2) WHERE case_no = ?1",
    [SET_ARCHIVED] = "UPDATE ev_case SET archived_at = coalesce (archived_at, ?2) WHERE case_no = ?1",
    [SET_OVERDUE] = "UPDATE ev_case SET overdue_day = coalesce (overdue_day, ?2) WHERE case_no = ?1",
    [SET_CARRIED] = "UPDATE ev_case SET tagent = ?2 WHERE case_no = ?1",
    [INSERT_RATING] = "INSERT INTO ev_rating (case_no, stage, level, at, day, station_id, window_id, agent,"
                      " clerk, tagent) SELECT ?1, ?2, ?3, ?4, ?5, station_id, window_id, agent, clerk, tagent"
                      " FROM ev_case WHERE case_no = ?1",
    [SCAN_GROUP_CASES] = "SELECT g.agent FROM ev_group_case g JOIN ev_case c ON c.case_no = g.case_no"
                         " WHERE c.accepted_day BETWEEN ?1 AND ?2",
    [INSERT_GROUP_CASE] = "INSERT OR IGNORE INTO ev_group_case (case_no, agent) VALUES (?1, ?2)",
    [SCAN_CASES] = "SELECT station_id, window_id, agent, clerk, tagent, completed_day, working_days,"
                   " returned_day, overdue_day, repeat, days_covered FROM ev_case"
                   " WHERE accepted_day BETWEEN ?1 AND ?2",
    [SCAN_RATINGS] = "SELECT station_id, window_id, agent, clerk, tagent, level FROM ev_rating"
                     " WHERE day BETWEEN ?1 AND ?2",
    [SCAN_CALLBACKS] = "SELECT station_id, window_id, agent, clerk, tagent FROM ev_callback"
                       " WHERE day BETWEEN ?1 AND ?2 AND unsatisfied = 1",
    [HANDLED] = "SELECT case_no FROM ev_case WHERE handled_day BETWEEN ?1 AND ?2 ORDER BY case_no",
    [INSERT_SAMPLE] = "INSERT INTO ev_sample (month, seed, percent, drawn_at, population, drawn)"
                      " VALUES (?,?,?,?,?,?)",
    [INSERT_SAMPLE_CASE] = "INSERT INTO ev_sample_case (month, case_no, rank) VALUES (?,?,?)",
    [GET_SAMPLE] = "SELECT seed, percent FROM ev_sample WHERE month = ?",
    [GET_SAMPLE_CASES] = "SELECT case_no, rank FROM ev_sample_case WHERE month = ? ORDER BY case_no",
    [SAMPLE_RANK] = "SELECT rank FROM ev_sample_case WHERE month = ? AND case_no = ?",
    [INSERT_CALLBACK] = "INSERT INTO ev_callback (month, case_no, at, day, reached, attitude, quality, speed,"
                        " unsatisfied, station_id, window_id, agent, clerk, tagent)"
                        " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, station_id, window_id, agent, clerk,"
                        " tagent FROM ev_case WHERE case_no = ?2",
    [CLOSED_MONTHS] = "SELECT month FROM ev_month",
    [INSERT_MONTH] = "INSERT INTO ev_month (month, closed_at) VALUES (?,?)",
    [INSERT_FIGURE] = "INSERT INTO ev_figure (month, scope, id, " COUNTER_COLUMNS ", stars, score_milli)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [INSERT_QUOTA] = "INSERT INTO ev_quota (month, person, level, required, handled, missing, fine_yuan)"
                     " VALUES (?,?,?,?,?,?,?)",
    [INSERT_REWARD] = "INSERT INTO ev_reward (month, scope, id, score_milli, amount_yuan) VALUES (?,?,?,?,?)",
    [GET_FIGURES] = "SELECT scope, id, " COUNTER_COLUMNS ", stars, score_milli FROM ev_figure"
                    " WHERE month = ? ORDER BY scope, id",
    [GET_CORRECTIONS] = "SELECT scope, scope_id, sum (accepted), sum (completed), sum (on_time),"
                        " sum (working_days), sum (returns), sum (repeats), sum (rated), sum (satisfied),"
                        " sum (basic), sum (unsatisfied), sum (uncovered), count (*) FROM ev_correction"
                        " WHERE month = ?"
                        " GROUP BY scope, scope_id",
    [INSERT_CORRECTION] =
        "INSERT INTO ev_correction (month, scope, scope_id, at, actor, reason, " COUNTER_COLUMNS
        ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [GET_QUOTAS] = "SELECT person, level, required, handled, missing, fine_yuan FROM ev_quota"
                   " WHERE month = ? ORDER BY person",
    [GET_REWARDS] = "SELECT scope, id, amount_yuan FROM ev_reward WHERE month = ?",
    [EXPORT] = "SELECT r.case_no, c.matter, r.stage, c.channel, r.agent, r.clerk, r.tagent, r.level"
               " FROM ev_rating r JOIN ev_case c ON c.case_no = r.case_no"
               " WHERE r.day BETWEEN ?1 AND ?2 ORDER BY r.at, r.case_no, r.stage",
};

struct _EvalStore {
    DbnStore *store;                   /* borrowed */
    DbnCalendar *calendar;             /* borrowed: working days (D-DL-5) */
    sqlite3_stmt *stmts[N_STATEMENTS]; /* prepared once */
    GHashTable *closed;                /* closed months (GUINT_TO_POINTER) */
};

void
eval_figures_free (EvalFigures *f)
{
    if (f == NULL)
        return;
    g_free (f->id);
    g_free (f);
}

void
eval_quota_row_free (EvalQuotaRow *q)
{
    if (q == NULL)
        return;
    g_free (q->person);
    g_free (q);
}

static sqlite3_stmt *
stmt (EvalStore *self, int which)
{
    return dbn_sql_reuse (self->stmts[which]);
}

/* Runs a statement that returns no rows. */
static gboolean
run (EvalStore *self, sqlite3_stmt *s, GError **error)
{
    int rc = sqlite3_step (s);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

EvalStore *
eval_store_new (DbnStore *store, DbnCalendar *calendar, GError **error)
{
    g_return_val_if_fail (store != NULL && calendar != NULL, NULL);
    g_autoptr (EvalStore) self = g_new0 (EvalStore, 1);
    self->store = store;
    self->calendar = calendar;
    self->closed = g_hash_table_new (NULL, NULL);
    sqlite3 *db = dbn_store_get_db (store);
    for (int i = 0; i < N_STATEMENTS; i++) {
        int rc = sqlite3_prepare_v3 (db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &self->stmts[i], NULL);
        if (rc != SQLITE_OK) {
            dbn_store_set_error (store, rc, error);
            g_prefix_error (error, "preparing %s: ", sql[i]);
            return NULL;
        }
    }
    sqlite3_stmt *s = stmt (self, CLOSED_MONTHS);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        g_hash_table_add (self->closed, GUINT_TO_POINTER ((guint) sqlite3_column_int64 (s, 0)));
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    return g_steal_pointer (&self);
}

void
eval_store_free (EvalStore *self)
{
    if (self == NULL)
        return;
    for (int i = 0; i < N_STATEMENTS; i++)
        sqlite3_finalize (self->stmts[i]);
    g_clear_pointer (&self->closed, g_hash_table_unref);
    g_free (self);
}

gboolean
eval_store_month_is_closed (EvalStore *self, guint month)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return g_hash_table_contains (self->closed, GUINT_TO_POINTER (month));
}

static guint
month_of_day (guint32 day)
{
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_julian (&d, day);
    return eval_month_of_date (&d);
}

/* Months and instants from a command or an event, before any date function. */
static gboolean
check_month (guint month, GError **error)
{
    if (eval_month_valid (month))
        return TRUE;
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "%u is not a month of 2000..9999", month);
    return FALSE;
}

static gboolean
check_instant (gint64 ms, GError **error)
{
    if (eval_instant_valid (ms))
        return TRUE;
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "%" G_GINT64_FORMAT " ms is not a time of 2000..9999",
                 ms);
    return FALSE;
}

/* D-AUD-5: nothing dated in a closed month changes it. */
static gboolean
check_open (EvalStore *self, guint32 day, const char *what, GError **error)
{
    guint month = month_of_day (day);
    if (!eval_store_month_is_closed (self, month))
        return TRUE;
    g_autofree char *name = eval_month_to_string (month);
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED,
                 "%s is dated in %s, which is closed; a correction is a new entry", what, name);
    return FALSE;
}

/* The case's accepted day, completed day (0: not) and area; FALSE with
 * _UNKNOWN_CASE when it was never accepted. */
static gboolean
get_case (EvalStore *self, const char *case_no, guint32 *accepted_day, guint32 *completed_day, char **area,
          GError **error)
{
    sqlite3_stmt *s = stmt (self, GET_CASE);
    sqlite3_bind_text (s, 1, case_no, -1, SQLITE_STATIC);
    int rc = sqlite3_step (s);
    if (rc == SQLITE_DONE) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE, "case %s was never accepted", case_no);
        return FALSE;
    }
    if (rc != SQLITE_ROW)
        return dbn_store_set_error (self->store, rc, error);
    *accepted_day = (guint32) sqlite3_column_int64 (s, 5);
    *completed_day = (guint32) sqlite3_column_int64 (s, 6);
    if (area != NULL)
        *area = dbn_sql_column_dup (s, 8);
    return TRUE;
}

/* Absent or empty (not white space: facts come from events, not typing). */
static gboolean
is_empty (const char *text)
{
    return text == NULL || *text == '\0';
}

static gboolean
apply_accepted (EvalStore *self, const EvalFact *f, guint32 day, GError **error)
{
    if (is_empty (f->matter) || is_empty (f->channel)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "case %s: accepted without %s", f->case_no,
                     is_empty (f->matter) ? "matter" : "channel");
        return FALSE;
    }
    sqlite3_stmt *s = stmt (self, INSERT_CASE);
    dbn_sql_bind_text_or_null (s, 1, f->case_no);
    dbn_sql_bind_text_or_null (s, 2, f->matter);
    dbn_sql_bind_text_or_null (s, 3, f->station);
    dbn_sql_bind_text_or_null (s, 4, f->window);
    dbn_sql_bind_text_or_null (s, 5, f->area);
    dbn_sql_bind_text_or_null (s, 6, f->agent);
    dbn_sql_bind_text_or_null (s, 7, f->channel);
    sqlite3_bind_int (s, 8, f->repeat ? 1 : 0);
    sqlite3_bind_int64 (s, 9, f->at);
    sqlite3_bind_int64 (s, 10, day);
    int rc = sqlite3_step (s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE, "case %s was accepted already", f->case_no);
        return FALSE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

gboolean
eval_store_apply_fact (EvalStore *self, const EvalFact *f, GError **error)
{
    g_return_val_if_fail (self != NULL && f != NULL, FALSE);
    if (is_empty (f->case_no) || !eval_instant_valid (f->at)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "a fact needs a case number and a time");
        return FALSE;
    }
    guint32 day = eval_day_of_ms (f->at);
    if (!check_open (self, day, f->case_no, error))
        return FALSE;
    if (f->type == EVAL_FACT_ACCEPTED)
        return apply_accepted (self, f, day, error);

    guint32 accepted_day = 0, completed_day = 0;
    g_autofree char *area = NULL;
    if (!get_case (self, f->case_no, &accepted_day, &completed_day, &area, error))
        return FALSE;
    sqlite3_stmt *s = NULL;
    switch (f->type) {
    case EVAL_FACT_CLASSIFIED:
        s = stmt (self, SET_CLASSIFIED);
        sqlite3_bind_int (s, 2, (int) f->kind);
        dbn_sql_bind_text_or_null (s, 3, f->window);
        dbn_sql_bind_text_or_null (s, 4, f->clerk);
        dbn_sql_bind_text_or_null (s, 5, f->township_agent);
        /* D-RTE-2: a 退回件 is answered with its reason: returned, and handled. */
        if (f->kind == DBN_KIND_RETURNED) {
            dbn_sql_bind_text_or_null (s, 1, f->case_no);
            if (!run (self, s, error))
                return FALSE;
            s = stmt (self, SET_RETURNED);
            sqlite3_bind_int64 (s, 2, day);
        }
        break;
    case EVAL_FACT_COMPLETED: {
        if (completed_day != 0) {
            g_set_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE, "case %s was completed already",
                         f->case_no);
            return FALSE;
        }
        GDate from, to;
        g_date_clear (&from, 1);
        g_date_clear (&to, 1);
        g_date_set_julian (&from, accepted_day);
        g_date_set_julian (&to, MAX (day, accepted_day));
        /* D-EV-5, D-DL-5: working days after the day of acceptance up to
         * and including the day of completion (same day: 0). */
        gboolean covered = TRUE;
        int days = dbn_calendar_working_days_between (self->calendar, area, &from, &to, &covered);
        s = stmt (self, SET_COMPLETED);
        sqlite3_bind_int64 (s, 2, day);
        sqlite3_bind_int (s, 3, days);
        /* D-DL-5: flagged, not guessed silently: counted in the figures. */
        sqlite3_bind_int (s, 4, covered ? 1 : 0);
        break;
    }
    case EVAL_FACT_RETURNED:
        s = stmt (self, SET_RETURNED);
        sqlite3_bind_int64 (s, 2, day);
        break;
    case EVAL_FACT_REPLIED:
        s = stmt (self, SET_REPLIED);
        sqlite3_bind_int64 (s, 2, f->at);
        break;
    case EVAL_FACT_ARCHIVED:
        s = stmt (self, SET_ARCHIVED);
        sqlite3_bind_int64 (s, 2, f->at);
        break;
    case EVAL_FACT_CLOCK:
        if (!f->overdue)
            return TRUE; /* a clock met or cancelled changes no figure */
        s = stmt (self, SET_OVERDUE);
        sqlite3_bind_int64 (s, 2, day);
        break;
    case EVAL_FACT_CARRIED:
        /* D-EV-3: the latest township agent to hold it is the one who
         * carried it (a handoff between agents moves the credit). */
        if (is_empty (f->township_agent)) {
            g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "case %s: carried by whom?", f->case_no);
            return FALSE;
        }
        s = stmt (self, SET_CARRIED);
        dbn_sql_bind_text_or_null (s, 2, f->township_agent);
        break;
    case EVAL_FACT_ACCEPTED:
    default:
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "unknown fact type %d", (int) f->type);
        return FALSE;
    }
    dbn_sql_bind_text_or_null (s, 1, f->case_no);
    return run (self, s, error);
}

gboolean
eval_store_add_group_case (EvalStore *self, const char *case_no, const char *agent, GError **error)
{
    g_return_val_if_fail (self != NULL && case_no != NULL && agent != NULL, FALSE);
    sqlite3_stmt *s = stmt (self, INSERT_GROUP_CASE);
    sqlite3_bind_text (s, 1, case_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 2, agent, -1, SQLITE_TRANSIENT);
    return run (self, s, error);
}

gboolean
eval_store_rate (EvalStore *self, const EvalRating *r, GError **error)
{
    g_return_val_if_fail (self != NULL && r != NULL, FALSE);
    if (is_empty (r->case_no) || r->level <= EVAL_LEVEL_NONE || r->level > EVAL_LEVEL_UNSATISFIED
        || (guint) r->stage >= EVAL_N_STAGES || !eval_instant_valid (r->at)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "a rating needs a case, a stage, a time and one of the three levels");
        return FALSE;
    }
    guint32 day = eval_day_of_ms (r->at), accepted_day, completed_day;
    if (!check_open (self, day, "the rating", error)
        || !get_case (self, r->case_no, &accepted_day, &completed_day, NULL, error))
        return FALSE;
    sqlite3_stmt *s = stmt (self, INSERT_RATING);
    dbn_sql_bind_text_or_null (s, 1, r->case_no);
    sqlite3_bind_int (s, 2, (int) r->stage);
    sqlite3_bind_int (s, 3, (int) r->level);
    sqlite3_bind_int64 (s, 4, r->at);
    sqlite3_bind_int64 (s, 5, day);
    int rc = sqlite3_step (s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        /* D-EV-1: one rating per case and stage; the first one stands. */
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED, "case %s: the %s is rated already",
                     r->case_no, eval_stage_to_string (r->stage));
        return FALSE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

/* ---- the draw (D-EV-2) ---- */

gboolean
eval_store_draw_sample (EvalStore *self, guint month, const char *seed, guint percent, gint64 now_ms,
                        GPtrArray **drawn, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (!check_month (month, error) || !check_instant (now_ms, error))
        return FALSE;
    if (is_empty (seed) || percent > 100) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "a draw needs a seed and a share of 0..100 %%");
        return FALSE;
    }
    g_autofree char *name = eval_month_to_string (month);
    gboolean covered = TRUE;
    guint32 due = eval_first_working_day (self->calendar, eval_month_next (month), &covered);
    if (!covered) {
        /* D-DL-5: the day of the draw is not guessed from weekends alone. */
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_COVERED,
                     "the calendar does not cover the first working day after %s: add the year", name);
        return FALSE;
    }
    if (eval_day_of_ms (now_ms) < due) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE,
                     "the sample of %s is drawn on the first working day of the month after", name);
        return FALSE;
    }
    guint32 first, last;
    eval_month_bounds (month, &first, &last);
    g_autoptr (GPtrArray) population = g_ptr_array_new_with_free_func (g_free);
    sqlite3_stmt *s = stmt (self, HANDLED);
    sqlite3_bind_int64 (s, 1, first);
    sqlite3_bind_int64 (s, 2, last);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        g_ptr_array_add (population, dbn_sql_column_dup (s, 0));
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);

    g_autoptr (GPtrArray) chosen =
        eval_sample_draw (seed, (const char *const *) population->pdata, population->len, percent);
    s = stmt (self, INSERT_SAMPLE);
    sqlite3_bind_int (s, 1, (int) month);
    dbn_sql_bind_text_or_null (s, 2, seed);
    sqlite3_bind_int (s, 3, (int) percent);
    sqlite3_bind_int64 (s, 4, now_ms);
    sqlite3_bind_int (s, 5, (int) population->len);
    sqlite3_bind_int (s, 6, (int) chosen->len);
    rc = sqlite3_step (s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE, "the sample of %s was drawn already", name);
        return FALSE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    g_autoptr (GHashTable) rank = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < chosen->len; i++)
        g_hash_table_insert (rank, chosen->pdata[i], GUINT_TO_POINTER (i + 1));
    for (guint i = 0; i < population->len; i++) {
        s = stmt (self, INSERT_SAMPLE_CASE);
        sqlite3_bind_int (s, 1, (int) month);
        dbn_sql_bind_text_or_null (s, 2, population->pdata[i]);
        guint r = GPOINTER_TO_UINT (g_hash_table_lookup (rank, population->pdata[i]));
        if (r != 0)
            sqlite3_bind_int (s, 3, (int) r);
        if (!run (self, s, error))
            return FALSE;
    }
    if (drawn != NULL)
        *drawn = g_steal_pointer (&chosen);
    return TRUE;
}

gboolean
eval_store_dup_sample (EvalStore *self, guint month, char **seed, guint *percent, GPtrArray **population,
                       GPtrArray **drawn, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (!check_month (month, error))
        return FALSE;
    sqlite3_stmt *s = stmt (self, GET_SAMPLE);
    sqlite3_bind_int (s, 1, (int) month);
    int rc = sqlite3_step (s);
    if (rc == SQLITE_DONE) {
        g_autofree char *name = eval_month_to_string (month);
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_SAMPLED, "no sample of %s was drawn", name);
        return FALSE;
    }
    if (rc != SQLITE_ROW)
        return dbn_store_set_error (self->store, rc, error);
    if (seed != NULL)
        *seed = dbn_sql_column_dup (s, 0);
    if (percent != NULL)
        *percent = (guint) sqlite3_column_int (s, 1);
    g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GArray) ranks = g_array_new (FALSE, FALSE, sizeof (guint));
    s = stmt (self, GET_SAMPLE_CASES);
    sqlite3_bind_int (s, 1, (int) month);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        g_ptr_array_add (all, dbn_sql_column_dup (s, 0));
        guint r = (guint) sqlite3_column_int (s, 1);
        g_array_append_val (ranks, r);
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    if (drawn != NULL) {
        /* Rank order: slot rank - 1. */
        guint k = 0;
        for (guint i = 0; i < ranks->len; i++)
            k += g_array_index (ranks, guint, i) != 0;
        GPtrArray *out = g_ptr_array_new_full (k, g_free);
        g_ptr_array_set_size (out, (gint) k);
        for (guint i = 0; i < ranks->len; i++) {
            guint r = g_array_index (ranks, guint, i);
            if (r != 0 && r <= k)
                out->pdata[r - 1] = g_strdup (all->pdata[i]);
        }
        *drawn = out;
    }
    if (population != NULL)
        *population = g_steal_pointer (&all);
    return TRUE;
}

gboolean
eval_store_record_callback (EvalStore *self, const EvalCallback *cb, GError **error)
{
    g_return_val_if_fail (self != NULL && cb != NULL, FALSE);
    EvalLevel levels[] = { cb->attitude, cb->quality, cb->speed };
    gboolean unsatisfied = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS (levels); i++) {
        gboolean valid = cb->reached
                             ? levels[i] >= EVAL_LEVEL_SATISFIED && levels[i] <= EVAL_LEVEL_UNSATISFIED
                             : levels[i] == EVAL_LEVEL_NONE;
        if (!valid || is_empty (cb->case_no) || !eval_instant_valid (cb->at)
            || !eval_month_valid (cb->month)) {
            g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                         "a callback reached has attitude, quality and speed on the three levels;"
                         " one not reached has none");
            return FALSE;
        }
        unsatisfied |= levels[i] == EVAL_LEVEL_UNSATISFIED;
    }
    guint32 day = eval_day_of_ms (cb->at);
    if (!check_open (self, day, "the callback", error))
        return FALSE;
    sqlite3_stmt *s = stmt (self, SAMPLE_RANK);
    sqlite3_bind_int (s, 1, (int) cb->month);
    dbn_sql_bind_text_or_null (s, 2, cb->case_no);
    int rc = sqlite3_step (s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    if (rc == SQLITE_DONE || sqlite3_column_type (s, 0) == SQLITE_NULL) {
        g_autofree char *name = eval_month_to_string (cb->month);
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_SAMPLED, "case %s was not drawn for %s's callbacks",
                     cb->case_no, name);
        return FALSE;
    }
    s = stmt (self, INSERT_CALLBACK);
    sqlite3_bind_int (s, 1, (int) cb->month);
    dbn_sql_bind_text_or_null (s, 2, cb->case_no);
    sqlite3_bind_int64 (s, 3, cb->at);
    sqlite3_bind_int64 (s, 4, day);
    sqlite3_bind_int (s, 5, cb->reached ? 1 : 0);
    sqlite3_bind_int (s, 6, (int) cb->attitude);
    sqlite3_bind_int (s, 7, (int) cb->quality);
    sqlite3_bind_int (s, 8, (int) cb->speed);
    /* D-EV-2: an unsatisfied callback counts like an unsatisfied rating. */
    sqlite3_bind_int (s, 9, unsatisfied ? 1 : 0);
    rc = sqlite3_step (s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE, "case %s was called back already", cb->case_no);
        return FALSE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

/* D-EV-5, D-RPL-2: intake says case_no accepts previous again. Its journal
 * and routing's arrive in either order, so the mark is kept (ev_repeat) for
 * an acceptance still to come, and set on a case already accepted unless
 * its month is closed. Once only: a second mark changes nothing. */
gboolean
eval_store_mark_repeat (EvalStore *self, const char *case_no, const char *previous, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (is_empty (case_no)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "a repeat request names its case");
        return FALSE;
    }
    sqlite3 *db = dbn_store_get_db (self->store);
    g_autoptr (sqlite3_stmt) keep = NULL;
    int rc = sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO ev_repeat (case_no, previous) VALUES (?1, ?2)",
                                 -1, &keep, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (self->store, rc, error);
    sqlite3_bind_text (keep, 1, case_no, -1, SQLITE_STATIC);
    dbn_sql_bind_text_or_null (keep, 2, previous);
    if (!run (self, keep, error))
        return FALSE;
    guint32 accepted = 0, completed = 0;
    g_autofree char *area = NULL;
    g_autoptr (GError) unknown = NULL;
    if (!get_case (self, case_no, &accepted, &completed, &area, &unknown)) {
        if (g_error_matches (unknown, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE))
            return TRUE; /* the acceptance will read ev_repeat */
        g_propagate_error (error, g_steal_pointer (&unknown));
        return FALSE;
    }
    if (!check_open (self, accepted, "the repeat request", error))
        return FALSE;
    g_autoptr (sqlite3_stmt) set = NULL;
    rc = sqlite3_prepare_v2 (db, "UPDATE ev_case SET repeat = 1 WHERE case_no = ?1", -1, &set, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (self->store, rc, error);
    sqlite3_bind_text (set, 1, case_no, -1, SQLITE_STATIC);
    return run (self, set, error);
}

/* ---- figures ---- */

/* The counters of one period, per scope and id, and each agent's handled
 * matters (D-EV-3: as agent or township agent). */
typedef struct {
    GHashTable *scopes[EVAL_N_SCOPES]; /* id → EvalCounters* */
    GHashTable *handled;               /* person → gint64* matters handled */
    const char *township;              /* borrowed: the township scope's id */
} Tally;

static void
tally_init (Tally *t, const char *township)
{
    for (int i = 0; i < EVAL_N_SCOPES; i++)
        t->scopes[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    t->handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    t->township = township;
    g_hash_table_insert (t->scopes[EVAL_SCOPE_TOWNSHIP], g_strdup (township), g_new0 (EvalCounters, 1));
}

static void
tally_clear (Tally *t)
{
    for (int i = 0; i < EVAL_N_SCOPES; i++)
        g_clear_pointer (&t->scopes[i], g_hash_table_unref);
    g_clear_pointer (&t->handled, g_hash_table_unref);
}

static EvalCounters *
tally_slot (Tally *t, EvalScope scope, const char *id)
{
    EvalCounters *c = g_hash_table_lookup (t->scopes[scope], id);
    if (c == NULL) {
        c = g_new0 (EvalCounters, 1);
        g_hash_table_insert (t->scopes[scope], g_strdup (id), c);
    }
    return c;
}

/* Adds d to every scope the row (columns 0..4: station, window, agent,
 * clerk, township agent) is attributed to; a person listed twice (an agent
 * who is also the case's township agent) counts once. */
static void
tally_row (Tally *t, sqlite3_stmt *s, const EvalCounters *d, gboolean handled)
{
    const char *station = (const char *) sqlite3_column_text (s, 0);
    const char *window = (const char *) sqlite3_column_text (s, 1);
    const char *people[3] = {
        (const char *) sqlite3_column_text (s, 2),
        (const char *) sqlite3_column_text (s, 3),
        (const char *) sqlite3_column_text (s, 4),
    };
    eval_counters_add (tally_slot (t, EVAL_SCOPE_TOWNSHIP, t->township), d);
    if (station != NULL)
        eval_counters_add (tally_slot (t, EVAL_SCOPE_STATION, station), d);
    if (window != NULL)
        eval_counters_add (tally_slot (t, EVAL_SCOPE_WINDOW, window), d);
    for (int i = 0; i < 3; i++) {
        if (people[i] == NULL || (i > 0 && g_strcmp0 (people[i], people[0]) == 0)
            || (i > 1 && g_strcmp0 (people[i], people[1]) == 0))
            continue;
        eval_counters_add (tally_slot (t, EVAL_SCOPE_PERSON, people[i]), d);
        /* D-EV-3: a matter is the accepting agent's and the carrying
         * township agent's, not the clerk's. */
        if (handled && i != 1) {
            gint64 *n = g_hash_table_lookup (t->handled, people[i]);
            if (n == NULL) {
                n = g_new0 (gint64, 1);
                g_hash_table_insert (t->handled, g_strdup (people[i]), n);
            }
            (*n)++;
        }
    }
}

/* Whether a day column (NULL: never) lies on or before to. */
static gboolean
by (sqlite3_stmt *s, int i, guint32 to)
{
    return sqlite3_column_type (s, i) != SQLITE_NULL && (guint32) sqlite3_column_int64 (s, i) <= to;
}

static gboolean
tally_period (EvalStore *self, Tally *t, guint32 from, guint32 to, GError **error)
{
    sqlite3_stmt *s = stmt (self, SCAN_CASES);
    sqlite3_bind_int64 (s, 1, from);
    sqlite3_bind_int64 (s, 2, to);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        /* D-EV-5: completed by the period's end; on time when no clock ran
         * overdue by then; returned; a repeat request. */
        EvalCounters d = { .accepted = 1 };
        if (by (s, 5, to)) {
            d.completed = 1;
            d.working_days = sqlite3_column_int64 (s, 6);
            d.on_time = !by (s, 8, to);
            d.uncovered = sqlite3_column_int (s, 10) == 0;
        }
        d.returns = by (s, 7, to);
        d.repeats = sqlite3_column_int (s, 9) != 0;
        tally_row (t, s, &d, TRUE);
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);

    /* D-EV-3: a case a group agent handed over is also the group agent's. */
    s = stmt (self, SCAN_GROUP_CASES);
    sqlite3_bind_int64 (s, 1, from);
    sqlite3_bind_int64 (s, 2, to);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        const char *agent = (const char *) sqlite3_column_text (s, 0);
        gint64 *n = g_hash_table_lookup (t->handled, agent);
        if (n == NULL) {
            n = g_new0 (gint64, 1);
            g_hash_table_insert (t->handled, g_strdup (agent), n);
        }
        (*n)++;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);

    s = stmt (self, SCAN_RATINGS);
    sqlite3_bind_int64 (s, 1, from);
    sqlite3_bind_int64 (s, 2, to);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        int level = sqlite3_column_int (s, 5);
        EvalCounters d = {
            .rated = 1,
            .satisfied = level == EVAL_LEVEL_SATISFIED,
            .basic = level == EVAL_LEVEL_BASIC,
            .unsatisfied = level == EVAL_LEVEL_UNSATISFIED,
        };
        tally_row (t, s, &d, FALSE);
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);

    s = stmt (self, SCAN_CALLBACKS);
    sqlite3_bind_int64 (s, 1, from);
    sqlite3_bind_int64 (s, 2, to);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        /* D-EV-2: like an unsatisfied rating. */
        EvalCounters d = { .rated = 1, .unsatisfied = 1 };
        tally_row (t, s, &d, FALSE);
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

static int
compare_figures (gconstpointer a, gconstpointer b)
{
    const EvalFigures *x = *(EvalFigures *const *) a, *y = *(EvalFigures *const *) b;
    if (x->scope != y->scope)
        return x->scope < y->scope ? -1 : 1;
    return strcmp (x->id, y->id);
}

static EvalFigures *
figures_new (const EvalSettings *settings, EvalScope scope, const char *id, const EvalCounters *c)
{
    EvalFigures *f = g_new0 (EvalFigures, 1);
    f->scope = scope;
    f->id = g_strdup (id);
    f->c = *c;
    f->stars = eval_stars (settings, c);
    f->score_milli = eval_score_milli (settings, c);
    return f;
}

static GPtrArray *
tally_figures (Tally *t, const EvalSettings *settings)
{
    GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_figures_free);
    for (int i = 0; i < EVAL_N_SCOPES; i++) {
        GHashTableIter iter;
        gpointer key, value;
        g_hash_table_iter_init (&iter, t->scopes[i]);
        while (g_hash_table_iter_next (&iter, &key, &value))
            g_ptr_array_add (out, figures_new (settings, (EvalScope) i, key, value));
    }
    g_ptr_array_sort (out, compare_figures);
    return out;
}

GPtrArray *
eval_store_period_figures (EvalStore *self, const EvalSettings *settings, guint32 from, guint32 to,
                           GError **error)
{
    g_return_val_if_fail (self != NULL && settings != NULL, NULL);
    if (from > to) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "a period ends after it begins");
        return NULL;
    }
    Tally t;
    tally_init (&t, settings->township);
    GPtrArray *out = tally_period (self, &t, from, to, error) ? tally_figures (&t, settings) : NULL;
    tally_clear (&t);
    return out;
}

static void
read_counters (sqlite3_stmt *s, int first, EvalCounters *c)
{
    gint64 *slots[] = { &c->accepted, &c->completed, &c->on_time, &c->working_days, &c->returns,  &c->repeats,
                        &c->rated,    &c->satisfied, &c->basic,   &c->unsatisfied,  &c->uncovered };
    for (gsize i = 0; i < G_N_ELEMENTS (slots); i++)
        *slots[i] = sqlite3_column_int64 (s, first + (int) i);
}

static void
bind_counters (sqlite3_stmt *s, int first, const EvalCounters *c)
{
    const gint64 values[] = { c->accepted, c->completed, c->on_time, c->working_days, c->returns,  c->repeats,
                              c->rated,    c->satisfied, c->basic,   c->unsatisfied,  c->uncovered };
    for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
        sqlite3_bind_int64 (s, first + (int) i, values[i]);
}

GPtrArray *
eval_store_month_figures (EvalStore *self, const EvalSettings *settings, guint month,
                          gboolean with_corrections, GError **error)
{
    g_return_val_if_fail (self != NULL && settings != NULL, NULL);
    if (!check_month (month, error))
        return NULL;
    if (!eval_store_month_is_closed (self, month)) {
        guint32 first, last;
        eval_month_bounds (month, &first, &last);
        return eval_store_period_figures (self, settings, first, last, error);
    }
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_figures_free);
    sqlite3_stmt *s = stmt (self, GET_FIGURES);
    sqlite3_bind_int (s, 1, (int) month);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        EvalFigures *f = g_new0 (EvalFigures, 1);
        f->scope = (EvalScope) sqlite3_column_int (s, 0);
        f->id = dbn_sql_column_dup (s, 1);
        read_counters (s, 2, &f->c);
        f->stars = sqlite3_column_int (s, 13);
        f->score_milli = sqlite3_column_int64 (s, 14);
        g_ptr_array_add (out, f);
    }
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (self->store, rc, error);
        return NULL;
    }
    if (!with_corrections)
        return g_steal_pointer (&out);
    s = stmt (self, GET_CORRECTIONS);
    sqlite3_bind_int (s, 1, (int) month);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        EvalScope scope = (EvalScope) sqlite3_column_int (s, 0);
        const char *id = (const char *) sqlite3_column_text (s, 1);
        EvalCounters delta;
        read_counters (s, 2, &delta);
        EvalFigures *target = NULL;
        for (guint i = 0; i < out->len && target == NULL; i++) {
            EvalFigures *f = out->pdata[i];
            if (f->scope == scope && g_strcmp0 (f->id, id) == 0)
                target = f;
        }
        if (target == NULL) {
            EvalCounters zero = { 0 };
            target = figures_new (settings, scope, id, &zero);
            g_ptr_array_add (out, target);
        }
        eval_counters_add (&target->c, &delta);
        target->stars = eval_stars (settings, &target->c);
        target->score_milli = eval_score_milli (settings, &target->c);
        target->corrections += (guint) sqlite3_column_int (s, 13);
    }
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (self->store, rc, error);
        return NULL;
    }
    g_ptr_array_sort (out, compare_figures);
    return g_steal_pointer (&out);
}

GArray *
eval_roster_from_org (DbnOrg *org)
{
    GArray *roster = g_array_new (FALSE, FALSE, sizeof (EvalPerson));
    for (guint i = 0; i < dbn_org_get_n_agents (org); i++) {
        const DbnAgent *a = dbn_org_get_agent (org, i);
        EvalPerson p = { a->id, a->level };
        g_array_append_val (roster, p);
    }
    return roster;
}

/* D-EV-6: the best score of a scope among those with cases; ties go to
 * more accepted cases, then to the smaller id (reproducible). */
static const EvalFigures *
top_scorer (GPtrArray *figures, EvalScope scope)
{
    const EvalFigures *best = NULL;
    for (guint i = 0; i < figures->len; i++) {
        const EvalFigures *f = figures->pdata[i];
        if (f->scope != scope || f->c.accepted == 0)
            continue;
        if (best == NULL || f->score_milli > best->score_milli
            || (f->score_milli == best->score_milli && f->c.accepted > best->c.accepted))
            best = f; /* figures are in id order: an equal one later never wins */
    }
    return best;
}

static gboolean
insert_reward (EvalStore *self, guint month, const EvalFigures *f, int amount, GError **error)
{
    if (f == NULL)
        return TRUE;
    sqlite3_stmt *s = stmt (self, INSERT_REWARD);
    sqlite3_bind_int (s, 1, (int) month);
    sqlite3_bind_int (s, 2, (int) f->scope);
    dbn_sql_bind_text_or_null (s, 3, f->id);
    sqlite3_bind_int64 (s, 4, f->score_milli);
    sqlite3_bind_int (s, 5, amount);
    return run (self, s, error);
}

gboolean
eval_store_close_month (EvalStore *self, const EvalSettings *settings, guint month, const EvalPerson *roster,
                        guint n, gint64 now_ms, GError **error)
{
    g_return_val_if_fail (self != NULL && settings != NULL && (roster != NULL || n == 0), FALSE);
    if (!check_month (month, error) || !check_instant (now_ms, error))
        return FALSE;
    g_autofree char *name = eval_month_to_string (month);
    if (eval_store_month_is_closed (self, month)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED, "%s is closed already", name);
        return FALSE;
    }
    guint32 first, last;
    eval_month_bounds (month, &first, &last);
    if (eval_day_of_ms (now_ms) <= last) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE, "%s has not ended", name);
        return FALSE;
    }
    Tally t;
    tally_init (&t, settings->township);
    if (!tally_period (self, &t, first, last, error)) {
        tally_clear (&t);
        return FALSE;
    }
    g_autoptr (GPtrArray) figures = tally_figures (&t, settings);
    g_autoptr (GHashTable) handled = g_hash_table_ref (t.handled);
    tally_clear (&t);

    sqlite3_stmt *s = stmt (self, INSERT_MONTH);
    sqlite3_bind_int (s, 1, (int) month);
    sqlite3_bind_int64 (s, 2, now_ms);
    if (!run (self, s, error))
        return FALSE;
    for (guint i = 0; i < figures->len; i++) {
        const EvalFigures *f = figures->pdata[i];
        s = stmt (self, INSERT_FIGURE);
        sqlite3_bind_int (s, 1, (int) month);
        sqlite3_bind_int (s, 2, (int) f->scope);
        dbn_sql_bind_text_or_null (s, 3, f->id);
        bind_counters (s, 4, &f->c);
        sqlite3_bind_int (s, 15, f->stars);
        sqlite3_bind_int64 (s, 16, f->score_milli);
        if (!run (self, s, error))
            return FALSE;
    }
    /* D-EV-3: everyone on the roster, including those with no case. */
    guint mondays = eval_month_mondays (month);
    for (guint i = 0; i < n; i++) {
        const gint64 *count = g_hash_table_lookup (handled, roster[i].id);
        gint64 done = count ? *count : 0;
        gint64 required, missing, fine;
        eval_quota (settings, roster[i].level, mondays, done, &required, &missing, &fine);
        s = stmt (self, INSERT_QUOTA);
        sqlite3_bind_int (s, 1, (int) month);
        dbn_sql_bind_text_or_null (s, 2, roster[i].id);
        sqlite3_bind_int (s, 3, (int) roster[i].level);
        sqlite3_bind_int64 (s, 4, required);
        sqlite3_bind_int64 (s, 5, done);
        sqlite3_bind_int64 (s, 6, missing);
        sqlite3_bind_int64 (s, 7, fine);
        if (!run (self, s, error))
            return FALSE;
    }
    if (!insert_reward (self, month, top_scorer (figures, EVAL_SCOPE_PERSON), settings->reward_person, error)
        || !insert_reward (self, month, top_scorer (figures, EVAL_SCOPE_WINDOW), settings->reward_window,
                           error))
        return FALSE;
    /* Only now: a failure above leaves the month open (the caller rolls back). */
    g_hash_table_add (self->closed, GUINT_TO_POINTER (month));
    return TRUE;
}

GPtrArray *
eval_store_month_quotas (EvalStore *self, guint month, GError **error)
{
    g_return_val_if_fail (self != NULL, NULL);
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_quota_row_free);
    sqlite3_stmt *s = stmt (self, GET_QUOTAS);
    sqlite3_bind_int (s, 1, (int) month);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        EvalQuotaRow *q = g_new0 (EvalQuotaRow, 1);
        q->person = dbn_sql_column_dup (s, 0);
        q->level = (DbnAgentLevel) sqlite3_column_int (s, 1);
        q->required = sqlite3_column_int64 (s, 2);
        q->handled = sqlite3_column_int64 (s, 3);
        q->missing = sqlite3_column_int64 (s, 4);
        q->fine_yuan = sqlite3_column_int64 (s, 5);
        g_ptr_array_add (out, q);
    }
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (self->store, rc, error);
        return NULL;
    }
    return g_steal_pointer (&out);
}

gboolean
eval_store_month_rewards (EvalStore *self, guint month, char **person, gint64 *person_yuan, char **window,
                          gint64 *window_yuan, GError **error)
{
    g_return_val_if_fail (self != NULL && person != NULL && window != NULL, FALSE);
    *person = *window = NULL;
    *person_yuan = *window_yuan = 0;
    sqlite3_stmt *s = stmt (self, GET_REWARDS);
    sqlite3_bind_int (s, 1, (int) month);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        gboolean is_person = sqlite3_column_int (s, 0) == EVAL_SCOPE_PERSON;
        char **id = is_person ? person : window;
        g_free (*id);
        *id = dbn_sql_column_dup (s, 1);
        *(is_person ? person_yuan : window_yuan) = sqlite3_column_int64 (s, 2);
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

gboolean
eval_store_add_correction (EvalStore *self, guint month, EvalScope scope, const char *id,
                           const EvalCounters *delta, const char *actor, const char *reason, gint64 at,
                           GError **error)
{
    g_return_val_if_fail (self != NULL && delta != NULL, FALSE);
    if (!check_month (month, error))
        return FALSE;
    if (!eval_store_month_is_closed (self, month)) {
        g_autofree char *name = eval_month_to_string (month);
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_OPEN,
                     "%s is open: record the facts, a correction is for a closed month", name);
        return FALSE;
    }
    if ((guint) scope >= EVAL_N_SCOPES || is_empty (id) || is_empty (actor) || is_empty (reason)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "a correction names its scope, who makes it and why (D-AUD-5)");
        return FALSE;
    }
    sqlite3_stmt *s = stmt (self, INSERT_CORRECTION);
    sqlite3_bind_int (s, 1, (int) month);
    sqlite3_bind_int (s, 2, (int) scope);
    dbn_sql_bind_text_or_null (s, 3, id);
    sqlite3_bind_int64 (s, 4, at);
    dbn_sql_bind_text_or_null (s, 5, actor);
    dbn_sql_bind_text_or_null (s, 6, reason);
    bind_counters (s, 7, delta);
    return run (self, s, error);
}

/* ---- the 好差评 export (D-EV-1) ---- */

static const char *
first_set (const char *a, const char *b, const char *c)
{
    return a != NULL ? a : b != NULL ? b : c != NULL ? c : "";
}

char *
eval_store_export_haochaping (EvalStore *self, const EvalSettings *settings, DbnCatalog *catalog, guint month,
                              GError **error)
{
    g_return_val_if_fail (self != NULL && settings != NULL, NULL);
    if (!check_month (month, error))
        return NULL;
    if (settings->region_code == NULL) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "the 好差评 export needs [evaluation] region_code in daiban.conf");
        return NULL;
    }
    g_autofree char *name = eval_month_to_string (month);
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "month");
    json_builder_add_string_value (b, name);
    json_builder_set_member_name (b, "region_code");
    json_builder_add_string_value (b, settings->region_code);
    json_builder_set_member_name (b, "records");
    json_builder_begin_array (b);
    guint32 first, last;
    eval_month_bounds (month, &first, &last);
    sqlite3_stmt *s = stmt (self, EXPORT);
    sqlite3_bind_int64 (s, 1, first);
    sqlite3_bind_int64 (s, 2, last);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        const char *matter = (const char *) sqlite3_column_text (s, 1);
        EvalStage stage = (EvalStage) sqlite3_column_int (s, 2);
        const char *agent = (const char *) sqlite3_column_text (s, 4);
        const char *clerk = (const char *) sqlite3_column_text (s, 5);
        const char *tagent = (const char *) sqlite3_column_text (s, 6);
        int grade = eval_haochaping_grade (settings, (EvalLevel) sqlite3_column_int (s, 7));
        const DbnMatter *m = catalog ? dbn_catalog_lookup (catalog, matter) : NULL;
        g_autofree char *department = m ? g_strjoinv ("、", m->departments) : g_strdup ("");
        /* The person rated: who faced the applicant at that stage. */
        const char *rated =
            stage == EVAL_STAGE_REPLY ? first_set (agent, tagent, clerk) : first_set (clerk, agent, tagent);
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "case_no");
        json_builder_add_string_value (b, (const char *) sqlite3_column_text (s, 0));
        json_builder_set_member_name (b, "matter_code");
        json_builder_add_string_value (b, matter);
        json_builder_set_member_name (b, "department");
        json_builder_add_string_value (b, department);
        json_builder_set_member_name (b, "stage");
        json_builder_add_string_value (b, eval_stage_to_string (stage));
        json_builder_set_member_name (b, "region_code");
        json_builder_add_string_value (b, settings->region_code);
        json_builder_set_member_name (b, "channel");
        json_builder_add_string_value (b, (const char *) sqlite3_column_text (s, 3));
        json_builder_set_member_name (b, "rated_person");
        json_builder_add_string_value (b, rated);
        json_builder_set_member_name (b, "level");
        json_builder_add_int_value (b, grade);
        json_builder_set_member_name (b, "level_name");
        json_builder_add_string_value (b, eval_haochaping_name (grade));
        json_builder_end_object (b);
    }
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (self->store, rc, error);
        return NULL;
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    json_generator_set_pretty (gen, TRUE);
    json_generator_set_root (gen, root);
    return json_generator_to_data (gen, NULL);
}
