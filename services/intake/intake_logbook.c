/* intake_logbook.c: the logbook (《代办记录簿》/台账, D-INT-3) of a village.
 *
 * The paper logbook has one line per request the station took, accepted or
 * refused, in the order they came. Both live in intake's own tables
 * (case_record and refusal), so the book is a query over them, never a copy
 * that could drift. It is read by many people, so ID numbers are masked for
 * everyone; a petition's line (D-INT-8) is left out for a window that may
 * not read petitions.
 */
#include "intake_private.h"

#include <sqlite3.h>

/* One reply at most; the caller asks again from the last line's time and number. */
#define LOGBOOK_PAGE 2000

GBytes *
intake_logbook (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeLogbook) req =
        dbn_msg_intake_logbook_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->village, error)
        || !intake_check_village (command, req->village, "read the logbook", error))
        return NULL;
    gint64 from = req->has_from_ms ? req->from_ms : G_MININT64;
    gint64 to = req->has_to_ms ? req->to_ms : G_MAXINT64;

    DbnStore *store = dbn_service_get_store (service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        dbn_store_get_db (store),
        "SELECT case_no, state, accepted_at, applicant, id_number, matter, channel, accepted_by,"
        "       missing, NULL"
        "  FROM case_record WHERE village = ?1 AND accepted_at < ?3"
        "   AND (accepted_at > ?2 OR (accepted_at = ?2 AND case_no > ?5))"
        " UNION ALL "
        "SELECT refusal, 'refused', refused_at, applicant, NULL, matter, channel, refused_by,"
        "       NULL, reason || char (10) || apply_to"
        "  FROM refusal WHERE village = ?1 AND refused_at < ?3"
        "   AND (refused_at > ?2 OR (refused_at = ?2 AND refusal > ?5))"
        " ORDER BY 3, 1 LIMIT ?4",
        -1, &st, NULL);
    g_autoptr (DbnMsgIntakeLogbookReply) reply = dbn_msg_intake_logbook_reply_new ();
    reply->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, req->village, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, from);
        sqlite3_bind_int64 (st, 3, to);
        sqlite3_bind_int64 (st, 4, LOGBOOK_PAGE + 1);
        /* Keyset paging on (time, number): lines of one millisecond may
         * straddle two pages. Every number sorts after "". */
        sqlite3_bind_text (st, 5, req->after ? req->after : "", -1, SQLITE_STATIC);
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            if (reply->entries->len == LOGBOOK_PAGE) {
                reply->truncated = TRUE;
                continue;
            }
            const char *matter = (const char *) sqlite3_column_text (st, 5);
            /* Not an error here: the rest of the book is still the reader's. */
            if (matter != NULL && !intake_may_read_matter (self, command, matter, NULL))
                continue;
            g_autoptr (DbnMsgIntakeLogbookEntry) entry = dbn_msg_intake_logbook_entry_new ();
            entry->number = dbn_sql_column_dup (st, 0);
            entry->entry = dbn_sql_column_dup (st, 1);
            entry->at = sqlite3_column_int64 (st, 2);
            entry->applicant = dbn_sql_column_dup (st, 3);
            const char *id = (const char *) sqlite3_column_text (st, 4);
            entry->id_number = id ? dbn_codec_mask_id_number (id) : NULL;
            entry->matter = g_strdup (matter);
            entry->channel = dbn_sql_column_dup (st, 6);
            entry->by = dbn_sql_column_dup (st, 7);
            g_auto (GStrv) missing = intake_split_lines (sqlite3_column_text (st, 8));
            g_auto (GStrv) refusal = intake_split_lines (sqlite3_column_text (st, 9));
            if (missing[0] != NULL) {
                g_autofree char *items = g_strjoinv ("、", missing);
                entry->detail = g_strdup_printf ("一次性告知缺少 / missing: %s", items);
            } else if (refusal[0] != NULL) {
                entry->detail =
                    g_strdup_printf ("不予受理：%s；请向%s申请 / refused: %s; apply to %s", refusal[0],
                                     refusal[1] ? refusal[1] : "", refusal[0], refusal[1] ? refusal[1] : "");
            }
            GBytes *encoded = dbn_msg_intake_logbook_entry_encode (entry, error);
            if (encoded == NULL) {
                sqlite3_finalize (st);
                return NULL;
            }
            g_ptr_array_add (reply->entries, encoded);
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    return dbn_msg_intake_logbook_reply_encode (reply, error);
}
