/* cli_events.c: `daiban events SERVICE --since N` reads a journal through
 * the sync protocol, exactly as a consuming service does: sys.sync pages of
 * up to 1000 events until the newest seq is reached. */
#include <stdio.h>

#include "cli_common.h"

int
cli_events (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gint64 since = 0, limit = 0;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "since", 0, 0, G_OPTION_ARG_INT64, &since, "Events with seq greater than N (default 0: all)", "N" },
        { "limit", 0, 0, G_OPTION_ARG_INT64, &limit, "At most this many events (default: all)", "K" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line (JSON Lines)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("SERVICE — 事件日志 / a service's journal");
    g_option_context_set_description (options,
                                      "Prints seq, time, type, case and actor of each event, oldest first.");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban events: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (argc != 2 || since < 0 || limit < 0) {
        fprintf (stderr,
                 "daiban events: give one service name, and --since/--limit of 0 or more / 请给出服务名\n");
        return CLI_EXIT_USAGE;
    }
    const char *service = argv[1];
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("events", error);

    gint64 after = since, printed = 0;
    for (;;) {
        g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->after = after;
        if (limit > 0) {
            cmd->has_max = TRUE;
            cmd->max = MIN (limit - printed, 1000);
        }
        g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, &error);
        g_autoptr (GBytes) reply_bytes = body ? cli_call (ctx, service, body, 2, &error) : NULL;
        g_autoptr (DbnMsgSysSyncReply) reply =
            reply_bytes ? dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                         g_bytes_get_size (reply_bytes), &error)
                        : NULL;
        if (reply == NULL)
            return cli_report_error ("events", error);
        for (guint i = 0; i < reply->events->len; i++) {
            GBytes *ev = g_ptr_array_index (reply->events, i);
            gsize len = 0;
            const guint8 *bytes = g_bytes_get_data (ev, &len);
            DbnEnvEvent env = { 0 };
            if (!dbn_env_event_decode (bytes, len, &env, &error))
                return cli_report_error ("events", error);
            if (json) {
                g_autofree char *text = dbn_codec_to_json (bytes, len, &error);
                if (text == NULL) {
                    dbn_env_event_clear (&env);
                    return cli_report_error ("events", error);
                }
                printf ("%s\n", text);
            } else {
                g_autofree char *when = cli_format_time (env.ts);
                printf ("%-8" G_GINT64_FORMAT " %s  %-26s %-18s %s\n", env.seq, when, env.type,
                        env.case_no ? env.case_no : "-", env.actor);
            }
            after = env.seq;
            dbn_env_event_clear (&env);
            printed++;
        }
        if (reply->events->len == 0 || after >= reply->newest || (limit > 0 && printed >= limit))
            break;
    }
    fflush (stdout);
    return CLI_EXIT_OK;
}
