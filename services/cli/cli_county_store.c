/* cli_county_store.c: the county's store and what keep, prove and follow
 * do to it (see cli_county_store.h; docs/county.md).
 *
 * keep reads the township's audit journal from where it last stopped and
 * keeps every signed tree head. The first head of a township pins its audit
 * key; a head under another key, with a bad signature, or smaller than one
 * kept is refused and nothing after it is kept: that is the alarm, not
 * something to update past.
 *
 * prove asks the township's audit service for the consistency proof from
 * the last proven kept head to the newest kept one and checks it against
 * the roots the county kept, never the ones the township sends back.
 *
 * Either alarm is kept in county_proof.failed and never overwritten: a
 * township that rewrote its history stays flagged, whoever runs keep or
 * prove next (the follower every 2 s, or a person).
 */
#include "cli_county_store.h"

#include <stdio.h>
#include <string.h>

#include "audit_verify.h"

struct _CliCountyStore {
    sqlite3 *db;
};

static const char *const store_schema = "CREATE TABLE IF NOT EXISTS county_township ("
                                        "  township TEXT PRIMARY KEY,"
                                        "  audit_key TEXT NOT NULL,"
                                        "  synced INTEGER NOT NULL"
                                        ") WITHOUT ROWID;"
                                        "CREATE TABLE IF NOT EXISTS county_head ("
                                        "  township TEXT NOT NULL,"
                                        "  size INTEGER NOT NULL,"
                                        "  time_ms INTEGER NOT NULL,"
                                        "  root TEXT NOT NULL,"
                                        "  chain TEXT NOT NULL,"
                                        "  signature TEXT NOT NULL,"
                                        "  PRIMARY KEY (township, size)"
                                        ") WITHOUT ROWID;"
                                        "CREATE TABLE IF NOT EXISTS county_proof ("
                                        "  township TEXT PRIMARY KEY,"
                                        "  proven INTEGER NOT NULL,"
                                        "  failed TEXT"
                                        ") WITHOUT ROWID;"
                                        "CREATE TABLE IF NOT EXISTS county_month ("
                                        "  township TEXT NOT NULL,"
                                        "  month TEXT NOT NULL,"
                                        "  name TEXT NOT NULL,"
                                        "  closed INTEGER NOT NULL,"
                                        "  fetched_ms INTEGER NOT NULL,"
                                        "  accepted INTEGER NOT NULL,"
                                        "  completed INTEGER NOT NULL,"
                                        "  on_time INTEGER NOT NULL,"
                                        "  returns INTEGER NOT NULL,"
                                        "  rated INTEGER NOT NULL,"
                                        "  satisfied INTEGER NOT NULL,"
                                        "  basic INTEGER NOT NULL,"
                                        "  unsatisfied INTEGER NOT NULL,"
                                        "  stars INTEGER NOT NULL,"
                                        "  score_milli INTEGER NOT NULL,"
                                        "  PRIMARY KEY (township, month)"
                                        ") WITHOUT ROWID;"
                                        "CREATE TABLE IF NOT EXISTS county_month_window ("
                                        "  township TEXT NOT NULL,"
                                        "  month TEXT NOT NULL,"
                                        "  window TEXT NOT NULL,"
                                        "  stars INTEGER NOT NULL,"
                                        "  PRIMARY KEY (township, month, window)"
                                        ") WITHOUT ROWID;";

G_DEFINE_QUARK (cli - county - error - quark, cli_county_error)

int
cli_county_report (const char *what, const GError *error)
{
    if (error->domain != CLI_COUNTY_ERROR)
        return cli_report_error (what, error);
    fprintf (stderr, "daiban %s: %s\n", what, error->message);
    return error->code;
}

static gboolean
store_fail (CliCountyStore *self, GError **error)
{
    g_set_error (error, CLI_COUNTY_ERROR, CLI_EXIT_CONFIG, "县里的存储出错 / the county store failed: %s",
                 sqlite3_errmsg (self->db));
    return FALSE;
}

CliCountyStore *
cli_county_store_open (const char *path, gboolean create, const char *what)
{
    sqlite3 *db = NULL;
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    /* WAL: `county table` and `county status` read while the follower writes. */
    if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK || sqlite3_busy_timeout (db, 5000) != SQLITE_OK
        || (create
            && (sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK
                || sqlite3_exec (db, store_schema, NULL, NULL, NULL) != SQLITE_OK))) {
        fprintf (stderr, "daiban %s: 无法打开 %s / cannot open the county store %s: %s\n", what, path, path,
                 db ? sqlite3_errmsg (db) : "out of memory");
        sqlite3_close (db);
        return NULL;
    }
    CliCountyStore *self = g_new0 (CliCountyStore, 1);
    self->db = db;
    return self;
}

void
cli_county_store_free (CliCountyStore *self)
{
    if (self == NULL)
        return;
    sqlite3_close (self->db);
    g_free (self);
}

sqlite3 *
cli_county_store_get_db (CliCountyStore *self)
{
    return self->db;
}

void
cli_county_outcome_clear (CliCountyOutcome *outcome)
{
    g_clear_pointer (&outcome->alarm, g_free);
    outcome->kept = 0;
    outcome->newest = 0;
}

static gboolean
exec_ok (CliCountyStore *self, const char *sql)
{
    return sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* The pinned key (hex) and the synced seq of township; FALSE when none yet. */
static gboolean
township_state (CliCountyStore *self, const char *township, char **key, gint64 *synced)
{
    sqlite3_stmt *st = NULL;
    gboolean found = FALSE;
    if (sqlite3_prepare_v2 (self->db, "SELECT audit_key, synced FROM county_township WHERE township = ?1", -1,
                            &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW) {
            *key = g_strdup ((const char *) sqlite3_column_text (st, 0));
            *synced = sqlite3_column_int64 (st, 1);
            found = TRUE;
        }
    }
    sqlite3_finalize (st);
    return found;
}

/* The newest head kept for township; FALSE when none. */
static gboolean
newest_head (CliCountyStore *self, const char *township, AuditHead *head)
{
    sqlite3_stmt *st = NULL;
    gboolean ok = FALSE;
    if (sqlite3_prepare_v2 (
            self->db,
            "SELECT size, time_ms, root, chain, signature FROM county_head WHERE township = ?1"
            " ORDER BY size DESC LIMIT 1",
            -1, &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW) {
            head->size = sqlite3_column_int64 (st, 0);
            head->time_ms = sqlite3_column_int64 (st, 1);
            ok = audit_unhex ((const char *) sqlite3_column_text (st, 2), head->root, AUDIT_HASH_SIZE)
                 && audit_unhex ((const char *) sqlite3_column_text (st, 3), head->chain, AUDIT_HASH_SIZE)
                 && audit_unhex ((const char *) sqlite3_column_text (st, 4), head->signature,
                                 AUDIT_SIGNATURE_SIZE);
        }
    }
    sqlite3_finalize (st);
    return ok;
}

/* The root of the head kept at exactly size; FALSE when none. */
static gboolean
kept_root (CliCountyStore *self, const char *township, gint64 size, guint8 root[AUDIT_HASH_SIZE])
{
    sqlite3_stmt *st = NULL;
    gboolean ok = FALSE;
    if (sqlite3_prepare_v2 (self->db, "SELECT root FROM county_head WHERE township = ?1 AND size = ?2", -1,
                            &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, size);
        if (sqlite3_step (st) == SQLITE_ROW)
            ok = audit_unhex ((const char *) sqlite3_column_text (st, 0), root, AUDIT_HASH_SIZE);
    }
    sqlite3_finalize (st);
    return ok;
}

/* The size proven so far and the failure kept (NULL when none). */
static void
proof_state (CliCountyStore *self, const char *township, gint64 *proven, char **failed)
{
    sqlite3_stmt *st = NULL;
    *proven = 0;
    *failed = NULL;
    if (sqlite3_prepare_v2 (self->db, "SELECT proven, failed FROM county_proof WHERE township = ?1", -1, &st,
                            NULL)
        == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW) {
            *proven = sqlite3_column_int64 (st, 0);
            *failed = g_strdup ((const char *) sqlite3_column_text (st, 1));
        }
    }
    sqlite3_finalize (st);
}

gboolean
cli_county_store_get_kept (CliCountyStore *self, const char *township, char **key_hex, AuditHead *head)
{
    gint64 synced = 0;
    if (!township_state (self, township, key_hex, &synced))
        return FALSE;
    return newest_head (self, township, head);
}

char *
cli_county_store_dup_failure (CliCountyStore *self, const char *township)
{
    gint64 proven;
    char *failed;
    proof_state (self, township, &proven, &failed);
    return failed;
}

gint64
cli_county_store_get_proven (CliCountyStore *self, const char *township)
{
    gint64 proven;
    g_autofree char *failed = NULL;
    proof_state (self, township, &proven, &failed);
    return proven;
}

static gboolean
save_proof (CliCountyStore *self, const char *township, gint64 proven, const char *failed)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        self->db, "INSERT OR REPLACE INTO county_proof (township, proven, failed) VALUES (?1, ?2, ?3)", -1,
        &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, proven);
        if (failed)
            sqlite3_bind_text (st, 3, failed, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null (st, 3);
        rc = sqlite3_step (st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize (st);
    return rc == SQLITE_OK;
}

/* The alarm of township kept: the proven size stays, the text is the reason. */
static gboolean
flag_rewritten (CliCountyStore *self, const char *township, const char *alarm)
{
    return save_proof (self, township, cli_county_store_get_proven (self, township), alarm);
}

/* An alarm kept before: keep and prove go no further. */
static gboolean
flagged_earlier (CliCountyStore *self, const char *township, CliCountyOutcome *out)
{
    g_autofree char *failed = cli_county_store_dup_failure (self, township);
    if (failed == NULL)
        return FALSE;
    out->alarm = g_strdup_printf ("%s: 已标记改写 / REWRITTEN (flagged earlier): %s", township, failed);
    return TRUE;
}

/* Checks and keeps one audit.head event of township; the alarm's text (caller
 * owns it) when it is refused, NULL when kept. */
static char *
keep_head (CliCountyStore *self, const char *township, const DbnMsgAuditHead *ev, char **pinned,
           gint64 *newest, gboolean *store_failed)
{
    AuditHead head = { .size = ev->size, .time_ms = ev->time };
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    if (!audit_unhex (ev->root, head.root, AUDIT_HASH_SIZE)
        || !audit_unhex (ev->chain, head.chain, AUDIT_HASH_SIZE)
        || !audit_unhex (ev->signature, head.signature, AUDIT_SIGNATURE_SIZE)
        || !audit_unhex (ev->key, key, AUDIT_PUBLIC_KEY_SIZE))
        return g_strdup_printf ("%s 的树头格式错误 / a head of %s is malformed (size %" G_GINT64_FORMAT ")",
                                township, township, ev->size);
    if (*pinned == NULL) {
        *pinned = g_ascii_strdown (ev->key, -1);
    } else if (g_ascii_strcasecmp (*pinned, ev->key) != 0) {
        return g_strdup_printf (
            "%s 的审计密钥变了 / the audit key of %s changed: the head of size %" G_GINT64_FORMAT
            " is signed by %s, not the pinned %s",
            township, township, ev->size, ev->key, *pinned);
    }
    if (!audit_head_check_signature (&head, key))
        return g_strdup_printf ("%s 的树头签名无效 / the head of size %" G_GINT64_FORMAT
                                " of %s has a bad signature",
                                township, ev->size, township);
    if (head.size < *newest)
        return g_strdup_printf ("%s 的树头倒退 / %s sent a head of size %" G_GINT64_FORMAT
                                " after one of %" G_GINT64_FORMAT,
                                township, township, head.size, *newest);
    /* The same size under another root: two histories, one of them rewritten. */
    guint8 kept[AUDIT_HASH_SIZE];
    if (kept_root (self, township, head.size, kept) && memcmp (kept, head.root, AUDIT_HASH_SIZE) != 0)
        return g_strdup_printf ("%s 的第 %" G_GINT64_FORMAT
                                " 条树头与县里保存的不同 / %s sent a head of size %" G_GINT64_FORMAT
                                " with another root than the one the county kept",
                                township, head.size, township, head.size);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        self->db,
        "INSERT OR IGNORE INTO county_head (township, size, time_ms, root, chain, signature)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 2, head.size);
        sqlite3_bind_int64 (st, 3, head.time_ms);
        sqlite3_bind_text (st, 4, ev->root, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 5, ev->chain, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 6, ev->signature, -1, SQLITE_STATIC);
        rc = sqlite3_step (st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize (st);
    *store_failed = rc != SQLITE_OK;
    *newest = head.size;
    return NULL;
}

static gboolean
save_state (CliCountyStore *self, const char *township, const char *key, gint64 synced)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        self->db, "INSERT OR REPLACE INTO county_township (township, audit_key, synced) VALUES (?1, ?2, ?3)",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 3, synced);
        rc = sqlite3_step (st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize (st);
    return rc == SQLITE_OK;
}

int
cli_county_store_keep (CliCountyStore *self, CliContext *ctx, const char *township, CliCountyOutcome *out,
                       GError **error)
{
    if (flagged_earlier (self, township, out))
        return CLI_EXIT_TAMPERED;
    g_autofree char *pinned = NULL;
    gint64 synced = 0;
    township_state (self, township, &pinned, &synced);
    AuditHead last;
    out->newest = newest_head (self, township, &last) ? last.size : 0;
    if (!exec_ok (self, "BEGIN IMMEDIATE")) {
        store_fail (self, error);
        return CLI_EXIT_CONFIG;
    }
    int status = CLI_EXIT_OK;
    g_autoptr (GError) failure = NULL;
    for (gboolean more = TRUE; more && status == CLI_EXIT_OK;) {
        g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->after = synced;
        cmd->has_max = TRUE;
        cmd->max = 1000;
        g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, &failure);
        g_autoptr (DbnMsgSysSyncReply) reply =
            cli_ask (ctx, "audit", body, 2, (CliDecodeFunc) dbn_msg_sys_sync_reply_decode, &failure);
        if (reply == NULL) {
            status = cli_error_status (failure);
            break;
        }
        for (guint i = 0; i < reply->events->len && status == CLI_EXIT_OK; i++) {
            GBytes *frame = g_ptr_array_index (reply->events, i);
            DbnEnvEvent env = { 0 };
            if (!dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env,
                                       &failure)) {
                status = cli_error_status (failure);
                break;
            }
            if (g_strcmp0 (env.type, DBN_MSG_AUDIT_HEAD_WIRE) == 0) {
                g_autoptr (DbnMsgAuditHead) ev = dbn_msg_audit_head_decode (
                    g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &failure);
                if (ev == NULL) {
                    status = cli_error_status (failure);
                } else {
                    gboolean store_failed = FALSE;
                    out->alarm = keep_head (self, township, ev, &pinned, &out->newest, &store_failed);
                    if (out->alarm != NULL)
                        status = CLI_EXIT_TAMPERED;
                    else if (store_failed)
                        status = CLI_EXIT_CONFIG;
                    else
                        out->kept++;
                }
            }
            if (status == CLI_EXIT_OK)
                synced = env.seq;
            dbn_env_event_clear (&env);
        }
        more = reply->events->len > 0 && synced < reply->newest;
    }
    /* What was kept before an alarm stays kept: it was good when it came. */
    gboolean saved = status != CLI_EXIT_CONFIG
                     && (pinned == NULL || save_state (self, township, pinned, synced))
                     && (out->alarm == NULL || flag_rewritten (self, township, out->alarm));
    if (!saved || !exec_ok (self, "COMMIT")) {
        store_fail (self, error);
        exec_ok (self, "ROLLBACK");
        return CLI_EXIT_CONFIG;
    }
    if (status != CLI_EXIT_OK && status != CLI_EXIT_TAMPERED)
        g_propagate_error (error, g_steal_pointer (&failure));
    return status;
}

int
cli_county_store_prove (CliCountyStore *self, CliContext *ctx, const char *township, CliCountyOutcome *out,
                        GError **error)
{
    if (flagged_earlier (self, township, out))
        return CLI_EXIT_TAMPERED;
    gint64 proven = cli_county_store_get_proven (self, township);
    out->newest = proven;
    AuditHead newest;
    if (!newest_head (self, township, &newest)) {
        g_set_error (error, CLI_COUNTY_ERROR, CLI_EXIT_REFUSED, "尚未保存 %s 的树头 / no head of %s kept yet",
                     township, township);
        return CLI_EXIT_REFUSED;
    }
    if (newest.size <= proven)
        return CLI_EXIT_OK;
    guint8 first_root[AUDIT_HASH_SIZE] = { 0 };
    if (proven > 0 && !kept_root (self, township, proven, first_root)) {
        g_set_error (error, CLI_COUNTY_ERROR, CLI_EXIT_CONFIG,
                     "%s 的已核验树头丢失 / the proven head of %s is missing", township, township);
        return CLI_EXIT_CONFIG;
    }
    g_autoptr (DbnMsgAuditProof) cmd = dbn_msg_audit_proof_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->has_first = TRUE;
    cmd->first = proven;
    cmd->has_second = TRUE;
    cmd->second = newest.size;
    g_autoptr (GBytes) body = dbn_msg_audit_proof_encode (cmd, error);
    g_autoptr (DbnMsgAuditProofReply) reply =
        cli_ask (ctx, "audit", body, 2, (CliDecodeFunc) dbn_msg_audit_proof_reply_decode, error);
    /* The township's audit service refused or is away: no verdict, try again later. */
    if (reply == NULL)
        return cli_error_status (*error);
    guint n = reply->path ? g_strv_length (reply->path) : 0;
    g_autofree guint8 *flat = g_malloc0 ((gsize) (n + 1) * AUDIT_HASH_SIZE);
    gboolean parsed = TRUE;
    for (guint i = 0; i < n; i++)
        parsed = parsed && audit_unhex (reply->path[i], flat + (gsize) i * AUDIT_HASH_SIZE, AUDIT_HASH_SIZE);
    const guint8 (*path)[AUDIT_HASH_SIZE] = (const guint8 (*)[AUDIT_HASH_SIZE]) flat;
    if (!parsed || reply->first != proven || reply->size != newest.size
        || !audit_verify_consistency (proven, newest.size, first_root, newest.root, path, n))
        out->alarm = g_strdup_printf (
            "%s: 改写 / REWRITTEN: 从第 %" G_GINT64_FORMAT " 条到第 %" G_GINT64_FORMAT
            " 条树头不一致 / no consistency from head %" G_GINT64_FORMAT " to head %" G_GINT64_FORMAT,
            township, proven, newest.size, proven, newest.size);
    gboolean saved = out->alarm ? flag_rewritten (self, township, out->alarm)
                                : save_proof (self, township, newest.size, NULL);
    if (!saved) {
        store_fail (self, error);
        return CLI_EXIT_CONFIG;
    }
    if (out->alarm)
        return CLI_EXIT_TAMPERED;
    out->newest = newest.size;
    return CLI_EXIT_OK;
}

int
cli_county_store_fetch_month (CliCountyStore *self, CliContext *ctx, const char *township, const char *name,
                              const char *month, GError **error)
{
    g_autoptr (DbnMsgEvalMonth) cmd = dbn_msg_eval_month_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("county");
    cmd->month = g_strdup (month);
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (cmd, error);
    g_autoptr (DbnMsgEvalMonthReply) r =
        cli_ask (ctx, "evaluation", body, 1, (CliDecodeFunc) dbn_msg_eval_month_reply_decode, error);
    if (r == NULL)
        return cli_error_status (*error);
    g_autoptr (GPtrArray) figures =
        g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_msg_eval_figure_free);
    for (guint i = 0; i < r->figures->len; i++) {
        GBytes *item = r->figures->pdata[i];
        DbnMsgEvalFigure *f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), error);
        if (f == NULL)
            return cli_error_status (*error);
        g_ptr_array_add (figures, f);
    }
    /* A month with no case has no township row: its figures are nought. */
    DbnMsgEvalFigure none = { 0 };
    const DbnMsgEvalFigure *t = &none;
    for (guint i = 0; i < figures->len; i++)
        if (g_strcmp0 (((DbnMsgEvalFigure *) figures->pdata[i])->scope, "township") == 0)
            t = figures->pdata[i];
    if (!exec_ok (self, "BEGIN IMMEDIATE")) {
        store_fail (self, error);
        return CLI_EXIT_CONFIG;
    }
    sqlite3_stmt *st = NULL;
    gboolean ok =
        sqlite3_prepare_v2 (self->db,
                            "INSERT OR REPLACE INTO county_month (township, month, name, closed, fetched_ms,"
                            " accepted, completed, on_time, returns, rated, satisfied, basic, unsatisfied,"
                            " stars, score_milli) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                            " ?13, ?14, ?15)",
                            -1, &st, NULL)
        == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, month, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_int (st, 4, r->closed ? 1 : 0);
        sqlite3_bind_int64 (st, 5, g_get_real_time () / 1000);
        const gint64 values[] = { t->accepted,  t->completed, t->on_time,     t->returns, t->rated,
                                  t->satisfied, t->basic,     t->unsatisfied, t->stars,   t->score_milli };
        for (guint k = 0; k < G_N_ELEMENTS (values); k++)
            sqlite3_bind_int64 (st, 6 + (int) k, values[k]);
        ok = sqlite3_step (st) == SQLITE_DONE;
    }
    sqlite3_finalize (st);
    st = NULL;
    /* The month's windows as they are now: one that has gone has no stars. */
    ok = ok
         && sqlite3_prepare_v2 (
                self->db, "DELETE FROM county_month_window WHERE township = ?1 AND month = ?2", -1, &st, NULL)
                == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, month, -1, SQLITE_STATIC);
        ok = sqlite3_step (st) == SQLITE_DONE;
    }
    sqlite3_finalize (st);
    st = NULL;
    ok = ok
         && sqlite3_prepare_v2 (self->db,
                                "INSERT OR REPLACE INTO county_month_window (township, month, window, stars)"
                                " VALUES (?1, ?2, ?3, ?4)",
                                -1, &st, NULL)
                == SQLITE_OK;
    for (guint i = 0; ok && i < figures->len; i++) {
        const DbnMsgEvalFigure *f = figures->pdata[i];
        if (g_strcmp0 (f->scope, "window") != 0)
            continue;
        sqlite3_reset (st);
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, month, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, f->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 4, f->stars);
        ok = sqlite3_step (st) == SQLITE_DONE;
    }
    sqlite3_finalize (st);
    if (!ok || !exec_ok (self, "COMMIT")) {
        store_fail (self, error);
        exec_ok (self, "ROLLBACK");
        return CLI_EXIT_CONFIG;
    }
    return CLI_EXIT_OK;
}
