/* cli_audit.c: `daiban audit verify|head|proof` on a copy of the record,
 * with no service running (issue 14: a committee member verifies a file
 * handed to them). services/audit/ does the work; this file reads options
 * and prints, in Chinese and English or as JSON.
 *
 * `verify` exits 0 when the record checks out, CLI_EXIT_TAMPERED when it
 * does not (the first bad index is printed), and 2 or 4 for bad options or
 * a file that is not a record. Without --db, verify and proof ask the
 * running audit service (cli_audit_remote.c), and `audit case` reads a
 * case's record from it.
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <zmq.h>

#include "audit_log.h"
#include "audit_verify.h"
#include "cli_audit_remote.h"
#include "cli_audit_checks.h"
#include "cli_audit_summary.h"
#include "cli_common.h"

static const char audit_usage[] =
    "用法 Usage: daiban audit COMMAND [--db FILE] [OPTIONS]\n"
    "  verify   核验审计记录 / recompute every entry, the tree, the chain and every signed head\n"
    "           (--db FILE: a copy, offline; without: the running audit service verifies its own)\n"
    "  head     输出签名树头文件 / print a signed tree head (the newest, or --size N) as a head file\n"
    "  proof    包含证明或一致性证明 / an inclusion (--index) or consistency (--first) proof as JSON\n"
    "           (from --db FILE, or from the running service)\n"
    "  case     案件完整记录 / a case's whole record with inclusion proofs, checked here (service)\n"
    "  feed     审计动态 / the committee's feed from the running audit service (--since N, --follow)\n"
    "  spot-check  抽查 / draw a week's cases (--draw YYYY-Www) or record a finding on a case\n"
    "  findings    抽查结论 / the findings of a month (--month YYYY-MM [--window ID])\n"
    "  summary     当日汇总 / list a day's window summaries, or sign one as the duty leader (list|sign)\n"
    "The formats are in docs/audit.md. Each takes --help.\n";

static gboolean
parse (GOptionContext *options, GOptionEntry *entries, char **data, int *argc, char ***argv, const char *name)
{
    g_autoptr (GError) error = NULL;
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, data);
    if (!g_option_context_parse (options, argc, argv, &error)) {
        fprintf (stderr, "daiban audit %s: %s\n", name, error->message);
        return FALSE;
    }
    if (*argc != 1) {
        fprintf (stderr, "daiban audit %s: unexpected argument '%s' / 多余的参数\n", name, (*argv)[1]);
        return FALSE;
    }
    return TRUE;
}

static gboolean
need_db (const char *db, const char *name)
{
    if (db != NULL)
        return TRUE;
    fprintf (stderr,
             "daiban audit %s: give --db FILE (a copy of audit.db); from the running service,"
             " `audit verify --json` gives the newest good head / 请用 --db 指定审计库文件\n",
             name);
    return FALSE;
}

static int
report_audit_error (const char *what, const GError *error)
{
    fprintf (stderr, "daiban: 错误 %s: %s / error\n", what, error->message);
    return error->domain == AUDIT_ERROR && error->code == AUDIT_ERROR_RANGE ? CLI_EXIT_USAGE
                                                                            : CLI_EXIT_CONFIG;
}

static gboolean
load_head_file (const char *path, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE], GError **error)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents (path, &text, NULL, error))
        return FALSE;
    if (!audit_head_from_json (text, head, key, error)) {
        g_prefix_error (error, "%s: ", path);
        return FALSE;
    }
    return TRUE;
}

static void
add_head_members (JsonBuilder *b, const AuditHead *h)
{
    g_autofree char *root = audit_hex (h->root, AUDIT_HASH_SIZE);
    g_autofree char *time = cli_format_time (h->time_ms);
    json_builder_set_member_name (b, "size");
    json_builder_add_int_value (b, h->size);
    json_builder_set_member_name (b, "time_ms");
    json_builder_add_int_value (b, h->time_ms);
    json_builder_set_member_name (b, "time");
    json_builder_add_string_value (b, time);
    json_builder_set_member_name (b, "root");
    json_builder_add_string_value (b, root);
}

static void
print_json (JsonBuilder *b)
{
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree char *text = json_to_string (root, FALSE);
    printf ("%s\n", text);
}

/* The verdict of a verification, offline or the service's, as text or JSON. */
int
cli_audit_print_verify (const AuditVerifyReport *r, gint64 elapsed_us, gboolean json)
{
    gboolean ok = r->problem == AUDIT_VERIFY_OK;
    gint64 unsigned_entries = r->entries - (r->has_head ? r->head.size : 0);
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "ok");
        json_builder_add_boolean_value (b, ok);
        json_builder_set_member_name (b, "entries");
        json_builder_add_int_value (b, r->entries);
        json_builder_set_member_name (b, "heads");
        json_builder_add_int_value (b, r->heads);
        json_builder_set_member_name (b, "verified_size");
        json_builder_add_int_value (b, r->has_head ? r->head.size : 0);
        if (r->has_head) {
            json_builder_set_member_name (b, "head");
            json_builder_begin_object (b);
            add_head_members (b, &r->head);
            json_builder_end_object (b);
        }
        json_builder_set_member_name (b, "kept_head_checked");
        json_builder_add_boolean_value (b, r->kept_checked);
        if (ok) {
            json_builder_set_member_name (b, "unsigned_entries");
            json_builder_add_int_value (b, unsigned_entries);
        } else {
            json_builder_set_member_name (b, "problem");
            json_builder_add_string_value (b, audit_verify_problem_name (r->problem));
            json_builder_set_member_name (b, "index");
            json_builder_add_int_value (b, r->index);
            json_builder_set_member_name (b, "detail");
            json_builder_add_string_value (b, r->detail);
            json_builder_set_member_name (b, "detail_zh");
            json_builder_add_string_value (b, r->detail_zh);
        }
        if (r->changed != NULL) {
            json_builder_set_member_name (b, "changed");
            json_builder_begin_array (b);
            for (guint k = 0; k < r->changed->len; k++)
                json_builder_add_int_value (b, g_array_index (r->changed, gint64, k));
            json_builder_end_array (b);
        }
        json_builder_set_member_name (b, "elapsed_ms");
        json_builder_add_int_value (b, elapsed_us / 1000);
        json_builder_end_object (b);
        print_json (b);
    } else if (ok && r->has_head) {
        g_autofree char *time = cli_format_time (r->head.time_ms);
        printf ("核验通过：至第 %" G_GINT64_FORMAT
                " 条，树头签于 %s / verified through entry %" G_GINT64_FORMAT ", head signed at %s\n",
                r->head.size, time, r->head.size, time);
        printf ("  %" G_GINT64_FORMAT " 条、%" G_GINT64_FORMAT " 个签名树头 / entries %" G_GINT64_FORMAT
                ", signed heads %" G_GINT64_FORMAT "%s\n",
                r->entries, r->heads, r->entries, r->heads,
                r->kept_checked ? "; 与留存树头一致 consistent with the kept head" : "");
        if (unsigned_entries > 0)
            printf ("  其后 %" G_GINT64_FORMAT " 条尚未签名 / %" G_GINT64_FORMAT
                    " entries after it not signed yet\n",
                    unsigned_entries, unsigned_entries);
    } else if (ok) {
        printf ("尚无签名树头：%" G_GINT64_FORMAT
                " 条已重算，无从核对 / no signed head yet: %" G_GINT64_FORMAT
                " entries recomputed, nothing signed to check them against\n",
                r->entries, r->entries);
    } else {
        printf ("核验失败 verification FAILED");
        if (r->index >= 0)
            printf (" at index %" G_GINT64_FORMAT " (第 %" G_GINT64_FORMAT " 条起)", r->index, r->index);
        printf (": %s / %s\n", r->detail_zh, r->detail);
        if (r->changed != NULL && r->changed->len > 0) {
            printf ("  内容被改动的条目 entries whose bytes were changed (%u):", r->changed->len);
            for (guint k = 0; k < r->changed->len && k < 50; k++)
                printf (" %" G_GINT64_FORMAT, g_array_index (r->changed, gint64, k));
            printf ("%s\n", r->changed->len > 50 ? " ..." : "");
        }
        if (r->has_head) {
            g_autofree char *time = cli_format_time (r->head.time_ms);
            printf ("  此前可信：至第 %" G_GINT64_FORMAT
                    " 条（树头签于 %s）/ good up to entry %" G_GINT64_FORMAT " (head signed at %s)\n",
                    r->head.size, time, r->head.size, time);
        }
    }
    return ok ? CLI_EXIT_OK : CLI_EXIT_TAMPERED;
}

static int
audit_verify (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *db = NULL, *from_head = NULL;
    gboolean json = FALSE, each = FALSE;
    GOptionEntry entries[] = {
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The record's SQLite file (a copy is fine)", "FILE" },
        { "each", 0, 0, G_OPTION_ARG_NONE, &each,
          "List every entry whose bytes were changed, not only the first", NULL },
        { "from-head", 0, 0, G_OPTION_ARG_FILENAME, &from_head, "A head file kept elsewhere to check against",
          "FILE" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 离线核验审计记录 / verify the record offline");
    g_option_context_set_description (
        options, "Reads FILE read-only. Recomputes every entry's leaf hash from its stored\n"
                 "bytes, the hash chain and the Merkle tree; checks every signed head's root,\n"
                 "chain and Ed25519 signature; and, with --from-head, that the record still\n"
                 "extends a head kept elsewhere (a rewrite signed again with the real key\n"
                 "fails here). Prints the first bad index and what is wrong there, or\n"
                 "\"verified through entry N, head signed at T\". --each carries on past\n"
                 "entries whose bytes were changed and lists them all. Exit 0: verified; 5: not.");
    if (!parse (options, entries, &data, &argc, &argv, "verify"))
        return CLI_EXIT_USAGE;
    g_autoptr (GError) error = NULL;
    AuditHead kept;
    guint8 kept_key[AUDIT_PUBLIC_KEY_SIZE];
    if (from_head != NULL && !load_head_file (from_head, &kept, kept_key, &error))
        return report_audit_error ("audit verify --from-head", error);
    if (db == NULL) {
        if (each) {
            fprintf (stderr, "daiban audit verify: --each needs --db FILE / --each 仅用于离线核验\n");
            return CLI_EXIT_USAGE;
        }
        return cli_audit_verify_remote (data, from_head != NULL ? &kept : NULL, kept_key, json);
    }
    AuditVerifyReport r;
    gint64 start = g_get_monotonic_time ();
    if (!audit_verify_file_full (db, from_head != NULL ? &kept : NULL, from_head != NULL ? kept_key : NULL,
                                 each ? AUDIT_VERIFY_EACH_ENTRY : AUDIT_VERIFY_FLAGS_NONE, &r, &error))
        return report_audit_error ("audit verify", error);
    gint64 elapsed_us = g_get_monotonic_time () - start;
    int status = cli_audit_print_verify (&r, elapsed_us, json);
    audit_verify_report_clear (&r);
    return status;
}

static int
audit_head (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *db = NULL;
    gint64 size = -1;
    GOptionEntry entries[] = {
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The record's SQLite file", "FILE" },
        { "size", 0, 0, G_OPTION_ARG_INT64, &size, "The head signed at this size (default: the newest)",
          "N" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 输出签名树头 / print a signed tree head");
    g_option_context_set_description (
        options, "Prints the head as a head file (docs/audit.md): keep it anywhere, and\n"
                 "check a later copy of the record against it with `audit verify --from-head`.");
    if (!parse (options, entries, &data, &argc, &argv, "head") || !need_db (db, "head"))
        return CLI_EXIT_USAGE;
    g_autoptr (GError) error = NULL;
    g_autoptr (AuditLog) log = audit_log_open_readonly (db, &error);
    if (log == NULL)
        return report_audit_error ("audit head", error);
    AuditHead h;
    if (size >= 0) {
        if (!audit_log_get_head (log, size, &h, &error))
            return report_audit_error ("audit head", error);
    } else if (!audit_log_get_last_head (log, &h)) {
        fprintf (stderr, "daiban audit head: no head signed yet / 尚无签名树头\n");
        return CLI_EXIT_REFUSED;
    }
    g_autofree char *text = audit_head_to_json (&h, audit_log_get_public_key (log));
    fputs (text, stdout);
    return CLI_EXIT_OK;
}

static void
add_path (JsonBuilder *b, GByteArray *path)
{
    json_builder_set_member_name (b, "path");
    json_builder_begin_array (b);
    for (guint i = 0; i + AUDIT_HASH_SIZE <= path->len; i += AUDIT_HASH_SIZE) {
        g_autofree char *hex = audit_hex (path->data + i, AUDIT_HASH_SIZE);
        json_builder_add_string_value (b, hex);
    }
    json_builder_end_array (b);
}

static int
audit_proof (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *db = NULL;
    gint64 index = -1, size = -1, first = -1, second = -1;
    GOptionEntry entries[] = {
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The record's SQLite file", "FILE" },
        { "index", 0, 0, G_OPTION_ARG_INT64, &index, "Inclusion proof of this entry (0-based)", "I" },
        { "size", 0, 0, G_OPTION_ARG_INT64, &size,
          "... in the tree of this size (default: the newest head's)", "N" },
        { "first", 0, 0, G_OPTION_ARG_INT64, &first, "Consistency proof from this size", "M" },
        { "second", 0, 0, G_OPTION_ARG_INT64, &second, "... to this one (default: the newest head's)", "N" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 包含证明或一致性证明 / a proof");
    g_option_context_set_description (
        options, "--index I [--size N]: the entry's bytes and RFC 9162 inclusion path.\n"
                 "--first M [--second N]: the RFC 9162 consistency path from size M to N.\n"
                 "Check a proof against the roots of signed heads (`audit head --size`),\n"
                 "never against roots the proof's sender chose (docs/audit.md).");
    if (!parse (options, entries, &data, &argc, &argv, "proof"))
        return CLI_EXIT_USAGE;
    if ((index >= 0) == (first >= 0)) {
        fprintf (stderr, "daiban audit proof: give --index or --first / 请给出 --index 或 --first\n");
        return CLI_EXIT_USAGE;
    }
    if (db == NULL)
        return cli_audit_proof_remote (data, index, size, first, second);
    g_autoptr (GError) error = NULL;
    g_autoptr (AuditLog) log = audit_log_open_readonly (db, &error);
    if (log == NULL)
        return report_audit_error ("audit proof", error);
    AuditHead last;
    gint64 newest = audit_log_get_last_head (log, &last) ? last.size : audit_log_get_size (log);
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (GByteArray) path = NULL;
    json_builder_begin_object (b);
    if (index >= 0) {
        if (size < 0)
            size = newest;
        g_autoptr (GBytes) entry = NULL;
        guint8 leaf[AUDIT_HASH_SIZE];
        if (!audit_log_inclusion_proof (log, index, size, &path, &error)
            || !audit_log_dup_entry (log, index, &entry, leaf, &error))
            return report_audit_error ("audit proof", error);
        gsize len;
        const guint8 *bytes = g_bytes_get_data (entry, &len);
        g_autofree char *entry_hex = audit_hex (bytes, len);
        g_autofree char *leaf_hex = audit_hex (leaf, AUDIT_HASH_SIZE);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "daiban-audit-inclusion-1");
        json_builder_set_member_name (b, "index");
        json_builder_add_int_value (b, index);
        json_builder_set_member_name (b, "size");
        json_builder_add_int_value (b, size);
        json_builder_set_member_name (b, "entry");
        json_builder_add_string_value (b, entry_hex);
        json_builder_set_member_name (b, "leaf_hash");
        json_builder_add_string_value (b, leaf_hex);
    } else {
        if (second < 0)
            second = newest;
        if (!audit_log_consistency_proof (log, first, second, &path, &error))
            return report_audit_error ("audit proof", error);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "daiban-audit-consistency-1");
        json_builder_set_member_name (b, "first");
        json_builder_add_int_value (b, first);
        json_builder_set_member_name (b, "second");
        json_builder_add_int_value (b, second);
    }
    add_path (b, path);
    json_builder_end_object (b);
    print_json (b);
    return CLI_EXIT_OK;
}

/* ---- the feed, from the running service (D-AUD-2) ---- */

/* One line per event of the audit topic: entries, heads and violations. */
static void
print_feed_event (GBytes *ev, gboolean json)
{
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data (ev, &len);
    g_autoptr (GError) error = NULL;
    if (json) {
        g_autofree char *text = dbn_codec_to_json (bytes, len, &error);
        if (text != NULL)
            printf ("%s\n", text);
        return;
    }
    DbnEnvEvent env = { 0 };
    if (!dbn_env_event_decode (bytes, len, &env, NULL))
        return;
    g_autofree char *when = cli_format_time (env.ts);
    g_autofree char *what = NULL;
    if (g_strcmp0 (env.type, DBN_MSG_AUDIT_ENTRY_WIRE) == 0) {
        g_autoptr (DbnMsgAuditEntry) m = dbn_msg_audit_entry_decode (bytes, len, NULL);
        if (m != NULL)
            what = g_strdup_printf ("#%" G_GINT64_FORMAT " %s/%" G_GINT64_FORMAT " %s", m->index, m->producer,
                                    m->event_seq, m->event_type);
    } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_VIOLATION_WIRE) == 0) {
        g_autoptr (DbnMsgAuditViolation) m = dbn_msg_audit_violation_decode (bytes, len, NULL);
        if (m != NULL)
            what = g_strdup_printf ("违规 VIOLATION %s %s %s (#%" G_GINT64_FORMAT ")%s%s", m->rule, m->kind,
                                    m->person, m->index, m->detail ? " " : "", m->detail ? m->detail : "");
    } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_FINDING_WIRE) == 0) {
        g_autoptr (DbnMsgAuditFinding) m = dbn_msg_audit_finding_decode (bytes, len, NULL);
        if (m != NULL)
            what = g_strdup_printf ("抽查 FINDING %s %s %s", m->finding, env.actor, m->text);
    } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_HEAD_WIRE) == 0) {
        g_autoptr (DbnMsgAuditHead) m = dbn_msg_audit_head_decode (bytes, len, NULL);
        if (m != NULL)
            what = g_strdup_printf ("size %" G_GINT64_FORMAT " root %s", m->size, m->root);
    }
    printf ("%-8" G_GINT64_FORMAT " %s  %-16s %-18s %s\n", env.seq, when, env.type,
            env.case_no ? env.case_no : "-", what ? what : env.actor);
    dbn_env_event_clear (&env);
}

/* The audit service's journal after *after on its topic, through sys.sync
 * (scoped: a committee key gets exactly the audit topic). */
static gboolean
feed_catch_up (CliContext *ctx, gint64 *after, gboolean json, GError **error)
{
    for (;;) {
        g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->after = *after;
        cmd->topic = g_strdup ("audit/");
        g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, error);
        g_autoptr (DbnMsgSysSyncReply) reply =
            cli_ask (ctx, "audit", body, 2, (CliDecodeFunc) dbn_msg_sys_sync_reply_decode, error);
        if (reply == NULL)
            return FALSE;
        for (guint i = 0; i < reply->events->len; i++)
            print_feed_event (g_ptr_array_index (reply->events, i), json);
        fflush (stdout);
        *after = reply->through;
        if (reply->through >= reply->newest)
            return TRUE;
    }
}

static int
audit_feed (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gint64 since = 0;
    gboolean follow = FALSE, json = FALSE;
    GOptionEntry entries[] = {
        { "since", 0, 0, G_OPTION_ARG_INT64, &since, "Events with seq greater than N (default 0: all)", "N" },
        { "follow", 0, 0, G_OPTION_ARG_NONE, &follow, "Stay and print events as they come", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line (JSON Lines)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 审计动态 / the committee's feed");
    g_option_context_set_description (
        options, "The audit service's events on audit/: one audit.entry per event of every service\n"
                 "(a summary, no personal data), audit.head per signed head and audit.violation\n"
                 "(D-AUD-2). Catches up through sys.sync from --since; --follow then stays live.");
    if (!parse (options, entries, &data, &argc, &argv, "feed") || since < 0)
        return CLI_EXIT_USAGE;
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("audit feed", error);
    void *sub = NULL;
    if (follow) {
        /* Subscribed before catching up, so nothing falls between the two;
         * what both bring is printed once (by seq). */
        sub = dbn_bus_socket_new (ctx->bus, ZMQ_SUB, &error);
        if (sub == NULL || zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "audit/", 6) != 0
            || !dbn_bus_connect (ctx->bus, sub, dbn_config_get_publish_endpoint (ctx->config, "audit"),
                                 &error)) {
            if (sub != NULL)
                zmq_close (sub);
            return cli_report_error ("audit feed", error);
        }
    }
    gint64 after = since;
    if (!feed_catch_up (ctx, &after, json, &error)) {
        if (sub != NULL)
            zmq_close (sub);
        return cli_report_error ("audit feed", error);
    }
    while (sub != NULL) {
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&topic, sub, 0) < 0) {
            zmq_msg_close (&topic);
            break; /* interrupted */
        }
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, sub, 0);
        DbnEnvEvent env = { 0 };
        if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
            if (env.seq > after + 1) {
                /* Missed some (a slow reader): fetch them in order first. */
                if (!feed_catch_up (ctx, &after, json, &error)) {
                    dbn_env_event_clear (&env);
                    zmq_msg_close (&topic);
                    zmq_msg_close (&body);
                    zmq_close (sub);
                    return cli_report_error ("audit feed", error);
                }
            } else if (env.seq == after + 1) {
                g_autoptr (GBytes) ev = g_bytes_new (zmq_msg_data (&body), zmq_msg_size (&body));
                print_feed_event (ev, json);
                fflush (stdout);
                after = env.seq;
            }
        }
        dbn_env_event_clear (&env);
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    if (sub != NULL)
        zmq_close (sub);
    return CLI_EXIT_OK;
}

int
cli_audit (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand table[] = {
        { "verify", audit_verify },
        { "head", audit_head },
        { "proof", audit_proof },
        { "feed", audit_feed },
        { "case", cli_audit_case },
        { "spot-check", cli_audit_spot_check },
        { "findings", cli_audit_findings },
        { "summary", cli_audit_summary },
        { NULL, NULL },
    };
    return cli_run_subcommand ("audit", audit_usage, table, argc, argv, data_option);
}
