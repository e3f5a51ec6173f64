/* intake_actions.c: a resident's request becomes a case.
 *
 * submit checks consent first (D-INT-2: nothing is recorded for a request the
 * applicant did not entrust), then the matter against the catalog and the
 * applicant's details; it numbers the case <township>-<year>-<6 digits> as
 * one more than the year's highest number already in case_record (a seek to
 * the end of the primary key's range, read inside the batch transaction: a
 * rolled-back command gives its number back, numbers have no gaps, and no
 * counter row is written per case — that write cost 14 % of intake), stores the
 * full record, and journals case.accepted with personal fields masked, plus
 * case.awaiting_materials listing every missing item once (D-INT-4).
 *
 * Statements are prepared once: submit runs tens of thousands of times a
 * second under load, and preparing costs more than executing.
 *
 * Who may do what (issue 3; the service frame has already checked the kind
 * of principal against intake_commands): a station submits only for its own
 * village and reads only its own village's cases (a station's id is its
 * village's id, schemas/data/org.ini); windows read; the committee reads
 * with personal fields masked, because oversight needs the case, not the
 * person's ID number; services and the operator may do everything.
 */
#include "intake_private.h"

#include <string.h>

G_DEFINE_QUARK (intake-error-quark, intake_error)
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
    NULL,
};


IntakeActions *
intake_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org, GError **error)
{
    g_autoptr (IntakeActions) self = g_new0 (IntakeActions, 1);
    self->service = service;
    self->catalog = catalog;
    self->org = org;
    DbnStore *store = dbn_service_get_store (service);
    sqlite3 *db = dbn_store_get_db (store);
    int rc = sqlite3_prepare_v3 (db,
        "SELECT max(case_no) FROM case_record WHERE case_no >= ?1 AND case_no < ?2",
        -1, SQLITE_PREPARE_PERSISTENT, &self->last_number, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3 (db,
            "INSERT INTO case_record (case_no, matter, applicant, id_number, phone, address, village,"
            " channel, materials, missing, state, accepted_at, accepted_by, note, visit, previous_case)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            -1, SQLITE_PREPARE_PERSISTENT, &self->insert_case, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3 (db,
            "SELECT case_no, matter, applicant, id_number, phone, address, village, channel,"
            " materials, missing, state, accepted_at, accepted_by, note, visit, previous_case, closed"
            " FROM case_record WHERE case_no = ?1",
            -1, SQLITE_PREPARE_PERSISTENT, &self->select_case, NULL);
    if (rc != SQLITE_OK) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    return g_steal_pointer (&self);
}

void
intake_actions_free (IntakeActions *self)
{
    if (self == NULL)
        return;
    /* The subscriber first: its transaction uses close_case. */
    g_clear_pointer (&self->routing, dbn_subscriber_free);
    sqlite3_finalize (self->last_number);
    sqlite3_finalize (self->insert_case);
    sqlite3_finalize (self->select_case);
    sqlite3_finalize (self->close_case);
    dbn_catalog_free (self->catalog);
    dbn_org_free (self->org);
    g_free (self);
}

/* ---- validation ---- */

gboolean
intake_check_known_village (IntakeActions *self, const char *village, GError **error)
{
    return dbn_org_check_village (self->org, village, error);
}


gboolean
intake_require_text (const char *value, const char *what, GError **error)
{
    if (value == NULL || *value == '\0' || !dbn_text_check (value, what, DBN_TEXT_STRICT, NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "%s must be filled in, without control characters", what);
        return FALSE;
    }
    return TRUE;
}

/* Digits, with an optional leading + and inner dashes or spaces: landlines
 * (0571-8888 8888) as well as mobiles; 7 to 15 digits. */
static gboolean
phone_is_valid (const char *phone)
{
    int digits = 0;
    for (const char *p = phone; *p != '\0'; p++) {
        if (g_ascii_isdigit (*p))
            digits++;
        else if (!((*p == '+' && p == phone) || *p == '-' || *p == ' '))
            return FALSE;
    }
    return digits >= 7 && digits <= 15;
}

static gboolean
validate_submit (IntakeActions *self, DbnCommand *command, const DbnMsgIntakeSubmit *req,
                 const DbnMatter **matter, GError **error)
{
    /* D-INT-2: a request is accepted only when the applicant entrusts it. */
    if (!req->consent) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_NO_CONSENT,
                     "consent is false: the applicant must entrust the request");
        return FALSE;
    }
    /* D-INT-2: what the applicant marks private is not proxied; at a window
     * the applicant is there in person, so it is not refused there. */
    if (req->has_private_matter && req->private_matter
        && (req->channel == NULL || g_strcmp0 (req->channel, "station") == 0)
        && dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_WINDOW) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_PRIVATE_MATTER,
                     "the applicant marked %s private: it is not handled by proxy", req->matter);
        return FALSE;
    }
    *matter = dbn_catalog_lookup (self->catalog, req->matter);
    if (*matter == NULL) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_UNKNOWN_MATTER,
                     "no matter '%s' in the catalog", req->matter);
        return FALSE;
    }
    if (!intake_require_text (req->applicant, "applicant", error) ||
        !intake_require_text (req->village, "village", error))
        return FALSE;
    g_autoptr (GError) id_error = NULL;
    if (!dbn_idnumber_validate (req->id_number, &id_error)) {
        g_set_error_literal (error, INTAKE_ERROR, INTAKE_ERROR_BAD_ID_NUMBER, id_error->message);
        return FALSE;
    }
    if (!phone_is_valid (req->phone)) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_BAD_PHONE,
                     "'%s' is not a phone number (7 to 15 digits)", req->phone);
        return FALSE;
    }
    if (req->channel != NULL && g_strcmp0 (req->channel, "station") != 0 &&
        g_strcmp0 (req->channel, "walk-in") != 0 && g_strcmp0 (req->channel, "phone") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "channel must be station, walk-in or phone, not '%s'", req->channel);
        return FALSE;
    }
    for (int i = 0; req->materials != NULL && req->materials[i] != NULL; i++)
        if (!intake_require_text (req->materials[i], "every material name", error))
            return FALSE;
    return dbn_text_check (req->note, "the note", DBN_TEXT_STRICT, error) &&
           dbn_text_check (req->address, "the address", DBN_TEXT_STRICT, error);
}

/* D-INT-7: a window takes requests in person (walk-in, the default) or by
 * phone; a station's requests come through the station. */
static const char *
submit_channel (DbnCommand *command, const DbnMsgIntakeSubmit *req, GError **error)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_WINDOW)
        return req->channel ? req->channel : "station";
    if (req->channel == NULL)
        return "walk-in";
    if (g_strcmp0 (req->channel, "station") == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "a window takes requests walk-in or by phone, not through a station");
        return NULL;
    }
    return req->channel;
}

/* D-RPL-2: a case accepted again names an earlier case of the same
 * applicant, and that case was replied to (routing's case.replied, which
 * intake follows): a case still in hand is supplemented or handled, not
 * accepted a second time. */
static gboolean
check_previous (IntakeActions *self, const DbnMsgIntakeSubmit *req, GError **error)
{
    if (req->previous_case == NULL)
        return TRUE;
    if (!intake_select_case (self, req->previous_case, error))
        return FALSE;
    const char *id = (const char *) sqlite3_column_text (self->select_case, INTAKE_COL_ID_NUMBER);
    gboolean same = g_strcmp0 (id, req->id_number) == 0;
    g_autofree char *closed = dbn_sql_column_dup (self->select_case, INTAKE_COL_CLOSED);
    sqlite3_reset (self->select_case);
    if (!same) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "%s is another applicant's case: only the same applicant's case is accepted again",
                     req->previous_case);
        return FALSE;
    }
    /* Archived comes only after a reply (routing's state table). */
    if (g_strcmp0 (closed, "replied") != 0 && g_strcmp0 (closed, "archived") != 0) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_NOT_REPLIED,
                     "%s has not been replied to%s: only a replied case is accepted again",
                     req->previous_case, closed != NULL ? " (it was returned)" : "");
        return FALSE;
    }
    return TRUE;
}

/* ---- storage helpers ---- */

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
    if (self->cached_seq != 0 && self->cached_year == year &&
        self->cached_seq == dbn_store_journal_next_seq (store)) {
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

static gboolean
allocate_case_number (IntakeActions *self, gint64 now_ms, int *year_out, gint64 *number_out,
                      char **out, GError **error)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (now_ms);
    int year = g_date_time_get_year (local);
    gint64 number = 0;
    if (!last_case_number (self, year, &number, error))
        return FALSE;
    number++;
    if (number > 999999) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE,
                     "case numbers for %d are used up (999999)", year);
        return FALSE;
    }
    *out = g_strdup_printf ("%s-%d-%06" G_GINT64_FORMAT,
                            dbn_config_get_township (dbn_service_get_config (self->service)), year, number);
    *year_out = year;
    *number_out = number;
    return TRUE;
}

static gboolean
insert_case (IntakeActions *self, const char *case_no, const DbnMsgIntakeSubmit *req,
             char **missing, const char *state, const char *channel, gint64 now_ms,
             const char *actor, GError **error)
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

/* ---- events ---- */

static gboolean
emit_accepted (DbnCommand *command, const char *topic, const char *case_no,
               const DbnMsgIntakeSubmit *req, const char *channel, const char *state,
               GError **error)
{
    g_autoptr (DbnMsgCaseAccepted) ev = dbn_msg_case_accepted_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_CASE_ACCEPTED_WIRE, case_no);
    ev->matter = g_strdup (req->matter);
    ev->village = g_strdup (req->village);
    ev->applicant = g_strdup (req->applicant);
    /* Personal data leaves intake masked (architecture.md, Security). */
    ev->id_number = dbn_codec_mask_id_number (req->id_number);
    ev->phone = dbn_codec_mask_phone (req->phone);
    ev->channel = g_strdup (channel);
    ev->materials = g_strdupv (req->materials);
    ev->state = g_strdup (state);
    g_autoptr (GBytes) body = dbn_msg_case_accepted_encode (ev, error);
    return body != NULL && dbn_command_emit (command, topic, &ev->env, body, error);
}

static gboolean
emit_awaiting (DbnCommand *command, const char *topic, const char *case_no,
               const char *matter, char **missing, GError **error)
{
    g_autoptr (DbnMsgCaseAwaitingMaterials) ev = dbn_msg_case_awaiting_materials_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE, case_no);
    ev->matter = g_strdup (matter);
    ev->missing = g_strdupv (missing);
    g_autoptr (GBytes) body = dbn_msg_case_awaiting_materials_encode (ev, error);
    return body != NULL && dbn_command_emit (command, topic, &ev->env, body, error);
}

/* ---- authorisation ---- */

/* A station acts only for its own village; everyone the frame let through
 * otherwise may. */
gboolean
intake_check_village (DbnCommand *command, const char *village, const char *what, GError **error)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_STATION)
        return TRUE;
    const char *station = dbn_principal_get_id (dbn_command_get_principal (command));
    if (g_strcmp0 (station, village) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                 "station %s may %s only for its own village, not %s", station, what, village);
    return FALSE;
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
intake_may_read_matter (IntakeActions *self, DbnCommand *command, const char *matter, GError **error)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_WINDOW)
        return TRUE;
    /* D-INT-8: petitions carry stricter confidentiality; only the window
     * that handles them (the mediation officer's) reads them. */
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, matter);
    const char *window = dbn_principal_get_id (dbn_command_get_principal (command));
    if (m == NULL || !m->restricted || g_strcmp0 (m->window, window) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                 "%s is a restricted matter (D-INT-8): window %s may not read its cases", matter, window);
    return FALSE;
}

gboolean
intake_next_number (IntakeActions *self, const char *table, const char *column, char letter,
                    gint64 now_ms, char **out, GError **error)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (now_ms);
    int year = g_date_time_get_year (local);
    const char *township = dbn_config_get_township (dbn_service_get_config (self->service));
    /* "T01-2026-R" ≤ number < "T01-2026-S": the prefix's own range. */
    g_autofree char *low = g_strdup_printf ("%s-%d-%c", township, year, letter);
    g_autofree char *high = g_strdup_printf ("%s-%d-%c", township, year, letter + 1);
    g_autofree char *sql = g_strdup_printf ("SELECT max(%s) FROM %s WHERE %s >= ?1 AND %s < ?2",
                                            column, table, column, column);
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

/* ---- commands ---- */

static GBytes *
intake_submit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeSubmit) req =
        dbn_msg_intake_submit_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->village, error) ||
        !intake_check_village (command, req->village, "submit", error))
        return NULL;
    const DbnMatter *matter = NULL;
    if (!validate_submit (self, command, req, &matter, error))
        return NULL;

    const char *channel = submit_channel (command, req, error);
    if (channel == NULL || !check_previous (self, req, error))
        return NULL;
    /* D-INT-1: a need found on a household visit becomes this request. */
    if (req->visit != NULL && !intake_visit_check (self, req->visit, req->village, error))
        return NULL;
    gint64 now = dbn_command_get_now_ms (command);
    g_auto (GStrv) missing = dbn_matter_dup_missing (matter, (const char *const *) req->materials);
    /* D-INT-4: an incomplete request waits for its materials. */
    const char *state = missing[0] != NULL ? "awaiting_materials" : "accepted";
    g_autofree char *case_no = NULL;
    int year = 0;
    gint64 number = 0;
    if (!allocate_case_number (self, now, &year, &number, &case_no, error))
        return NULL;
    const char *actor = dbn_command_get_actor (command);
    if (!insert_case (self, case_no, req, missing, state, channel, now, actor, error))
        return NULL;

    if (req->visit != NULL && !intake_visit_link (self, req->visit, case_no, error))
        return NULL;
    g_autofree char *topic = dbn_topic_dup_queue ('s', req->village, error);
    if (topic == NULL || !emit_accepted (command, topic, case_no, req, channel, state, error))
        return NULL;
    if (missing[0] != NULL && !emit_awaiting (command, topic, case_no, req->matter, missing, error))
        return NULL;
    self->cached_year = year;
    self->cached_number = number;
    self->cached_seq = dbn_store_journal_next_seq (dbn_service_get_store (service));

    g_autoptr (DbnMsgIntakeSubmitReply) reply = dbn_msg_intake_submit_reply_new ();
    reply->case_no = g_steal_pointer (&case_no);
    reply->state = g_strdup (state);
    reply->missing = g_steal_pointer (&missing);
    reply->accepted_at = now;
    return dbn_msg_intake_submit_reply_encode (reply, error);
}

static GBytes *
intake_case_get (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeCaseGet) req =
        dbn_msg_intake_case_get_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_select_case (self, req->case_no, error))
        return NULL;
    sqlite3_stmt *st = self->select_case;
    const char *village = (const char *) sqlite3_column_text (st, INTAKE_COL_VILLAGE);
    if (!intake_check_village (command, village, "read cases", error) ||
        !intake_may_read_matter (self, command, (const char *) sqlite3_column_text (st, INTAKE_COL_MATTER),
                                 error)) {
        sqlite3_reset (st);
        return NULL;
    }
    g_autoptr (DbnMsgIntakeCaseGetReply) reply = dbn_msg_intake_case_get_reply_new ();
    reply->case_no = dbn_sql_column_dup (st, 0);
    reply->matter = dbn_sql_column_dup (st, 1);
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, reply->matter);
    reply->matter_name = g_strdup (matter ? matter->name_zh : reply->matter);
    reply->applicant = dbn_sql_column_dup (st, 2);
    reply->id_number = dbn_sql_column_dup (st, 3);
    reply->phone = dbn_sql_column_dup (st, 4);
    reply->address = dbn_sql_column_dup (st, 5);
    reply->village = dbn_sql_column_dup (st, 6);
    reply->channel = dbn_sql_column_dup (st, 7);
    reply->materials = intake_split_lines (sqlite3_column_text (st, 8));
    reply->missing = intake_split_lines (sqlite3_column_text (st, 9));
    reply->state = dbn_sql_column_dup (st, 10);
    reply->accepted_at = sqlite3_column_int64 (st, 11);
    reply->accepted_by = dbn_sql_column_dup (st, 12);
    reply->note = dbn_sql_column_dup (st, 13);
    reply->visit = dbn_sql_column_dup (st, INTAKE_COL_VISIT);
    reply->previous_case = dbn_sql_column_dup (st, INTAKE_COL_PREVIOUS);
    reply->closed = dbn_sql_column_dup (st, INTAKE_COL_CLOSED);
    sqlite3_reset (st);
    if (dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_COMMITTEE) {
        /* personal="id|phone|address" (schemas/messages/case.xml). */
        char *masked = dbn_codec_mask_id_number (reply->id_number);
        g_free (reply->id_number);
        reply->id_number = masked;
        masked = dbn_codec_mask_phone (reply->phone);
        g_free (reply->phone);
        reply->phone = masked;
        masked = dbn_codec_mask_address (reply->address);
        g_free (reply->address);
        reply->address = masked;
    }
    return dbn_msg_intake_case_get_reply_encode (reply, error);
}

const DbnCommandSpec intake_commands[] = {
    /* Stations: their own village only (check_village). Windows take
     * walk-in and phone requests (D-INT-7). */
    { DBN_MSG_INTAKE_SUBMIT_WIRE, intake_submit, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_INTAKE_CASE_GET_WIRE, intake_case_get, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_INTAKE_SUPPLEMENT_WIRE, intake_supplement, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_INTAKE_REFUSE_WIRE, intake_refuse, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    /* D-INT-1: agents visit households; the village station records it. */
    { DBN_MSG_INTAKE_VISIT_WIRE, intake_visit, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_INTAKE_LOGBOOK_WIRE, intake_logbook, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_INTAKE_VISIT_LIST_WIRE, intake_visit_list, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    /* D-CAT-3: the administrator (operator) or a supervisor. */
    { DBN_MSG_CATALOG_RELOAD_WIRE, intake_catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};
