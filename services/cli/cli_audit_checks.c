/* cli_audit_checks.c: `daiban audit spot-check` and `daiban audit
 * findings` (issue 14 items 5 and 9, D-AUD-2), through the running audit
 * service (audit_spotcheck.h). A committee member acts with their key
 * (--key-file); the operator may too. */
#include "cli_audit_checks.h"

#include <stdio.h>
#include <string.h>

#include "cli_common.h"

static int
call_and_print (CliContext *ctx, const char *what, GBytes *body, gboolean json, GBytes **reply_out)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = body != NULL ? cli_call (ctx, "audit", body, 2, &error) : NULL;
    if (reply == NULL)
        return cli_report_error (what, error);
    if (json)
        return cli_print_json (reply, what);
    *reply_out = g_steal_pointer (&reply);
    return CLI_EXIT_OK;
}

static int
draw (CliContext *ctx, const char *week, gboolean json)
{
    g_autoptr (DbnMsgAuditSpotcheckDraw) m = dbn_msg_audit_spotcheck_draw_new ();
    m->env.key = g_uuid_string_random ();
    m->week = g_strdup (week);
    g_autoptr (GBytes) body = dbn_msg_audit_spotcheck_draw_encode (m, NULL);
    g_autoptr (GBytes) reply = NULL;
    int status = call_and_print (ctx, "audit spot-check", body, json, &reply);
    if (status != CLI_EXIT_OK || reply == NULL)
        return status;
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgAuditSpotcheckDrawReply) r = dbn_msg_audit_spotcheck_draw_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("audit spot-check", error);
    g_autofree char *when = cli_format_time (r->head_time);
    printf ("抽查 Spot checks %s: 种子 seed %s (树头 head size %" G_GINT64_FORMAT ", %s), 每窗口 per window "
            "%" G_GINT64_FORMAT "\n",
            r->week, r->seed, r->head_size, when, r->per_window);
    for (guint i = 0; r->cases[i] != NULL && r->windows[i] != NULL; i++)
        printf ("%-12s %s\n", r->windows[i], r->cases[i]);
    return CLI_EXIT_OK;
}

static int
record (CliContext *ctx, const char *case_no, const char *finding, const char *text, gboolean json)
{
    g_autoptr (DbnMsgAuditSpotcheckRecord) m = dbn_msg_audit_spotcheck_record_new ();
    m->env.key = g_uuid_string_random ();
    m->case_no = g_strdup (case_no);
    m->finding = g_strdup (finding);
    m->text = g_strdup (text);
    g_autoptr (GBytes) body = dbn_msg_audit_spotcheck_record_encode (m, NULL);
    g_autoptr (GBytes) reply = NULL;
    int status = call_and_print (ctx, "audit spot-check", body, json, &reply);
    if (status != CLI_EXIT_OK || reply == NULL)
        return status;
    g_autoptr (DbnMsgAuditSpotcheckRecordReply) r = dbn_msg_audit_spotcheck_record_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    if (r == NULL)
        return CLI_EXIT_REFUSED;
    printf ("%s 抽查结论 finding %s: 记录第 %" G_GINT64_FORMAT " 条 / entry %" G_GINT64_FORMAT "\n",
            r->case_no, r->finding, r->index, r->index);
    return CLI_EXIT_OK;
}

int
cli_audit_spot_check (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *week = NULL, *finding = NULL, *text = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "draw", 0, 0, G_OPTION_ARG_STRING, &week, "Draw the week's cases per window (ISO week)",
          "YYYY-Www" },
        { "finding", 0, 0, G_OPTION_ARG_STRING, &finding, "ok (无问题) or problem (有问题)", "ok|problem" },
        { "text", 0, 0, G_OPTION_ARG_STRING, &text, "What is wrong (required for problem) or a note",
          "TEXT" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("[CASE] — 抽查 / spot checks: draw a week, or record a finding on CASE");
    g_option_context_set_description (
        options, "--draw YYYY-Www: the week's random cases per window, seeded from the first head signed\n"
                 "after the week (docs/audit.md says how to redo the draw). CASE --finding ok|problem\n"
                 "[--text T]: records the committee's finding; it becomes an entry of the record.");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "audit spot-check"))
        return CLI_EXIT_USAGE;
    gboolean drawing = week != NULL;
    if ((drawing && (argc != 1 || finding != NULL)) || (!drawing && (argc != 2 || finding == NULL))) {
        fprintf (stderr, "daiban audit spot-check: give --draw YYYY-Www, or CASE --finding ok|problem "
                         "[--text T] / 请指定抽查周或案件及结论\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("audit spot-check", error);
    return drawing ? draw (ctx, week, json) : record (ctx, argv[1], finding, text, json);
}

int
cli_audit_findings (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *month = NULL, *window = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "The month the findings were recorded in", "YYYY-MM" },
        { "window", 0, 0, G_OPTION_ARG_STRING, &window, "Only this window's cases", "ID" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 抽查结论 / the spot checks' findings");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "audit findings"))
        return CLI_EXIT_USAGE;
    if (argc != 1 || month == NULL) {
        fprintf (stderr, "daiban audit findings: give --month YYYY-MM / 请指定月份\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("audit findings", error);
    g_autoptr (DbnMsgAuditFindings) m = dbn_msg_audit_findings_new ();
    m->env.key = g_uuid_string_random ();
    m->month = g_strdup (month);
    m->window = g_strdup (window);
    g_autoptr (GBytes) body = dbn_msg_audit_findings_encode (m, NULL);
    g_autoptr (GBytes) reply = body != NULL ? cli_call (ctx, "audit", body, 2, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("audit findings", error);
    g_autoptr (DbnMsgAuditFindingsReply) r = dbn_msg_audit_findings_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("audit findings", error);
    for (guint i = 0; i < r->findings->len; i++) {
        GBytes *b = r->findings->pdata[i];
        if (json) {
            /* JSON Lines: one audit.finding event per line. */
            g_autofree char *line =
                dbn_codec_to_json (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
            if (line != NULL)
                printf ("%s\n", line);
            continue;
        }
        g_autoptr (DbnMsgAuditFinding) f =
            dbn_msg_audit_finding_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (f == NULL)
            continue;
        g_autofree char *when = cli_format_time (f->env.ts);
        printf ("%s  %-18s %-10s %-8s %s  %s\n", when, f->env.case_no, f->window, f->finding, f->env.actor,
                f->text);
    }
    if (!json)
        printf ("共 %u 条 / %u findings\n", r->findings->len, r->findings->len);
    return CLI_EXIT_OK;
}
