/* test_emitter.c: DbnEmitter, the one way a service's events get out
 * (issue 12), driven as a timer drives it: its own transactions on a
 * service's store, published through the service's publisher on inproc://.
 *
 * What is checked: an event is journaled with every topic it goes out on
 * (the scoped sys.sync reads each), is published on each only after the
 * commit (a SQLite commit hook looks at the SUB: nothing may be there yet),
 * never after a rollback or a dropped savepoint, and a bad first topic
 * fails the emit. An absence is shown by order, not by waiting: the PUB
 * keeps order, so the first event heard after a rollback must be the one
 * committed next.
 */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <zmq.h>

#include "daiban/daiban.h"

#define COMMAND_ENDPOINT "inproc://emitter-cmd"
#define PUBLISH_ENDPOINT "inproc://emitter-pub"
#define GUARD_MS 5000

typedef struct {
    char       *dir;     /* data folder */
    DbnConfig  *config;
    DbnClock   *clock;   /* manual */
    DbnBus     *bus;
    DbnService *service; /* store, emitter, publisher */
    void       *sub;     /* SUB to everything */
    guint       early;   /* events the SUB held when a COMMIT ran */
} Fixture;

/* Receives one two-frame message within timeout_ms (0: only what is there).
 * FALSE when none came. *topic and *body are the caller's. */
static gboolean
recv_one (Fixture *fx, int timeout_ms, char **topic, GBytes **body)
{
    zmq_pollitem_t item = { fx->sub, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) != 1)
        return FALSE;
    zmq_msg_t t, b;
    zmq_msg_init (&t);
    zmq_msg_init (&b);
    g_assert_cmpint (zmq_msg_recv (&t, fx->sub, 0), >=, 0);
    g_assert_true (zmq_msg_more (&t));
    g_assert_cmpint (zmq_msg_recv (&b, fx->sub, 0), >=, 0);
    *topic = g_strndup (zmq_msg_data (&t), zmq_msg_size (&t));
    *body = g_bytes_new (zmq_msg_data (&b), zmq_msg_size (&b));
    zmq_msg_close (&t);
    zmq_msg_close (&b);
    return TRUE;
}

/* The next event's topic and seq, heartbeats and probes skipped; fails the
 * test when none comes within the guard. Caller owns the topic. */
static char *
next_event (Fixture *fx, gint64 *seq)
{
    for (;;) {
        g_autofree char *topic = NULL;
        g_autoptr (GBytes) body = NULL;
        g_assert_true (recv_one (fx, GUARD_MS, &topic, &body));
        if (g_str_has_prefix (topic, "hb") || g_str_has_prefix (topic, "probe"))
            continue;
        DbnEnvEvent env = { 0 };
        g_assert_true (dbn_env_event_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &env, NULL));
        *seq = env.seq;
        dbn_env_event_clear (&env);
        return g_steal_pointer (&topic);
    }
}

static guint
drain (Fixture *fx)
{
    guint n = 0;
    g_autofree char *topic = NULL;
    g_autoptr (GBytes) body = NULL;
    while (recv_one (fx, 0, &topic, &body)) {
        if (!g_str_has_prefix (topic, "hb") && !g_str_has_prefix (topic, "probe"))
            n++;
        g_clear_pointer (&topic, g_free);
        g_clear_pointer (&body, g_bytes_unref);
    }
    return n;
}

static int
on_commit (void *data)
{
    Fixture *fx = data;
    fx->early += drain (fx);
    return 0;
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    fx->dir = g_dir_make_tmp ("daiban-emitter-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *conf = g_strdup_printf ("[daiban]\ntownship = T01\nsynchronous = normal\n"
                                             "[service:intake]\ncommand = %s\npublish = %s\n",
                                             COMMAND_ENDPOINT, PUBLISH_ENDPOINT);
    g_autofree char *path = g_build_filename (fx->dir, "daiban.conf", NULL);
    g_file_set_contents (path, conf, -1, &error);
    g_assert_no_error (error);
    fx->config = dbn_config_load (fx->dir, &error);
    g_assert_no_error (error);
    fx->clock = dbn_clock_new_manual (1767225600000);
    fx->bus = dbn_bus_new ();
    fx->service = dbn_service_new ("intake", fx->config, fx->clock, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (dbn_service_start (fx->service, fx->bus, &error));
    g_assert_no_error (error);
    sqlite3_commit_hook (dbn_store_get_db (dbn_service_get_store (fx->service)), on_commit, fx);
    fx->sub = dbn_bus_socket_new (fx->bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_setsockopt (fx->sub, ZMQ_SUBSCRIBE, "", 0), ==, 0);
    g_assert_cmpint (zmq_connect (fx->sub, PUBLISH_ENDPOINT), ==, 0);
    /* The XPUB grants the subscription in the main loop: probe until heard. */
    g_autoptr (GBytes) probe = g_bytes_new_static ("x", 1);
    gint64 deadline = g_get_monotonic_time () + GUARD_MS * 1000;
    for (;;) {
        while (g_main_context_iteration (NULL, FALSE))
            ;
        dbn_publisher_send (dbn_service_get_publisher (fx->service), "probe", probe);
        zmq_pollitem_t item = { fx->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 10) == 1)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
    drain (fx);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
    zmq_close (fx->sub);
    dbn_service_free (fx->service);
    dbn_bus_free (fx->bus);
    dbn_clock_free (fx->clock);
    dbn_config_free (fx->config);
    g_autoptr (GDir) dir = g_dir_open (fx->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *file = g_build_filename (fx->dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (fx->dir);
    g_free (fx->dir);
}

/* Stamps and emits one heartbeat-shaped event (any event map will do) on
 * topics, as the service's own actor. Returns its seq. */
static gint64
emit (Fixture *fx, const char *const *topics, GError **error)
{
    DbnOrigin origin = dbn_service_get_origin (fx->service, 1767225600000);
    g_autoptr (DbnMsgSysHeartbeat) ev = dbn_msg_sys_heartbeat_new ();
    dbn_origin_stamp (&origin, &ev->env, "test.happened", "C1");
    g_autoptr (GBytes) body = dbn_msg_sys_heartbeat_encode (ev, NULL);
    g_assert_nonnull (body);
    if (!dbn_origin_emit (&origin, topics, &ev->env, body, error))
        return 0;
    g_assert_cmpint (origin.last_seq, ==, ev->env.seq);
    return ev->env.seq;
}

static gboolean
count_event (gint64 seq, const char *topic, GBytes *body, gpointer user_data)
{
    (*(guint *) user_data)++;
    return TRUE;
}

static guint
journaled_on (Fixture *fx, const char *topic)
{
    g_autoptr (GError) error = NULL;
    guint n = 0;
    gint64 through = 0;
    g_assert_true (dbn_store_journal_read_topic (dbn_service_get_store (fx->service), topic, 0, 100,
                                                 1 << 20, count_event, &n, &through, &error));
    g_assert_no_error (error);
    return n;
}

static void
test_commit_publishes_on_every_topic (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    DbnEmitter *emitter = dbn_service_get_emitter (fx->service);
    g_assert_true (dbn_emitter_begin (emitter, &error));
    const char *const topics[] = { "s/st1", "q/w1", "", "s/st1", "a/x/y", "a/ar1", NULL };
    g_test_expect_message ("daiban-service", G_LOG_LEVEL_WARNING, "*refusing to publish on*a/x/y*");
    gint64 seq = emit (fx, topics, &error);
    g_test_assert_expected_messages ();
    g_assert_no_error (error);
    g_assert_true (dbn_emitter_commit (emitter, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (fx->early, ==, 0);
    /* Once per topic, in order; the empty one, the repeat and the one that
     * is not a topic (issue 11) skipped. */
    const char *expect[] = { "s/st1/", "q/w1/", "a/ar1/" }; /* topic frames end in / */
    for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
        gint64 got = 0;
        g_autofree char *topic = next_event (fx, &got);
        g_assert_cmpstr (topic, ==, expect[i]);
        g_assert_cmpint (got, ==, seq);
    }
    g_assert_cmpuint (drain (fx), ==, 0);
    /* Stored with each, for the scoped sync. */
    g_assert_cmpuint (journaled_on (fx, "s/st1"), ==, 1);
    g_assert_cmpuint (journaled_on (fx, "q/w1"), ==, 1);
    g_assert_cmpuint (journaled_on (fx, "a/ar1"), ==, 1);
}

static void
test_rollback_publishes_nothing (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    DbnEmitter *emitter = dbn_service_get_emitter (fx->service);
    DbnStore *store = dbn_service_get_store (fx->service);
    const char *const lost[] = { "s/lost", NULL };
    const char *const kept[] = { "s/kept", NULL };

    g_assert_true (dbn_emitter_begin (emitter, &error));
    g_assert_cmpint (emit (fx, lost, &error), ==, 1);
    dbn_emitter_rollback (emitter);
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 0);

    /* A command's savepoint: what it emitted goes with it. */
    g_assert_true (dbn_emitter_begin (emitter, &error));
    guint mark = dbn_emitter_mark (emitter);
    g_assert_true (dbn_store_savepoint (store, &error));
    g_assert_cmpint (emit (fx, lost, &error), ==, 1);
    dbn_store_rollback_to (store);
    dbn_emitter_drop_to (emitter, mark);
    gint64 seq = emit (fx, kept, &error);
    g_assert_cmpint (seq, ==, 1);
    g_assert_true (dbn_emitter_commit (emitter, &error));
    g_assert_no_error (error);

    gint64 got = 0;
    g_autofree char *topic = next_event (fx, &got);
    g_assert_cmpstr (topic, ==, "s/kept/");
    g_assert_cmpint (got, ==, seq);
    g_assert_cmpuint (journaled_on (fx, "s/lost"), ==, 0);
}

static void
test_bad_first_topic_fails (Fixture *fx, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    DbnEmitter *emitter = dbn_service_get_emitter (fx->service);
    g_assert_true (dbn_emitter_begin (emitter, &error));
    const char *const topics[] = { "s/a/b", "q/w1", NULL };
    g_assert_cmpint (emit (fx, topics, &error), ==, 0);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_assert_true (dbn_emitter_commit (emitter, NULL));
    g_assert_cmpint (dbn_store_journal_newest (dbn_service_get_store (fx->service)), ==, 0);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add ("/emitter/commit-publishes-on-every-topic", Fixture, NULL, fixture_set_up,
                test_commit_publishes_on_every_topic, fixture_tear_down);
    g_test_add ("/emitter/rollback-publishes-nothing", Fixture, NULL, fixture_set_up,
                test_rollback_publishes_nothing, fixture_tear_down);
    g_test_add ("/emitter/bad-first-topic-fails", Fixture, NULL, fixture_set_up,
                test_bad_first_topic_fails, fixture_tear_down);
    return g_test_run ();
}
