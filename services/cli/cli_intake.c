/* cli_intake.c: `daiban catalog`, `daiban visit`, and the intake side of
 * `daiban case` beyond submit/show: supplement, refuse, notice.
 *
 * `catalog list` and `catalog show` read the catalog file daiban.conf
 * names, the one the services load; `catalog reload` asks intake, routing
 * and deadline to put it in force (D-CAT-3) and prints each one's answer: a
 * broken file is refused by the first with its line and reason, and the
 * catalog in force stays everywhere.
 *
 * `case notice` prints the result notice (办理结果告知单, D-RPL-3) of a
 * replied case from what the services journaled: intake's record and
 * routing's case.replied (and case.returned) events. It is produced on
 * demand, not stored, so it can always be printed again and never
 * disagrees with the record.
 */
#include "cli_intake.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

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

/* Sends body to service; NULL after printing the error (*status set). */
static GBytes *
call (const char *data, const char *service, GBytes *body, const char *what, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    GBytes *reply = ctx ? cli_call (ctx, service, body, 3, &error) : NULL;
    if (reply == NULL)
        *status = cli_report_error (what, error);
    return reply;
}

/* ---- catalog ---- */

static const char catalog_usage[] =
    "用法 Usage: daiban catalog COMMAND [OPTIONS]\n"
    "  list     事项清单 / the matters of the catalog (--json)\n"
    "  show     一个事项 / one matter: CODE (--json)\n"
    "  reload   重新加载 / put the edited catalog file in force without a restart\n";

static JsonNode *
matter_to_json (DbnCatalog *catalog, const DbnMatter *m)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "code");
    json_builder_add_string_value (b, m->code);
    json_builder_set_member_name (b, "category");
    json_builder_add_string_value (b, m->category);
    json_builder_set_member_name (b, "category_zh");
    json_builder_add_string_value (b, dbn_catalog_get_category_name (catalog, m->category, TRUE));
    json_builder_set_member_name (b, "name_zh");
    json_builder_add_string_value (b, m->name_zh);
    json_builder_set_member_name (b, "name_en");
    json_builder_add_string_value (b, m->name_en);
    json_builder_set_member_name (b, "materials");
    json_builder_begin_array (b);
    for (int i = 0; m->materials[i] != NULL; i++)
        json_builder_add_string_value (b, m->materials[i]);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "level");
    json_builder_add_string_value (b, dbn_deciding_level_to_string (m->level));
    json_builder_set_member_name (b, "departments");
    json_builder_begin_array (b);
    for (int i = 0; m->departments[i] != NULL; i++)
        json_builder_add_string_value (b, m->departments[i]);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "window");
    json_builder_add_string_value (b, m->window);
    json_builder_set_member_name (b, "kind");
    json_builder_add_string_value (b, dbn_handling_kind_to_string (m->kind));
    json_builder_set_member_name (b, "limit_days");
    json_builder_add_int_value (b, m->limit_days);
    json_builder_set_member_name (b, "presence");
    json_builder_add_boolean_value (b, m->presence);
    json_builder_set_member_name (b, "fee_fen");
    json_builder_add_int_value (b, m->fee_fen);
    json_builder_set_member_name (b, "restricted");
    json_builder_add_boolean_value (b, m->restricted);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

static void
print_json_node (JsonNode *node)
{
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    json_generator_set_root (gen, node);
    g_autofree char *text = json_generator_to_data (gen, NULL);
    printf ("%s\n", text);
}

/* The catalog daiban.conf names. NULL after printing the error. */
static DbnCatalog *
load_catalog (const char *data, const char *what, int *status)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    DbnCatalog *catalog = config ? dbn_catalog_load (dbn_config_get_catalog_path (config), &error) : NULL;
    if (catalog == NULL) {
        g_autofree char *line = cli_dup_error_line (error);
        fprintf (stderr, "daiban: %s: %s\n", what, line);
        *status = CLI_EXIT_CONFIG;
    }
    return catalog;
}

static int
catalog_list_or_show (int argc, char **argv, const char *data_option, gboolean show)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    const char *what = show ? "catalog show" : "catalog list";
    g_autoptr (GOptionContext) options = g_option_context_new (
        show ? "CODE — 查看事项 / one matter of the catalog" : "— 事项清单 / the matter catalog");
    g_option_context_set_description (
        options, "Reads the catalog file daiban.conf names (`catalog =`), the one the services\n"
                 "load; after editing it, `daiban catalog reload` puts it in force.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, what))
        return CLI_EXIT_USAGE;
    if (argc != (show ? 2 : 1)) {
        fprintf (stderr, "daiban %s: %s\n", what,
                 show ? "give one matter code / 请给出事项编码" : "takes no arguments");
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_OK;
    g_autoptr (DbnCatalog) catalog = load_catalog (data, what, &status);
    if (catalog == NULL)
        return status;
    if (show) {
        const DbnMatter *m = dbn_catalog_lookup (catalog, argv[1]);
        if (m == NULL) {
            /* One line in the person's language, as every refusal (cli_common.c). */
            fprintf (stderr, "daiban: %s: [not-found] ", what);
            fprintf (stderr, _ ("事项清单中没有事项“%s”"), argv[1]);
            fputc ('\n', stderr);
            return CLI_EXIT_REFUSED;
        }
        g_autoptr (JsonNode) node = matter_to_json (catalog, m);
        if (json) {
            print_json_node (node);
            return CLI_EXIT_OK;
        }
        g_autofree char *materials = g_strjoinv ("、", m->materials);
        g_autofree char *departments = g_strjoinv ("、", m->departments);
        printf ("事项 Matter         %s %s / %s\n", m->code, m->name_zh, m->name_en);
        printf ("类别 Category       %s\n", dbn_catalog_get_category_name (catalog, m->category, TRUE));
        printf ("材料 Materials      %s\n", materials);
        printf ("决定层级 Level      %s\n", dbn_deciding_level_to_string (m->level));
        printf ("部门 Departments    %s\n", departments);
        printf ("窗口 Window         %s\n", m->window);
        printf ("办理类别 Kind       %s\n", dbn_handling_kind_to_string (m->kind));
        printf ("时限 Limit          %d 个工作日 working days\n", m->limit_days);
        printf ("本人到场 Presence   %s\n", m->presence ? "是 yes" : "否 no");
        printf ("工本费 Fee          %.2f 元 yuan\n", m->fee_fen / 100.0);
        if (m->restricted)
            printf ("保密 Restricted     是 yes (D-INT-8)\n");
        return CLI_EXIT_OK;
    }
    if (json) {
        g_autoptr (JsonArray) all = json_array_new ();
        for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++)
            json_array_add_element (all, matter_to_json (catalog, dbn_catalog_get_matter (catalog, i)));
        g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (root, all);
        print_json_node (root);
        return CLI_EXIT_OK;
    }
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (catalog, i);
        printf ("%-18s %-10s %-9s %-10s %3d  %s / %s\n", m->code, m->window,
                dbn_handling_kind_to_string (m->kind), dbn_deciding_level_to_string (m->level), m->limit_days,
                m->name_zh, m->name_en);
    }
    return CLI_EXIT_OK;
}

static int
catalog_reload (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autoptr (GOptionContext) options = g_option_context_new ("— 重新加载事项清单 / reload the catalog");
    g_option_context_set_description (
        options, "Asks intake, routing and deadline (every service that holds the catalog),\n"
                 "in that order, to load the catalog file daiban.conf names and put it in\n"
                 "force without a restart (D-CAT-3); a changed limit_days applies to the\n"
                 "promised dates of cases accepted after it. A broken file is refused with\n"
                 "its line and reason ([catalog.parse], [catalog.invalid], [org.catalog]) and\n"
                 "the catalog in force stays. Operator or supervisor keys only.");
    if (!parse (options, &data, &argc, &argv, "catalog reload"))
        return CLI_EXIT_USAGE;
    /* Every service that holds the catalog (D-CAT-3). */
    const char *const services[] = { "intake", "routing", "deadline" };
    for (gsize i = 0; i < G_N_ELEMENTS (services); i++) {
        g_autoptr (DbnMsgCatalogReload) cmd = dbn_msg_catalog_reload_new ();
        cmd->env.key = g_uuid_string_random ();
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) body = dbn_msg_catalog_reload_encode (cmd, &error);
        int status = CLI_EXIT_OK;
        g_autofree char *what = g_strdup_printf ("catalog reload (%s)", services[i]);
        g_autoptr (GBytes) reply_bytes = body ? call (data, services[i], body, what, &status) : NULL;
        if (reply_bytes == NULL)
            return body ? status : cli_report_error (what, error);
        g_autoptr (DbnMsgCatalogReloadReply) reply = dbn_msg_catalog_reload_reply_decode (
            g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
        if (reply == NULL)
            return cli_report_error (what, error);
        printf ("%s: %" G_GINT64_FORMAT " 项 matters in force / 已生效 (%s)\n", services[i], reply->matters,
                reply->path);
    }
    return CLI_EXIT_OK;
}

static int
catalog_list (int argc, char **argv, const char *data_option)
{
    return catalog_list_or_show (argc, argv, data_option, FALSE);
}

static int
catalog_show (int argc, char **argv, const char *data_option)
{
    return catalog_list_or_show (argc, argv, data_option, TRUE);
}

int
cli_catalog (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "list", catalog_list },
        { "show", catalog_show },
        { "reload", catalog_reload },
        { NULL, NULL },
    };
    return cli_run_subcommand ("catalog", catalog_usage, subcommands, argc, argv, data_option);
}

/* ---- visits (D-INT-1) ---- */

static const char visit_usage[] =
    "用法 Usage: daiban visit COMMAND [OPTIONS]\n"
    "  add      记录入户走访 / record a household visit and the needs found\n"
    "  list     走访记录 / the visits of a village, newest first (--json)\n"
    "  must-add   列入三必访名单 / put a household on the village's must-visit list\n"
    "  must-list  三必访名单 / the must-visit list, last visit and next due (--json)\n"
    "  must-due   应访、逾期 / the households due or overdue for a visit (--json)\n"
    "A need becomes a request in one step: daiban case submit --from-visit VISIT ...\n";

static int
visit_add (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *village = NULL, *household = NULL, *address = NULL, *needs = NULL;
    g_autofree char *must_visit = NULL, *note = NULL, *key = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "village", 0, 0, G_OPTION_ARG_STRING, &village, "Village (村)", "VILLAGE" },
        { "household", 0, 0, G_OPTION_ARG_STRING, &household, "Head of the household (户主)", "NAME" },
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Home address (住址)", "ADDRESS" },
        { "needs", 0, 0, G_OPTION_ARG_STRING, &needs, "Needs found, comma-separated (诉求)", "A,B,..." },
        { "must-visit", 0, 0, G_OPTION_ARG_STRING, &must_visit,
          "Must-visit list (三必访): hardship, petitioner or party_member", "KIND" },
        { "note", 0, 0, G_OPTION_ARG_STRING, &note, "Notes (民情日志)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON after the visit number", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 入户走访 / record a household visit");
    g_option_context_set_description (
        options, "Prints the visit number alone on the first line (D-INT-1). A station's key\n"
                 "records visits of its own village only.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "visit add"))
        return CLI_EXIT_USAGE;
    if (village == NULL || household == NULL) {
        fprintf (
            stderr,
            "daiban visit add: --village and --household are required / 缺少 --village 或 --household\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeVisit) cmd = dbn_msg_intake_visit_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->village = g_strdup (village);
    cmd->household = g_strdup (household);
    cmd->address = g_strdup (address);
    cmd->needs = cli_split_list (needs);
    cmd->must_visit = g_strdup (must_visit);
    cmd->note = g_strdup (note);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_visit_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("visit add", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "visit add", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeVisitReply) reply = dbn_msg_intake_visit_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("visit add", error);
    printf ("%s\n", reply->visit);
    return json ? cli_print_json (reply_bytes, "visit add") : CLI_EXIT_OK;
}

static int
visit_list (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("VILLAGE — 走访记录 / household visits");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "visit list"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban visit list: give one village / 请给出村\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeVisitList) cmd = dbn_msg_intake_visit_list_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->village = g_strdup (argv[1]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_visit_list_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("visit list", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "visit list", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeVisitListReply) reply = dbn_msg_intake_visit_list_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("visit list", error);
    g_autoptr (JsonArray) all = json_array_new ();
    for (guint i = 0; i < reply->visits->len; i++) {
        GBytes *frame = g_ptr_array_index (reply->visits, i);
        g_autoptr (DbnMsgIntakeVisitItem) v = dbn_msg_intake_visit_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
        if (v == NULL)
            return cli_report_error ("visit list", error);
        if (json) {
            g_autofree char *text =
                dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
            JsonNode *node = text ? json_from_string (text, &error) : NULL;
            if (node == NULL)
                return cli_report_error ("visit list", error);
            json_array_add_element (all, node);
            continue;
        }
        g_autofree char *when = cli_format_time (v->visited_at);
        g_autofree char *needs = g_strjoinv ("、", v->needs);
        g_autofree char *cases = g_strjoinv ("、", v->cases);
        printf ("%s  %s  %s  %s%s%s  诉求 needs: %s  案件 cases: %s\n", v->visit, when, v->household,
                v->visited_by, v->must_visit ? "  三必访 " : "", v->must_visit ? v->must_visit : "",
                *needs ? needs : "—", *cases ? cases : "—");
    }
    if (json) {
        g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (root, all);
        print_json_node (root);
    }
    return CLI_EXIT_OK;
}

/* D-INT-1: must-visit lists (三必访). */
static int
visit_must_add (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *village = NULL, *household = NULL, *kind = NULL, *address = NULL, *note = NULL;
    g_autofree char *key = NULL;
    gint interval = 0;
    GOptionEntry entries[] = {
        { "village", 0, 0, G_OPTION_ARG_STRING, &village, "Village (村)", "VILLAGE" },
        { "household", 0, 0, G_OPTION_ARG_STRING, &household, "Head of the household (户主)", "NAME" },
        { "kind", 0, 0, G_OPTION_ARG_STRING, &kind,
          "hardship (困难户), petitioner (上访户) or party_member (老党员)", "KIND" },
        { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Days between visits (default 30: monthly)",
          "DAYS" },
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Home address (住址)", "ADDRESS" },
        { "note", 0, 0, G_OPTION_ARG_STRING, &note, "Why the household is listed (备注)", "TEXT" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 列入三必访名单 / put on the must-visit list");
    g_option_context_set_description (options,
                                      "The same village and household again changes its kind or interval.\n"
                                      "A station's key keeps its own village's list only.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "visit must-add"))
        return CLI_EXIT_USAGE;
    if (village == NULL || household == NULL || kind == NULL) {
        fprintf (stderr, "daiban visit must-add: --village, --household and --kind are required / "
                         "缺少 --village、--household 或 --kind\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeMustAdd) cmd = dbn_msg_intake_must_add_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->village = g_strdup (village);
    cmd->household = g_strdup (household);
    cmd->kind = g_strdup (kind);
    cmd->has_interval_days = interval != 0;
    cmd->interval_days = interval;
    cmd->address = g_strdup (address);
    cmd->note = g_strdup (note);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_must_add_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("visit must-add", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "visit must-add", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeMustAddReply) reply = dbn_msg_intake_must_add_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("visit must-add", error);
    printf ("%s  %s  %s  每 %" G_GINT64_FORMAT " 天 every %" G_GINT64_FORMAT " days\n", reply->village,
            reply->household, reply->added ? "已列入 listed" : "已更改 changed", reply->interval_days,
            reply->interval_days);
    return CLI_EXIT_OK;
}

static const char *
must_state_zh (const char *state)
{
    if (g_strcmp0 (state, "overdue") == 0)
        return "逾期 overdue";
    if (g_strcmp0 (state, "due") == 0)
        return "应访 due";
    return "正常 ok";
}

static int
must_list_run (int argc, char **argv, const char *data_option, gboolean due_only, const char *what)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new (
        due_only ? "VILLAGE — 应访、逾期 / due or overdue" : "VILLAGE — 三必访名单 / must-visit list");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, what))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban %s: give one village / 请给出村\n", what);
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeMustList) cmd = dbn_msg_intake_must_list_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->village = g_strdup (argv[1]);
    cmd->has_due = due_only;
    cmd->due = due_only;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_must_list_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error (what, error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, what, &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeMustListReply) reply = dbn_msg_intake_must_list_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error (what, error);
    g_autoptr (JsonArray) all = json_array_new ();
    for (guint i = 0; i < reply->items->len; i++) {
        GBytes *frame = g_ptr_array_index (reply->items, i);
        g_autoptr (DbnMsgIntakeMustItem) m = dbn_msg_intake_must_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
        if (m == NULL)
            return cli_report_error (what, error);
        if (json) {
            g_autofree char *text =
                dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
            JsonNode *node = text ? json_from_string (text, &error) : NULL;
            if (node == NULL)
                return cli_report_error (what, error);
            json_array_add_element (all, node);
            continue;
        }
        g_autofree char *due = cli_format_time (m->due_at);
        g_autofree char *last =
            m->has_last_visited_at ? cli_format_time (m->last_visited_at) : g_strdup ("—");
        printf ("%s  %s  %s  每 %" G_GINT64_FORMAT " 天  上次 last: %s  应访 due: %s  %s\n", m->household,
                m->kind, must_state_zh (m->state), m->interval_days, last, due,
                m->last_visit ? m->last_visit : "");
    }
    if (json) {
        g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (root, all);
        print_json_node (root);
    }
    return CLI_EXIT_OK;
}

static int
visit_must_list (int argc, char **argv, const char *data_option)
{
    return must_list_run (argc, argv, data_option, FALSE, "visit must-list");
}

static int
visit_must_due (int argc, char **argv, const char *data_option)
{
    return must_list_run (argc, argv, data_option, TRUE, "visit must-due");
}

int
cli_visit (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "add", visit_add },           { "list", visit_list },
        { "must-add", visit_must_add }, { "must-list", visit_must_list },
        { "must-due", visit_must_due }, { NULL, NULL },
    };
    return cli_run_subcommand ("visit", visit_usage, subcommands, argc, argv, data_option);
}

/* ---- logbook (D-INT-3) ---- */

/* "2026-11-27" → ms at 00:00 of that day in China time (UTC+8); -1 if bad. */
static gint64
parse_day_ms (const char *text)
{
    int y, m, d;
    char tail;
    if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return -1;
    g_autoptr (GTimeZone) china = g_time_zone_new_offset (8 * 3600);
    g_autoptr (GDateTime) day = g_date_time_new (china, y, m, d, 0, 0, 0);
    return day ? g_date_time_to_unix (day) * 1000 : -1;
}

int
cli_logbook (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *from = NULL, *to = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "from", 0, 0, G_OPTION_ARG_STRING, &from, "From this day on (起始日期)", "YYYY-MM-DD" },
        { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Up to and including this day (截止日期)", "YYYY-MM-DD" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("VILLAGE — 代办记录簿 / the logbook of a village");
    g_option_context_set_description (
        options, "Every request the village's station took, accepted or refused, oldest first (D-INT-3):\n"
                 "number, time, applicant (ID masked), matter, channel, who took it, and the missing\n"
                 "materials told or the refusal's reason.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "logbook"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban logbook: give one village / 请给出村\n");
        return CLI_EXIT_USAGE;
    }
    gint64 from_ms = from ? parse_day_ms (from) : 0, to_ms = to ? parse_day_ms (to) : 0;
    if (from_ms < 0 || to_ms < 0) {
        fprintf (stderr, "daiban logbook: dates are YYYY-MM-DD / 日期格式为 YYYY-MM-DD\n");
        return CLI_EXIT_USAGE;
    }
    gboolean has_from = from != NULL;
    g_autofree char *after = NULL; /* the last line read: the next page starts after it */
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonArray) all = json_array_new ();
    gboolean more = TRUE;
    guint lines = 0;
    while (more) {
        g_autoptr (DbnMsgIntakeLogbook) cmd = dbn_msg_intake_logbook_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->village = g_strdup (argv[1]);
        cmd->has_from_ms = has_from;
        cmd->after = g_strdup (after);
        cmd->from_ms = from_ms;
        cmd->has_to_ms = to != NULL;
        cmd->to_ms = to_ms + 24 * 3600 * 1000; /* the whole last day */
        g_autoptr (GBytes) body = dbn_msg_intake_logbook_encode (cmd, &error);
        if (body == NULL)
            return cli_report_error ("logbook", error);
        int status = CLI_EXIT_OK;
        g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "logbook", &status);
        if (reply_bytes == NULL)
            return status;
        g_autoptr (DbnMsgIntakeLogbookReply) reply = dbn_msg_intake_logbook_reply_decode (
            g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
        if (reply == NULL)
            return cli_report_error ("logbook", error);
        gint64 last_at = from_ms;
        for (guint i = 0; i < reply->entries->len; i++) {
            GBytes *frame = g_ptr_array_index (reply->entries, i);
            g_autoptr (DbnMsgIntakeLogbookEntry) e = dbn_msg_intake_logbook_entry_decode (
                g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
            if (e == NULL)
                return cli_report_error ("logbook", error);
            last_at = e->at;
            g_free (after);
            after = g_strdup (e->number);
            lines++;
            if (json) {
                g_autofree char *text =
                    dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
                JsonNode *node = text ? json_from_string (text, &error) : NULL;
                if (node == NULL)
                    return cli_report_error ("logbook", error);
                json_array_add_element (all, node);
                continue;
            }
            g_autofree char *when = cli_format_time (e->at);
            const char *entry = g_strcmp0 (e->entry, "refused") == 0 ? "不予受理 refused"
                                : g_strcmp0 (e->entry, "awaiting_materials") == 0
                                    ? "待补材料 awaiting materials"
                                    : "受理 accepted";
            printf ("%s  %s  %s  %s %s  %s  %s  %s%s%s\n", e->number, when, entry, e->applicant,
                    e->id_number ? e->id_number : "", e->matter ? e->matter : "—", e->channel, e->by,
                    e->detail ? "  " : "", e->detail ? e->detail : "");
        }
        /* A full page: the next starts after its last line (time, number). */
        more = reply->truncated && reply->entries->len > 0;
        if (more) {
            has_from = TRUE;
            from_ms = last_at;
        }
    }
    if (json) {
        g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (root, all);
        print_json_node (root);
    } else if (lines == 0) {
        printf ("（无记录 no entries）\n");
    }
    return CLI_EXIT_OK;
}

/* ---- case supplement | refuse | notice ---- */

static int
case_supplement (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *materials = NULL, *key = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "materials", 0, 0, G_OPTION_ARG_STRING, &materials,
          "Materials handed in now, comma-separated (补交材料)", "A,B,..." },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("NUMBER — 补交材料 / supplement materials");
    g_option_context_set_description (
        options, "Strikes the materials handed in from the case's missing list (D-INT-4). When\n"
                 "nothing is missing any more the case resumes (case.materials_supplemented);\n"
                 "otherwise the rest is told again. Prints the case number and its state.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "case supplement"))
        return CLI_EXIT_USAGE;
    if (argc != 2 || materials == NULL) {
        fprintf (
            stderr,
            "daiban case supplement: give one case number and --materials / 请给出案件编号和 --materials\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgIntakeSupplement) cmd = dbn_msg_intake_supplement_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->case_no = g_strdup (argv[1]);
    cmd->materials = cli_split_list (materials);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_supplement_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("case supplement", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "case supplement", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeSupplementReply) reply = dbn_msg_intake_supplement_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("case supplement", error);
    if (json)
        return cli_print_json (reply_bytes, "case supplement");
    g_autofree char *missing = g_strjoinv ("、", reply->missing);
    printf ("%s  状态 state: %s%s%s\n", reply->case_no, reply->state,
            *missing ? "  仍缺 still missing: " : "", missing);
    return CLI_EXIT_OK;
}

static int
case_refuse (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *applicant = NULL, *village = NULL, *matter = NULL, *request = NULL;
    g_autofree char *reason = NULL, *apply_to = NULL, *channel = NULL, *key = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "applicant", 0, 0, G_OPTION_ARG_STRING, &applicant, "Applicant's name (申办人)", "NAME" },
        { "village", 0, 0, G_OPTION_ARG_STRING, &village, "Village / station (村)", "VILLAGE" },
        { "matter", 0, 0, G_OPTION_ARG_STRING, &matter, "Catalog code, when the request names one", "CODE" },
        { "request", 0, 0, G_OPTION_ARG_STRING, &request, "What was asked (诉求)", "TEXT" },
        { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why it is refused (不予受理理由)", "TEXT" },
        { "apply-to", 0, 0, G_OPTION_ARG_STRING, &apply_to, "Where to apply instead (告知去处)", "WHERE" },
        { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, "station, walk-in or phone", "CHANNEL" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key: repeat it to retry safely", "KEY" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON after the refusal number", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 不予受理 / refuse a request at intake");
    g_option_context_set_description (
        options, "An out-of-scope, illegal or prohibited request is refused with a written\n"
                 "reason and where to apply instead (D-INT-5). No case is made; the refusal is\n"
                 "numbered (<township>-<year>-R<6 digits>, alone on the first line) and journaled\n"
                 "as case.refused. A case already accepted is returned with `case return`.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "case refuse"))
        return CLI_EXIT_USAGE;
    struct {
        const char *name;
        const char *value;
    } required[] = {
        { "--applicant", applicant }, { "--village", village },   { "--request", request },
        { "--reason", reason },       { "--apply-to", apply_to },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (required); i++) {
        if (required[i].value == NULL) {
            fprintf (stderr, "daiban case refuse: %s is required / 缺少 %s\n", required[i].name,
                     required[i].name);
            return CLI_EXIT_USAGE;
        }
    }
    g_autoptr (DbnMsgIntakeRefuse) cmd = dbn_msg_intake_refuse_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->applicant = g_strdup (applicant);
    cmd->village = g_strdup (village);
    cmd->matter = g_strdup (matter);
    cmd->request = g_strdup (request);
    cmd->reason = g_strdup (reason);
    cmd->apply_to = g_strdup (apply_to);
    cmd->channel = g_strdup (channel);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_refuse_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("case refuse", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) reply_bytes = call (data, "intake", body, "case refuse", &status);
    if (reply_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeRefuseReply) reply = dbn_msg_intake_refuse_reply_decode (
        g_bytes_get_data (reply_bytes, NULL), g_bytes_get_size (reply_bytes), &error);
    if (reply == NULL)
        return cli_report_error ("case refuse", error);
    printf ("%s\n", reply->refusal);
    if (json)
        return cli_print_json (reply_bytes, "case refuse");
    printf ("不予受理 refused: %s\n请向 apply to: %s\n", reason, apply_to);
    return CLI_EXIT_OK;
}

/* D-RPL-3: the result notice, from intake's record and routing's events. */
static int
case_notice (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("NUMBER — 办理结果告知单 / result notice");
    g_option_context_set_description (
        options, "Prints the result notice of a replied case (D-RPL-3): the matter, the\n"
                 "applicant, the outcome and what they were told (the result, or the reason\n"
                 "and where to apply instead), who replied and when, and who stays responsible.\n"
                 "Refused with [routing.not-replied] before the reply.");
    g_option_context_add_main_entries (options, entries, NULL);
    if (!parse (options, &data, &argc, &argv, "case notice"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban case notice: give one case number / 请给出一个案件编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeCaseGet) get = dbn_msg_intake_case_get_new ();
    get->env.key = g_uuid_string_random ();
    get->case_no = g_strdup (argv[1]);
    g_autoptr (GBytes) get_body = dbn_msg_intake_case_get_encode (get, &error);
    g_autoptr (DbnMsgRoutingCaseGet) rget = dbn_msg_routing_case_get_new ();
    rget->env.key = g_uuid_string_random ();
    rget->case_no = g_strdup (argv[1]);
    g_autoptr (GBytes) rget_body = dbn_msg_routing_case_get_encode (rget, &error);
    if (get_body == NULL || rget_body == NULL)
        return cli_report_error ("case notice", error);
    int status = CLI_EXIT_OK;
    g_autoptr (GBytes) intake_bytes = call (data, "intake", get_body, "case notice", &status);
    if (intake_bytes == NULL)
        return status;
    g_autoptr (GBytes) routing_bytes = call (data, "routing", rget_body, "case notice", &status);
    if (routing_bytes == NULL)
        return status;
    g_autoptr (DbnMsgIntakeCaseGetReply) c = dbn_msg_intake_case_get_reply_decode (
        g_bytes_get_data (intake_bytes, NULL), g_bytes_get_size (intake_bytes), &error);
    g_autoptr (DbnMsgRoutingCaseGetReply) r =
        c ? dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (routing_bytes, NULL),
                                                   g_bytes_get_size (routing_bytes), &error)
          : NULL;
    if (r == NULL)
        return cli_report_error ("case notice", error);
    /* The same events the client's result notice reads (dbn_timeline). */
    GBytes *replied_frame = dbn_timeline_find_last (r->timeline, DBN_MSG_CASE_REPLIED_WIRE);
    GBytes *returned_frame = dbn_timeline_find_last (r->timeline, DBN_MSG_CASE_RETURNED_WIRE);
    g_autoptr (DbnMsgCaseReplied) replied =
        replied_frame ? dbn_msg_case_replied_decode (g_bytes_get_data (replied_frame, NULL),
                                                     g_bytes_get_size (replied_frame), NULL)
                      : NULL;
    g_autoptr (DbnMsgCaseReturned) returned =
        returned_frame ? dbn_msg_case_returned_decode (g_bytes_get_data (returned_frame, NULL),
                                                       g_bytes_get_size (returned_frame), NULL)
                       : NULL;
    if (replied == NULL) {
        fprintf (
            stderr,
            "daiban: case notice: [routing.not-replied] %s has not been replied yet (%s) / 案件尚未答复\n",
            argv[1], r->state);
        return CLI_EXIT_REFUSED;
    }
    g_autofree char *accepted = cli_format_time (c->accepted_at);
    g_autofree char *when = cli_format_time (replied->env.ts);
    gboolean done = g_strcmp0 (replied->outcome, "done") == 0;
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        const char *pairs[][2] = {
            { "case", c->case_no },
            { "matter", c->matter },
            { "matter_name", c->matter_name },
            { "applicant", c->applicant },
            { "village", c->village },
            { "outcome", replied->outcome },
            { "text", replied->text },
            { "replied_by", replied->env.actor },
            { "responsible", r->responsible },
            { "apply_to", returned ? returned->apply_to : NULL },
        };
        for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++) {
            if (pairs[i][1] == NULL)
                continue;
            json_builder_set_member_name (b, pairs[i][0]);
            json_builder_add_string_value (b, pairs[i][1]);
        }
        json_builder_set_member_name (b, "accepted_at");
        json_builder_add_int_value (b, c->accepted_at);
        json_builder_set_member_name (b, "replied_at");
        json_builder_add_int_value (b, replied->env.ts);
        json_builder_set_member_name (b, "seq");
        json_builder_add_int_value (b, replied->env.seq);
        json_builder_end_object (b);
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        print_json_node (root);
        return CLI_EXIT_OK;
    }
    printf ("办理结果告知单 / Result notice                    %s\n", c->case_no);
    printf ("申办人 Applicant     %s（%s）\n", c->applicant, c->village);
    printf ("事项 Matter          %s %s\n", c->matter, c->matter_name);
    printf ("受理时间 Accepted    %s\n", accepted);
    printf ("办理结果 Outcome     %s\n", done ? "已办结 done" : "未办结 not done");
    printf ("%s %s\n", done ? "结果 Result         " : "原因 Reason         ", replied->text);
    if (returned != NULL)
        printf ("请向 Apply to        %s\n", returned->apply_to);
    printf ("答复 Replied         %s  %s\n", when, replied->env.actor);
    printf ("首问责任人 Responsible %s\n", r->responsible);
    if (replied->has_confirmed)
        printf ("落实卡签字 Signed     %s\n", replied->confirmed ? "是 yes" : "否 no");
    if (replied->has_satisfied)
        printf ("满意 Satisfied       %s\n", replied->satisfied ? "是 yes" : "否 no");
    if (!done)
        printf ("可再次申请 May apply again: daiban case submit --again %s --consent\n", c->case_no);
    return CLI_EXIT_OK;
}

static const char intake_case_usage[] =
    "  supplement 补交材料 / hand in missing materials (D-INT-4)\n"
    "  refuse     不予受理 / refuse a request with reason and where to apply (D-INT-5)\n"
    "  notice     办理结果告知单 / the result notice of a replied case (D-RPL-3)\n";

const char *
cli_intake_case_usage (void)
{
    return intake_case_usage;
}

gboolean
cli_intake_is_case_command (const char *name)
{
    return g_strcmp0 (name, "supplement") == 0 || g_strcmp0 (name, "refuse") == 0
           || g_strcmp0 (name, "notice") == 0;
}

int
cli_intake_case (int argc, char **argv, const char *data_option)
{
    if (g_strcmp0 (argv[0], "supplement") == 0)
        return case_supplement (argc, argv, data_option);
    if (g_strcmp0 (argv[0], "refuse") == 0)
        return case_refuse (argc, argv, data_option);
    return case_notice (argc, argv, data_option);
}
