/* intake_cases.c: a resident's request becomes a case (intake.submit,
 * intake.case.get).
 *
 * submit checks consent first (D-INT-2: nothing is recorded for a request the
 * applicant did not entrust), then the matter against the catalog and the
 * applicant's details; it numbers the case (intake_store.c), stores the
 * full record, and journals case.accepted with personal fields masked, plus
 * case.awaiting_materials listing every missing item once (D-INT-4).
 *
 * Who may do what: intake_actions.c.
 */
#include "intake_private.h"

#include <string.h>

/* Digits, with an optional leading + and inner dashes or spaces: landlines
 * (0571-8888 8888) as well as mobiles; 7 to 15 digits. */
gboolean
intake_phone_is_valid (const char *phone)
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
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_UNKNOWN_MATTER, "no matter '%s' in the catalog",
                     req->matter);
        return FALSE;
    }
    if (!intake_require_text (req->applicant, "applicant", error)
        || !intake_require_text (req->village, "village", error))
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
    if (req->channel != NULL && g_strcmp0 (req->channel, "station") != 0
        && g_strcmp0 (req->channel, "walk-in") != 0 && g_strcmp0 (req->channel, "phone") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "channel must be station, walk-in or phone, not '%s'", req->channel);
        return FALSE;
    }
    for (int i = 0; req->materials != NULL && req->materials[i] != NULL; i++)
        if (!intake_require_text (req->materials[i], "every material name", error))
            return FALSE;
    return dbn_text_check (req->note, "the note", DBN_TEXT_STRICT, error)
           && dbn_text_check (req->address, "the address", DBN_TEXT_STRICT, error);
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

static gboolean
emit_accepted (DbnCommand *command, const char *topic, const char *case_no, const DbnMsgIntakeSubmit *req,
               const char *channel, const char *state, GError **error)
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
    /* D-RPL-2, D-EV-5: a repeat request says so (evaluation counts it). */
    ev->previous_case = g_strdup (req->previous_case);
    g_autoptr (GBytes) body = dbn_msg_case_accepted_encode (ev, error);
    return body != NULL && dbn_command_emit (command, topic, &ev->env, body, error);
}

static gboolean
emit_awaiting (DbnCommand *command, const char *topic, const char *case_no, const char *matter,
               char **missing, GError **error)
{
    g_autoptr (DbnMsgCaseAwaitingMaterials) ev = dbn_msg_case_awaiting_materials_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE, case_no);
    ev->matter = g_strdup (matter);
    ev->missing = g_strdupv (missing);
    g_autoptr (GBytes) body = dbn_msg_case_awaiting_materials_encode (ev, error);
    return body != NULL && dbn_command_emit (command, topic, &ev->env, body, error);
}

DbnMsgIntakeSubmitReply *
intake_submit_request (IntakeActions *self, DbnCommand *command, const DbnMsgIntakeSubmit *req,
                       GError **error)
{
    if (!intake_check_known_village (self, req->village, error)
        || !intake_check_village (command, req->village, "submit", error))
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
    if (!intake_allocate_case_number (self, now, &year, &number, &case_no, error))
        return NULL;
    const char *actor = dbn_command_get_actor (command);
    if (!intake_insert_case (self, case_no, req, missing, state, channel, now, actor, error))
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
    self->cached_seq = dbn_store_journal_next_seq (dbn_service_get_store (self->service));

    g_autoptr (DbnMsgIntakeSubmitReply) reply = dbn_msg_intake_submit_reply_new ();
    reply->case_no = g_steal_pointer (&case_no);
    reply->state = g_strdup (state);
    reply->missing = g_steal_pointer (&missing);
    reply->accepted_at = now;
    /* D-DL-4, D-DL-7: promised only when the request is complete; a waiting
     * request's committed clock starts stopped. */
    if (reply->missing[0] == NULL)
        reply->promised = intake_dup_promised (self, req->matter, req->village, now);
    return g_steal_pointer (&reply);
}

GBytes *
intake_submit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeSubmit) req =
        dbn_msg_intake_submit_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    g_autoptr (DbnMsgIntakeSubmitReply) reply = intake_submit_request (self, command, req, error);
    return reply != NULL ? dbn_msg_intake_submit_reply_encode (reply, error) : NULL;
}

GBytes *
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
    if (!intake_check_village (command, village, "read cases", error)
        || !intake_may_read_matter (self, command, (const char *) sqlite3_column_text (st, INTAKE_COL_MATTER),
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
