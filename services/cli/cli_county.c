/* cli_county.c: `daiban county keep` and `daiban county check`, the county
 * committee's heads of each township's audit record (issue 16 item 3,
 * docs/county.md).
 *
 * keep reads the township's audit journal (sys.sync on its audit service,
 * with the --data/--key given: the township's committee key on a county
 * host) from where it last stopped, and keeps every signed tree head
 * (audit.head) in the county's own SQLite store, FILE. The first head of a
 * township pins its audit key; a head under another key, with a bad
 * signature, or smaller than one kept is refused and nothing after it is
 * kept: that is the alarm, not something to update past.
 *
 * check verifies a copy of the township's record (audit_verify_file, the
 * same check as `daiban audit verify --from-head`) against the newest head
 * the county kept. A township that rewrote, cut or reordered its history
 * before that head fails, even when every head in its own file is signed
 * again and consistent with the rewritten entries.
 */
#include "cli_county.h"

#include <stdio.h>

#include <sqlite3.h>

#include "audit_verify.h"

static const char county_usage[] =
    "用法 Usage: daiban county COMMAND [OPTIONS]\n"
    "  keep    保存乡镇审计记录的签名树头 / keep a township's signed audit heads: --store FILE --township "
    "ID\n"
    "          (reads the audit service of --data DIR, with --key FILE)\n"
    "  check   用保存的树头核验乡镇审计记录 / verify a copy of its record against the kept heads:\n"
    "          --store FILE --township ID --db COPY\n"
    "  prove   向乡镇审计服务要一致性证明 / ask the township's audit service for a consistency proof\n"
    "          from the last proven kept head to the newest kept: --store FILE --township ID\n"
    "  status  每个乡镇的核验状态 / each township's state: --store FILE\n";

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
                                        ") WITHOUT ROWID;";

static sqlite3 *
open_store (const char *path, gboolean create)
{
    sqlite3 *db = NULL;
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK
        || (create && sqlite3_exec (db, store_schema, NULL, NULL, NULL) != SQLITE_OK)) {
        fprintf (stderr, "daiban county: 无法打开 %s / cannot open the county store %s: %s\n", path, path,
                 db ? sqlite3_errmsg (db) : "out of memory");
        sqlite3_close (db);
        return NULL;
    }
    return db;
}

/* The pinned key (hex) and the synced seq of township; FALSE when none yet. */
static gboolean
township_state (sqlite3 *db, const char *township, char **key, gint64 *synced)
{
    sqlite3_stmt *st = NULL;
    gboolean found = FALSE;
    if (sqlite3_prepare_v2 (db, "SELECT audit_key, synced FROM county_township WHERE township = ?1", -1, &st,
                            NULL)
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
newest_head (sqlite3 *db, const char *township, AuditHead *head)
{
    sqlite3_stmt *st = NULL;
    gboolean ok = FALSE;
    if (sqlite3_prepare_v2 (
            db,
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

static gboolean
exec_ok (sqlite3 *db, const char *sql)
{
    return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* Keeps one audit.head event of township; FALSE (printed) on the alarm. */
static gboolean
keep_head (sqlite3 *db, const char *township, const DbnMsgAuditHead *ev, char **pinned, gint64 *newest)
{
    AuditHead head = { .size = ev->size, .time_ms = ev->time };
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    if (!audit_unhex (ev->root, head.root, AUDIT_HASH_SIZE)
        || !audit_unhex (ev->chain, head.chain, AUDIT_HASH_SIZE)
        || !audit_unhex (ev->signature, head.signature, AUDIT_SIGNATURE_SIZE)
        || !audit_unhex (ev->key, key, AUDIT_PUBLIC_KEY_SIZE)) {
        fprintf (stderr,
                 "daiban county keep: %s 的树头格式错误 / a head of %s is malformed (size %" G_GINT64_FORMAT
                 ")\n",
                 township, township, ev->size);
        return FALSE;
    }
    if (*pinned == NULL) {
        *pinned = g_ascii_strdown (ev->key, -1);
    } else if (g_ascii_strcasecmp (*pinned, ev->key) != 0) {
        fprintf (stderr,
                 "daiban county keep: %s 的审计密钥变了 / the audit key of %s changed: the head of size "
                 "%" G_GINT64_FORMAT " is signed by %s, not the pinned %s\n",
                 township, township, ev->size, ev->key, *pinned);
        return FALSE;
    }
    if (!audit_head_check_signature (&head, key)) {
        fprintf (stderr,
                 "daiban county keep: %s 的树头签名无效 / the head of size %" G_GINT64_FORMAT
                 " of %s has a bad signature\n",
                 township, ev->size, township);
        return FALSE;
    }
    if (head.size < *newest) {
        fprintf (stderr,
                 "daiban county keep: %s 的树头倒退 / %s sent a head of size %" G_GINT64_FORMAT
                 " after one of %" G_GINT64_FORMAT "\n",
                 township, township, head.size, *newest);
        return FALSE;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        db,
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
    if (rc != SQLITE_OK) {
        fprintf (stderr, "daiban county keep: %s\n", sqlite3_errmsg (db));
        return FALSE;
    }
    *newest = head.size;
    return TRUE;
}

static gboolean
save_state (sqlite3 *db, const char *township, const char *key, gint64 synced)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        db, "INSERT OR REPLACE INTO county_township (township, audit_key, synced) VALUES (?1, ?2, ?3)", -1,
        &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 3, synced);
        rc = sqlite3_step (st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize (st);
    return rc == SQLITE_OK;
}

static int
county_keep (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { "township", 0, 0, G_OPTION_ARG_STRING, &township, "The township's id in the county", "ID" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 保存树头 / keep a township's audit heads");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban county keep: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (store == NULL || township == NULL || argc != 1) {
        fprintf (stderr,
                 "daiban county keep: --store and --township are required / 缺少 --store 或 --township\n");
        return CLI_EXIT_USAGE;
    }
    sqlite3 *db = open_store (store, TRUE);
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    g_autofree char *pinned = NULL;
    gint64 synced = 0, newest = 0;
    township_state (db, township, &pinned, &synced);
    AuditHead last;
    if (newest_head (db, township, &last))
        newest = last.size;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    int status = ctx == NULL ? cli_report_error ("county keep", error) : CLI_EXIT_OK;
    guint kept = 0;
    gboolean alarm = FALSE;
    exec_ok (db, "BEGIN IMMEDIATE");
    while (status == CLI_EXIT_OK && !alarm) {
        g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->after = synced;
        cmd->has_max = TRUE;
        cmd->max = 1000;
        g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, &error);
        g_autoptr (GBytes) reply_bytes = body ? cli_call (ctx, "audit", body, 2, &error) : NULL;
        g_autoptr (DbnMsgSysSyncReply) reply =
            reply_bytes ? dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                         g_bytes_get_size (reply_bytes), &error)
                        : NULL;
        if (reply == NULL) {
            status = cli_report_error ("county keep", error);
            break;
        }
        for (guint i = 0; i < reply->events->len && !alarm; i++) {
            GBytes *frame = g_ptr_array_index (reply->events, i);
            DbnEnvEvent env = { 0 };
            if (!dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env,
                                       &error)) {
                status = cli_report_error ("county keep", error);
                alarm = TRUE;
                break;
            }
            if (g_strcmp0 (env.type, DBN_MSG_AUDIT_HEAD_WIRE) == 0) {
                g_autoptr (DbnMsgAuditHead) ev = dbn_msg_audit_head_decode (g_bytes_get_data (frame, NULL),
                                                                            g_bytes_get_size (frame), &error);
                if (ev == NULL || !keep_head (db, township, ev, &pinned, &newest)) {
                    if (ev == NULL)
                        cli_report_error ("county keep", error);
                    alarm = TRUE;
                } else {
                    kept++;
                }
            }
            if (!alarm)
                synced = env.seq;
            dbn_env_event_clear (&env);
        }
        if (reply->events->len == 0 || synced >= reply->newest)
            break;
    }
    /* What was kept before an alarm stays kept: it was good when it came. */
    if (pinned != NULL && !save_state (db, township, pinned, synced)) {
        fprintf (stderr, "daiban county keep: %s\n", sqlite3_errmsg (db));
        status = CLI_EXIT_CONFIG;
    }
    exec_ok (db, "COMMIT");
    sqlite3_close (db);
    if (alarm)
        return CLI_EXIT_TAMPERED;
    if (status == CLI_EXIT_OK)
        printf ("%s: 新保存 %u 个树头，最新覆盖 %" G_GINT64_FORMAT
                " 条 / kept %u new heads, the newest covers %" G_GINT64_FORMAT " entries\n",
                township, kept, newest, kept, newest);
    return status;
}

static int
county_check (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL, *copy = NULL;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { "township", 0, 0, G_OPTION_ARG_STRING, &township, "The township's id in the county", "ID" },
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &copy, "A copy of the township's audit record (audit.db)",
          "COPY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 核验乡镇审计记录 / check a township's record");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban county check: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (store == NULL || township == NULL || copy == NULL || argc != 1) {
        fprintf (stderr, "daiban county check: --store, --township and --db are required / 缺少参数\n");
        return CLI_EXIT_USAGE;
    }
    sqlite3 *db = open_store (store, FALSE);
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    g_autofree char *key_hex = NULL;
    gint64 synced = 0;
    AuditHead kept;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    gboolean have = township_state (db, township, &key_hex, &synced) && newest_head (db, township, &kept)
                    && audit_unhex (key_hex, key, AUDIT_PUBLIC_KEY_SIZE);
    sqlite3_close (db);
    if (!have) {
        fprintf (stderr,
                 "daiban county check: 尚未保存 %s 的树头 / no head of %s kept yet: run county keep first\n",
                 township, township);
        return CLI_EXIT_REFUSED;
    }
    AuditVerifyReport report = { 0 };
    if (!audit_verify_file (copy, &kept, key, &report, &error)) {
        audit_verify_report_clear (&report);
        return cli_report_error ("county check", error);
    }
    int status = CLI_EXIT_OK;
    if (report.problem == AUDIT_VERIFY_OK && report.kept_checked) {
        printf ("%s: 核验通过，与县里保存的第 %" G_GINT64_FORMAT
                " 条树头一致 / verified: consistent with the head of size %" G_GINT64_FORMAT
                " the county kept\n",
                township, kept.size, kept.size);
    } else {
        printf ("%s: 核验失败 / FAILED (%s): %s / %s\n", township, audit_verify_problem_name (report.problem),
                report.detail_zh ? report.detail_zh : "", report.detail ? report.detail : "");
        status = CLI_EXIT_TAMPERED;
    }
    audit_verify_report_clear (&report);
    return status;
}

/* The root of the head kept at exactly size; FALSE when none. */
static gboolean
kept_root (sqlite3 *db, const char *township, gint64 size, guint8 root[AUDIT_HASH_SIZE])
{
    sqlite3_stmt *st = NULL;
    gboolean ok = FALSE;
    if (sqlite3_prepare_v2 (db, "SELECT root FROM county_head WHERE township = ?1 AND size = ?2", -1, &st,
                            NULL)
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
proof_state (sqlite3 *db, const char *township, gint64 *proven, char **failed)
{
    sqlite3_stmt *st = NULL;
    *proven = 0;
    *failed = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT proven, failed FROM county_proof WHERE township = ?1", -1, &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text (st, 1, township, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW) {
            *proven = sqlite3_column_int64 (st, 0);
            *failed = g_strdup ((const char *) sqlite3_column_text (st, 1));
        }
    }
    sqlite3_finalize (st);
}

static gboolean
save_proof (sqlite3 *db, const char *township, gint64 proven, const char *failed)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        db, "INSERT OR REPLACE INTO county_proof (township, proven, failed) VALUES (?1, ?2, ?3)", -1, &st, NULL);
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

/* prove: the consistency proof, over the wire, from the last proven kept head
 * to the newest kept head, checked against the roots the county kept (not the
 * ones the township sends). A failure is kept and never overwritten: a
 * township that rewrote its history stays flagged. */
static int
county_prove (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { "township", 0, 0, G_OPTION_ARG_STRING, &township, "The township's id in the county", "ID" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 一致性证明 / prove a township's heads");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban county prove: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (store == NULL || township == NULL || argc != 1) {
        fprintf (stderr, "daiban county prove: --store and --township are required / 缺少 --store 或 --township\n");
        return CLI_EXIT_USAGE;
    }
    sqlite3 *db = open_store (store, TRUE);
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    gint64 proven = 0;
    g_autofree char *failed = NULL;
    proof_state (db, township, &proven, &failed);
    AuditHead newest;
    int status = CLI_EXIT_OK;
    if (failed != NULL) {
        printf ("%s: 已标记改写 / REWRITTEN (flagged earlier): %s\n", township, failed);
        sqlite3_close (db);
        return CLI_EXIT_TAMPERED;
    }
    if (!newest_head (db, township, &newest)) {
        fprintf (stderr, "daiban county prove: 尚未保存 %s 的树头 / no head of %s kept yet\n", township, township);
        sqlite3_close (db);
        return CLI_EXIT_REFUSED;
    }
    guint8 first_root[AUDIT_HASH_SIZE] = { 0 };
    if (newest.size <= proven) {
        printf ("%s: 已核验至第 %" G_GINT64_FORMAT " 条 / verified through head %" G_GINT64_FORMAT "\n", township,
                proven, proven);
        sqlite3_close (db);
        return CLI_EXIT_OK;
    }
    if (proven > 0 && !kept_root (db, township, proven, first_root)) {
        fprintf (stderr, "daiban county prove: %s 的已核验树头丢失 / the proven head of %s is missing\n", township,
                 township);
        sqlite3_close (db);
        return CLI_EXIT_CONFIG;
    }
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    g_autoptr (DbnMsgAuditProofReply) reply = NULL;
    if (ctx != NULL) {
        g_autoptr (DbnMsgAuditProof) cmd = dbn_msg_audit_proof_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->has_first = TRUE;
        cmd->first = proven;
        cmd->has_second = TRUE;
        cmd->second = newest.size;
        g_autoptr (GBytes) body = dbn_msg_audit_proof_encode (cmd, &error);
        g_autoptr (GBytes) reply_bytes = body ? cli_call (ctx, "audit", body, 2, &error) : NULL;
        reply = reply_bytes ? dbn_msg_audit_proof_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                                 g_bytes_get_size (reply_bytes), &error)
                            : NULL;
    }
    g_autofree char *problem = NULL;
    if (reply == NULL) {
        /* The township's audit service refused or is away: no verdict, try again later. */
        status = cli_report_error ("county prove", error);
    } else {
        guint n = reply->path ? g_strv_length (reply->path) : 0;
        g_autofree guint8 *flat = g_malloc0 ((gsize) (n + 1) * AUDIT_HASH_SIZE);
        gboolean parsed = TRUE;
        for (guint i = 0; i < n; i++)
            parsed = parsed && audit_unhex (reply->path[i], flat + (gsize) i * AUDIT_HASH_SIZE, AUDIT_HASH_SIZE);
        const guint8 (*path)[AUDIT_HASH_SIZE] = (const guint8 (*)[AUDIT_HASH_SIZE]) flat;
        if (!parsed || reply->first != proven || reply->size != newest.size
            || !audit_verify_consistency (proven, newest.size, first_root, newest.root, path, n))
            problem = g_strdup_printf ("no consistency from head %" G_GINT64_FORMAT " to head %" G_GINT64_FORMAT,
                                       proven, newest.size);
        if (!save_proof (db, township, problem ? proven : newest.size, problem))
            status = CLI_EXIT_CONFIG;
        if (problem) {
            printf ("%s: 改写 / REWRITTEN: %s\n", township, problem);
            status = CLI_EXIT_TAMPERED;
        } else {
            printf ("%s: 已核验至第 %" G_GINT64_FORMAT " 条 / verified through head %" G_GINT64_FORMAT "\n",
                    township, newest.size, newest.size);
        }
    }
    sqlite3_close (db);
    return status;
}

static int
county_status (int argc, char **argv, const char *data_option)
{
    g_autofree char *store = NULL;
    (void) data_option;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 核验状态 / each township's state");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || store == NULL || argc != 1) {
        fprintf (stderr, "daiban county status: --store FILE is required / 缺少 --store\n");
        return CLI_EXIT_USAGE;
    }
    sqlite3 *db = open_store (store, TRUE);
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    sqlite3_stmt *st = NULL;
    int status = CLI_EXIT_OK;
    if (sqlite3_prepare_v2 (db,
                            "SELECT t.township, (SELECT MAX(size) FROM county_head h WHERE h.township = t.township),"
                            " COALESCE(p.proven, 0), p.failed FROM county_township t"
                            " LEFT JOIN county_proof p ON p.township = t.township ORDER BY t.township",
                            -1, &st, NULL)
        == SQLITE_OK) {
        while (sqlite3_step (st) == SQLITE_ROW) {
            const char *failed = (const char *) sqlite3_column_text (st, 3);
            if (failed) {
                printf ("%s\tkept %lld\tREWRITTEN: %s\n", sqlite3_column_text (st, 0),
                        (long long) sqlite3_column_int64 (st, 1), failed);
                status = CLI_EXIT_TAMPERED;
            } else {
                printf ("%s\tkept %lld\tverified through head %lld\n", sqlite3_column_text (st, 0),
                        (long long) sqlite3_column_int64 (st, 1), (long long) sqlite3_column_int64 (st, 2));
            }
        }
    }
    sqlite3_finalize (st);
    sqlite3_close (db);
    return status;
}

int
cli_county (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "keep", county_keep },
        { "check", county_check },
        { "prove", county_prove },
        { "status", county_status },
        { NULL, NULL },
    };
    return cli_run_subcommand ("county", county_usage, subcommands, argc, argv, data_option);
}
