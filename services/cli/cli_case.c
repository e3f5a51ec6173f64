/* cli_case.c: `daiban case submit|show`. The interface is stable: scripts
 * read the case number from the first line of `case submit`. */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cli_common.h"
#include "cli_intake.h"
#include "cli_routing.h"
#include "cli_calendar.h"
#include "cli_correct.h"

static const char case_usage[] =
    "用法 Usage: daiban case COMMAND [OPTIONS]\n"
    "  submit   受理一件委托 / submit a resident's request (--from-visit, --again)\n"
    "  show     查看案件 / show a case\n"
    "  correct  更正案件信息（保留原值）/ correct a field; the earlier value stays (D-AUD-5)\n";

static gboolean
parse (GOptionContext *options, char **data, int *argc, char ***argv, const char *name)
{
    g_autoptr (GError) error = NULL;
    cli_add_data_option (options, data);
    if (!g_option_context_parse (options, argc, argv, &error)) {
        fprintf (stderr, "daiban case %s: %s\n", name, error->message);
        return FALSE;
    }
    return TRUE;
}

/* Prints "label  value" with the label padded to a fixed number of terminal
 * columns: printf pads by bytes, and a Chinese character is three bytes but
 * two columns wide. */
static void
print_row (const char *label, const char *value)
{
    int width = 0;
    for (const char *p = label; *p; p = g_utf8_next_char (p))
        width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
    printf ("%s%*s %s\n", label, MAX (0, 24 - width), "", value ? value : "—");
}

static void
print_list (const char *label, char **items)
{
    g_autofree char *joined = g_strjoinv ("、", items ? items : (char *[]){ NULL });
    print_row (label, *joined ? joined : "—");
}

static int
case_submit (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *matter = NULL, *applicant = NULL, *id_number = NULL, *phone = NULL;
    g_autofree char *village = NULL, *materials = NULL, *key = NULL, *channel = NULL;
    g_autofree char *address = NULL, *note = NULL, *visit = NULL, *again = NULL;
    gboolean consent = FALSE, json = FALSE, private_matter = FALSE;
    GOptionEntry entries[] = {
        { "matter", 0, 0, G_OPTION_ARG_STRING, &matter, "Catalog code of the matter (事项编码)", "CODE" },
        { "applicant", 0, 0, G_OPTION_ARG_STRING, &applicant, "Applicant's name (申办人)", "NAME" },
        { "id-number", 0, 0, G_OPTION_ARG_STRING, &id_number, "Resident ID number (身份证号)", "ID" },
        { "phone", 0, 0, G_OPTION_ARG_STRING, &phone, "Contact phone (联系电话)", "PHONE" },
        { "village", 0, 0, G_OPTION_ARG_STRING, &village, "Village / station (村)", "VILLAGE" },
        { "materials", 0, 0, G_OPTION_ARG_STRING, &materials,
          "Materials handed in, comma-separated (已交材料)", "A,B,..." },
        { "consent", 0, 0, G_OPTION_ARG_NONE, &consent, "The applicant entrusts this request (本人同意委托)",
          NULL },
        { "private", 0, 0, G_OPTION_ARG_NONE, &private_matter,
          "The applicant marks the matter private (涉及个人隐私): a station may not proxy it (D-INT-2)",
          NULL },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key,
          "Idempotency key: repeat it to retry safely (default: random)", "KEY" },
        { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, "station (default), walk-in or phone", "CHANNEL" },
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Home address (住址)", "ADDRESS" },
        { "note", 0, 0, G_OPTION_ARG_STRING, &note, "The request in the applicant's words (诉求)", "TEXT" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON after the case number", NULL },
        { "from-visit", 0, 0, G_OPTION_ARG_STRING, &visit,
          "The household visit whose need this request is (D-INT-1; same village)", "VISIT" },
        { "again", 0, 0, G_OPTION_ARG_STRING, &again,
          "Accept an earlier case again (D-RPL-2): its applicant, ID, phone, village, matter and materials "
          "are the defaults",
          "NUMBER" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 受理委托 / submit a request");
    g_option_context_set_description (
        options, "Prints the case number alone on the first line, then the state and any\n"
                 "missing materials (一次性告知). Without --consent the request is refused (D-INT-2).");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "submit"))
        return CLI_EXIT_USAGE;
    g_autoptr (DbnMsgIntakeCaseGetReply) earlier = NULL;
    if (again != NULL) {
        /* D-RPL-2: the earlier case's details, unless given anew. */
        g_autoptr (GError) get_error = NULL;
        g_autoptr (CliContext) get_ctx = cli_context_new (data, &get_error);
        g_autoptr (DbnMsgIntakeCaseGet) get = dbn_msg_intake_case_get_new ();
        get->env.key = g_uuid_string_random ();
        get->case_no = g_strdup (again);
        g_autoptr (GBytes) get_body = get_ctx ? dbn_msg_intake_case_get_encode (get, &get_error) : NULL;
        g_autoptr (GBytes) got = get_body ? cli_call (get_ctx, "intake", get_body, 2, &get_error) : NULL;
        earlier = got ? dbn_msg_intake_case_get_reply_decode (g_bytes_get_data (got, NULL),
                                                              g_bytes_get_size (got), &get_error)
                      : NULL;
        if (earlier == NULL)
            return cli_report_error ("case submit", get_error);
        char **fields[] = { &matter, &applicant, &id_number, &phone, &village };
        const char *values[] = { earlier->matter, earlier->applicant, earlier->id_number, earlier->phone,
                                 earlier->village };
        for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
            if (*fields[i] == NULL)
                *fields[i] = g_strdup (values[i]);
        if (materials == NULL)
            materials = g_strjoinv (",", earlier->materials);
    }
    struct {
        const char *name;
        const char *value;
    } required[] = {
        { "--matter", matter }, { "--applicant", applicant }, { "--id-number", id_number },
        { "--phone", phone },   { "--village", village },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (required); i++) {
        if (required[i].value == NULL) {
            fprintf (stderr, "daiban case submit: %s is required / 缺少 %s\n", required[i].name,
                     required[i].name);
            return CLI_EXIT_USAGE;
        }
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("case submit", error);

    g_autoptr (DbnMsgIntakeSubmit) cmd = dbn_msg_intake_submit_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->applicant = g_strdup (applicant);
    cmd->id_number = g_strdup (id_number);
    cmd->phone = g_strdup (phone);
    cmd->village = g_strdup (village);
    cmd->matter = g_strdup (matter);
    cmd->consent = consent;
    cmd->has_private_matter = private_matter;
    cmd->private_matter = private_matter;
    cmd->channel = g_strdup (channel);
    cmd->address = g_strdup (address);
    cmd->note = g_strdup (note);
    cmd->visit = g_strdup (visit);
    cmd->previous_case = g_strdup (again);
    if (materials != NULL && *materials != '\0') {
        cmd->materials = cli_split_list (materials);
    }
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("case submit", error);
    g_autoptr (GBytes) reply_bytes = cli_call (ctx, "intake", body, 3, &error);
    if (reply_bytes == NULL)
        return cli_report_error ("case submit", error);
    g_autoptr (DbnMsgIntakeSubmitReply) reply = dbn_msg_intake_submit_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("case submit", error);
    printf ("%s\n", reply->case_no);
    if (json) {
        g_autofree char *text =
            dbn_codec_to_json (g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), NULL);
        printf ("%s\n", text ? text : "{}");
    } else {
        printf ("状态 state: %s\n", reply->state);
        if (reply->missing != NULL && reply->missing[0] != NULL) {
            g_autofree char *joined = g_strjoinv ("、", reply->missing);
            printf ("一次性告知 missing materials: %s\n", joined);
        }
        /* D-DL-4: promised to the applicant at acceptance. */
        if (reply->promised != NULL)
            printf ("承诺办结 promised by: %s\n", reply->promised);
    }
    return CLI_EXIT_OK;
}

static int
case_show (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("NUMBER — 查看案件 / show a case");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "show"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban case show: give one case number / 请给出一个案件编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("case show", error);
    g_autoptr (DbnMsgIntakeCaseGet) cmd = dbn_msg_intake_case_get_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->case_no = g_strdup (argv[1]);
    g_autoptr (GBytes) body = dbn_msg_intake_case_get_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("case show", error);
    g_autoptr (GBytes) reply_bytes = cli_call (ctx, "intake", body, 2, &error);
    if (reply_bytes == NULL)
        return cli_report_error ("case show", error);
    g_autoptr (DbnMsgIntakeCaseGetReply) c = dbn_msg_intake_case_get_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (c == NULL)
        return cli_report_error ("case show", error);
    if (json) {
        g_autofree char *text =
            dbn_codec_to_json (g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
        if (text == NULL)
            return cli_report_error ("case show", error);
        printf ("%s\n", text);
        return CLI_EXIT_OK;
    }
    g_autofree char *when = cli_format_time (c->accepted_at);
    g_autofree char *matter = g_strdup_printf ("%s %s", c->matter, c->matter_name);
    print_row ("案件编号 Case", c->case_no);
    print_row ("事项 Matter", matter);
    print_row ("状态 State", c->state);
    print_row ("申办人 Applicant", c->applicant);
    print_row ("身份证 ID number", c->id_number);
    print_row ("电话 Phone", c->phone);
    if (c->address)
        print_row ("住址 Address", c->address);
    print_row ("村 Village", c->village);
    print_row ("渠道 Channel", c->channel);
    print_list ("已交材料 Materials", c->materials);
    print_list ("缺少材料 Missing", c->missing);
    print_row ("受理时间 Accepted", when);
    print_row ("首问责任人 Responsible", c->accepted_by);
    if (c->note)
        print_row ("诉求 Note", c->note);
    if (c->visit)
        print_row ("入户走访 Visit", c->visit);
    if (c->previous_case)
        print_row ("再次受理 Again of", c->previous_case);
    cli_routing_print_case (ctx, c->case_no);
    return CLI_EXIT_OK;
}

int
cli_case (int argc, char **argv, const char *data_option)
{
    if (argc < 2 || g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf (out, "%s%s%s%sEach takes --help.\n", case_usage, cli_intake_case_usage (),
                 cli_routing_case_usage (), cli_deadline_case_usage ());
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (cli_routing_is_case_command (argv[1]))
        return cli_routing_case (argc - 1, argv + 1, data_option);
    if (cli_intake_is_case_command (argv[1]))
        return cli_intake_case (argc - 1, argv + 1, data_option);
    if (cli_deadline_is_case_command (argv[1]))
        return cli_deadline_case (argc - 1, argv + 1, data_option);
    if (g_strcmp0 (argv[1], "submit") == 0)
        return case_submit (argc - 1, argv + 1, data_option);
    if (g_strcmp0 (argv[1], "show") == 0)
        return case_show (argc - 1, argv + 1, data_option);
    if (g_strcmp0 (argv[1], "correct") == 0)
        return cli_case_correct (argc - 1, argv + 1, data_option);
    fprintf (stderr, "daiban case: unknown command '%s' / 未知命令\n%s%s", argv[1], case_usage,
             cli_routing_case_usage ());
    return CLI_EXIT_USAGE;
}
