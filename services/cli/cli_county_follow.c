/* cli_county_follow.c: `daiban county follow --store FILE [--interval S]`,
 * the county's follower (issue 16 item 3, docs/county.md).
 *
 * In a county folder (--data COUNTY_DIR), for every township its
 * daiban.conf names, every interval (2 s): keep the township's new audit
 * heads, prove them consistent with the heads kept before (the same code as
 * `county keep` and `county prove`, cli_county_store.c), and fetch
 * eval.month of this month and the month before into county_month. Each
 * township has its own connection, made from its folder (its daiban.conf
 * and its services' public keys) and the county's key (--key, else [county]
 * committee_key).
 *
 * Why polling sys.sync rather than a subscriber: keep already reads the
 * audit journal from a stored position, so a poll misses nothing and needs
 * no second path for catching up after an outage; a head is made every few
 * entries or seconds (docs/audit.md), so 2 s adds at most that much to the
 * alarm; and the month figures are not an event the county can subscribe to
 * while the month is open (eval.report comes only at close). One loop,
 * one code path, one township at a time: a township that does not answer
 * costs its timeout (1 s a call) and never stops the others.
 *
 * A township that is down is reported once per outage on stderr, and once
 * when it answers again. An alarm (a head refused, a proof failed) is
 * printed once, "警报 ALARM <id>: ...", on stderr too, and kept in the store (county_proof): the
 * township stays REWRITTEN; its month figures are still fetched.
 */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "cli_county.h"
#include "cli_county_store.h"

#define FOLLOW_TIMEOUT_MS 1000

typedef struct {
    const char *id;     /* borrowed from the config */
    const char *name;   /* borrowed */
    const char *folder; /* borrowed */
    CliContext *ctx;    /* its connection, NULL until made */
    gboolean down;      /* the outage is reported */
    gboolean alarmed;   /* the alarm is printed */
} Followed;

typedef struct {
    CliCountyStore *store;
    Followed *townships;
    guint n;
    DbnClock *clock;
    GMainLoop *loop;
} Follower;

/* This month and the month before, YYYY-MM, on the services' clock. */
static void
months (DbnClock *clock, char **now, char **before)
{
    g_autoptr (GDateTime) t = dbn_clock_local_from_ms (dbn_clock_now_ms (clock));
    g_autoptr (GDateTime) first = g_date_time_new (g_date_time_get_timezone (t), g_date_time_get_year (t),
                                                   g_date_time_get_month (t), 1, 0, 0, 0);
    g_autoptr (GDateTime) previous = g_date_time_add_months (first, -1);
    *now = g_date_time_format (first, "%Y-%m");
    *before = g_date_time_format (previous, "%Y-%m");
}

static void
alarm_once (Followed *t, const char *alarm)
{
    if (t->alarmed)
        return;
    t->alarmed = TRUE;
    fprintf (stderr, "daiban county follow: 警报 ALARM %s: %s\n", t->id, alarm);
}

/* Keeps the first problem of this round (its line). */
static void
note_problem (char **problem, const GError *error)
{
    if (*problem != NULL || error == NULL)
        return;
    *problem = error->domain == CLI_COUNTY_ERROR ? g_strdup (error->message) : cli_dup_error_line (error);
}

static void
follow_one (Follower *f, Followed *t)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *problem = NULL;
    if (t->ctx == NULL) {
        t->ctx = cli_context_new (t->folder, &error);
        if (t->ctx != NULL && g_getenv ("DAIBAN_TIMEOUT_MS") == NULL)
            t->ctx->timeout_ms = FOLLOW_TIMEOUT_MS;
        note_problem (&problem, error);
        g_clear_error (&error);
    }
    if (t->ctx != NULL) {
        CliCountyOutcome out = { 0 };
        int status = cli_county_store_keep (f->store, t->ctx, t->id, &out, &error);
        if (status == CLI_EXIT_OK) {
            cli_county_outcome_clear (&out);
            status = cli_county_store_prove (f->store, t->ctx, t->id, &out, &error);
            /* No head yet: a new township, nothing to prove. */
            if (g_error_matches (error, CLI_COUNTY_ERROR, CLI_EXIT_REFUSED)) {
                status = CLI_EXIT_OK;
                g_clear_error (&error);
            }
        }
        if (status == CLI_EXIT_TAMPERED)
            alarm_once (t, out.alarm);
        note_problem (&problem, error);
        g_clear_error (&error);
        cli_county_outcome_clear (&out);
        g_autofree char *now = NULL, *before = NULL;
        months (f->clock, &now, &before);
        const char *const wanted[] = { before, now };
        for (guint i = 0; i < G_N_ELEMENTS (wanted); i++) {
            cli_county_store_fetch_month (f->store, t->ctx, t->id, t->name, wanted[i], &error);
            note_problem (&problem, error);
            g_clear_error (&error);
        }
    }
    if (problem != NULL && !t->down) {
        t->down = TRUE;
        fprintf (stderr,
                 "daiban county follow: 乡镇 %s 暂时无法跟随，稍后重试 / township %s cannot be followed now, "
                 "retrying: %s\n",
                 t->id, t->id, problem);
    } else if (problem == NULL && t->down) {
        t->down = FALSE;
        fprintf (stderr, "daiban county follow: 乡镇 %s 已恢复 / township %s answers again\n", t->id, t->id);
    }
}

static gboolean
follow_round (gpointer user_data)
{
    Follower *f = user_data;
    for (guint i = 0; i < f->n; i++)
        follow_one (f, &f->townships[i]);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_stop (gpointer user_data)
{
    g_main_loop_quit (user_data);
    return G_SOURCE_CONTINUE;
}

int
cli_county_follow (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *store_path = NULL;
    int interval = 2;
    GOptionEntry entries[] = {
        { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "The county's store (county.db)", "FILE" },
        { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Seconds between rounds (default 2)", "SECONDS" },
        { NULL },
    };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("— 跟随各乡镇 / follow every township of the county's daiban.conf");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "county follow"))
        return CLI_EXIT_USAGE;
    if (store_path == NULL || argc != 1 || interval < 1) {
        fprintf (stderr,
                 "daiban county follow: --store FILE is required, --interval at least 1 / 缺少 --store\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    if (config == NULL)
        return cli_report_error ("county follow", error);
    guint n = dbn_config_get_n_townships (config);
    if (n == 0) {
        fprintf (
            stderr,
            "daiban county follow: %s/daiban.conf 没有列出乡镇（[county] townships）/ names no townships "
            "([county] townships): not a county folder\n",
            dir);
        return CLI_EXIT_CONFIG;
    }
    /* The county's key in every township: --key, else [county] committee_key. */
    if (cli_get_key_option () == NULL && dbn_config_get_county_committee_key (config) != NULL)
        cli_set_key_option (dbn_config_get_county_committee_key (config));
    if (cli_get_key_option () == NULL) {
        fprintf (
            stderr,
            "daiban county follow: 没有县里的密钥（--key FILE 或 [county] committee_key）/ no county key: "
            "give --key FILE or set [county] committee_key\n");
        return CLI_EXIT_CONFIG;
    }
    g_autoptr (CliCountyStore) store = cli_county_store_open (store_path, TRUE, "county follow");
    if (store == NULL)
        return CLI_EXIT_CONFIG;
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    Follower f = { .store = store, .n = n, .clock = clock, .loop = g_main_loop_new (NULL, FALSE) };
    f.townships = g_new0 (Followed, n);
    for (guint i = 0; i < n; i++) {
        f.townships[i].id = dbn_config_get_township_id (config, i);
        f.townships[i].name = dbn_config_get_township_name (config, i);
        f.townships[i].folder = dbn_config_get_township_folder (config, i);
        /* Flagged before this run: said once more, then kept quiet. */
        g_autofree char *failed = cli_county_store_dup_failure (store, f.townships[i].id);
        if (failed != NULL)
            alarm_once (&f.townships[i], failed);
    }
    fprintf (
        stderr,
        "daiban county follow: 跟随 %u 个乡镇，每 %d 秒 / following %u townships every %d s (store %s)\n", n,
        interval, n, interval, store_path);
    guint sigint = g_unix_signal_add (SIGINT, on_stop, f.loop);
    guint sigterm = g_unix_signal_add (SIGTERM, on_stop, f.loop);
    follow_round (&f);
    guint timer = g_timeout_add ((guint) interval * 1000, follow_round, &f);
    g_main_loop_run (f.loop);
    g_source_remove (timer);
    g_source_remove (sigint);
    g_source_remove (sigterm);
    for (guint i = 0; i < n; i++)
        g_clear_pointer (&f.townships[i].ctx, cli_context_free);
    g_free (f.townships);
    g_main_loop_unref (f.loop);
    fprintf (stderr, "daiban county follow: 已停止 / stopped\n");
    return CLI_EXIT_OK;
}
