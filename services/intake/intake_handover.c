/* intake_handover.c: group agents (组代办员) hand requests to their village
 * station (issue 16 item 2; 三级网络: group point → village station).
 *
 * A group:<agent> key (an agent of level group in org.ini) may only hand
 * over: intake.handover records the request in the handover book for the
 * agent's own station, with no case yet, and publishes handover.pending on
 * s/<station>/ so the station sees "from group X". The station then either
 * accepts it (intake.handover.accept: the applicant's consent is confirmed
 * at the station, D-INT-2, and the request goes through the usual
 * intake.submit path, intake_submit_request, with the station as acceptor,
 * D-INT-6) or sends it back with its reason (intake.handover.return).
 * handover.accepted names the group agent, so the evaluation service counts
 * the case for the group agent's quota (D-EV-3).
 *
 * The group agent carries the applicant's data to the station, so it
 * checks the same fields submit does (the ID number, the phone, the
 * matter) before anything is stored: the station is not handed a request
 * it could never accept.
 */
#include "intake_private.h"

/* The group agent of the command's principal: an agent of level group in
 * org.ini (the frame let only DBN_PRINCIPAL_GROUP call). */
static const DbnAgent *
command_group_agent (IntakeActions *self, DbnCommand *command, GError **error)
{
    const char *id = dbn_principal_get_id (dbn_command_get_principal (command));
    const DbnAgent *a = dbn_org_lookup_agent (self->org, id);
    if (a == NULL || a->level != DBN_AGENT_LEVEL_GROUP || a->station == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s is not a group agent of org.ini",
                     dbn_command_get_principal (command));
        return NULL;
    }
    return a;
}

static gboolean
validate_handover (IntakeActions *self, const DbnMsgIntakeHandover *req, GError **error)
{
    if (dbn_catalog_lookup (self->catalog, req->matter) == NULL) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_UNKNOWN_MATTER, "no matter '%s' in the catalog",
                     req->matter);
        return FALSE;
    }
    if (!intake_require_text (req->applicant, "applicant", error))
        return FALSE;
    g_autoptr (GError) id_error = NULL;
    if (!dbn_idnumber_validate (req->id_number, &id_error)) {
        g_set_error_literal (error, INTAKE_ERROR, INTAKE_ERROR_BAD_ID_NUMBER, id_error->message);
        return FALSE;
    }
    if (!intake_phone_is_valid (req->phone)) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_BAD_PHONE,
                     "'%s' is not a phone number (7 to 15 digits)", req->phone);
        return FALSE;
    }
    for (int i = 0; req->materials != NULL && req->materials[i] != NULL; i++)
        if (!intake_require_text (req->materials[i], "every material name", error))
            return FALSE;
    return dbn_text_check (req->note, "the note", DBN_TEXT_STRICT, error)
           && dbn_text_check (req->address, "the address", DBN_TEXT_STRICT, error);
}

static gboolean
step_done (IntakeActions *self, sqlite3_stmt *st, int rc, GError **error)
{
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    return TRUE;
}

static gboolean
insert_handover (IntakeActions *self, const char *number, const DbnAgent *agent,
                 const DbnMsgIntakeHandover *req, gint64 now, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2 (dbn_store_get_db (dbn_service_get_store (self->service)),
                            "INSERT INTO handover (handover, station, agent, applicant, id_number, phone,"
                            " address, matter, materials, note, state, at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        g_autofree char *materials = intake_join_lines (req->materials);
        dbn_sql_bind_text (st, 1, number);
        dbn_sql_bind_text (st, 2, agent->station);
        dbn_sql_bind_text (st, 3, agent->id);
        dbn_sql_bind_text (st, 4, req->applicant);
        dbn_sql_bind_text (st, 5, req->id_number);
        dbn_sql_bind_text (st, 6, req->phone);
        dbn_sql_bind_text_or_null (st, 7, req->address);
        dbn_sql_bind_text (st, 8, req->matter);
        dbn_sql_bind_text (st, 9, materials);
        dbn_sql_bind_text_or_null (st, 10, req->note);
        sqlite3_bind_int64 (st, 11, now);
        rc = sqlite3_step (st);
    }
    return step_done (self, st, rc, error);
}

GBytes *
intake_handover (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeHandover) req =
        dbn_msg_intake_handover_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    const DbnAgent *agent = command_group_agent (self, command, error);
    if (agent == NULL || !intake_check_known_village (self, agent->station, error)
        || !validate_handover (self, req, error))
        return NULL;
    gint64 now = dbn_command_get_now_ms (command);
    g_autofree char *number = NULL;
    if (!intake_next_number (self, "handover", "handover", 'H', now, &number, error)
        || !insert_handover (self, number, agent, req, now, error))
        return NULL;

    g_autofree char *topic = dbn_topic_dup_queue ('s', agent->station, error);
    if (topic == NULL)
        return NULL;
    g_autoptr (DbnMsgHandoverPending) ev = dbn_msg_handover_pending_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_HANDOVER_PENDING_WIRE, number);
    ev->station = g_strdup (agent->station);
    ev->group_agent = g_strdup (agent->id);
    ev->group_name = g_strdup (agent->group ? agent->group : agent->id);
    ev->matter = g_strdup (req->matter);
    ev->applicant = g_strdup (req->applicant);
    /* Personal data leaves intake masked (architecture.md, Security). */
    ev->id_number = dbn_codec_mask_id_number (req->id_number);
    g_autoptr (GBytes) event = dbn_msg_handover_pending_encode (ev, error);
    if (event == NULL || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;

    g_autoptr (DbnMsgIntakeHandoverReply) reply = dbn_msg_intake_handover_reply_new ();
    reply->handover = g_steal_pointer (&number);
    reply->station = g_strdup (agent->station);
    reply->at = now;
    return dbn_msg_intake_handover_reply_encode (reply, error);
}

/* ---- the book ---- */

#define HANDOVER_COLUMNS                                                                                     \
    "handover, station, agent, applicant, id_number, phone, address, matter, materials, note, state, at,"    \
    " case_no, reason"

enum {
    COL_HANDOVER,
    COL_STATION,
    COL_AGENT,
    COL_APPLICANT,
    COL_ID_NUMBER,
    COL_PHONE,
    COL_ADDRESS,
    COL_MATTER,
    COL_MATERIALS,
    COL_NOTE,
    COL_STATE,
    COL_AT,
    COL_CASE,
    COL_REASON,
};

static DbnMsgIntakeHandoverItem *
item_from_row (IntakeActions *self, sqlite3_stmt *st)
{
    DbnMsgIntakeHandoverItem *item = dbn_msg_intake_handover_item_new ();
    item->handover = dbn_sql_column_dup (st, COL_HANDOVER);
    item->station = dbn_sql_column_dup (st, COL_STATION);
    item->group_agent = dbn_sql_column_dup (st, COL_AGENT);
    const DbnAgent *a = dbn_org_lookup_agent (self->org, item->group_agent);
    item->group_name = g_strdup (a && a->group ? a->group : item->group_agent);
    item->applicant = dbn_sql_column_dup (st, COL_APPLICANT);
    item->id_number = dbn_sql_column_dup (st, COL_ID_NUMBER);
    item->phone = dbn_sql_column_dup (st, COL_PHONE);
    item->matter = dbn_sql_column_dup (st, COL_MATTER);
    item->materials = intake_split_lines (sqlite3_column_text (st, COL_MATERIALS));
    item->note = dbn_sql_column_dup (st, COL_NOTE);
    item->state = dbn_sql_column_dup (st, COL_STATE);
    item->at = sqlite3_column_int64 (st, COL_AT);
    item->case_no = dbn_sql_column_dup (st, COL_CASE);
    item->reason = dbn_sql_column_dup (st, COL_REASON);
    return item;
}

/* One handover by number, or NULL with DBN_ERROR_NOT_FOUND (or a store error). */
static DbnMsgIntakeHandoverItem *
lookup_handover (IntakeActions *self, const char *number, char **address, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2 (dbn_store_get_db (store),
                            "SELECT " HANDOVER_COLUMNS " FROM handover WHERE handover = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        dbn_sql_bind_text (st, 1, number);
        rc = sqlite3_step (st);
    }
    DbnMsgIntakeHandoverItem *item = NULL;
    if (rc == SQLITE_ROW) {
        item = item_from_row (self, st);
        if (address != NULL)
            *address = dbn_sql_column_dup (st, COL_ADDRESS);
    } else if (rc == SQLITE_DONE) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "no handover %s", number);
    } else {
        dbn_store_set_error (store, rc, error);
    }
    sqlite3_finalize (st);
    return item;
}

/* A station reads and decides only its own village's handovers; a group
 * agent reads only the ones it made. */
static gboolean
may_touch (DbnCommand *command, const char *station, const char *agent, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        if (g_strcmp0 (id, station) == 0)
            return TRUE;
        break;
    case DBN_PRINCIPAL_GROUP:
        if (agent == NULL || g_strcmp0 (id, agent) == 0)
            return TRUE;
        break;
    default: return TRUE;
    }
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not see the handovers of station %s",
                 principal, station);
    return FALSE;
}

GBytes *
intake_handover_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeHandoverList) req =
        dbn_msg_intake_handover_list_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->station, error)
        || !may_touch (command, req->station, NULL, error))
        return NULL;
    if (dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_GROUP) {
        const DbnAgent *a = command_group_agent (self, command, error);
        if (a == NULL)
            return NULL;
        if (g_strcmp0 (a->station, req->station) != 0) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                         "group agent %s belongs to station %s, not %s", a->id, a->station, req->station);
            return NULL;
        }
    }
    if (req->state != NULL && g_strcmp0 (req->state, "pending") != 0
        && g_strcmp0 (req->state, "accepted") != 0 && g_strcmp0 (req->state, "returned") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "state must be pending, accepted or returned");
        return NULL;
    }
    /* A group agent sees only its own handovers. */
    const char *agent = dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_GROUP
                            ? dbn_principal_get_id (dbn_command_get_principal (command))
                            : NULL;
    gboolean committee = dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_COMMITTEE;
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT " HANDOVER_COLUMNS " FROM handover WHERE station = ?1"
                                 " AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR agent = ?3)"
                                 " ORDER BY at DESC, handover DESC LIMIT 500",
                                 -1, &st, NULL);
    g_autoptr (DbnMsgIntakeHandoverListReply) reply = dbn_msg_intake_handover_list_reply_new ();
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (rc == SQLITE_OK) {
        dbn_sql_bind_text (st, 1, req->station);
        dbn_sql_bind_text_or_null (st, 2, req->state);
        dbn_sql_bind_text_or_null (st, 3, agent);
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            g_autoptr (DbnMsgIntakeHandoverItem) item = item_from_row (self, st);
            if (committee) {
                /* Oversight needs the request, not the person's numbers. */
                g_autofree char *id = g_steal_pointer (&item->id_number);
                g_autofree char *phone = g_steal_pointer (&item->phone);
                item->id_number = dbn_codec_mask_id_number (id);
                item->phone = dbn_codec_mask_phone (phone);
            }
            GBytes *encoded = dbn_msg_intake_handover_item_encode (item, error);
            if (encoded == NULL) {
                sqlite3_finalize (st);
                return NULL;
            }
            g_ptr_array_add (reply->items, encoded);
        }
    }
    if (!step_done (self, st, rc, error))
        return NULL;
    return dbn_msg_intake_handover_list_reply_encode (reply, error);
}

/* Only a pending handover is decided, once. */
static DbnMsgIntakeHandoverItem *
pending_handover (IntakeActions *self, DbnCommand *command, const char *number, char **address,
                  GError **error)
{
    g_autoptr (DbnMsgIntakeHandoverItem) item = lookup_handover (self, number, address, error);
    if (item == NULL || !may_touch (command, item->station, NULL, error))
        return NULL;
    if (g_strcmp0 (item->state, "pending") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "handover %s is already %s%s%s", number,
                     item->state, item->case_no ? " as " : "", item->case_no ? item->case_no : "");
        return NULL;
    }
    return g_steal_pointer (&item);
}

static gboolean
decide (IntakeActions *self, DbnCommand *command, const char *number, const char *state, const char *case_no,
        const char *reason, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (dbn_service_get_store (self->service)),
                                 "UPDATE handover SET state = ?2, case_no = ?3, reason = ?4, decided_at = ?5,"
                                 " decided_by = ?6 WHERE handover = ?1 AND state = 'pending'",
                                 -1, &st, NULL);
    if (rc == SQLITE_OK) {
        dbn_sql_bind_text (st, 1, number);
        dbn_sql_bind_text (st, 2, state);
        dbn_sql_bind_text_or_null (st, 3, case_no);
        dbn_sql_bind_text_or_null (st, 4, reason);
        sqlite3_bind_int64 (st, 5, dbn_command_get_now_ms (command));
        dbn_sql_bind_text (st, 6, dbn_command_get_actor (command));
        rc = sqlite3_step (st);
    }
    return step_done (self, st, rc, error);
}

GBytes *
intake_handover_accept (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeHandoverAccept) req =
        dbn_msg_intake_handover_accept_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    g_autofree char *address = NULL;
    g_autoptr (DbnMsgIntakeHandoverItem) item =
        pending_handover (self, command, req->handover, &address, error);
    if (item == NULL)
        return NULL;
    /* D-INT-2: the consent is the station's to record, in front of the
     * applicant; submit refuses without it and the handover stays pending. */
    g_autoptr (DbnMsgIntakeSubmit) submit = dbn_msg_intake_submit_new ();
    submit->applicant = g_strdup (item->applicant);
    submit->id_number = g_strdup (item->id_number);
    submit->phone = g_strdup (item->phone);
    submit->village = g_strdup (item->station);
    submit->matter = g_strdup (item->matter);
    submit->materials = g_strdupv (item->materials);
    submit->consent = req->consent;
    submit->channel = g_strdup ("station");
    submit->address = g_steal_pointer (&address);
    submit->note = g_strdup (item->note);
    g_autoptr (DbnMsgIntakeSubmitReply) submitted = intake_submit_request (self, command, submit, error);
    if (submitted == NULL
        || !decide (self, command, req->handover, "accepted", submitted->case_no, NULL, error))
        return NULL;

    g_autofree char *topic = dbn_topic_dup_queue ('s', item->station, error);
    if (topic == NULL)
        return NULL;
    g_autoptr (DbnMsgHandoverAccepted) ev = dbn_msg_handover_accepted_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_HANDOVER_ACCEPTED_WIRE, submitted->case_no);
    ev->handover = g_strdup (req->handover);
    ev->station = g_strdup (item->station);
    ev->group_agent = g_strdup (item->group_agent);
    g_autoptr (GBytes) event = dbn_msg_handover_accepted_encode (ev, error);
    if (event == NULL || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;

    g_autoptr (DbnMsgIntakeHandoverAcceptReply) reply = dbn_msg_intake_handover_accept_reply_new ();
    reply->case_no = g_steal_pointer (&submitted->case_no);
    reply->state = g_steal_pointer (&submitted->state);
    reply->missing = g_steal_pointer (&submitted->missing);
    return dbn_msg_intake_handover_accept_reply_encode (reply, error);
}

GBytes *
intake_handover_return (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeHandoverReturn) req =
        dbn_msg_intake_handover_return_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_require_text (req->reason, "the reason", error))
        return NULL;
    g_autoptr (DbnMsgIntakeHandoverItem) item = pending_handover (self, command, req->handover, NULL, error);
    if (item == NULL || !decide (self, command, req->handover, "returned", NULL, req->reason, error))
        return NULL;
    g_autofree char *topic = dbn_topic_dup_queue ('s', item->station, error);
    if (topic == NULL)
        return NULL;
    g_autoptr (DbnMsgHandoverReturned) ev = dbn_msg_handover_returned_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_HANDOVER_RETURNED_WIRE, req->handover);
    ev->station = g_strdup (item->station);
    ev->group_agent = g_strdup (item->group_agent);
    ev->reason = g_strdup (req->reason);
    g_autoptr (GBytes) event = dbn_msg_handover_returned_encode (ev, error);
    if (event == NULL || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;
    g_autoptr (DbnMsgIntakeHandoverReturnReply) reply = dbn_msg_intake_handover_return_reply_new ();
    reply->at = dbn_command_get_now_ms (command);
    return dbn_msg_intake_handover_return_reply_encode (reply, error);
}
