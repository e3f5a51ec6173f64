/* intake_store.c: intake's tables and the statements on them.
 *
 * The case record and the numbered books (refusals 'R', visits 'V'); a case
 * is numbered <township>-<year>-<6 digits> as one more than the year's
 * highest number already in case_record (a seek to the end of the primary
 * key's range, read inside the batch transaction: a rolled-back command gives
 * its number back, numbers have no gaps, and no counter row is written per
 * case — that write cost 14 % of intake).
 *
 * Below the command families (intake_cases.c, intake_steps.c, ...): it knows
 * no command, only rows.
 */
#include "intake_store.h"

#include <string.h>

const char *const intake_migrations[] = {
    /* 1: the case record. Lists are stored one item per line: items cannot
     * contain control characters (checked). Case numbers sort by year, then
     * number (zero-padded), so the primary key also serves the numbering. */
    "CREATE TABLE case_record ("
    "  case_no     TEXT PRIMARY KEY,"
    "  matter      TEXT NOT NULL,"
    "  applicant   TEXT NOT NULL,"
    "  id_number   TEXT NOT NULL,"
    "  phone       TEXT NOT NULL,"
    "  address     TEXT,"
    "  village     TEXT NOT NULL,"
    "  channel     TEXT NOT NULL,"
    "  materials   TEXT NOT NULL,"
    "  missing     TEXT NOT NULL,"
    "  state       TEXT NOT NULL,"
    "  accepted_at INTEGER NOT NULL,"
    "  accepted_by TEXT NOT NULL,"
    "  note        TEXT"
    ") WITHOUT ROWID;",
    /* 2: issue 4's remainder. A case may come from a household visit
     * (D-INT-1) or accept an earlier case again (D-RPL-2); refusals
     * (D-INT-5) and visits are numbered books of their own; a visit's
     * needs become cases one by one (visit_case). */
    "ALTER TABLE case_record ADD COLUMN visit TEXT;"
    "ALTER TABLE case_record ADD COLUMN previous_case TEXT;"
    "CREATE TABLE refusal ("
    "  refusal    TEXT PRIMARY KEY,"
    "  applicant  TEXT NOT NULL,"
    "  village    TEXT NOT NULL,"
    "  matter     TEXT,"
    "  request    TEXT NOT NULL,"
    "  reason     TEXT NOT NULL,"
    "  apply_to   TEXT NOT NULL,"
    "  channel    TEXT NOT NULL,"
    "  refused_at INTEGER NOT NULL,"
    "  refused_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE visit ("
    "  visit      TEXT PRIMARY KEY,"
    "  village    TEXT NOT NULL,"
    "  household  TEXT NOT NULL,"
    "  address    TEXT,"
    "  needs      TEXT NOT NULL,"
    "  must_visit TEXT,"
    "  note       TEXT,"
    "  visited_at INTEGER NOT NULL,"
    "  visited_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX visit_village ON visit (village, visited_at);"
    "CREATE TABLE visit_case ("
    "  visit   TEXT NOT NULL,"
    "  case_no TEXT NOT NULL,"
    "  PRIMARY KEY (visit, case_no)"
    ") WITHOUT ROWID;",
    /* 3: the logbook reads a village's acceptances and refusals by time. */
    "CREATE INDEX case_village ON case_record (village, accepted_at);"
    "CREATE INDEX refusal_village ON refusal (village, refused_at);",
    /* 4: how routing closed the case (returned, replied, archived), from
     * routing's journal (intake_follow.c): D-RPL-4 and D-RPL-2 at intake. */
    "ALTER TABLE case_record ADD COLUMN closed TEXT;",
    /* 5: must-visit lists (三必访, D-INT-1): one row per household of a
     * village; its visits are the visit book's rows of the same village and
     * household (visit_household finds the last one). */
    "CREATE TABLE must_visit ("
    "  village       TEXT NOT NULL,"
    "  household     TEXT NOT NULL,"
    "  kind          TEXT NOT NULL,"
    "  interval_days INTEGER NOT NULL,"
    "  address       TEXT,"
    "  note          TEXT,"
    "  added_at      INTEGER NOT NULL,"
    "  added_by      TEXT NOT NULL,"
    "  PRIMARY KEY (village, household)"
    ") WITHOUT ROWID;"
    "CREATE INDEX visit_household ON visit (village, household, visited_at);",
    /* 6: corrections (D-AUD-5): one row per case.correct, never changed,
     * with the earlier value in full (the events carry it masked). */
    "CREATE TABLE case_correction ("
    "  case_no      TEXT NOT NULL,"
    "  seq          INTEGER NOT NULL,"
    "  field        TEXT NOT NULL,"
    "  previous     TEXT,"
    "  value        TEXT NOT NULL,"
    "  reason       TEXT NOT NULL,"
    "  corrected_at INTEGER NOT NULL,"
    "  corrected_by TEXT NOT NULL,"
    "  PRIMARY KEY (case_no, seq)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER case_correction_no_update BEFORE UPDATE ON case_correction BEGIN"
    " SELECT RAISE(ABORT, 'case_correction is append-only (D-AUD-5)'); END;"
    "CREATE TRIGGER case_correction_no_delete BEFORE DELETE ON case_correction BEGIN"
    " SELECT RAISE(ABORT, 'case_correction is append-only (D-AUD-5)'); END;",
    /* 7: the handover book (issue 16): a group agent's request waits at its
     * station until the station accepts it (case_no) or sends it back
     * (reason). Numbered <township>-<year>-H<6 digits>. */
    "CREATE TABLE handover ("
    "  handover    TEXT PRIMARY KEY,"
    "  station     TEXT NOT NULL,"
    "  agent       TEXT NOT NULL,"
    "  applicant   TEXT NOT NULL,"
    "  id_number   TEXT NOT NULL,"
    "  phone       TEXT NOT NULL,"
    "  address     TEXT,"
    "  matter      TEXT NOT NULL,"
    "  materials   TEXT NOT NULL,"
    "  note        TEXT,"
    "  state       TEXT NOT NULL,"
    "  at          INTEGER NOT NULL,"
    "  case_no     TEXT,"
    "  reason      TEXT,"
    "  decided_at  INTEGER,"
    "  decided_by  TEXT"
    ") WITHOUT ROWID;"
    "CREATE INDEX handover_station ON handover (station, at);",
    NULL,
};

/* Submit runs tens of thousands of times a second under load, and
 * preparing costs more than executing: its statements are prepared once. */
gboolean
intake_store_prepare (IntakeActions *self, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3 *db = dbn_store_get_db (store);
    int rc =
        sqlite3_prepare_v3 (db, "SELECT max(case_no) FROM case_record WHERE case_no >= ?1 AND case_no < ?2",
                            -1, SQLITE_PREPARE_PERSISTENT, &self->last_number, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3 (
            db,
            "INSERT INTO case_record (case_no, matter, applicant, id_number, phone, address, village,"
            " channel, materials, missing, state, accepted_at, accepted_by, note, visit, previous_case)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            -1, SQLITE_PREPARE_PERSISTENT, &self->insert_case, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3 (
            db,
            "SELECT case_no, matter, applicant, id_number, phone, address, village, channel,"
            " materials, missing, state, accepted_at, accepted_by, note, visit, previous_case, closed"
            " FROM case_record WHERE case_no = ?1",
            -1, SQLITE_PREPARE_PERSISTENT, &self->select_case, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

void
intake_store_clear (IntakeActions *self)
{
    sqlite3_finalize (self->last_number);
    sqlite3_finalize (self->insert_case);
    sqlite3_finalize (self->select_case);
    sqlite3_finalize (self->close_case);
}

char *
intake_join_lines (char **items)
{
    return g_strjoinv ("\n", items ? items : (char *[]){ NULL });
}

char **
intake_split_lines (const unsigned char *text)
{
    if (text == NULL || *text == '\0')
        return g_new0 (char *, 1);
    return g_strsplit ((const char *) text, "\n", -1);
}

/* The year's highest number, from the cache when nothing can have changed
 * since it was filled: every submit journals events, and every rollback (of
 * a command or of a whole batch) moves the journal's next seq back, so an
 * unchanged next seq proves the cached number is still the highest. */
static gboolean
last_case_number (IntakeActions *self, int year, gint64 *number, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    if (self->cached_seq != 0 && self->cached_year == year
        && self->cached_seq == dbn_store_journal_next_seq (store)) {
        *number = self->cached_number;
        return TRUE;
    }
    const char *township = dbn_config_get_township (dbn_service_get_config (self->service));
    /* "T01-2026-" ≤ case_no < "T01-2026." ('.' follows '-' in ASCII). */
    g_autofree char *low = g_strdup_printf ("%s-%d-", township, year);
    g_autofree char *high = g_strdup_printf ("%s-%d.", township, year);
    sqlite3_stmt *st = self->last_number;
    sqlite3_reset (st);
    sqlite3_bind_text (st, 1, low, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, high, -1, SQLITE_STATIC);
    int rc = sqlite3_step (st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset (st);
        return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    }
    const char *last = (const char *) sqlite3_column_text (st, 0);
    *number = last ? g_ascii_strtoll (last + strlen (low), NULL, 10) : 0;
    sqlite3_reset (st);
    return TRUE;
}

gboolean
intake_allocate_case_number (IntakeActions *self, gint64 now_ms, int *year_out, gint64 *number_out,
                             char **out, GError **error)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (now_ms);
    int year = g_date_time_get_year (local);
    gint64 number = 0;
    if (!last_case_number (self, year, &number, error))
        return FALSE;
    number++;
    if (number > 999999) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE, "case numbers for %d are used up (999999)",
                     year);
        return FALSE;
    }
    *out = g_strdup_printf ("%s-%d-%06" G_GINT64_FORMAT,
                            dbn_config_get_township (dbn_service_get_config (self->service)), year, number);
    *year_out = year;
    *number_out = number;
    return TRUE;
}

gboolean
intake_insert_case (IntakeActions *self, const char *case_no, const DbnMsgIntakeSubmit *req, char **missing,
                    const char *state, const char *channel, gint64 now_ms, const char *actor, GError **error)
{
    g_autofree char *materials = intake_join_lines (req->materials);
    g_autofree char *missing_text = intake_join_lines (missing);
    sqlite3_stmt *st = self->insert_case;
    sqlite3_reset (st);
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, req->matter, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 3, req->applicant, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, req->id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 5, req->phone, -1, SQLITE_STATIC);
    if (req->address)
        sqlite3_bind_text (st, 6, req->address, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, 6);
    sqlite3_bind_text (st, 7, req->village, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 8, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 9, materials, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 10, missing_text, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 11, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 12, now_ms);
    sqlite3_bind_text (st, 13, actor, -1, SQLITE_STATIC);
    if (req->note)
        sqlite3_bind_text (st, 14, req->note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, 14);
    if (req->visit)
        sqlite3_bind_text (st, 15, req->visit, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, 15);
    if (req->previous_case)
        sqlite3_bind_text (st, 16, req->previous_case, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, 16);
    int rc = sqlite3_step (st);
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    return TRUE;
}

gboolean
intake_select_case (IntakeActions *self, const char *case_no, GError **error)
{
    sqlite3_stmt *st = self->select_case;
    sqlite3_reset (st);
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        return TRUE;
    sqlite3_reset (st);
    if (rc == SQLITE_DONE) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "no case %s", case_no);
        return FALSE;
    }
    return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
}

gboolean
intake_next_number (IntakeActions *self, const char *table, const char *column, char letter, gint64 now_ms,
                    char **out, GError **error)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (now_ms);
    int year = g_date_time_get_year (local);
    const char *township = dbn_config_get_township (dbn_service_get_config (self->service));
    /* "T01-2026-R" ≤ number < "T01-2026-S": the prefix's own range. */
    g_autofree char *low = g_strdup_printf ("%s-%d-%c", township, year, letter);
    g_autofree char *high = g_strdup_printf ("%s-%d-%c", township, year, letter + 1);
    g_autofree char *sql =
        g_strdup_printf ("SELECT max(%s) FROM %s WHERE %s >= ?1 AND %s < ?2", column, table, column, column);
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store), sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, low, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, high, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    if (rc != SQLITE_ROW) {
        sqlite3_finalize (st);
        return dbn_store_set_error (store, rc, error);
    }
    const char *last = (const char *) sqlite3_column_text (st, 0);
    gint64 number = (last ? g_ascii_strtoll (last + strlen (low), NULL, 10) : 0) + 1;
    sqlite3_finalize (st);
    if (number > 999999) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE, "%c numbers for %d are used up", letter, year);
        return FALSE;
    }
    *out = g_strdup_printf ("%s%06" G_GINT64_FORMAT, low, number);
    return TRUE;
}
