/* cli_common.c: data folder, config, calls with retries, error lines. */
#include "cli_common.h"

#include <stdio.h>

const char *const cli_built_services[] = { "intake", "routing", NULL };

CliContext *
cli_context_new (const char *data_option, GError **error)
{
    g_autoptr (CliContext) self = g_new0 (CliContext, 1);
    self->data_dir = dbn_config_resolve_data_dir (data_option);
    self->config = dbn_config_load (self->data_dir, error);
    if (self->config == NULL)
        return NULL;
    self->bus = dbn_bus_new ();
    self->timeout_ms = 2000;
    const char *env = g_getenv ("DAIBAN_TIMEOUT_MS");
    if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
        self->timeout_ms = (guint) g_ascii_strtoull (env, NULL, 10);
    return g_steal_pointer (&self);
}

void
cli_context_free (CliContext *self)
{
    if (self == NULL)
        return;
    g_clear_pointer (&self->bus, dbn_bus_free);
    g_clear_pointer (&self->config, dbn_config_free);
    g_free (self->data_dir);
    g_free (self);
}

GBytes *
cli_call (CliContext *self, const char *service, GBytes *command, guint attempts, GError **error)
{
    const char *endpoint = dbn_config_get_command_endpoint (self->config, service);
    if (endpoint == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "no service '%s' in daiban.conf", service);
        return NULL;
    }
    g_autoptr (DbnClient) client = dbn_client_new (self->bus, endpoint, error);
    if (client == NULL)
        return NULL;
    g_autoptr (GBytes) reply = NULL;
    g_autoptr (GError) last = NULL;
    for (guint i = 0; i < MAX (attempts, 1) && reply == NULL; i++) {
        g_clear_error (&last);
        reply = dbn_client_call (client, command, self->timeout_ms, &last);
    }
    if (reply == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT,
                     "cannot reach %s at %s (no answer within %u ms, %u tries)",
                     service, endpoint, self->timeout_ms, MAX (attempts, 1));
        return NULL;
    }
    DbnEnvReply env = { 0 };
    if (!dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, error)) {
        g_prefix_error (error, "%s sent a reply daiban cannot read: ", service);
        return NULL;
    }
    if (!env.ok) {
        g_propagate_error (error, dbn_error_new_from_wire (env.code, env.msg_zh, env.msg_en));
        dbn_env_reply_clear (&env);
        return NULL;
    }
    dbn_env_reply_clear (&env);
    return g_steal_pointer (&reply);
}

int
cli_report_error (const char *what, const GError *error)
{
    int status = CLI_EXIT_REFUSED;
    g_autofree char *zh = NULL;
    g_autofree char *en = NULL;
    if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT)) {
        zh = g_strdup ("无法连接服务，请确认 daiban up 正在运行");
        status = CLI_EXIT_UNREACHABLE;
    } else if (g_error_matches (error, DBN_ERROR, DBN_ERROR_CONFIG)) {
        zh = g_strdup ("配置有误");
        status = CLI_EXIT_CONFIG;
    }
    /* Errors from a reply already carry "<en> / <zh>" (dbn_error_new_from_wire);
     * unregistered codes carry "[code]" in the message, registered ones get it
     * here, so scripts can always match the stable code. */
    const char *code = dbn_error_wire_code (error);
    if (zh == NULL && g_strcmp0 (code, "internal") != 0)
        fprintf (stderr, "daiban: %s: [%s] %s\n", what, code, error->message);
    else if (zh == NULL)
        fprintf (stderr, "daiban: %s: %s\n", what, error->message);
    else
        fprintf (stderr, "daiban: %s: %s / 错误: %s\n", what, error->message, zh);
    return status;
}

void
cli_add_data_option (GOptionContext *context, char **data_option)
{
    GOptionEntry entries[] = {
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, data_option,
          "Data folder with daiban.conf, keys and SQLite files; default $DAIBAN_DATA, else the XDG data folder (数据目录)",
          "DIR" },
        { NULL },
    };
    g_option_context_add_main_entries (context, entries, NULL);
}

char *
cli_format_time (gint64 ms)
{
    g_autoptr (GDateTime) t = dbn_clock_local_from_ms (ms);
    return g_date_time_format (t, "%Y-%m-%d %H:%M:%S");
}
