/* cli_handover.c: `daiban handover`, group agents' requests (组代办员, issue
 * 16 item 2). A group:<agent> key hands a request to its village station
 * (submit); the station lists what waits for it, then accepts a handover
 * with the applicant's consent (the usual intake: a case number) or sends it
 * back with the reason. The services decide who may do what
 * (services/intake/intake_handover.c); this file only speaks the messages. */
#include "cli_handover.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

static const char handover_usage[] =
    "用法 Usage: daiban handover COMMAND [OPTIONS]\n"
    "  submit   组代办员转交代办站 / a group agent hands a request to its station (group:<agent> key)\n"
    "  list     代办站的转交件 / a station's handovers, newest first: STATION [--state S] (--json)\n"
    "  accept   代办站受理 / the station accepts: HANDOVER --consent (prints the case number)\n"
    "  return   退回组代办员 / the station sends it back: HANDOVER --reason TEXT\n";

static gboolean
parse (GOptionContext *options, char **data, int *argc, char ***argv, const char *what)
{
    g_autoptr (GError) error = NULL;
    cli_add_data_option (options, data);
    if (!g_option_context_parse (options, argc, argv, &error)) {
        fprintf (stderr, "daiban %s: %s\n", what, error->message);
        return FALSE;
    }
    return TRUE;
}

/* Sends body to intake; NULL after printing the error (*status set). */
static GBytes *
call_intake (const char *data, GBytes *body, const char *what, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    GBytes *reply = ctx ? cli_call (ctx, "intake", body, 3, &error) : NULL;
    if (reply == NULL)
        *status = cli_report_error (what, error);
    return reply;
}

static int
handover_submit (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *matter = NULL, *applicant = NULL, *id_number = NULL, *phone = NULL;
    g_autofree char *materials = NULL, *address = NULL, *note = NULL, *key = NULL;
    GOptionEntry entries[] = {
        { "matter", 0, 0, G_OPTION_ARG_STRING, &matter, "Catalog code (事项)", "CODE" },
        { "applicant", 0, 0, G_OPTION_ARG_STRING, &applicant, "Applicant's name (申办人)", "NAME" },
        { "id-number", 0, 0, G_OPTION_ARG_STRING, &id_number, "Resident ID number (身份证号)", "ID" },
        { "phone", 0, 0, G_OPTION_ARG_STRING, &phone, "Contact phone (电话)", "PHONE" },
        { "materials", 0, 0, G_OPTION_ARG_STRING, &materials, "Materials carried, comma-separated (材料)",
          "A,B,..." },
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Home address (住址)", "ADDRESS" },
        { "note", 0, 0, G_OPTION_ARG_STRING, &note, "What was asked (诉求)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 转交代办站 / hand a request to the station");
    g_option_context_set_description (
        options, "Prints the handover number alone on the first line, then the station.\n"
                 "Only a group agent's key (group:<agent>) hands over, to its own station.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "handover submit"))
        return CLI_EXIT_USAGE;
    if (matter == NULL || applicant == NULL || id_number == NULL || phone == NULL) {
        fprintf (stderr, "daiban handover submit: --matter, --applicant, --id-number and --phone are required"
                         " / 缺少事项、申办人、身份证号或电话\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeHandover) cmd = dbn_msg_intake_handover_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->matter = g_strdup (matter);
    cmd->applicant = g_strdup (applicant);
    cmd->id_number = g_strdup (id_number);
    cmd->phone = g_strdup (phone);
    cmd->materials = cli_split_list (materials);
    cmd->address = g_strdup (address);
    cmd->note = g_strdup (note);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_handover_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("handover submit", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call_intake (data, body, "handover submit", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeHandoverReply) reply = dbn_msg_intake_handover_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("handover submit", error);
    printf ("%s\n代办站 station: %s\n", reply->handover, reply->station);
    return CLI_EXIT_OK;
}

static const char *
state_zh (const char *state)
{
    if (g_strcmp0 (state, "pending") == 0)
        return "待受理";
    if (g_strcmp0 (state, "accepted") == 0)
        return "已受理";
    if (g_strcmp0 (state, "returned") == 0)
        return "已退回";
    return state;
}

static int
handover_list (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *state = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "state", 0, 0, G_OPTION_ARG_STRING, &state, "pending, accepted or returned", "STATE" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("STATION — 转交件 / a station's handovers");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "handover list"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban handover list: give one station / 请给出代办站\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeHandoverList) cmd = dbn_msg_intake_handover_list_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->station = g_strdup (argv[1]);
    cmd->state = g_strdup (state);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_handover_list_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("handover list", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call_intake (data, body, "handover list", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeHandoverListReply) reply = dbn_msg_intake_handover_list_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("handover list", error);
    g_autoptr (JsonArray) all = json_array_new ();
    for (guint i = 0; i < reply->items->len; i++) {
        GBytes *frame = g_ptr_array_index (reply->items, i);
        g_autoptr (DbnMsgIntakeHandoverItem) h = dbn_msg_intake_handover_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
        if (h == NULL)
            return cli_report_error ("handover list", error);
        if (json) {
            g_autofree char *text =
                dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
            JsonNode *node = text ? json_from_string (text, &error) : NULL;
            if (node == NULL)
                return cli_report_error ("handover list", error);
            json_array_add_element (all, node);
            continue;
        }
        g_autofree char *when = cli_format_time (h->at);
        printf ("%s  %s  来自%s (%s) from group %s  %s  %s  %s%s%s%s%s\n", h->handover, when, h->group_name,
                h->group_agent, h->group_name, h->matter, h->applicant, state_zh (h->state),
                h->case_no ? "  案件 case " : "", h->case_no ? h->case_no : "",
                h->reason ? "  理由 reason: " : "", h->reason ? h->reason : "");
    }
    if (json) {
        g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (root, all);
        g_autofree char *text = json_to_string (root, TRUE);
        printf ("%s\n", text);
    }
    return CLI_EXIT_OK;
}

static int
handover_accept (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *key = NULL;
    gboolean consent = FALSE;
    GOptionEntry entries[] = {
        { "consent", 0, 0, G_OPTION_ARG_NONE, &consent, "The applicant entrusts it, at the station (委托)",
          NULL },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("HANDOVER — 受理转交件 / accept a handover");
    g_option_context_set_description (options, "Prints the case number alone on the first line (D-INT-3),\n"
                                               "then every missing material (D-INT-4).");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "handover accept"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban handover accept: give one handover number / 请给出转交编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeHandoverAccept) cmd = dbn_msg_intake_handover_accept_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->handover = g_strdup (argv[1]);
    cmd->consent = consent;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_handover_accept_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("handover accept", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call_intake (data, body, "handover accept", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeHandoverAcceptReply) reply = dbn_msg_intake_handover_accept_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("handover accept", error);
    printf ("%s\n", reply->case_no);
    for (int i = 0; reply->missing != NULL && reply->missing[i] != NULL; i++)
        printf ("缺 missing: %s\n", reply->missing[i]);
    return CLI_EXIT_OK;
}

static int
handover_return (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *reason = NULL, *key = NULL;
    GOptionEntry entries[] = {
        { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why it goes back (理由)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("HANDOVER — 退回转交件 / send a handover back");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "handover return"))
        return CLI_EXIT_USAGE;
    if (argc != 2 || reason == NULL) {
        fprintf (stderr,
                 "daiban handover return: give one handover number and --reason / 请给出转交编号和理由\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeHandoverReturn) cmd = dbn_msg_intake_handover_return_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->handover = g_strdup (argv[1]);
    cmd->reason = g_strdup (reason);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_handover_return_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("handover return", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call_intake (data, body, "handover return", &status);
    if (reply_bytes == NULL)
        return status;
    printf ("%s\n", argv[1]);
    return CLI_EXIT_OK;
}

int
cli_handover (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "submit", handover_submit },
        { "list", handover_list },
        { "accept", handover_accept },
        { "return", handover_return },
        { NULL, NULL },
    };
    return cli_run_subcommand ("handover", handover_usage, subcommands, argc, argv, data_option);
}
