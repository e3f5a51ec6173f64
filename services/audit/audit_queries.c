/* audit_queries.c: daiban-audit's read commands (audit_queries.h).
 *
 * Every answer carries what a reader needs to check it without trusting the
 * service: the entry's own encoding (the reader hashes its leaf), the RFC
 * 9162 path, and the signed head the path leads to (the reader checks its
 * signature with the key the committee was given). A proof is only as good
 * as the head it ends in, so a path is always against a signed head, never
 * against a root the service picked for the occasion (docs/audit.md).
 *
 * audit.verify runs audit_verify_file on the service's own file, through a
 * second, read-only connection: it sees what is committed (read commands
 * run after the batch's commit) and trusts nothing but the entries' columns,
 * exactly as the offline `daiban audit verify --db` does. It holds the
 * service's loop for the pass (about 1 s per 1,000,000 entries). */
#include "audit_queries.h"

#include <sqlite3.h>
#include <string.h>

#include <daiban/dbn_sql.h>

#include "audit_verify.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-audit"

/* Entries of one case in one answer (the reply's limit), and the bytes a
 * page may hold: well under the 4 MiB frame (DBN_CODEC_MAX_FRAME). */
#define CASE_ENTRIES_MAX 2000
#define CASE_PAGE_BYTES  (3 * 1024 * 1024)
/* audit_case_entry.event's limit (audit_query.xml). */
#define EVENT_TEXT_MAX 262144

#define DECODE(name, command, error)                                                                         \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

GBytes *
audit_head_record_encode (const AuditHead *head, const guint8 key[AUDIT_PUBLIC_KEY_SIZE], GError **error)
{
    g_autoptr (DbnMsgAuditHeadRecord) r = dbn_msg_audit_head_record_new ();
    r->size = head->size;
    r->time = head->time_ms;
    r->root = audit_hex (head->root, AUDIT_HASH_SIZE);
    r->chain = audit_hex (head->chain, AUDIT_HASH_SIZE);
    r->signature = audit_hex (head->signature, AUDIT_SIGNATURE_SIZE);
    r->key = audit_hex (key, AUDIT_PUBLIC_KEY_SIZE);
    return dbn_msg_audit_head_record_encode (r, error);
}

gboolean
audit_head_from_record (GBytes *record, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE], GError **error)
{
    g_autoptr (DbnMsgAuditHeadRecord) r =
        dbn_msg_audit_head_record_decode (g_bytes_get_data (record, NULL), g_bytes_get_size (record), error);
    if (r == NULL)
        return FALSE;
    memset (head, 0, sizeof *head);
    head->size = r->size;
    head->time_ms = r->time;
    const char *bad = !audit_unhex (r->root, head->root, AUDIT_HASH_SIZE)                  ? "root"
                      : !audit_unhex (r->chain, head->chain, AUDIT_HASH_SIZE)              ? "chain"
                      : !audit_unhex (r->signature, head->signature, AUDIT_SIGNATURE_SIZE) ? "signature"
                      : !audit_unhex (r->key, key, AUDIT_PUBLIC_KEY_SIZE)                  ? "key"
                      : r->size < 0                                                        ? "size"
                                                                                           : NULL;
    if (bad != NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "head: %s is not valid", bad);
        return FALSE;
    }
    return TRUE;
}

/* The record's errors as the wire's: a range the record does not have is
 * the caller's mistake (invalid), anything else the service's. */
static void
to_wire_error (GError **error)
{
    if (error == NULL || *error == NULL || (*error)->domain != AUDIT_ERROR)
        return;
    int code = (*error)->code == AUDIT_ERROR_RANGE || (*error)->code == AUDIT_ERROR_INVALID
                   ? DBN_ERROR_INVALID
                   : DBN_ERROR_INTERNAL;
    GError *wire = g_error_new_literal (DBN_ERROR, code, (*error)->message);
    g_clear_error (error);
    g_propagate_error (error, wire);
}

static GPtrArray *
path_to_strv (GByteArray *path)
{
    GPtrArray *out = g_ptr_array_new ();
    for (guint i = 0; path != NULL && i + AUDIT_HASH_SIZE <= path->len; i += AUDIT_HASH_SIZE)
        g_ptr_array_add (out, audit_hex (path->data + i, AUDIT_HASH_SIZE));
    g_ptr_array_add (out, NULL);
    return out;
}

static char **
steal_strv (GPtrArray *array)
{
    return (char **) g_ptr_array_free (array, FALSE);
}

/* ---- audit.case ---- */

gboolean
audit_case_entry_check (const DbnMsgAuditCaseEntry *e, const AuditHead *head, gboolean has_head, char **why)
{
    gsize len = 0;
    const guint8 *bytes = e->entry != NULL ? g_bytes_get_data (e->entry, &len) : NULL;
    /* docs/audit.md "Entry": version 0x01, then the index (u64, big-endian). */
    guint64 index = 0;
    for (gsize i = 1; i < 9 && i < len; i++)
        index = index << 8 | bytes[i];
    if (len < 9 || bytes[0] != 0x01 || index != (guint64) e->index) {
        *why = g_strdup ("the entry's bytes do not carry its index");
        return FALSE;
    }
    if (!has_head || e->index >= head->size) {
        *why = g_strdup ("not signed yet");
        return FALSE;
    }
    guint8 leaf[AUDIT_HASH_SIZE];
    audit_hash_leaf (bytes, len, leaf);
    guint n = e->path != NULL ? g_strv_length (e->path) : 0;
    g_autofree guint8 *path = g_malloc0 ((gsize) MAX (n, 1) * AUDIT_HASH_SIZE);
    for (guint i = 0; i < n; i++)
        if (!audit_unhex (e->path[i], path + (gsize) i * AUDIT_HASH_SIZE, AUDIT_HASH_SIZE)) {
            *why = g_strdup_printf ("path item %u is not a hash", i);
            return FALSE;
        }
    if (!audit_verify_inclusion (e->index, head->size, leaf, (const guint8 (*)[AUDIT_HASH_SIZE]) path, n,
                                 head->root)) {
        *why = g_strdup_printf ("the inclusion proof fails against the head of size %" G_GINT64_FORMAT,
                                head->size);
        return FALSE;
    }
    return TRUE;
}

static GBytes *
case_entry_encode (AuditLog *log, sqlite3_stmt *row, const AuditHead *head, gboolean has_head, GError **error)
{
    gint64 index = sqlite3_column_int64 (row, 0);
    g_autoptr (DbnMsgAuditCaseEntry) e = dbn_msg_audit_case_entry_new ();
    e->index = index;
    e->producer = dbn_sql_column_dup (row, 1);
    e->event_seq = sqlite3_column_int64 (row, 2);
    e->time = sqlite3_column_int64 (row, 3);
    e->actor = dbn_sql_column_dup (row, 4);
    e->type = dbn_sql_column_dup (row, 5);
    const guint8 *event = sqlite3_column_blob (row, 6);
    gsize event_len = (gsize) sqlite3_column_bytes (row, 6);
    /* An event that is not MessagePack any more still has an entry; its
     * text says so rather than hiding the entry. */
    e->event = event_len > 0 ? dbn_codec_to_json (event, event_len, NULL) : NULL;
    if (e->event == NULL)
        e->event = g_strdup ("");
    /* A text past the field's limit is cut (its bytes are in `entry`). */
    if (strlen (e->event) > EVENT_TEXT_MAX) {
        gchar *end = g_utf8_find_prev_char (e->event, e->event + EVENT_TEXT_MAX - 3);
        *end = '\0';
        char *cut = g_strconcat (e->event, "…", NULL);
        g_free (e->event);
        e->event = cut;
    }
    if (e->actor == NULL)
        e->actor = g_strdup ("");
    guint8 leaf[AUDIT_HASH_SIZE];
    if (!audit_log_dup_entry (log, index, &e->entry, leaf, error))
        return NULL;
    e->leaf = audit_hex (leaf, AUDIT_HASH_SIZE);
    g_autoptr (GByteArray) path = NULL;
    if (has_head && index < head->size && !audit_log_inclusion_proof (log, index, head->size, &path, error))
        return NULL;
    e->path = steal_strv (path_to_strv (path));
    return dbn_msg_audit_case_entry_encode (e, error);
}

static GBytes *
audit_case_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    AuditLog *log = audit_actions_get_log (user_data);
    g_autoptr (DbnMsgAuditCase) req = DECODE (audit_case, command, error);
    if (req == NULL)
        return NULL;
    if (req->case_no == NULL || *req->case_no == '\0') {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "case: a case number is needed");
        return NULL;
    }
    g_autoptr (DbnMsgAuditCaseReply) reply = dbn_msg_audit_case_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->size = audit_log_get_size (log);
    AuditHead head;
    gboolean has_head = audit_log_get_last_head (log, &head);
    if (has_head
        && (reply->head = audit_head_record_encode (&head, audit_log_get_public_key (log), error)) == NULL)
        return NULL;
    reply->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr (sqlite3_stmt) st = NULL;
    sqlite3 *db = dbn_store_get_db (dbn_service_get_store (service));
    if (sqlite3_prepare_v2 (db,
                            "SELECT idx, producer, seq, time_ms, actor, type, event FROM audit_entry"
                            " WHERE case_no = ?1 AND idx > ?3 ORDER BY idx LIMIT ?2",
                            -1, &st, NULL)
        != SQLITE_OK) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INTERNAL, "audit.case: %s", sqlite3_errmsg (db));
        return NULL;
    }
    sqlite3_bind_text (st, 1, req->case_no, -1, SQLITE_STATIC);
    /* One more than a page: whether more follow. */
    sqlite3_bind_int (st, 2, CASE_ENTRIES_MAX + 1);
    sqlite3_bind_int64 (st, 3, req->has_after ? req->after : -1);
    int rc;
    gsize bytes = 0;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        if (reply->entries->len == CASE_ENTRIES_MAX) {
            reply->more = TRUE;
            break;
        }
        GBytes *item = case_entry_encode (log, st, &head, has_head, error);
        if (item == NULL) {
            to_wire_error (error);
            return NULL;
        }
        if (reply->entries->len > 0 && bytes + g_bytes_get_size (item) > CASE_PAGE_BYTES) {
            g_bytes_unref (item);
            reply->more = TRUE;
            break;
        }
        bytes += g_bytes_get_size (item);
        g_ptr_array_add (reply->entries, item);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INTERNAL, "audit.case: %s", sqlite3_errmsg (db));
        return NULL;
    }
    if (reply->entries->len == 0 && !req->has_after) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "no entry of case %s in the record",
                     req->case_no);
        return NULL;
    }
    return dbn_msg_audit_case_reply_encode (reply, error);
}

/* ---- audit.proof ---- */

static gboolean
add_head_at (AuditLog *log, gint64 size, GPtrArray *heads, GError **error)
{
    AuditHead h;
    if (!audit_log_get_head (log, size, &h, NULL))
        return TRUE; /* no head at exactly that size: the reader needs one from elsewhere */
    GBytes *b = audit_head_record_encode (&h, audit_log_get_public_key (log), error);
    if (b == NULL)
        return FALSE;
    g_ptr_array_add (heads, b);
    return TRUE;
}

static GBytes *
audit_proof_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    (void) service;
    AuditLog *log = audit_actions_get_log (user_data);
    g_autoptr (DbnMsgAuditProof) req = DECODE (audit_proof, command, error);
    if (req == NULL)
        return NULL;
    if (req->has_index == req->has_first) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "index or first: give one of the two");
        return NULL;
    }
    AuditHead last;
    gint64 newest = audit_log_get_last_head (log, &last) ? last.size : audit_log_get_size (log);
    g_autoptr (DbnMsgAuditProofReply) reply = dbn_msg_audit_proof_reply_new ();
    reply->heads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr (GByteArray) path = NULL;
    if (req->has_index) {
        gint64 size = req->has_size ? req->size : newest;
        guint8 leaf[AUDIT_HASH_SIZE];
        if (!audit_log_inclusion_proof (log, req->index, size, &path, error)
            || !audit_log_dup_entry (log, req->index, &reply->entry, leaf, error)) {
            to_wire_error (error);
            return NULL;
        }
        reply->kind = g_strdup ("inclusion");
        reply->index = req->index;
        reply->size = size;
        reply->first = -1;
        reply->leaf = audit_hex (leaf, AUDIT_HASH_SIZE);
        if (!add_head_at (log, size, reply->heads, error))
            return NULL;
    } else {
        gint64 second = req->has_second ? req->second : newest;
        if (!audit_log_consistency_proof (log, req->first, second, &path, error)) {
            to_wire_error (error);
            return NULL;
        }
        reply->kind = g_strdup ("consistency");
        reply->index = -1;
        reply->first = req->first;
        reply->size = second;
        if (!add_head_at (log, req->first, reply->heads, error)
            || (second != req->first && !add_head_at (log, second, reply->heads, error)))
            return NULL;
    }
    reply->path = steal_strv (path_to_strv (path));
    return dbn_msg_audit_proof_reply_encode (reply, error);
}

/* ---- audit.verify ---- */

static GBytes *
audit_verify_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    (void) user_data;
    g_autoptr (DbnMsgAuditVerify) req = DECODE (audit_verify, command, error);
    if (req == NULL)
        return NULL;
    AuditHead kept;
    guint8 kept_key[AUDIT_PUBLIC_KEY_SIZE];
    if (req->kept != NULL && !audit_head_from_record (req->kept, &kept, kept_key, error)) {
        g_prefix_error (error, "kept ");
        return NULL;
    }
    const char *dir = dbn_config_get_data_dir (dbn_service_get_config (service));
    g_autofree char *file = g_strconcat (dbn_service_get_name (service), ".db", NULL);
    g_autofree char *path = g_build_filename (dir, file, NULL);
    AuditVerifyReport r;
    gint64 start = g_get_monotonic_time ();
    if (!audit_verify_file (path, req->kept != NULL ? &kept : NULL, req->kept != NULL ? kept_key : NULL, &r,
                            error)) {
        audit_verify_report_clear (&r);
        to_wire_error (error);
        return NULL;
    }
    g_autoptr (DbnMsgAuditVerifyReply) reply = dbn_msg_audit_verify_reply_new ();
    reply->verified = r.problem == AUDIT_VERIFY_OK;
    reply->problem = g_strdup (reply->verified ? "ok" : audit_verify_problem_name (r.problem));
    reply->index = r.index;
    reply->entries = r.entries;
    reply->heads = r.heads;
    reply->kept_checked = r.kept_checked;
    reply->detail = g_strdup (r.detail ? r.detail : "");
    reply->detail_zh = g_strdup (r.detail_zh ? r.detail_zh : "");
    reply->elapsed_ms = (g_get_monotonic_time () - start) / 1000;
    AuditLog *log = audit_actions_get_log (user_data);
    gboolean ok =
        !r.has_head
        || (reply->head = audit_head_record_encode (&r.head, audit_log_get_public_key (log), error)) != NULL;
    audit_verify_report_clear (&r);
    if (!ok)
        return NULL;
    if (!reply->verified)
        g_warning ("audit.verify asked by %s: %s at index %" G_GINT64_FORMAT ": %s",
                   dbn_command_get_principal (command), reply->problem, reply->index, reply->detail);
    return dbn_msg_audit_verify_reply_encode (reply, error);
}

/* Reads only: the committee's (D-AUD-2), besides the operator and the
 * services, who always may. */
const DbnCommandSpec audit_query_commands[] = {
    { DBN_MSG_AUDIT_CASE_WIRE, audit_case_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_AUDIT_PROOF_WIRE, audit_proof_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_AUDIT_VERIFY_WIRE, audit_verify_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    { NULL },
};
