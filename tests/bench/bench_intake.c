/* bench_intake: durable, acknowledged submits through daiban-intake (a real
 * process, synchronous=FULL, group commit) to a consuming process, with
 * clients that keep many requests in flight. Beside it, in the same run on
 * the same machine, the two references the issue names: raw libzmq
 * PUSH/PULL messages/s and raw SQLite batched inserts/s; the figures that
 * matter are the ratios (absolute numbers on a shared VM move by ±40 %).
 *
 *   bench_intake [--cases N] [--clients C] [--window W] [--plain]
 *
 * CURVE is on, as in production: every client, intake and the consumer
 * authenticate and encrypt (keys made by the harness). --plain sets
 * DAIBAN_INSECURE_PLAINTEXT=1 for this process and the services it starts,
 * so the same run without CURVE gives the cost of security (ipc only).
 */
#include <sqlite3.h>
#include <string.h>
#include <zmq.h>

#include "bench_reference.h"
#include "dbn_test_harness.h"

static gint64 opt_cases = 200000;
static gint opt_clients = 4;
static gint opt_window = 500;
static gboolean opt_plain = FALSE;

typedef struct {
    DbnHarness *harness;
    GBytes **bodies; /* encoded submits of this client */
    guint n;         /* how many */
    gint64 *latency; /* per request, µs */
    guint64 errors;  /* error replies */
} Job;

static gpointer
client_thread (gpointer data)
{
    Job *job = data;
    DbnConfig *config = dbn_harness_get_config (job->harness);
    g_autoptr (DbnClient) client = dbn_client_new (dbn_harness_get_bus (job->harness),
                                                   dbn_config_get_command_endpoint (config, "intake"), NULL);
    g_autofree gint64 *sent = g_new0 (gint64, job->n);
    guint next = 0, done = 0, in_flight = 0;
    while (done < job->n) {
        while (in_flight < (guint) opt_window && next < job->n) {
            guint32 id = next;
            g_autoptr (GBytes) rid = g_bytes_new (&id, sizeof id);
            sent[next] = g_get_monotonic_time ();
            dbn_client_send_raw (client, rid, job->bodies[next], NULL);
            next++;
            in_flight++;
        }
        g_autoptr (GBytes) rid = NULL;
        g_autoptr (GBytes) reply = NULL;
        if (!dbn_client_recv_raw (client, 5000, &rid, &reply))
            g_error ("no reply within 5 s (%u of %u done)", done, job->n);
        guint32 id;
        memcpy (&id, g_bytes_get_data (rid, NULL), sizeof id);
        job->latency[id] = g_get_monotonic_time () - sent[id];
        DbnEnvReply env = { 0 };
        if (!dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, NULL)
            || !env.ok)
            job->errors++;
        dbn_env_reply_clear (&env);
        done++;
        in_flight--;
    }
    return NULL;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
    return (x > y) - (x < y);
}

static gint64
consumer_applied (const char *path)
{
    sqlite3 *db = NULL;
    gint64 n = 0;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout (db, 1000);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (db, "SELECT coalesce(max(n), 0) FROM applied", -1, &st, NULL) == SQLITE_OK
            && sqlite3_step (st) == SQLITE_ROW)
            n = sqlite3_column_int64 (st, 0);
        sqlite3_finalize (st);
    }
    sqlite3_close (db);
    return n;
}

int
main (int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "cases", 'n', 0, G_OPTION_ARG_INT64, &opt_cases, "Submits to send (default 200000)", "N" },
        { "clients", 'c', 0, G_OPTION_ARG_INT, &opt_clients, "Client threads (default 4)", "C" },
        { "window", 'w', 0, G_OPTION_ARG_INT, &opt_window, "Requests in flight per client (default 500)",
          "W" },
        { "plain", 0, 0, G_OPTION_ARG_NONE, &opt_plain,
          "Without CURVE (DAIBAN_INSECURE_PLAINTEXT=1), to measure its cost", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— intake throughput benchmark");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        g_printerr ("%s\n", error->message);
        return 2;
    }
    dbn_log_init ("bench-intake");
    /* Before the harness: it and the services it spawns read it. */
    if (opt_plain)
        g_setenv (DBN_AUTH_PLAINTEXT_ENV, "1", TRUE);
    gboolean curve = g_strcmp0 (g_getenv (DBN_AUTH_PLAINTEXT_ENV), "1") != 0;
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autofree char *consumer_db = g_build_filename (dir, "consumer.db", NULL);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    const char *cargs[] = { "--data", dir, "--producer", "intake", "--db", consumer_db, NULL };
    GSubprocess *consumer = dbn_harness_spawn (h, "dbn-test-consumer", cargs);

    guint n = (guint) opt_cases, clients = (guint) opt_clients;
    Job *jobs = g_new0 (Job, clients);
    GThread **threads = g_new0 (GThread *, clients);
    for (guint c = 0; c < clients; c++) {
        jobs[c].harness = h;
        jobs[c].n = n / clients + (c < n % clients);
        jobs[c].bodies = g_new0 (GBytes *, jobs[c].n);
        jobs[c].latency = g_new0 (gint64, jobs[c].n);
        for (guint i = 0; i < jobs[c].n; i++) {
            g_autofree char *key = g_strdup_printf ("bench-%u-%09u", c, i);
            g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, c * 1000000 + i, TRUE);
            jobs[c].bodies[i] = dbn_msg_intake_submit_encode (m, NULL);
        }
    }
    gint64 t0 = g_get_monotonic_time ();
    for (guint c = 0; c < clients; c++)
        threads[c] = g_thread_new ("client", client_thread, &jobs[c]);
    for (guint c = 0; c < clients; c++)
        g_thread_join (threads[c]);
    double acked_secs = (g_get_monotonic_time () - t0) / 1e6;
    while (consumer_applied (consumer_db) < n)
        g_usleep (20 * 1000);
    double e2e_secs = (g_get_monotonic_time () - t0) / 1e6;

    g_autofree gint64 *all = g_new0 (gint64, n);
    guint k = 0;
    guint64 errors = 0;
    for (guint c = 0; c < clients; c++) {
        memcpy (all + k, jobs[c].latency, jobs[c].n * sizeof (gint64));
        k += jobs[c].n;
        errors += jobs[c].errors;
    }
    qsort (all, n, sizeof (gint64), cmp_gint64);
    double rate = n / acked_secs;
    double e2e = n / e2e_secs;
    dbn_harness_stop (consumer, 10000);
    dbn_harness_stop (intake, 10000);
    g_object_unref (consumer);
    g_object_unref (intake);

    double zmq_rate = bench_reference_zmq (dir, 2000000);
    double sqlite_rate = bench_reference_sqlite (dir, 500000);

    g_print ("bench_intake: %u submits, %u clients x window %d, synchronous=FULL, ipc, CURVE %s, "
             "%" G_GUINT64_FORMAT " errors\n",
             n, clients, opt_window, curve ? "on" : "OFF (--plain)", errors);
    g_print ("  durable acked submits     %10.0f cases/s   p50 %.2f ms   p99 %.2f ms\n", rate,
             all[n / 2] / 1000.0, all[(guint) (n * 0.99)] / 1000.0);
    g_print ("  through to the consumer   %10.0f cases/s   (all %u events applied after %.2f s)\n", e2e, n,
             e2e_secs);
    g_print ("  reference: raw libzmq PUSH/PULL 100 B, ipc   %10.0f msg/s    ratio %.3f\n", zmq_rate,
             rate / zmq_rate);
    g_print ("  reference: raw SQLite WAL FULL, batches of 500 %9.0f rows/s   ratio %.3f\n", sqlite_rate,
             rate / sqlite_rate);
    g_print ("  target: >= 50000 durable acked submits/s: %s\n", rate >= 50000 ? "met" : "NOT met");
    for (guint c = 0; c < clients; c++) {
        for (guint i = 0; i < jobs[c].n; i++)
            g_bytes_unref (jobs[c].bodies[i]);
        g_free (jobs[c].bodies);
        g_free (jobs[c].latency);
    }
    g_free (jobs);
    g_free (threads);
    return errors == 0 ? 0 : 1;
}
