/* intake_visits.c: household visit logs (入户走访, 民情日志; D-INT-1).
 *
 * A village agent visits households, the must-visit ones above all (三必访:
 * hardship households, petitioners, old party members), and writes down the
 * needs found. intake.visit records one visit in the visit book under its
 * own number, <township>-<year>-V<6 digits>, and journals visit.recorded on
 * the station's topic (address masked, as every personal field that leaves
 * intake). A need becomes a request in one step: intake.submit with
 * `visit` set takes the visit's village, and the link visit → case is kept
 * in visit_case, so the visit list shows which needs became which cases.
 *
 * Visits are intake's because intake owns the resident's personal data
 * (architecture.md); consent still applies to the request made from a
 * need (D-INT-2: the submit checks it as any other).
 */
#include "intake_private.h"

#include <string.h>

/* Most visits one list answer carries (the schema's limit). */
#define VISIT_LIST_MAX 500

GBytes *
intake_visit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeVisit) req =
        dbn_msg_intake_visit_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->village, error)
        || !intake_check_village (command, req->village, "record visits", error)
        || !intake_require_text (req->village, "village", error)
        || !intake_require_text (req->household, "household", error)
        || !dbn_text_check (req->address, "the address", DBN_TEXT_STRICT, error)
        || !dbn_text_check (req->note, "the note", DBN_TEXT_STRICT, error))
        return NULL;
    for (int i = 0; req->needs != NULL && req->needs[i] != NULL; i++)
        if (!intake_require_text (req->needs[i], "every need", error))
            return NULL;
    if (req->must_visit != NULL && !intake_must_kind_valid (req->must_visit)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "must_visit is hardship, petitioner or party_member, not '%s'", req->must_visit);
        return NULL;
    }
    /* D-INT-1: a visit of a household on the village's must-visit list is
     * one of the list's visits, whatever the agent ticked: visit.recorded
     * carries the list's kind, which the monthly figures count. */
    g_autoptr (GError) list_error = NULL;
    g_autofree char *listed = intake_must_dup_kind (self, req->village, req->household, &list_error);
    if (list_error != NULL) {
        g_propagate_error (error, g_steal_pointer (&list_error));
        return NULL;
    }
    if (listed != NULL) {
        g_free (req->must_visit);
        req->must_visit = g_steal_pointer (&listed);
    }
    gint64 now = dbn_command_get_now_ms (command);
    g_autofree char *number = NULL;
    if (!intake_next_number (self, "visit", "visit", 'V', now, &number, error))
        return NULL;
    DbnStore *store = dbn_service_get_store (service);
    sqlite3_stmt *st = NULL;
    g_autofree char *needs = intake_join_lines (req->needs);
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO visit (visit, village, household, address, needs, must_visit,"
                                 " note, visited_at, visited_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                 -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, number, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, req->village, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, req->household, -1, SQLITE_STATIC);
        if (req->address)
            sqlite3_bind_text (st, 4, req->address, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 5, needs, -1, SQLITE_STATIC);
        if (req->must_visit)
            sqlite3_bind_text (st, 6, req->must_visit, -1, SQLITE_STATIC);
        if (req->note)
            sqlite3_bind_text (st, 7, req->note, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 8, now);
        sqlite3_bind_text (st, 9, dbn_command_get_actor (command), -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    g_autoptr (DbnMsgVisitRecorded) ev = dbn_msg_visit_recorded_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_VISIT_RECORDED_WIRE, number);
    ev->village = g_strdup (req->village);
    ev->household = g_strdup (req->household);
    ev->needs = g_strdupv (req->needs ? req->needs : (char *[]){ NULL });
    ev->must_visit = g_strdup (req->must_visit);
    g_autoptr (GBytes) event = dbn_msg_visit_recorded_encode (ev, error);
    g_autofree char *topic = event != NULL ? dbn_topic_dup_queue ('s', req->village, error) : NULL;
    if (topic == NULL || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;
    g_autoptr (DbnMsgIntakeVisitReply) reply = dbn_msg_intake_visit_reply_new ();
    reply->visit = g_steal_pointer (&number);
    reply->visited_at = now;
    return dbn_msg_intake_visit_reply_encode (reply, error);
}

gboolean
intake_visit_check (IntakeActions *self, const char *visit, const char *village, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store), "SELECT village FROM visit WHERE visit = ?1", -1,
                                 &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, visit, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    g_autofree char *found = rc == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (st, 0)) : NULL;
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    if (found == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "no household visit %s", visit);
        return FALSE;
    }
    if (g_strcmp0 (found, village) != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "visit %s was in %s, not %s", visit, found,
                     village);
        return FALSE;
    }
    return TRUE;
}

gboolean
intake_visit_link (IntakeActions *self, const char *visit, const char *case_no, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO visit_case (visit, case_no) VALUES (?1, ?2)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, visit, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, case_no, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

GBytes *
intake_visit_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeVisitList) req =
        dbn_msg_intake_visit_list_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (user_data, req->village, error)
        || !intake_check_village (command, req->village, "read visits", error))
        return NULL;
    gint64 max = req->has_max && req->max > 0 && req->max < VISIT_LIST_MAX ? req->max : VISIT_LIST_MAX;
    gboolean mask = dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_COMMITTEE;
    DbnStore *store = dbn_service_get_store (service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        dbn_store_get_db (store),
        "SELECT v.visit, v.village, v.household, v.address, v.needs, v.must_visit,"
        " v.note, v.visited_at, v.visited_by,"
        " (SELECT group_concat (case_no, char (10)) FROM"
        "   (SELECT case_no FROM visit_case c WHERE c.visit = v.visit ORDER BY case_no))"
        " FROM visit v WHERE v.village = ?1 ORDER BY v.visited_at DESC, v.visit DESC LIMIT ?2",
        -1, &st, NULL);
    g_autoptr (DbnMsgIntakeVisitListReply) reply = dbn_msg_intake_visit_list_reply_new ();
    reply->visits = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, req->village, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, max);
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            g_autoptr (DbnMsgIntakeVisitItem) item = dbn_msg_intake_visit_item_new ();
            item->visit = dbn_sql_column_dup (st, 0);
            item->village = dbn_sql_column_dup (st, 1);
            item->household = dbn_sql_column_dup (st, 2);
            item->address = dbn_sql_column_dup (st, 3);
            if (mask && item->address != NULL) {
                char *masked = dbn_codec_mask_address (item->address);
                g_free (item->address);
                item->address = masked;
            }
            item->needs = intake_split_lines (sqlite3_column_text (st, 4));
            item->must_visit = dbn_sql_column_dup (st, 5);
            item->note = dbn_sql_column_dup (st, 6);
            item->visited_at = sqlite3_column_int64 (st, 7);
            item->visited_by = dbn_sql_column_dup (st, 8);
            item->cases = intake_split_lines (sqlite3_column_text (st, 9));
            GBytes *encoded = dbn_msg_intake_visit_item_encode (item, error);
            if (encoded == NULL) {
                sqlite3_finalize (st);
                return NULL;
            }
            g_ptr_array_add (reply->visits, encoded);
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    return dbn_msg_intake_visit_list_reply_encode (reply, error);
}
