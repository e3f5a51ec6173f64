/* intake_correct.c: case.correct (D-AUD-5, issue 14 item 6). A wrong field
 * of the applicant's data is corrected by a new entry, never silently: the
 * case_correction book keeps the earlier and the corrected value with who,
 * when and why; case_record holds the value in force; case.corrected goes
 * out (masked) to routing, which shows it in the case's timeline, and to
 * the audit record. The matter is not intake's to change: it decides the
 * window, the kind and the clocks, which routing owns (reclassify or
 * return the case there). */
#include "intake_private.h"

#include <string.h>

#include "daiban/dbn_sql.h"

/* The fields a correction may change, their column and how they are masked
 * in events (personal="..." in schemas/messages/case.xml). */
typedef struct {
    const char *field;
    int column; /* INTAKE_COL_* */
    char *(*mask) (const char *value);
} Correctable;

static char *
as_is (const char *value)
{
    return g_strdup (value);
}

static const Correctable correctable[] = {
    { "applicant", INTAKE_COL_APPLICANT, as_is },
    { "id_number", INTAKE_COL_ID_NUMBER, dbn_codec_mask_id_number },
    { "phone", INTAKE_COL_PHONE, dbn_codec_mask_phone },
    { "address", INTAKE_COL_ADDRESS, dbn_codec_mask_address },
};

static const Correctable *
find_correctable (const char *field, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS (correctable); i++)
        if (g_strcmp0 (correctable[i].field, field) == 0)
            return &correctable[i];
    if (g_strcmp0 (field, "matter") == 0)
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID,
                             "the matter is corrected at routing: reclassify or return the case (D-RTE-2)");
    else
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "field must be applicant, id_number, phone or address, not '%s'", field ? field : "");
    return NULL;
}

static gboolean
check_value (const Correctable *c, const char *value, GError **error)
{
    if (!intake_require_text (value, "the corrected value", error))
        return FALSE;
    if (c->column == INTAKE_COL_ID_NUMBER) {
        g_autoptr (GError) id_error = NULL;
        if (!dbn_idnumber_validate (value, &id_error)) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "the corrected ID number: %s",
                         id_error->message);
            return FALSE;
        }
    }
    if (c->column == INTAKE_COL_PHONE && !intake_phone_is_valid (value)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "'%s' is not a phone number (7 to 15 digits)",
                     value);
        return FALSE;
    }
    return TRUE;
}

static gboolean
store_correction (IntakeActions *self, const char *case_no, const Correctable *c, const char *previous,
                  const char *value, const char *reason, gint64 seq, gint64 now, const char *actor,
                  GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3 *db = dbn_store_get_db (store);
    g_autoptr (sqlite3_stmt) add = NULL;
    int rc = sqlite3_prepare_v2 (db,
                                 "INSERT INTO case_correction (case_no, seq, field, previous, value, reason,"
                                 " corrected_at, corrected_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                 -1, &add, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    dbn_sql_bind_text (add, 1, case_no);
    sqlite3_bind_int64 (add, 2, seq);
    dbn_sql_bind_text (add, 3, c->field);
    dbn_sql_bind_text_or_null (add, 4, previous);
    dbn_sql_bind_text (add, 5, value);
    dbn_sql_bind_text (add, 6, reason);
    sqlite3_bind_int64 (add, 7, now);
    dbn_sql_bind_text (add, 8, actor);
    if ((rc = sqlite3_step (add)) != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    /* The column name comes from the table above, never from the request. */
    g_autofree char *sql = g_strdup_printf ("UPDATE case_record SET %s = ?1 WHERE case_no = ?2", c->field);
    g_autoptr (sqlite3_stmt) set = NULL;
    rc = sqlite3_prepare_v2 (db, sql, -1, &set, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    dbn_sql_bind_text (set, 1, value);
    dbn_sql_bind_text (set, 2, case_no);
    if ((rc = sqlite3_step (set)) != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

GBytes *
intake_case_correct (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgCaseCorrect) req =
        dbn_msg_case_correct_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    const Correctable *c = find_correctable (req->field, error);
    if (c == NULL || !check_value (c, req->value, error))
        return NULL;
    /* D-AUD-5: a correction says why. */
    if (dbn_text_is_blank (req->reason)) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "a correction needs its reason");
        return NULL;
    }
    if (!intake_require_text (req->reason, "the reason", error))
        return NULL;
    if (!intake_select_case (self, req->case_no, error))
        return NULL;
    sqlite3_stmt *st = self->select_case;
    g_autofree char *village = dbn_sql_column_dup (st, INTAKE_COL_VILLAGE);
    g_autofree char *matter = dbn_sql_column_dup (st, INTAKE_COL_MATTER);
    g_autofree char *closed = dbn_sql_column_dup (st, INTAKE_COL_CLOSED);
    g_autofree char *previous = dbn_sql_column_dup (st, c->column);
    sqlite3_reset (st);
    if (!intake_check_village (command, village, "correct", error)
        || !intake_may_read_matter (self, command, matter, error))
        return NULL;
    /* D-RPL-4: an archived case is read-only. */
    if (g_strcmp0 (closed, "archived") == 0) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_CASE_CLOSED, "%s is archived: it takes no correction",
                     req->case_no);
        return NULL;
    }
    if (g_strcmp0 (previous, req->value) == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s's %s is already that", req->case_no, c->field);
        return NULL;
    }
    g_autofree char *topic = dbn_topic_dup_queue ('s', village, error);
    if (topic == NULL)
        return NULL;
    g_autoptr (DbnMsgCaseCorrected) ev = dbn_msg_case_corrected_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_CASE_CORRECTED_WIRE, req->case_no);
    ev->field = g_strdup (c->field);
    ev->value = c->mask (req->value);
    ev->previous = c->mask (previous != NULL ? previous : "");
    ev->reason = g_strdup (req->reason);
    g_autoptr (GBytes) event = dbn_msg_case_corrected_encode (ev, error);
    if (event == NULL
        || !store_correction (self, req->case_no, c, previous, req->value, req->reason, ev->env.seq,
                              dbn_command_get_now_ms (command), dbn_command_get_actor (command), error)
        || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;
    g_autoptr (DbnMsgCaseCorrectReply) reply = dbn_msg_case_correct_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->field = g_strdup (c->field);
    reply->seq = ev->env.seq;
    return dbn_msg_case_correct_reply_encode (reply, error);
}
