/* cli_eval_wire.c: the `daiban eval` commands of return visits, follow-ups
 * and ratings (issue 13, D-EV-1, D-EV-2, D-EV-7):
 *
 *   daiban eval sample --month 2026-11 [--json]
 *        the return-visit list (eval.sample: drawn by the service on the
 *        first working day, seeded from the audit head), with each drawn
 *        case's callback (eval.callback.list)
 *   daiban eval callback N --reached yes|no [--attitude L --quality L
 *        --speed L] [--note TEXT] [--key K]          eval.callback.record
 *   daiban eval followup N --text TEXT [--key K]     eval.followup.record
 *   daiban eval rate N --stage reply|window --rating L [--key K]
 *                                                    eval.rate
 *
 * L is satisfied, basic or unsatisfied. A writing command carries one
 * idempotency key for all its attempts (--key, default a new one), so a
 * retry after a lost reply is the same command and counts once. */
#include "cli_eval.h"

#include <stdio.h>

static gboolean
one_case (int argc, char **argv, const char *name)
{
    if (argc != 2) {
        fprintf (stderr, "daiban %s: give the case number / 需要件号\n", name);
        return FALSE;
    }
    return TRUE;
}

static int
usage_error (const char *name, const char *what)
{
    fprintf (stderr, "daiban %s: %s\n", name, what);
    return CLI_EXIT_USAGE;
}

/* Sends body to evaluation and decodes nothing: NULL after reporting. */
static GBytes *
send_body (const char *data, GBytes *body, const char *name, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    GBytes *reply = ctx != NULL ? cli_call (ctx, "evaluation", body, 3, &error) : NULL;
    if (reply == NULL)
        *status = cli_report_error (name, error);
    return reply;
}

static void
stamp (DbnEnvCommand *env, const char *key)
{
    env->key = key != NULL ? g_strdup (key) : g_uuid_string_random ();
    env->actor = g_strdup ("cli");
}

static int
eval_callback (int argc, char **argv, const char *data_option)
{
    const char *name = "eval callback";
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *reached = NULL, *attitude = NULL, *quality = NULL, *speed = NULL, *note = NULL,
                    *key = NULL;
    GOptionEntry entries[] = {
        { "reached", 0, 0, G_OPTION_ARG_STRING, &reached, "The applicant was reached: yes or no", "yes|no" },
        { "attitude", 0, 0, G_OPTION_ARG_STRING, &attitude, "态度: satisfied, basic or unsatisfied", "L" },
        { "quality", 0, 0, G_OPTION_ARG_STRING, &quality, "质量: satisfied, basic or unsatisfied", "L" },
        { "speed", 0, 0, G_OPTION_ARG_STRING, &speed, "效率: satisfied, basic or unsatisfied", "L" },
        { "note", 0, 0, G_OPTION_ARG_STRING, &note, "What the applicant said", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key (a retry reuses it)", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("N — 回访登记 / record a return visit (D-EV-2)");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, name) || !one_case (argc, argv, name))
        return CLI_EXIT_USAGE;
    if (g_strcmp0 (reached, "yes") != 0 && g_strcmp0 (reached, "no") != 0)
        return usage_error (name, "give --reached yes|no / 需要 --reached yes|no");
    g_autoptr (DbnMsgEvalCallbackRecord) cmd = dbn_msg_eval_callback_record_new ();
    stamp (&cmd->env, key);
    cmd->case_no = g_strdup (argv[1]);
    cmd->reached = g_strcmp0 (reached, "yes") == 0;
    cmd->attitude = g_steal_pointer (&attitude);
    cmd->quality = g_steal_pointer (&quality);
    cmd->speed = g_steal_pointer (&speed);
    cmd->note = g_steal_pointer (&note);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_callback_record_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error (name, error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = send_body (data, body, name, &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalCallbackRecordReply) r = dbn_msg_eval_callback_record_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error (name, error);
    printf ("%s 回访已登记 callback recorded (%s)%s\n", r->case_no, r->month,
            r->unsatisfied ? "  不满意：已启动跟踪 unsatisfied: follow-up opened" : "");
    return CLI_EXIT_OK;
}

static int
eval_followup (int argc, char **argv, const char *data_option)
{
    const char *name = "eval followup";
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *text = NULL, *key = NULL;
    GOptionEntry entries[] = {
        { "text", 0, 0, G_OPTION_ARG_STRING, &text, "What was done (required)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key (a retry reuses it)", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("N — 差评跟踪结果 / the follow-up of a bad rating (D-EV-7)");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, name) || !one_case (argc, argv, name))
        return CLI_EXIT_USAGE;
    if (text == NULL)
        return usage_error (name, "give --text / 需要 --text");
    g_autoptr (DbnMsgEvalFollowupRecord) cmd = dbn_msg_eval_followup_record_new ();
    stamp (&cmd->env, key);
    cmd->case_no = g_strdup (argv[1]);
    cmd->text = g_steal_pointer (&text);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_followup_record_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error (name, error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = send_body (data, body, name, &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalFollowupRecordReply) r = dbn_msg_eval_followup_record_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error (name, error);
    printf ("%s 跟踪结果已登记 follow-up recorded (seq %" G_GINT64_FORMAT ")\n", r->case_no, r->seq);
    return CLI_EXIT_OK;
}

static int
eval_rate (int argc, char **argv, const char *data_option)
{
    const char *name = "eval rate";
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *stage = NULL, *rating = NULL, *key = NULL;
    GOptionEntry entries[] = {
        { "stage", 0, 0, G_OPTION_ARG_STRING, &stage, "reply (the station's reply) or window (a walk-in)",
          "STAGE" },
        { "rating", 0, 0, G_OPTION_ARG_STRING, &rating, "satisfied, basic or unsatisfied", "L" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key (a retry reuses it)", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("N — 群众评价 / the applicant's rating (D-EV-1)");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, name) || !one_case (argc, argv, name))
        return CLI_EXIT_USAGE;
    if (stage == NULL || rating == NULL)
        return usage_error (name, "give --stage reply|window and --rating L / 需要 --stage 与 --rating");
    g_autoptr (DbnMsgEvalRate) cmd = dbn_msg_eval_rate_new ();
    stamp (&cmd->env, key);
    cmd->case_no = g_strdup (argv[1]);
    cmd->stage = g_steal_pointer (&stage);
    cmd->level = g_steal_pointer (&rating);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error (name, error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = send_body (data, body, name, &status);
    if (reply == NULL)
        return status;
    g_autoptr (DbnMsgEvalRateReply) r =
        dbn_msg_eval_rate_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error (name, error);
    printf ("%s %s 已评价 rated %s (seq %" G_GINT64_FORMAT ")\n", r->case_no, r->stage, r->level, r->seq);
    return CLI_EXIT_OK;
}

int
cli_eval_sample (int argc, char **argv, const char *data_option)
{
    const char *name = "eval sample";
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *month = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "The month (YYYY-MM)", "YYYY-MM" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print eval.sample's reply as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("[YYYY-MM] — 回访名单 / the month's return-visit list (D-EV-2)");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, name))
        return CLI_EXIT_USAGE;
    if (month == NULL && argc == 2)
        month = g_strdup (argv[1]);
    else if (argc != 1 || month == NULL)
        return usage_error (name, "give --month YYYY-MM / 需要月份 YYYY-MM");
    g_autoptr (DbnMsgEvalSample) cmd = dbn_msg_eval_sample_new ();
    stamp (&cmd->env, NULL);
    cmd->month = g_strdup (month);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_sample_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error (name, error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply = send_body (data, body, name, &status);
    if (reply == NULL)
        return status;
    if (json)
        return cli_print_json (reply, name);
    g_autoptr (DbnMsgEvalSampleReply) r =
        dbn_msg_eval_sample_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error (name, error);
    printf ("%s  回访 sample %u/%u (%" G_GINT64_FORMAT " %%)  seed %s (%s)\n", r->month,
            g_strv_length (r->cases), g_strv_length (r->population), r->percent, r->seed,
            r->seed_source != NULL ? r->seed_source : "fallback");
    if (r->has_head_size) {
        g_autofree char *signed_at = cli_format_time (r->head_time);
        printf ("审计树头 audit head: size %" G_GINT64_FORMAT ", signed %s, key %s\n", r->head_size,
                signed_at, r->head_key != NULL ? r->head_key : "");
    }
    /* Each drawn case's callback, as the service holds it. */
    g_autoptr (DbnMsgEvalCallbackList) list = dbn_msg_eval_callback_list_new ();
    stamp (&list->env, NULL);
    list->month = g_strdup (month);
    g_autoptr (GBytes) list_body = dbn_msg_eval_callback_list_encode (list, &error);
    g_autoptr (GBytes) list_reply = list_body != NULL ? send_body (data, list_body, name, &status) : NULL;
    g_autoptr (DbnMsgEvalCallbackListReply) items =
        list_reply != NULL ? dbn_msg_eval_callback_list_reply_decode (g_bytes_get_data (list_reply, NULL),
                                                                      g_bytes_get_size (list_reply), &error)
                           : NULL;
    if (items == NULL) {
        for (guint i = 0; r->cases[i] != NULL; i++)
            printf ("%s\n", r->cases[i]);
        return status;
    }
    for (guint i = 0; i < items->items->len; i++) {
        GBytes *b = items->items->pdata[i];
        g_autoptr (DbnMsgEvalCallbackItem) it =
            dbn_msg_eval_callback_item_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        if (it == NULL)
            return cli_report_error (name, error);
        printf ("%s  %-10s %-12s %-12s %s", it->case_no, it->state, it->station, it->window, it->matter);
        if (it->attitude != NULL)
            printf ("  态度 %s 质量 %s 效率 %s", it->attitude, it->quality, it->speed);
        printf ("\n");
    }
    return CLI_EXIT_OK;
}

int
cli_eval_wire (const char *sub, int argc, char **argv, const char *data_option)
{
    if (g_strcmp0 (sub, "callback") == 0)
        return eval_callback (argc, argv, data_option);
    if (g_strcmp0 (sub, "followup") == 0)
        return eval_followup (argc, argv, data_option);
    return eval_rate (argc, argv, data_option);
}
