/* cli_common.c: data folder, config, calls with retries, error lines.
 *
 * An error line is for a person: one line, in their language, with the
 * stable code in brackets for scripts (`[routing.nothing-to-carry]
 * 代办站没有待送中心的事项`). The language is gettext's choice, as in the
 * client: the strings are Chinese, client/po/en.po translates them, and
 * LANGUAGE=en (with a locale that is not C) asks for English. A service's
 * refusal carries two sentences, Chinese and English, each "<sentence>:
 * <detail>", where the detail is the service's own English words (which
 * case, which field). In English the line is the English sentence with
 * its detail; in Chinese the Chinese sentence, and of the detail only a
 * file position (`catalog.ini:3`), which reads the same in any language:
 * the full detail is in the service's log and one LANGUAGE=en away.
 * Internal errors and this machine's own setup errors (config, keys,
 * files) keep their detail in both, since the detail is the point there.
 */
#include "cli_common.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

const char *const cli_built_services[] = { "intake", "routing", "deadline", "evaluation", "audit", NULL };

/* --key before the subcommand (owned), and a subcommand's --key-file (GOption's). */
static char *global_key_option;
static char *subcommand_key_option;

void
cli_set_key_option (const char *path)
{
    g_free (global_key_option);
    global_key_option = g_strdup (path);
}

const char *
cli_get_key_option (void)
{
    return subcommand_key_option != NULL ? subcommand_key_option : global_key_option;
}

CliContext *
cli_context_new (const char *data_option, GError **error)
{
    g_autoptr (CliContext) self = g_new0 (CliContext, 1);
    self->data_dir = dbn_config_resolve_data_dir (data_option);
    self->config = dbn_config_load (self->data_dir, error);
    if (self->config == NULL)
        return NULL;
    self->bus = dbn_bus_new ();
    /* CURVE to every service: the --key file, or the operator's own key. */
    g_autofree char *key_path = cli_get_key_option () != NULL
                                    ? g_strdup (cli_get_key_option ())
                                    : dbn_keys_dup_secret_path (self->data_dir, "operator");
    if (!dbn_auth_setup_bus (self->bus, self->config, key_path, error)) {
        if (cli_get_key_option () == NULL && g_error_matches (*error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ))
            g_prefix_error (error, "%s: ",
                            _ ("还没有操作员密钥（请先启动 daiban up 或运行 daiban keys init，"
                               "或用 --key FILE 指定密钥）"));
        return NULL;
    }
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
                     _ ("无法连接 %s（%s，%u 毫秒内无应答，试了 %u 次），请确认 daiban up 正在运行"), service,
                     endpoint, self->timeout_ms, MAX (attempts, 1));
        return NULL;
    }
    g_autoptr (GError) refused = NULL;
    if (!dbn_reply_check (reply, &refused)) {
        if (refused->domain == DBN_CODEC_ERROR) {
            g_prefix_error (&refused, "%s sent a reply daiban cannot read: ", service);
        } else {
            /* The person's line now, from the reply's own code and
             * sentences (the code may be one this build does not know). */
            DbnEnvReply env = { 0 };
            if (dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, NULL)) {
                g_free (refused->message);
                refused->message = cli_dup_refusal_line (env.code, env.msg_zh, env.msg_en);
            }
            dbn_env_reply_clear (&env);
        }
        g_propagate_error (error, g_steal_pointer (&refused));
        return NULL;
    }
    return g_steal_pointer (&reply);
}

gpointer
cli_ask (CliContext *self, const char *service, GBytes *command, guint attempts, CliDecodeFunc decode,
         GError **error)
{
    if (command == NULL)
        return NULL; /* its encoding failed: error says why */
    g_autoptr (GBytes) reply = cli_call (self, service, command, attempts, error);
    return reply != NULL ? decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error) : NULL;
}

gboolean
cli_english (void)
{
    /* Translated only by en.po: gettext's own decision (LANGUAGE, LC_ALL,
     * LC_MESSAGES, LANG), the same one the CLI's other strings follow. */
    return g_strcmp0 (_ ("中文"), "中文") != 0;
}

char *
cli_dup_refusal_line (const char *code, const char *zh, const char *en)
{
    return dbn_error_dup_line (code, zh, en, cli_english (),
                               code == NULL || g_strcmp0 (code, "internal") == 0);
}

char *
cli_dup_error_line (const GError *error)
{
    /* A service's refusal reads so already (cli_call). */
    if (error->message != NULL && error->message[0] == '[')
        return g_strdup (error->message);
    const char *code = dbn_error_wire_code (error);
    /* This machine's own errors: no answer (cli_call's message is in the
     * person's language already), and an unregistered error's own words. */
    if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT) || g_strcmp0 (code, "internal") == 0)
        return g_strdup_printf ("[%s] %s", code, error->message);
    g_autofree char *zh = dbn_error_dup_message_zh (error);
    g_autofree char *en = dbn_error_dup_message_en (error);
    /* Setup errors (daiban.conf, keys, bus): the detail names the file and the fix. */
    gboolean setup = error->domain == DBN_KEYS_ERROR || error->domain == DBN_BUS_ERROR
                     || g_error_matches (error, DBN_ERROR, DBN_ERROR_CONFIG);
    return dbn_error_dup_line (code, zh, en, cli_english (), setup);
}

int
cli_report_error (const char *what, const GError *error)
{
    int status = cli_error_status (error);
    /* One line, in the person's language, with the stable code. */
    g_autofree char *line = cli_dup_error_line (error);
    fprintf (stderr, "daiban: %s: %s\n", what, line);
    return status;
}

int
cli_error_status (const GError *error)
{
    int status = CLI_EXIT_REFUSED;
    if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT)) {
        status = CLI_EXIT_UNREACHABLE;
    } else if (g_error_matches (error, DBN_ERROR, DBN_ERROR_CONFIG)) {
        status = CLI_EXIT_CONFIG;
    } else if (error->domain == DBN_KEYS_ERROR) {
        /* The key files are part of the data folder's setup, like the config,
         * except a principal that exists or does not. */
        if (error->code == DBN_KEYS_ERROR_INVALID_PRINCIPAL)
            status = CLI_EXIT_USAGE;
        else if (error->code != DBN_KEYS_ERROR_EXISTS && error->code != DBN_KEYS_ERROR_NOT_FOUND)
            status = CLI_EXIT_CONFIG;
    } else if (g_error_matches (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE)) {
        status = CLI_EXIT_CONFIG;
    }
    return status;
}

gboolean
cli_parse_options (GOptionContext *context, GOptionEntry *entries, char **data, int *argc, char ***argv,
                   const char *name)
{
    g_autoptr (GError) error = NULL;
    g_option_context_add_main_entries (context, entries, NULL);
    cli_add_data_option (context, data);
    if (!g_option_context_parse (context, argc, argv, &error)) {
        fprintf (stderr, "daiban %s: %s\n", name, error->message);
        return FALSE;
    }
    return TRUE;
}

void
cli_add_data_option (GOptionContext *context, char **data_option)
{
    GOptionEntry entries[] = {
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, data_option,
          "Data folder with daiban.conf, keys and SQLite files; default $DAIBAN_DATA, else the XDG data "
          "folder (数据目录)",
          "DIR" },
        /* Not --key: `case submit --key` is the idempotency key (a stable
         * interface); `daiban --key FILE` before the subcommand is the same. */
        { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &subcommand_key_option,
          "Secret key file to act with (from `daiban keys add`; same as `daiban --key FILE`); default: the "
          "operator's key in DIR/keys (密钥文件)",
          "FILE" },
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

int
cli_run_subcommand (const char *group, const char *usage, const CliSubcommand *table, int argc, char **argv,
                    const char *data_option)
{
    if (argc < 2 || g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0) {
        fputs (usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (const CliSubcommand *sub = table; sub->name != NULL; sub++)
        if (g_strcmp0 (argv[1], sub->name) == 0)
            return sub->run (argc - 1, argv + 1, data_option);
    fprintf (stderr, "daiban %s: unknown command '%s' / 未知命令\n%s", group, argv[1], usage);
    return CLI_EXIT_USAGE;
}

int
cli_print_json (GBytes *message, const char *what)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *text =
        dbn_codec_to_json (g_bytes_get_data (message, NULL), g_bytes_get_size (message), &error);
    if (text == NULL)
        return cli_report_error (what, error);
    printf ("%s\n", text);
    return CLI_EXIT_OK;
}

char **
cli_split_list (const char *text)
{
    GString *s = g_string_new (NULL);
    for (const char *p = text ? text : ""; *p; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);
        if (c == 0xFF0C || c == 0x3001) /* ， 、 */
            g_string_append_c (s, ',');
        else
            g_string_append_unichar (s, c);
    }
    g_auto (GStrv) parts = g_strsplit (s->str, ",", -1);
    g_string_free (s, TRUE);
    GPtrArray *list = g_ptr_array_new ();
    for (int i = 0; parts[i] != NULL; i++) {
        char *item = g_strstrip (parts[i]);
        if (*item != '\0')
            g_ptr_array_add (list, g_strdup (item));
    }
    g_ptr_array_add (list, NULL);
    return (char **) g_ptr_array_free (list, FALSE);
}
