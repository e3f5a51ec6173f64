/* cli_county.c: `daiban county keep|check|prove|status|follow|table`, the
 * county following its townships (issue 16 item 3, docs/county.md). The
 * store and keep/prove/fetch are cli_county_store.c, follow is
 * cli_county_follow.c; table prints the county's monthly table from the
 * store.
 *
 * keep reads the township's audit journal (sys.sync on its audit service,
 * with the --data/--key given: the township's committee key on a county
 * host) from where it last stopped, and keeps every signed tree head
 * (audit.head) in the county's own SQLite store, FILE. The first head of a
 * township pins its audit key; a head under another key, with a bad
 * signature, or smaller than one kept is refused and nothing after it is
 * kept: that is the alarm, not something to update past.
 *
 * check verifies a copy of the township's record (audit_verify_file, the
 * same check as `daiban audit verify --from-head`) against the newest head
 * the county kept. A township that rewrote, cut or reordered its history
 * before that head fails, even when every head in its own file is signed
 * again and consistent with the rewritten entries.
 */
#include "cli_county.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include <sqlite3.h>

#include "audit_verify.h"
#include "cli_county_store.h"

static const char county_usage[] =
    "用法 Usage: daiban county COMMAND [OPTIONS]\n"
    "  keep    保存乡镇审计记录的签名树头 / keep a township's signed audit heads: --store FILE --township "
    "ID\n"
    "          (reads the audit service of --data DIR, with --key FILE)\n"
    "  check   用保存的树头核验乡镇审计记录 / verify a copy of its record against the kept heads:\n"
    "          --store FILE --township ID --db COPY\n"
    "  prove   向乡镇审计服务要一致性证明 / ask the township's audit service for a consistency proof\n"
    "          from the last proven kept head to the newest kept: --store FILE --township ID\n"
    "  status  每个乡镇的核验状态 / each township's state: --store FILE\n"
    "  follow  跟随县里的全部乡镇 / follow every township of the county folder (--data COUNTY_DIR):\n"
    "          keep, prove and the month figures every few seconds: --store FILE [--interval SECONDS]\n"
    "  table   县月度考核表 / the county's monthly table: --store FILE --month YYYY-MM [--json]\n";

/* Opens the store and the township's connection for keep and prove. */
static int
open_both (const char *data, const char *store, const char *what, CliCountyStore **db, CliContext **ctx)
{
    g_autoptr (GError) error = NULL;
    *db = cli_county_store_open (store, TRUE, what);
    if (*db == NULL)
        return CLI_EXIT_CONFIG;
    *ctx = cli_context_new (data, &error);
    if (*ctx == NULL) {
        g_clear_pointer (db, cli_county_store_free);
        return cli_report_error (what, error);
    }
    return CLI_EXIT_OK;
}

/* keep and prove: --store FILE --township ID, and the township's --data. */
static int
parse_store_township (int *argc, char ***argv, char **data, char **store, char **township, const char *what,
                      const char *summary)
{
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, store, "The county's store of kept heads", "FILE" },
        { "township", 0, 0, G_OPTION_ARG_STRING, township, "The township's id in the county", "ID" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new (summary);
    if (!cli_parse_options (options, entries, data, argc, argv, what))
        return CLI_EXIT_USAGE;
    if (*store == NULL || *township == NULL || *argc != 1) {
        fprintf (stderr, "daiban %s: --store and --township are required / 缺少 --store 或 --township\n",
                 what);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static int
county_keep (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL;
    int status = parse_store_township (&argc, &argv, &data, &store, &township, "county keep",
                                       "— 保存树头 / keep a township's audit heads");
    g_autoptr (CliCountyStore) db = NULL;
    g_autoptr (CliContext) ctx = NULL;
    if (status != CLI_EXIT_OK || (status = open_both (data, store, "county keep", &db, &ctx)) != CLI_EXIT_OK)
        return status;
    g_autoptr (GError) error = NULL;
    CliCountyOutcome out = { 0 };
    status = cli_county_store_keep (db, ctx, township, &out, &error);
    if (status == CLI_EXIT_TAMPERED)
        fprintf (stderr, "daiban county keep: %s\n", out.alarm);
    else if (status != CLI_EXIT_OK)
        cli_county_report ("county keep", error);
    else
        printf ("%s: 新保存 %u 个树头，最新覆盖 %" G_GINT64_FORMAT
                " 条 / kept %u new heads, the newest covers %" G_GINT64_FORMAT " entries\n",
                township, out.kept, out.newest, out.kept, out.newest);
    cli_county_outcome_clear (&out);
    return status;
}

static int
county_check (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL, *copy = NULL;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { "township", 0, 0, G_OPTION_ARG_STRING, &township, "The township's id in the county", "ID" },
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &copy, "A copy of the township's audit record (audit.db)",
          "COPY" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 核验乡镇审计记录 / check a township's record");
    g_option_context_add_main_entries (options, entries, NULL);
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban county check: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (store == NULL || township == NULL || copy == NULL || argc != 1) {
        fprintf (stderr, "daiban county check: --store, --township and --db are required / 缺少参数\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliCountyStore) db = cli_county_store_open (store, FALSE, "county check");
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    g_autofree char *key_hex = NULL;
    AuditHead kept;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    gboolean have = cli_county_store_get_kept (db, township, &key_hex, &kept)
                    && audit_unhex (key_hex, key, AUDIT_PUBLIC_KEY_SIZE);
    g_clear_pointer (&db, cli_county_store_free);
    if (!have) {
        fprintf (stderr,
                 "daiban county check: 尚未保存 %s 的树头 / no head of %s kept yet: run county keep first\n",
                 township, township);
        return CLI_EXIT_REFUSED;
    }
    AuditVerifyReport report = { 0 };
    if (!audit_verify_file (copy, &kept, key, &report, &error)) {
        audit_verify_report_clear (&report);
        return cli_report_error ("county check", error);
    }
    int status = CLI_EXIT_OK;
    if (report.problem == AUDIT_VERIFY_OK && report.kept_checked) {
        printf ("%s: 核验通过，与县里保存的第 %" G_GINT64_FORMAT
                " 条树头一致 / verified: consistent with the head of size %" G_GINT64_FORMAT
                " the county kept\n",
                township, kept.size, kept.size);
    } else {
        printf ("%s: 核验失败 / FAILED (%s): %s / %s\n", township, audit_verify_problem_name (report.problem),
                report.detail_zh ? report.detail_zh : "", report.detail ? report.detail : "");
        status = CLI_EXIT_TAMPERED;
    }
    audit_verify_report_clear (&report);
    return status;
}

/* prove: the consistency proof over the wire (cli_county_store_prove). */
static int
county_prove (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store = NULL, *township = NULL;
    int status = parse_store_township (&argc, &argv, &data, &store, &township, "county prove",
                                       "— 一致性证明 / prove a township's heads");
    g_autoptr (CliCountyStore) db = NULL;
    g_autoptr (CliContext) ctx = NULL;
    if (status != CLI_EXIT_OK || (status = open_both (data, store, "county prove", &db, &ctx)) != CLI_EXIT_OK)
        return status;
    g_autoptr (GError) error = NULL;
    CliCountyOutcome out = { 0 };
    status = cli_county_store_prove (db, ctx, township, &out, &error);
    if (status == CLI_EXIT_TAMPERED)
        printf ("%s\n", out.alarm);
    else if (status != CLI_EXIT_OK)
        cli_county_report ("county prove", error);
    else
        printf ("%s: 已核验至第 %" G_GINT64_FORMAT " 条 / verified through head %" G_GINT64_FORMAT "\n",
                township, out.newest, out.newest);
    cli_county_outcome_clear (&out);
    return status;
}

static int
county_status (int argc, char **argv, const char *data_option)
{
    g_autofree char *store = NULL;
    (void) data_option;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store of kept heads", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 核验状态 / each township's state");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || store == NULL || argc != 1) {
        fprintf (stderr, "daiban county status: --store FILE is required / 缺少 --store\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliCountyStore) store_db = cli_county_store_open (store, TRUE, "county status");
    if (store_db == NULL)
        return CLI_EXIT_CONFIG;
    sqlite3 *db = cli_county_store_get_db (store_db);
    sqlite3_stmt *st = NULL;
    int status = CLI_EXIT_OK;
    if (sqlite3_prepare_v2 (db,
                            "SELECT t.township, (SELECT MAX(size) FROM county_head h WHERE h.township = t.township),"
                            " COALESCE(p.proven, 0), p.failed FROM county_township t"
                            " LEFT JOIN county_proof p ON p.township = t.township ORDER BY t.township",
                            -1, &st, NULL)
        == SQLITE_OK) {
        while (sqlite3_step (st) == SQLITE_ROW) {
            const char *failed = (const char *) sqlite3_column_text (st, 3);
            if (failed) {
                printf ("%s\tkept %lld\tREWRITTEN: %s\n", sqlite3_column_text (st, 0),
                        (long long) sqlite3_column_int64 (st, 1), failed);
                status = CLI_EXIT_TAMPERED;
            } else {
                printf ("%s\tkept %lld\tverified through head %lld\n", sqlite3_column_text (st, 0),
                        (long long) sqlite3_column_int64 (st, 1), (long long) sqlite3_column_int64 (st, 2));
            }
        }
    }
    sqlite3_finalize (st);
    return status;
}

/* The audit state of township: "verified through head N", "REWRITTEN" or
 * not yet verified. Caller owns it. */
static char *
audit_state (CliCountyStore *store, const char *township, gboolean *rewritten)
{
    g_autofree char *failed = cli_county_store_dup_failure (store, township);
    gint64 proven = cli_county_store_get_proven (store, township);
    *rewritten = failed != NULL;
    if (failed != NULL)
        return g_strdup ("已被改写 REWRITTEN");
    if (proven > 0)
        return g_strdup_printf ("已核验至第 %" G_GINT64_FORMAT " 条 verified through head %" G_GINT64_FORMAT,
                                proven, proven);
    return g_strdup ("尚未核验 not verified yet");
}

/* text padded with blanks to width terminal columns (a Chinese character
 * takes two), on the left when right (the numbers' headings). */
static char *
pad_to (const char *text, guint width, gboolean right)
{
    guint used = 0;
    for (const char *p = text; *p; p = g_utf8_next_char (p))
        used += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
    g_autoptr (GString) blanks = g_string_new (NULL);
    while (used++ < width)
        g_string_append_c (blanks, ' ');
    return right ? g_strconcat (blanks->str, text, NULL) : g_strconcat (text, blanks->str, NULL);
}

static char *
pad (const char *text, guint width)
{
    return pad_to (text, width, FALSE);
}

static char *
percent (gint64 num, gint64 den)
{
    return den > 0 ? g_strdup_printf ("%.1f", 100.0 * num / den) : g_strdup ("—");
}

/* table: the county's monthly table, one row per township, from the store
 * the follower fills (county_month, county_month_window, county_proof). */
static int
county_table (int argc, char **argv, const char *data_option)
{
    g_autofree char *store = NULL, *month = NULL;
    gboolean json = FALSE;
    (void) data_option;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "The county's store (county.db)", "FILE" },
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "The month (YYYY-MM)", "YYYY-MM" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the table as JSON", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 县月度考核表 / the county's monthly table");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || store == NULL || month == NULL
        || argc != 1) {
        fprintf (
            stderr,
            "daiban county table: --store FILE and --month YYYY-MM are required / 缺少 --store 或 --month\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliCountyStore) db = cli_county_store_open (store, FALSE, "county table");
    if (db == NULL)
        return CLI_EXIT_CONFIG;
    sqlite3_stmt *st = NULL, *win = NULL;
    if (sqlite3_prepare_v2 (
            cli_county_store_get_db (db),
            "SELECT t.township, m.name, m.closed, m.accepted, m.completed, m.on_time, m.returns,"
            " m.rated, m.satisfied, m.basic, m.unsatisfied, m.stars, m.score_milli, m.fetched_ms"
            " FROM (SELECT township FROM county_township UNION SELECT township FROM county_month"
            " WHERE month = ?1) t LEFT JOIN county_month m ON m.township = t.township AND m.month = ?1"
            " ORDER BY t.township",
            -1, &st, NULL)
            != SQLITE_OK
        || sqlite3_prepare_v2 (
               cli_county_store_get_db (db),
               "SELECT window, stars FROM county_month_window WHERE township = ?1 AND month = ?2"
               " ORDER BY window",
               -1, &win, NULL)
               != SQLITE_OK) {
        fprintf (stderr, "daiban county table: %s\n", sqlite3_errmsg (cli_county_store_get_db (db)));
        sqlite3_finalize (st);
        return CLI_EXIT_CONFIG;
    }
    sqlite3_bind_text (st, 1, month, -1, SQLITE_STATIC);
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "month");
    json_builder_add_string_value (b, month);
    json_builder_set_member_name (b, "townships");
    json_builder_begin_array (b);
    if (!json) {
        const char *const heads[] = {
            "乡镇 id", "名称 name", "受理", "办结", "按时%", "满意%", "星级", "得分"
        };
        const guint widths[] = { 10, 12, 6, 6, 7, 7, 5, 8 };
        printf ("%s 县月度考核表 / the county's monthly table\n", month);
        for (guint k = 0; k < G_N_ELEMENTS (heads); k++) {
            g_autofree char *cell = pad_to (heads[k], widths[k], k >= 2);
            printf ("%s ", cell);
        }
        printf ("窗口星级 windows' stars  审计 audit\n");
    }
    int status = CLI_EXIT_OK;
    while (sqlite3_step (st) == SQLITE_ROW) {
        const char *township = (const char *) sqlite3_column_text (st, 0);
        gboolean have = sqlite3_column_type (st, 1) != SQLITE_NULL;
        gint64 v[11];
        for (guint k = 0; k < G_N_ELEMENTS (v); k++)
            v[k] = sqlite3_column_int64 (st, 3 + (int) k);
        /* v: accepted completed on_time returns rated satisfied basic unsatisfied stars score fetched */
        gboolean rewritten = FALSE;
        g_autofree char *state = audit_state (db, township, &rewritten);
        if (rewritten)
            status = CLI_EXIT_TAMPERED;
        g_autoptr (GString) windows = g_string_new (NULL);
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "township");
        json_builder_add_string_value (b, township);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, have ? (const char *) sqlite3_column_text (st, 1) : township);
        json_builder_set_member_name (b, "fetched");
        json_builder_add_boolean_value (b, have);
        if (have) {
            json_builder_set_member_name (b, "closed");
            json_builder_add_boolean_value (b, sqlite3_column_int (st, 2) != 0);
            const char *const names[] = { "accepted", "completed",   "on_time",   "returns",
                                          "rated",    "satisfied",   "basic",     "unsatisfied",
                                          "stars",    "score_milli", "fetched_ms" };
            for (guint k = 0; k < G_N_ELEMENTS (names); k++) {
                json_builder_set_member_name (b, names[k]);
                json_builder_add_int_value (b, v[k]);
            }
        }
        json_builder_set_member_name (b, "windows");
        json_builder_begin_object (b);
        sqlite3_reset (win);
        sqlite3_bind_text (win, 1, township, -1, SQLITE_STATIC);
        sqlite3_bind_text (win, 2, month, -1, SQLITE_STATIC);
        while (sqlite3_step (win) == SQLITE_ROW) {
            json_builder_set_member_name (b, (const char *) sqlite3_column_text (win, 0));
            json_builder_add_int_value (b, sqlite3_column_int64 (win, 1));
            g_string_append_printf (windows, "%s%s=%lld", windows->len ? " " : "",
                                    sqlite3_column_text (win, 0), (long long) sqlite3_column_int64 (win, 1));
        }
        json_builder_end_object (b);
        json_builder_set_member_name (b, "audit");
        json_builder_add_string_value (b, rewritten                                        ? "REWRITTEN"
                                          : cli_county_store_get_proven (db, township) > 0 ? "verified"
                                                                                           : "unverified");
        json_builder_set_member_name (b, "verified_through");
        json_builder_add_int_value (b, cli_county_store_get_proven (db, township));
        json_builder_end_object (b);
        if (json)
            continue;
        g_autofree char *id_cell = pad (township, 10);
        g_autofree char *name_cell = pad (have ? (const char *) sqlite3_column_text (st, 1) : township, 12);
        if (!have) {
            printf ("%s %s 尚无本月数据 no figures fetched  %s\n", id_cell, name_cell, state);
            continue;
        }
        g_autofree char *on_time_raw = percent (v[2], v[1]);
        g_autofree char *happy_raw = percent (v[5] + v[6], v[4]);
        /* "—" is one column and three bytes: padded by columns, not by printf. */
        g_autofree char *on_time = pad_to (on_time_raw, 7, TRUE);
        g_autofree char *happy = pad_to (happy_raw, 7, TRUE);
        printf ("%s %s %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %s %s %5" G_GINT64_FORMAT
                " %8.3f %s  %s\n",
                id_cell, name_cell, v[0], v[1], on_time, happy, v[8], v[9] / 1000.0,
                windows->len ? windows->str : "—", state);
    }
    sqlite3_finalize (st);
    sqlite3_finalize (win);
    json_builder_end_array (b);
    json_builder_end_object (b);
    if (json) {
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        g_autofree char *text = json_to_string (root, FALSE);
        printf ("%s\n", text);
    }
    return status;
}

int
cli_county (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "keep", county_keep },
        { "check", county_check },
        { "prove", county_prove },
        { "status", county_status },
        { "follow", cli_county_follow },
        { "table", county_table },
        { NULL, NULL },
    };
    return cli_run_subcommand ("county", county_usage, subcommands, argc, argv, data_option);
}
