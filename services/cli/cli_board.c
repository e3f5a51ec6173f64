/* cli_board.c: `daiban board` (issue 16 item 4, D-AUD-4 公开):
 *
 *   daiban board export --html DIR [--month YYYY-MM] [--title TEXT]
 *       writes DIR/index.html and DIR/board.css, static HTML and CSS with no
 *       script, for the township's website: the open cases' public rows
 *       (routing.board: applicant masked, no id number or phone, never a
 *       petition), the catalog (items, materials, limits, fees) and the
 *       month's stars per window and station (eval.month).
 *
 * Meant to run with a board key (`daiban keys add board:site`, then
 * --key-file), which may read exactly these two things: what the export
 * shows is what the public may see (docs/security.md). The content is the
 * kiosk's (dbn_board.h), so the hall's screen and the website agree.
 */
#include "cli_board.h"

#include <stdio.h>

static const char board_usage[] =
    "用法 Usage: daiban board COMMAND [OPTIONS]\n"
    "  export --html DIR  公开栏导出为静态网页 / the public board as static HTML\n"
    "                     [--month YYYY-MM] [--title TEXT]\n"
    "Each takes --help, --data DIR and --key-file FILE (a board:<id> key).\n";

#define DEFAULT_TITLE "群众事务代办 · 公开栏"

/* The current month of the office (UTC+8), by the services' clock. */
static char *
dup_this_month (void)
{
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (dbn_clock_now_ms (clock) / 1000);
    g_autoptr (GDateTime) local = g_date_time_add_hours (utc, 8);
    return g_date_time_format (local, "%Y-%m");
}

static gboolean
fetch_rows (CliContext *ctx, DbnBoard *board, GError **error)
{
    g_autofree char *after = NULL;
    for (;;) {
        g_autoptr (DbnMsgRoutingBoard) cmd = dbn_msg_routing_board_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->env.actor = g_strdup ("cli");
        cmd->after = g_strdup (after);
        g_autoptr (GBytes) body = dbn_msg_routing_board_encode (cmd, error);
        g_autoptr (GBytes) reply = body ? cli_call (ctx, "routing", body, 3, error) : NULL;
        if (reply == NULL || !dbn_board_take_snapshot (board, reply, error))
            return FALSE;
        g_autoptr (DbnMsgRoutingBoardReply) r = dbn_msg_routing_board_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
        if (r == NULL)
            return FALSE;
        if (!r->truncated || r->next == NULL)
            return TRUE;
        g_free (after);
        after = g_strdup (r->next);
    }
}

static gboolean
fetch_stars (CliContext *ctx, DbnBoard *board, const char *month, GError **error)
{
    g_autoptr (DbnMsgEvalMonth) cmd = dbn_msg_eval_month_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->month = g_strdup (month);
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (cmd, error);
    g_autoptr (GBytes) reply = body ? cli_call (ctx, "evaluation", body, 3, error) : NULL;
    return reply != NULL && dbn_board_take_month (board, reply, error);
}

static int
board_export (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *dir = NULL, *month = NULL, *title = NULL;
    GOptionEntry entries[] = {
        { "html", 0, 0, G_OPTION_ARG_FILENAME, &dir, "写入静态网页的文件夹 / the folder to write", "DIR" },
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "星级的月份 / the stars' month (default: this month)",
          "YYYY-MM" },
        { "title", 0, 0, G_OPTION_ARG_STRING, &title, "标题 / the page's heading", "TEXT" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— 公开栏导出 / export the public board");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "board export"))
        return CLI_EXIT_USAGE;
    if (dir == NULL || argc != 1) {
        fprintf (stderr, "daiban board export: give --html DIR / 需要 --html DIR\n");
        return CLI_EXIT_USAGE;
    }
    if (month == NULL)
        month = dup_this_month ();
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("board export", error);
    g_autoptr (DbnCatalog) catalog = dbn_catalog_load (dbn_config_get_catalog_path (ctx->config), &error);
    if (catalog == NULL)
        return cli_report_error ("board export", error);
    g_autoptr (DbnBoard) board = dbn_board_new ();
    if (!fetch_rows (ctx, board, &error) || !fetch_stars (ctx, board, month, &error)
        || !dbn_board_write_html (board, catalog, title ? title : DEFAULT_TITLE, dir, &error))
        return cli_report_error ("board export", error);
    printf ("%s/index.html: %u 件在办 / open cases, %u 个星级 / star rows (%s)\n", dir,
            dbn_board_get_n_rows (board), dbn_board_get_n_stars (board), month);
    return CLI_EXIT_OK;
}

int
cli_board (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "export", board_export },
        { NULL, NULL },
    };
    return cli_run_subcommand ("board", board_usage, subcommands, argc, argv, data_option);
}
