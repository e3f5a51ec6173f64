/* intake_must.c: must-visit lists (三必访, D-INT-1).
 *
 * A station keeps the households its agents must visit (hardship
 * households, petitioners, old party members), each with its interval
 * (monthly, 30 days, by default). intake.must.add puts one on the list (or
 * changes its kind, interval, address or note); intake.must.list answers
 * the list with each household's last visit and when the next is due, or
 * only those due or overdue. A visit is the household's when the visit book
 * has a row of the same village and household (intake_visits.c also gives
 * such a visit the list's kind, so visit.recorded counts for the monthly
 * figures: docs/intake.md).
 *
 * The states, for the time of the command (the service's clock):
 *   due_at  = last visit (never visited: put on the list) + interval;
 *   overdue = now > due_at;
 *   due     = due_at - now <= min (7 days, interval / 2);
 *   ok      otherwise.
 */
#include "intake_private.h"

#define DAY_MS (24 * 60 * 60 * 1000LL)
/* Most households of one list answer (the schema's limit). */
#define MUST_LIST_MAX     1000
#define MUST_DEFAULT_DAYS 30
#define MUST_MAX_DAYS     366

static const char *const must_visit_kinds[] = { "hardship", "petitioner", "party_member", NULL };

gboolean
intake_must_kind_valid (const char *kind)
{
    return kind != NULL && g_strv_contains (must_visit_kinds, kind);
}

char *
intake_must_dup_kind (IntakeActions *self, const char *village, const char *household, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT kind FROM must_visit WHERE village = ?1 AND household = ?2", -1, &st,
                                 NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, village, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, household, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    char *kind = rc == SQLITE_ROW ? dbn_sql_column_dup (st, 0) : NULL;
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        dbn_store_set_error (store, rc, error);
    return kind;
}

GBytes *
intake_must_add (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeMustAdd) req =
        dbn_msg_intake_must_add_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->village, error)
        || !intake_check_village (command, req->village, "keep a must-visit list", error)
        || !intake_require_text (req->household, "household", error)
        || !dbn_text_check (req->address, "the address", DBN_TEXT_STRICT, error)
        || !dbn_text_check (req->note, "the note", DBN_TEXT_STRICT, error))
        return NULL;
    if (!intake_must_kind_valid (req->kind)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "kind is hardship, petitioner or party_member");
        return NULL;
    }
    gint64 days = req->has_interval_days ? req->interval_days : MUST_DEFAULT_DAYS;
    if (days < 1 || days > MUST_MAX_DAYS) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "the interval is 1 to %d days, not %" G_GINT64_FORMAT, MUST_MAX_DAYS, days);
        return NULL;
    }
    g_autoptr (GError) local = NULL;
    g_autofree char *before = intake_must_dup_kind (self, req->village, req->household, &local);
    if (local != NULL) {
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    /* A household listed again keeps the date it was put on the list. */
    DbnStore *store = dbn_service_get_store (service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        dbn_store_get_db (store),
        "INSERT INTO must_visit (village, household, kind, interval_days, address, note,"
        " added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT (village, household) DO UPDATE SET kind = ?3,"
        " interval_days = ?4, address = coalesce (?5, address), note = coalesce (?6, note)",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, req->village, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, req->household, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, req->kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 4, days);
        if (req->address)
            sqlite3_bind_text (st, 5, req->address, -1, SQLITE_STATIC);
        if (req->note)
            sqlite3_bind_text (st, 6, req->note, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 7, dbn_command_get_now_ms (command));
        sqlite3_bind_text (st, 8, dbn_command_get_actor (command), -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    g_autoptr (DbnMsgIntakeMustAddReply) reply = dbn_msg_intake_must_add_reply_new ();
    reply->village = g_strdup (req->village);
    reply->household = g_strdup (req->household);
    reply->interval_days = days;
    reply->added = before == NULL;
    return dbn_msg_intake_must_add_reply_encode (reply, error);
}

static const char *
must_state (gint64 now, gint64 due_at, gint64 days)
{
    if (now > due_at)
        return "overdue";
    gint64 window = MIN (7 * DAY_MS, days * DAY_MS / 2);
    return due_at - now <= window ? "due" : "ok";
}

GBytes *
intake_must_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeMustList) req =
        dbn_msg_intake_must_list_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (user_data, req->village, error)
        || !intake_check_village (command, req->village, "read a must-visit list", error))
        return NULL;
    gboolean due_only = req->has_due && req->due;
    gboolean mask = dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_COMMITTEE;
    gint64 now = dbn_command_get_now_ms (command);
    DbnStore *store = dbn_service_get_store (service);
    sqlite3_stmt *st = NULL;
    /* The last visit of each household: the visit_household index. */
    int rc = sqlite3_prepare_v2 (
        dbn_store_get_db (store),
        "SELECT m.household, m.kind, m.interval_days, m.address, m.note, m.added_at, v.visit, v.visited_at,"
        " coalesce (v.visited_at, m.added_at) + m.interval_days * ?2 AS due_at"
        " FROM must_visit m LEFT JOIN visit v ON v.visit ="
        "  (SELECT visit FROM visit w WHERE w.village = m.village AND w.household = m.household"
        "   ORDER BY w.visited_at DESC, w.visit DESC LIMIT 1)"
        " WHERE m.village = ?1 ORDER BY due_at, m.household LIMIT ?3",
        -1, &st, NULL);
    g_autoptr (DbnMsgIntakeMustListReply) reply = dbn_msg_intake_must_list_reply_new ();
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    reply->at = now;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, req->village, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, DAY_MS);
        sqlite3_bind_int64 (st, 3, MUST_LIST_MAX);
        while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
            gint64 days = sqlite3_column_int64 (st, 2);
            gint64 due_at = sqlite3_column_int64 (st, 8);
            const char *state = must_state (now, due_at, days);
            if (due_only && g_strcmp0 (state, "ok") == 0)
                continue;
            g_autoptr (DbnMsgIntakeMustItem) item = dbn_msg_intake_must_item_new ();
            item->village = g_strdup (req->village);
            item->household = dbn_sql_column_dup (st, 0);
            item->kind = dbn_sql_column_dup (st, 1);
            item->interval_days = days;
            item->address = dbn_sql_column_dup (st, 3);
            if (mask && item->address != NULL) {
                char *masked = dbn_codec_mask_address (item->address);
                g_free (item->address);
                item->address = masked;
            }
            item->note = dbn_sql_column_dup (st, 4);
            item->added_at = sqlite3_column_int64 (st, 5);
            item->last_visit = dbn_sql_column_dup (st, 6);
            item->has_last_visited_at = sqlite3_column_type (st, 7) != SQLITE_NULL;
            item->last_visited_at = sqlite3_column_int64 (st, 7);
            item->due_at = due_at;
            item->state = g_strdup (state);
            GBytes *encoded = dbn_msg_intake_must_item_encode (item, error);
            if (encoded == NULL) {
                sqlite3_finalize (st);
                return NULL;
            }
            g_ptr_array_add (reply->items, encoded);
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    return dbn_msg_intake_must_list_reply_encode (reply, error);
}
