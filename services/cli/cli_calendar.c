/* cli_calendar.c: `daiban calendar add|is-workday|show|reload`,
 * `daiban case due|explain` (issue 5, D-DL-5, D-DL-6) and `daiban deadline
 * queue` (the due column of a queue, deadline.queue).
 *
 * add, is-workday and show compute locally from the calendar the deadline
 * service would use (daiban.conf's [deadline] calendar, else
 * DIR/calendar.ini, else the shipped file), so scripts get an answer
 * without a running service. Their stdout is stable: `calendar add` prints
 * the ISO date alone on one line; outside the calendar's years the date is
 * counted on weekends only, said on stderr, and `--json` carries the flag
 * (D-DL-5: never silently guessed). reload, due, explain and queue go to
 * the deadline service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cli_calendar.h"

static const char calendar_usage[] =
    "用法 Usage: daiban calendar COMMAND [OPTIONS]\n"
    "  add DATE N         DATE 之后第 N 个工作日 / the date N working days after DATE\n"
    "  is-workday DATE    是否工作日 / is DATE a working day (prints yes or no)\n"
    "  show YEAR          全年节假日与调休 / holidays and adjusted working days of YEAR\n"
    "  reload             让限时服务重新读取日历 / make the deadline service re-read the calendar\n"
    "Dates are YYYY-MM-DD. Each takes --help, --json, --area ID and --data DIR.\n";

static gboolean
parse_date (const char *text, GDate *date)
{
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1
        || !g_date_valid_dmy (d, m, y))
        return FALSE;
    g_date_clear (date, 1);
    g_date_set_dmy (date, d, m, y);
    return TRUE;
}

static char *
iso (const GDate *date)
{
    return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                            g_date_get_day (date));
}

/* The calendar the deadline service would read for data_option. */
static DbnCalendar *
load_calendar (const char *data_option, GError **error)
{
    g_autofree char *dir = dbn_config_resolve_data_dir (data_option);
    g_autoptr (DbnConfig) config = dbn_config_load (dir, error);
    if (config == NULL)
        return NULL;
    const char *set = dbn_config_get_setting (config, "deadline", "calendar");
    g_autofree char *path = NULL;
    if (set != NULL && *set != '\0')
        path = g_path_is_absolute (set) ? g_strdup (set) : g_build_filename (dir, set, NULL);
    else
        path = dbn_calendar_dup_default_path (dir);
    return dbn_calendar_load (path, error);
}

/* Prints the builder's object on one line. */
static void
print_json (JsonBuilder *builder)
{
    json_builder_end_object (builder);
    g_autoptr (JsonNode) root = json_builder_get_root (builder);
    g_autofree char *text = json_to_string (root, FALSE);
    printf ("%s\n", text);
}

static void
warn_uncovered (DbnCalendar *calendar, const char *what)
{
    guint first = 0, last = 0;
    dbn_calendar_get_years (calendar, &first, &last);
    fprintf (stderr,
             "daiban calendar: %s 超出工作日历年份 %u–%u，仅按周末计算 / lies outside the calendar's "
             "years %u–%u: counted on weekends only\n",
             what, first, last, first, last);
}

static int
calendar_add (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *area = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "area", 0, 0, G_OPTION_ARG_STRING, &area, "Count the area's own closures too (片区)", "ID" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON with the coverage flag", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("DATE N — 第 N 个工作日 / N working days after DATE");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "calendar add"))
        return CLI_EXIT_USAGE;
    GDate from;
    gint64 n = 0;
    if (argc != 3 || !parse_date (argv[1], &from)
        || !g_ascii_string_to_signed (argv[2], 10, -100000, 100000, &n, NULL)) {
        fprintf (stderr,
                 "daiban calendar add: give DATE (YYYY-MM-DD) and N (a whole number) / 需要日期和天数\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCalendar) calendar = load_calendar (data, &error);
    if (calendar == NULL)
        return cli_report_error ("calendar add", error);
    GDate to;
    gboolean covered = TRUE;
    dbn_calendar_add_working_days (calendar, area, &from, (int) n, &to, &covered);
    g_autofree char *result = iso (&to);
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "from");
        json_builder_add_string_value (b, argv[1]);
        json_builder_set_member_name (b, "days");
        json_builder_add_int_value (b, n);
        json_builder_set_member_name (b, "date");
        json_builder_add_string_value (b, result);
        json_builder_set_member_name (b, "covered");
        json_builder_add_boolean_value (b, covered);
        print_json (b);
    } else {
        printf ("%s\n", result);
        if (!covered)
            warn_uncovered (calendar, result);
    }
    return CLI_EXIT_OK;
}

static const char *
kind_label (DbnDayKind kind)
{
    switch (kind) {
    case DBN_DAY_WORKDAY: return "workday";
    case DBN_DAY_WEEKEND: return "weekend";
    case DBN_DAY_HOLIDAY: return "holiday";
    case DBN_DAY_ADJUSTED: return "adjusted-workday";
    case DBN_DAY_CLOSURE: return "closure";
    default: return "?";
    }
}

static int
calendar_is_workday (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *area = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "area", 0, 0, G_OPTION_ARG_STRING, &area, "Count the area's own closures too (片区)", "ID" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON with the day's kind and the coverage flag",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("DATE — 是否工作日 / is DATE a working day");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "calendar is-workday"))
        return CLI_EXIT_USAGE;
    GDate date;
    if (argc != 2 || !parse_date (argv[1], &date)) {
        fprintf (stderr, "daiban calendar is-workday: give DATE (YYYY-MM-DD) / 需要日期\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCalendar) calendar = load_calendar (data, &error);
    if (calendar == NULL)
        return cli_report_error ("calendar is-workday", error);
    const char *name = NULL;
    gboolean covered = TRUE;
    DbnDayKind kind = dbn_calendar_get_day (calendar, area, &date, &name, &covered);
    gboolean work = kind == DBN_DAY_WORKDAY || kind == DBN_DAY_ADJUSTED;
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "date");
        json_builder_add_string_value (b, argv[1]);
        json_builder_set_member_name (b, "workday");
        json_builder_add_boolean_value (b, work);
        json_builder_set_member_name (b, "kind");
        json_builder_add_string_value (b, kind_label (kind));
        json_builder_set_member_name (b, "name");
        if (name != NULL)
            json_builder_add_string_value (b, name);
        else
            json_builder_add_null_value (b);
        json_builder_set_member_name (b, "covered");
        json_builder_add_boolean_value (b, covered);
        print_json (b);
    } else {
        printf ("%s\n", work ? "yes" : "no");
        if (!covered)
            warn_uncovered (calendar, argv[1]);
    }
    return CLI_EXIT_OK;
}

static int
calendar_show (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *area = NULL;
    GOptionEntry entries[] = {
        { "area", 0, 0, G_OPTION_ARG_STRING, &area, "Show the area's own closures too (片区)", "ID" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("YEAR — 全年节假日 / the holidays of YEAR");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "calendar show"))
        return CLI_EXIT_USAGE;
    guint64 year = 0;
    if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 1900, 9999, &year, NULL)) {
        fprintf (stderr, "daiban calendar show: give YEAR / 需要年份\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCalendar) calendar = load_calendar (data, &error);
    if (calendar == NULL)
        return cli_report_error ("calendar show", error);
    GDate first, last;
    g_date_clear (&first, 1);
    g_date_clear (&last, 1);
    g_date_set_dmy (&first, 1, 1, (GDateYear) year);
    g_date_set_dmy (&last, 31, 12, (GDateYear) year);
    GDate before = first;
    g_date_subtract_days (&before, 1);
    gboolean covered = TRUE;
    int working = dbn_calendar_working_days_between (calendar, area, &before, &last, &covered);
    printf ("%u 工作日 working days: %d%s\n", (guint) year, working,
            covered ? "" : "  (不在日历内，仅按周末计算 / not in the calendar: weekends only)");
    /* Listing the special days walks the year once: this is output, not arithmetic. */
    for (GDate d = first; g_date_compare (&d, &last) <= 0; g_date_add_days (&d, 1)) {
        const char *name = NULL;
        DbnDayKind kind = dbn_calendar_get_day (calendar, area, &d, &name, NULL);
        if (kind == DBN_DAY_WORKDAY || kind == DBN_DAY_WEEKEND)
            continue;
        g_autofree char *date = iso (&d);
        const char *label = kind == DBN_DAY_ADJUSTED  ? "班 workday"
                            : kind == DBN_DAY_CLOSURE ? "休 closure"
                                                      : "休 holiday";
        printf ("%s  %s  %s\n", date, label, name ? name : "");
    }
    return CLI_EXIT_OK;
}

static int
calendar_reload (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— 重新读取工作日历 / re-read the calendar");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "calendar reload"))
        return CLI_EXIT_USAGE;
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("calendar reload", error);
    g_autoptr (DbnMsgDeadlineCalendarReload) cmd = dbn_msg_deadline_calendar_reload_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    g_autoptr (GBytes) body = dbn_msg_deadline_calendar_reload_encode (cmd, &error);
    g_autoptr (GBytes) reply = body ? cli_call (ctx, "deadline", body, 3, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("calendar reload", error);
    if (json)
        return cli_print_json (reply, "calendar reload");
    g_autoptr (DbnMsgDeadlineCalendarReloadReply) r = dbn_msg_deadline_calendar_reload_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("calendar reload", error);
    printf ("%s  %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT "  重新计算 recomputed %" G_GINT64_FORMAT "\n",
            r->path, r->first_year, r->last_year, r->recomputed);
    return CLI_EXIT_OK;
}

int
cli_calendar (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "add", calendar_add },
        { "is-workday", calendar_is_workday },
        { "show", calendar_show },
        { "reload", calendar_reload },
        { NULL, NULL },
    };
    return cli_run_subcommand ("calendar", calendar_usage, subcommands, argc, argv, data_option);
}

/* ---- daiban case due | explain ---- */

const char *
cli_deadline_case_usage (void)
{
    return "  due      限时: 各时钟的到期日与剩余天数 / a case's clocks, due dates, days remaining\n"
           "  explain  说明延期理由并告知申请人 / explain a delay to the applicant (D-DL-6)\n";
}

gboolean
cli_deadline_is_case_command (const char *name)
{
    return g_strcmp0 (name, "due") == 0 || g_strcmp0 (name, "explain") == 0;
}

static int
case_due (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("NUMBER — 案件的限时 / the clocks of a case");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "case due"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban case due: give the case NUMBER / 需要案件编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("case due", error);
    g_autoptr (DbnMsgDeadlineCaseDue) cmd = dbn_msg_deadline_case_due_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->case_no = g_strdup (argv[1]);
    g_autoptr (GBytes) body = dbn_msg_deadline_case_due_encode (cmd, &error);
    g_autoptr (GBytes) reply = body ? cli_call (ctx, "deadline", body, 3, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("case due", error);
    if (json)
        return cli_print_json (reply, "case due");
    g_autoptr (DbnMsgDeadlineCaseDueReply) r = dbn_msg_deadline_case_due_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("case due", error);
    printf ("%s  %s%s\n", r->case_no, r->today,
            r->suspended ? "  已暂停(等待补充材料) suspended: awaiting materials" : "");
    printf ("%-11s %-7s %-10s %-9s %-10s %s\n", "clock", "rule", "due", "state", "stage", "remaining");
    for (guint i = 0; i < r->clocks->len; i++) {
        GBytes *b = r->clocks->pdata[i];
        g_autoptr (DbnMsgDeadlineClock) k =
            dbn_msg_deadline_clock_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        if (k == NULL)
            return cli_report_error ("case due", error);
        printf ("%-11s %-7s %-10s %-9s %-10s %" G_GINT64_FORMAT "%s%s%s\n", k->name, k->rule,
                k->due ? k->due : "—", k->state, k->stage, k->remaining,
                /* D-DL-3: the days of a calendar-day clock are not working days. */
                g_strcmp0 (k->unit, "calendar") == 0 ? "  (自然日 calendar days)" : "",
                k->covered ? "" : "  (日历外，仅按周末 outside the calendar: weekends only)",
                k->explained ? "  (已说明 explained)" : "");
    }
    return CLI_EXIT_OK;
}

static int
case_explain (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *text = NULL, *clock = NULL, *key = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "text", 0, 0, G_OPTION_ARG_STRING, &text, "The reason, as told to the applicant (说明理由)",
          "TEXT" },
        { "clock", 0, 0, G_OPTION_ARG_STRING, &clock, "Only this clock (default: every open one)", "NAME" },
        { "key", 0, 0, G_OPTION_ARG_STRING, &key, "Idempotency key (default: random)", "KEY" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the reply as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("NUMBER --text TEXT — 说明延期理由 / explain a delay");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "case explain"))
        return CLI_EXIT_USAGE;
    if (argc != 2 || text == NULL) {
        fprintf (stderr, "daiban case explain: give the case NUMBER and --text / 需要案件编号和理由\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("case explain", error);
    g_autoptr (DbnMsgDeadlineCaseExplain) cmd = dbn_msg_deadline_case_explain_new ();
    cmd->env.key = key ? g_strdup (key) : g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->case_no = g_strdup (argv[1]);
    cmd->text = g_strdup (text);
    cmd->clock = g_strdup (clock);
    g_autoptr (GBytes) body = dbn_msg_deadline_case_explain_encode (cmd, &error);
    g_autoptr (GBytes) reply = body ? cli_call (ctx, "deadline", body, 3, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("case explain", error);
    if (json)
        return cli_print_json (reply, "case explain");
    g_autoptr (DbnMsgDeadlineCaseExplainReply) r = dbn_msg_deadline_case_explain_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (r == NULL)
        return cli_report_error ("case explain", error);
    g_autofree char *clocks = g_strjoinv (", ", r->clocks ? r->clocks : (char *[]){ NULL });
    printf ("%s  已说明 explained: %s  (seq %" G_GINT64_FORMAT ")\n", r->case_no, clocks, r->seq);
    return CLI_EXIT_OK;
}

int
cli_deadline_case (int argc, char **argv, const char *data_option)
{
    if (g_strcmp0 (argv[0], "due") == 0)
        return case_due (argc, argv, data_option);
    return case_explain (argc, argv, data_option);
}

/* ---- daiban deadline queue ---- */

static const char deadline_usage[] =
    "用法 Usage: daiban deadline COMMAND [OPTIONS]\n"
    "  queue window|station|area|county ID  队列的限时栏 / the due column of a queue (deadline.queue)\n"
    "Each takes --help, --json and --data DIR.\n";

/* One row of deadline.queue as a line: case, clock, rule, due, stage, and
 * what remains while stopped. */
static int
print_due_row (GBytes *item)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgDeadlineDue) d =
        dbn_msg_deadline_due_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), &error);
    if (d == NULL)
        return cli_report_error ("deadline queue", error);
    g_autofree char *left =
        d->has_remaining ? g_strdup_printf ("%" G_GINT64_FORMAT, d->remaining) : g_strdup ("");
    printf ("%s  %-10s %-7s %-10s %-9s %s%s%s\n", d->case_no, d->clock ? d->clock : "—",
            d->rule ? d->rule : "", d->due ? d->due : "—", d->stage, left,
            d->suspended ? "  已暂停(等待补充材料) suspended" : "",
            d->covered ? "" : "  (日历外，仅按周末 outside the calendar: weekends only)");
    return CLI_EXIT_OK;
}

/* A page as one JSON line, its records as objects (the wire carries them
 * as nested MessagePack). */
static int
print_page_json (const DbnMsgDeadlineQueueReply *r)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "seq");
    json_builder_add_int_value (b, r->seq);
    json_builder_set_member_name (b, "items");
    json_builder_begin_array (b);
    for (guint i = 0; i < r->items->len; i++) {
        GBytes *item = r->items->pdata[i];
        g_autoptr (GError) error = NULL;
        g_autofree char *text =
            dbn_codec_to_json (g_bytes_get_data (item, NULL), g_bytes_get_size (item), &error);
        JsonNode *node = text ? json_from_string (text, &error) : NULL;
        if (node == NULL)
            return cli_report_error ("deadline queue", error);
        json_builder_add_value (b, node);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "truncated");
    json_builder_add_boolean_value (b, r->truncated);
    if (r->next != NULL) {
        json_builder_set_member_name (b, "next");
        json_builder_add_string_value (b, r->next);
    }
    print_json (b);
    return CLI_EXIT_OK;
}

static int
deadline_queue (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *after = NULL;
    gint limit = 0;
    gboolean json = FALSE, all = FALSE;
    GOptionEntry entries[] = {
        { "after", 0, 0, G_OPTION_ARG_STRING, &after, "Only cases numbered after NUMBER (the next page)",
          "NUMBER" },
        { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N cases a page (default and cap 2000)", "N" },
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Every page, not only the first", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print each reply (page) as JSON, one a line", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("window|station|area|county ID — 队列的限时栏 / the due column of a queue");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "deadline queue"))
        return CLI_EXIT_USAGE;
    if (argc != 3
        || (g_strcmp0 (argv[1], "window") != 0 && g_strcmp0 (argv[1], "station") != 0
            && g_strcmp0 (argv[1], "area") != 0 && g_strcmp0 (argv[1], "county") != 0)) {
        fprintf (stderr, "daiban deadline queue: give window|station|area|county and its ID / 需要队列类型与编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    if (ctx == NULL)
        return cli_report_error ("deadline queue", error);
    if (!json)
        printf ("%-14s  %-10s %-7s %-10s %-9s %s\n", "case", "clock", "rule", "due", "stage", "remaining");
    g_autofree char *page = g_strdup (after);
    do {
        g_autoptr (DbnMsgDeadlineQueue) cmd = dbn_msg_deadline_queue_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->env.actor = g_strdup ("cli");
        cmd->queue = g_strdup (argv[1]);
        cmd->id = g_strdup (argv[2]);
        cmd->after = g_strdup (page);
        cmd->has_limit = limit > 0;
        cmd->limit = limit;
        g_autoptr (GBytes) body = dbn_msg_deadline_queue_encode (cmd, &error);
        g_autoptr (GBytes) reply = body ? cli_call (ctx, "deadline", body, 3, &error) : NULL;
        if (reply == NULL)
            return cli_report_error ("deadline queue", error);
        g_autoptr (DbnMsgDeadlineQueueReply) r = dbn_msg_deadline_queue_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        if (r == NULL)
            return cli_report_error ("deadline queue", error);
        int status = json ? print_page_json (r) : CLI_EXIT_OK;
        if (status != CLI_EXIT_OK)
            return status;
        for (guint i = 0; !json && i < r->items->len; i++)
            if ((status = print_due_row (r->items->pdata[i])) != CLI_EXIT_OK)
                return status;
        g_free (page);
        page = r->truncated ? g_strdup (r->next) : NULL;
        if (page != NULL && !all && !json)
            fprintf (stderr, "更多 more: --after %s (or --all)\n", page);
    } while (all && page != NULL);
    return CLI_EXIT_OK;
}

int
cli_deadline (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "queue", deadline_queue },
        { NULL, NULL },
    };
    return cli_run_subcommand ("deadline", deadline_usage, subcommands, argc, argv, data_option);
}
