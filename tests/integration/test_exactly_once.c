/* test_exactly_once: intake and a consumer as real processes, SIGKILLed at
 * random moments and restarted while 4 clients send 20,000 submits with
 * retries. Afterwards:
 *   - every key was acknowledged, and every acknowledgement of a key (first
 *     answer and any retried answer) names the same case;
 *   - intake holds exactly one case per key, and the case named in the ack;
 *   - intake's journal has exactly one case.accepted per case;
 *   - the consumer applied journal seqs 1..N, each once, in order.
 *
 * DAIBAN_EXACTLY_ONCE_N overrides the number of submits (the soak option
 * runs far more).
 */
#include <sqlite3.h>
#include <string.h>

#include "dbn_test_harness.h"

#define CLIENTS   4
#define WINDOW    200
#define RESEND_US (500 * 1000)

typedef struct {
    char *key;       /* idempotency key */
    GBytes *body;    /* encoded submit */
    char *case_no;   /* from the first ack */
    gint64 sent_us;  /* last (re)send */
    gboolean acked;  /* an ack came */
    guint resends;   /* retries */
    guint conflicts; /* acks naming a different case than the first */
} Item;

typedef struct {
    DbnHarness *harness;
    guint index; /* client number */
    Item *items; /* this client's share */
    guint n_items;
    guint64 acks;      /* replies that were ok */
    guint64 errors;    /* replies that were errors (store busy etc.; retried) */
    const gint *kills; /* atomic: intake SIGKILLs so far (the killer's count) */
} ClientJob;

/* The last quarter of each client's share waits until intake was killed this
 * often: on a loaded machine (ASan, parallel tests) a fast run could
 * otherwise end before the killer got going, proving nothing. */
#define MIN_INTAKE_KILLS 3

static gpointer
client_thread (gpointer data)
{
    ClientJob *job = data;
    g_autoptr (GError) error = NULL;
    DbnConfig *config = dbn_harness_get_config (job->harness);
    g_autoptr (DbnClient) client = dbn_client_new (
        dbn_harness_get_bus (job->harness), dbn_config_get_command_endpoint (config, "intake"), &error);
    g_assert_no_error (error);
    guint next = 0, in_flight = 0, done = 0;
    gint64 deadline = g_get_monotonic_time () + 100 * G_USEC_PER_SEC;
    while (done < job->n_items) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        while (in_flight < WINDOW && next < job->n_items) {
            if (next >= job->n_items / 4 * 3 && g_atomic_int_get (job->kills) < MIN_INTAKE_KILLS)
                break;
            Item *it = &job->items[next];
            guint32 id = next++;
            g_autoptr (GBytes) rid = g_bytes_new (&id, sizeof id);
            it->sent_us = g_get_monotonic_time ();
            g_assert_true (dbn_client_send_raw (client, rid, it->body, NULL));
            in_flight++;
        }
        g_autoptr (GBytes) rid = NULL;
        g_autoptr (GBytes) reply = NULL;
        if (dbn_client_recv_raw (client, 100, &rid, &reply)) {
            if (g_bytes_get_size (rid) != sizeof (guint32))
                continue;
            guint32 id;
            memcpy (&id, g_bytes_get_data (rid, NULL), sizeof id);
            if (id >= job->n_items)
                continue;
            Item *it = &job->items[id];
            g_autoptr (DbnMsgIntakeSubmitReply) ok = dbn_msg_intake_submit_reply_decode (
                g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
            if (ok == NULL) {
                job->errors++; /* e.g. store busy while a killed intake restarts: resend later */
                continue;
            }
            job->acks++;
            if (it->acked) {
                if (g_strcmp0 (it->case_no, ok->case_no) != 0)
                    it->conflicts++;
                continue;
            }
            it->acked = TRUE;
            it->case_no = g_strdup (ok->case_no);
            done++;
            in_flight--;
            continue;
        }
        /* Lazy Pirate: silence means the peer may have died with our
         * requests; resend everything unacknowledged that is old enough. */
        gint64 now = g_get_monotonic_time ();
        for (guint i = 0; i < next; i++) {
            Item *it = &job->items[i];
            if (!it->acked && now - it->sent_us > RESEND_US) {
                guint32 id = i;
                g_autoptr (GBytes) again = g_bytes_new (&id, sizeof id);
                it->sent_us = now;
                it->resends++;
                dbn_client_send_raw (client, again, it->body, NULL);
            }
        }
    }
    return NULL;
}

typedef struct {
    DbnHarness *harness;
    GSubprocess *intake;
    GSubprocess *consumer;
    const char *consumer_db;
    gint stop;         /* atomic: clients finished */
    gint intake_kills; /* atomic: read by the clients */
    guint consumer_kills;
    GRand *rand;
} Killer;

static GSubprocess *
start_consumer (Killer *k)
{
    const char *args[] = {
        "--data", dbn_harness_get_data_dir (k->harness), "--producer", "intake", "--db", k->consumer_db, NULL
    };
    return dbn_harness_spawn (k->harness, "dbn-test-consumer", args);
}

static gpointer
killer_thread (gpointer data)
{
    Killer *k = data;
    while (!g_atomic_int_get (&k->stop)) {
        /* Often enough that a run of ~2 s meets several kills at random points:
         * mid-batch, mid-commit, between commit and reply. */
        g_usleep (g_rand_int_range (k->rand, 10, 120) * 1000);
        if (g_atomic_int_get (&k->stop))
            break;
        if (g_rand_int_range (k->rand, 0, 4) == 0) {
            dbn_harness_kill (k->consumer);
            g_clear_object (&k->consumer);
            k->consumer = start_consumer (k);
            k->consumer_kills++;
        } else {
            dbn_harness_kill (k->intake);
            g_clear_object (&k->intake);
            const char *args[] = { "--data", dbn_harness_get_data_dir (k->harness), NULL };
            k->intake = dbn_harness_spawn (k->harness, "daiban-intake", args);
            g_atomic_int_inc (&k->intake_kills);
            /* Kill again only once this instance serves: a slow build (ASan)
             * starts slower than the kill interval and would never work. */
            dbn_harness_wait_ready (k->harness, "intake", 20000);
        }
    }
    return NULL;
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    gint64 v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

static void
test_exactly_once_under_kill9 (void)
{
    guint n = 20000;
    const char *env_n = g_getenv ("DAIBAN_EXACTLY_ONCE_N");
    if (env_n != NULL)
        n = (guint) g_ascii_strtoull (env_n, NULL, 10);
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *consumer_db = g_build_filename (dbn_harness_get_data_dir (h), "consumer.db", NULL);
    Killer k = { .harness = h, .consumer_db = consumer_db, .rand = g_rand_new_with_seed (20261127) };
    k.intake = dbn_harness_start_service (h, "intake");
    k.consumer = start_consumer (&k);

    Item *items = g_new0 (Item, n);
    for (guint i = 0; i < n; i++) {
        items[i].key = g_strdup_printf ("eo-%u", i);
        /* One in ten incomplete: their cases also journal case.awaiting_materials. */
        g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (items[i].key, i, i % 10 != 0);
        items[i].body = dbn_msg_intake_submit_encode (m, NULL);
        g_assert_nonnull (items[i].body);
    }
    ClientJob jobs[CLIENTS];
    GThread *threads[CLIENTS];
    gint64 t0 = g_get_monotonic_time ();
    GThread *killer = g_thread_new ("killer", killer_thread, &k);
    for (guint c = 0; c < CLIENTS; c++) {
        guint share = n / CLIENTS;
        jobs[c] = (ClientJob){ h, c, items + c * share, c == CLIENTS - 1 ? n - c * share : share,
                               0, 0, &k.intake_kills };
        threads[c] = g_thread_new ("client", client_thread, &jobs[c]);
    }
    for (guint c = 0; c < CLIENTS; c++)
        g_thread_join (threads[c]);
    g_atomic_int_set (&k.stop, 1);
    g_thread_join (killer);
    /* PR_SET_PDEATHSIG is bound to the spawning thread: what the killer thread
     * started died with it. Restart both from this thread, as an operator would. */
    dbn_harness_kill (k.intake);
    dbn_harness_kill (k.consumer);
    g_clear_object (&k.intake);
    g_clear_object (&k.consumer);
    k.intake = dbn_harness_start_service (h, "intake");
    k.consumer = start_consumer (&k);
    double secs = (g_get_monotonic_time () - t0) / 1e6;

    /* Every key acknowledged, with one case number however often it was retried. */
    guint resends = 0;
    g_autoptr (GHashTable) cases = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < n; i++) {
        g_assert_true (items[i].acked);
        g_assert_cmpuint (items[i].conflicts, ==, 0);
        g_assert_true (g_hash_table_add (cases, items[i].case_no)); /* no two keys share a case */
        resends += items[i].resends;
    }
    g_test_message ("%u submits in %.1f s with %d intake and %u consumer SIGKILLs, %u resends", n, secs,
                    k.intake_kills, k.consumer_kills, resends);
    g_assert_cmpint (k.intake_kills, >=, MIN_INTAKE_KILLS);

    /* Intake caught up and the consumer followed it to the end. */
    g_autofree char *intake_db_path = dbn_config_dup_store_path (dbn_harness_get_config (h), "intake");
    sqlite3 *idb = NULL, *cdb = NULL;
    g_assert_cmpint (sqlite3_open_v2 (intake_db_path, &idb, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (idb, 5000);
    gint64 newest = query_int (idb, "SELECT max(seq) FROM journal");
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    gint64 applied = 0;
    while (g_get_monotonic_time () < deadline) {
        if (cdb == NULL && sqlite3_open_v2 (consumer_db, &cdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            g_clear_pointer (&cdb, sqlite3_close);
        if (cdb != NULL) {
            sqlite3_busy_timeout (cdb, 5000);
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2 (cdb, "SELECT coalesce(max(n), 0) FROM applied", -1, &st, NULL)
                    == SQLITE_OK
                && sqlite3_step (st) == SQLITE_ROW)
                applied = sqlite3_column_int64 (st, 0);
            sqlite3_finalize (st);
        }
        if (applied >= newest)
            break;
        g_usleep (50 * 1000);
    }
    g_assert_nonnull (cdb);

    /* Exactly one case per key, each the one acknowledged. */
    g_assert_cmpint (query_int (idb, "SELECT count(*) FROM case_record"), ==, n);
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (idb, "SELECT case_no FROM case_record", -1, &st, NULL), ==,
                     SQLITE_OK);
    guint matched = 0;
    while (sqlite3_step (st) == SQLITE_ROW)
        matched += g_hash_table_contains (cases, sqlite3_column_text (st, 0));
    sqlite3_finalize (st);
    g_assert_cmpuint (matched, ==, n);
    /* One case.accepted per case; one awaiting_materials per incomplete request. */
    g_assert_cmpint (query_int (idb, "SELECT count(*) FROM journal WHERE type = 'case.accepted'"), ==, n);
    g_assert_cmpint (
        query_int (idb, "SELECT count(DISTINCT case_no) FROM journal WHERE type = 'case.accepted'"), ==, n);
    g_assert_cmpint (query_int (idb, "SELECT count(*) FROM journal WHERE type = 'case.awaiting_materials'"),
                     ==, (n + 9) / 10);
    g_assert_cmpint (newest, ==, n + (n + 9) / 10);

    /* The consumer applied 1..newest, each once, in order. */
    g_assert_cmpint (query_int (cdb, "SELECT count(*) FROM applied"), ==, newest);
    g_assert_cmpint (query_int (cdb, "SELECT count(DISTINCT seq) FROM applied"), ==, newest);
    g_assert_cmpint (query_int (cdb, "SELECT count(*) FROM applied a JOIN applied b ON b.n = a.n + 1"
                                     " WHERE b.seq != a.seq + 1"),
                     ==, 0);
    g_assert_cmpint (query_int (cdb, "SELECT min(seq) FROM applied"), ==, 1);
    g_assert_cmpint (query_int (cdb, "SELECT count(*) FROM applied WHERE type = 'case.accepted'"), ==, n);
    sqlite3_close (cdb);
    sqlite3_close (idb);

    g_assert_true (dbn_harness_stop (k.consumer, 10000));
    g_assert_true (dbn_harness_stop (k.intake, 10000));
    g_object_unref (k.consumer);
    g_object_unref (k.intake);
    g_rand_free (k.rand);
    for (guint i = 0; i < n; i++) {
        g_free (items[i].key);
        g_free (items[i].case_no);
        g_bytes_unref (items[i].body);
    }
    g_free (items);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-exactly-once");
    g_test_add_func ("/intake/exactly-once/kill-9", test_exactly_once_under_kill9);
    return g_test_run ();
}
