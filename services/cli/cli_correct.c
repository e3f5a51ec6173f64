/* cli_correct.c: `daiban case correct N --field F --value V --reason R`
 * (D-AUD-5, issue 14 item 6): intake's case.correct. `name` is accepted
 * for the applicant's name, as people say it. */
#include "cli_correct.h"

#include <stdio.h>

#include "cli_common.h"

int
cli_case_correct (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *field = NULL, *value = NULL, *reason = NULL, *key = NULL, *actor = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "field", 0, 0, G_OPTION_ARG_STRING, &field, "name (applicant), id_number, phone or address",
          "FIELD" },
        { "value", 0, 0, G_OPTION_ARG_STRING, &value, "The corrected value (更正后的值)", "TEXT" },
        { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why (更正理由, required)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key (default: a new one)", "KEY" },
        { "actor", 0, 0, G_OPTION_ARG_STRING, &actor, "Who acts, when no key file says it", "WHO" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("NUMBER — 更正案件信息 / correct a field (D-AUD-5)");
    g_option_context_set_description (
        options, "A correction is a new entry: the earlier value stays in the record, and the case's\n"
                 "timeline (`daiban case timeline`) shows it as a correction. The matter is corrected\n"
                 "at routing (classify or return), not here.");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "case correct"))
        return CLI_EXIT_USAGE;
    if (argc != 2 || field == NULL || value == NULL || reason == NULL) {
        fprintf (stderr, "daiban case correct: give NUMBER --field F --value V --reason R / "
                         "请给出案件编号、字段、更正值和理由\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("case correct", error);
    g_autoptr (DbnMsgCaseCorrect) m = dbn_msg_case_correct_new ();
    m->env.key = key != NULL ? g_strdup (key) : g_uuid_string_random ();
    m->env.actor = g_strdup (actor != NULL ? actor : "cli");
    m->case_no = g_strdup (argv[1]);
    m->field = g_strdup (g_strcmp0 (field, "name") == 0 ? "applicant" : field);
    m->value = g_strdup (value);
    m->reason = g_strdup (reason);
    g_autoptr (GBytes) body = dbn_msg_case_correct_encode (m, &error);
    g_autoptr (GBytes) reply = body != NULL ? cli_call (ctx, "intake", body, 2, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("case correct", error);
    if (json)
        return cli_print_json (reply, "case correct");
    g_autoptr (DbnMsgCaseCorrectReply) r =
        dbn_msg_case_correct_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("case correct", error);
    printf ("%s 已更正 corrected: %s (seq %" G_GINT64_FORMAT ")\n", r->case_no, r->field, r->seq);
    return CLI_EXIT_OK;
}
