/* test_subscriber.c: a producer DbnService and a DbnSubscriber in one main
 * loop, on ipc:// endpoints in a temporary folder (ipc, unlike inproc,
 * reconnects by itself after the producer restarts, as tcp does).
 *
 * The producer is a DbnService with only its built-in commands; the test
 * writes its journal directly (begin, journal_append, commit) and publishes
 * with the service's own publisher, so it decides which events go out live,
 * which are skipped (a gap) and which are never published (a lost tail). The
 * copy published live says actor "live", the journal's copy says "journal":
 * the consumer's table shows which path delivered each event.
 *
 * The consumer applies into `applied` (no UNIQUE on seq, so a duplicate
 * shows up as a row rather than being absorbed); exactly once in order is
 * "count = N and seq = n for every row". The sys.sync requests the producer
 * serves are observed with a statement trace on its connection: each one
 * runs the store's journal read once, and its bound `after` is recorded.
 *
 * Nothing sleeps: each wait iterates the loop until its condition holds
 * under a guard. Only "the producer stays down longer than one sync
 * timeout" waits for time itself, because that is the condition.
 */
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "daiban/daiban.h"

#include "daiban/dbn_sql.h"

#define GUARD_MS 5000
/* dbn_subscriber.c's SYNC_TIMEOUT_MS, and a margin. */
#define LONGER_THAN_A_SYNC_TIMEOUT_MS 3500

static const char *const consumer_migrations[] = {
    "CREATE TABLE applied (n INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
    " actor TEXT NOT NULL);",
    NULL,
};

typedef struct {
    char *dir;                 /* temporary data folder */
    DbnConfig *config;         /* its daiban.conf: intake on ipc endpoints */
    DbnClock *clock;           /* manual */
    DbnBus *bus;               /* one context for both sides */
    DbnService *producer;      /* NULL while down */
    DbnStore *store;           /* the consumer's file */
    DbnSubscriber *subscriber; /* under test */
    GArray *syncs;             /* gint64: `after` of each sys.sync the producer served */
    GArray *calls;             /* gint64: seq of each call of apply */
    GArray *offsets;           /* gint64: the stored offset seen by each call */
    GArray *applied_then;      /* gint64: dbn_subscriber_get_applied at each call */
    gint64 fail_once_at;       /* apply fails the first time it meets this seq */
} Fixture;

/* ---- the producer ---- */

static int
on_producer_statement (unsigned type, void *data, void *p, void *x)
{
    Fixture *fx = data;
    sqlite3_stmt *stmt = p;
    const char *sql = sqlite3_sql (stmt);
    if (sql == NULL || strstr (sql, "FROM journal WHERE seq > ") == NULL)
        return 0;
    char *expanded = sqlite3_expanded_sql (stmt);
    g_assert_nonnull (expanded);
    const char *at = strstr (expanded, "seq > ");
    gint64 after = g_ascii_strtoll (at + strlen ("seq > "), NULL, 10);
    g_array_append_val (fx->syncs, after);
    sqlite3_free (expanded);
    return 0;
}

static void
producer_start (Fixture *fx)
{
    g_autoptr (GError) error = NULL;
    g_assert_null (fx->producer);
    fx->producer = dbn_service_new ("intake", fx->config, fx->clock, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (dbn_service_start (fx->producer, fx->bus, &error));
    g_assert_no_error (error);
    sqlite3_trace_v2 (dbn_store_get_db (dbn_service_get_store (fx->producer)), SQLITE_TRACE_STMT,
                      on_producer_statement, fx);
}

static void
producer_stop (Fixture *fx)
{
    g_clear_pointer (&fx->producer, dbn_service_free);
}

static GBytes *
event_new (gint64 seq, const char *actor)
{
    g_autofree char *case_no = g_strdup_printf ("C%" G_GINT64_FORMAT, seq);
    DbnEnvEvent env = {
        .v = DBN_SCHEMA_VERSION,
        .type = (char *) "test.event",
        .src = (char *) "intake",
        .seq = seq,
        .ts = 1767225600000,
        .case_no = case_no,
        .actor = (char *) actor,
    };
    GBytes *body = dbn_env_event_encode (&env, NULL);
    g_assert_nonnull (body);
    return body;
}

/* Journals n events in one transaction, as a batch of commands would, and
 * publishes none. Returns the first seq. */
static gint64
journal_events (Fixture *fx, guint n)
{
    DbnStore *store = dbn_service_get_store (fx->producer);
    g_autoptr (GError) error = NULL;
    gint64 first = dbn_store_journal_next_seq (store);
    g_assert_true (dbn_store_begin (store, &error));
    for (guint i = 0; i < n; i++) {
        g_autoptr (GBytes) body = event_new (first + i, "journal");
        g_assert_true (dbn_store_journal_append (store, first + i, 1767225600000, "test.event", NULL, "t",
                                                 body, &error));
        g_assert_no_error (error);
    }
    g_assert_true (dbn_store_commit (store, &error));
    g_assert_no_error (error);
    return first;
}

/* Publishes the live copy of a journaled event. */
static void
publish (Fixture *fx, gint64 seq)
{
    g_autoptr (GBytes) body = event_new (seq, "live");
    dbn_publisher_send (dbn_service_get_publisher (fx->producer), "t", body);
}

/* Journals and publishes n events, as the service does. */
static void
produce (Fixture *fx, guint n)
{
    gint64 first = journal_events (fx, n);
    for (guint i = 0; i < n; i++)
        publish (fx, first + i);
}

/* ---- the consumer ---- */

static gboolean
apply_event (DbnSubscriber *subscriber, gint64 seq, GBytes *event, gpointer user_data, GError **error)
{
    Fixture *fx = user_data;
    DbnEnvEvent env = { 0 };
    g_assert_true (
        dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &env, NULL));
    g_assert_cmpint (env.seq, ==, seq);
    gint64 offset = -1;
    g_assert_true (dbn_store_offset_get (fx->store, "intake", &offset, NULL));
    gint64 applied = dbn_subscriber_get_applied (subscriber);
    g_array_append_val (fx->calls, seq);
    g_array_append_val (fx->offsets, offset);
    g_array_append_val (fx->applied_then, applied);
    if (seq == fx->fail_once_at) {
        fx->fail_once_at = 0;
        dbn_env_event_clear (&env);
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE, "told to fail once");
        return FALSE;
    }
    g_autoptr (sqlite3_stmt) insert = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (fx->store),
                                 "INSERT INTO applied (seq, actor) VALUES (?1, ?2)", -1, &insert, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64 (insert, 1, seq);
        sqlite3_bind_text (insert, 2, env.actor, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step (insert);
    }
    dbn_env_event_clear (&env);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (fx->store, rc, error);
    return TRUE;
}

static void
subscriber_start (Fixture *fx)
{
    g_autoptr (GError) error = NULL;
    g_assert_null (fx->subscriber);
    fx->subscriber = dbn_subscriber_new (
        fx->bus, fx->store, "intake", dbn_config_get_publish_endpoint (fx->config, "intake"),
        dbn_config_get_command_endpoint (fx->config, "intake"), apply_event, fx, &error);
    g_assert_no_error (error);
    g_assert_nonnull (fx->subscriber);
}

static gint64
query_int (Fixture *fx, const char *sql)
{
    g_autoptr (sqlite3_stmt) stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (dbn_store_get_db (fx->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    return sqlite3_column_int64 (stmt, 0);
}

/* Every event 1..n applied once, in order, and the offset at n. */
static void
assert_applied_once (Fixture *fx, gint64 n)
{
    g_assert_cmpint (query_int (fx, "SELECT count(*) FROM applied"), ==, n);
    g_assert_cmpint (query_int (fx, "SELECT count(*) FROM applied WHERE seq != n"), ==, 0);
    gint64 offset = -1;
    g_assert_true (dbn_store_offset_get (fx->store, "intake", &offset, NULL));
    g_assert_cmpint (offset, ==, n);
    g_assert_cmpint (dbn_subscriber_get_applied (fx->subscriber), ==, n);
}

static char *
actor_of (Fixture *fx, gint64 seq)
{
    g_autoptr (sqlite3_stmt) stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (dbn_store_get_db (fx->store),
                                         "SELECT actor FROM applied WHERE seq = ?1", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_int64 (stmt, 1, seq);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* "1,2,3" */
static char *
join (GArray *values, guint from)
{
    GString *out = g_string_new (NULL);
    for (guint i = from; i < values->len; i++)
        g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > from ? "," : "",
                                g_array_index (values, gint64, i));
    return g_string_free (out, FALSE);
}

/* ---- waiting ---- */

static gboolean
on_guard (gpointer user_data)
{
    *(gboolean *) user_data = TRUE;
    return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *fx, gint64 arg);

/* Iterates the loop until cond holds; fails after guard_ms. */
static void
wait_until (Fixture *fx, Condition cond, gint64 arg, guint guard_ms)
{
    gboolean expired = FALSE;
    guint guard = g_timeout_add (guard_ms, on_guard, &expired);
    while (!cond (fx, arg) && !expired)
        g_main_context_iteration (NULL, TRUE);
    if (!expired)
        g_source_remove (guard);
    g_assert_true (cond (fx, arg));
}

static gboolean
applied_reached (Fixture *fx, gint64 seq)
{
    return dbn_subscriber_get_applied (fx->subscriber) >= seq;
}

static gboolean
syncs_reached (Fixture *fx, gint64 n)
{
    return fx->syncs->len >= (guint) n;
}

/* Runs the loop for ms: for waits whose condition is time itself. */
static void
run_for (guint ms)
{
    gboolean expired = FALSE;
    g_timeout_add (ms, on_guard, &expired);
    while (!expired)
        g_main_context_iteration (NULL, TRUE);
}

static void
wait_applied (Fixture *fx, gint64 seq)
{
    wait_until (fx, applied_reached, seq, GUARD_MS);
    g_assert_cmpint (dbn_subscriber_get_applied (fx->subscriber), ==, seq);
}

static gboolean
republish_first (gpointer data)
{
    publish (data, 1);
    return G_SOURCE_CONTINUE;
}

/* Starts the subscriber on a producer with an empty journal and brings it
 * to seq 1, publishing event 1 again every 10 ms: a SUB hears only what is
 * published after its subscription reached the PUB. Whichever way event 1
 * arrives (a live copy, or a sync started by a heartbeat), the SUB is
 * connected afterwards, and no sync is in flight. */
static void
start_and_warm_up (Fixture *fx)
{
    subscriber_start (fx);
    wait_until (fx, syncs_reached, 1, GUARD_MS);
    journal_events (fx, 1);
    guint again = g_timeout_add (10, republish_first, fx);
    wait_applied (fx, 1);
    g_source_remove (again);
}

/* ---- fixture ---- */

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    fx->dir = g_dir_make_tmp ("daiban-sub-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *conf = g_strdup_printf ("[daiban]\ntownship = T01\nsynchronous = normal\n"
                                             "[service:intake]\ncommand = ipc://%s/cmd.ipc\n"
                                             "publish = ipc://%s/pub.ipc\n",
                                             fx->dir, fx->dir);
    g_autofree char *path = g_build_filename (fx->dir, "daiban.conf", NULL);
    g_file_set_contents (path, conf, -1, &error);
    g_assert_no_error (error);
    fx->config = dbn_config_load (fx->dir, &error);
    g_assert_no_error (error);
    fx->clock = dbn_clock_new_manual (1767225600000);
    fx->bus = dbn_bus_new ();
    /* The sync protocol's mechanics, not CURVE (test_auth, test_security):
     * producer and consumer share this bus in plain text. */
    dbn_bus_allow_plaintext (fx->bus);
    g_autofree char *store_path = g_build_filename (fx->dir, "consumer.db", NULL);
    fx->store = dbn_store_open (store_path, DBN_STORE_SYNC_NORMAL, consumer_migrations, &error);
    g_assert_no_error (error);
    fx->syncs = g_array_new (FALSE, FALSE, sizeof (gint64));
    fx->calls = g_array_new (FALSE, FALSE, sizeof (gint64));
    fx->offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
    fx->applied_then = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
    g_clear_pointer (&fx->subscriber, dbn_subscriber_free);
    producer_stop (fx);
    dbn_store_free (fx->store);
    dbn_bus_free (fx->bus);
    dbn_clock_free (fx->clock);
    dbn_config_free (fx->config);
    g_array_unref (fx->syncs);
    g_array_unref (fx->calls);
    g_array_unref (fx->offsets);
    g_array_unref (fx->applied_then);
    g_autoptr (GDir) dir = g_dir_open (fx->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *file = g_build_filename (fx->dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (fx->dir);
    g_free (fx->dir);
}

/* ---- tests ---- */

/* Started behind a journal of 2500: sys.sync pages of 1000 from offset 0. */
static void
test_catch_up_in_pages (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    journal_events (fx, 2500);
    subscriber_start (fx);
    wait_applied (fx, 2500);
    assert_applied_once (fx, 2500);
    g_autofree char *afters = join (fx->syncs, 0);
    g_assert_cmpstr (afters, ==, "0,1000,2000");
    g_autofree char *actor = actor_of (fx, 2500);
    g_assert_cmpstr (actor, ==, "journal");
}

/* Once caught up, live events are applied as they come, in order, with no
 * sync. */
static void
test_live_in_order (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    start_and_warm_up (fx);
    guint syncs = fx->syncs->len;

    produce (fx, 1);
    wait_applied (fx, 2);
    produce (fx, 10);
    produce (fx, 18);
    wait_applied (fx, 30);
    assert_applied_once (fx, 30);
    for (gint64 seq = 2; seq <= 30; seq++) {
        g_autofree char *actor = actor_of (fx, seq);
        g_assert_cmpstr (actor, ==, "live");
    }
    g_assert_cmpuint (fx->syncs->len, ==, syncs);
}

/* A live event that skips one starts a sync from the last applied seq; the
 * journal fills the hole, and a late duplicate changes nothing. */
static void
test_gap_triggers_sync (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    start_and_warm_up (fx);
    guint syncs = fx->syncs->len;

    journal_events (fx, 5);
    publish (fx, 2);
    publish (fx, 4); /* 3 is lost */
    publish (fx, 5);
    publish (fx, 6);
    publish (fx, 2);
    wait_applied (fx, 6);
    assert_applied_once (fx, 6);
    g_autofree char *two = actor_of (fx, 2);
    g_assert_cmpstr (two, ==, "live");
    g_autofree char *three = actor_of (fx, 3);
    g_assert_cmpstr (three, ==, "journal");
    g_autofree char *afters = join (fx->syncs, syncs);
    g_assert_cmpstr (afters, ==, "2");

    /* Duplicates of applied events, live, are ignored. */
    publish (fx, 6);
    publish (fx, 1);
    produce (fx, 1);
    wait_applied (fx, 7);
    assert_applied_once (fx, 7);
}

/* The producer committed events but never published them (it died before):
 * its heartbeat announces a newer seq and the subscriber syncs. */
static void
test_heartbeat_ahead_triggers_sync (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    start_and_warm_up (fx);
    guint syncs = fx->syncs->len;

    journal_events (fx, 3);
    wait_applied (fx, 4);
    assert_applied_once (fx, 4);
    g_autofree char *afters = join (fx->syncs, syncs);
    g_assert_cmpstr (afters, ==, "1");
}

/* An apply that fails rolls its whole batch back: the offset stays, the
 * same events come again (by the next sync) and each lands once. */
static void
test_apply_failure_retried (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    journal_events (fx, 5);
    fx->fail_once_at = 3;
    g_test_expect_message ("daiban-subscriber", G_LOG_LEVEL_WARNING,
                           "applying events of intake failed (will retry): event 3: told to fail once");
    subscriber_start (fx);
    wait_applied (fx, 5);
    g_test_assert_expected_messages ();
    assert_applied_once (fx, 5);
    g_autofree char *calls = join (fx->calls, 0);
    g_assert_cmpstr (calls, ==, "1,2,3,1,2,3,4,5");
    /* The offset moves once per batch, after its last apply, inside the
     * transaction: every call of a batch sees the offset before it, and
     * after the rollback the retry starts from 0 again: the offset did not
     * move without the effects. */
    g_autofree char *offsets = join (fx->offsets, 0);
    g_assert_cmpstr (offsets, ==, "0,0,0,0,0,0,0,0");
    g_autofree char *applied = join (fx->applied_then, 0);
    g_assert_cmpstr (applied, ==, "0,0,0,0,0,0,0,0");

    /* The same for a live event: the failed live batch starts a sync. */
    guint from = fx->calls->len;
    fx->fail_once_at = 6;
    g_test_expect_message ("daiban-subscriber", G_LOG_LEVEL_WARNING,
                           "applying events of intake failed (will retry): event 6: told to fail once");
    produce (fx, 1);
    wait_applied (fx, 6);
    g_test_assert_expected_messages ();
    assert_applied_once (fx, 6);
    g_autofree char *live_calls = join (fx->calls, from);
    g_assert_cmpstr (live_calls, ==, "6,6");
    g_autofree char *live_offsets = join (fx->offsets, from);
    g_assert_cmpstr (live_offsets, ==, "5,5");
}

/* A subscriber made again on the same store resumes from its stored
 * offset: nothing is applied twice. */
static void
test_resume_from_stored_offset (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    journal_events (fx, 10);
    subscriber_start (fx);
    wait_applied (fx, 10);
    g_clear_pointer (&fx->subscriber, dbn_subscriber_free);

    journal_events (fx, 5);
    guint syncs = fx->syncs->len;
    guint calls = fx->calls->len;
    subscriber_start (fx);
    g_assert_cmpint (dbn_subscriber_get_applied (fx->subscriber), ==, 10);
    wait_applied (fx, 15);
    assert_applied_once (fx, 15);
    g_assert_cmpint (g_array_index (fx->syncs, gint64, syncs), ==, 10);
    g_autofree char *applied = join (fx->calls, calls);
    g_assert_cmpstr (applied, ==, "11,12,13,14,15");
}

/* The producer restarts: events it journaled but did not publish before it
 * went down, and those it publishes before the subscriber has reconnected,
 * arrive through a sync. */
static void
test_producer_restart (Fixture *fx, gconstpointer data)
{
    producer_start (fx);
    start_and_warm_up (fx);
    journal_events (fx, 2);
    producer_stop (fx);

    producer_start (fx);
    produce (fx, 3);
    wait_applied (fx, 6);
    assert_applied_once (fx, 6);
    produce (fx, 1);
    wait_applied (fx, 7);
    assert_applied_once (fx, 7);
}

/* Nobody answers at first: the first sys.sync times out and is dropped; the
 * subscriber keeps asking and catches up once the producer appears. Its SUB
 * is connected to an endpoint nobody binds, so no heartbeat or live event
 * can start a sync: the catch-up comes from its own retries. */
static void
test_producer_down_at_start (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *deaf = g_strdup_printf ("ipc://%s/nobody.ipc", fx->dir);
    fx->subscriber =
        dbn_subscriber_new (fx->bus, fx->store, "intake", deaf,
                            dbn_config_get_command_endpoint (fx->config, "intake"), apply_event, fx, &error);
    g_assert_no_error (error);
    run_for (LONGER_THAN_A_SYNC_TIMEOUT_MS);
    g_assert_cmpint (dbn_subscriber_get_applied (fx->subscriber), ==, 0);

    producer_start (fx);
    produce (fx, 20);
    wait_applied (fx, 20);
    assert_applied_once (fx, 20);
    g_assert_cmpint (g_array_index (fx->syncs, gint64, 0), ==, 0);
}

/* Freeing a subscriber whose sync is in flight (a leak shows under ASan),
 * then following the producer with a new one. */
static void
test_free_while_syncing (Fixture *fx, gconstpointer data)
{
    subscriber_start (fx);
    g_clear_pointer (&fx->subscriber, dbn_subscriber_free);
    producer_start (fx);
    journal_events (fx, 3);
    subscriber_start (fx);
    wait_applied (fx, 3);
    assert_applied_once (fx, 3);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/subscriber/catch-up/in-pages", test_catch_up_in_pages);
    ADD ("/subscriber/live/in-order", test_live_in_order);
    ADD ("/subscriber/sync/on-gap", test_gap_triggers_sync);
    ADD ("/subscriber/sync/on-heartbeat-ahead", test_heartbeat_ahead_triggers_sync);
    ADD ("/subscriber/apply/failure-rolls-back-and-retries", test_apply_failure_retried);
    ADD ("/subscriber/offset/resume-from-store", test_resume_from_stored_offset);
    ADD ("/subscriber/producer/restart", test_producer_restart);
    ADD ("/subscriber/producer/down-at-start", test_producer_down_at_start);
    ADD ("/subscriber/free-while-syncing", test_free_while_syncing);
#undef ADD
    return g_test_run ();
}
