/* routing_store.c: routing's own tables.
 *
 * routing_case holds one row per case, written whole after every step of the
 * machine (load → step → save in the command's savepoint): the machine
 * works on a complete RoutingCase, and a row is a few hundred bytes, so
 * column-by-column updates would buy nothing but a second place where the
 * case's shape lives. Lists (parts, parts done, missing materials) are
 * stored one item per line; items never hold control characters (the
 * machine and intake refuse them).
 *
 * The queues read partial indexes on window, station and area that leave
 * archived cases out (D-RPL-4: an archived case leaves every queue), so a
 * queue costs what it holds, not what the township ever handled. A page of
 * a queue starts after a case number (keyset paging: the index's range
 * scan, no OFFSET that would read and skip every earlier row). The area's
 * queue leaves petitions out (D-INT-8).
 *
 * The timeline is not copied: it is the journal itself, read through an
 * index on journal(case_no) that migration 1 adds to the shared table,
 * plus the runsheet.created events (which name no single case) of the
 * sheets the case travelled on.
 */
#include "routing_store.h"

#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

const char *const routing_migrations[] = {
    /* 1: cases, the handoff book, run sheets. */
    "CREATE TABLE routing_case ("
    "  case_no        TEXT PRIMARY KEY,"
    "  matter         TEXT NOT NULL,"
    "  level          TEXT NOT NULL,"
    "  kind           TEXT NOT NULL,"
    "  state          TEXT NOT NULL,"
    "  window_id      TEXT NOT NULL,"
    "  station_id     TEXT NOT NULL,"
    "  village        TEXT NOT NULL,"
    "  area_id        TEXT NOT NULL,"
    "  channel        TEXT NOT NULL,"
    "  applicant      TEXT NOT NULL,"
    "  responsible    TEXT NOT NULL,"
    "  holder         TEXT NOT NULL,"
    "  location       TEXT NOT NULL,"
    "  sheet          TEXT,"
    "  county         TEXT,"
    "  escalated_from TEXT,"
    "  accepted_at    INTEGER NOT NULL,"
    "  accompanied    INTEGER NOT NULL,"
    "  parts          TEXT NOT NULL,"
    "  parts_done     TEXT NOT NULL,"
    "  missing        TEXT NOT NULL,"
    "  outcome        TEXT,"
    "  updated_at     INTEGER NOT NULL,"
    "  updated_seq    INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX routing_case_window ON routing_case (window_id, case_no) WHERE state != 'archived';"
    "CREATE INDEX routing_case_station ON routing_case (station_id, case_no) WHERE state != 'archived';"
    "CREATE INDEX routing_case_area ON routing_case (area_id, case_no) WHERE state != 'archived';"
    "CREATE INDEX routing_case_at_station ON routing_case (station_id, case_no)"
    "  WHERE location = 'station' AND state != 'archived';"
    /* D-RTE-5: seq is the event reporting the handoff; who = handed_by. */
    "CREATE TABLE handoff ("
    "  seq         INTEGER PRIMARY KEY,"
    "  case_no     TEXT NOT NULL,"
    "  at          INTEGER NOT NULL,"
    "  from_holder TEXT NOT NULL,"
    "  to_holder   TEXT NOT NULL,"
    "  handed_by   TEXT NOT NULL,"
    "  why         TEXT NOT NULL"
    ");"
    "CREATE INDEX handoff_case ON handoff (case_no, seq);"
    "CREATE TABLE runsheet ("
    "  sheet      TEXT PRIMARY KEY,"
    "  station_id TEXT NOT NULL,"
    "  trip_date  TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  seq        INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX runsheet_station ON runsheet (station_id, trip_date);"
    "CREATE TABLE runsheet_item ("
    "  sheet    TEXT NOT NULL,"
    "  case_no  TEXT NOT NULL,"
    "  acked_at INTEGER,"
    "  acked_by TEXT,"
    "  PRIMARY KEY (sheet, case_no)"
    ") WITHOUT ROWID;"
    "CREATE INDEX runsheet_item_case ON runsheet_item (case_no);"
    "CREATE INDEX journal_case ON journal (case_no, seq) WHERE case_no IS NOT NULL;",
    /* 2: D-INT-8, petitions: kept out of the area's queue and topic. */
    "ALTER TABLE routing_case ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;",
    /* 3: issue 16, county departments are users: the escalated cases of a department. */
    "CREATE INDEX routing_case_county ON routing_case (county, case_no)"
    "  WHERE county IS NOT NULL AND state != 'archived' AND restricted = 0;",
    NULL,
};

/* The row in the order row_to_case() reads it. */
#define CASE_COLUMNS                                                                                         \
    "case_no, matter, level, kind, state, window_id, station_id, village, area_id,"                          \
    " channel, applicant, responsible, holder, location, sheet, county, escalated_from,"                     \
    " accepted_at, accompanied, parts, parts_done, missing, outcome, updated_at, updated_seq, restricted"

enum { N_QUERIES = 5 };

struct _RoutingStore {
    DbnStore *store;                /* borrowed */
    sqlite3_stmt *select_case;      /* one case by number */
    sqlite3_stmt *upsert_case;      /* the whole row */
    sqlite3_stmt *insert_handoff;   /* D-RTE-5 */
    sqlite3_stmt *queue[N_QUERIES]; /* open cases of a window, station, area, county department; the board */
    sqlite3_stmt *at_station;       /* papers still at a station */
    sqlite3_stmt *timeline;         /* journal events of a case */
    sqlite3_stmt *count_sheets;     /* sheets of a station on a date */
    sqlite3_stmt *insert_sheet;
    sqlite3_stmt *insert_item;
    sqlite3_stmt *ack_item;
    sqlite3_stmt *count_transit; /* unacknowledged items of a sheet */
};

static const char *const queue_kinds[N_QUERIES] = { "window", "station", "area", "county", "public" };

static gboolean
prepare (RoutingStore *self, const char *sql, sqlite3_stmt **out, GError **error)
{
    int rc =
        sqlite3_prepare_v3 (dbn_store_get_db (self->store), sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

RoutingStore *
routing_store_new (DbnStore *store, GError **error)
{
    g_autoptr (RoutingStore) self = g_new0 (RoutingStore, 1);
    self->store = store;
    if (!prepare (self, "SELECT " CASE_COLUMNS " FROM routing_case WHERE case_no = ?1", &self->select_case,
                  error)
        || !prepare (self,
                     "INSERT OR REPLACE INTO routing_case (" CASE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5,"
                     " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
                     "?24, ?25, ?26)",
                     &self->upsert_case, error)
        || !prepare (self,
                     "INSERT INTO handoff (seq, case_no, at, from_holder, to_holder, handed_by, why)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &self->insert_handoff, error)
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE window_id = ?1 AND state != 'archived'"
                     " AND case_no > ?3 ORDER BY case_no LIMIT ?2",
                     &self->queue[0], error)
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE station_id = ?1 AND state != 'archived'"
                     " AND case_no > ?3 ORDER BY case_no LIMIT ?2",
                     &self->queue[1], error)
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE area_id = ?1 AND state != 'archived'"
                     " AND restricted = 0 AND case_no > ?3 ORDER BY case_no LIMIT ?2",
                     &self->queue[2], error)
        /* Issue 16: the cases escalated to a county department (petitions stay
         * with their window, D-INT-8). */
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE county = ?1 AND county IS NOT NULL"
                     " AND state != 'archived' AND restricted = 0 AND case_no > ?3 ORDER BY case_no LIMIT ?2",
                     &self->queue[3], error)
        /* Issue 16 item 4: the public board, every open case but petitions
         * (D-INT-8); ?1 is unused (the board has no id of its own). */
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE ?1 IS NOT NULL"
                     " AND state != 'archived' AND restricted = 0 AND case_no > ?3 ORDER BY case_no LIMIT ?2",
                     &self->queue[4], error)
        || !prepare (self,
                     "SELECT " CASE_COLUMNS " FROM routing_case WHERE station_id = ?1"
                     " AND location = 'station' AND state != 'archived' ORDER BY case_no LIMIT ?2",
                     &self->at_station, error)
        || !prepare (self,
                     /* The board's masked rows (topic pub) are not steps of the case. */
                     "SELECT seq, body FROM journal WHERE case_no = ?1 AND topic != 'pub'"
                     " UNION SELECT j.seq, j.body FROM runsheet_item i JOIN runsheet r ON r.sheet = i.sheet"
                     " JOIN journal j ON j.seq = r.seq WHERE i.case_no = ?1 ORDER BY 1 LIMIT ?2",
                     &self->timeline, error)
        || !prepare (self, "SELECT count(*) FROM runsheet WHERE station_id = ?1 AND trip_date = ?2",
                     &self->count_sheets, error)
        || !prepare (self,
                     "INSERT INTO runsheet (sheet, station_id, trip_date, created_at, created_by, seq)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     &self->insert_sheet, error)
        || !prepare (self, "INSERT INTO runsheet_item (sheet, case_no) VALUES (?1, ?2)", &self->insert_item,
                     error)
        || !prepare (self,
                     "UPDATE runsheet_item SET acked_at = ?3, acked_by = ?4"
                     " WHERE sheet = ?1 AND case_no = ?2 AND acked_at IS NULL",
                     &self->ack_item, error)
        || !prepare (self, "SELECT count(*) FROM runsheet_item WHERE sheet = ?1 AND acked_at IS NULL",
                     &self->count_transit, error))
        return NULL;
    return g_steal_pointer (&self);
}

void
routing_store_free (RoutingStore *self)
{
    if (self == NULL)
        return;
    sqlite3_finalize (self->select_case);
    sqlite3_finalize (self->upsert_case);
    sqlite3_finalize (self->insert_handoff);
    for (int i = 0; i < N_QUERIES; i++)
        sqlite3_finalize (self->queue[i]);
    sqlite3_finalize (self->at_station);
    sqlite3_finalize (self->timeline);
    sqlite3_finalize (self->count_sheets);
    sqlite3_finalize (self->insert_sheet);
    sqlite3_finalize (self->insert_item);
    sqlite3_finalize (self->ack_item);
    sqlite3_finalize (self->count_transit);
    g_free (self);
}

/* ---- rows ---- */

static char **
column_lines (sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text (st, col);
    if (text == NULL || *text == '\0')
        return g_new0 (char *, 1);
    return g_strsplit ((const char *) text, "\n", -1);
}

static RoutingCase *
row_to_case (sqlite3_stmt *st)
{
    RoutingCase *c = routing_case_new ();
    g_strfreev (c->parts);
    g_strfreev (c->parts_done);
    g_strfreev (c->missing);
    c->case_no = dbn_sql_column_dup (st, 0);
    c->matter = dbn_sql_column_dup (st, 1);
    /* Values this build wrote itself; an unknown one (a newer build's file
     * is refused at open) falls back to the enum's first value. */
    if (!routing_level_from_string ((const char *) sqlite3_column_text (st, 2), &c->level))
        c->level = DBN_LEVEL_TOWNSHIP;
    if (!routing_kind_from_string ((const char *) sqlite3_column_text (st, 3), &c->kind))
        c->kind = DBN_KIND_COMMITTED;
    if (!routing_state_from_string ((const char *) sqlite3_column_text (st, 4), &c->state))
        c->state = ROUTING_STATE_RECEIVED;
    c->window = dbn_sql_column_dup (st, 5);
    c->station = dbn_sql_column_dup (st, 6);
    c->village = dbn_sql_column_dup (st, 7);
    c->area = dbn_sql_column_dup (st, 8);
    c->channel = dbn_sql_column_dup (st, 9);
    c->applicant = dbn_sql_column_dup (st, 10);
    c->responsible = dbn_sql_column_dup (st, 11);
    c->holder = dbn_sql_column_dup (st, 12);
    if (!routing_location_from_string ((const char *) sqlite3_column_text (st, 13), &c->location))
        c->location = ROUTING_LOCATION_CENTRE;
    c->sheet = dbn_sql_column_dup (st, 14);
    c->county = dbn_sql_column_dup (st, 15);
    c->escalated_from = dbn_sql_column_dup (st, 16);
    c->accepted_at = sqlite3_column_int64 (st, 17);
    c->accompanied = sqlite3_column_int (st, 18) != 0;
    c->parts = column_lines (st, 19);
    c->parts_done = column_lines (st, 20);
    c->missing = column_lines (st, 21);
    c->outcome = dbn_sql_column_dup (st, 22);
    c->updated_at = sqlite3_column_int64 (st, 23);
    c->updated_seq = sqlite3_column_int64 (st, 24);
    c->restricted = sqlite3_column_int (st, 25) != 0;
    return c;
}

static void
bind_lines (sqlite3_stmt *st, int index, char **items)
{
    g_autofree char *text = g_strjoinv ("\n", items ? items : (char *[]){ NULL });
    sqlite3_bind_text (st, index, text, -1, SQLITE_TRANSIENT);
}

/* Steps a statement with no rows, resets it and maps a failure. */
static gboolean
run (RoutingStore *self, sqlite3_stmt *st, GError **error)
{
    int rc = sqlite3_step (st);
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

RoutingCase *
routing_store_load_case (RoutingStore *self, const char *case_no, GError **error)
{
    sqlite3_stmt *st = self->select_case;
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step (st);
    RoutingCase *c = rc == SQLITE_ROW ? row_to_case (st) : NULL;
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc == SQLITE_DONE)
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "routing has no case %s", case_no);
    else if (rc != SQLITE_ROW)
        dbn_store_set_error (self->store, rc, error);
    return c;
}

gboolean
routing_store_has_case (RoutingStore *self, const char *case_no, gboolean *exists, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (RoutingCase) c = routing_store_load_case (self, case_no, &local);
    *exists = c != NULL;
    if (c == NULL && !g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return TRUE;
}

gboolean
routing_store_save_case (RoutingStore *self, const RoutingCase *c, GError **error)
{
    sqlite3_stmt *st = self->upsert_case;
    sqlite3_bind_text (st, 1, c->case_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 2, c->matter, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 3, dbn_deciding_level_to_string (c->level), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, dbn_handling_kind_to_string (c->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 5, routing_state_to_string (c->state), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 6, c->window ? c->window : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 7, c->station, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 8, c->village, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 9, c->area ? c->area : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 10, c->channel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 11, c->applicant, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 12, c->responsible, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 13, c->holder, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 14, routing_location_to_string (c->location), -1, SQLITE_STATIC);
    dbn_sql_bind_text (st, 15, c->sheet);
    dbn_sql_bind_text (st, 16, c->county);
    dbn_sql_bind_text (st, 17, c->escalated_from);
    sqlite3_bind_int64 (st, 18, c->accepted_at);
    sqlite3_bind_int (st, 19, c->accompanied ? 1 : 0);
    bind_lines (st, 20, c->parts);
    bind_lines (st, 21, c->parts_done);
    bind_lines (st, 22, c->missing);
    dbn_sql_bind_text (st, 23, c->outcome);
    sqlite3_bind_int64 (st, 24, c->updated_at);
    sqlite3_bind_int64 (st, 25, c->updated_seq);
    sqlite3_bind_int (st, 26, c->restricted ? 1 : 0);
    return run (self, st, error);
}

gboolean
routing_store_add_handoff (RoutingStore *self, gint64 seq, const char *case_no, gint64 at_ms,
                           const char *from, const char *to, const char *by, const char *why, GError **error)
{
    sqlite3_stmt *st = self->insert_handoff;
    sqlite3_bind_int64 (st, 1, seq);
    sqlite3_bind_text (st, 2, case_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 3, at_ms);
    sqlite3_bind_text (st, 4, from ? from : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 5, to ? to : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 6, by ? by : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 7, why ? why : "", -1, SQLITE_TRANSIENT);
    return run (self, st, error);
}

static gboolean
foreach_case (RoutingStore *self, sqlite3_stmt *st, const char *id, const char *after, guint max,
              RoutingCaseFunc func, gpointer user_data, GError **error)
{
    sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 2, max);
    if (after != NULL)
        sqlite3_bind_text (st, 3, after, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (RoutingCase) c = row_to_case (st);
        if (!func (c, user_data)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

gboolean
routing_store_foreach_in_queue (RoutingStore *self, const char *kind, const char *id, const char *after,
                                guint max, RoutingCaseFunc func, gpointer user_data, GError **error)
{
    for (int i = 0; i < N_QUERIES; i++)
        if (g_strcmp0 (kind, queue_kinds[i]) == 0)
            return foreach_case (self, self->queue[i], id, after ? after : "", max, func, user_data, error);
    g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                 "a queue is of a window, station, area or county, not '%s'", kind ? kind : "");
    return FALSE;
}

gboolean
routing_store_foreach_at_station (RoutingStore *self, const char *station, guint max, RoutingCaseFunc func,
                                  gpointer user_data, GError **error)
{
    return foreach_case (self, self->at_station, station, NULL, max, func, user_data, error);
}

gboolean
routing_store_read_timeline (RoutingStore *self, const char *case_no, guint max, GPtrArray *events,
                             GError **error)
{
    sqlite3_stmt *st = self->timeline;
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 2, max);
    int rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        g_ptr_array_add (events, g_bytes_new (sqlite3_column_blob (st, 1), sqlite3_column_bytes (st, 1)));
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

static gboolean
count (RoutingStore *self, sqlite3_stmt *st, gint64 *out, GError **error)
{
    int rc = sqlite3_step (st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_ROW)
        return dbn_store_set_error (self->store, rc, error);
    return TRUE;
}

gboolean
routing_store_count_sheets (RoutingStore *self, const char *station, const char *date, gint64 *n,
                            GError **error)
{
    sqlite3_bind_text (self->count_sheets, 1, station, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (self->count_sheets, 2, date, -1, SQLITE_TRANSIENT);
    return count (self, self->count_sheets, n, error);
}

gboolean
routing_store_add_sheet (RoutingStore *self, const char *sheet, const char *station, const char *date,
                         gint64 at_ms, const char *by, gint64 seq, GError **error)
{
    sqlite3_stmt *st = self->insert_sheet;
    sqlite3_bind_text (st, 1, sheet, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 2, station, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 3, date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 4, at_ms);
    sqlite3_bind_text (st, 5, by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 6, seq);
    return run (self, st, error);
}

gboolean
routing_store_add_sheet_item (RoutingStore *self, const char *sheet, const char *case_no, GError **error)
{
    sqlite3_bind_text (self->insert_item, 1, sheet, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (self->insert_item, 2, case_no, -1, SQLITE_TRANSIENT);
    return run (self, self->insert_item, error);
}

gboolean
routing_store_ack_item (RoutingStore *self, const char *sheet, const char *case_no, gint64 at_ms,
                        const char *by, gboolean *found, GError **error)
{
    sqlite3_stmt *st = self->ack_item;
    sqlite3_bind_text (st, 1, sheet, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 2, case_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 3, at_ms);
    sqlite3_bind_text (st, 4, by, -1, SQLITE_TRANSIENT);
    if (!run (self, st, error))
        return FALSE;
    *found = sqlite3_changes (dbn_store_get_db (self->store)) == 1;
    return TRUE;
}

gboolean
routing_store_count_in_transit (RoutingStore *self, const char *sheet, gint64 *n, GError **error)
{
    sqlite3_bind_text (self->count_transit, 1, sheet, -1, SQLITE_TRANSIENT);
    return count (self, self->count_transit, n, error);
}
