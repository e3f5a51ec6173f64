/* cli_status.c: `daiban status` — is each service reachable, how far is its
 * journal, how long has it run. Exit 0 only when every service answered. */
#include <stdio.h>

#include <json-glib/json-glib.h>

#include "cli_common.h"

static char *
format_uptime (gint64 ms)
{
    gint64 s = ms / 1000;
    if (s < 60)
        return g_strdup_printf ("%" G_GINT64_FORMAT "s", s);
    if (s < 3600)
        return g_strdup_printf ("%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", s / 60, s % 60);
    return g_strdup_printf ("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", s / 3600, (s / 60) % 60);
}

int
cli_status (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 各服务状态 / service status");
    g_option_context_set_description (options,
                                      "For each service: reachable or not, newest journal seq, uptime.\n"
                                      "Exit status 0 only when every service answers, 3 when one does not.");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban status: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("status", error);
    ctx->timeout_ms = MIN (ctx->timeout_ms, 1000);

    g_autoptr (JsonBuilder) builder = json_builder_new ();
    json_builder_begin_array (builder);
    gboolean all_up = TRUE;
    for (int i = 0; cli_built_services[i] != NULL; i++) {
        const char *name = cli_built_services[i];
        g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
        g_autofree char *key = g_uuid_string_random ();
        cmd->env.key = g_strdup (key);
        g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
        g_autoptr (GError) call_error = NULL;
        g_autoptr (GBytes) reply_bytes = cli_call (ctx, name, body, 1, &call_error);
        g_autoptr (DbnMsgSysStatusReply) reply = NULL;
        if (reply_bytes != NULL)
            reply = dbn_msg_sys_status_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                     g_bytes_get_size (reply_bytes), &call_error);
        const char *endpoint = dbn_config_get_command_endpoint (ctx->config, name);
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "service");
        json_builder_add_string_value (builder, name);
        json_builder_set_member_name (builder, "endpoint");
        json_builder_add_string_value (builder, endpoint);
        json_builder_set_member_name (builder, "up");
        json_builder_add_boolean_value (builder, reply != NULL);
        if (reply != NULL) {
            g_autofree char *uptime = format_uptime (reply->uptime_ms);
            json_builder_set_member_name (builder, "seq");
            json_builder_add_int_value (builder, reply->seq);
            json_builder_set_member_name (builder, "uptime_ms");
            json_builder_add_int_value (builder, reply->uptime_ms);
            json_builder_set_member_name (builder, "pid");
            json_builder_add_int_value (builder, reply->pid);
            if (!json)
                printf ("%-12s 运行中 up     seq %-10" G_GINT64_FORMAT " uptime %-8s pid %" G_GINT64_FORMAT
                        "  %s\n",
                        name, reply->seq, uptime, reply->pid, endpoint);
        } else {
            all_up = FALSE;
            json_builder_set_member_name (builder, "error");
            json_builder_add_string_value (builder, call_error->message);
            if (!json)
                printf ("%-12s 未响应 DOWN   %s\n", name, call_error->message);
        }
        json_builder_end_object (builder);
    }
    json_builder_end_array (builder);
    if (json) {
        g_autoptr (JsonNode) root = json_builder_get_root (builder);
        g_autofree char *text = json_to_string (root, TRUE);
        printf ("%s\n", text);
    }
    return all_up ? CLI_EXIT_OK : CLI_EXIT_UNREACHABLE;
}
