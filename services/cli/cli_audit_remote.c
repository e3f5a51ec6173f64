/* cli_audit_remote.c: `daiban audit case|verify|proof` through the running
 * audit service (cli_audit_remote.h).
 *
 * `audit case` trusts the service no more than a file handed over: it
 * checks the head's signature, recomputes each entry's leaf from the
 * entry's own bytes and checks its inclusion path to the head's root
 * (audit_case_entry_check), and prints ✓ or the reason for each. Compare
 * the printed public key with the committee's copy: a key the service
 * chose proves nothing about who signed. */
#include "cli_audit_remote.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "audit_queries.h"

static GBytes *
call_audit (const char *data, GBytes *body, const char *what, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    GBytes *reply = ctx != NULL && body != NULL ? cli_call (ctx, "audit", body, 3, &error) : NULL;
    if (reply == NULL)
        *status = cli_report_error (what, error);
    return reply;
}

static void
member_string (JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name (b, name);
    json_builder_add_string_value (b, value != NULL ? value : "");
}

static void
member_int (JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name (b, name);
    json_builder_add_int_value (b, value);
}

static void
print_builder (JsonBuilder *b)
{
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree char *text = json_to_string (root, FALSE);
    printf ("%s\n", text);
}

static void
member_head (JsonBuilder *b, const AuditHead *h, const guint8 *key, gboolean signature_ok)
{
    g_autofree char *root = audit_hex (h->root, AUDIT_HASH_SIZE);
    g_autofree char *chain = audit_hex (h->chain, AUDIT_HASH_SIZE);
    g_autofree char *sig = audit_hex (h->signature, AUDIT_SIGNATURE_SIZE);
    g_autofree char *pk = audit_hex (key, AUDIT_PUBLIC_KEY_SIZE);
    g_autofree char *time = cli_format_time (h->time_ms);
    json_builder_set_member_name (b, "head");
    json_builder_begin_object (b);
    member_int (b, "size", h->size);
    member_int (b, "time_ms", h->time_ms);
    member_string (b, "time", time);
    member_string (b, "root", root);
    member_string (b, "chain", chain);
    member_string (b, "signature", sig);
    member_string (b, "public_key", pk);
    json_builder_set_member_name (b, "signature_ok");
    json_builder_add_boolean_value (b, signature_ok);
    json_builder_end_object (b);
}

int
cli_audit_case (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("NUMBER — 案件完整记录 / a case's whole record");
    g_option_context_set_description (
        options, "Every entry of the case in the audit record, oldest first: index, producer\n"
                 "and seq, type, time, actor and the event (masked as journaled), each with its\n"
                 "inclusion proof against the newest signed head. The proofs are checked here:\n"
                 "✓ when the entry's bytes hash to a leaf that the path leads to the head's root\n"
                 "and the head's signature holds. Compare the printed key with the committee's.");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "audit case"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban audit case: give the case number / 需要案件编号\n");
        return CLI_EXIT_USAGE;
    }
    /* Every page; the first page's head is the one all paths lead to
     * (a later page's entries carry paths against its own newest head,
     * so a head signed in between is caught by comparing them). */
    g_autoptr (DbnMsgAuditCaseReply) reply = NULL;
    int status = CLI_EXIT_OK;
    g_autoptr (GError) error = NULL;
    guint restarts = 0;
    for (gint64 after = -1;;) {
        g_autoptr (DbnMsgAuditCase) cmd = dbn_msg_audit_case_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->case_no = g_strdup (argv[1]);
        cmd->has_after = after >= 0;
        cmd->after = after;
        g_autoptr (GBytes) body = dbn_msg_audit_case_encode (cmd, NULL);
        g_autoptr (GBytes) reply_bytes = call_audit (data, body, "audit case", &status);
        if (reply_bytes == NULL)
            return status;
        g_autoptr (DbnMsgAuditCaseReply) page = dbn_msg_audit_case_reply_decode (
            g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
        if (page == NULL)
            return cli_report_error ("audit case", error);
        gboolean more = page->more && page->entries->len > 0;
        if (reply == NULL) {
            reply = g_steal_pointer (&page);
        } else {
            gboolean same_head = (reply->head == NULL) == (page->head == NULL)
                                 && (reply->head == NULL || g_bytes_equal (reply->head, page->head));
            if (!same_head) {
                /* A head was signed between two pages: start again. */
                g_clear_pointer (&reply, dbn_msg_audit_case_reply_free);
                if (++restarts > 5) {
                    fprintf (stderr, "daiban audit case: the record kept getting new heads between pages;"
                                     " try again / 记录持续签发新树头，请重试\n");
                    return CLI_EXIT_UNREACHABLE;
                }
                after = -1;
                continue;
            }
            for (guint i = 0; i < page->entries->len; i++)
                g_ptr_array_add (reply->entries, g_bytes_ref (page->entries->pdata[i]));
        }
        if (!more)
            break;
        GBytes *last = reply->entries->pdata[reply->entries->len - 1];
        g_autoptr (DbnMsgAuditCaseEntry) e =
            dbn_msg_audit_case_entry_decode (g_bytes_get_data (last, NULL), g_bytes_get_size (last), &error);
        if (e == NULL)
            return cli_report_error ("audit case", error);
        after = e->index;
    }
    AuditHead head = { 0 };
    guint8 key[AUDIT_PUBLIC_KEY_SIZE] = { 0 };
    gboolean has_head = reply->head != NULL;
    if (has_head && !audit_head_from_record (reply->head, &head, key, &error))
        return cli_report_error ("audit case", error);
    gboolean signature_ok = has_head && audit_head_check_signature (&head, key);
    guint good = 0, unsigned_entries = 0;
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    member_string (b, "case", reply->case_no);
    member_int (b, "record_size", reply->size);
    if (has_head)
        member_head (b, &head, key, signature_ok);
    json_builder_set_member_name (b, "entries");
    json_builder_begin_array (b);
    if (!json) {
        printf ("案件 %s 的审计记录 / audit record of case %s: %u 条 entries\n", reply->case_no,
                reply->case_no, reply->entries->len);
        if (has_head) {
            g_autofree char *time = cli_format_time (head.time_ms);
            g_autofree char *root = audit_hex (head.root, AUDIT_HASH_SIZE);
            g_autofree char *pk = audit_hex (key, AUDIT_PUBLIC_KEY_SIZE);
            printf ("树头 head %" G_GINT64_FORMAT " (%s) root %s\n  key %s  签名 signature %s\n", head.size,
                    time, root, pk, signature_ok ? "✓" : "✗ 无效 INVALID");
        } else {
            printf ("尚无签名树头 / no signed head yet\n");
        }
    }
    for (guint i = 0; i < reply->entries->len; i++) {
        GBytes *item = reply->entries->pdata[i];
        g_autoptr (DbnMsgAuditCaseEntry) e =
            dbn_msg_audit_case_entry_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), &error);
        if (e == NULL)
            return cli_report_error ("audit case", error);
        g_autofree char *why = NULL;
        /* An entry after the newest head is not signed yet: nothing to
         * check it against, which is no failure (the next head covers it). */
        gboolean pending = !has_head || e->index >= head.size;
        gboolean included = !pending && signature_ok && audit_case_entry_check (e, &head, has_head, &why);
        if (pending && why == NULL)
            why = g_strdup ("not signed yet");
        else if (!signature_ok && why == NULL)
            why = g_strdup ("the head's signature does not verify");
        good += included;
        unsigned_entries += pending;
        json_builder_begin_object (b);
        member_int (b, "index", e->index);
        member_string (b, "producer", e->producer);
        member_int (b, "seq", e->event_seq);
        member_string (b, "type", e->type);
        member_int (b, "time_ms", e->time);
        member_string (b, "actor", e->actor);
        member_string (b, "leaf", e->leaf);
        json_builder_set_member_name (b, "included");
        json_builder_add_boolean_value (b, included);
        json_builder_set_member_name (b, "signed");
        json_builder_add_boolean_value (b, !pending);
        if (!included)
            member_string (b, "problem", why);
        json_builder_set_member_name (b, "path");
        json_builder_begin_array (b);
        for (char **p = e->path; p != NULL && *p != NULL; p++)
            json_builder_add_string_value (b, *p);
        json_builder_end_array (b);
        json_builder_set_member_name (b, "event");
        g_autoptr (JsonNode) event = json_from_string (e->event, NULL);
        if (event != NULL)
            json_builder_add_value (b, g_steal_pointer (&event));
        else
            json_builder_add_string_value (b, e->event);
        json_builder_end_object (b);
        if (!json) {
            g_autofree char *time = cli_format_time (e->time);
            g_autofree char *mark = included  ? g_strdup_printf ("✓ 已包含于树头 %" G_GINT64_FORMAT
                                                                 " / included in head %" G_GINT64_FORMAT,
                                                                 head.size, head.size)
                                    : pending ? g_strdup ("… 尚未签名 / not signed yet")
                                              : g_strdup_printf ("✗ %s", why);
            printf ("#%-7" G_GINT64_FORMAT " %s  %-10s %-6" G_GINT64_FORMAT " %-28s %-24s %s\n", e->index,
                    time, e->producer, e->event_seq, e->type, *e->actor ? e->actor : "-", mark);
            printf ("         leaf %s\n", e->leaf);
        }
    }
    json_builder_end_array (b);
    member_int (b, "included", good);
    member_int (b, "unsigned", unsigned_entries);
    json_builder_end_object (b);
    if (json)
        print_builder (b);
    else
        printf ("%u / %u 条已核验包含，%u 条尚未签名 / entries verified included, %u not signed yet\n", good,
                reply->entries->len, unsigned_entries, unsigned_entries);
    /* 5 only for an entry that fails its check, never for one not signed yet. */
    return good + unsigned_entries == reply->entries->len ? CLI_EXIT_OK : CLI_EXIT_TAMPERED;
}

int
cli_audit_verify_remote (const char *data, const AuditHead *kept, const guint8 *kept_key, gboolean json)
{
    g_autoptr (DbnMsgAuditVerify) cmd = dbn_msg_audit_verify_new ();
    cmd->env.key = g_uuid_string_random ();
    g_autoptr (GError) error = NULL;
    if (kept != NULL && (cmd->kept = audit_head_record_encode (kept, kept_key, &error)) == NULL)
        return cli_report_error ("audit verify", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) body = dbn_msg_audit_verify_encode (cmd, NULL);
    g_autoptr (GBytes) reply_bytes = call_audit (data, body, "audit verify", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgAuditVerifyReply) reply = dbn_msg_audit_verify_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("audit verify", error);
    /* The service's verdict in the offline form's shape, printed alike. */
    AuditVerifyReport r = { .problem = AUDIT_VERIFY_OK, .index = reply->index };
    if (!reply->verified) {
        r.problem = AUDIT_VERIFY_NO_KEY;
        for (int p = AUDIT_VERIFY_OK; p <= AUDIT_VERIFY_NO_KEY; p++)
            if (g_strcmp0 (audit_verify_problem_name (p), reply->problem) == 0)
                r.problem = p;
        r.detail = reply->detail;
        r.detail_zh = reply->detail_zh;
    }
    r.entries = reply->entries;
    r.heads = reply->heads;
    r.kept_checked = reply->kept_checked;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    r.has_head = reply->head != NULL && audit_head_from_record (reply->head, &r.head, key, &error);
    if (reply->head != NULL && !r.has_head)
        return cli_report_error ("audit verify", error);
    /* r borrows the reply's texts: nothing to clear. */
    return cli_audit_print_verify (&r, reply->elapsed_ms * 1000, json);
}

static void
add_path (JsonBuilder *b, char **path)
{
    json_builder_set_member_name (b, "path");
    json_builder_begin_array (b);
    for (char **p = path; p != NULL && *p != NULL; p++)
        json_builder_add_string_value (b, *p);
    json_builder_end_array (b);
}

int
cli_audit_proof_remote (const char *data, gint64 index, gint64 size, gint64 first, gint64 second)
{
    g_autoptr (DbnMsgAuditProof) cmd = dbn_msg_audit_proof_new ();
    cmd->env.key = g_uuid_string_random ();
    if (index >= 0) {
        cmd->has_index = TRUE;
        cmd->index = index;
        cmd->has_size = size >= 0;
        cmd->size = size;
    } else {
        cmd->has_first = TRUE;
        cmd->first = first;
        cmd->has_second = second >= 0;
        cmd->second = second;
    }
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) body = dbn_msg_audit_proof_encode (cmd, NULL);
    g_autoptr (GBytes) reply_bytes = call_audit (data, body, "audit proof", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgAuditProofReply) reply = dbn_msg_audit_proof_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("audit proof", error);
    /* The offline form's JSON (docs/audit.md), with the heads it ends in. */
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    if (g_strcmp0 (reply->kind, "inclusion") == 0) {
        gsize len = 0;
        const guint8 *bytes = reply->entry ? g_bytes_get_data (reply->entry, &len) : NULL;
        g_autofree char *entry_hex = audit_hex (bytes, len);
        member_string (b, "format", "daiban-audit-inclusion-1");
        member_int (b, "index", reply->index);
        member_int (b, "size", reply->size);
        member_string (b, "entry", entry_hex);
        member_string (b, "leaf_hash", reply->leaf);
    } else {
        member_string (b, "format", "daiban-audit-consistency-1");
        member_int (b, "first", reply->first);
        member_int (b, "second", reply->size);
    }
    add_path (b, reply->path);
    json_builder_set_member_name (b, "heads");
    json_builder_begin_array (b);
    for (guint i = 0; i < reply->heads->len; i++) {
        AuditHead h;
        guint8 key[AUDIT_PUBLIC_KEY_SIZE];
        if (!audit_head_from_record (reply->heads->pdata[i], &h, key, &error))
            return cli_report_error ("audit proof", error);
        g_autofree char *text = audit_head_to_json (&h, key);
        g_autoptr (JsonNode) node = json_from_string (text, NULL);
        if (node != NULL)
            json_builder_add_value (b, g_steal_pointer (&node));
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_builder (b);
    return CLI_EXIT_OK;
}
