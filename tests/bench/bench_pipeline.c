/* bench_pipeline: cases through all five services (issue 17 item 1). Each
 * case is an intake.submit at intake; routing follows intake and publishes
 * the routed case on the window's topic (q/jisheng/), deadline follows
 * intake and routing, evaluation follows routing and deadline, audit
 * follows the other four. A window (its own CURVE key, window:jisheng)
 * subscribes to q/jisheng/ on routing's publisher, through the real bus.
 * Real service processes, CURVE on, synchronous=FULL, ipc.
 *
 *   bench_pipeline [--cases N] [--rate R] [--latency-cases M]
 *                  [--latency-rate L] [--plain]
 *
 * Two phases, both open loop (each submit leaves at its scheduled instant,
 * whatever the replies do, so a slow service cannot slow the offered load):
 *   1. sustained: N cases offered at R/s. Every 200 ms the journal lag of
 *      each consumer (its producer's newest seq minus the consumer's stored
 *      offset, read from their SQLite files) is sampled; it is printed at a
 *      quarter, half, three quarters and the end of the sending, with the
 *      time each consumer needed after the last send to reach zero. The
 *      pipeline kept up when every consumer drained within a second; the
 *      figure is N over the time until every consumer applied everything.
 *   2. latency: M cases offered at L/s (1,000/s by default); latency from
 *      each submit's scheduled instant to the window's receipt of its case
 *      event: p50/p99/p99.9/max.
 * Beside them, measured in the same run after the services stopped: raw
 * libzmq PUSH/PULL messages/s, raw SQLite batched inserts/s and the median
 * time of one fsync'd SQLite commit, with the ratios (bench_reference.h). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "audit_service.h"
#include "bench_reference.h"
#include "dbn_test_harness.h"

static gint64 opt_cases = 100000;
static gint opt_rate = 10000;
static gint64 opt_latency_cases = 20000;
static gint opt_latency_rate = 1000;
static gboolean opt_plain = FALSE;

#define WINDOW       "jisheng"
#define WINDOW_TOPIC "q/jisheng/"
#define SAMPLE_MS    200

/* ---- journal lag of every consumer ---- */

typedef struct {
    const char *consumer;
    const char *producer;
} Edge;

static const Edge edges[] = {
    { "routing", "intake" },   { "intake", "routing" },     { "deadline", "intake" },
    { "deadline", "routing" }, { "evaluation", "routing" }, { "evaluation", "deadline" },
    { "audit", "intake" },     { "audit", "routing" },      { "audit", "deadline" },
    { "audit", "evaluation" },
};
#define N_EDGES G_N_ELEMENTS (edges)
static const char *const services[] = { "intake", "routing", "deadline", "evaluation", "audit" };
#define N_SERVICES G_N_ELEMENTS (services)

typedef struct {
    gint64 at;           /* monotonic µs */
    gint64 lag[N_EDGES]; /* events */
} Sample;

typedef struct {
    sqlite3 *db[N_SERVICES];
    sqlite3_stmt *offset[N_EDGES]; /* the consumer's offset for the producer */
    sqlite3_stmt *newest[N_SERVICES];
    GMutex lock;
    GArray *samples; /* Sample, under lock */
    gint stop;       /* atomic */
    GThread *thread;
} LagMonitor;

static guint
service_index (const char *name)
{
    for (guint i = 0; i < N_SERVICES; i++)
        if (strcmp (services[i], name) == 0)
            return i;
    g_assert_not_reached ();
}

static gint64
step_int (sqlite3_stmt *st)
{
    gint64 n = -1;
    if (sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int64 (st, 0);
    sqlite3_reset (st);
    return n;
}

/* One sample: the consumers' offsets first, then the producers' newest, so
 * a lag is never negative. A read that meets a lock counts as no sample. */
static gboolean
lag_sample (LagMonitor *m, Sample *out)
{
    out->at = g_get_monotonic_time ();
    gint64 offsets[N_EDGES], newest[N_SERVICES];
    for (guint e = 0; e < N_EDGES; e++)
        offsets[e] = step_int (m->offset[e]);
    for (guint s = 0; s < N_SERVICES; s++)
        newest[s] = step_int (m->newest[s]);
    for (guint e = 0; e < N_EDGES; e++) {
        gint64 n = newest[service_index (edges[e].producer)];
        if (n < 0)
            return FALSE;
        /* No row yet: nothing applied. */
        out->lag[e] = n - MAX (offsets[e], 0);
    }
    return TRUE;
}

static gpointer
lag_thread (gpointer data)
{
    LagMonitor *m = data;
    while (!g_atomic_int_get (&m->stop)) {
        Sample s;
        if (lag_sample (m, &s)) {
            g_mutex_lock (&m->lock);
            g_array_append_val (m->samples, s);
            g_mutex_unlock (&m->lock);
        }
        g_usleep (SAMPLE_MS * 1000);
    }
    return NULL;
}

static LagMonitor *
lag_monitor_new (DbnHarness *h)
{
    LagMonitor *m = g_new0 (LagMonitor, 1);
    g_mutex_init (&m->lock);
    m->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
    for (guint s = 0; s < N_SERVICES; s++) {
        g_autofree char *name = g_strconcat (services[s], ".db", NULL);
        g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), name, NULL);
        if (sqlite3_open_v2 (path, &m->db[s], SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            g_error ("%s: %s", path, sqlite3_errmsg (m->db[s]));
        sqlite3_busy_timeout (m->db[s], 1000);
        if (sqlite3_prepare_v2 (m->db[s], "SELECT coalesce(max(seq), 0) FROM journal", -1, &m->newest[s],
                                NULL)
            != SQLITE_OK)
            g_error ("%s: %s", path, sqlite3_errmsg (m->db[s]));
    }
    for (guint e = 0; e < N_EDGES; e++) {
        sqlite3 *db = m->db[service_index (edges[e].consumer)];
        if (sqlite3_prepare_v2 (db, "SELECT coalesce(max(seq), 0) FROM consumer_offset WHERE producer = ?1",
                                -1, &m->offset[e], NULL)
            != SQLITE_OK)
            g_error ("%s: %s", edges[e].consumer, sqlite3_errmsg (db));
        sqlite3_bind_text (m->offset[e], 1, edges[e].producer, -1, SQLITE_STATIC);
    }
    m->thread = g_thread_new ("lag", lag_thread, m);
    return m;
}

static void
lag_monitor_free (LagMonitor *m)
{
    g_atomic_int_set (&m->stop, 1);
    g_thread_join (m->thread);
    for (guint e = 0; e < N_EDGES; e++)
        sqlite3_finalize (m->offset[e]);
    for (guint s = 0; s < N_SERVICES; s++) {
        sqlite3_finalize (m->newest[s]);
        sqlite3_close (m->db[s]);
    }
    g_array_unref (m->samples);
    g_mutex_clear (&m->lock);
    g_free (m);
}

/* The newest sample at or before at (or the first one after it). */
static Sample
lag_at (LagMonitor *m, gint64 at)
{
    Sample found = { 0 };
    g_mutex_lock (&m->lock);
    for (guint i = 0; i < m->samples->len; i++) {
        Sample *s = &g_array_index (m->samples, Sample, i);
        if (s->at > at && found.at != 0)
            break;
        found = *s;
    }
    g_mutex_unlock (&m->lock);
    return found;
}

/* The first sample after from where edge e's lag was 0; -1 when none yet. */
static gint64
lag_zero_after (LagMonitor *m, guint e, gint64 from)
{
    gint64 at = -1;
    g_mutex_lock (&m->lock);
    for (guint i = 0; i < m->samples->len && at < 0; i++) {
        Sample *s = &g_array_index (m->samples, Sample, i);
        if (s->at >= from && s->lag[e] == 0)
            at = s->at;
    }
    g_mutex_unlock (&m->lock);
    return at;
}

/* Waits (up to timeout_s) until one sample after from finds every consumer
 * with nothing left to apply: returns that sample's instant, or -1. */
static gint64
lag_wait_drained (LagMonitor *m, gint64 from, double timeout_s)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * 1e6);
    guint seen = 0;
    while (g_get_monotonic_time () < deadline) {
        g_mutex_lock (&m->lock);
        for (; seen < m->samples->len; seen++) {
            Sample *s = &g_array_index (m->samples, Sample, seen);
            gboolean all = s->at >= from;
            for (guint e = 0; e < N_EDGES && all; e++)
                all = s->lag[e] == 0;
            if (all) {
                gint64 at = s->at;
                g_mutex_unlock (&m->lock);
                return at;
            }
        }
        g_mutex_unlock (&m->lock);
        g_usleep (SAMPLE_MS * 1000 / 2);
    }
    return -1;
}

/* ---- CPU time of each service ---- */

/* user + system time of every thread of the process (its ZeroMQ I/O thread
 * and its checkpointer included), in µs: on a shared machine the CPU a case
 * costs moves far less than the wall-clock rate does. */
static gint64
process_cpu_us (GSubprocess *process)
{
    const char *pid = g_subprocess_get_identifier (process);
    if (pid == NULL)
        return 0;
    g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
    g_autofree char *text = NULL;
    if (!g_file_get_contents (path, &text, NULL, NULL))
        return 0;
    /* Fields after the command (in parentheses, which may hold spaces):
     * state is field 3, utime 14, stime 15. */
    const char *after = strrchr (text, ')');
    if (after == NULL)
        return 0;
    g_auto (GStrv) fields = g_strsplit (after + 2, " ", 16);
    if (g_strv_length (fields) < 14)
        return 0;
    gint64 ticks = g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
    return ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

/* ---- the window: a SUB on routing's q/jisheng/ ---- */

typedef struct {
    DbnHarness *harness;
    DbnBus *bus;         /* window:jisheng */
    gint64 *received_at; /* by case number: first event's monotonic µs */
    guint cap;           /* size of received_at */
    gint received;       /* atomic: cases seen */
    gint heartbeats;     /* atomic */
    gint stop;           /* atomic */
    GThread *thread;
} Window;

static guint
case_number (const char *case_no)
{
    const char *dash = case_no != NULL ? strrchr (case_no, '-') : NULL;
    return dash != NULL ? (guint) g_ascii_strtoull (dash + 1, NULL, 10) : 0;
}

static gpointer
window_thread (gpointer data)
{
    Window *w = data;
    g_autoptr (GError) error = NULL;
    void *sub = dbn_bus_socket_new (w->bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb/", 3);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, WINDOW_TOPIC, strlen (WINDOW_TOPIC));
    if (!dbn_bus_connect (w->bus, sub,
                          dbn_config_get_publish_endpoint (dbn_harness_get_config (w->harness), "routing"),
                          &error))
        g_error ("window SUB: %s", error->message);
    while (!g_atomic_int_get (&w->stop)) {
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&topic, sub, 0) >= 0 && zmq_msg_more (&topic)
            && zmq_msg_recv (&body, sub, 0) >= 0) {
            gint64 now = g_get_monotonic_time ();
            if (zmq_msg_size (&topic) == 3 && memcmp (zmq_msg_data (&topic), "hb/", 3) == 0) {
                g_atomic_int_inc (&w->heartbeats);
            } else {
                g_auto (DbnEnvEvent) env = { 0 };
                if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
                    guint n = case_number (env.case_no);
                    if (n > 0 && n < w->cap && w->received_at[n] == 0) {
                        w->received_at[n] = now;
                        g_atomic_int_inc (&w->received);
                    }
                }
            }
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    zmq_close (sub);
    return NULL;
}

/* ---- the open-loop sender ---- */

typedef struct {
    gint64 *scheduled_at; /* by case number: the submit's scheduled instant */
    gint64 *acked_at;     /* by case number: its reply */
    guint cap;
    guint64 errors;
    guint64 late; /* sends more than 1 ms after their instant */
} Ledger;

static void
read_reply (Ledger *ledger, const gint64 *scheduled, GBytes *rid, GBytes *reply, gint64 now)
{
    guint32 i;
    memcpy (&i, g_bytes_get_data (rid, NULL), sizeof i);
    gsize len;
    const guint8 *data = g_bytes_get_data (reply, &len);
    g_autoptr (DbnMsgIntakeSubmitReply) r = dbn_msg_intake_submit_reply_decode (data, len, NULL);
    if (r == NULL || !r->env.ok) {
        ledger->errors++;
        return;
    }
    guint n = case_number (r->case_no);
    if (n == 0 || n >= ledger->cap) {
        ledger->errors++;
        return;
    }
    ledger->scheduled_at[n] = scheduled[i];
    ledger->acked_at[n] = now;
}

/* Sends bodies[0..count) at rate/s from start, reading replies in between;
 * returns when every reply came (or none for 30 s). */
static void
send_open_loop (DbnClient *client, GBytes **bodies, guint count, int rate, gint64 start, Ledger *ledger)
{
    g_autofree gint64 *scheduled = g_new0 (gint64, count);
    void *socket = dbn_client_get_socket (client);
    guint next = 0, replies = 0;
    gint64 quiet_since = g_get_monotonic_time ();
    while (replies < count) {
        gint64 now = g_get_monotonic_time ();
        while (next < count) {
            gint64 due = start + (gint64) ((double) next * 1e6 / rate);
            if (due > now)
                break;
            scheduled[next] = due;
            if (now - due > 1000)
                ledger->late++;
            guint32 id = next;
            g_autoptr (GBytes) rid = g_bytes_new (&id, sizeof id);
            g_autoptr (GError) error = NULL;
            if (!dbn_client_send_raw (client, rid, bodies[next], &error))
                g_error ("send: %s", error->message);
            next++;
        }
        gint64 wait_us = 100 * 1000;
        if (next < count)
            wait_us = MAX (0, start + (gint64) ((double) next * 1e6 / rate) - now);
        /* zmq_poll counts whole ms: a shorter wait sleeps, then only looks. */
        if (wait_us > 0 && wait_us < 1000) {
            g_usleep (wait_us);
            wait_us = 0;
        }
        zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
        zmq_poll (&item, 1, wait_us / 1000);
        for (;;) {
            g_autoptr (GBytes) rid = NULL;
            g_autoptr (GBytes) reply = NULL;
            if (!dbn_client_recv_raw (client, 0, &rid, &reply))
                break;
            read_reply (ledger, scheduled, rid, reply, g_get_monotonic_time ());
            replies++;
            quiet_since = g_get_monotonic_time ();
        }
        if (next == count && g_get_monotonic_time () - quiet_since > 30 * G_USEC_PER_SEC)
            g_error ("no reply for 30 s (%u of %u replied)", replies, count);
    }
}

/* ---- figures ---- */

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
    return (x > y) - (x < y);
}

static double
pct_ms (const gint64 *sorted, guint n, double p)
{
    if (n == 0)
        return 0;
    guint i = (guint) (n * p);
    return sorted[MIN (i, n - 1)] / 1000.0;
}

static void
print_lags (LagMonitor *m, gint64 start, gint64 end)
{
    gint64 span = end - start;
    Sample q[4];
    for (guint k = 0; k < 4; k++)
        q[k] = lag_at (m, start + span * (k + 1) / 4);
    g_print ("  journal lag (events) of each consumer at 1/4, 1/2, 3/4 and the end of sending; "
             "time to 0 after the last send:\n");
    for (guint e = 0; e < N_EDGES; e++) {
        gint64 zero = lag_zero_after (m, e, end);
        g_autofree char *name = g_strdup_printf ("%s <- %s", edges[e].consumer, edges[e].producer);
        g_print ("    %-22s %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT
                 " %7" G_GINT64_FORMAT "   %s%.2f s\n",
                 name, q[0].lag[e], q[1].lag[e], q[2].lag[e], q[3].lag[e], zero < 0 ? "> " : "",
                 zero < 0 ? 0.0 : (zero - end) / 1e6);
    }
}

static GBytes **
encode_submits (guint first, guint count)
{
    GBytes **bodies = g_new0 (GBytes *, count);
    for (guint i = 0; i < count; i++) {
        /* Time-ordered keys, as a station's outbox makes them. */
        g_autofree char *key = g_strdup_printf ("pipe-%09u", first + i);
        g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, first + i, TRUE);
        bodies[i] = dbn_msg_intake_submit_encode (m, NULL);
    }
    return bodies;
}

static void
free_submits (GBytes **bodies, guint count)
{
    for (guint i = 0; i < count; i++)
        g_bytes_unref (bodies[i]);
    g_free (bodies);
}

int
main (int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "cases", 'n', 0, G_OPTION_ARG_INT64, &opt_cases, "Cases of the sustained phase (default 100000)",
          "N" },
        { "rate", 'r', 0, G_OPTION_ARG_INT, &opt_rate,
          "Offered cases/s of the sustained phase (default 10000)", "R" },
        { "latency-cases", 'm', 0, G_OPTION_ARG_INT64, &opt_latency_cases,
          "Cases of the latency phase (default 20000)", "M" },
        { "latency-rate", 'l', 0, G_OPTION_ARG_INT, &opt_latency_rate,
          "Offered cases/s of the latency phase (default 1000)", "L" },
        { "plain", 0, 0, G_OPTION_ARG_NONE, &opt_plain,
          "Without CURVE (DAIBAN_INSECURE_PLAINTEXT=1), to measure its cost", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— five-service pipeline benchmark");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        g_printerr ("%s\n", error->message);
        return 2;
    }
    if (opt_cases < 1 || opt_latency_cases < 1 || opt_rate < 1 || opt_latency_rate < 1) {
        g_printerr ("--cases, --latency-cases, --rate and --latency-rate must be positive\n");
        return 2;
    }
    dbn_log_init ("bench-pipeline");
    if (opt_plain)
        g_setenv (DBN_AUTH_PLAINTEXT_ENV, "1", TRUE);
    gboolean curve = g_strcmp0 (g_getenv (DBN_AUTH_PLAINTEXT_ENV), "1") != 0;
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    /* Audit follows evaluation too, so a case's trip touches every service. */
    g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more =
        g_strconcat (text, "[audit]\nproducers = intake,routing,deadline,evaluation\n", NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
    /* As `daiban keys init` does: audit's Ed25519 key for signing heads. */
    if (!audit_signing_key_ensure (dir, &error))
        g_error ("%s", error->message);
    g_autofree char *window_key = dbn_harness_add_key (h, "window:" WINDOW);

    GSubprocess *procs[N_SERVICES];
    for (guint s = 0; s < N_SERVICES; s++)
        procs[s] = dbn_harness_start_service (h, services[s]);

    guint n1 = (guint) opt_cases, n2 = (guint) opt_latency_cases, cap = n1 + n2 + 1;
    Ledger ledger = { g_new0 (gint64, cap), g_new0 (gint64, cap), cap, 0, 0 };
    Window w = { .harness = h, .cap = cap, .received_at = g_new0 (gint64, cap) };
    w.bus = dbn_harness_new_bus (h, window_key);
    w.thread = g_thread_new ("window", window_thread, &w);
    /* Two heartbeats: the subscription is in effect before the first case. */
    gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_atomic_int_get (&w.heartbeats) < 2) {
        if (g_get_monotonic_time () > give_up)
            g_error ("the window got no heartbeat from routing within 10 s");
        g_usleep (20 * 1000);
    }
    LagMonitor *lags = lag_monitor_new (h);
    GBytes **bodies1 = encode_submits (0, n1);
    GBytes **bodies2 = encode_submits (n1, n2);
    g_autoptr (DbnClient) client =
        dbn_client_new (dbn_harness_get_bus (h),
                        dbn_config_get_command_endpoint (dbn_harness_get_config (h), "intake"), &error);
    g_assert_no_error (error);

    /* 1. sustained */
    gint64 cpu_before[N_SERVICES], cpu_used[N_SERVICES];
    for (guint s = 0; s < N_SERVICES; s++)
        cpu_before[s] = process_cpu_us (procs[s]);
    gint64 start1 = g_get_monotonic_time () + 50 * 1000;
    send_open_loop (client, bodies1, n1, opt_rate, start1, &ledger);
    gint64 end1 = start1 + (gint64) ((double) (n1 - 1) * 1e6 / opt_rate);
    gint64 drained1 = lag_wait_drained (lags, end1, 120);
    if (drained1 < 0)
        g_error ("the consumers did not catch up within 120 s of the last send");
    for (guint s = 0; s < N_SERVICES; s++)
        cpu_used[s] = process_cpu_us (procs[s]) - cpu_before[s];
    gboolean kept_up = drained1 - end1 <= G_USEC_PER_SEC;
    double sustained = n1 / ((drained1 - start1) / 1e6);
    guint64 late1 = ledger.late;

    /* 2. latency at a fixed offered load; the window must see every case. */
    gint64 start2 = g_get_monotonic_time () + 50 * 1000;
    send_open_loop (client, bodies2, n2, opt_latency_rate, start2, &ledger);
    gint64 end2 = start2 + (gint64) ((double) (n2 - 1) * 1e6 / opt_latency_rate);
    give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while ((guint) g_atomic_int_get (&w.received) < n1 + n2 && g_get_monotonic_time () < give_up)
        g_usleep (20 * 1000);
    gint64 drained2 = lag_wait_drained (lags, end2, 60);
    g_atomic_int_set (&w.stop, 1);
    g_thread_join (w.thread);
    guint received = (guint) g_atomic_int_get (&w.received);

    g_autofree gint64 *lat = g_new0 (gint64, n2);
    g_autofree gint64 *ack = g_new0 (gint64, n2);
    guint nl = 0, na = 0;
    for (guint c = 1; c < cap; c++) {
        if (ledger.scheduled_at[c] < start2 || ledger.scheduled_at[c] == 0)
            continue;
        ack[na++] = ledger.acked_at[c] - ledger.scheduled_at[c];
        if (w.received_at[c] != 0)
            lat[nl++] = w.received_at[c] - ledger.scheduled_at[c];
    }
    qsort (lat, nl, sizeof (gint64), cmp_gint64);
    qsort (ack, na, sizeof (gint64), cmp_gint64);

    g_print ("bench_pipeline: intake -> routing -> deadline -> evaluation -> audit, window SUB on %s; "
             "synchronous=FULL, ipc, CURVE %s; %" G_GUINT64_FORMAT " error replies\n",
             WINDOW_TOPIC, curve ? "on" : "OFF (--plain)", ledger.errors);
    g_print ("  sustained: %u cases offered at %d/s (open loop, %" G_GUINT64_FORMAT " sends > 1 ms late)\n",
             n1, opt_rate, late1);
    print_lags (lags, start1, end1);
    g_print (
        "  through all five services  %10.0f cases/s   (every consumer at 0 lag %.2f s after the last send: "
        "%s)\n",
        sustained, (drained1 - end1) / 1e6, kept_up ? "kept up" : "did NOT keep up");
    gint64 cpu_total = 0;
    g_print ("  CPU per case (user + system, all threads, sustained phase):");
    for (guint s = 0; s < N_SERVICES; s++) {
        g_print (" %s %.0f us,", services[s], (double) cpu_used[s] / n1);
        cpu_total += cpu_used[s];
    }
    g_print (" all five %.0f us: %.0f cases/s per fully used core\n", (double) cpu_total / n1,
             cpu_total > 0 ? n1 * 1e6 / cpu_total : 0.0);
    g_print ("  latency: %u cases offered at %d/s (open loop, %" G_GUINT64_FORMAT " sends > 1 ms late), "
             "%u of %u reached the window\n",
             n2, opt_latency_rate, ledger.late - late1, nl, n2);
    print_lags (lags, start2, end2);
    g_print ("  submit -> window event     p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms\n",
             pct_ms (lat, nl, 0.5), pct_ms (lat, nl, 0.99), pct_ms (lat, nl, 0.999), pct_ms (lat, nl, 1.0));
    g_print ("  submit -> intake's reply   p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms\n",
             pct_ms (ack, na, 0.5), pct_ms (ack, na, 0.99), pct_ms (ack, na, 0.999));

    lag_monitor_free (lags);
    for (guint s = N_SERVICES; s-- > 0;) {
        dbn_harness_stop (procs[s], 10000);
        g_object_unref (procs[s]);
    }
    double zmq_rate = bench_reference_zmq (dir, 2000000);
    double sqlite_rate = bench_reference_sqlite (dir, 500000);
    double commit_us = bench_reference_sqlite_commit_us (dir, 500);
    double p99 = pct_ms (lat, nl, 0.99);
    g_print ("  reference: raw libzmq PUSH/PULL 100 B, ipc     %10.0f msg/s    ratio %.4f\n", zmq_rate,
             sustained / zmq_rate);
    g_print ("  reference: raw SQLite WAL FULL, batches of 500 %10.0f rows/s   ratio %.4f\n", sqlite_rate,
             sustained / sqlite_rate);
    g_print ("  reference: one SQLite WAL FULL commit, median  %10.3f ms       p50 latency / commit %.1f\n",
             commit_us / 1000.0, pct_ms (lat, nl, 0.5) / (commit_us / 1000.0));
    g_print ("  target: >= 10000 cases/s through all five services: %s\n",
             kept_up && sustained >= 10000 ? "met" : "NOT met");
    g_print ("  target: p99 submit -> window <= 10 ms at 1000/s: %s\n",
             opt_latency_rate == 1000 && p99 <= 10.0 && nl == n2 ? "met" : "NOT met");

    free_submits (bodies1, n1);
    free_submits (bodies2, n2);
    dbn_client_free (g_steal_pointer (&client));
    dbn_bus_free (w.bus);
    g_free (w.received_at);
    g_free (ledger.scheduled_at);
    g_free (ledger.acked_at);
    /* Failures: an error reply, or a case the window never saw. */
    gboolean ok = ledger.errors == 0 && received == n1 + n2 && drained2 >= 0;
    if (!ok)
        g_printerr ("bench_pipeline: %" G_GUINT64_FORMAT " errors, %u of %u cases reached the window%s\n",
                    ledger.errors, received, n1 + n2, drained2 < 0 ? ", consumers did not catch up" : "");
    return ok ? 0 : 1;
}
