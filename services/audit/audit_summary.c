/* audit_summary.c: daily summaries (audit_summary.h, D-AUD-6).
 *
 * Counting reads the record, not the producers: the record holds every
 * producer's events of the day, and a draft made from it can be redone
 * from a copy of audit.db (docs/audit.md says which events count). The
 * counted types have a partial index on time (audit_log.c, migration 2),
 * so a day costs its own counted events, not a scan of the record.
 *
 * State lives in audit_summary (window, day, what ∈ draft|signed|late →
 * the entry's index), written in the transaction of the entry it names;
 * its primary key makes a second draft, signature or violation of one
 * window and day impossible, whatever a retry or a restart does.
 * Rejected: keeping the state in memory (a rolled-back batch would leave it
 * ahead of the file); finding drafts by decoding every own entry (grows
 * with the record at every tick). */
#include "audit_summary.h"

#include <daiban/dbn_day_summary.h>
#include <daiban/dbn_sign_key.h>
#include <daiban/dbn_sql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "audit_service.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-audit"

#define CST_OFFSET_MS    (8 * 3600 * G_GINT64_CONSTANT (1000))
#define DAY_MS           (86400 * G_GINT64_CONSTANT (1000))
#define DEFAULT_SIGN_BY  12
#define MAX_DAYS_PER_RUN 31

struct _AuditSummaries {
    AuditActions *actions; /* borrowed: the owner */
    DbnCalendar *calendar; /* working days; owned */
    char **windows;        /* org.ini's windows in file order; owned */
    gint64 sign_hour;      /* [audit] summary_sign_hour */
};

static const char *const audit_topics[] = { "audit", NULL };

typedef struct {
    gint64 accepted, completed, overdue, violations, satisfied, basic, unsatisfied;
} Counts;

/* ---- days ---- */

static GDate *
day_of_ms (gint64 ms)
{
    gint64 local = ms + CST_OFFSET_MS;
    gint64 days = local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS);
    GDate *d = g_date_new_dmy (1, G_DATE_JANUARY, 1970);
    g_date_add_days (d, (guint) days);
    return d;
}

static gint64
midnight_ms (const GDate *d)
{
    g_autoptr (GDateTime) t =
        g_date_time_new_utc (g_date_get_year (d), g_date_get_month (d), g_date_get_day (d), 0, 0, 0);
    return g_date_time_to_unix (t) * 1000 - CST_OFFSET_MS;
}

static char *
day_text (const GDate *d)
{
    return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
}

/* YYYY-MM-DD as a valid date, or NULL with DBN_ERROR_INVALID. */
static GDate *
parse_day (const char *text, GError **error)
{
    unsigned y = 0, m = 0, d = 0;
    char tail = 0;
    if (text != NULL && strlen (text) == 10 && sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) == 3
        && text[4] == '-' && text[7] == '-' && y >= 2000 && y <= 9999
        && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        return g_date_new_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
    g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "day \"%s\" is not a date YYYY-MM-DD",
                 text ? text : "");
    return NULL;
}

/* ---- life ---- */

AuditSummaries *
audit_summaries_new (AuditActions *actions, DbnConfig *config, GError **error)
{
    g_autoptr (AuditSummaries) self = g_new0 (AuditSummaries, 1);
    self->actions = actions;
    self->sign_hour = DEFAULT_SIGN_BY;
    const char *hour = dbn_config_get_setting (config, "audit", "summary_sign_hour");
    if (hour != NULL && !g_ascii_string_to_signed (hour, 10, 0, 23, &self->sign_hour, NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "daiban.conf: [audit] summary_sign_hour: \"%s\" is not an hour 0..23", hour);
        return NULL;
    }
    /* The same calendar as deadline's ([deadline] calendar), so a working
     * day is the same day in every service (D-DL-5). */
    const char *set = dbn_config_get_setting (config, "deadline", "calendar");
    g_autofree char *path =
        set != NULL && *set != '\0'
            ? (g_path_is_absolute (set) ? g_strdup (set)
                                        : g_build_filename (dbn_config_get_data_dir (config), set, NULL))
            : dbn_calendar_dup_default_path (dbn_config_get_data_dir (config));
    self->calendar = dbn_calendar_load (path, error);
    if (self->calendar == NULL)
        return NULL;
    g_autoptr (DbnOrg) org = dbn_org_load (dbn_org_default_path (), error);
    if (org == NULL)
        return NULL;
    g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
    for (guint i = 0; i < dbn_org_get_n_windows (org); i++)
        g_strv_builder_add (b, dbn_org_get_window (org, i)->id);
    self->windows = g_strv_builder_end (b);
    return g_steal_pointer (&self);
}

void
audit_summaries_free (AuditSummaries *self)
{
    if (self == NULL)
        return;
    g_clear_pointer (&self->calendar, dbn_calendar_free);
    g_strfreev (self->windows);
    g_free (self);
}

/* ---- the store ---- */

static sqlite3 *
db_of (AuditSummaries *self)
{
    return dbn_store_get_db (dbn_service_get_store (audit_actions_get_service (self->actions)));
}

static gboolean
failed (DbnStore *store, int rc, GError **error)
{
    return dbn_store_set_error (store, rc, error);
}

static gboolean
mark (DbnStore *store, const char *window, const char *day, const char *what, gint64 index, GError **error)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO audit_summary (window, day, what, idx) VALUES (?, ?, ?, ?)", -1,
                                 &st, NULL);
    if (rc == SQLITE_OK) {
        dbn_sql_bind_text (st, 1, window);
        dbn_sql_bind_text (st, 2, day);
        dbn_sql_bind_text (st, 3, what);
        sqlite3_bind_int64 (st, 4, index);
        rc = sqlite3_step (st);
    }
    return rc == SQLITE_DONE || failed (store, rc, error);
}

/* The index of window's `what` mark for day, -1 when there is none. */
static gint64
find_mark (sqlite3 *db, const char *window, const char *day, const char *what)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT idx FROM audit_summary WHERE window = ? AND day = ? AND what = ?", -1,
                            &st, NULL)
        != SQLITE_OK)
        return -1;
    dbn_sql_bind_text (st, 1, window);
    dbn_sql_bind_text (st, 2, day);
    dbn_sql_bind_text (st, 3, what);
    return sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : -1;
}

/* The stored event bytes and seq of entry index; NULL when absent. */
static GBytes *
entry_event (sqlite3 *db, gint64 index, gint64 *seq)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT event, seq FROM audit_entry WHERE idx = ?", -1, &st, NULL)
        != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64 (st, 1, index);
    if (sqlite3_step (st) != SQLITE_ROW)
        return NULL;
    if (seq != NULL)
        *seq = sqlite3_column_int64 (st, 1);
    return g_bytes_new (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0));
}

/* ---- drafting ---- */

static Counts *
counts_of (GHashTable *by_window, const char *window)
{
    if (window == NULL || *window == '\0')
        return NULL;
    Counts *c = g_hash_table_lookup (by_window, window);
    if (c == NULL) {
        c = g_new0 (Counts, 1);
        g_hash_table_insert (by_window, g_strdup (window), c);
    }
    return c;
}

/* One pass over the day's counted entries (the partial index's types). */
static gboolean
count_day (AuditSummaries *self, gint64 start, gint64 end, GHashTable *by_window, GError **error)
{
    DbnStore *store = dbn_service_get_store (audit_actions_get_service (self->actions));
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (db_of (self),
                                 "SELECT producer, type, event FROM audit_entry WHERE type IN ('case.routed',"
                                 " 'case.completed', 'deadline.overdue', 'audit.violation', 'eval.rated')"
                                 " AND time_ms >= ? AND time_ms < ? ORDER BY idx",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK)
        return failed (store, rc, error);
    sqlite3_bind_int64 (st, 1, start);
    sqlite3_bind_int64 (st, 2, end);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        const char *producer = (const char *) sqlite3_column_text (st, 0);
        const char *type = (const char *) sqlite3_column_text (st, 1);
        const guint8 *data = sqlite3_column_blob (st, 2);
        gsize len = (gsize) sqlite3_column_bytes (st, 2);
        /* An event that does not decode is kept in the record and not
         * counted, as violations are judged (audit_service.c). */
        if (g_strcmp0 (producer, "routing") == 0) {
            g_autoptr (DbnMsgCaseRow) row = NULL;
            if (!dbn_msg_case_row_read (data, len, &row, NULL) || row == NULL)
                continue;
            Counts *c = counts_of (by_window, row->window);
            if (c != NULL && g_strcmp0 (type, DBN_MSG_CASE_ROUTED_WIRE) == 0)
                c->accepted++;
            else if (c != NULL && g_strcmp0 (type, DBN_MSG_CASE_COMPLETED_WIRE) == 0)
                c->completed++;
        } else if (g_strcmp0 (producer, "deadline") == 0
                   && g_strcmp0 (type, DBN_MSG_DEADLINE_OVERDUE_WIRE) == 0) {
            g_autoptr (DbnMsgDeadlineOverdue) m = dbn_msg_deadline_overdue_decode (data, len, NULL);
            Counts *c = m != NULL ? counts_of (by_window, m->window) : NULL;
            if (c != NULL)
                c->overdue++;
        } else if (g_strcmp0 (producer, "audit") == 0
                   && g_strcmp0 (type, DBN_MSG_AUDIT_VIOLATION_WIRE) == 0) {
            g_autoptr (DbnMsgAuditViolation) m = dbn_msg_audit_violation_decode (data, len, NULL);
            /* A late summary of an earlier day names the window too, but
             * it is that day's failing, counted where it happens. */
            Counts *c = m != NULL && g_str_has_prefix (m->person, "window:")
                            ? counts_of (by_window, m->person + strlen ("window:"))
                            : NULL;
            if (c != NULL)
                c->violations++;
        } else if (g_strcmp0 (producer, "evaluation") == 0
                   && g_strcmp0 (type, DBN_MSG_EVAL_RATED_WIRE) == 0) {
            g_autoptr (DbnMsgEvalRated) m = dbn_msg_eval_rated_decode (data, len, NULL);
            Counts *c = m != NULL ? counts_of (by_window, m->window) : NULL;
            if (c == NULL)
                continue;
            if (g_strcmp0 (m->level, "satisfied") == 0)
                c->satisfied++;
            else if (g_strcmp0 (m->level, "basic") == 0)
                c->basic++;
            else if (g_strcmp0 (m->level, "unsatisfied") == 0)
                c->unsatisfied++;
        }
    }
    return rc == SQLITE_DONE || failed (store, rc, error);
}

static int
string_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
draft_day (AuditSummaries *self, const GDate *date, gint64 now_ms, GError **error)
{
    DbnService *service = audit_actions_get_service (self->actions);
    DbnStore *store = dbn_service_get_store (service);
    DbnEmitter *emitter = dbn_service_get_emitter (service);
    g_autofree char *day = day_text (date);
    gint64 start = midnight_ms (date);
    g_autoptr (GHashTable) by_window = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    if (!count_day (self, start, start + DAY_MS, by_window, error))
        return FALSE;
    /* Every window of org.ini, an idle one too (its leader signs "nothing
     * happened"), then any other window the day's events named. */
    g_autoptr (GPtrArray) windows = g_ptr_array_new_with_free_func (g_free);
    for (char **w = self->windows; *w != NULL; w++)
        g_ptr_array_add (windows, g_strdup (*w));
    g_autoptr (GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init (&it, by_window);
    while (g_hash_table_iter_next (&it, &k, NULL))
        if (!g_strv_contains ((const char *const *) self->windows, k))
            g_ptr_array_add (extra, g_strdup (k));
    if (extra->len > 1) /* pdata is NULL while empty: no qsort on it */
        qsort (extra->pdata, extra->len, sizeof (gpointer), string_cmp);
    for (guint i = 0; i < extra->len; i++)
        g_ptr_array_add (windows, g_strdup (extra->pdata[i]));

    AuditLog *log = audit_actions_get_log (self->actions);
    for (guint i = 0; i < windows->len; i++) {
        const char *window = windows->pdata[i];
        if (find_mark (dbn_store_get_db (store), window, day, "draft") >= 0)
            continue;
        Counts zero = { 0 };
        const Counts *c = g_hash_table_lookup (by_window, window);
        if (c == NULL)
            c = &zero;
        g_autoptr (DbnMsgAuditSummary) m = dbn_msg_audit_summary_new ();
        dbn_emitter_stamp (emitter, &m->env, DBN_MSG_AUDIT_SUMMARY_WIRE, NULL, "service:audit", now_ms);
        m->window = g_strdup (window);
        m->day = g_strdup (day);
        m->through = audit_log_get_size (log);
        m->accepted = c->accepted;
        m->completed = c->completed;
        m->overdue = c->overdue;
        m->violations = c->violations;
        m->rated_satisfied = c->satisfied;
        m->rated_basic = c->basic;
        m->rated_unsatisfied = c->unsatisfied;
        g_autoptr (GBytes) bytes = dbn_msg_audit_summary_encode (m, error);
        gint64 index = 0;
        if (bytes == NULL || !dbn_emitter_emit (emitter, audit_topics, &m->env, bytes, error)
            || !audit_actions_enter (self->actions, &m->env, bytes, now_ms, &index, error)
            || !mark (store, window, day, "draft", index, error))
            return FALSE;
    }
    g_message ("daily summaries of %s drafted for %u windows", day, windows->len);
    return TRUE;
}

/* The first day not drafted yet: the day after the newest draft, else the
 * day of the record's first followed entry; NULL when there is none. */
static GDate *
first_undrafted (AuditSummaries *self)
{
    sqlite3 *db = db_of (self);
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT max(day) FROM audit_summary WHERE what = 'draft'", -1, &st, NULL)
            == SQLITE_OK
        && sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL) {
        GDate *d = parse_day ((const char *) sqlite3_column_text (st, 0), NULL);
        if (d != NULL)
            g_date_add_days (d, 1);
        return d;
    }
    g_autoptr (sqlite3_stmt) first = NULL;
    if (sqlite3_prepare_v2 (db,
                            "SELECT time_ms FROM audit_entry WHERE producer <> 'audit' ORDER BY idx LIMIT 1",
                            -1, &first, NULL)
            != SQLITE_OK
        || sqlite3_step (first) != SQLITE_ROW)
        return NULL;
    return day_of_ms (sqlite3_column_int64 (first, 0));
}

/* When a draft of day must be signed by: summary_sign_hour on the next
 * working day. */
static gint64
sign_deadline (AuditSummaries *self, const GDate *day)
{
    GDate next;
    dbn_calendar_add_working_days (self->calendar, NULL, day, 1, &next, NULL);
    return midnight_ms (&next) + self->sign_hour * 3600 * G_GINT64_CONSTANT (1000);
}

static gboolean
late_summaries (AuditSummaries *self, gint64 now_ms, GError **error)
{
    DbnService *service = audit_actions_get_service (self->actions);
    DbnStore *store = dbn_service_get_store (service);
    DbnEmitter *emitter = dbn_service_get_emitter (service);
    sqlite3 *db = db_of (self);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc =
        sqlite3_prepare_v2 (db,
                            "SELECT d.window, d.day, d.idx FROM audit_summary d WHERE d.what = 'draft'"
                            " AND NOT EXISTS (SELECT 1 FROM audit_summary s WHERE s.window = d.window"
                            " AND s.day = d.day AND s.what IN ('signed', 'late')) ORDER BY d.day, d.window",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return failed (store, rc, error);
    g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (gint64));
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (GDate) day = parse_day ((const char *) sqlite3_column_text (st, 1), NULL);
        if (day == NULL || now_ms < sign_deadline (self, day))
            continue;
        g_ptr_array_add (due, dbn_sql_column_dup (st, 0));
        g_ptr_array_add (due, dbn_sql_column_dup (st, 1));
        gint64 idx = sqlite3_column_int64 (st, 2);
        g_array_append_val (indexes, idx);
    }
    if (rc != SQLITE_DONE)
        return failed (store, rc, error);
    g_clear_pointer (&st, sqlite3_finalize);
    for (guint i = 0; i < indexes->len; i++) {
        const char *window = due->pdata[2 * i], *day = due->pdata[2 * i + 1];
        gint64 draft = g_array_index (indexes, gint64, i), draft_seq = 0;
        g_autoptr (GBytes) unused = entry_event (db, draft, &draft_seq);
        g_autoptr (GDate) date = parse_day (day, NULL);
        g_autoptr (GDateTime) by = dbn_clock_local_from_ms (sign_deadline (self, date));
        g_autofree char *by_text = g_date_time_format (by, "%Y-%m-%d %H:%M");
        g_autoptr (DbnMsgAuditViolation) x = dbn_msg_audit_violation_new ();
        dbn_emitter_stamp (emitter, &x->env, DBN_MSG_AUDIT_VIOLATION_WIRE, NULL, "service:audit", now_ms);
        x->kind = g_strdup ("summary_unsigned");
        x->rule = g_strdup ("D-AUD-6");
        x->person = g_strconcat ("window:", window, NULL);
        x->index = draft;
        x->producer = g_strdup ("audit");
        x->event_seq = draft_seq;
        x->day = g_strdup (day);
        x->detail =
            g_strdup_printf ("%s 窗口 %s 的当日汇总在 %s 前未经值班领导签字 / the summary of window %s for "
                             "%s was not signed by the duty leader by %s",
                             day, window, by_text, window, day, by_text);
        g_autoptr (GBytes) bytes = dbn_msg_audit_violation_encode (x, error);
        gint64 index = 0;
        if (bytes == NULL || !dbn_emitter_emit (emitter, audit_topics, &x->env, bytes, error)
            || !audit_actions_enter (self->actions, &x->env, bytes, now_ms, &index, error)
            || !mark (store, window, day, "late", index, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
audit_summaries_tick (AuditSummaries *self, gint64 now_ms, GError **error)
{
    g_autoptr (GDate) today = day_of_ms (now_ms);
    g_autoptr (GDate) day = first_undrafted (self);
    for (int n = 0; day != NULL && g_date_compare (day, today) < 0 && n < MAX_DAYS_PER_RUN; n++) {
        if (dbn_calendar_is_workday (self->calendar, NULL, day, NULL)
            && !draft_day (self, day, now_ms, error))
            return FALSE;
        g_date_add_days (day, 1);
    }
    return late_summaries (self, now_ms, error);
}

/* ---- commands ---- */

#define DECODE(name, command, error)                                                                         \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

GBytes *
audit_summary_sign_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    AuditActions *actions = user_data;
    DbnStore *store = dbn_service_get_store (service);
    sqlite3 *db = dbn_store_get_db (store);
    g_autoptr (DbnMsgAuditSummarySign) req = DECODE (audit_summary_sign, command, error);
    if (req == NULL)
        return NULL;
    g_autoptr (GDate) date = parse_day (req->day, error);
    if (date == NULL)
        return NULL;
    const char *leader = dbn_command_get_principal (command);
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_LEADER) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                     "only a duty leader (leader:ID) signs a daily summary, not %s",
                     leader ? leader : "this caller");
        return NULL;
    }
    gint64 draft = find_mark (db, req->window, req->day, "draft");
    g_autoptr (GBytes) draft_bytes = draft >= 0 ? entry_event (db, draft, NULL) : NULL;
    g_autoptr (DbnMsgAuditSummary) m =
        draft_bytes != NULL ? dbn_msg_audit_summary_decode (g_bytes_get_data (draft_bytes, NULL),
                                                            g_bytes_get_size (draft_bytes), NULL)
                            : NULL;
    if (m == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "no summary of window %s for %s has been drafted",
                     req->window, req->day);
        return NULL;
    }
    if (find_mark (db, req->window, req->day, "signed") >= 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "the summary of window %s for %s is signed already",
                     req->window, req->day);
        return NULL;
    }
    g_autoptr (GError) why = NULL;
    g_autofree char *public_key = dbn_sign_key_dup_registered (
        dbn_config_get_data_dir (dbn_service_get_config (service)), leader, &why);
    if (public_key == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "cannot check the signature: %s", why->message);
        return NULL;
    }
    g_autoptr (GBytes) signed_bytes = dbn_day_summary_signed_bytes (m);
    if (!dbn_sign_key_verify_hex (public_key, req->signature, signed_bytes)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                     "the signature is not %s's: it does not verify with the registered key %s", leader,
                     public_key);
        return NULL;
    }
    g_autoptr (DbnMsgAuditSummarySigned) ev = dbn_msg_audit_summary_signed_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_AUDIT_SUMMARY_SIGNED_WIRE, NULL);
    ev->window = g_strdup (req->window);
    ev->day = g_strdup (req->day);
    ev->draft_index = draft;
    ev->leader = g_strdup (leader);
    ev->public_key = g_steal_pointer (&public_key);
    ev->signature = g_ascii_strdown (req->signature, -1);
    g_autoptr (GBytes) bytes = dbn_msg_audit_summary_signed_encode (ev, error);
    gint64 index = 0;
    if (bytes == NULL || !dbn_command_emit (command, "audit", &ev->env, bytes, error)
        || !audit_actions_enter (actions, &ev->env, bytes, dbn_command_get_now_ms (command), &index, error)
        || !mark (store, req->window, req->day, "signed", index, error))
        return NULL;
    g_autoptr (DbnMsgAuditSummarySignReply) reply = dbn_msg_audit_summary_sign_reply_new ();
    reply->window = g_strdup (req->window);
    reply->day = g_strdup (req->day);
    reply->index = index;
    reply->seq = ev->env.seq;
    return dbn_msg_audit_summary_sign_reply_encode (reply, error);
}

GBytes *
audit_summary_list_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    (void) user_data;
    DbnStore *store = dbn_service_get_store (service);
    sqlite3 *db = dbn_store_get_db (store);
    g_autoptr (DbnMsgAuditSummaryList) req = DECODE (audit_summary_list, command, error);
    if (req == NULL)
        return NULL;
    g_autofree char *day = NULL;
    if (!dbn_text_is_blank (req->day)) {
        g_autoptr (GDate) date = parse_day (req->day, error);
        if (date == NULL)
            return NULL;
        day = g_strdup (req->day);
    } else {
        g_autoptr (sqlite3_stmt) st = NULL;
        if (sqlite3_prepare_v2 (db, "SELECT max(day) FROM audit_summary WHERE what = 'draft'", -1, &st, NULL)
                == SQLITE_OK
            && sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
            day = dbn_sql_column_dup (st, 0);
        else
            day = g_strdup ("");
    }
    g_autoptr (DbnMsgAuditSummaryListReply) reply = dbn_msg_audit_summary_list_reply_new ();
    reply->day = g_strdup (day);
    reply->summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    reply->signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (
        db,
        "SELECT what, idx FROM audit_summary WHERE day = ? AND what IN ('draft', 'signed')"
        " ORDER BY idx",
        -1, &st, NULL);
    if (rc != SQLITE_OK) {
        failed (store, rc, error);
        return NULL;
    }
    dbn_sql_bind_text (st, 1, day);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gboolean draft = g_strcmp0 ((const char *) sqlite3_column_text (st, 0), "draft") == 0;
        GBytes *b = entry_event (db, sqlite3_column_int64 (st, 1), NULL);
        GPtrArray *into = draft ? reply->summaries : reply->signatures;
        if (b != NULL && into->len < 1000)
            g_ptr_array_add (into, b);
        else if (b != NULL)
            g_bytes_unref (b);
    }
    if (rc != SQLITE_DONE) {
        failed (store, rc, error);
        return NULL;
    }
    return dbn_msg_audit_summary_list_reply_encode (reply, error);
}
