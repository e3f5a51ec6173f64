/* daiban: the command line for operators and scripts.
 *
 *   daiban [--data DIR] [--key FILE] [--township ID] up | status | case ... | events ... | keys ... | runsheet ... | queue ...
 *                                     | catalog ... | visit ... | logbook ...
 *          | calendar ... | deadline queue ... | audit verify|head|proof ...
 *          | eval month|close|export|sample ... | simulate ... | board export --html DIR
 *
 * Global options stand before the subcommand; every subcommand also takes
 * --data itself, so both `daiban --data D case show N` and
 * `daiban case show N --data D` work. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cli_common.h"
#include "cli_intake.h"
#include "cli_routing.h"
#include "cli_calendar.h"
#include "cli_eval.h"
#include "cli_board.h"
#include "cli_handover.h"
#include "cli_county.h"

static const char usage_text[] =
    "用法 Usage: daiban [--data DIR] [--key FILE] [--township ID] COMMAND [OPTIONS]\n"
    "\n"
    "群众事务代办系统 — daiban, residents' affairs proxy handling.\n"
    "\n"
    "Commands:\n"
    "  up        启动本机全部服务并守护 / start and supervise every service here\n"
    "  status    各服务状态 / is each service up, how far is its journal\n"
    "  case      案件: submit, show, supplement, refuse, classify ... archive, timeline, notice / cases\n"
    "  catalog   事项清单: list, show, reload / the matter catalog (D-CAT)\n"
    "  visit     入户走访: add, list / household visits (D-INT-1)\n"
    "  logbook   代办记录簿: a village's acceptances and refusals (D-INT-3)\n"
    "  handover  组代办员转交: submit, list, accept, return / group agents' requests to their station\n"
    "  county    县里: keep, check, prove, status, follow, table / the county follows its townships\n"
    "  runsheet  交接清单: new, ack / run sheets (D-RTE-3)\n"
    "  queue     窗口、代办站、片区队列 / the queue of a window, station or area\n"
    "  calendar  工作日历: add, is-workday, show, reload / working days (D-DL-5)\n"
    "  deadline  限时: queue — 队列的到期日 / the due column of a queue\n"
    "  events    读取某服务的事件日志 / read a service's journal (sync protocol)\n"
    "  keys      密钥: init, add, revoke, list / CURVE keys and principals\n"
    "  audit     审计记录: verify, head, proof / the tamper-evident record, offline (--db FILE)\n"
    "  eval      评价考核: month, close, export, sample / ratings and the monthly assessment\n"
    "  simulate  模拟一个月: 经由各服务演示 / play a month through the services (demo, tests)\n"
    "  board     公开栏: export --html DIR / the public board as static HTML (D-AUD-4)\n"
    "\n"
    "Every command takes --help, and --data DIR (default $DAIBAN_DATA, else\n"
    "the XDG data folder): the folder holding daiban.conf, keys and SQLite files.\n"
    "Commands reach services over CURVE as the operator (DIR/keys/operator.secret)\n"
    "or as the principal of --key FILE (a secret key from `daiban keys add`;\n"
    "after the command name it is spelled --key-file FILE).\n"
    "--township ID (with --data COUNTY_DIR): run the command against that township\n"
    "of the county's daiban.conf, as the county's key ([county] committee_key).\n";

/* --township ID: in a county folder, the command runs against that
 * township's folder (its daiban.conf and its services' public keys), with
 * the county's key unless --key names another: [county] committee_key. */
static int
use_township (const char *data_option, const char *id, char **folder)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = dbn_config_resolve_data_dir (data_option);
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    if (config == NULL)
        return cli_report_error ("--township", error);
    gssize index = dbn_config_find_township (config, id);
    if (index < 0) {
        g_autoptr (GString) known = g_string_new (NULL);
        for (guint k = 0; k < dbn_config_get_n_townships (config); k++)
            g_string_append_printf (known, "%s%s", k ? ", " : "", dbn_config_get_township_id (config, k));
        fprintf (stderr,
                 "daiban: --township %s: %s/daiban.conf 中没有这个乡镇（已列出：%s）/ no such township in "
                 "%s/daiban.conf (listed: %s)\n",
                 id, dir, known->len ? known->str : "—", dir, known->len ? known->str : "none");
        return CLI_EXIT_USAGE;
    }
    *folder = g_strdup (dbn_config_get_township_folder (config, (guint) index));
    if (cli_get_key_option () == NULL && dbn_config_get_county_committee_key (config) != NULL)
        cli_set_key_option (dbn_config_get_county_committee_key (config));
    return CLI_EXIT_OK;
}

int
main (int argc, char **argv)
{
    setlocale (LC_ALL, "");
    /* The client's translations (one domain for the project): Chinese by
     * default, English when the locale asks. DAIBAN_LOCALE_DIR: the build
     * tree's (build/client/locale). */
    const char *locale_dir = g_getenv ("DAIBAN_LOCALE_DIR");
    bindtextdomain (GETTEXT_PACKAGE, locale_dir != NULL ? locale_dir : DBN_LOCALE_DIR);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    textdomain (GETTEXT_PACKAGE);
    dbn_init ("daiban");
    const char *data_option = NULL;
    const char *township_option = NULL;
    g_autofree char *township_folder = NULL;
    int i = 1;
    /* Global options before the subcommand. */
    while (i < argc && argv[i][0] == '-') {
        if (g_strcmp0 (argv[i], "--data") == 0 || g_strcmp0 (argv[i], "-d") == 0) {
            if (i + 1 >= argc) {
                fprintf (stderr, "daiban: --data needs a folder / --data 需要一个目录\n");
                return CLI_EXIT_USAGE;
            }
            data_option = argv[i + 1];
            i += 2;
        } else if (g_str_has_prefix (argv[i], "--data=")) {
            data_option = argv[i] + strlen ("--data=");
            i++;
        } else if (g_strcmp0 (argv[i], "--key") == 0) {
            if (i + 1 >= argc) {
                fprintf (stderr, "daiban: --key needs a file / --key 需要一个密钥文件\n");
                return CLI_EXIT_USAGE;
            }
            cli_set_key_option (argv[i + 1]);
            i += 2;
        } else if (g_str_has_prefix (argv[i], "--key=")) {
            cli_set_key_option (argv[i] + strlen ("--key="));
            i++;
        } else if (g_strcmp0 (argv[i], "--township") == 0) {
            if (i + 1 >= argc) {
                fprintf (stderr, "daiban: --township needs an id / --township 需要乡镇编号\n");
                return CLI_EXIT_USAGE;
            }
            township_option = argv[i + 1];
            i += 2;
        } else if (g_str_has_prefix (argv[i], "--township=")) {
            township_option = argv[i] + strlen ("--township=");
            i++;
        } else if (g_strcmp0 (argv[i], "--help") == 0 || g_strcmp0 (argv[i], "-h") == 0) {
            fputs (usage_text, stdout);
            return CLI_EXIT_OK;
        } else if (g_strcmp0 (argv[i], "--version") == 0) {
            printf ("daiban %s\n", DBN_VERSION);
            return CLI_EXIT_OK;
        } else {
            fprintf (stderr, "daiban: unknown option %s / 未知选项\n%s", argv[i], usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fputs (usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    if (township_option != NULL) {
        int status = use_township (data_option, township_option, &township_folder);
        if (status != CLI_EXIT_OK)
            return status;
        data_option = township_folder;
    }
    const char *command = argv[i];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    if (g_strcmp0 (command, "up") == 0)
        return cli_up (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "status") == 0)
        return cli_status (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "case") == 0)
        return cli_case (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "events") == 0)
        return cli_events (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "runsheet") == 0)
        return cli_runsheet (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "queue") == 0)
        return cli_queue (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "catalog") == 0)
        return cli_catalog (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "visit") == 0)
        return cli_visit (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "logbook") == 0)
        return cli_logbook (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "calendar") == 0)
        return cli_calendar (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "deadline") == 0)
        return cli_deadline (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "keys") == 0)
        return cli_keys (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "audit") == 0)
        return cli_audit (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "eval") == 0)
        return cli_eval (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "simulate") == 0)
        return cli_simulate (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "board") == 0)
        return cli_board (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "handover") == 0)
        return cli_handover (sub_argc, sub_argv, data_option);
    if (g_strcmp0 (command, "county") == 0)
        return cli_county (sub_argc, sub_argv, data_option);
    fprintf (stderr, "daiban: unknown command '%s' / 未知命令\n%s", command, usage_text);
    return CLI_EXIT_USAGE;
}
