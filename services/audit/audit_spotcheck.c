/* audit_spotcheck.c: the week's draw, findings and their list
 * (audit_spotcheck.h). They read audit_entry directly: the record is the
 * only place that holds every producer's events of a case. */
#include "audit_spotcheck.h"

#include <daiban/dbn_sql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "audit_service.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-audit"

#define CST_OFFSET_MS (8 * 3600 * G_GINT64_CONSTANT (1000))
#define DAY_MS        (86400 * G_GINT64_CONSTANT (1000))

/* TRUE when s has a digit at each position of the pattern's 'd's. */
static gboolean
digits_at (const char *s, const char *pattern)
{
    if (s == NULL || strlen (s) != strlen (pattern))
        return FALSE;
    for (gsize i = 0; pattern[i] != '\0'; i++)
        if (pattern[i] == 'd' ? !g_ascii_isdigit (s[i]) : s[i] != pattern[i])
            return FALSE;
    return TRUE;
}

#define DECODE(name, command, error)                                                                         \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

static gint64
cst_midnight_ms (const GDate *d)
{
    g_autoptr (GDateTime) t =
        g_date_time_new_utc (g_date_get_year (d), g_date_get_month (d), g_date_get_day (d), 0, 0, 0);
    return g_date_time_to_unix (t) * 1000 - CST_OFFSET_MS;
}

gboolean
audit_spotcheck_week_bounds (const char *week, gint64 *start_ms, gint64 *end_ms, GError **error)
{
    int year = 0, number = 0;
    char tail = 0;
    if (!digits_at (week, "dddd-Wdd") || sscanf (week, "%4d-W%2d%c", &year, &number, &tail) != 2
        || year < 2000 || year > 9999 || number < 1) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "week \"%s\" is not YYYY-Www", week ? week : "");
        return FALSE;
    }
    /* ISO 8601: week 1 holds 4 January; 28 December is in the last week. */
    g_autoptr (GDate) last = g_date_new_dmy (28, G_DATE_DECEMBER, (GDateYear) year);
    if ((guint) number > g_date_get_iso8601_week_of_year (last)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "week \"%s\": %d has only %u weeks", week, year,
                     g_date_get_iso8601_week_of_year (last));
        return FALSE;
    }
    g_autoptr (GDate) monday = g_date_new_dmy (4, G_DATE_JANUARY, (GDateYear) year);
    g_date_subtract_days (monday, g_date_get_weekday (monday) - G_DATE_MONDAY);
    g_date_add_days (monday, (guint) (number - 1) * 7);
    *start_ms = cst_midnight_ms (monday);
    *end_ms = *start_ms + 7 * DAY_MS;
    return TRUE;
}

static gboolean
sql_failed (DbnStore *store, int rc, GError **error)
{
    return dbn_store_set_error (store, rc, error);
}

/* The window and station of case_no as its newest routing entry's row says
 * (empty strings when routing has none). */
static void
case_place (DbnStore *store, const char *case_no, char **window, char **station)
{
    *window = g_strdup ("");
    *station = g_strdup ("");
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (dbn_store_get_db (store),
                            /* The case's last event with a queue row: not the
                             * public board's masked row (issue 16), which has none. */
                            "SELECT event FROM audit_entry WHERE case_no = ? AND producer = 'routing'"
                            " AND type != 'board.row' ORDER BY idx DESC LIMIT 1",
                            -1, &st, NULL)
        != SQLITE_OK)
        return;
    dbn_sql_bind_text (st, 1, case_no);
    if (sqlite3_step (st) != SQLITE_ROW)
        return;
    g_autoptr (DbnMsgCaseRow) row = NULL;
    if (!dbn_msg_case_row_read (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0), &row, NULL)
        || row == NULL)
        return;
    g_free (*window);
    g_free (*station);
    *window = g_strdup (row->window != NULL ? row->window : "");
    *station = g_strdup (row->station != NULL ? row->station : "");
}

/* ---- the draw ---- */

typedef struct {
    char *rank; /* hex SHA-256 */
    char *case_no;
} Ranked;

static void
ranked_free (gpointer p)
{
    Ranked *r = p;
    g_free (r->rank);
    g_free (r->case_no);
    g_free (r);
}

static gint
ranked_cmp (gconstpointer a, gconstpointer b)
{
    const Ranked *x = *(Ranked *const *) a, *y = *(Ranked *const *) b;
    return strcmp (x->rank, y->rank);
}

static int
string_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

GBytes *
audit_spotcheck_draw_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    AuditActions *self = user_data;
    DbnStore *store = dbn_service_get_store (service);
    g_autoptr (DbnMsgAuditSpotcheckDraw) req = DECODE (audit_spotcheck_draw, command, error);
    gint64 start = 0, end = 0;
    if (req == NULL || !audit_spotcheck_week_bounds (req->week, &start, &end, error))
        return NULL;
    sqlite3 *db = dbn_store_get_db (store);
    g_autoptr (sqlite3_stmt) hs = NULL;
    int rc = sqlite3_prepare_v2 (db,
                                 "SELECT size, time_ms, root FROM audit_head WHERE time_ms >= ?"
                                 " ORDER BY size LIMIT 1",
                                 -1, &hs, NULL);
    if (rc != SQLITE_OK) {
        sql_failed (store, rc, error);
        return NULL;
    }
    sqlite3_bind_int64 (hs, 1, end);
    if (sqlite3_step (hs) != SQLITE_ROW) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE,
                     "week %s cannot be drawn yet: no head has been signed since it ended", req->week);
        return NULL;
    }
    gint64 head_size = sqlite3_column_int64 (hs, 0);
    gint64 head_time = sqlite3_column_int64 (hs, 1);
    g_autofree char *seed = audit_hex (sqlite3_column_blob (hs, 2), AUDIT_HASH_SIZE);

    /* Each case under the window its last routing entry of the week names. */
    g_autoptr (GHashTable) window_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr (sqlite3_stmt) es = NULL;
    rc = sqlite3_prepare_v2 (db,
                             "SELECT case_no, event FROM audit_entry WHERE producer = 'routing' AND idx < ?"
                             " AND time_ms >= ? AND time_ms < ? AND case_no <> '' ORDER BY idx",
                             -1, &es, NULL);
    if (rc != SQLITE_OK) {
        sql_failed (store, rc, error);
        return NULL;
    }
    sqlite3_bind_int64 (es, 1, head_size);
    sqlite3_bind_int64 (es, 2, start);
    sqlite3_bind_int64 (es, 3, end);
    while ((rc = sqlite3_step (es)) == SQLITE_ROW) {
        g_autoptr (DbnMsgCaseRow) row = NULL;
        if (!dbn_msg_case_row_read (sqlite3_column_blob (es, 1), (gsize) sqlite3_column_bytes (es, 1), &row,
                                    NULL)
            || row == NULL || row->window == NULL || *row->window == '\0')
            continue;
        g_hash_table_insert (window_of, dbn_sql_column_dup (es, 0), g_strdup (row->window));
    }
    if (rc != SQLITE_DONE) {
        sql_failed (store, rc, error);
        return NULL;
    }
    g_autoptr (GHashTable) by_window =
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, window_of);
    while (g_hash_table_iter_next (&it, &k, &v)) {
        GPtrArray *list = g_hash_table_lookup (by_window, v);
        if (list == NULL) {
            list = g_ptr_array_new_with_free_func (ranked_free);
            g_hash_table_insert (by_window, g_strdup (v), list);
        }
        Ranked *r = g_new0 (Ranked, 1);
        g_autofree char *input = g_strconcat (seed, "/", (const char *) v, "/", (const char *) k, NULL);
        r->rank = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
        r->case_no = g_strdup (k);
        g_ptr_array_add (list, r);
    }
    g_autofree gpointer *windows = g_hash_table_get_keys_as_array (by_window, NULL);
    guint n_windows = g_hash_table_size (by_window);
    qsort (windows, n_windows, sizeof (gpointer), string_cmp);
    g_autoptr (GStrvBuilder) wb = g_strv_builder_new ();
    g_autoptr (GStrvBuilder) cb = g_strv_builder_new ();
    gint64 per_window = audit_actions_get_spotcheck_per_window (self);
    for (guint i = 0; i < n_windows; i++) {
        GPtrArray *list = g_hash_table_lookup (by_window, windows[i]);
        g_ptr_array_sort (list, ranked_cmp);
        for (guint j = 0; j < list->len && (gint64) j < per_window; j++) {
            g_strv_builder_add (wb, windows[i]);
            g_strv_builder_add (cb, ((Ranked *) list->pdata[j])->case_no);
        }
    }
    g_autoptr (DbnMsgAuditSpotcheckDrawReply) reply = dbn_msg_audit_spotcheck_draw_reply_new ();
    reply->week = g_strdup (req->week);
    reply->head_size = head_size;
    reply->head_time = head_time;
    reply->seed = g_steal_pointer (&seed);
    reply->per_window = per_window;
    reply->windows = g_strv_builder_end (wb);
    reply->cases = g_strv_builder_end (cb);
    return dbn_msg_audit_spotcheck_draw_reply_encode (reply, error);
}

/* ---- findings ---- */

static gboolean
case_in_record (DbnStore *store, const char *case_no)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (dbn_store_get_db (store),
                            "SELECT 1 FROM audit_entry WHERE case_no = ? AND producer <> 'audit' LIMIT 1", -1,
                            &st, NULL)
        != SQLITE_OK)
        return FALSE;
    dbn_sql_bind_text (st, 1, case_no);
    return sqlite3_step (st) == SQLITE_ROW;
}

GBytes *
audit_spotcheck_record_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    AuditActions *self = user_data;
    DbnStore *store = dbn_service_get_store (service);
    g_autoptr (DbnMsgAuditSpotcheckRecord) req = DECODE (audit_spotcheck_record, command, error);
    if (req == NULL)
        return NULL;
    gboolean ok = g_strcmp0 (req->finding, "ok") == 0;
    if (!ok && g_strcmp0 (req->finding, "problem") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "finding must be ok or problem, not \"%s\"",
                     req->finding);
        return NULL;
    }
    if (!ok && dbn_text_is_blank (req->text)) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "a problem needs its text (what is wrong)");
        return NULL;
    }
    if (!dbn_text_check (req->text, "the finding's text", DBN_TEXT_TAB_OK, error))
        return NULL;
    if (!case_in_record (store, req->case_no)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "case %s is not in the record", req->case_no);
        return NULL;
    }
    g_autoptr (DbnMsgAuditFinding) ev = dbn_msg_audit_finding_new ();
    case_place (store, req->case_no, &ev->window, &ev->station);
    ev->finding = g_strdup (req->finding);
    ev->text = g_strdup (req->text != NULL ? req->text : "");
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_AUDIT_FINDING_WIRE, req->case_no);
    g_autoptr (GBytes) bytes = dbn_msg_audit_finding_encode (ev, error);
    gint64 index = 0;
    if (bytes == NULL || !dbn_command_emit (command, "audit", &ev->env, bytes, error)
        || !audit_actions_enter (self, &ev->env, bytes, dbn_command_get_now_ms (command), &index, error))
        return NULL;
    g_autoptr (DbnMsgAuditSpotcheckRecordReply) reply = dbn_msg_audit_spotcheck_record_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->finding = g_strdup (req->finding);
    reply->index = index;
    reply->seq = ev->env.seq;
    return dbn_msg_audit_spotcheck_record_reply_encode (reply, error);
}

GBytes *
audit_findings_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    (void) user_data;
    DbnStore *store = dbn_service_get_store (service);
    g_autoptr (DbnMsgAuditFindings) req = DECODE (audit_findings, command, error);
    if (req == NULL)
        return NULL;
    int year = 0, month = 0;
    char tail = 0;
    if (!digits_at (req->month, "dddd-dd") || sscanf (req->month, "%4d-%2d%c", &year, &month, &tail) != 2
        || year < 2000 || month < 1 || month > 12) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "month \"%s\" is not YYYY-MM",
                     req->month ? req->month : "");
        return NULL;
    }
    g_autoptr (GDate) first = g_date_new_dmy (1, (GDateMonth) month, (GDateYear) year);
    g_autoptr (GDate) next = g_date_copy (first);
    g_date_add_months (next, 1);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT event FROM audit_entry WHERE producer = 'audit' AND type = ?"
                                 " AND time_ms >= ? AND time_ms < ? ORDER BY idx",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sql_failed (store, rc, error);
        return NULL;
    }
    dbn_sql_bind_text (st, 1, DBN_MSG_AUDIT_FINDING_WIRE);
    sqlite3_bind_int64 (st, 2, cst_midnight_ms (first));
    sqlite3_bind_int64 (st, 3, cst_midnight_ms (next));
    g_autoptr (DbnMsgAuditFindingsReply) reply = dbn_msg_audit_findings_reply_new ();
    reply->month = g_strdup (req->month);
    reply->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    gboolean one_window = !dbn_text_is_blank (req->window);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (GBytes) b =
            g_bytes_new (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0));
        if (one_window) {
            g_autoptr (DbnMsgAuditFinding) f =
                dbn_msg_audit_finding_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
            if (f == NULL || g_strcmp0 (f->window, req->window) != 0)
                continue;
        }
        if (reply->findings->len >= 5000)
            break;
        g_ptr_array_add (reply->findings, g_steal_pointer (&b));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sql_failed (store, rc, error);
        return NULL;
    }
    return dbn_msg_audit_findings_reply_encode (reply, error);
}
