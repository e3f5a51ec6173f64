/* deadline_store.c: the deadline service's tables (see deadline_store.h).
 *
 * The restart path is the one that must be fast (issue 5: well under a
 * second for 1,000,000 open cases): it reads only the partial index
 * dl_clock_next (next_at, rowid), already in instant order, so the timer
 * heap is filled by appending with no sifting, and no case or clock row is
 * held in memory. A firing reads its one clock and case by key.
 *
 * Statements are prepared once; each use resets and clears its bindings.
 */
#include "deadline_store.h"

#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

const char *const deadline_migrations[] = {
    /* 1: cases, clocks, explanations. */
    "CREATE TABLE dl_case ("
    "  case_no      TEXT PRIMARY KEY,"
    "  matter       TEXT NOT NULL,"
    "  level        TEXT NOT NULL,"
    "  kind         TEXT NOT NULL,"
    "  window_id    TEXT NOT NULL,"
    "  station_id   TEXT NOT NULL,"
    "  area_id      TEXT NOT NULL,"
    "  accepted_at  INTEGER NOT NULL,"
    "  suspended_at INTEGER,"
    "  suspended_by TEXT,"
    "  closed       INTEGER NOT NULL,"
    "  centre_seen  INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE dl_clock ("
    "  id          INTEGER PRIMARY KEY,"
    "  case_no     TEXT NOT NULL,"
    "  name        INTEGER NOT NULL,"
    "  length      INTEGER NOT NULL,"
    "  started_at  INTEGER NOT NULL,"
    "  state       INTEGER NOT NULL,"
    "  stage       INTEGER NOT NULL,"
    "  anchor_day  INTEGER NOT NULL,"
    "  anchor_n    INTEGER NOT NULL,"
    "  due_day     INTEGER,"
    "  covered     INTEGER NOT NULL,"
    "  explained   INTEGER NOT NULL,"
    "  next_at     INTEGER,"
    "  UNIQUE (case_no, name)"
    ");"
    "CREATE INDEX dl_clock_next ON dl_clock (next_at) WHERE next_at IS NOT NULL;"
    "CREATE INDEX dl_clock_running ON dl_clock (state) WHERE state = 0;"
    "CREATE TABLE dl_explanation ("
    "  seq      INTEGER PRIMARY KEY,"
    "  case_no  TEXT NOT NULL,"
    "  at       INTEGER NOT NULL,"
    "  actor    TEXT NOT NULL,"
    "  clocks   TEXT NOT NULL,"
    "  text     TEXT NOT NULL"
    ");",
    /* 2: the due column of the queues (deadline.queue, keyset paging by case
     * number over the open cases), and D-INT-8's restricted flag. NULL: a
     * case stored before this migration, marked from the catalog at start-up
     * (deadline_store_mark_restricted). */
    "ALTER TABLE dl_case ADD COLUMN restricted INTEGER;"
    "CREATE INDEX dl_case_unmarked ON dl_case (matter) WHERE restricted IS NULL;"
    "CREATE INDEX dl_case_window ON dl_case (window_id, case_no) WHERE closed = 0;"
    "CREATE INDEX dl_case_station ON dl_case (station_id, case_no) WHERE closed = 0;"
    "CREATE INDEX dl_case_area ON dl_case (area_id, case_no) WHERE closed = 0 AND restricted = 0;",
    /* 3: D-DL-3's "3 days": the unit a clock counts in, fixed when it
     * starts (1: calendar days; 0: working days, as every clock before). */
    "ALTER TABLE dl_clock ADD COLUMN calendar_days INTEGER NOT NULL DEFAULT 0;",
    /* 4: D-EV-7's follow-ups opened before routing's case.routed reached
     * this service (its subscribers catch up separately): the opening's
     * instant, kept until the case arrives and its clock starts there. */
    "CREATE TABLE dl_followup_pending ("
    "  case_no    TEXT PRIMARY KEY,"
    "  opened_at  INTEGER NOT NULL"
    ") WITHOUT ROWID;",
    /* 5: D-DL-3's department clock on the county page: the county
     * department an escalated case waits on ('' once it answered). */
    "ALTER TABLE dl_case ADD COLUMN county_id TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX dl_case_county ON dl_case (county_id, case_no) WHERE closed = 0;",
    NULL,
};

enum {
    GET_CASE,
    PUT_CASE,
    GET_CLOCKS,
    GET_CLOCK,
    INSERT_CLOCK,
    UPDATE_CLOCK,
    ADD_EXPLANATION,
    PENDING,
    RUNNING,
    QUEUE_WINDOW,
    QUEUE_STATION,
    QUEUE_AREA,
    QUEUE_COUNTY,
    MARK_RESTRICTED,
    MARK_REST,
    PUT_PENDING_FOLLOWUP,
    GET_PENDING_FOLLOWUP,
    DROP_PENDING_FOLLOWUP,
    N_STATEMENTS,
};

#define CASE_COLUMNS                                                                                         \
    "case_no, matter, level, kind, window_id, station_id, area_id, accepted_at,"                             \
    " suspended_at, suspended_by, closed, centre_seen, restricted, county_id"
#define CLOCK_COLUMNS                                                                                        \
    "id, case_no, name, length, started_at, state, stage, anchor_day, anchor_n,"                             \
    " due_day, covered, explained, next_at, calendar_days"

static const char *const sql[N_STATEMENTS] = {
    [GET_CASE] = "SELECT " CASE_COLUMNS " FROM dl_case WHERE case_no = ?",
    [PUT_CASE] = "INSERT OR REPLACE INTO dl_case (" CASE_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [GET_CLOCKS] = "SELECT " CLOCK_COLUMNS " FROM dl_clock WHERE case_no = ? ORDER BY id",
    [GET_CLOCK] = "SELECT " CLOCK_COLUMNS " FROM dl_clock WHERE id = ?",
    [INSERT_CLOCK] = "INSERT INTO dl_clock (case_no, name, length, started_at, state, stage, anchor_day,"
                     " anchor_n, due_day, covered, explained, next_at, calendar_days)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [UPDATE_CLOCK] = "UPDATE dl_clock SET case_no = ?, name = ?, length = ?, started_at = ?, state = ?,"
                     " stage = ?, anchor_day = ?, anchor_n = ?, due_day = ?, covered = ?, explained = ?,"
                     " next_at = ?, calendar_days = ? WHERE id = ?",
    [ADD_EXPLANATION] =
        "INSERT INTO dl_explanation (seq, case_no, at, actor, clocks, text) VALUES (?,?,?,?,?,?)",
    [PENDING] = "SELECT next_at, id FROM dl_clock INDEXED BY dl_clock_next WHERE next_at IS NOT NULL"
                " ORDER BY next_at, id",
    [RUNNING] =
        "SELECT " CLOCK_COLUMNS ", (SELECT area_id FROM dl_case WHERE dl_case.case_no = dl_clock.case_no)"
        " FROM dl_clock WHERE state = 0",
    /* The literal closed = 0 (and restricted = 0) select the partial indexes. */
    [QUEUE_WINDOW] = "SELECT " CASE_COLUMNS " FROM dl_case WHERE window_id = ?1 AND closed = 0"
                     " AND case_no > ?2 ORDER BY case_no LIMIT ?3",
    [QUEUE_STATION] = "SELECT " CASE_COLUMNS " FROM dl_case WHERE station_id = ?1 AND closed = 0"
                      " AND case_no > ?2 ORDER BY case_no LIMIT ?3",
    [QUEUE_AREA] = "SELECT " CASE_COLUMNS " FROM dl_case WHERE area_id = ?1 AND closed = 0"
                   " AND restricted = 0 AND case_no > ?2 ORDER BY case_no LIMIT ?3",
    [QUEUE_COUNTY] = "SELECT " CASE_COLUMNS " FROM dl_case WHERE county_id = ?1 AND closed = 0"
                     " AND case_no > ?2 ORDER BY case_no LIMIT ?3",
    [MARK_RESTRICTED] = "UPDATE dl_case SET restricted = 1 WHERE restricted IS NULL AND matter = ?",
    [MARK_REST] = "UPDATE dl_case SET restricted = 0 WHERE restricted IS NULL",
    [PUT_PENDING_FOLLOWUP] = "INSERT OR REPLACE INTO dl_followup_pending (case_no, opened_at) VALUES (?,?)",
    [GET_PENDING_FOLLOWUP] = "SELECT opened_at FROM dl_followup_pending WHERE case_no = ?",
    [DROP_PENDING_FOLLOWUP] = "DELETE FROM dl_followup_pending WHERE case_no = ?",
};

struct _DeadlineStore {
    DbnStore *store;                   /* borrowed */
    sqlite3_stmt *stmts[N_STATEMENTS]; /* prepared once */
};

void
deadline_case_free (DeadlineCase *c)
{
    if (c == NULL)
        return;
    g_free (c->case_no);
    g_free (c->matter);
    g_free (c->level);
    g_free (c->kind);
    g_free (c->window);
    g_free (c->station);
    g_free (c->area);
    g_free (c->suspended_by);
    g_free (c->county);
    g_free (c);
}

void
deadline_clock_free (DeadlineClock *k)
{
    if (k == NULL)
        return;
    g_free (k->case_no);
    g_free (k);
}

DeadlineStore *
deadline_store_new (DbnStore *store, GError **error)
{
    g_autoptr (DeadlineStore) self = g_new0 (DeadlineStore, 1);
    self->store = store;
    sqlite3 *db = dbn_store_get_db (store);
    for (int i = 0; i < N_STATEMENTS; i++) {
        int rc = sqlite3_prepare_v3 (db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &self->stmts[i], NULL);
        if (rc != SQLITE_OK) {
            dbn_store_set_error (store, rc, error);
            g_prefix_error (error, "preparing %s: ", sql[i]);
            return NULL;
        }
    }
    return g_steal_pointer (&self);
}

void
deadline_store_free (DeadlineStore *self)
{
    if (self == NULL)
        return;
    for (int i = 0; i < N_STATEMENTS; i++)
        sqlite3_finalize (self->stmts[i]);
    g_free (self);
}

static sqlite3_stmt *
stmt (DeadlineStore *self, int which)
{
    return dbn_sql_reuse (self->stmts[which]);
}

/* Binds 0 as NULL (absent instants and due days). */
static void
bind_opt (sqlite3_stmt *s, int i, gint64 v)
{
    if (v != 0)
        sqlite3_bind_int64 (s, i, v);
    else
        sqlite3_bind_null (s, i);
}

static gboolean
done (DeadlineStore *self, sqlite3_stmt *s, int rc, GError **error)
{
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        sqlite3_reset (s);
        return TRUE;
    }
    dbn_store_set_error (self->store, rc, error);
    sqlite3_reset (s);
    return FALSE;
}

static DeadlineCase *
read_case (sqlite3_stmt *s)
{
    DeadlineCase *c = g_new0 (DeadlineCase, 1);
    c->case_no = dbn_sql_column_dup (s, 0);
    c->matter = dbn_sql_column_dup (s, 1);
    c->level = dbn_sql_column_dup (s, 2);
    c->kind = dbn_sql_column_dup (s, 3);
    c->window = dbn_sql_column_dup (s, 4);
    c->station = dbn_sql_column_dup (s, 5);
    c->area = dbn_sql_column_dup (s, 6);
    c->accepted_at = sqlite3_column_int64 (s, 7);
    c->suspended_at = sqlite3_column_int64 (s, 8);
    c->suspended_by = dbn_sql_column_dup (s, 9);
    c->closed = sqlite3_column_int (s, 10) != 0;
    c->centre_seen = sqlite3_column_int (s, 11) != 0;
    c->restricted = sqlite3_column_int (s, 12) != 0;
    c->county = dbn_sql_column_dup (s, 13);
    return c;
}

gboolean
deadline_store_get_case (DeadlineStore *self, const char *case_no, DeadlineCase **out, GError **error)
{
    sqlite3_stmt *s = stmt (self, GET_CASE);
    sqlite3_bind_text (s, 1, case_no, -1, SQLITE_STATIC);
    *out = NULL;
    int rc = sqlite3_step (s);
    if (rc == SQLITE_ROW)
        *out = read_case (s);
    return done (self, s, rc, error);
}

gboolean
deadline_store_read_queue (DeadlineStore *self, const char *kind, const char *id, const char *after,
                           guint max, GPtrArray *cases, GError **error)
{
    int which;
    if (g_strcmp0 (kind, "window") == 0)
        which = QUEUE_WINDOW;
    else if (g_strcmp0 (kind, "station") == 0)
        which = QUEUE_STATION;
    else if (g_strcmp0 (kind, "area") == 0)
        which = QUEUE_AREA;
    else if (g_strcmp0 (kind, "county") == 0)
        which = QUEUE_COUNTY;
    else {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "a queue is of a window, station or area, not '%s'",
                     kind ? kind : "");
        return FALSE;
    }
    sqlite3_stmt *s = stmt (self, which);
    dbn_sql_bind_text (s, 1, id ? id : "");
    dbn_sql_bind_text (s, 2, after ? after : "");
    sqlite3_bind_int64 (s, 3, max);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        g_ptr_array_add (cases, read_case (s));
    return done (self, s, rc, error);
}

gboolean
deadline_store_mark_restricted (DeadlineStore *self, DbnCatalog *catalog, GError **error)
{
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *matter = dbn_catalog_get_matter (catalog, i);
        if (!matter->restricted)
            continue;
        sqlite3_stmt *s = stmt (self, MARK_RESTRICTED);
        dbn_sql_bind_text (s, 1, matter->code);
        if (!done (self, s, sqlite3_step (s), error))
            return FALSE;
    }
    sqlite3_stmt *s = stmt (self, MARK_REST);
    return done (self, s, sqlite3_step (s), error);
}

gboolean
deadline_store_put_case (DeadlineStore *self, const DeadlineCase *c, GError **error)
{
    sqlite3_stmt *s = stmt (self, PUT_CASE);
    dbn_sql_bind_text (s, 1, c->case_no);
    dbn_sql_bind_text (s, 2, c->matter ? c->matter : "");
    dbn_sql_bind_text (s, 3, c->level ? c->level : "");
    dbn_sql_bind_text (s, 4, c->kind ? c->kind : "");
    dbn_sql_bind_text (s, 5, c->window ? c->window : "");
    dbn_sql_bind_text (s, 6, c->station ? c->station : "");
    dbn_sql_bind_text (s, 7, c->area ? c->area : "");
    sqlite3_bind_int64 (s, 8, c->accepted_at);
    bind_opt (s, 9, c->suspended_at);
    dbn_sql_bind_text (s, 10, c->suspended_at ? c->suspended_by : NULL);
    sqlite3_bind_int (s, 11, c->closed);
    sqlite3_bind_int (s, 12, c->centre_seen);
    sqlite3_bind_int (s, 13, c->restricted);
    dbn_sql_bind_text (s, 14, c->county ? c->county : "");
    return done (self, s, sqlite3_step (s), error);
}

static DeadlineClock *
read_clock (sqlite3_stmt *s)
{
    DeadlineClock *k = g_new0 (DeadlineClock, 1);
    k->id = sqlite3_column_int64 (s, 0);
    k->case_no = dbn_sql_column_dup (s, 1);
    k->name = CLAMP (sqlite3_column_int (s, 2), 0, DEADLINE_N_CLOCKS - 1);
    k->length = sqlite3_column_int (s, 3);
    k->started_at = sqlite3_column_int64 (s, 4);
    k->state = CLAMP (sqlite3_column_int (s, 5), 0, DEADLINE_STATE_CANCELLED);
    k->stage = CLAMP (sqlite3_column_int (s, 6), 0, DEADLINE_STAGE_VIOLATION);
    k->anchor_day = sqlite3_column_int64 (s, 7);
    k->anchor_n = sqlite3_column_int (s, 8);
    k->due_day = sqlite3_column_int64 (s, 9);
    k->covered = sqlite3_column_int (s, 10) != 0;
    k->explained = sqlite3_column_int (s, 11) != 0;
    k->next_at = sqlite3_column_int64 (s, 12);
    k->unit = sqlite3_column_int (s, 13) != 0 ? DEADLINE_UNIT_CALENDAR : DEADLINE_UNIT_WORKING;
    return k;
}

GPtrArray *
deadline_store_get_clocks (DeadlineStore *self, const char *case_no, GError **error)
{
    g_autoptr (GPtrArray) clocks = g_ptr_array_new_with_free_func ((GDestroyNotify) deadline_clock_free);
    sqlite3_stmt *s = stmt (self, GET_CLOCKS);
    sqlite3_bind_text (s, 1, case_no, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        g_ptr_array_add (clocks, read_clock (s));
    if (!done (self, s, rc, error))
        return NULL;
    return g_steal_pointer (&clocks);
}

gboolean
deadline_store_get_clock (DeadlineStore *self, gint64 id, DeadlineClock **out, GError **error)
{
    sqlite3_stmt *s = stmt (self, GET_CLOCK);
    sqlite3_bind_int64 (s, 1, id);
    *out = NULL;
    int rc = sqlite3_step (s);
    if (rc == SQLITE_ROW)
        *out = read_clock (s);
    return done (self, s, rc, error);
}

gboolean
deadline_store_put_clock (DeadlineStore *self, DeadlineClock *k, GError **error)
{
    sqlite3_stmt *s = stmt (self, k->id == 0 ? INSERT_CLOCK : UPDATE_CLOCK);
    dbn_sql_bind_text (s, 1, k->case_no);
    sqlite3_bind_int (s, 2, k->name);
    sqlite3_bind_int (s, 3, k->length);
    sqlite3_bind_int64 (s, 4, k->started_at);
    sqlite3_bind_int (s, 5, k->state);
    sqlite3_bind_int (s, 6, k->stage);
    sqlite3_bind_int64 (s, 7, k->anchor_day);
    sqlite3_bind_int (s, 8, k->anchor_n);
    bind_opt (s, 9, k->due_day);
    sqlite3_bind_int (s, 10, k->covered);
    sqlite3_bind_int (s, 11, k->explained);
    bind_opt (s, 12, k->next_at);
    sqlite3_bind_int (s, 13, k->unit == DEADLINE_UNIT_CALENDAR);
    if (k->id != 0)
        sqlite3_bind_int64 (s, 14, k->id);
    if (!done (self, s, sqlite3_step (s), error))
        return FALSE;
    if (k->id == 0)
        k->id = sqlite3_last_insert_rowid (dbn_store_get_db (self->store));
    return TRUE;
}

gboolean
deadline_store_add_explanation (DeadlineStore *self, gint64 seq, const char *case_no, gint64 ts,
                                const char *actor, const char *clocks, const char *text, GError **error)
{
    sqlite3_stmt *s = stmt (self, ADD_EXPLANATION);
    sqlite3_bind_int64 (s, 1, seq);
    dbn_sql_bind_text (s, 2, case_no);
    sqlite3_bind_int64 (s, 3, ts);
    dbn_sql_bind_text (s, 4, actor);
    dbn_sql_bind_text (s, 5, clocks);
    dbn_sql_bind_text (s, 6, text);
    return done (self, s, sqlite3_step (s), error);
}

gboolean
deadline_store_foreach_pending (DeadlineStore *self, DeadlinePendingFunc func, gpointer user_data,
                                GError **error)
{
    sqlite3_stmt *s = stmt (self, PENDING);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        func (sqlite3_column_int64 (s, 0), sqlite3_column_int64 (s, 1), user_data);
    return done (self, s, rc, error);
}

gboolean
deadline_store_foreach_running (DeadlineStore *self, DeadlineClockFunc func, gpointer user_data,
                                GError **error)
{
    /* Collected first: func writes the rows this statement reads. */
    g_autoptr (GPtrArray) clocks = g_ptr_array_new_with_free_func ((GDestroyNotify) deadline_clock_free);
    g_autoptr (GPtrArray) areas = g_ptr_array_new_with_free_func (g_free);
    sqlite3_stmt *s = stmt (self, RUNNING);
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        g_ptr_array_add (clocks, read_clock (s));
        g_ptr_array_add (areas, dbn_sql_column_dup (s, 14));
    }
    if (!done (self, s, rc, error))
        return FALSE;
    for (guint i = 0; i < clocks->len; i++)
        if (!func (clocks->pdata[i], areas->pdata[i], user_data, error))
            return FALSE;
    return TRUE;
}

gboolean
deadline_store_put_pending_followup (DeadlineStore *self, const char *case_no, gint64 opened_at,
                                     GError **error)
{
    sqlite3_stmt *s = stmt (self, PUT_PENDING_FOLLOWUP);
    dbn_sql_bind_text (s, 1, case_no);
    sqlite3_bind_int64 (s, 2, opened_at);
    return done (self, s, sqlite3_step (s), error);
}

gboolean
deadline_store_take_pending_followup (DeadlineStore *self, const char *case_no, gint64 *opened_at,
                                      GError **error)
{
    sqlite3_stmt *s = stmt (self, GET_PENDING_FOLLOWUP);
    dbn_sql_bind_text (s, 1, case_no);
    *opened_at = 0;
    int rc = sqlite3_step (s);
    if (rc == SQLITE_ROW)
        *opened_at = sqlite3_column_int64 (s, 0);
    if (!done (self, s, rc, error))
        return FALSE;
    if (rc != SQLITE_ROW)
        return TRUE;
    return deadline_store_drop_pending_followup (self, case_no, error);
}

gboolean
deadline_store_drop_pending_followup (DeadlineStore *self, const char *case_no, GError **error)
{
    sqlite3_stmt *s = stmt (self, DROP_PENDING_FOLLOWUP);
    dbn_sql_bind_text (s, 1, case_no);
    return done (self, s, sqlite3_step (s), error);
}
