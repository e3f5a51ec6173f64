/* cli_eval.c: `daiban eval` (issue 13), the commands of daiban-evaluation:
 *
 *   daiban eval month 2026-11 [--json]     the month's figures (eval.month)
 *   daiban eval period 2026-09-01 2026-11-30 [--json]   any period (eval.period)
 *   daiban eval close 2026-11              close it: figures fixed (eval.close)
 *   daiban eval export --month 2026-11 --format haochaping.json
 *                                          the 好差评 export on stdout (eval.export)
 *   daiban eval sample|callback|followup|rate   cli_eval_wire.c
 *
 * A writing command (close) carries one idempotency key for all
 * its attempts, so a retry after a lost reply is the same command. */
#include "cli_eval.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

static const char eval_usage[] =
    "用法 Usage: daiban eval COMMAND [OPTIONS]\n"
    "  month YYYY-MM     月度考核数据 / a month's figures (D-EV-4..6)\n"
    "  period FROM TO    任意期间考核数据 / the figures of any period of days (YYYY-MM-DD)\n"
    "  close YYYY-MM     月度结账 / close a month: its figures become fixed\n"
    "  export --month YYYY-MM --format haochaping.json\n"
    "                    好差评数据导出 / the 好差评 export (D-EV-1)\n"
    "  sample --month YYYY-MM [--json]\n"
    "                    回访名单 / the month's return-visit list (D-EV-2)\n"
    "  callback N --reached yes|no [--attitude L --quality L --speed L] [--note T]\n"
    "                    回访登记 / record a return visit (D-EV-2)\n"
    "  followup N --text T\n"
    "                    差评跟踪结果 / a bad rating's follow-up (D-EV-7)\n"
    "  rate N --stage reply|window --rating L\n"
    "                    群众评价 / a rating (D-EV-1); L: satisfied, basic, unsatisfied\n"
    "Each takes --help and --data DIR; month and sample take --json.\n";

static gboolean
one_month (int argc, char **argv, const char *name)
{
    if (argc != 2) {
        fprintf (stderr, "daiban %s: give the month YYYY-MM / 需要月份 YYYY-MM\n", name);
        return FALSE;
    }
    return TRUE;
}

/* Sends body to evaluation; NULL after reporting (*status set). */
static GBytes *
call (const char *data, GBytes *body, const char *name, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    GBytes *reply = ctx != NULL ? cli_call (ctx, "evaluation", body, 3, &error) : NULL;
    if (reply == NULL)
        *status = cli_report_error (name, error);
    return reply;
}

static void
permille (JsonBuilder *b, const char *member, gint64 num, gint64 den)
{
    json_builder_set_member_name (b, member);
    if (den > 0)
        json_builder_add_int_value (b, num * 1000 / den);
    else
        json_builder_add_null_value (b);
}

/* Prints eval_figure records as a table, or as JSON with the heading's
 * (name, value) pairs and closed (-1: not a month). */
static int
print_figures (const char *name, const char *title, const char *const *heading, int closed, GPtrArray *figures,
               gboolean json)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    for (guint k = 0; heading[k] != NULL; k += 2) {
        json_builder_set_member_name (b, heading[k]);
        json_builder_add_string_value (b, heading[k + 1]);
    }
    if (closed >= 0) {
        json_builder_set_member_name (b, "closed");
        json_builder_add_boolean_value (b, closed);
    }
    json_builder_set_member_name (b, "figures");
    json_builder_begin_array (b);
    if (!json)
        printf ("%s  %s\n%-9s %-16s %6s %6s %6s %6s %6s %6s %5s %7s\n", title,
                closed < 0 ? "" : closed ? "已结账 closed" : "未结账 open", "scope", "id", "受理", "办结", "按时", "评价",
                "满意%", "办结%", "星级", "得分");
    for (guint i = 0; i < figures->len; i++) {
        GBytes *item = figures->pdata[i];
        g_autoptr (DbnMsgEvalFigure) f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), &error);
        if (f == NULL)
            return cli_report_error (name, error);
        gint64 happy = f->satisfied + f->basic;
        if (!json) {
            g_autofree char *sat =
                f->rated > 0 ? g_strdup_printf ("%.1f", 100.0 * happy / f->rated) : g_strdup ("—");
            g_autofree char *done = f->accepted > 0
                                        ? g_strdup_printf ("%.1f", 100.0 * f->completed / f->accepted)
                                        : g_strdup ("—");
            printf ("%-9s %-16s %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
                    " %6" G_GINT64_FORMAT " %6s %6s %5" G_GINT64_FORMAT " %7.3f\n",
                    f->scope, f->id, f->accepted, f->completed, f->on_time, f->rated, sat, done, f->stars,
                    f->score_milli / 1000.0);
            continue;
        }
        json_builder_begin_object (b);
        const char *const names[] = { "scope", "id" };
        const char *const texts[] = { f->scope, f->id };
        for (guint k = 0; k < G_N_ELEMENTS (names); k++) {
            json_builder_set_member_name (b, names[k]);
            json_builder_add_string_value (b, texts[k]);
        }
        const char *const counts[] = { "accepted",  "completed", "on_time",     "returns", "rated",
                                       "satisfied", "basic",     "unsatisfied", "stars",   "score_milli" };
        const gint64 values[] = { f->accepted,  f->completed, f->on_time,     f->returns, f->rated,
                                  f->satisfied, f->basic,     f->unsatisfied, f->stars,   f->score_milli };
        for (guint k = 0; k < G_N_ELEMENTS (counts); k++) {
            json_builder_set_member_name (b, counts[k]);
            json_builder_add_int_value (b, values[k]);
        }
        /* Rates in permille, rounded down (null with nothing to divide). */
        permille (b, "completion_permille", f->completed, f->accepted);
        permille (b, "on_time_permille", f->on_time, f->completed);
        permille (b, "satisfaction_permille", happy, f->rated);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    if (json) {
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        g_autofree char *text = json_to_string (root, FALSE);
        printf ("%s\n", text);
    }
    return CLI_EXIT_OK;
}

static int
eval_month (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("YYYY-MM — 月度考核数据 / a month's figures");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "eval month")
        || !one_month (argc, argv, "eval month"))
        return CLI_EXIT_USAGE;
    g_autoptr (DbnMsgEvalMonth) cmd = dbn_msg_eval_month_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->month = g_strdup (argv[1]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("eval month", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = call (data, body, "eval month", &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalMonthReply) r =
        dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("eval month", error);
    const char *const heading[] = { "month", r->month, NULL };
    return print_figures ("eval month", r->month, heading, r->closed, r->figures, json);
}

/* D-EV-4..6 "for any period": daiban eval period FROM TO [--json]. */
static int
eval_period (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("YYYY-MM-DD YYYY-MM-DD — 任意期间考核数据 / the figures of any period");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "eval period"))
        return CLI_EXIT_USAGE;
    if (argc != 3) {
        fprintf (stderr, "daiban eval period: give the first and last day YYYY-MM-DD / 需要起止日期\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgEvalPeriod) cmd = dbn_msg_eval_period_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->from = g_strdup (argv[1]);
    cmd->to = g_strdup (argv[2]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_period_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("eval period", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = call (data, body, "eval period", &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalPeriodReply) r =
        dbn_msg_eval_period_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("eval period", error);
    g_autofree char *title = g_strdup_printf ("%s … %s", r->from, r->to);
    const char *const heading[] = { "from", r->from, "to", r->to, NULL };
    return print_figures ("eval period", title, heading, -1, r->figures, json);
}

static int
eval_close (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    GOptionEntry entries[] = { { NULL } };
    g_autoptr (GOptionContext) context = g_option_context_new ("YYYY-MM — 月度结账 / close a month");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "eval close")
        || !one_month (argc, argv, "eval close"))
        return CLI_EXIT_USAGE;
    g_autoptr (DbnMsgEvalClose) cmd = dbn_msg_eval_close_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->month = g_strdup (argv[1]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_close_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("eval close", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = call (data, body, "eval close", &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalCloseReply) r =
        dbn_msg_eval_close_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("eval close", error);
    printf ("%s 已结账 closed: %" G_GINT64_FORMAT " 行 rows fixed (seq %" G_GINT64_FORMAT ")\n", r->month,
            r->figures, r->seq);
    return CLI_EXIT_OK;
}

static int
eval_export (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *month = NULL;
    g_autofree char *format = NULL;
    GOptionEntry entries[] = {
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "The month (YYYY-MM)", "YYYY-MM" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format, "haochaping.json (the only format)", "FORMAT" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— 好差评数据导出 / the 好差评 export");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "eval export"))
        return CLI_EXIT_USAGE;
    if (month == NULL || argc != 1 || (format != NULL && g_strcmp0 (format, "haochaping.json") != 0)) {
        fprintf (stderr, "daiban eval export: give --month YYYY-MM [--format haochaping.json] / 需要月份\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgEvalExport) cmd = dbn_msg_eval_export_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->month = g_strdup (month);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_export_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("eval export", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = call (data, body, "eval export", &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalExportReply) r =
        dbn_msg_eval_export_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("eval export", error);
    printf ("%s\n", r->json);
    return CLI_EXIT_OK;
}

static int
eval_callback (int argc, char **argv, const char *data_option)
{
    return cli_eval_wire ("callback", argc, argv, data_option);
}

static int
eval_followup (int argc, char **argv, const char *data_option)
{
    return cli_eval_wire ("followup", argc, argv, data_option);
}

static int
eval_rate (int argc, char **argv, const char *data_option)
{
    return cli_eval_wire ("rate", argc, argv, data_option);
}

int
cli_eval (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "month", eval_month },       { "period", eval_period },     { "close", eval_close },
        { "export", eval_export },     { "sample", cli_eval_sample },
        { "callback", eval_callback }, { "followup", eval_followup },
        { "rate", eval_rate },         { NULL, NULL },
    };
    return cli_run_subcommand ("eval", eval_usage, subcommands, argc, argv, data_option);
}
