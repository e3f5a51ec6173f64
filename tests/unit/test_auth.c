/* test_auth.c: the ZAP handler with real CURVE sockets over TCP.
 *
 * The server is a raw ROUTER in the bus's context with dbn_auth_setup_server
 * and a socket monitor; clients are raw DEALERs in a context of their own,
 * as a remote process would be. "Delivers nothing" is shown without sleeping:
 * wait for the server's handshake-failed event for the bad client, then let
 * an authorised client send a sentinel and check that every message the
 * ROUTER received up to it came from the authorised client.
 */
#include <string.h>
#include <zmq.h>
#include <glib/gstdio.h>

#include "daiban/dbn_auth.h"
#include "daiban/dbn_bus.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_keys.h"

#define WAIT_MS 5000
#define HANDSHAKE_FAILED_ANY (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | \
                              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
                              ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
#define HANDSHAKE_ANY (HANDSHAKE_FAILED_ANY | ZMQ_EVENT_HANDSHAKE_SUCCEEDED)

/* Every log line, captured by the writer so tests can count refusals. */
static GMutex log_lock;
static GPtrArray *log_lines;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
    for (gsize i = 0; i < n_fields; i++) {
        if (g_strcmp0 (fields[i].key, "MESSAGE") != 0)
            continue;
        g_mutex_lock (&log_lock);
        g_ptr_array_add (log_lines, g_strdup (fields[i].value));
        g_mutex_unlock (&log_lock);
    }
    return g_log_writer_default (level, fields, n_fields, data);
}

static guint
count_log_lines (const char *needle_a, const char *needle_b)
{
    guint count = 0;
    g_mutex_lock (&log_lock);
    for (guint i = 0; i < log_lines->len; i++) {
        const char *line = g_ptr_array_index (log_lines, i);
        if (strstr (line, needle_a) != NULL && (needle_b == NULL || strstr (line, needle_b)))
            count++;
    }
    g_mutex_unlock (&log_lock);
    return count;
}

typedef struct {
    char       *dir;         /* data folder with keys/ */
    DbnBus     *bus;         /* the server's context */
    DbnAuth    *auth;        /* its ZAP handler */
    DbnKeyPair *server;      /* service:intake */
    void       *router;      /* CURVE server under test */
    void       *monitor;     /* PAIR receiving the router's handshake events */
    char        endpoint[128]; /* tcp://127.0.0.1:<port> */
    void       *client_ctx;  /* the clients' own context */
    GPtrArray  *clients;     /* DEALERs to close at tear-down */
} Fixture;

static void
remove_tree (const char *path)
{
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
        else
            g_unlink (child);
    }
    g_rmdir (path);
}

static void
set_linger_zero (void *socket)
{
    int zero = 0;
    g_assert_cmpint (zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero), ==, 0);
}

static DbnKeyPair *
add_client (Fixture *f, const char *principal)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;
    g_assert_true (dbn_keys_add (f->dir, principal, &path, &error));
    g_assert_no_error (error);
    DbnKeyPair *pair = dbn_key_pair_load (path, &error);
    g_assert_no_error (error);
    return pair;
}

/* A ROUTER in bus's context, CURVE server with the intake key, bound to an
 * ephemeral port, with a monitor for handshake events. */
static void
start_server (Fixture *f, DbnBus *bus)
{
    static int monitors = 0;
    g_autoptr (GError) error = NULL;
    f->router = zmq_socket (dbn_bus_get_context (bus), ZMQ_ROUTER);
    set_linger_zero (f->router);
    g_assert_true (dbn_auth_setup_server (f->router, f->server, "intake", &error));
    g_assert_no_error (error);
    g_autofree char *monitor_endpoint = g_strdup_printf ("inproc://test-auth-monitor-%d",
                                                         monitors++);
    g_assert_cmpint (zmq_socket_monitor (f->router, monitor_endpoint, HANDSHAKE_ANY), ==, 0);
    f->monitor = zmq_socket (dbn_bus_get_context (bus), ZMQ_PAIR);
    set_linger_zero (f->monitor);
    g_assert_cmpint (zmq_connect (f->monitor, monitor_endpoint), ==, 0);
    g_assert_cmpint (zmq_bind (f->router, "tcp://127.0.0.1:*"), ==, 0);
    size_t size = sizeof f->endpoint;
    g_assert_cmpint (zmq_getsockopt (f->router, ZMQ_LAST_ENDPOINT, f->endpoint, &size), ==, 0);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-auth-XXXXXX", &error);
    g_assert_no_error (error);
    g_assert_true (dbn_keys_init (f->dir, &error));
    g_assert_no_error (error);
    g_autofree char *server_path = dbn_keys_dup_secret_path (f->dir, "service:intake");
    f->server = dbn_key_pair_load (server_path, &error);
    g_assert_no_error (error);
    f->bus = dbn_bus_new ();
    f->auth = dbn_auth_new (f->bus, f->dir, &error);
    g_assert_no_error (error);
    g_assert_nonnull (f->auth);
    start_server (f, f->bus);
    f->client_ctx = zmq_ctx_new ();
    f->clients = g_ptr_array_new ();
}

static void
close_server (Fixture *f)
{
    zmq_socket_monitor (f->router, NULL, 0);
    g_clear_pointer (&f->monitor, zmq_close);
    g_clear_pointer (&f->router, zmq_close);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    for (guint i = 0; i < f->clients->len; i++)
        zmq_close (g_ptr_array_index (f->clients, i));
    g_ptr_array_unref (f->clients);
    zmq_ctx_term (f->client_ctx);
    close_server (f);
    g_clear_pointer (&f->auth, dbn_auth_free);
    g_clear_pointer (&f->bus, dbn_bus_free);
    g_clear_pointer (&f->server, dbn_key_pair_free);
    remove_tree (f->dir);
    g_free (f->dir);
}

/* A DEALER connected to the server: CURVE with pair and server_key when
 * pair is not NULL, the NULL mechanism otherwise. */
static void *
connect_client (Fixture *f, const DbnKeyPair *pair, const char *server_key)
{
    g_autoptr (GError) error = NULL;
    void *dealer = zmq_socket (f->client_ctx, ZMQ_DEALER);
    set_linger_zero (dealer);
    if (pair != NULL) {
        g_assert_true (dbn_auth_setup_client (dealer, pair, server_key, &error));
        g_assert_no_error (error);
    }
    g_assert_cmpint (zmq_connect (dealer, f->endpoint), ==, 0);
    g_ptr_array_add (f->clients, dealer);
    return dealer;
}

static void
close_client (Fixture *f, void *dealer)
{
    g_assert_true (g_ptr_array_remove (f->clients, dealer));
    zmq_close (dealer);
}

static void
send_text (void *socket, const char *text)
{
    g_assert_cmpint (zmq_send (socket, text, strlen (text), ZMQ_DONTWAIT), ==, (int) strlen (text));
}

/* The next handshake event of the server in mask (others are skipped), or 0
 * after WAIT_MS. *value_out gets the event's value (ZAP status, errno...). */
static int
wait_event (Fixture *f, int mask, guint32 *value_out)
{
    gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
    for (;;) {
        int remaining = (int) ((deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND);
        if (remaining <= 0)
            return 0;
        zmq_pollitem_t item = { f->monitor, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, remaining) <= 0)
            continue;
        guint8 head[6];
        char address[256];
        g_assert_cmpint (zmq_recv (f->monitor, head, sizeof head, 0), ==, 6);
        g_assert_cmpint (zmq_recv (f->monitor, address, sizeof address, 0), >=, 0);
        guint16 event;
        guint32 value;
        memcpy (&event, head, 2);
        memcpy (&value, head + 2, 4);
        if ((event & mask) != 0) {
            if (value_out != NULL)
                *value_out = value;
            return event;
        }
    }
}

/* Receives one [routing id][body] from the router within WAIT_MS. Returns
 * the body and its User-Id (caller owns both), or NULL on timeout. */
static char *
recv_message (Fixture *f, int timeout_ms, char **user_id_out)
{
    zmq_pollitem_t item = { f->router, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return NULL;
    zmq_msg_t id, body;
    zmq_msg_init (&id);
    zmq_msg_init (&body);
    g_assert_cmpint (zmq_msg_recv (&id, f->router, 0), >=, 0);
    g_assert_true (zmq_msg_more (&id));
    g_assert_cmpint (zmq_msg_recv (&body, f->router, 0), >=, 0);
    g_assert_false (zmq_msg_more (&body));
    const char *user_id = zmq_msg_gets (&body, "User-Id");
    *user_id_out = g_strdup (user_id);
    char *text = g_strndup (zmq_msg_data (&body), zmq_msg_size (&body));
    zmq_msg_close (&id);
    zmq_msg_close (&body);
    return text;
}

/* An authorised client sends a sentinel; everything the router received up
 * to it must come from that client, and nothing may follow. So a refused
 * client that had been let through would show up here. */
static void
assert_nothing_else_delivered (Fixture *f)
{
    g_autoptr (DbnKeyPair) good = add_client (f, "window:sentinel");
    void *dealer = connect_client (f, good, dbn_key_pair_get_public (f->server));
    send_text (dealer, "sentinel");
    g_autofree char *user_id = NULL;
    g_autofree char *body = recv_message (f, WAIT_MS, &user_id);
    g_assert_cmpstr (body, ==, "sentinel");
    g_assert_cmpstr (user_id, ==, "window:sentinel");
    g_autofree char *late_user = NULL;
    g_autofree char *late = recv_message (f, 0, &late_user);
    g_assert_null (late);
}

static void
test_registered_key_gets_user_id (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnKeyPair) pair = add_client (f, "window:minzheng");
    void *dealer = connect_client (f, pair, dbn_key_pair_get_public (f->server));
    for (int i = 0; i < 3; i++)
        send_text (dealer, "hello");
    for (int i = 0; i < 3; i++) {
        g_autofree char *user_id = NULL;
        g_autofree char *body = recv_message (f, WAIT_MS, &user_id);
        g_assert_cmpstr (body, ==, "hello");
        g_assert_cmpstr (user_id, ==, "window:minzheng");
    }
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL), ==, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    g_assert_cmpuint (dbn_auth_get_accepted (f->auth), ==, 1);
    g_assert_cmpuint (dbn_auth_get_refused (f->auth), ==, 0);
}

static void
test_unknown_key_gets_nothing (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) stranger = dbn_key_pair_new ("window:stranger", &error);
    g_assert_no_error (error);
    void *dealer = connect_client (f, stranger, dbn_key_pair_get_public (f->server));
    send_text (dealer, "let me in");
    guint32 status = 0;
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, &status), ==, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpuint (dbn_auth_get_refused (f->auth), >=, 1);
    assert_nothing_else_delivered (f);
}

static void
test_revoked_key_gets_nothing (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) pair = add_client (f, "station:A");
    g_assert_true (dbn_keys_revoke (f->dir, "station:A", &error));
    g_assert_no_error (error);
    /* A handler started after the revocation, so the interval plays no part. */
    close_server (f);
    g_clear_pointer (&f->auth, dbn_auth_free);
    f->auth = dbn_auth_new (f->bus, f->dir, &error);
    g_assert_no_error (error);
    start_server (f, f->bus);

    void *dealer = connect_client (f, pair, dbn_key_pair_get_public (f->server));
    send_text (dealer, "case for station A");
    guint32 status = 0;
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, &status), ==, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    g_assert_cmpuint (status, ==, 400);
    assert_nothing_else_delivered (f);
}

static void
test_revocation_seen_within_a_second (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) pair = add_client (f, "window:late");
    const char *server_key = dbn_key_pair_get_public (f->server);
    /* Added after the handler started: an unknown key makes it look at once. */
    void *first = connect_client (f, pair, server_key);
    send_text (first, "before");
    g_autofree char *user_id = NULL;
    g_autofree char *body = recv_message (f, WAIT_MS, &user_id);
    g_assert_cmpstr (body, ==, "before");
    g_assert_cmpstr (user_id, ==, "window:late");
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL), ==, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    close_client (f, first);

    g_assert_true (dbn_keys_revoke (f->dir, "window:late", &error));
    g_assert_no_error (error);
    gint64 revoked_at = g_get_monotonic_time ();
    /* The handler re-reads at most every 500 ms, so new handshakes may still
     * pass for a moment; probe with fresh connections until one is refused. */
    int event = 0;
    while (event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH &&
           g_get_monotonic_time () - revoked_at < 3 * G_TIME_SPAN_SECOND) {
        void *probe = connect_client (f, pair, server_key);
        event = wait_event (f, HANDSHAKE_ANY, NULL);
        g_assert_cmpint (event, !=, 0);
        close_client (f, probe);
        if (event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            g_usleep (50 * G_TIME_SPAN_MILLISECOND); /* waiting for time itself */
    }
    g_assert_cmpint (event, ==, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    g_assert_cmpint (g_get_monotonic_time () - revoked_at, <, G_TIME_SPAN_SECOND);

    void *after = connect_client (f, pair, server_key);
    send_text (after, "after");
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL), ==, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_nothing_else_delivered (f);
}

static void
test_null_mechanism_gets_nothing (Fixture *f, gconstpointer data)
{
    void *dealer = connect_client (f, NULL, NULL);
    send_text (dealer, "plaintext");
    /* The CURVE server refuses the mechanism before ZAP is asked (libzmq
     * 4.3.4 reports it without detail). */
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL) & HANDSHAKE_FAILED_ANY, !=, 0);
    assert_nothing_else_delivered (f);
    g_assert_cmpuint (dbn_auth_get_accepted (f->auth), ==, 1); /* the sentinel only */
}

static void
test_wrong_server_key_gets_nothing (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) pair = add_client (f, "window:minzheng");
    g_autoptr (DbnKeyPair) impostor = dbn_key_pair_new ("service:intake", &error);
    g_assert_no_error (error);
    void *dealer = connect_client (f, pair, dbn_key_pair_get_public (impostor));
    send_text (dealer, "to the wrong server");
    /* The server cannot open a HELLO sealed for another key. */
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL), ==, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
    assert_nothing_else_delivered (f);
    g_assert_cmpuint (dbn_auth_get_accepted (f->auth), ==, 1); /* the sentinel only */
}

static void
test_refusal_logged_once (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeyPair) stranger = dbn_key_pair_new ("window:retrying", &error);
    g_assert_no_error (error);
    const char *key = dbn_key_pair_get_public (stranger);
    /* A client that keeps coming back with the same key: a new connection each time. */
    for (int attempt = 0; attempt < 4; attempt++) {
        void *dealer = connect_client (f, stranger, dbn_key_pair_get_public (f->server));
        guint32 status = 0;
        g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, &status), ==,
                         ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
        g_assert_cmpuint (status, ==, 400);
        close_client (f, dealer);
    }
    g_assert_cmpuint (dbn_auth_get_refused (f->auth), >=, 4);
    g_assert_cmpuint (count_log_lines (key, NULL), ==, 1);
    g_assert_cmpuint (count_log_lines (key, "127.0.0.1"), ==, 1);

    /* Another key from the same address is another line. */
    g_autoptr (DbnKeyPair) other = dbn_key_pair_new ("window:other", &error);
    g_assert_no_error (error);
    connect_client (f, other, dbn_key_pair_get_public (f->server));
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL), ==, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    g_assert_cmpuint (count_log_lines (dbn_key_pair_get_public (other), "127.0.0.1"), ==, 1);
    g_assert_cmpuint (count_log_lines (key, NULL), ==, 1);
}

/* One ZAP request straight to the handler, as libzmq would send it. Returns
 * the reply's frames (version, request id, status, text, user id, metadata). */
static GPtrArray *
zap_call (Fixture *f, const char *const *frames, const gsize *sizes, gsize n)
{
    void *req = zmq_socket (dbn_bus_get_context (f->bus), ZMQ_REQ);
    set_linger_zero (req);
    g_assert_cmpint (zmq_connect (req, "inproc://zeromq.zap.01"), ==, 0);
    for (gsize i = 0; i < n; i++)
        g_assert_cmpint (zmq_send (req, frames[i], sizes[i], i + 1 < n ? ZMQ_SNDMORE : 0), >=, 0);
    GPtrArray *reply = g_ptr_array_new_with_free_func (g_free);
    zmq_pollitem_t item = { req, 0, ZMQ_POLLIN, 0 };
    g_assert_cmpint (zmq_poll (&item, 1, WAIT_MS), ==, 1);
    int more = 1;
    while (more) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        g_assert_cmpint (zmq_msg_recv (&msg, req, 0), >=, 0);
        /* Copied whole (the metadata frame holds NUL bytes), NUL-terminated. */
        char *frame = g_malloc0 (zmq_msg_size (&msg) + 1);
        memcpy (frame, zmq_msg_data (&msg), zmq_msg_size (&msg));
        g_ptr_array_add (reply, frame);
        more = zmq_msg_more (&msg);
        zmq_msg_close (&msg);
    }
    zmq_close (req);
    g_assert_cmpuint (reply->len, ==, 6);
    g_assert_cmpstr (g_ptr_array_index (reply, 0), ==, "1.0");
    return reply;
}

static void
test_zap_requests (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnKeyPair) pair = add_client (f, "window:minzheng");
    guint8 registered[32], unknown[32] = { 0 };
    g_assert_nonnull (zmq_z85_decode (registered, dbn_key_pair_get_public (pair)));
    unknown[0] = 1;
    struct {
        const char *name;        /* what the case shows */
        const char *mechanism;   /* frame 5 */
        const char *credentials[2]; /* frames 6.. */
        gsize       sizes[2];    /* their sizes */
        gsize       n_credentials;
        const char *version;     /* frame 0 */
        const char *status;      /* expected */
        const char *user_id;     /* expected */
    } cases[] = {
        { "registered", "CURVE", { (char *) registered }, { 32 }, 1, "1.0", "200", "window:minzheng" },
        { "unknown", "CURVE", { (char *) unknown }, { 32 }, 1, "1.0", "400", "" },
        { "short key", "CURVE", { (char *) registered }, { 31 }, 1, "1.0", "400", "" },
        { "two keys", "CURVE", { (char *) registered, (char *) registered }, { 32, 32 }, 2, "1.0", "400", "" },
        { "NULL", "NULL", { NULL }, { 0 }, 0, "1.0", "400", "" },
        { "PLAIN", "PLAIN", { "admin", "secret" }, { 5, 6 }, 2, "1.0", "400", "" },
        { "bad version", "CURVE", { (char *) registered }, { 32 }, 1, "2.0", "500", "" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        const char *frames[8] = { cases[i].version, "req-7", "intake", "192.0.2.7", "", cases[i].mechanism };
        gsize sizes[8] = { 3, 5, 6, 9, 0, strlen (cases[i].mechanism) };
        for (gsize c = 0; c < cases[i].n_credentials; c++) {
            frames[6 + c] = cases[i].credentials[c];
            sizes[6 + c] = cases[i].sizes[c];
        }
        g_test_message ("case %s", cases[i].name);
        g_autoptr (GPtrArray) reply = zap_call (f, frames, sizes, 6 + cases[i].n_credentials);
        g_assert_cmpstr (g_ptr_array_index (reply, 1), ==, "req-7");
        g_assert_cmpstr (g_ptr_array_index (reply, 2), ==, cases[i].status);
        g_assert_cmpstr (g_ptr_array_index (reply, 4), ==, cases[i].user_id);
        if (strcmp (cases[i].status, "200") == 0) {
            /* ZMTP metadata: 5 "X-Key", 4-byte length 40, the Z85 key. */
            const char *metadata = g_ptr_array_index (reply, 5);
            g_assert_cmpint (metadata[0], ==, 5);
            g_assert_cmpmem (metadata + 1, 5, "X-Key", 5);
            g_assert_cmpmem (metadata + 6, 4, "\0\0\0\x28", 4);
            g_assert_cmpmem (metadata + 10, 40, dbn_key_pair_get_public (pair), 40);
        } else {
            g_assert_cmpstr (g_ptr_array_index (reply, 5), ==, "");
        }
    }
    /* Too few and too many frames still get an answer (REP must reply). */
    const char *few[] = { "1.0", "req-8", "intake" };
    gsize few_sizes[] = { 3, 5, 6 };
    g_autoptr (GPtrArray) reply = zap_call (f, few, few_sizes, G_N_ELEMENTS (few));
    g_assert_cmpstr (g_ptr_array_index (reply, 2), ==, "500");
    const char *many[20];
    gsize many_sizes[20];
    for (gsize i = 0; i < G_N_ELEMENTS (many); i++) {
        many[i] = "1.0";
        many_sizes[i] = 3;
    }
    g_autoptr (GPtrArray) reply2 = zap_call (f, many, many_sizes, G_N_ELEMENTS (many));
    g_assert_cmpstr (g_ptr_array_index (reply2, 2), ==, "500");
    g_assert_cmpuint (dbn_auth_get_accepted (f->auth), ==, 1);
    g_assert_cmpuint (dbn_auth_get_refused (f->auth), ==, G_N_ELEMENTS (cases) - 1 + 2);
    /* The address is the peer's, as libzmq gives it. */
    g_assert_cmpuint (count_log_lines ("PLAIN client from 192.0.2.7", NULL), ==, 1);
}

static void
test_second_handler_refused (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnAuth) second = dbn_auth_new (f->bus, f->dir, &error);
    g_assert_null (second);
    g_assert_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT);
    g_assert_nonnull (strstr (error->message, "zeromq.zap.01"));
}

static void
test_new_needs_registry (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("daiban-auth-XXXXXX", &error);
    g_assert_no_error (error);
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    g_autoptr (DbnAuth) auth = dbn_auth_new (bus, dir, &error);
    g_assert_null (auth);
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_rmdir (dir);
}

static void
test_no_handler_refuses_everyone (Fixture *f, gconstpointer data)
{
    /* A second server in a context where no DbnAuth runs: with
     * ZAP_ENFORCE_DOMAIN a registered key must still be refused. */
    g_autoptr (DbnKeyPair) pair = add_client (f, "window:minzheng");
    g_autoptr (DbnBus) bare = dbn_bus_new ();
    void *saved_router = f->router, *saved_monitor = f->monitor;
    char saved_endpoint[sizeof f->endpoint];
    memcpy (saved_endpoint, f->endpoint, sizeof saved_endpoint);
    start_server (f, bare);

    void *dealer = connect_client (f, pair, dbn_key_pair_get_public (f->server));
    send_text (dealer, "anyone home?");
    g_assert_cmpint (wait_event (f, HANDSHAKE_ANY, NULL) & HANDSHAKE_FAILED_ANY, !=, 0);
    g_autofree char *user_id = NULL;
    g_autofree char *body = recv_message (f, 0, &user_id);
    g_assert_null (body);
    close_client (f, dealer);
    close_server (f);

    f->router = saved_router;
    f->monitor = saved_monitor;
    memcpy (f->endpoint, saved_endpoint, sizeof saved_endpoint);
}

static void
test_setup_client_refuses_bad_server_key (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    void *dealer = zmq_socket (f->client_ctx, ZMQ_DEALER);
    g_ptr_array_add (f->clients, dealer);
    g_assert_false (dbn_auth_setup_client (dealer, f->server, "not a key", &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    /* Refusals are warnings; this test counts them instead of dying on them. */
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    log_lines = g_ptr_array_new_with_free_func (g_free);
    g_log_set_writer_func (capture_writer, NULL, NULL);
    dbn_error_register_builtin ();
    dbn_keys_register_errors ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/auth/curve/registered-key-gets-user-id", test_registered_key_gets_user_id);
    ADD ("/auth/curve/unknown-key-gets-nothing", test_unknown_key_gets_nothing);
    ADD ("/auth/curve/revoked-key-gets-nothing", test_revoked_key_gets_nothing);
    ADD ("/auth/curve/revocation-seen-within-a-second", test_revocation_seen_within_a_second);
    ADD ("/auth/curve/null-mechanism-gets-nothing", test_null_mechanism_gets_nothing);
    ADD ("/auth/curve/wrong-server-key-gets-nothing", test_wrong_server_key_gets_nothing);
    ADD ("/auth/curve/no-handler-refuses-everyone", test_no_handler_refuses_everyone);
    ADD ("/auth/log/refusal-logged-once-per-peer-and-key", test_refusal_logged_once);
    ADD ("/auth/zap/answers-by-mechanism-and-key", test_zap_requests);
    ADD ("/auth/new/second-handler-refused", test_second_handler_refused);
    ADD ("/auth/setup/client-refuses-bad-server-key", test_setup_client_refuses_bad_server_key);
#undef ADD
    g_test_add_func ("/auth/new/needs-registry", test_new_needs_registry);
    int rc = g_test_run ();
    g_ptr_array_unref (log_lines);
    return rc;
}
