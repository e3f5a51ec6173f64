/* cli_up.c: `daiban up` — every service of this build on this machine.
 *
 * Creates the data folder, daiban.conf and the keys (dbn_keys_init: one key
 * pair per service, one for the operator, the registry) on first start, so
 * the embedded default runs CURVE with no extra step; starts each
 * service binary found beside `daiban` (build tree and installation alike),
 * restarts one that dies (1 s, doubling to 30 s while it keeps dying within a
 * minute of starting), and on SIGINT/SIGTERM sends SIGTERM to all, waits up
 * to 10 s, then SIGKILLs what is left. Children get PR_SET_PDEATHSIG so that
 * even a SIGKILLed supervisor leaves no service behind.
 *
 * GSubprocess rather than fork/exec by hand: it integrates child watching with
 * the main loop and handles the async-signal-safety of spawning.
 */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>

#include <gio/gio.h>

#include "cli_common.h"
#include "audit_service.h"

#define RESTART_MIN_MS  1000
#define RESTART_MAX_MS  30000
#define STABLE_AFTER_US (60 * G_USEC_PER_SEC)
#define STOP_GRACE_MS   10000

typedef struct _Supervisor Supervisor;

typedef struct {
    Supervisor *sup;      /* owner */
    char *name;           /* service name */
    char *binary;         /* absolute path of daiban-<name> */
    char **argv;          /* its arguments after the binary (NULL-terminated) */
    gboolean service;     /* a service (answers sys.status), not the county's follower */
    GSubprocess *process; /* running child, NULL while down */
    gint64 started_us;    /* monotonic start of the current run */
    guint backoff_ms;     /* next restart delay */
    guint restart_id;     /* pending restart timer */
    gboolean ready;       /* answered sys.status since its last start */
    guint restarts;       /* how many times it was restarted */
} Child;

struct _Supervisor {
    CliContext *ctx;     /* data folder, config, bus */
    GPtrArray *children; /* Child* */
    GMainLoop *loop;     /* runs until all stopped */
    gboolean stopping;   /* a signal came */
    guint kill_id;       /* SIGKILL timer once stopping */
    guint ready_id;      /* readiness poll */
    gboolean announced;  /* "ready" printed */
    gboolean county;     /* --county: the follower only */
};

static void start_child (Child *child);

static void
child_setup (gpointer user_data)
{
    /* Runs in the child between fork and exec: only async-signal-safe calls. */
    prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
child_free (Child *child)
{
    if (child->restart_id)
        g_source_remove (child->restart_id);
    g_clear_object (&child->process);
    g_free (child->name);
    g_free (child->binary);
    g_strfreev (child->argv);
    g_free (child);
}

static gboolean
all_stopped (Supervisor *sup)
{
    for (guint i = 0; i < sup->children->len; i++)
        if (((Child *) g_ptr_array_index (sup->children, i))->process != NULL)
            return FALSE;
    return TRUE;
}

static gboolean
restart_due (gpointer user_data)
{
    Child *child = user_data;
    child->restart_id = 0;
    if (!child->sup->stopping)
        start_child (child);
    return G_SOURCE_REMOVE;
}

static void
on_child_exit (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Child *child = user_data;
    Supervisor *sup = child->sup;
    GSubprocess *process = G_SUBPROCESS (source);
    g_subprocess_wait_finish (process, result, NULL);
    if (process != child->process)
        return;
    g_autofree char *how = g_subprocess_get_if_signaled (process)
                               ? g_strdup_printf ("killed by signal %d", g_subprocess_get_term_sig (process))
                               : g_strdup_printf ("exit status %d", g_subprocess_get_exit_status (process));
    g_clear_object (&child->process);
    child->ready = FALSE;
    if (sup->stopping) {
        fprintf (stderr, "daiban up: %s stopped (%s)\n", child->name, how);
        if (all_stopped (sup))
            g_main_loop_quit (sup->loop);
        return;
    }
    if (g_get_monotonic_time () - child->started_us > STABLE_AFTER_US)
        child->backoff_ms = RESTART_MIN_MS;
    fprintf (stderr, "daiban up: %s 异常退出 died (%s); restarting in %u ms / 正在重启\n", child->name, how,
             child->backoff_ms);
    child->restart_id = g_timeout_add (child->backoff_ms, restart_due, child);
    child->backoff_ms = MIN (child->backoff_ms * 2, RESTART_MAX_MS);
    child->restarts++;
}

static void
start_child (Child *child)
{
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) args = g_ptr_array_new ();
    g_ptr_array_add (args, child->binary);
    for (char **a = child->argv; *a != NULL; a++)
        g_ptr_array_add (args, *a);
    g_ptr_array_add (args, NULL);
    child->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
    child->started_us = g_get_monotonic_time ();
    if (child->process == NULL) {
        fprintf (stderr, "daiban up: cannot start %s: %s / 无法启动\n", child->name, error->message);
        child->restart_id = g_timeout_add (child->backoff_ms, restart_due, child);
        child->backoff_ms = MIN (child->backoff_ms * 2, RESTART_MAX_MS);
        return;
    }
    fprintf (stderr, "daiban up: %s started (pid %s)\n", child->name,
             g_subprocess_get_identifier (child->process));
    g_subprocess_wait_async (child->process, NULL, on_child_exit, child);
}

static gboolean
kill_remaining (gpointer user_data)
{
    Supervisor *sup = user_data;
    sup->kill_id = 0;
    for (guint i = 0; i < sup->children->len; i++) {
        Child *child = g_ptr_array_index (sup->children, i);
        if (child->process != NULL) {
            fprintf (stderr, "daiban up: %s did not stop in time; killing it\n", child->name);
            g_subprocess_force_exit (child->process);
        }
    }
    return G_SOURCE_REMOVE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
    Supervisor *sup = user_data;
    if (sup->stopping)
        return G_SOURCE_CONTINUE;
    sup->stopping = TRUE;
    fprintf (stderr, "daiban up: stopping every service / 正在停止全部服务\n");
    for (guint i = 0; i < sup->children->len; i++) {
        Child *child = g_ptr_array_index (sup->children, i);
        if (child->restart_id) {
            g_source_remove (child->restart_id);
            child->restart_id = 0;
        }
        if (child->process != NULL)
            g_subprocess_send_signal (child->process, SIGTERM);
    }
    if (all_stopped (sup))
        g_main_loop_quit (sup->loop);
    else
        sup->kill_id = g_timeout_add (STOP_GRACE_MS, kill_remaining, sup);
    return G_SOURCE_CONTINUE;
}

/* Polls sys.status of each running, not yet ready service; prints one
 * "ready" line when all have answered, so scripts can wait for it. */
static gboolean
poll_ready (gpointer user_data)
{
    Supervisor *sup = user_data;
    if (sup->stopping)
        return G_SOURCE_CONTINUE;
    gboolean all = TRUE;
    for (guint i = 0; i < sup->children->len; i++) {
        Child *child = g_ptr_array_index (sup->children, i);
        if (child->ready)
            continue;
        if (!child->service) {
            /* The follower answers nothing: running is ready. */
            child->ready = child->process != NULL;
            all &= child->ready;
            continue;
        }
        if (child->process == NULL) {
            all = FALSE;
            continue;
        }
        g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
        cmd->env.key = g_uuid_string_random ();
        g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
        guint saved = sup->ctx->timeout_ms;
        sup->ctx->timeout_ms = 200;
        g_autoptr (GBytes) reply = cli_call (sup->ctx, child->name, body, 1, NULL);
        sup->ctx->timeout_ms = saved;
        child->ready = reply != NULL;
        all &= child->ready;
    }
    if (all && !sup->announced && sup->county) {
        sup->announced = TRUE;
        printf ("daiban: 县里的跟随进程已启动 ready (county follower, %u townships, data %s)\n",
                dbn_config_get_n_townships (sup->ctx->config), sup->ctx->data_dir);
        fflush (stdout);
    } else if (all && !sup->announced) {
        sup->announced = TRUE;
        printf ("daiban: 全部服务已就绪 ready (%u services, data %s)\n", sup->children->len,
                sup->ctx->data_dir);
        fflush (stdout);
    }
    return G_SOURCE_CONTINUE;
}

char *
cli_find_service_binary (const char *name)
{
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname (self) : g_strdup (".");
    g_autofree char *file = g_strdup_printf ("daiban-%s", name);
    char *path = g_build_filename (dir, file, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return path;
    g_free (path);
    return g_find_program_in_path (file);
}

/* Starts every child of sup, restarts the ones that die, and stops them all
 * on SIGINT/SIGTERM. Frees the children and the loop. */
static int
supervise (Supervisor *sup)
{
    guint sigint = g_unix_signal_add (SIGINT, on_stop_signal, sup);
    guint sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, sup);
    /* PDEATHSIG fires when the spawning thread exits: spawn from this one only. */
    for (guint i = 0; i < sup->children->len; i++)
        start_child (g_ptr_array_index (sup->children, i));
    sup->ready_id = g_timeout_add (250, poll_ready, sup);

    g_main_loop_run (sup->loop);

    g_source_remove (sigint);
    g_source_remove (sigterm);
    g_source_remove (sup->ready_id);
    if (sup->kill_id)
        g_source_remove (sup->kill_id);
    g_ptr_array_unref (sup->children);
    g_main_loop_unref (sup->loop);
    fprintf (stderr, sup->county ? "daiban up: the follower stopped / 跟随进程已停止\n"
                                 : "daiban up: all services stopped / 全部服务已停止\n");
    return CLI_EXIT_OK;
}

/* daiban up --county: in a county folder, no township service, only the
 * follower of its townships (`daiban county follow`, this same program), as
 * a supervised child: restarted after a crash as a service is. */
static int
up_county (const char *dir)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    if (config == NULL)
        return cli_report_error ("up", error);
    if (dbn_config_get_n_townships (config) == 0) {
        fprintf (
            stderr,
            "daiban up --county: %s/daiban.conf 没有列出乡镇（[county] townships = T01;T02 和 "
            "[township:T01] folder = ...）/ names no townships ([county] townships and a [township:<id>] "
            "folder each): not a county folder\n",
            dir);
        return CLI_EXIT_CONFIG;
    }
    g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
    if (self == NULL)
        return cli_report_error ("up", error);
    /* The context only for its config and data folder: the follower makes its own connections. */
    CliContext *ctx = g_new0 (CliContext, 1);
    ctx->data_dir = g_strdup (dir);
    ctx->config = g_steal_pointer (&config);
    g_autofree char *store = g_build_filename (dir, "county.db", NULL);
    Supervisor sup = { 0 };
    sup.ctx = ctx;
    sup.county = TRUE;
    sup.children = g_ptr_array_new_with_free_func ((GDestroyNotify) child_free);
    sup.loop = g_main_loop_new (NULL, FALSE);
    Child *child = g_new0 (Child, 1);
    child->sup = &sup;
    child->name = g_strdup ("county follow");
    child->binary = g_steal_pointer (&self);
    g_autoptr (GPtrArray) args = g_ptr_array_new ();
    g_ptr_array_add (args, g_strdup ("--data"));
    g_ptr_array_add (args, g_strdup (dir));
    if (cli_get_key_option () != NULL) {
        g_ptr_array_add (args, g_strdup ("--key"));
        g_ptr_array_add (args, g_strdup (cli_get_key_option ()));
    }
    const char *const rest[] = { "county", "follow", "--store", store, NULL };
    for (guint i = 0; rest[i] != NULL; i++)
        g_ptr_array_add (args, g_strdup (rest[i]));
    g_ptr_array_add (args, NULL);
    child->argv = (char **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
    child->backoff_ms = RESTART_MIN_MS;
    g_ptr_array_add (sup.children, child);
    int status = supervise (&sup);
    cli_context_free (ctx);
    return status;
}

int
cli_up (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean county = FALSE;
    GOptionEntry entries[] = {
        { "county", 0, 0, G_OPTION_ARG_NONE, &county,
          "A county folder: start no township service, only the follower of its townships "
          "(daiban county follow, store DIR/county.db) / 县里：只启动跟随进程",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— 启动全部服务 / run every service here");
    g_option_context_add_main_entries (options, entries, NULL);
    g_option_context_set_description (
        options,
        "Starts every daiban service on this machine with its SQLite file under the\n"
        "data folder (created with daiban.conf and the CURVE keys on first start), restarts any that\n"
        "dies, and stops them all on Ctrl-C or SIGTERM. Prints a 'ready' line when\n"
        "every service answers.");
    cli_add_data_option (options, &data);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban up: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    g_autofree char *dir = dbn_config_resolve_data_dir (data);
    if (county)
        return up_county (dir);
    if (!dbn_config_write_default (dir, &error))
        return cli_report_error ("up", error);
    /* Idempotent: a second start keeps every key (and every revocation). */
    /* The registry's times are this process's time: a test that moves
     * the services' clock (DAIBAN_CLOCK_FILE) moves these too. */
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    /* The audit service's Ed25519 key beside its CURVE key (docs/audit.md). */
    if (!dbn_keys_init (dir, clock, &error) || !audit_signing_key_ensure (dir, &error))
        return cli_report_error ("up", error);
    g_autoptr (CliContext) ctx = cli_context_new (dir, &error);
    if (ctx == NULL)
        return cli_report_error ("up", error);

    Supervisor sup = { 0 };
    sup.ctx = ctx;
    sup.children = g_ptr_array_new_with_free_func ((GDestroyNotify) child_free);
    sup.loop = g_main_loop_new (NULL, FALSE);
    for (int i = 0; cli_built_services[i] != NULL; i++) {
        g_autofree char *binary = cli_find_service_binary (cli_built_services[i]);
        if (binary == NULL) {
            fprintf (stderr, "daiban up: daiban-%s is not installed / 找不到服务程序\n",
                     cli_built_services[i]);
            g_ptr_array_unref (sup.children);
            g_main_loop_unref (sup.loop);
            return CLI_EXIT_CONFIG;
        }
        Child *child = g_new0 (Child, 1);
        child->sup = &sup;
        child->name = g_strdup (cli_built_services[i]);
        child->binary = g_steal_pointer (&binary);
        child->argv = g_strdupv ((char *[]){ (char *) "--data", sup.ctx->data_dir, NULL });
        child->service = TRUE;
        child->backoff_ms = RESTART_MIN_MS;
        g_ptr_array_add (sup.children, child);
    }
    return supervise (&sup);
}
