/* cli_audit_summary.c: `daiban audit summary list [--day D]` and `daiban
 * audit summary sign --window W --day D` (issue 14 items 7 and 9, D-AUD-6),
 * through the running audit service (audit_summary.h). The duty leader acts
 * with its key (--key-file DIR/keys/leader-ID.secret) and signs with the
 * Ed25519 key beside it (leader-ID.sign, or --sign-key FILE): the CLI
 * fetches the draft, rebuilds its signed bytes (dbn_day_summary.h) and
 * sends only the signature, so the service checks exactly what was signed. */
#include "cli_audit_summary.h"

#include <daiban/dbn_day_summary.h>
#include <daiban/dbn_sign_key.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"

static const char summary_usage[] =
    "用法 Usage: daiban audit summary list|sign [OPTIONS]\n"
    "  list   当日汇总 / a day's window summaries and their signatures (--day YYYY-MM-DD)\n"
    "  sign   值班领导签字 / sign a window's summary (--window W --day D, as leader:ID)\n";

/* audit.summary.list for day (NULL: the newest drafted). */
static DbnMsgAuditSummaryListReply *
fetch (CliContext *ctx, const char *day, GError **error)
{
    g_autoptr (DbnMsgAuditSummaryList) m = dbn_msg_audit_summary_list_new ();
    m->env.key = g_uuid_string_random ();
    m->day = g_strdup (day);
    g_autoptr (GBytes) body = dbn_msg_audit_summary_list_encode (m, error);
    g_autoptr (GBytes) reply = body != NULL ? cli_call (ctx, "audit", body, 2, error) : NULL;
    if (reply == NULL)
        return NULL;
    return dbn_msg_audit_summary_list_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                    error);
}

static DbnMsgAuditSummarySigned *
signature_of (DbnMsgAuditSummaryListReply *r, const char *window)
{
    for (guint i = 0; i < r->signatures->len; i++) {
        GBytes *b = r->signatures->pdata[i];
        DbnMsgAuditSummarySigned *s =
            dbn_msg_audit_summary_signed_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (s != NULL && g_strcmp0 (s->window, window) == 0)
            return s;
        g_clear_pointer (&s, dbn_msg_audit_summary_signed_free);
    }
    return NULL;
}

static void
print_json (DbnMsgAuditSummaryListReply *r)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "day");
    json_builder_add_string_value (b, r->day);
    json_builder_set_member_name (b, "summaries");
    json_builder_begin_array (b);
    for (guint i = 0; i < r->summaries->len; i++) {
        GBytes *e = r->summaries->pdata[i];
        g_autoptr (DbnMsgAuditSummary) m =
            dbn_msg_audit_summary_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), NULL);
        if (m == NULL)
            continue;
        g_autoptr (DbnMsgAuditSummarySigned) s = signature_of (r, m->window);
        g_autoptr (GBytes) bytes = dbn_day_summary_signed_bytes (m);
        g_autofree char *hex = g_malloc (2 * g_bytes_get_size (bytes) + 1);
        sodium_bin2hex (hex, 2 * g_bytes_get_size (bytes) + 1, g_bytes_get_data (bytes, NULL),
                        g_bytes_get_size (bytes));
        json_builder_begin_object (b);
        const struct {
            const char *name;
            gint64 value;
        } ints[] = {
            { "drafted_ms", m->env.ts },
            { "through", m->through },
            { "accepted", m->accepted },
            { "completed", m->completed },
            { "overdue", m->overdue },
            { "violations", m->violations },
            { "rated_satisfied", m->rated_satisfied },
            { "rated_basic", m->rated_basic },
            { "rated_unsatisfied", m->rated_unsatisfied },
        };
        json_builder_set_member_name (b, "window");
        json_builder_add_string_value (b, m->window);
        json_builder_set_member_name (b, "day");
        json_builder_add_string_value (b, m->day);
        for (gsize k = 0; k < G_N_ELEMENTS (ints); k++) {
            json_builder_set_member_name (b, ints[k].name);
            json_builder_add_int_value (b, ints[k].value);
        }
        json_builder_set_member_name (b, "signed_bytes");
        json_builder_add_string_value (b, hex);
        json_builder_set_member_name (b, "signed");
        json_builder_add_boolean_value (b, s != NULL);
        if (s != NULL) {
            json_builder_set_member_name (b, "leader");
            json_builder_add_string_value (b, s->leader);
            json_builder_set_member_name (b, "signed_ms");
            json_builder_add_int_value (b, s->env.ts);
            json_builder_set_member_name (b, "public_key");
            json_builder_add_string_value (b, s->public_key);
            json_builder_set_member_name (b, "signature");
            json_builder_add_string_value (b, s->signature);
        }
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree char *text = json_to_string (root, FALSE);
    printf ("%s\n", text);
}

static void
print_table (DbnMsgAuditSummaryListReply *r)
{
    printf ("当日汇总 Daily summaries %s\n", *r->day != '\0' ? r->day : "(none drafted yet / 尚无)");
    printf ("%-10s %4s %4s %4s %4s  %s  %s\n", "窗口 window", "受理", "办结", "超期", "违规",
            "评价 满意/基本/不满意", "签字 signed");
    for (guint i = 0; i < r->summaries->len; i++) {
        GBytes *e = r->summaries->pdata[i];
        g_autoptr (DbnMsgAuditSummary) m =
            dbn_msg_audit_summary_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), NULL);
        if (m == NULL)
            continue;
        g_autoptr (DbnMsgAuditSummarySigned) s = signature_of (r, m->window);
        g_autofree char *when = s != NULL ? cli_format_time (s->env.ts) : NULL;
        g_autofree char *who =
            s != NULL ? g_strdup_printf ("%s %s", s->leader, when) : g_strdup ("未签 unsigned");
        printf ("%-10s %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT
                "  %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  %s\n",
                m->window, m->accepted, m->completed, m->overdue, m->violations, m->rated_satisfied,
                m->rated_basic, m->rated_unsatisfied, who);
    }
}

static int
summary_list (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *day = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "day", 0, 0, G_OPTION_ARG_STRING, &day, "The day (default: the newest drafted)", "YYYY-MM-DD" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 当日汇总 / a day's window summaries");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "audit summary list"))
        return CLI_EXIT_USAGE;
    if (argc != 1) {
        fprintf (stderr, "daiban audit summary list: unexpected argument '%s' / 多余的参数\n", argv[1]);
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("audit summary list", error);
    g_autoptr (DbnMsgAuditSummaryListReply) r = fetch (ctx, day, &error);
    if (r == NULL)
        return cli_report_error ("audit summary list", error);
    if (json)
        print_json (r);
    else
        print_table (r);
    return CLI_EXIT_OK;
}

static int
summary_sign (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *window = NULL, *day = NULL, *sign_key = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "window", 0, 0, G_OPTION_ARG_STRING, &window, "The window", "ID" },
        { "day", 0, 0, G_OPTION_ARG_STRING, &day, "The day", "YYYY-MM-DD" },
        { "sign-key", 0, 0, G_OPTION_ARG_FILENAME, &sign_key,
          "The Ed25519 key file to sign with (default: the .sign file beside --key-file) (签名密钥)",
          "FILE" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 值班领导签字 / the duty leader signs a window's daily summary");
    g_option_context_set_description (
        options,
        "Acts as the leader of --key-file DIR/keys/leader-ID.secret (from `daiban keys add leader:ID`)\n"
        "and signs with DIR/keys/leader-ID.sign beside it. The signed bytes: docs/audit.md.");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "audit summary sign"))
        return CLI_EXIT_USAGE;
    if (argc != 1 || window == NULL || day == NULL) {
        fprintf (stderr, "daiban audit summary sign: give --window ID --day YYYY-MM-DD / 请指定窗口和日期\n");
        return CLI_EXIT_USAGE;
    }
    if (sign_key == NULL && cli_get_key_option () == NULL) {
        fprintf (stderr,
                 "daiban audit summary sign: give --key-file DIR/keys/leader-ID.secret (the duty leader's "
                 "key) / 请用值班领导的密钥文件\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *sign_path =
        sign_key != NULL ? g_strdup (sign_key) : dbn_sign_key_path_for_secret (cli_get_key_option ());
    g_autoptr (GError) error = NULL;
    guint8 sk[DBN_SIGN_SECRET_KEY_SIZE];
    if (!dbn_sign_key_load (sign_path, sk, &error))
        return cli_report_error ("audit summary sign", error);
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    g_autoptr (DbnMsgAuditSummaryListReply) r = ctx != NULL ? fetch (ctx, day, &error) : NULL;
    if (r == NULL) {
        sodium_memzero (sk, sizeof sk);
        return cli_report_error ("audit summary sign", error);
    }
    g_autoptr (DbnMsgAuditSummary) draft = NULL;
    for (guint i = 0; i < r->summaries->len && draft == NULL; i++) {
        GBytes *e = r->summaries->pdata[i];
        DbnMsgAuditSummary *m =
            dbn_msg_audit_summary_decode (g_bytes_get_data (e, NULL), g_bytes_get_size (e), NULL);
        if (m != NULL && g_strcmp0 (m->window, window) == 0)
            draft = m;
        else
            g_clear_pointer (&m, dbn_msg_audit_summary_free);
    }
    if (draft == NULL) {
        sodium_memzero (sk, sizeof sk);
        fprintf (stderr,
                 "daiban audit summary sign: 没有 %s 窗口 %s 的汇总草稿 / no draft of window %s for %s\n",
                 day, window, window, day);
        return CLI_EXIT_REFUSED;
    }
    g_autoptr (GBytes) bytes = dbn_day_summary_signed_bytes (draft);
    g_autoptr (DbnMsgAuditSummarySign) m = dbn_msg_audit_summary_sign_new ();
    m->env.key = g_uuid_string_random ();
    m->window = g_strdup (window);
    m->day = g_strdup (day);
    m->signature = dbn_sign_key_sign_hex (sk, bytes);
    sodium_memzero (sk, sizeof sk);
    g_autoptr (GBytes) body = dbn_msg_audit_summary_sign_encode (m, &error);
    g_autoptr (GBytes) reply = body != NULL ? cli_call (ctx, "audit", body, 2, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("audit summary sign", error);
    if (json)
        return cli_print_json (reply, "audit summary sign");
    g_autoptr (DbnMsgAuditSummarySignReply) sr = dbn_msg_audit_summary_sign_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (sr == NULL)
        return cli_report_error ("audit summary sign", error);
    printf ("已签字 signed: %s 窗口 window %s, 记录第 %" G_GINT64_FORMAT " 条 / entry %" G_GINT64_FORMAT "\n",
            sr->day, sr->window, sr->index, sr->index);
    return CLI_EXIT_OK;
}

int
cli_audit_summary (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand table[] = {
        { "list", summary_list },
        { "sign", summary_sign },
        { NULL, NULL },
    };
    return cli_run_subcommand ("audit summary", summary_usage, table, argc, argv, data_option);
}
