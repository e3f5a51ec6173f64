/* test_bus.c: the bus on real sockets (tcp://127.0.0.1:*, ipc, inproc).
 *
 * Everything runs on GLib main contexts. Nothing sleeps: each wait iterates
 * the loop until its condition holds, and a timeout source only turns a hang
 * into a failure. dbn_client_call blocks its thread, so the tests that call
 * synchronously run the server in a thread with its own main context.
 */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <zmq.h>

#include "daiban/dbn_auth.h"
#include "daiban/dbn_bus.h"
#include "daiban/dbn_codec.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_store.h"

#define GUARD_MS 10000

/* ---- helpers ---- */

/* These tests are about the bus's mechanics on every transport, not about
 * CURVE (test_auth covers that): plain text is allowed explicitly. */
static DbnBus *
plain_bus_new (void)
{
    DbnBus *bus = dbn_bus_new ();
    dbn_bus_allow_plaintext (bus);
    return bus;
}

static GBytes *
bytes_from_str (const char *s)
{
    return g_bytes_new (s, strlen (s));
}

static char *
bytes_dup_str (GBytes *bytes)
{
    gsize size;
    const char *data = g_bytes_get_data (bytes, &size);
    return g_strndup (data, size);
}

static void
assert_bytes_str (GBytes *bytes, const char *expected)
{
    g_assert_nonnull (bytes);
    g_autofree char *got = bytes_dup_str (bytes);
    g_assert_cmpstr (got, ==, expected);
}

static gboolean
on_guard (gpointer user_data)
{
    gboolean *expired = user_data;
    *expired = TRUE;
    return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the thread-default context until cond holds; fails after guard_ms. */
static void
iterate_until (Condition cond, gpointer data, guint guard_ms)
{
    gboolean expired = FALSE;
    GMainContext *context = g_main_context_get_thread_default ();
    GSource *guard = g_timeout_source_new (guard_ms);
    g_source_set_callback (guard, on_guard, &expired, NULL);
    g_source_attach (guard, context);
    while (!cond (data) && !expired)
        g_main_context_iteration (context, TRUE);
    g_source_destroy (guard);
    g_source_unref (guard);
    g_assert_true (cond (data));
}

static gboolean
uint_reached (gpointer data)
{
    guint *counter = data;
    return counter[0] >= counter[1];
}

/* counter[0] counts up to counter[1]. */
static void
iterate_until_count (guint counter[2], guint guard_ms)
{
    iterate_until (uint_reached, counter, guard_ms);
}

static gboolean
uint_nonzero (gpointer data)
{
    return *(guint *) data > 0;
}

/* Iterates until *counter is no longer 0; fails after GUARD_MS. */
static void
iterate_until_nonzero (guint *counter)
{
    iterate_until (uint_nonzero, counter, GUARD_MS);
}

/* Runs every ready source, without waiting. */
static void
iterate_pending (void)
{
    while (g_main_context_iteration (g_main_context_get_thread_default (), FALSE))
        ;
}

static DbnRequest *
request_copy (const DbnRequest *request)
{
    DbnRequest *copy = g_new0 (DbnRequest, 1);
    copy->peer = g_bytes_ref (request->peer);
    copy->request_id = g_bytes_ref (request->request_id);
    copy->body = g_bytes_ref (request->body);
    copy->user_id = g_strdup (request->user_id);
    return copy;
}

/* ---- an echo server: replies "re:" + body ---- */

typedef struct {
    DbnServer *server;
    const char *hold_prefix; /* bodies starting with it are not answered now */
    gboolean answer_late;    /* held requests are answered on the next batch */
    GPtrArray *held;         /* DbnRequest* copies */
    GArray *batch_sizes;     /* guint per batch call */
    guint answered[2];       /* [0] requests answered, [1] the target to wait for */
    guint seen;              /* requests received */
    gsize max_body;          /* largest body received */
    char *last_user_id;      /* of the last request */
} EchoServer;

static void
echo_init (EchoServer *echo)
{
    memset (echo, 0, sizeof *echo);
    echo->held = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_request_free);
    echo->batch_sizes = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
echo_clear (EchoServer *echo)
{
    g_clear_pointer (&echo->server, dbn_server_free);
    g_ptr_array_unref (echo->held);
    g_array_unref (echo->batch_sizes);
    g_free (echo->last_user_id);
}

static void
echo_reply (EchoServer *echo, const DbnRequest *request)
{
    g_autofree char *body = bytes_dup_str (request->body);
    g_autoptr (GBytes) reply = NULL;
    if (g_bytes_get_size (request->body) > 1024) {
        /* Large bodies come back whole, prefixed. */
        GByteArray *array = g_byte_array_new ();
        g_byte_array_append (array, (const guint8 *) "re:", 3);
        g_byte_array_append (array, g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
        reply = g_byte_array_free_to_bytes (array);
    } else {
        g_autofree char *text = g_strdup_printf ("re:%s", body);
        reply = bytes_from_str (text);
    }
    dbn_server_reply (echo->server, request, reply);
    echo->answered[0]++;
}

static void
echo_batch (DbnServer *server, GPtrArray *requests, gpointer user_data)
{
    EchoServer *echo = user_data;
    g_assert_true (server == echo->server);
    g_assert_cmpuint (requests->len, >, 0);
    g_array_append_val (echo->batch_sizes, requests->len);

    if (echo->answer_late) {
        for (guint i = 0; i < echo->held->len; i++)
            echo_reply (echo, g_ptr_array_index (echo->held, i));
        g_ptr_array_set_size (echo->held, 0);
    }
    for (guint i = 0; i < requests->len; i++) {
        const DbnRequest *request = g_ptr_array_index (requests, i);
        echo->seen++;
        echo->max_body = MAX (echo->max_body, g_bytes_get_size (request->body));
        g_free (echo->last_user_id);
        echo->last_user_id = g_strdup (request->user_id);
        gsize size;
        const char *data = g_bytes_get_data (request->body, &size);
        if (echo->hold_prefix != NULL && size >= strlen (echo->hold_prefix)
            && memcmp (data, echo->hold_prefix, strlen (echo->hold_prefix)) == 0)
            g_ptr_array_add (echo->held, request_copy (request));
        else
            echo_reply (echo, request);
    }
}

static DbnServer *
echo_start (EchoServer *echo, DbnBus *bus, const char *endpoint, guint batch_max)
{
    g_autoptr (GError) error = NULL;
    echo->server = dbn_server_new (bus, endpoint, batch_max, echo_batch, echo, &error);
    g_assert_no_error (error);
    g_assert_nonnull (echo->server);
    return echo->server;
}

/* ---- an echo server in its own thread (for the blocking dbn_client_call) ---- */

typedef struct {
    DbnBus *bus;
    char *endpoint;  /* to bind */
    EchoServer echo; /* touched only by the thread until joined */
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    GAsyncQueue *ready; /* the thread pushes the bound endpoint */
    guint seen;         /* requests the server got, read after the join */
} ServerThread;

static gpointer
server_thread_main (gpointer data)
{
    ServerThread *st = data;
    g_main_context_push_thread_default (st->context);
    echo_start (&st->echo, st->bus, st->endpoint, 64);
    g_async_queue_push (st->ready, g_strdup (dbn_server_get_endpoint (st->echo.server)));
    g_main_loop_run (st->loop);
    /* The socket belongs to this thread: close it here. */
    g_clear_pointer (&st->echo.server, dbn_server_free);
    g_main_context_pop_thread_default (st->context);
    return NULL;
}

/* Returns the bound endpoint (caller owns it). */
static char *
server_thread_start (ServerThread *st, DbnBus *bus, const char *endpoint, const char *hold_prefix)
{
    memset (st, 0, sizeof *st);
    st->bus = bus;
    st->endpoint = g_strdup (endpoint);
    echo_init (&st->echo);
    st->echo.hold_prefix = hold_prefix;
    st->echo.answer_late = TRUE;
    st->context = g_main_context_new ();
    st->loop = g_main_loop_new (st->context, FALSE);
    st->ready = g_async_queue_new ();
    st->thread = g_thread_new ("echo-server", server_thread_main, st);
    char *bound = g_async_queue_timeout_pop (st->ready, (guint64) GUARD_MS * 1000);
    g_assert_nonnull (bound);
    return bound;
}

static gboolean
quit_loop (gpointer data)
{
    g_main_loop_quit (data);
    return G_SOURCE_REMOVE;
}

static void
server_thread_stop (ServerThread *st)
{
    g_main_context_invoke (st->context, quit_loop, st->loop);
    g_thread_join (st->thread);
    st->seen = st->echo.seen;
    echo_clear (&st->echo);
    g_main_loop_unref (st->loop);
    g_main_context_unref (st->context);
    g_async_queue_unref (st->ready);
    g_free (st->endpoint);
}

/* ---- /bus/socket ---- */

static gint64
getsockopt_int (void *socket, int option)
{
    int value = -1;
    size_t len = sizeof value;
    g_assert_cmpint (zmq_getsockopt (socket, option, &value, &len), ==, 0);
    return value;
}

static void
test_socket_defaults (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    void *socket = dbn_bus_socket_new (bus, ZMQ_DEALER, &error);
    g_assert_no_error (error);

    gint64 max_size = 0;
    size_t len = sizeof max_size;
    g_assert_cmpint (zmq_getsockopt (socket, ZMQ_MAXMSGSIZE, &max_size, &len), ==, 0);
    g_assert_cmpint (max_size, ==, DBN_CODEC_MAX_FRAME);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_LINGER), ==, 0);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_HEARTBEAT_IVL), ==, 1000);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_HEARTBEAT_TTL), ==, 3000);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_SNDHWM), ==, 100000);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_RCVHWM), ==, 100000);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_IMMEDIATE), ==, 0);

    /* The heartbeat timeout only where the socket binds (zeromq/libzmq#3937:
     * a connecting socket timing out a stalled line aborts). */
    void *server = dbn_bus_socket_new (bus, ZMQ_ROUTER, &error);
    g_assert_no_error (error);
    g_assert_true (dbn_bus_bind (bus, server, "inproc://bus-defaults", NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (getsockopt_int (server, ZMQ_HEARTBEAT_TIMEOUT), ==, 3000);
    g_assert_true (dbn_bus_connect (bus, socket, "inproc://bus-defaults", &error));
    g_assert_no_error (error);
    g_assert_cmpint (getsockopt_int (socket, ZMQ_HEARTBEAT_TIMEOUT), ==, 0);
    zmq_close (server);
    zmq_close (socket);

    socket = dbn_bus_socket_new (bus, 4242, &error);
    g_assert_null (socket);
    g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET);
}

/* ---- /bus/source ---- */

typedef struct {
    void *pull;        /* the socket the source reads */
    void *push;        /* the sender of the burst */
    guint received[2]; /* [0] messages read, [1] the burst size */
    guint out_of_order;
    gboolean burst_from_reader; /* send the burst inside the first dispatch */
} Burst;

static void
send_burst (Burst *burst)
{
    for (guint i = 0; i < burst->received[1]; i++) {
        char text[16];
        int n = g_snprintf (text, sizeof text, "%u", i);
        g_assert_cmpint (zmq_send (burst->push, text, n, 0), ==, n);
    }
}

/* Reads exactly one message per dispatch: the rest must come back through
 * prepare/check, never through the (already consumed) fd edge. */
static gboolean
burst_on_readable (void *socket, gpointer user_data)
{
    Burst *burst = user_data;
    char text[16];
    int n = zmq_recv (socket, text, sizeof text - 1, ZMQ_DONTWAIT);
    g_assert_cmpint (n, >, 0);
    text[n] = '\0';
    if (g_ascii_strtoull (text, NULL, 10) != burst->received[0])
        burst->out_of_order++;
    burst->received[0]++;
    return G_SOURCE_CONTINUE;
}

static gboolean
burst_on_idle (gpointer user_data)
{
    /* The loop is busy here: the whole burst lands before the next poll. */
    send_burst (user_data);
    return G_SOURCE_REMOVE;
}

static void
test_source_burst (gconstpointer data)
{
    const char *endpoint = data;
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    Burst burst = { .received = { 0, 2000 } };

    burst.push = dbn_bus_socket_new (bus, ZMQ_PUSH, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_bind (burst.push, endpoint), ==, 0);
    char bound[256];
    size_t len = sizeof bound;
    g_assert_cmpint (zmq_getsockopt (burst.push, ZMQ_LAST_ENDPOINT, bound, &len), ==, 0);
    burst.pull = dbn_bus_socket_new (bus, ZMQ_PULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_connect (burst.pull, bound), ==, 0);

    GSource *source = dbn_socket_source_new (burst.pull, burst_on_readable, &burst, NULL);
    g_source_attach (source, NULL);
    g_idle_add (burst_on_idle, &burst);
    iterate_until_count (burst.received, GUARD_MS);
    g_assert_cmpuint (burst.received[0], ==, burst.received[1]);
    g_assert_cmpuint (burst.out_of_order, ==, 0);

    /* Nothing is left over for a later dispatch. */
    iterate_pending ();
    g_assert_cmpuint (burst.received[0], ==, burst.received[1]);

    g_source_destroy (source);
    g_source_unref (source);
    zmq_close (burst.pull);
    zmq_close (burst.push);
}

static gboolean
count_and_remove (void *socket, gpointer user_data)
{
    guint *calls = user_data;
    (*calls)++;
    return G_SOURCE_REMOVE;
}

static void
count_notify (gpointer user_data)
{
    guint *calls = user_data;
    calls[1]++;
}

static void
test_source_remove_and_notify (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    void *a = dbn_bus_socket_new (bus, ZMQ_PAIR, &error);
    void *b = dbn_bus_socket_new (bus, ZMQ_PAIR, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_bind (a, "inproc://source-remove"), ==, 0);
    g_assert_cmpint (zmq_connect (b, "inproc://source-remove"), ==, 0);

    guint calls[2] = { 0, 0 }; /* [0] dispatches, [1] notify */
    GSource *source = dbn_socket_source_new (a, count_and_remove, calls, count_notify);
    g_source_attach (source, NULL);
    /* Nothing to read: the source must not dispatch on writability alone. */
    iterate_pending ();
    g_assert_cmpuint (calls[0], ==, 0);

    g_assert_cmpint (zmq_send (b, "x", 1, 0), ==, 1);
    g_assert_cmpint (zmq_send (b, "y", 1, 0), ==, 1);
    iterate_until_nonzero (&calls[0]);
    iterate_pending ();
    /* G_SOURCE_REMOVE: one dispatch although two messages wait, then notify. */
    g_assert_cmpuint (calls[0], ==, 1);
    g_assert_cmpuint (calls[1], ==, 1);
    g_assert_true (g_source_is_destroyed (source));
    g_source_unref (source);
    zmq_close (a);
    zmq_close (b);
}

/* ---- /bus/server ---- */

#define PER_CLIENT 50

static void
test_server_replies_reach_their_caller (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 32);
    const char *endpoint = dbn_server_get_endpoint (echo.server);
    g_assert_true (g_str_has_prefix (endpoint, "tcp://127.0.0.1:"));
    g_assert_false (g_str_has_suffix (endpoint, ":*"));

    DbnClient *clients[3];
    for (guint c = 0; c < 3; c++) {
        clients[c] = dbn_client_new (bus, endpoint, &error);
        g_assert_no_error (error);
    }
    /* The same request ids from every client: only the routing id tells
     * the replies apart. */
    for (guint k = 0; k < PER_CLIENT; k++) {
        for (guint c = 0; c < 3; c++) {
            g_autofree char *id = g_strdup_printf ("id-%u", k);
            g_autofree char *body = g_strdup_printf ("client%u-%u", c, k);
            g_autoptr (GBytes) id_bytes = bytes_from_str (id);
            g_autoptr (GBytes) body_bytes = bytes_from_str (body);
            g_assert_true (dbn_client_send_raw (clients[c], id_bytes, body_bytes, &error));
            g_assert_no_error (error);
        }
    }
    echo.answered[1] = 3 * PER_CLIENT;
    iterate_until_count (echo.answered, GUARD_MS);

    for (guint c = 0; c < 3; c++) {
        for (guint k = 0; k < PER_CLIENT; k++) {
            g_autoptr (GBytes) id = NULL;
            g_autoptr (GBytes) reply = NULL;
            g_assert_true (dbn_client_recv_raw (clients[c], GUARD_MS, &id, &reply));
            g_autofree char *want_id = g_strdup_printf ("id-%u", k);
            g_autofree char *want_body = g_strdup_printf ("re:client%u-%u", c, k);
            assert_bytes_str (id, want_id);
            assert_bytes_str (reply, want_body);
        }
        GBytes *id = NULL, *reply = NULL;
        g_assert_false (dbn_client_recv_raw (clients[c], 0, &id, &reply));
        g_assert_null (id);
        dbn_client_free (clients[c]);
    }
    g_assert_cmpuint (dbn_server_get_dropped (echo.server), ==, 0);
    g_assert_null (echo.last_user_id);
    echo_clear (&echo);
}

static void
test_server_batch_max (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    const guint batch_max = 16, total = 1000;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "inproc://batch-max", batch_max);
    g_autoptr (DbnClient) client = dbn_client_new (bus, "inproc://batch-max", &error);
    g_assert_no_error (error);

    /* inproc writes straight into the server's pipe: all 1000 are waiting
     * before the first dispatch, so the batches are full ones. */
    for (guint i = 0; i < total; i++) {
        g_autofree char *id = g_strdup_printf ("%u", i);
        g_autoptr (GBytes) id_bytes = bytes_from_str (id);
        g_autoptr (GBytes) body = bytes_from_str (id);
        g_assert_true (dbn_client_send_raw (client, id_bytes, body, &error));
    }
    echo.answered[1] = total;
    iterate_until_count (echo.answered, GUARD_MS);

    guint sum = 0, largest = 0;
    for (guint i = 0; i < echo.batch_sizes->len; i++) {
        guint size = g_array_index (echo.batch_sizes, guint, i);
        g_assert_cmpuint (size, <=, batch_max);
        largest = MAX (largest, size);
        sum += size;
    }
    g_assert_cmpuint (sum, ==, total);
    g_assert_cmpuint (largest, ==, batch_max);
    g_assert_cmpuint (echo.batch_sizes->len, ==, (total + batch_max - 1) / batch_max);

    for (guint i = 0; i < total; i++) {
        g_autoptr (GBytes) id = NULL;
        g_autoptr (GBytes) reply = NULL;
        g_assert_true (dbn_client_recv_raw (client, GUARD_MS, &id, &reply));
        g_autofree char *want_id = g_strdup_printf ("%u", i);
        g_autofree char *want_body = g_strdup_printf ("re:%u", i);
        assert_bytes_str (id, want_id);
        assert_bytes_str (reply, want_body);
    }
    g_clear_pointer (&client, dbn_client_free);
    echo_clear (&echo);
}

static void
send_parts (void *socket, const char *const *parts, guint n)
{
    for (guint i = 0; i < n; i++) {
        int len = (int) strlen (parts[i]);
        g_assert_cmpint (zmq_send (socket, parts[i], len, i + 1 < n ? ZMQ_SNDMORE : 0), ==, len);
    }
}

/* Receives [id][reply] on a raw DEALER, waiting at most GUARD_MS. */
static void
raw_expect_reply (void *socket, const char *want_id, const char *want_reply)
{
    zmq_pollitem_t item = { .socket = socket, .events = ZMQ_POLLIN };
    g_assert_cmpint (zmq_poll (&item, 1, GUARD_MS), ==, 1);
    char buf[256];
    int n = zmq_recv (socket, buf, sizeof buf - 1, 0);
    g_assert_cmpint (n, >=, 0);
    buf[n] = '\0';
    g_assert_cmpstr (buf, ==, want_id);
    int more = 0;
    size_t len = sizeof more;
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
    g_assert_true (more);
    n = zmq_recv (socket, buf, sizeof buf - 1, 0);
    g_assert_cmpint (n, >=, 0);
    buf[n] = '\0';
    g_assert_cmpstr (buf, ==, want_reply);
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
    g_assert_false (more);
}

static void
test_server_drops_malformed (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 8);
    void *raw = dbn_bus_socket_new (bus, ZMQ_DEALER, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_connect (raw, dbn_server_get_endpoint (echo.server)), ==, 0);

    char long_id[66], max_id[65];
    memset (long_id, 'L', 65);
    long_id[65] = '\0';
    memset (max_id, 'M', 64);
    max_id[64] = '\0';
    const char *one[] = { "lonely" };
    const char *three[] = { "id-3", "body", "extra" };
    const char *four[] = { "id-4", "body", "extra", "more" };
    const char *oversize_id[] = { long_id, "body" };
    const char *good_max[] = { max_id, "at-limit" };
    const char *good_last[] = { "last", "fine" };

    /* Logged once for this endpoint, not once per frame. */
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*dropped a malformed request*");
    send_parts (raw, one, 1);
    send_parts (raw, three, 3);
    send_parts (raw, good_max, 2);
    send_parts (raw, four, 4);
    send_parts (raw, oversize_id, 2);
    send_parts (raw, one, 1);
    send_parts (raw, good_last, 2);

    /* Frames from one peer arrive in order: when "last" is answered, every
     * malformed one before it has been seen. */
    echo.answered[1] = 2;
    iterate_until_count (echo.answered, GUARD_MS);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (dbn_server_get_dropped (echo.server), ==, 5);
    g_assert_cmpuint (echo.seen, ==, 2);
    raw_expect_reply (raw, max_id, "re:at-limit");
    raw_expect_reply (raw, "last", "re:fine");

    zmq_close (raw);
    echo_clear (&echo);
}

typedef struct {
    DbnServer *server;
    guint batches;
} FreeInBatch;

static void
on_batch_free_server (DbnServer *server, GPtrArray *requests, gpointer user_data)
{
    FreeInBatch *state = user_data;
    state->batches++;
    g_clear_pointer (&state->server, dbn_server_free);
    /* The requests are still ours after the free, until we return. */
    for (guint i = 0; i < requests->len; i++) {
        const DbnRequest *request = g_ptr_array_index (requests, i);
        g_assert_cmpuint (g_bytes_get_size (request->body), ==, 4);
    }
}

static void
test_server_free_in_batch (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    FreeInBatch state = { 0 };
    state.server = dbn_server_new (bus, "inproc://free-in-batch", 8, on_batch_free_server, &state, &error);
    g_assert_no_error (error);
    g_autoptr (DbnClient) client = dbn_client_new (bus, "inproc://free-in-batch", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 20; i++) {
        g_autoptr (GBytes) id = bytes_from_str ("id");
        g_autoptr (GBytes) body = bytes_from_str ("body");
        g_assert_true (dbn_client_send_raw (client, id, body, &error));
    }
    iterate_until_nonzero (&state.batches);
    iterate_pending ();
    /* Gone after the first batch: no second one although 12 requests wait. */
    g_assert_null (state.server);
    g_assert_cmpuint (state.batches, ==, 1);
}

/* A ZAP handler (RFC 27) that admits every NULL connection as "window:7". */
static gboolean
zap_on_readable (void *socket, gpointer user_data)
{
    guint *handled = user_data;
    char frames[8][256];
    int sizes[8];
    guint n = 0;
    int more = 1;
    for (n = 0; more && n < G_N_ELEMENTS (sizes);) {
        sizes[n] = zmq_recv (socket, frames[n], sizeof frames[n], ZMQ_DONTWAIT);
        /* REP can report POLLIN for a message it then discards (no
         * envelope delimiter), so a reader must expect EAGAIN. */
        if (n == 0 && sizes[n] < 0 && errno == EAGAIN)
            return G_SOURCE_CONTINUE;
        g_assert_cmpint (sizes[n], >=, 0);
        n++;
        size_t len = sizeof more;
        zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
    }
    g_assert_false (more);
    g_assert_cmpuint (n, >=, 6);
    /* version, request id, status, status text, user id, metadata */
    zmq_send (socket, "1.0", 3, ZMQ_SNDMORE);
    zmq_send (socket, frames[1], MIN (sizes[1], 256), ZMQ_SNDMORE);
    zmq_send (socket, "200", 3, ZMQ_SNDMORE);
    zmq_send (socket, "OK", 2, ZMQ_SNDMORE);
    zmq_send (socket, "window:7", 8, ZMQ_SNDMORE);
    zmq_send (socket, "", 0, 0);
    (*handled)++;
    return G_SOURCE_CONTINUE;
}

static void
test_server_user_id (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    void *zap = dbn_bus_socket_new (bus, ZMQ_REP, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_bind (zap, "inproc://zeromq.zap.01"), ==, 0);
    guint handled = 0;
    GSource *zap_source = dbn_socket_source_new (zap, zap_on_readable, &handled, NULL);
    g_source_attach (zap_source, NULL);

    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 8);
    /* A ZAP domain makes libzmq ask the handler even for NULL security. A
     * listener copies the socket's options when it is bound, so the option
     * only holds for a listener bound after it. */
    void *socket = dbn_server_get_socket (echo.server);
    g_assert_cmpint (zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, "test", 4), ==, 0);
    g_assert_cmpint (zmq_bind (socket, "tcp://127.0.0.1:*"), ==, 0);
    char endpoint[256];
    size_t len = sizeof endpoint;
    g_assert_cmpint (zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, endpoint, &len), ==, 0);
    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) id = bytes_from_str ("u1");
    g_autoptr (GBytes) body = bytes_from_str ("who");
    g_assert_true (dbn_client_send_raw (client, id, body, &error));
    echo.answered[1] = 1;
    iterate_until_count (echo.answered, GUARD_MS);
    g_assert_cmpuint (handled, ==, 1);
    g_assert_cmpstr (echo.last_user_id, ==, "window:7");

    g_clear_pointer (&client, dbn_client_free);
    echo_clear (&echo);
    g_source_destroy (zap_source);
    g_source_unref (zap_source);
    zmq_close (zap);
}

/* Waits on a socket monitor for event; FALSE after GUARD_MS. */
static gboolean
monitor_wait (void *monitor, int event)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) GUARD_MS * 1000;
    while (g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { .socket = monitor, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        guint8 head[6];
        char address[256];
        int n = zmq_recv (monitor, head, sizeof head, 0);
        g_assert_cmpint (n, ==, 6);
        zmq_recv (monitor, address, sizeof address, 0);
        guint16 got;
        memcpy (&got, head, 2);
        if (got == event)
            return TRUE;
    }
    return FALSE;
}

typedef struct {
    guint done[2];   /* [0] callbacks run, [1] expected */
    GSList *replies; /* char*, in callback order; "ERR:<code>:<message>" for errors */
} AsyncLog;

static void
async_log_clear (AsyncLog *log)
{
    g_slist_free_full (log->replies, g_free);
    log->replies = NULL;
}

static void
on_async_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    AsyncLog *log = user_data;
    char *entry;
    if (error != NULL) {
        g_assert_null (reply);
        entry = g_strdup_printf ("ERR:%s:%d:%s", error->domain == DBN_ERROR ? "dbn" : "other", error->code,
                                 error->message);
    } else {
        entry = bytes_dup_str (reply);
    }
    log->replies = g_slist_append (log->replies, entry);
    log->done[0]++;
}

static const char *
async_log_nth (AsyncLog *log, guint n)
{
    return g_slist_nth_data (log->replies, n);
}

static void
test_server_oversize_frame (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 8);
    const char *endpoint = dbn_server_get_endpoint (echo.server);
    g_assert_cmpint (zmq_socket_monitor (dbn_server_get_socket (echo.server), "inproc://oversize-monitor",
                                         ZMQ_EVENT_DISCONNECTED),
                     ==, 0);
    void *monitor = zmq_socket (dbn_bus_get_context (bus), ZMQ_PAIR);
    g_assert_cmpint (zmq_connect (monitor, "inproc://oversize-monitor"), ==, 0);

    g_autoptr (DbnClient) big = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);
    g_autoptr (DbnClient) small = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);

    /* Issue 11: a server takes frames up to twice the codec's limit (so an
     * oversize command can be answered); beyond that libzmq drops. */
    gsize size = (gsize) DBN_BUS_SERVER_MAX_FRAME + 1;
    g_autoptr (GBytes) id = bytes_from_str ("big");
    g_autoptr (GBytes) body = g_bytes_new_take (g_malloc0 (size), size);
    g_assert_true (dbn_client_send_raw (big, id, body, &error));
    g_assert_no_error (error);
    /* libzmq cuts the connection while reading the frame header. */
    g_assert_true (monitor_wait (monitor, ZMQ_EVENT_DISCONNECTED));

    /* The server keeps serving: the other client, and the same one once its
     * DEALER has reconnected. */
    AsyncLog log = { .done = { 0, 2 } };
    g_autoptr (GBytes) a = bytes_from_str ("small");
    g_autoptr (GBytes) b = bytes_from_str ("again");
    dbn_client_send_async (small, a, GUARD_MS, on_async_reply, &log);
    dbn_client_send_async (big, b, GUARD_MS, on_async_reply, &log);
    iterate_until_count (log.done, GUARD_MS);
    g_assert_true (g_slist_find_custom (log.replies, "re:small", (GCompareFunc) g_strcmp0));
    g_assert_true (g_slist_find_custom (log.replies, "re:again", (GCompareFunc) g_strcmp0));
    g_assert_cmpuint (echo.max_body, <=, DBN_CODEC_MAX_FRAME);
    g_assert_cmpuint (echo.seen, ==, 2);
    g_assert_cmpuint (dbn_server_get_dropped (echo.server), ==, 0);

    async_log_clear (&log);
    g_clear_pointer (&big, dbn_client_free);
    g_clear_pointer (&small, dbn_client_free);
    zmq_close (monitor);
    echo_clear (&echo);
}

/* ---- /bus/endpoint ---- */

static void
test_endpoint_errors (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 8);
    const char *endpoint = dbn_server_get_endpoint (echo.server);

    DbnServer *second = dbn_server_new (bus, endpoint, 8, echo_batch, &echo, &error);
    g_assert_null (second);
    g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
    g_assert_nonnull (strstr (error->message, endpoint));
    g_clear_error (&error);

    DbnPublisher *publisher = dbn_publisher_new (bus, endpoint, &error);
    g_assert_null (publisher);
    g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
    g_clear_error (&error);

    EchoServer inproc;
    echo_init (&inproc);
    echo_start (&inproc, bus, "inproc://taken", 8);
    second = dbn_server_new (bus, "inproc://taken", 8, echo_batch, &inproc, &error);
    g_assert_null (second);
    g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
    g_clear_error (&error);

    const char *bad[] = { "tcp://127.0.0.1", "nonsense://x", "no-scheme" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
        second = dbn_server_new (bus, bad[i], 8, echo_batch, &echo, &error);
        g_assert_null (second);
        g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
        g_assert_nonnull (strstr (error->message, bad[i]));
        g_clear_error (&error);

        DbnClient *client = dbn_client_new (bus, bad[i], &error);
        g_assert_null (client);
        g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
        g_clear_error (&error);
    }
    echo_clear (&inproc);
    echo_clear (&echo);
}

/* ---- /bus/client ---- */

static void
test_client_call_timeout_then_server (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("dbn-bus-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *path = g_build_filename (dir, "cmd.sock", NULL);
    g_autofree char *endpoint = g_strdup_printf ("ipc://%s", path);

    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) hello = bytes_from_str ("hello");

    /* Nobody listens: the call gives up at its bound, not before, not much after. */
    gint64 start = g_get_monotonic_time ();
    GBytes *reply = dbn_client_call (client, hello, 200, &error);
    gint64 elapsed_ms = (g_get_monotonic_time () - start) / 1000;
    g_assert_null (reply);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT);
    g_autofree char *want = g_strdup_printf ("no answer from %s within 200 ms", endpoint);
    g_assert_cmpstr (error->message, ==, want);
    g_assert_cmpint (elapsed_ms, >=, 200);
    g_assert_cmpint (elapsed_ms, <, 200 + 2000);
    g_clear_error (&error);

    /* The server appears; the same client gets through. */
    ServerThread st;
    g_autofree char *bound = server_thread_start (&st, bus, endpoint, NULL);
    g_assert_cmpstr (bound, ==, endpoint);
    g_autoptr (GBytes) answer = dbn_client_call (client, hello, GUARD_MS, &error);
    g_assert_no_error (error);
    assert_bytes_str (answer, "re:hello");

    g_clear_pointer (&client, dbn_client_free);
    server_thread_stop (&st);
    /* The timed-out request died with its socket (LINGER 0); it was not
     * delivered when the server appeared. */
    g_assert_cmpuint (st.seen, ==, 1);
    g_remove (path);
    g_rmdir (dir);
}

static void
test_client_call_no_stale_reply (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    ServerThread st;
    /* "slow" requests are answered only when the next request comes in. */
    g_autofree char *endpoint = server_thread_start (&st, bus, "tcp://127.0.0.1:*", "slow");
    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);

    g_autoptr (GBytes) slow = bytes_from_str ("slow");
    GBytes *reply = dbn_client_call (client, slow, 150, &error);
    g_assert_null (reply);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT);
    g_clear_error (&error);

    /* The server now sends "re:slow" first, then "re:fast". */
    g_autoptr (GBytes) fast = bytes_from_str ("fast");
    g_autoptr (GBytes) answer = dbn_client_call (client, fast, GUARD_MS, &error);
    g_assert_no_error (error);
    assert_bytes_str (answer, "re:fast");

    /* Same socket, no reconnect in between: a reply to another id (a raw
     * request sent just before) is passed over, not returned. */
    g_autoptr (GBytes) raw_id = bytes_from_str ("raw-1");
    g_autoptr (GBytes) raw_body = bytes_from_str ("stale");
    g_assert_true (dbn_client_send_raw (client, raw_id, raw_body, &error));
    g_autoptr (GBytes) next = bytes_from_str ("next");
    g_autoptr (GBytes) answer2 = dbn_client_call (client, next, GUARD_MS, &error);
    g_assert_no_error (error);
    assert_bytes_str (answer2, "re:next");

    /* Large replies (a sync batch) fit under MAXMSGSIZE. */
    gsize big_size = 3 * 1024 * 1024;
    guint8 *big_data = g_malloc (big_size);
    memset (big_data, 'b', big_size);
    g_autoptr (GBytes) big = g_bytes_new_take (big_data, big_size);
    g_autoptr (GBytes) big_answer = dbn_client_call (client, big, GUARD_MS, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (big_answer), ==, big_size + 3);
    g_assert_cmpint (memcmp (g_bytes_get_data (big_answer, NULL), "re:bbb", 6), ==, 0);

    g_clear_pointer (&client, dbn_client_free);
    server_thread_stop (&st);
}

static void
test_client_call_keeps_async_replies (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    ServerThread st;
    g_autofree char *endpoint = server_thread_start (&st, bus, "tcp://127.0.0.1:*", NULL);
    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);

    AsyncLog log = { .done = { 0, 1 } };
    g_autoptr (GBytes) a = bytes_from_str ("async");
    g_autoptr (GBytes) b = bytes_from_str ("sync");
    dbn_client_send_async (client, a, GUARD_MS, on_async_reply, &log);
    /* The call reads the async reply first (same pipe, in order). */
    g_autoptr (GBytes) answer = dbn_client_call (client, b, GUARD_MS, &error);
    g_assert_no_error (error);
    assert_bytes_str (answer, "re:sync");
    /* ...and leaves it to the loop, not to a callback inside the call. */
    g_assert_cmpuint (log.done[0], ==, 0);
    iterate_until_count (log.done, GUARD_MS);
    g_assert_cmpstr (async_log_nth (&log, 0), ==, "re:async");

    async_log_clear (&log);
    g_clear_pointer (&client, dbn_client_free);
    server_thread_stop (&st);
}

static void
test_client_async_replies (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 4);

    DbnClient *clients[3];
    AsyncLog logs[3];
    for (guint c = 0; c < 3; c++) {
        clients[c] = dbn_client_new (bus, dbn_server_get_endpoint (echo.server), &error);
        g_assert_no_error (error);
        logs[c] = (AsyncLog){ .done = { 0, 20 } };
    }
    for (guint k = 0; k < 20; k++) {
        for (guint c = 0; c < 3; c++) {
            g_autofree char *text = g_strdup_printf ("c%u-%u", c, k);
            g_autoptr (GBytes) body = bytes_from_str (text);
            dbn_client_send_async (clients[c], body, GUARD_MS, on_async_reply, &logs[c]);
        }
    }
    for (guint c = 0; c < 3; c++)
        iterate_until_count (logs[c].done, GUARD_MS);
    for (guint c = 0; c < 3; c++) {
        for (guint k = 0; k < 20; k++) {
            g_autofree char *want = g_strdup_printf ("re:c%u-%u", c, k);
            g_assert_cmpstr (async_log_nth (&logs[c], k), ==, want);
        }
        async_log_clear (&logs[c]);
        dbn_client_free (clients[c]);
    }
    echo_clear (&echo);
}

static void
test_client_async_timeout (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo.hold_prefix = "hold";
    echo_start (&echo, bus, "tcp://127.0.0.1:*", 8);
    const char *endpoint = dbn_server_get_endpoint (echo.server);
    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);

    /* Two unanswered requests: the short one times out, and the reconnect
     * abandons the long one at once instead of after 60 s. */
    AsyncLog log = { .done = { 0, 2 } };
    g_autoptr (GBytes) h1 = bytes_from_str ("hold-1");
    g_autoptr (GBytes) h2 = bytes_from_str ("hold-2");
    gint64 start = g_get_monotonic_time ();
    dbn_client_send_async (client, h1, 100, on_async_reply, &log);
    dbn_client_send_async (client, h2, 60000, on_async_reply, &log);
    iterate_until_count (log.done, GUARD_MS);
    gint64 elapsed_ms = (g_get_monotonic_time () - start) / 1000;
    g_assert_cmpint (elapsed_ms, >=, 100);
    g_assert_cmpint (elapsed_ms, <, GUARD_MS);
    g_autofree char *want =
        g_strdup_printf ("ERR:dbn:%d:no answer from %s within 100 ms", DBN_ERROR_TIMEOUT, endpoint);
    g_assert_cmpstr (async_log_nth (&log, 0), ==, want);
    g_autofree char *prefix = g_strdup_printf ("ERR:dbn:%d:no answer from %s", DBN_ERROR_TIMEOUT, endpoint);
    g_assert_true (g_str_has_prefix (async_log_nth (&log, 1), prefix));
    /* The server did get both; it just never answered. */
    g_assert_cmpuint (echo.held->len, ==, 2);

    /* The fresh socket works, and nothing late sneaks into later callbacks. */
    g_ptr_array_set_size (echo.held, 0);
    echo.answer_late = TRUE;
    g_autoptr (GBytes) c = bytes_from_str ("after");
    log.done[1] = 3;
    dbn_client_send_async (client, c, GUARD_MS, on_async_reply, &log);
    iterate_until_count (log.done, GUARD_MS);
    g_assert_cmpstr (async_log_nth (&log, 2), ==, "re:after");
    iterate_pending ();
    g_assert_cmpuint (log.done[0], ==, 3);

    async_log_clear (&log);
    g_clear_pointer (&client, dbn_client_free);
    echo_clear (&echo);
}

typedef struct {
    DbnClient *client;
    guint calls;
} FreeInCallback;

static void
on_reply_free_client (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    FreeInCallback *state = user_data;
    g_assert_true (client == state->client);
    state->calls++;
    g_clear_pointer (&state->client, dbn_client_free);
}

static void
test_client_async_free_in_callback (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    EchoServer echo;
    echo_init (&echo);
    echo.hold_prefix = "hold";
    echo_start (&echo, bus, "inproc://free-in-callback", 8);

    FreeInCallback state = { 0 };
    state.client = dbn_client_new (bus, "inproc://free-in-callback", &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) h1 = bytes_from_str ("hold-1");
    g_autoptr (GBytes) h2 = bytes_from_str ("hold-2");
    g_autoptr (GBytes) h3 = bytes_from_str ("hold-3");
    dbn_client_send_async (state.client, h1, 50, on_reply_free_client, &state);
    dbn_client_send_async (state.client, h2, 60000, on_reply_free_client, &state);
    dbn_client_send_async (state.client, h3, 60000, on_reply_free_client, &state);
    iterate_until_nonzero (&state.calls);
    iterate_pending ();
    /* The client is gone: the abandoned requests are dropped, not called. */
    g_assert_null (state.client);
    g_assert_cmpuint (state.calls, ==, 1);
    echo_clear (&echo);
}

static void
test_client_recv_raw_skips_malformed (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    void *router = dbn_bus_socket_new (bus, ZMQ_ROUTER, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_bind (router, "tcp://127.0.0.1:*"), ==, 0);
    char endpoint[256];
    size_t len = sizeof endpoint;
    zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, endpoint, &len);

    g_autoptr (DbnClient) client = dbn_client_new (bus, endpoint, &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) id = bytes_from_str ("r1");
    g_autoptr (GBytes) body = bytes_from_str ("cmd");
    g_assert_true (dbn_client_send_raw (client, id, body, &error));

    zmq_pollitem_t item = { .socket = router, .events = ZMQ_POLLIN };
    g_assert_cmpint (zmq_poll (&item, 1, GUARD_MS), ==, 1);
    char peer[256];
    int peer_len = zmq_recv (router, peer, sizeof peer, 0);
    g_assert_cmpint (peer_len, >, 0);
    char buf[64];
    g_assert_cmpint (zmq_recv (router, buf, sizeof buf, 0), ==, 2);
    g_assert_cmpint (zmq_recv (router, buf, sizeof buf, 0), ==, 3);

    /* One part, then three parts, then the real reply. */
    zmq_send (router, peer, peer_len, ZMQ_SNDMORE);
    zmq_send (router, "alone", 5, 0);
    zmq_send (router, peer, peer_len, ZMQ_SNDMORE);
    zmq_send (router, "a", 1, ZMQ_SNDMORE);
    zmq_send (router, "b", 1, ZMQ_SNDMORE);
    zmq_send (router, "c", 1, 0);
    zmq_send (router, peer, peer_len, ZMQ_SNDMORE);
    zmq_send (router, "r1", 2, ZMQ_SNDMORE);
    zmq_send (router, "ok", 2, 0);

    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*skipped a reply*");
    g_autoptr (GBytes) got_id = NULL;
    g_autoptr (GBytes) reply = NULL;
    g_assert_true (dbn_client_recv_raw (client, GUARD_MS, &got_id, &reply));
    g_test_assert_expected_messages ();
    assert_bytes_str (got_id, "r1");
    assert_bytes_str (reply, "ok");

    g_clear_pointer (&client, dbn_client_free);
    zmq_close (router);
}

/* ---- /bus/publisher ---- */

typedef struct {
    DbnPublisher *publisher;
    guint received[2]; /* [0] events received, [1] how many to wait for */
    guint wrong;       /* messages that were not [case.accepted][body] */
} PubSub;

static gboolean
publish_tick (gpointer user_data)
{
    PubSub *ps = user_data;
    g_autoptr (GBytes) other = bytes_from_str ("ignored");
    g_autoptr (GBytes) body = bytes_from_str ("event-body");
    /* Until the subscription has reached the PUB, it drops: repeat. */
    dbn_publisher_send (ps->publisher, "other.topic", other);
    dbn_publisher_send (ps->publisher, "case.accepted", body);
    return G_SOURCE_CONTINUE;
}

static gboolean
sub_on_readable (void *socket, gpointer user_data)
{
    PubSub *ps = user_data;
    char topic[64], body[64];
    int n = zmq_recv (socket, topic, sizeof topic - 1, ZMQ_DONTWAIT);
    if (n < 0)
        return G_SOURCE_CONTINUE;
    topic[n] = '\0';
    int more = 0;
    size_t len = sizeof more;
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
    if (!more) {
        ps->wrong++;
        return G_SOURCE_CONTINUE;
    }
    int m = zmq_recv (socket, body, sizeof body - 1, ZMQ_DONTWAIT);
    g_assert_cmpint (m, >=, 0);
    body[m] = '\0';
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
    /* Every topic frame ends in '/' (dbn_publisher_send). */
    if (more || strcmp (topic, "case.accepted/") != 0 || strcmp (body, "event-body") != 0)
        ps->wrong++;
    ps->received[0]++;
    return G_SOURCE_CONTINUE;
}

/* A policy that grants what is asked and counts its calls (user_data: guint). */
static char *
grant_counted (const char *principal, const char *key, const char *topic, gpointer user_data)
{
    guint *calls = user_data;
    (*calls)++;
    return g_strdup (topic);
}

static gboolean
calls_made (gpointer data)
{
    return *(guint *) data > 0;
}

static gboolean
refused_once (gpointer data)
{
    return dbn_publisher_get_refused (data) >= 1;
}

static gboolean
refused_twice (gpointer data)
{
    return dbn_publisher_get_refused (data) >= 2;
}

/* Issue 12: the bus knows no principal -> topic policy, so a publisher that
 * nobody gave one grants nothing, not even to a peer without CURVE (whom the
 * frame's policy grants everything). Its SUB on "" hears only what a policy
 * set later grants; the event sent before that grant's topic never arrives. */
static void
test_publisher_without_policy (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    DbnPublisher *publisher = dbn_publisher_new (bus, "inproc://no-policy", &error);
    g_assert_no_error (error);
    void *sub = dbn_bus_socket_new (bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_connect (sub, "inproc://no-policy"), ==, 0);

    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*dropped the subscription of (no principal) to \"\"*");
    g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0), ==, 0);
    iterate_until (refused_once, publisher, GUARD_MS);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (dbn_publisher_get_refused (publisher), ==, 1);

    guint calls = 0;
    dbn_publisher_set_subscription_func (publisher, grant_counted, &calls);
    g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb", 2), ==, 0);
    iterate_until (calls_made, &calls, GUARD_MS);
    /* One pipe keeps order: had "" been granted, case.accepted/ came first. */
    g_autoptr (GBytes) body = bytes_from_str ("event-body");
    dbn_publisher_send (publisher, "case.accepted", body);
    dbn_publisher_send (publisher, "hb", body);
    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    g_assert_cmpint (zmq_poll (&item, 1, GUARD_MS), ==, 1);
    char topic[64];
    int n = zmq_recv (sub, topic, sizeof topic - 1, 0);
    g_assert_cmpint (n, >=, 0);
    topic[n] = '\0';
    g_assert_cmpstr (topic, ==, "hb/");

    /* NULL: back to refusing, without asking the old policy. */
    dbn_publisher_set_subscription_func (publisher, NULL, NULL);
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING,
                           "*dropped the subscription of (no principal) to \"s/a\"*");
    g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "s/a", 3), ==, 0);
    iterate_until (refused_twice, publisher, GUARD_MS);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (calls, ==, 1);

    zmq_close (sub);
    dbn_publisher_free (publisher);
}

static void
test_publisher_to_raw_sub (void)
{
    g_autoptr (DbnBus) bus = plain_bus_new ();
    g_autoptr (GError) error = NULL;
    PubSub ps = { .received = { 0, 3 } };
    ps.publisher = dbn_publisher_new (bus, "tcp://127.0.0.1:*", &error);
    g_assert_no_error (error);
    dbn_publisher_set_subscription_func (ps.publisher, dbn_auth_subscription_policy, NULL);
    const char *endpoint = dbn_publisher_get_endpoint (ps.publisher);
    g_assert_false (g_str_has_suffix (endpoint, ":*"));

    void *sub = dbn_bus_socket_new (bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "case.", 5), ==, 0);
    g_assert_cmpint (zmq_connect (sub, endpoint), ==, 0);
    GSource *source = dbn_socket_source_new (sub, sub_on_readable, &ps, NULL);
    g_source_attach (source, NULL);
    guint tick = g_timeout_add (10, publish_tick, &ps);

    iterate_until_count (ps.received, GUARD_MS);
    g_assert_cmpuint (ps.wrong, ==, 0);

    g_source_remove (tick);
    g_source_destroy (source);
    g_source_unref (source);
    zmq_close (sub);
    dbn_publisher_free (ps.publisher);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();

    g_test_add_func ("/bus/socket/defaults", test_socket_defaults);
    g_test_add_data_func ("/bus/source/burst-while-busy/inproc", "inproc://burst", test_source_burst);
    g_test_add_data_func ("/bus/source/burst-while-busy/tcp", "tcp://127.0.0.1:*", test_source_burst);
    g_test_add_func ("/bus/source/remove-and-notify", test_source_remove_and_notify);
    g_test_add_func ("/bus/server/replies-reach-their-caller", test_server_replies_reach_their_caller);
    g_test_add_func ("/bus/server/batch-max", test_server_batch_max);
    g_test_add_func ("/bus/server/drops-malformed", test_server_drops_malformed);
    g_test_add_func ("/bus/server/free-in-batch", test_server_free_in_batch);
    g_test_add_func ("/bus/server/user-id-from-zap", test_server_user_id);
    g_test_add_func ("/bus/server/oversize-frame-refused", test_server_oversize_frame);
    g_test_add_func ("/bus/endpoint/errors", test_endpoint_errors);
    g_test_add_func ("/bus/client/call/timeout-then-server", test_client_call_timeout_then_server);
    g_test_add_func ("/bus/client/call/no-stale-reply", test_client_call_no_stale_reply);
    g_test_add_func ("/bus/client/call/keeps-async-replies", test_client_call_keeps_async_replies);
    g_test_add_func ("/bus/client/async/replies", test_client_async_replies);
    g_test_add_func ("/bus/client/async/timeout", test_client_async_timeout);
    g_test_add_func ("/bus/client/async/free-in-callback", test_client_async_free_in_callback);
    g_test_add_func ("/bus/client/raw/skips-malformed", test_client_recv_raw_skips_malformed);
    g_test_add_func ("/bus/publisher/raw-sub", test_publisher_to_raw_sub);
    g_test_add_func ("/bus/publisher/no-policy-grants-nothing", test_publisher_without_policy);
    return g_test_run ();
}
