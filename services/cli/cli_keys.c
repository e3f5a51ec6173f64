/* cli_keys.c: `daiban keys init|add|revoke|list` — the CURVE keys and the
 * principal registry of a data folder (common/src/dbn_keys.c does the work).
 *
 * These commands touch files only, never a service: the services see a
 * change by re-reading the registry (ZAP at the next handshake, the service
 * frame within 500 ms for connections already open), so `keys revoke` works
 * whether or not `daiban up` is running. The first line of `keys add` is the
 * secret file's path alone, so a script can copy it to the client machine.
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include <daiban/dbn_sign_key.h>

#include "cli_common.h"
#include "audit_service.h"

static const char keys_usage[] =
    "用法 Usage: daiban keys COMMAND [OPTIONS]\n"
    "  init [DIR]          创建服务和管理员密钥 / create the service and operator keys and the registry\n"
    "  add PRINCIPAL       新增客户端密钥 / create a client key: window:<id>, station:<id>,\n"
    "                      committee or supervisor:<area>; front:<id> / back:<id> (前台/后台,\n"
    "                      a window with split_desks = true, D-RTE-6)\n"
    "  revoke PRINCIPAL    吊销密钥 / refuse that key from now on (open connections too)\n"
    "  list                列出全部身份 / every principal, its key and whether it is revoked\n"
    "  export PRINCIPAL    导出公钥 / print PRINCIPAL and its public key, for keys import elsewhere\n"
    "  import PRINCIPAL PUBLIC_KEY\n"
    "                      导入公钥 / register a key made on another set (a county key in each\n"
    "                      township's registry); its secret stays where it was made\n"
    "Each takes --help and --data DIR.\n";

static gboolean
parse (GOptionContext *options, char **data, int *argc, char ***argv, const char *name)
{
    g_autoptr (GError) error = NULL;
    cli_add_data_option (options, data);
    if (!g_option_context_parse (options, argc, argv, &error)) {
        fprintf (stderr, "daiban keys %s: %s\n", name, error->message);
        return FALSE;
    }
    return TRUE;
}

static int
keys_init (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options = g_option_context_new ("[DIR] — 创建密钥 / create the keys");
    g_option_context_set_description (
        options, "Creates DIR/keys (mode 0700), a key pair for every service and one for the\n"
                 "operator (this machine's `daiban`), each secret file mode 0600, and the\n"
                 "registry of public keys. Idempotent: existing keys and revocations are kept.\n"
                 "`daiban up` does this itself on first start.");
    if (!parse (options, &data, &argc, &argv, "init"))
        return CLI_EXIT_USAGE;
    if (argc > 2) {
        fprintf (stderr, "daiban keys init: at most one data folder / 最多一个数据目录\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (argc == 2 ? argv[1] : data);
    g_autoptr (GError) error = NULL;
    /* The registry's times are this process's time: a test that moves
     * the services' clock (DAIBAN_CLOCK_FILE) moves these too. */
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    /* And the audit service's Ed25519 signing key (docs/audit.md). */
    if (!dbn_keys_init (dir, clock, &error) || !audit_signing_key_ensure (dir, &error))
        return cli_report_error ("keys init", error);
    g_autofree char *keys_dir = g_build_filename (dir, "keys", NULL);
    printf ("%s\n", keys_dir);
    printf ("密钥已就绪 keys ready (services and operator)\n");
    return CLI_EXIT_OK;
}

/* Issue 11: a station's, window's or area's id becomes its topic (s/<id>/,
 * ...): it must be one of org.ini, or the key is useless at best and names
 * someone else's queue at worst. */
static gboolean
principal_in_org (const char *principal, GError **error)
{
    if (!dbn_principal_validate (principal, error))
        return FALSE;
    g_autoptr (DbnOrg) org = dbn_org_load (dbn_org_default_path (), error);
    return org != NULL && dbn_org_check_principal (org, principal, error);
}

static int
keys_add (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options =
        g_option_context_new ("PRINCIPAL — 新增客户端密钥 / add a client key");
    g_option_context_set_description (
        options, "PRINCIPAL is window:<id>, station:<id>, committee or supervisor:<area>,\n"
                 "where the id is a window, station or area of org.ini (org.unknown-id otherwise),\n"
                 "or front:<id> / back:<id>, the front desk or back office of a window whose\n"
                 "org.ini group has split_desks = true (org.desks-not-split otherwise, D-RTE-6).\n"
                 "Writes its secret key file (mode 0600) under DIR/keys and registers its\n"
                 "public key; prints the file's path alone on the first line. Copy that\n"
                 "file to the machine that uses it only. A principal with a valid key is\n"
                 "refused (keys.exists): revoke the old key first.");
    if (!parse (options, &data, &argc, &argv, "add"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban keys add: give one principal / 请给出一个身份\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;
    if (!principal_in_org (argv[1], &error))
        return cli_report_error ("keys add", error);
    /* The registry's times are this process's time: a test that moves
     * the services' clock (DAIBAN_CLOCK_FILE) moves these too. */
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    if (!dbn_keys_add (dir, argv[1], clock, &path, &error))
        return cli_report_error ("keys add", error);
    printf ("%s\n", path);
    printf ("已为 %s 创建密钥 key created for %s (mode 0600: copy it only to that machine)\n", argv[1],
            argv[1]);
    if (dbn_principal_get_kind (argv[1]) == DBN_PRINCIPAL_LEADER) {
        /* D-AUD-6: the summaries are signed with the key beside it. */
        g_autofree char *sign = dbn_keys_dup_sign_path (dir, argv[1]);
        printf ("签名密钥 signing key (Ed25519, mode 0600, beside it): %s\n", sign);
    }
    return CLI_EXIT_OK;
}

static int
keys_revoke (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options = g_option_context_new ("PRINCIPAL — 吊销密钥 / revoke a key");
    g_option_context_set_description (
        options, "Marks the principal's key revoked in the registry. Services refuse it on\n"
                 "new connections and on connections already open within about a second.\n"
                 "Revoking a revoked principal changes nothing.");
    if (!parse (options, &data, &argc, &argv, "revoke"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban keys revoke: give one principal / 请给出一个身份\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (GError) error = NULL;
    /* The registry's times are this process's time: a test that moves
     * the services' clock (DAIBAN_CLOCK_FILE) moves these too. */
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    if (!dbn_keys_revoke (dir, argv[1], clock, &error))
        return cli_report_error ("keys revoke", error);
    printf ("已吊销 revoked: %s\n", argv[1]);
    return CLI_EXIT_OK;
}

static int
keys_list (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 列出全部身份 / list the principals");
    g_option_context_set_description (
        options, "One line per registered principal: name, active or revoked, when it was\n"
                 "created (and revoked), and its public key. Secret keys are never shown.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "list"))
        return CLI_EXIT_USAGE;
    if (argc != 1) {
        fprintf (stderr, "daiban keys list: takes no arguments / 不需要参数\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnRegistry) registry = dbn_registry_load (dir, &error);
    if (registry == NULL)
        return cli_report_error ("keys list", error);
    g_auto (GStrv) principals = dbn_registry_dup_principals (registry);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    json_builder_begin_array (builder);
    for (gsize i = 0; principals[i] != NULL; i++) {
        const char *name = principals[i];
        gboolean revoked = dbn_registry_is_revoked (registry, name);
        const char *created = dbn_registry_get_created (registry, name);
        const char *revoked_at = dbn_registry_get_revoked_at (registry, name);
        const char *public_key = dbn_registry_get_public_key (registry, name);
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "principal");
        json_builder_add_string_value (builder, name);
        json_builder_set_member_name (builder, "public_key");
        json_builder_add_string_value (builder, public_key);
        json_builder_set_member_name (builder, "created");
        json_builder_add_string_value (builder, created);
        json_builder_set_member_name (builder, "revoked");
        json_builder_add_boolean_value (builder, revoked);
        json_builder_set_member_name (builder, "revoked_at");
        if (revoked_at != NULL)
            json_builder_add_string_value (builder, revoked_at);
        else
            json_builder_add_null_value (builder);
        json_builder_end_object (builder);
        if (!json)
            printf ("%-24s %-14s %-32s %s%s%s\n", name, revoked ? "已吊销 revoked" : "有效 active",
                    created ? created : "-", public_key, revoked_at ? "  revoked " : "",
                    revoked_at ? revoked_at : "");
    }
    json_builder_end_array (builder);
    if (json) {
        g_autoptr (JsonNode) root = json_builder_get_root (builder);
        g_autofree char *text = json_to_string (root, TRUE);
        printf ("%s\n", text);
    }
    return CLI_EXIT_OK;
}

static int
keys_export (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options = g_option_context_new ("PRINCIPAL — 导出公钥 / export a public key");
    g_option_context_set_description (
        options, "Prints PRINCIPAL and its public key on one line, the arguments of\n"
                 "`daiban keys import` on another set. The secret is never printed.");
    if (!parse (options, &data, &argc, &argv, "export"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban keys export: give one principal / 请给出一个身份\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnRegistry) registry = dbn_registry_load (dir, &error);
    if (registry == NULL)
        return cli_report_error ("keys export", error);
    const char *public_key = dbn_registry_get_public_key (registry, argv[1]);
    if (public_key == NULL || dbn_registry_is_revoked (registry, argv[1])) {
        g_set_error (&error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_NOT_FOUND, "%s has no valid key in this registry",
                     argv[1]);
        return cli_report_error ("keys export", error);
    }
    printf ("%s %s\n", argv[1], public_key);
    return CLI_EXIT_OK;
}

static int
keys_import (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options =
        g_option_context_new ("PRINCIPAL PUBLIC_KEY — 导入公钥 / import a public key");
    g_option_context_set_description (
        options, "Registers a key made on another set (`daiban keys export PRINCIPAL` there),\n"
                 "e.g. a county department's or the county committee's key in each township's\n"
                 "registry. The id is checked against this set's org.ini. The same key again\n"
                 "changes nothing; another valid key is refused (keys.exists). Running services\n"
                 "see it within a second, as after keys add.");
    /* A Z85 key may begin with '-' (1 in 85): taken out before GOption,
     * which would read it as options, and put back as the last argument.
     * Only this command's own options ("--data=…" can be 40 Z85
     * characters) are left to GOption; "--" is dropped. */
    g_autofree char *key = NULL;
    for (int i = 1; i < argc && key == NULL; i++) {
        if (argv[i][0] == '-' && !g_str_has_prefix (argv[i], "--data") && !g_str_has_prefix (argv[i], "--help")
            && !g_str_has_prefix (argv[i], "-d") && dbn_keys_is_z85 (argv[i])) {
            key = g_strdup (argv[i]);
            memmove (&argv[i], &argv[i + 1], (gsize) (argc - i) * sizeof *argv);
            argc--;
        }
    }
    if (!parse (options, &data, &argc, &argv, "import"))
        return CLI_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--") == 0) {
            memmove (&argv[i], &argv[i + 1], (gsize) (argc - i) * sizeof *argv);
            argc--;
            break;
        }
    }
    if (key != NULL && argc == 2) {
        argv[2] = key;
        argc = 3;
    }
    if (argc != 3) {
        fprintf (stderr, "daiban keys import: give a principal and its public key / 请给出身份和公钥\n");
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (GError) error = NULL;
    if (!principal_in_org (argv[1], &error))
        return cli_report_error ("keys import", error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    gboolean changed = FALSE;
    if (!dbn_keys_import (dir, argv[1], argv[2], clock, &changed, &error))
        return cli_report_error ("keys import", error);
    if (changed)
        printf ("已导入 %s 的公钥 public key of %s imported\n", argv[1], argv[1]);
    else
        printf ("%s 已登记同一公钥 %s already has this key\n", argv[1], argv[1]);
    return CLI_EXIT_OK;
}

int
cli_keys (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "init", keys_init }, { "add", keys_add }, { "revoke", keys_revoke },
        { "list", keys_list }, { "export", keys_export }, { "import", keys_import },
        { NULL, NULL },
    };
    return cli_run_subcommand ("keys", keys_usage, subcommands, argc, argv, data_option);
}
