/* eval_card.c: the completion card (see eval_card.h). */
#include "eval_card.h"

#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-evaluation"

static const guint8 png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static gboolean
is_sha256_hex (const char *s)
{
    if (s == NULL || strlen (s) != 64)
        return FALSE;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isxdigit (*p))
            return FALSE;
    return TRUE;
}

gboolean
eval_card_check (const DbnMsgEvalRate *req, EvalStage stage, GError **error)
{
    gsize len = req->signature != NULL ? g_bytes_get_size (req->signature) : 0;
    if (req->signature == NULL) {
        if (req->signature_sha256 == NULL)
            return TRUE;
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH,
                     "a signature's SHA-256 came without the signature of %s", req->case_no);
        return FALSE;
    }
    if (stage != EVAL_STAGE_REPLY) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "only the reply's rating carries the completion card's signature (D-RPL-1)");
        return FALSE;
    }
    /* The codec holds the schema's limit already; this says why, here. */
    if (len > EVAL_CARD_MAX_SIGNATURE) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "the signature of %s is %" G_GSIZE_FORMAT " bytes, over %d", req->case_no, len,
                     EVAL_CARD_MAX_SIGNATURE);
        return FALSE;
    }
    const guint8 *data = g_bytes_get_data (req->signature, NULL);
    if (len < sizeof png_magic || memcmp (data, png_magic, sizeof png_magic) != 0) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH, "the signature of %s is not a PNG",
                     req->case_no);
        return FALSE;
    }
    if (!is_sha256_hex (req->signature_sha256)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH,
                     "the signature of %s needs its SHA-256 as 64 hex digits", req->case_no);
        return FALSE;
    }
    g_autofree char *computed = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, req->signature);
    if (g_ascii_strcasecmp (computed, req->signature_sha256) != 0) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH,
                     "the signature of %s has SHA-256 %s, not %s as sent", req->case_no, computed,
                     req->signature_sha256);
        return FALSE;
    }
    return TRUE;
}

gboolean
eval_card_record (DbnStore *store, const DbnMsgEvalRate *req, EvalLevel level, const char *actor, gint64 at,
                  GError **error)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO ev_card (case_no, level, result, signature, sha256, actor, at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    dbn_sql_bind_text (st, 1, req->case_no);
    sqlite3_bind_int (st, 2, (int) level);
    dbn_sql_bind_text_or_null (st, 3, req->result);
    if (req->signature != NULL) {
        gsize len = 0;
        const void *data = g_bytes_get_data (req->signature, &len);
        sqlite3_bind_blob64 (st, 4, data, len, SQLITE_TRANSIENT);
        /* Stored as computed: lowercase, whatever case was sent. */
        g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, req->signature);
        dbn_sql_bind_text (st, 5, hex);
    }
    dbn_sql_bind_text (st, 6, actor);
    sqlite3_bind_int64 (st, 7, at);
    rc = sqlite3_step (st);
    if (rc == SQLITE_CONSTRAINT) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED, "%s has its completion card already",
                     req->case_no);
        return FALSE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

/* Who reads a card: the case's station; a window (a petition's own window
 * only, D-INT-8, as intake reads cases); the area's supervisor; the
 * committee, the services and the operator. */
static gboolean
may_read_card (EvaluationActions *actions, DbnCommand *command, const char *case_no, const char *matter,
               const char *station, const char *window, const char *area, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    gboolean ok = FALSE;
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION: ok = g_strcmp0 (id, station) == 0; break;
    case DBN_PRINCIPAL_WINDOW: {
        const DbnMatter *m = dbn_catalog_lookup (evaluation_actions_get_catalog (actions), matter);
        ok = m == NULL || !m->restricted || g_strcmp0 (id, window) == 0;
        break;
    }
    case DBN_PRINCIPAL_SUPERVISOR: ok = g_strcmp0 (id, area) == 0; break;
    case DBN_PRINCIPAL_COMMITTEE:
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: ok = TRUE; break;
    default: break;
    }
    if (!ok)
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not read the card of %s", principal,
                     case_no);
    return ok;
}

GBytes *
eval_card_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DbnStore *store = dbn_service_get_store (service);
    g_autoptr (DbnMsgEvalCard) req =
        dbn_msg_eval_card_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),
                                  g_bytes_get_size (dbn_command_get_body (command)), error);
    if (req == NULL)
        return NULL;
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT c.matter, c.station_id, c.window_id, c.area_id, k.level, k.result,"
                                 " k.signature, k.sha256, k.actor, k.at"
                                 " FROM ev_case c LEFT JOIN ev_card k ON k.case_no = c.case_no"
                                 " WHERE c.case_no = ?1",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    dbn_sql_bind_text (st, 1, req->case_no);
    rc = sqlite3_step (st);
    if (rc == SQLITE_DONE) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE, "the evaluation service has no case %s",
                     req->case_no);
        return NULL;
    }
    if (rc != SQLITE_ROW) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    const char *matter = (const char *) sqlite3_column_text (st, 0);
    if (!may_read_card (user_data, command, req->case_no, matter, (const char *) sqlite3_column_text (st, 1),
                        (const char *) sqlite3_column_text (st, 2),
                        (const char *) sqlite3_column_text (st, 3), error))
        return NULL;
    if (sqlite3_column_type (st, 4) == SQLITE_NULL) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_NO_CARD, "%s has no completion card yet", req->case_no);
        return NULL;
    }
    g_autoptr (DbnMsgEvalCardReply) reply = dbn_msg_eval_card_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->matter = g_strdup (matter);
    reply->level = g_strdup (eval_level_to_string ((EvalLevel) sqlite3_column_int (st, 4)));
    reply->result = dbn_sql_column_dup (st, 5);
    if (sqlite3_column_type (st, 6) == SQLITE_BLOB)
        reply->signature = g_bytes_new (sqlite3_column_blob (st, 6), (gsize) sqlite3_column_bytes (st, 6));
    reply->signature_sha256 = dbn_sql_column_dup (st, 7);
    reply->by = dbn_sql_column_dup (st, 8);
    reply->at = sqlite3_column_int64 (st, 9);
    return dbn_msg_eval_card_reply_encode (reply, error);
}
