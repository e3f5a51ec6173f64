/* dbn_bus.c: libzmq sockets driven from a GLib main loop.
 *
 * Structure. One DbnBus owns the libzmq context. Every socket comes from
 * dbn_bus_socket_new() with the same defaults (LINGER 0, MAXMSGSIZE, ZMTP
 * heartbeats, HWMs), so no caller can forget one. A socket enters a GMainLoop
 * through DbnSocketSource: a GSource polling ZMQ_FD that decides readiness
 * from ZMQ_EVENTS, never from the fd. The fd is edge-triggered (it signals
 * "commands arrived", not "a message is waiting"), also fires for
 * writability, and reading ZMQ_EVENTS or sending on the socket can consume the
 * edge. A source that trusted the fd would miss a burst that arrived while
 * the loop was busy (the lost wakeup). Asking ZMQ_EVENTS in prepare as well as
 * in check also covers sends done by callbacks since the last poll.
 *
 * DbnServer (ROUTER) reads at most batch_max messages per dispatch, so one
 * busy socket cannot starve the loop, and hands the well-formed ones to the
 * service in one call: a service can then commit a whole batch in one SQLite
 * transaction (perf-reliability.md A1/A4: one synchronous step costs ~0.1 ms,
 * batching is what lifts the rate). Malformed messages are drained whole and
 * counted. With a refusal function (every service sets one) each one that
 * has a request id is answered at once, without reaching the service, and
 * one without an id is logged at most once a minute per principal (issue 11,
 * docs/codec.md); without one, the first per endpoint is logged, a flood is
 * not. The server's socket takes frames up to DBN_BUS_SERVER_MAX_FRAME, twice
 * the codec's limit, so that an oversize command is answered, not cut off.
 * Request bodies are handed over without a copy (the GBytes owns the
 * zmq_msg_t); replies are copied into libzmq, so a caller's GBytes is never
 * released from libzmq's I/O thread.
 *
 * DbnClient (DEALER) is Lazy Pirate (zguide ch. 4, perf-reliability.md B2):
 * every request carries an id of 8 random bytes per client + a 64-bit
 * counter; a reply whose id is not awaited is discarded; on a timeout the
 * socket is closed and reopened, so no late reply survives into a later
 * call. Durability is not the client's job: unsent work lives in SQLite
 * outboxes, which is also why every socket has LINGER 0.
 *
 * ZMQ_IMMEDIATE stays 0 on DEALERs, against B2's general advice. With 1, a
 * message sent before the connection completes is refused (EAGAIN) or
 * blocks, so dbn_client_call right after dbn_client_new, or while the server
 * restarts, would fail at once although the server appears a few ms later.
 * With 0 the message waits in the pipe and goes out when the peer appears
 * within the caller's timeout; if it does not, the timeout closes the socket
 * and LINGER 0 throws the queued message away. So nothing queues to a dead
 * peer for longer than one timeout, which is what IMMEDIATE would buy, and
 * IMMEDIATE's other benefit (routing around dead peers of one socket) does
 * not apply: a DbnClient has exactly one endpoint.
 *
 * Security. The bus holds the process's CURVE key pair and a map from
 * endpoint to server public key, so every call site that already passes an
 * endpoint (dbn_client_new, the subscriber) gets CURVE without new
 * parameters. Options are set before zmq_bind/zmq_connect because libzmq
 * copies a socket's options into a listener or connecter at that moment;
 * dbn_bus_bind and dbn_bus_connect are the only places that bind or connect.
 * inproc:// is never CURVE (the peer is this process). A bus with no key
 * refuses any other transport unless plain text was allowed explicitly
 * (tests and the benchmark's --plain): a missing setup must fail closed, not
 * silently run in clear text. Rejected: a security argument on every
 * constructor (every call site would change, and one forgotten NULL would be
 * an open socket).
 *
 * DbnPublisher is an XPUB in manual mode: a subscription takes effect only
 * when the main loop has read it and the policy granted it for the
 * connection's principal (the User-Id libzmq attaches to the subscription
 * message). A topic frame always ends in '/', and restricted principals are
 * granted "s/<id>/", so prefix matching can never hand station "a" the
 * topic of station "ab". A subscriber whose key is revoked keeps its TCP
 * connection (ZAP runs only at the handshake) and XPUB cannot drop one
 * peer's subscriptions later, so the connection itself must go. Each
 * subscription message also says which connection it came over (ZMQ_SRCFD,
 * the fd): the publisher keeps fd → (principal, key, socket inode), and
 * dbn_publisher_cut shuts down (shutdown(2), never close: the fd is libzmq's)
 * exactly the connections whose key no longer holds. The kernel sends
 * nothing more on such a socket, libzmq sees the connection end and removes
 * that one pipe; every other subscriber keeps its connection and loses
 * nothing (issue 11: a rebind on every revocation cut all subscribers for
 * ~190 ms). The inode tells a live connection from a later one that got the
 * same fd number. Rejected: a socket monitor for ACCEPTED/DISCONNECTED fds
 * (libzmq allows one monitor per socket and the handshake watch has it).
 *
 * Rebind stays as the fallback when some subscriber's connection is not
 * known: it closes the XPUB and binds a fresh one, so nothing published
 * after the call can reach an old connection; the others reconnect and
 * resubscribe within ~100 ms and catch up by sys.sync. The new bind
 * waits for the old listener's ZMQ_EVENT_CLOSED: an ipc listener unlinks its
 * socket file when it closes, which would otherwise remove the new file.
 *
 * Async clients. Callbacks may free the client or call it again (call,
 * reconnect), so the client is internally reference counted: a dispatch holds
 * a reference while it calls back, and dbn_client_free tears everything down
 * at once but releases the memory only when the last dispatch returns.
 * Results decided outside a dispatch (a reply read by dbn_client_call that
 * belongs to an async request, requests abandoned by a reconnect) are queued
 * and delivered from an idle source, never from inside the blocking call.
 * Freeing a client drops its pending requests without calling them back (the
 * callback would receive a dead client). Rejected: one source per request, or
 * a thread per client (style rule 8: one loop per thread).
 */
#define _DEFAULT_SOURCE /* S_ISSOCK */
#define G_LOG_DOMAIN "daiban-bus"

#include "daiban/dbn_bus.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <zmq.h>

#include "daiban/dbn_auth.h"
#include "daiban/dbn_codec.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_log.h"
#include "daiban/dbn_topic.h"
#include "dbn_handshake_watch_private.h"

/* Longest request id a server accepts: ours are 16 bytes; the bound keeps a
 * peer from making the server echo (and log) large ids. A longer one is
 * answered codec.too-large with its first 64 bytes as the reply's id. */
#define DBN_BUS_MAX_REQUEST_ID 64
/* A request that cannot be answered (no request id frame) is logged at most
 * once a minute per principal, with the count of those not logged; the
 * table forgets everyone when it holds this many principals. */
#define DBN_BUS_UNANSWERED_LOG_US (60 * G_USEC_PER_SEC)
#define DBN_BUS_UNANSWERED_PEERS_MAX 1024
/* HWM for every socket: 100 k messages of ~350 B is ~35 MB per pipe, ample
 * for a window of 1000 in flight (A1) and still a bound. */
#define DBN_BUS_HWM 100000
/* ZMTP heartbeats: a PING every second, a peer silent for 3 s is dropped,
 * so half-open TCP connections (a cable pulled at a village station) are
 * noticed and reconnected instead of swallowing requests until TCP gives up. */
#define DBN_BUS_HEARTBEAT_IVL_MS     1000
#define DBN_BUS_HEARTBEAT_TIMEOUT_MS 3000
/* Replies an async client reads per dispatch, as batch_max does for servers. */
#define DBN_CLIENT_BATCH 64
/* Subscription messages a publisher reads per dispatch. */
#define DBN_PUBLISHER_BATCH 256
/* Distinct refused subscriptions a publisher logs (dbn_log_once remembers
 * every key for the life of the process); later ones are only counted. */
#define DBN_PUBLISHER_REFUSALS_LOGGED_MAX 256
/* A rebind binds anyway if the old listener's CLOSED event has not come. */
#define DBN_PUBLISHER_REBIND_FALLBACK_MS 1000
/* Oldest libzmq we run on: CVE-2019-13132, CVE-2019-6250, CVE-2020-15166 and
 * CVE-2021-20234..20237 are all fixed by 4.3.4 (perf-reliability.md B1). */
#define DBN_BUS_MIN_ZMQ_VERSION ZMQ_MAKE_VERSION (4, 3, 4)

G_DEFINE_QUARK (dbn-bus-error-quark, dbn_bus_error)

struct _DbnBus {
    void       *context;     /* the libzmq context; every socket of the process comes from it */
    DbnKeyPair *identity;    /* this process's CURVE key pair, NULL until set */
    GHashTable *server_keys; /* endpoint → server public key (Z85), both owned */
    gboolean    plaintext;   /* tests only: tcp/ipc allowed without CURVE */
    GPtrArray  *watches;     /* GThread*: dbn_handshake_watch of each CURVE server socket */
};

/* ---- small helpers ---- */

static void
msg_free (gpointer data)
{
    zmq_msg_t *msg = data;
    zmq_msg_close (msg);
    g_free (msg);
}

/* Moves msg into a GBytes without copying the payload. msg is left empty. */
static GBytes *
bytes_steal_msg (zmq_msg_t *msg)
{
    zmq_msg_t *owned = g_new (zmq_msg_t, 1);
    zmq_msg_init (owned);
    zmq_msg_move (owned, msg);
    /* For small messages the data lives inside the zmq_msg_t itself; owned
     * is on the heap and never moves again, so the pointer stays valid. */
    return g_bytes_new_with_free_func (zmq_msg_data (owned), zmq_msg_size (owned),
                                       msg_free, owned);
}

static GBytes *
bytes_copy_msg (zmq_msg_t *msg)
{
    return g_bytes_new (zmq_msg_data (msg), zmq_msg_size (msg));
}

/* zmq_send of a GBytes (copied: see the design comment). */
static int
send_bytes (void *socket, GBytes *bytes, int flags)
{
    gsize size = 0;
    const void *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
    return zmq_send (socket, size > 0 ? data : "", size, flags);
}

/* Reads the rest of a multipart message and throws it away. */
static void
drain_parts (void *socket)
{
    int more = 1;
    size_t len = sizeof more;
    while (zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        int rc = zmq_msg_recv (&part, socket, ZMQ_DONTWAIT);
        zmq_msg_close (&part);
        /* Parts of a message arrive together, so this cannot wait; stop on
         * any error rather than spin. */
        if (rc < 0)
            break;
        len = sizeof more;
    }
}

static gboolean
setsockopt_int (void *socket, int option, int value)
{
    return zmq_setsockopt (socket, option, &value, sizeof value) == 0;
}

/* ---- the context ---- */

DbnBus *
dbn_bus_new (void)
{
    DbnBus *self = g_new0 (DbnBus, 1);
    self->server_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    self->watches = g_ptr_array_new ();
    self->context = zmq_ctx_new ();
    /* zmq_ctx_new fails only when out of memory or file descriptors. */
    if (self->context == NULL)
        g_error ("zmq_ctx_new: %s", zmq_strerror (errno));
    return self;
}

void
dbn_bus_free (DbnBus *self)
{
    if (self == NULL)
        return;
    /* Blocks until every socket is closed; with LINGER 0 nothing is flushed. */
    while (zmq_ctx_term (self->context) != 0 && errno == EINTR)
        ;
    /* The watches ended with their sockets or with the context. */
    for (guint i = 0; i < self->watches->len; i++)
        g_thread_join (g_ptr_array_index (self->watches, i));
    g_ptr_array_unref (self->watches);
    g_clear_pointer (&self->identity, dbn_key_pair_free);
    g_hash_table_unref (self->server_keys);
    g_free (self);
}

void *
dbn_bus_get_context (DbnBus *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->context;
}

void *
dbn_bus_socket_new (DbnBus *self, int type, GError **error)
{
    g_return_val_if_fail (self != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    if (ZMQ_MAKE_VERSION (major, minor, patch) < DBN_BUS_MIN_ZMQ_VERSION) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "libzmq %d.%d.%d is older than 4.3.4 and has known security "
                     "holes (CVE-2019-13132, CVE-2020-15166); refusing to open sockets",
                     major, minor, patch);
        return NULL;
    }

    void *socket = zmq_socket (self->context, type);
    if (socket == NULL) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "cannot create a socket of type %d: %s", type, zmq_strerror (errno));
        return NULL;
    }

    gint64 max_size = DBN_CODEC_MAX_FRAME;
    gboolean ok = setsockopt_int (socket, ZMQ_LINGER, 0)
               && zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size) == 0
               && setsockopt_int (socket, ZMQ_HEARTBEAT_IVL, DBN_BUS_HEARTBEAT_IVL_MS)
               && setsockopt_int (socket, ZMQ_HEARTBEAT_TIMEOUT, DBN_BUS_HEARTBEAT_TIMEOUT_MS)
               /* TTL tells the peer to drop us after the same silence, so a
                * peer that does not send PINGs itself still notices. */
               && setsockopt_int (socket, ZMQ_HEARTBEAT_TTL, DBN_BUS_HEARTBEAT_TIMEOUT_MS)
               && setsockopt_int (socket, ZMQ_SNDHWM, DBN_BUS_HWM)
               && setsockopt_int (socket, ZMQ_RCVHWM, DBN_BUS_HWM);
    /* See the design comment: queue until the peer appears. */
    if (ok && type == ZMQ_DEALER)
        ok = setsockopt_int (socket, ZMQ_IMMEDIATE, 0);
    if (!ok) {
        int saved = errno;
        zmq_close (socket);
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "cannot set the socket options: %s", zmq_strerror (saved));
        return NULL;
    }
    return socket;
}

/* bind/connect failed: the address is the problem unless libzmq itself is. */
static void
set_endpoint_error (GError **error, const char *verb, const char *endpoint, int err)
{
    int code = (err == ETERM || err == ENOTSOCK || err == EMTHREAD)
             ? DBN_BUS_ERROR_SOCKET : DBN_BUS_ERROR_ENDPOINT;
    g_set_error (error, DBN_BUS_ERROR, code, "cannot %s %s: %s",
                 verb, endpoint, zmq_strerror (err));
}

/* Binds socket and returns the endpoint actually bound (port resolved), or
 * NULL with error. Caller owns the string. */
static char *
bind_resolved (void *socket, const char *endpoint, GError **error)
{
    if (zmq_bind (socket, endpoint) != 0) {
        set_endpoint_error (error, "bind", endpoint, errno);
        return NULL;
    }
    char resolved[1024];
    size_t len = sizeof resolved;
    if (zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, resolved, &len) != 0 || len == 0)
        return g_strdup (endpoint);
    resolved[MIN (len, sizeof resolved - 1)] = '\0';
    return g_strdup (resolved);
}

/* ---- security ---- */

void
dbn_bus_set_identity (DbnBus *self, DbnKeyPair **key)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (key != NULL && *key != NULL);
    g_clear_pointer (&self->identity, dbn_key_pair_free);
    self->identity = g_steal_pointer (key);
}

const DbnKeyPair *
dbn_bus_get_identity (DbnBus *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->identity;
}

void
dbn_bus_add_server_key (DbnBus *self, const char *endpoint, const char *server_public_z85)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (endpoint != NULL && server_public_z85 != NULL);
    g_hash_table_replace (self->server_keys, g_strdup (endpoint), g_strdup (server_public_z85));
}

void
dbn_bus_allow_plaintext (DbnBus *self)
{
    g_return_if_fail (self != NULL);
    self->plaintext = TRUE;
}

gboolean
dbn_bus_is_plaintext (DbnBus *self)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return self->identity == NULL && self->plaintext;
}

/* inproc peers are this process; every other transport crosses a boundary. */
static gboolean
endpoint_needs_curve (const char *endpoint)
{
    return !g_str_has_prefix (endpoint, "inproc://");
}

static gboolean
secure_server (DbnBus *self, void *socket, const char *endpoint, GError **error)
{
    if (!endpoint_needs_curve (endpoint))
        return TRUE;
    if (self->identity != NULL)
        return dbn_auth_setup_server (socket, self->identity, DBN_BUS_ZAP_DOMAIN, error);
    if (self->plaintext)
        return TRUE;
    g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE,
                 "refusing to bind %s in plain text: this process has no CURVE key", endpoint);
    return FALSE;
}

static gboolean
secure_client (DbnBus *self, void *socket, const char *endpoint, GError **error)
{
    if (!endpoint_needs_curve (endpoint))
        return TRUE;
    if (self->identity != NULL) {
        const char *server = g_hash_table_lookup (self->server_keys, endpoint);
        if (server == NULL) {
            g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE,
                         "no server key for %s: it is not an endpoint in daiban.conf, or "
                         "its service has no valid key in the registry", endpoint);
            return FALSE;
        }
        return dbn_auth_setup_client (socket, self->identity, server, error);
    }
    if (self->plaintext)
        return TRUE;
    g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE,
                 "refusing to connect to %s in plain text: this process has no CURVE key",
                 endpoint);
    return FALSE;
}

gboolean
dbn_bus_bind (DbnBus *self, void *socket, const char *endpoint, char **bound_out, GError **error)
{
    g_return_val_if_fail (self != NULL && socket != NULL && endpoint != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    if (!secure_server (self, socket, endpoint, error))
        return FALSE;
    char *bound = bind_resolved (socket, endpoint, error);
    if (bound == NULL)
        return FALSE;
    /* Started after the bind, which resolves the port the watch checks fds against. */
    if (self->identity != NULL && endpoint_needs_curve (endpoint)) {
        GThread *watch = dbn_handshake_watch_start (self->context, socket, bound);
        if (watch != NULL)
            g_ptr_array_add (self->watches, watch);
    }
    if (bound_out != NULL)
        *bound_out = bound;
    else
        g_free (bound);
    return TRUE;
}

gboolean
dbn_bus_connect (DbnBus *self, void *socket, const char *endpoint, GError **error)
{
    g_return_val_if_fail (self != NULL && socket != NULL && endpoint != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    if (!secure_client (self, socket, endpoint, error))
        return FALSE;
    if (zmq_connect (socket, endpoint) != 0) {
        set_endpoint_error (error, "connect to", endpoint, errno);
        return FALSE;
    }
    return TRUE;
}

/* ---- the main-loop source ---- */

typedef struct {
    GSource source;
    void   *socket; /* borrowed: must outlive the source */
} DbnSocketSource;

/* TRUE when a message can be read now. Reading ZMQ_EVENTS also makes libzmq
 * process pending commands, so it is the only trustworthy answer. */
static gboolean
socket_readable (void *socket)
{
    int events = 0;
    size_t len = sizeof events;
    /* An error (context terminated) is "not readable": dispatching would spin. */
    if (zmq_getsockopt (socket, ZMQ_EVENTS, &events, &len) != 0)
        return FALSE;
    return (events & ZMQ_POLLIN) != 0;
}

static gboolean
socket_source_prepare (GSource *source, gint *timeout)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    *timeout = -1;
    /* A message left by a bounded reader, or one whose edge was consumed by
     * a send since the last poll, makes the loop skip the poll. */
    return socket_readable (self->socket);
}

static gboolean
socket_source_check (GSource *source)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    return socket_readable (self->socket);
}

static gboolean
socket_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    DbnSocketFunc func = (DbnSocketFunc) (void (*) (void)) callback;
    if (func == NULL)
        return G_SOURCE_REMOVE;
    return func (self->socket, user_data);
}

static GSourceFuncs socket_source_funcs = {
    .prepare = socket_source_prepare,
    .check = socket_source_check,
    .dispatch = socket_source_dispatch,
};

GSource *
dbn_socket_source_new (void *socket, DbnSocketFunc func, gpointer user_data,
                       GDestroyNotify notify)
{
    g_return_val_if_fail (socket != NULL, NULL);
    g_return_val_if_fail (func != NULL, NULL);

    int fd = -1;
    size_t len = sizeof fd;
    if (zmq_getsockopt (socket, ZMQ_FD, &fd, &len) != 0) {
        g_critical ("dbn_socket_source_new: ZMQ_FD: %s", zmq_strerror (errno));
        return NULL;
    }
    GSource *source = g_source_new (&socket_source_funcs, sizeof (DbnSocketSource));
    DbnSocketSource *self = (DbnSocketSource *) source;
    self->socket = socket;
    /* Only wakes the poll; readiness is decided by ZMQ_EVENTS alone. */
    g_source_add_unix_fd (source, fd, G_IO_IN);
    g_source_set_name (source, "DbnSocketSource");
    g_source_set_callback (source, G_SOURCE_FUNC (func), user_data, notify);
    return source;
}

/* Attaches a socket source to the thread-default context. Caller owns a ref. */
static GSource *
attach_socket_source (void *socket, DbnSocketFunc func, gpointer user_data,
                      GMainContext *context)
{
    GSource *source = dbn_socket_source_new (socket, func, user_data, NULL);
    g_source_attach (source, context);
    return source;
}

/* ---- commands: the server side ---- */

void
dbn_request_free (DbnRequest *request)
{
    if (request == NULL)
        return;
    g_clear_pointer (&request->peer, g_bytes_unref);
    g_clear_pointer (&request->request_id, g_bytes_unref);
    g_clear_pointer (&request->body, g_bytes_unref);
    g_clear_pointer (&request->user_id, g_free);
    g_clear_pointer (&request->key, g_free);
    g_free (request);
}

struct _DbnServer {
    void              *socket;    /* ROUTER, bound */
    char              *endpoint;  /* as bound, port resolved */
    guint              batch_max; /* messages read per dispatch at most */
    DbnServerBatchFunc func;      /* the service's handler */
    gpointer           user_data; /* for func */
    GSource           *source;    /* on the thread-default context */
    GPtrArray         *batch;     /* DbnRequest*, reused across dispatches */
    guint64            dropped;   /* malformed messages drained */
    char              *log_key;   /* dbn_log_once key for this endpoint's drops */
    DbnServerRefusalFunc refusal; /* encodes the reply to a malformed request; NULL: drop it */
    GHashTable        *unanswered; /* principal → Unanswered*, the rate limit of their log lines */
    gboolean           in_batch;  /* func is running: a free must wait for it */
    gboolean           free_asked; /* dbn_server_free was called from func */
};

static void server_finalize (DbnServer *self);

typedef struct {
    gint64 logged_us;  /* monotonic time of the last line for this principal */
    guint  suppressed; /* unanswered requests since, not logged */
} Unanswered;

/* A request without its request id frame cannot be answered: one line names
 * who sent it and what was wrong, at most once a minute per principal. */
static void
server_log_unanswered (DbnServer *self, const char *principal, guint frames, gsize size)
{
    const char *who = principal != NULL ? principal : "a peer without CURVE (inproc or plain text)";
    if (self->unanswered == NULL)
        self->unanswered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    if (g_hash_table_size (self->unanswered) >= DBN_BUS_UNANSWERED_PEERS_MAX)
        g_hash_table_remove_all (self->unanswered);
    Unanswered *u = g_hash_table_lookup (self->unanswered, who);
    gint64 now = g_get_monotonic_time ();
    if (u != NULL && now - u->logged_us < DBN_BUS_UNANSWERED_LOG_US) {
        u->suppressed++;
        return;
    }
    guint before = u != NULL ? u->suppressed : 0;
    if (u == NULL) {
        u = g_new0 (Unanswered, 1);
        g_hash_table_insert (self->unanswered, g_strdup (who), u);
    }
    u->logged_us = now;
    u->suppressed = 0;
    g_warning ("%s: not answered: a request from %s has no request id frame (%u frame of %"
               G_GSIZE_FORMAT " bytes; a request is [request id][command map]); %u more since "
               "the last line; at most one line a minute per sender", self->endpoint, who, frames,
               size, before);
}

/* Answers a malformed request that has an id: with error, addressed to the
 * peer and (the first DBN_BUS_MAX_REQUEST_ID bytes of) its request id. */
static void
server_refuse (DbnServer *self, zmq_msg_t *peer, zmq_msg_t *id, const GError *error)
{
    g_autoptr (GBytes) reply = self->refusal (error);
    gsize id_size = MIN (zmq_msg_size (id), DBN_BUS_MAX_REQUEST_ID);
    if (zmq_send (self->socket, zmq_msg_data (peer), zmq_msg_size (peer), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || zmq_send (self->socket, zmq_msg_data (id), id_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, reply, ZMQ_DONTWAIT) < 0)
        dbn_log_once ("bus-reply-failed", "%s: a reply could not be sent: %s",
                      self->endpoint, zmq_strerror (errno));
}

typedef enum {
    READ_NONE,      /* nothing more to read now */
    READ_REQUEST,   /* a well-formed request */
    READ_MALFORMED, /* a message was drained and counted */
} ReadResult;

static ReadResult
server_read_one (DbnServer *self, DbnRequest **out)
{
    /* [routing id][request id][body]: keep three parts, drop any beyond. */
    zmq_msg_t parts[3];
    guint count = 0;
    for (;;) {
        zmq_msg_t scratch;
        zmq_msg_t *part = count < 3 ? &parts[count] : &scratch;
        zmq_msg_init (part);
        if (zmq_msg_recv (part, self->socket, ZMQ_DONTWAIT) < 0) {
            int err = errno;
            zmq_msg_close (part);
            for (guint i = 0; i < MIN (count, 3); i++)
                zmq_msg_close (&parts[i]);
            if (count == 0) {
                if (err != EAGAIN && err != EINTR)
                    dbn_log_once ("bus-recv-failed", "receiving on %s: %s",
                                  self->endpoint, zmq_strerror (err));
                return READ_NONE;
            }
            /* Cannot happen (the parts of a message arrive together). */
            self->dropped++;
            return READ_MALFORMED;
        }
        count++;
        gboolean more = zmq_msg_more (part);
        if (part == &scratch)
            zmq_msg_close (&scratch);
        if (!more)
            break;
    }
    guint kept = MIN (count, 3);

    /* Issue 11: every malformed shape that has a request id is answered
     * (docs/codec.md, "Frames of a request"); one without is logged. */
    size_t id_size = count >= 2 ? zmq_msg_size (&parts[1]) : 0;
    size_t body_size = count >= 3 ? zmq_msg_size (&parts[2]) : 0;
    const char *user_id = zmq_msg_gets (&parts[kept - 1], "User-Id");
    if (user_id != NULL && *user_id == '\0')
        user_id = NULL;
    g_autoptr (GError) refused = NULL;
    if (count >= 3 && id_size > DBN_BUS_MAX_REQUEST_ID)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                               "the request id is %zu bytes, at most %d are allowed", id_size,
                               DBN_BUS_MAX_REQUEST_ID);
    else if (count > 3)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                               "a request is 2 frames (request id, command map), not %u", count - 1);
    else if (count == 3 && body_size > DBN_CODEC_MAX_FRAME)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                               "the command map is %zu bytes, at most %d are allowed", body_size,
                               DBN_CODEC_MAX_FRAME);
    if (self->refusal != NULL && (count == 2 || refused != NULL)) {
        self->dropped++;
        if (refused != NULL)
            server_refuse (self, &parts[0], &parts[1], refused);
        else
            server_log_unanswered (self, user_id, 1, id_size);
        for (guint i = 0; i < kept; i++)
            zmq_msg_close (&parts[i]);
        return READ_MALFORMED;
    }
    if (count != 3 || refused != NULL) {
        self->dropped++;
        dbn_log_once (self->log_key,
                      "%s: dropped a malformed request (%u parts, request id %zu bytes; "
                      "want 3 parts and an id of at most %d bytes); further drops are "
                      "only counted", self->endpoint, count, id_size,
                      DBN_BUS_MAX_REQUEST_ID);
        for (guint i = 0; i < kept; i++)
            zmq_msg_close (&parts[i]);
        return READ_MALFORMED;
    }

    DbnRequest *request = g_new0 (DbnRequest, 1);
    /* The metadata travels with every frame of the connection. */
    if (user_id != NULL)
        request->user_id = g_strdup (user_id);
    const char *key = zmq_msg_gets (&parts[2], DBN_AUTH_KEY_PROPERTY);
    if (key != NULL && *key != '\0')
        request->key = g_strdup (key);
    request->peer = bytes_copy_msg (&parts[0]);
    request->request_id = bytes_copy_msg (&parts[1]);
    request->body = bytes_steal_msg (&parts[2]);
    for (guint i = 0; i < 3; i++)
        zmq_msg_close (&parts[i]);
    *out = request;
    return READ_REQUEST;
}

static gboolean
server_on_readable (void *socket, gpointer user_data)
{
    DbnServer *self = user_data;

    /* Malformed messages count against batch_max too: a flood of garbage
     * must not hold the loop any longer than a flood of work. */
    for (guint n = 0; n < self->batch_max; n++) {
        DbnRequest *request = NULL;
        ReadResult result = server_read_one (self, &request);
        if (result == READ_NONE)
            break;
        if (request != NULL)
            g_ptr_array_add (self->batch, request);
    }
    if (self->batch->len > 0) {
        self->in_batch = TRUE;
        self->func (self, self->batch, self->user_data);
        self->in_batch = FALSE;
    }
    g_ptr_array_set_size (self->batch, 0);
    /* A handler may free the server (a stop command): the requests it was
     * given stay valid until it returns, so the free happens here. */
    if (self->free_asked) {
        server_finalize (self);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

DbnServer *
dbn_server_new (DbnBus *bus, const char *endpoint, guint batch_max,
                DbnServerBatchFunc func, gpointer user_data, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (endpoint != NULL, NULL);
    g_return_val_if_fail (batch_max > 0, NULL);
    g_return_val_if_fail (func != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    void *socket = dbn_bus_socket_new (bus, ZMQ_ROUTER, error);
    if (socket == NULL)
        return NULL;
    /* A reply to a peer that went away is dropped, never an error: the
     * client retries with the same idempotency key. The frame limit is set
     * above the codec's so that an oversize command gets an answer. */
    gint64 max_size = DBN_BUS_SERVER_MAX_FRAME;
    if (!setsockopt_int (socket, ZMQ_ROUTER_MANDATORY, 0)
        || zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size) != 0) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "cannot set ZMQ_ROUTER_MANDATORY: %s", zmq_strerror (errno));
        zmq_close (socket);
        return NULL;
    }
    char *bound = NULL;
    if (!dbn_bus_bind (bus, socket, endpoint, &bound, error)) {
        zmq_close (socket);
        return NULL;
    }

    DbnServer *self = g_new0 (DbnServer, 1);
    self->socket = socket;
    self->endpoint = bound;
    self->batch_max = batch_max;
    self->func = func;
    self->user_data = user_data;
    self->batch = g_ptr_array_new_full (MIN (batch_max, 1024),
                                        (GDestroyNotify) dbn_request_free);
    self->log_key = g_strdup_printf ("bus-malformed:%s", bound);
    self->source = attach_socket_source (socket, server_on_readable, self,
                                         g_main_context_get_thread_default ());
    return self;
}

static void
server_finalize (DbnServer *self)
{
    if (self->source != NULL) {
        g_source_destroy (self->source);
        g_source_unref (self->source);
    }
    zmq_close (self->socket);
    g_ptr_array_unref (self->batch);
    g_clear_pointer (&self->unanswered, g_hash_table_unref);
    g_free (self->endpoint);
    g_free (self->log_key);
    g_free (self);
}

void
dbn_server_set_refusal_func (DbnServer *self, DbnServerRefusalFunc func)
{
    g_return_if_fail (self != NULL);
    self->refusal = func;
}

void
dbn_server_free (DbnServer *self)
{
    if (self == NULL)
        return;
    if (self->in_batch)
        self->free_asked = TRUE;
    else
        server_finalize (self);
}

void
dbn_server_reply (DbnServer *self, const DbnRequest *request, GBytes *reply)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (request != NULL && request->peer != NULL && request->request_id != NULL);
    g_return_if_fail (reply != NULL);

    /* ROUTER never blocks: a full or vanished peer drops the message. Only
     * the first part can fail, and then no later part may go out alone. */
    if (send_bytes (self->socket, request->peer, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, request->request_id, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, reply, ZMQ_DONTWAIT) < 0)
        dbn_log_once ("bus-reply-failed", "%s: a reply could not be sent: %s",
                      self->endpoint, zmq_strerror (errno));
}

const char *
dbn_server_get_endpoint (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->endpoint;
}

guint64
dbn_server_get_dropped (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->dropped;
}

void *
dbn_server_get_socket (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->socket;
}

/* ---- events: the publishing side ---- */

struct _DbnPublisher {
    void               *socket;          /* XPUB (manual), bound */
    char               *endpoint;        /* as bound, port resolved */
    GSource            *source;          /* reads (un)subscriptions */
    GMainContext       *context;         /* where source and the rebind run */
    DbnSubscriptionFunc func;            /* policy; NULL: dbn_auth_grant_subscription */
    gpointer            user_data;       /* for func */
    guint64             refused;         /* subscriptions dropped by the policy */
    guint               refusals_logged; /* distinct refusals logged so far */
    guint               rebinds;         /* rebinds completed */
    DbnBus             *bus;             /* borrowed: its context makes the monitor */
    void               *monitor;         /* PAIR receiving CLOSED while a rebind waits, else NULL */
    GSource            *monitor_source;  /* reads monitor */
    GSource            *fallback;        /* binds (again) on a timer, while a rebind waits */
    GHashTable         *peers;           /* fd → Peer*: who subscribed over which connection */
    guint               peers_pruned;    /* size of peers after the last prune */
    gboolean            unlocated;       /* a principal subscribed from an fd libzmq did not give */
    guint               cuts;            /* connections shut down by dbn_publisher_cut */
};

/* One subscribing connection, as its subscription messages named it. The
 * socket's inode tells this connection from a later one that got the same
 * fd number after it closed: inode numbers of live sockets are unique. */
typedef struct {
    char *principal; /* User-Id, NULL without CURVE */
    char *key;       /* its public key (Z85), NULL without CURVE */
    ino_t ino;       /* st_ino of the fd when the subscription came */
} Peer;

static void
peer_free (Peer *peer)
{
    g_free (peer->principal);
    g_free (peer->key);
    g_free (peer);
}

/* TRUE while fd is still the socket peer was recorded for. */
static gboolean
peer_is_current (int fd, const Peer *peer)
{
    struct stat st;
    return fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode) && st.st_ino == peer->ino;
}

/* Forgets connections that have closed (their fd is gone or reused). */
static void
publisher_prune_peers (DbnPublisher *self)
{
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, self->peers);
    while (g_hash_table_iter_next (&iter, &key, &value))
        if (!peer_is_current (GPOINTER_TO_INT (key), value))
            g_hash_table_iter_remove (&iter);
    self->peers_pruned = g_hash_table_size (self->peers);
}

/* Notes which connection a subscription came over (ZMQ_SRCFD: deprecated in
 * libzmq, and the only way XPUB tells one: Debian's 4.3.4 has it). */
static void
publisher_note_peer (DbnPublisher *self, zmq_msg_t *msg, const char *principal, const char *key)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    int fd = zmq_msg_get (msg, ZMQ_SRCFD);
#pragma GCC diagnostic pop
    struct stat st;
    if (fd < 0 || fstat (fd, &st) != 0 || !S_ISSOCK (st.st_mode)) {
        /* Without CURVE (inproc, plain tests) there is no key to revoke. */
        if (principal != NULL)
            self->unlocated = TRUE;
        return;
    }
    Peer *known = g_hash_table_lookup (self->peers, GINT_TO_POINTER (fd));
    if (known != NULL && known->ino == st.st_ino && g_strcmp0 (known->key, key) == 0)
        return;
    Peer *peer = g_new0 (Peer, 1);
    peer->principal = g_strdup (principal);
    peer->key = g_strdup (key);
    peer->ino = st.st_ino;
    g_hash_table_replace (self->peers, GINT_TO_POINTER (fd), peer);
    /* Bounded by the open connections: prune when it doubled since the last. */
    if (g_hash_table_size (self->peers) > MAX (64u, 2 * self->peers_pruned))
        publisher_prune_peers (self);
}

static void
publisher_log_refusal (DbnPublisher *self, const char *principal, const char *topic, gsize len)
{
    self->refused++;
    if (self->refusals_logged > DBN_PUBLISHER_REFUSALS_LOGGED_MAX)
        return;
    if (self->refusals_logged == DBN_PUBLISHER_REFUSALS_LOGGED_MAX) {
        self->refusals_logged++;
        dbn_log_once ("pub-refused:too-many", "%s: %d different refused subscriptions "
                      "logged; further ones are only counted", self->endpoint,
                      DBN_PUBLISHER_REFUSALS_LOGGED_MAX);
        return;
    }
    /* Quote at most 64 bytes, escaped: the topic comes from the peer. */
    g_autofree char *shown = g_strndup (topic, MIN (len, 64));
    g_autofree char *escaped = g_strescape (shown, NULL);
    g_autofree char *key = g_strdup_printf ("pub-refused:%s:%s:%s", self->endpoint,
                                            principal ? principal : "", escaped);
    if (dbn_log_once (key, "%s: dropped the subscription of %s to \"%s\": not a topic it may "
                      "read", self->endpoint, principal ? principal : "(no principal)", escaped))
        self->refusals_logged++;
}

/* One message read from socket (the XPUB): [0|1][topic]. Anything else is ignored. */
static void
publisher_handle (DbnPublisher *self, void *socket, zmq_msg_t *msg)
{
    gsize size = zmq_msg_size (msg);
    const char *data = zmq_msg_data (msg);
    if (size == 0 || (data[0] != 0 && data[0] != 1))
        return;
    gboolean subscribe = data[0] == 1;
    const char *topic = data + 1;
    gsize len = size - 1;
    const char *principal = zmq_msg_gets (msg, "User-Id");
    const char *key = zmq_msg_gets (msg, DBN_AUTH_KEY_PROPERTY);
    if (principal != NULL && *principal == '\0')
        principal = NULL;
    if (key != NULL && *key == '\0')
        key = NULL;
    /* No topic of ours is long or holds a NUL; refusing them keeps the
     * policy's strings exact. */
    g_autofree char *grant = NULL;
    if (len <= DBN_PUBLISHER_TOPIC_MAX && memchr (topic, '\0', len) == NULL) {
        g_autofree char *asked = g_strndup (topic, len);
        grant = self->func != NULL ? self->func (principal, key, asked, self->user_data)
                                   : dbn_auth_grant_subscription (principal, asked);
    }
    if (grant == NULL) {
        if (subscribe)
            publisher_log_refusal (self, principal, topic, len);
        return;
    }
    if (subscribe)
        publisher_note_peer (self, msg, principal, key);
    /* The policy may have rebound the publisher (a registry change seen on
     * the way): socket is closed then, and this peer reconnects anyway. */
    if (self->socket != socket)
        return;
    /* Applies to the pipe this message came from (libzmq's last pipe);
     * an unsubscription of a closed pipe has none and is ignored. */
    zmq_setsockopt (socket, subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, grant, strlen (grant));
}

static gboolean
publisher_on_readable (void *socket, gpointer user_data)
{
    DbnPublisher *self = user_data;
    for (guint n = 0; n < DBN_PUBLISHER_BATCH; n++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&msg);
            break;
        }
        gboolean more = zmq_msg_more (&msg);
        if (!more)
            publisher_handle (self, socket, &msg);
        zmq_msg_close (&msg);
        /* Rebound from inside the policy: this socket and source are gone. */
        if (self->socket != socket)
            return G_SOURCE_REMOVE;
        if (more)
            drain_parts (socket);
    }
    return G_SOURCE_CONTINUE;
}

/* An XPUB in manual mode with the daiban defaults, not yet bound. */
static void *
publisher_socket_new (DbnBus *bus, GError **error)
{
    void *socket = dbn_bus_socket_new (bus, ZMQ_XPUB, error);
    if (socket == NULL)
        return NULL;
    if (!setsockopt_int (socket, ZMQ_XPUB_MANUAL, 1)) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "cannot set ZMQ_XPUB_MANUAL: %s", zmq_strerror (errno));
        zmq_close (socket);
        return NULL;
    }
    return socket;
}

DbnPublisher *
dbn_publisher_new (DbnBus *bus, const char *endpoint, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (endpoint != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    void *socket = publisher_socket_new (bus, error);
    if (socket == NULL)
        return NULL;
    char *bound = NULL;
    if (!dbn_bus_bind (bus, socket, endpoint, &bound, error)) {
        zmq_close (socket);
        return NULL;
    }
    DbnPublisher *self = g_new0 (DbnPublisher, 1);
    self->bus = bus;
    self->socket = socket;
    self->endpoint = bound;
    self->context = g_main_context_ref_thread_default ();
    self->source = attach_socket_source (socket, publisher_on_readable, self, self->context);
    self->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) peer_free);
    return self;
}

static void
publisher_stop_monitor (DbnPublisher *self)
{
    if (self->fallback != NULL) {
        g_source_destroy (self->fallback);
        g_clear_pointer (&self->fallback, g_source_unref);
    }
    if (self->monitor_source != NULL) {
        g_source_destroy (self->monitor_source);
        g_clear_pointer (&self->monitor_source, g_source_unref);
    }
    /* The monitored socket is the old one, already closed: its monitor ends
     * when libzmq destroys it; only our end is ours to close. */
    if (self->monitor != NULL) {
        zmq_close (self->monitor);
        self->monitor = NULL;
    }
}

void
dbn_publisher_free (DbnPublisher *self)
{
    if (self == NULL)
        return;
    publisher_stop_monitor (self);
    if (self->source != NULL) {
        g_source_destroy (self->source);
        g_source_unref (self->source);
    }
    zmq_close (self->socket);
    g_hash_table_unref (self->peers);
    g_main_context_unref (self->context);
    g_free (self->endpoint);
    g_free (self);
}

void
dbn_publisher_set_subscription_func (DbnPublisher *self, DbnSubscriptionFunc func,
                                     gpointer user_data)
{
    g_return_if_fail (self != NULL);
    self->func = func;
    self->user_data = user_data;
}

void
dbn_publisher_send (DbnPublisher *self, const char *topic, GBytes *body)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (topic != NULL);
    g_return_if_fail (body != NULL);

    /* The last wall (issue 11): whatever built it, a queue topic whose id
     * holds '/' or nothing is not sent, so no prefix grant can match it. */
    g_autoptr (GError) refused = NULL;
    if (!dbn_topic_check (topic, &refused)) {
        dbn_log_once ("bus-publish-refused", "%s: %s (further ones are not logged)",
                      self->endpoint, refused->message);
        return;
    }

    /* The frame is the topic and its '/' (see the design comment). */
    char stack[DBN_PUBLISHER_TOPIC_MAX + 2];
    gsize len = strlen (topic);
    g_autofree char *heap = len + 1 < sizeof stack ? NULL : g_strconcat (topic, "/", NULL);
    char *frame = heap;
    if (frame == NULL) {
        memcpy (stack, topic, len);
        stack[len] = '/';
        frame = stack;
    }
    /* XPUB drops at the HWM instead of blocking; consumers detect the gap by
     * seq and resync from the journal. */
    if (zmq_send (self->socket, frame, len + 1, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, body, ZMQ_DONTWAIT) < 0)
        dbn_log_once ("bus-publish-failed", "%s: an event could not be published: %s",
                      self->endpoint, zmq_strerror (errno));
}

static gboolean publisher_on_fallback (gpointer user_data);

/* Runs publisher_on_fallback after ms on the publisher's context. */
static void
publisher_schedule_bind (DbnPublisher *self, guint ms)
{
    self->fallback = g_timeout_source_new (ms);
    g_source_set_callback (self->fallback, publisher_on_fallback, self, NULL);
    g_source_attach (self->fallback, self->context);
}

/* The second half of a rebind: bind the endpoint again. */
static void
publisher_bind_again (DbnPublisher *self)
{
    publisher_stop_monitor (self);
    /* dbn_bus_bind sets the security options of the fresh socket: CURVE as before. */
    g_autoptr (GError) error = NULL;
    if (!dbn_bus_bind (self->bus, self->socket, self->endpoint, NULL, &error)) {
        /* Nobody can subscribe until this works: say so every time. */
        g_warning ("%s: cannot bind again after closing its connections: %s; retrying",
                   self->endpoint, error->message);
        publisher_schedule_bind (self, 100);
        return;
    }
    self->rebinds++;
    g_message ("%s: bound again; subscribers reconnect through ZAP", self->endpoint);
}

static gboolean
publisher_on_monitor (void *socket, gpointer user_data)
{
    DbnPublisher *self = user_data;
    gboolean closed = FALSE;
    for (;;) {
        guint8 head[6];
        int n = zmq_recv (socket, head, sizeof head, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        guint16 event = 0;
        if (n == (int) sizeof head)
            memcpy (&event, head, sizeof event);
        drain_parts (socket); /* the endpoint frame */
        closed |= event == ZMQ_EVENT_CLOSED;
    }
    /* publisher_bind_again destroys this source: nothing of it is used after. */
    if (closed)
        publisher_bind_again (self);
    return G_SOURCE_CONTINUE;
}

static gboolean
publisher_on_fallback (gpointer user_data)
{
    DbnPublisher *self = user_data;
    /* This source is being dispatched: drop our reference, REMOVE destroys it. */
    g_clear_pointer (&self->fallback, g_source_unref);
    publisher_bind_again (self);
    return G_SOURCE_REMOVE;
}

void
dbn_publisher_rebind (DbnPublisher *self)
{
    g_return_if_fail (self != NULL);
    if (self->monitor != NULL || self->fallback != NULL)
        return; /* a rebind is already under way */
    /* Every known connection closes with the old socket. */
    g_hash_table_remove_all (self->peers);
    self->peers_pruned = 0;
    self->unlocated = FALSE;
    g_autoptr (GError) error = NULL;
    void *fresh = publisher_socket_new (self->bus, &error);
    if (fresh == NULL) {
        g_warning ("%s: cannot close its connections: %s", self->endpoint, error->message);
        return;
    }
    /* The monitor must be connected before the close, or its CLOSED event
     * would be sent to nobody (inproc connect completes at once). */
    static gint instances = 0;
    g_autofree char *monitor_endpoint = g_strdup_printf ("inproc://dbn-publisher-monitor-%d",
                                                         g_atomic_int_add (&instances, 1));
    if (zmq_socket_monitor (self->socket, monitor_endpoint, ZMQ_EVENT_CLOSED) == 0) {
        self->monitor = zmq_socket (dbn_bus_get_context (self->bus), ZMQ_PAIR);
        if (self->monitor != NULL && zmq_connect (self->monitor, monitor_endpoint) == 0) {
            setsockopt_int (self->monitor, ZMQ_LINGER, 0);
            self->monitor_source = attach_socket_source (self->monitor, publisher_on_monitor,
                                                         self, self->context);
        } else {
            g_clear_pointer (&self->monitor, zmq_close);
        }
    }
    /* A fresh socket rather than zmq_unbind: after an unbind the old
     * connections' pipes stay attached until libzmq has torn them down, and
     * an event sent meanwhile could still reach a revoked subscriber. What is
     * published from now on goes to the fresh socket (nowhere until bound). */
    g_source_destroy (self->source);
    g_source_unref (self->source);
    zmq_close (self->socket);
    self->socket = fresh;
    self->source = attach_socket_source (fresh, publisher_on_readable, self, self->context);
    /* Without a monitor, or if CLOSED never comes, bind after a while anyway. */
    publisher_schedule_bind (self, self->monitor != NULL ? DBN_PUBLISHER_REBIND_FALLBACK_MS : 200);
}

guint
dbn_publisher_cut (DbnPublisher *self, DbnPeerValidFunc still_valid, gpointer user_data)
{
    g_return_val_if_fail (self != NULL && still_valid != NULL, 0);
    /* Some subscriber could not be located: only closing everything is
     * sure to reach it (subscribers then catch up by a scoped sys.sync). */
    if (self->unlocated) {
        g_message ("%s: a subscriber's connection is unknown: closing all of them",
                   self->endpoint);
        self->unlocated = FALSE;
        g_hash_table_remove_all (self->peers);
        self->peers_pruned = 0;
        dbn_publisher_rebind (self);
        return 0;
    }
    guint cut = 0;
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, self->peers);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
        int fd = GPOINTER_TO_INT (key);
        Peer *peer = value;
        if (!peer_is_current (fd, peer)) {
            g_hash_table_iter_remove (&iter);
            continue;
        }
        if (still_valid (peer->principal, peer->key, user_data))
            continue;
        /* shutdown, never close: the fd is libzmq's. The kernel sends
         * nothing more on it from here, and libzmq, seeing the connection
         * end, removes just this peer's pipe and subscriptions. */
        if (shutdown (fd, SHUT_RDWR) != 0)
            g_warning ("%s: cannot shut down the connection of %s: %s", self->endpoint,
                       peer->principal ? peer->principal : "(no principal)", g_strerror (errno));
        else
            g_message ("%s: closed the connection of %s (its key is no longer valid)",
                       self->endpoint, peer->principal ? peer->principal : "(no principal)");
        g_hash_table_iter_remove (&iter);
        cut++;
    }
    self->cuts += cut;
    self->peers_pruned = g_hash_table_size (self->peers);
    return cut;
}

guint
dbn_publisher_get_cuts (DbnPublisher *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->cuts;
}

guint64
dbn_publisher_get_refused (DbnPublisher *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->refused;
}

guint
dbn_publisher_get_rebinds (DbnPublisher *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->rebinds;
}

const char *
dbn_publisher_get_endpoint (DbnPublisher *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->endpoint;
}

/* ---- commands: the client side ---- */

#define REQUEST_ID_PREFIX 8
#define REQUEST_ID_SIZE   (REQUEST_ID_PREFIX + 8)

typedef struct {
    DbnClient         *client;     /* borrowed: the client outlives its pending requests */
    GBytes            *request_id; /* key in client->pending */
    DbnClientReplyFunc func;       /* the caller's callback */
    gpointer           user_data;  /* for func */
    guint              timeout_ms; /* as asked, for the error message */
    GSource           *timeout;    /* fires on_pending_timeout; owned ref */
} Pending;

/* A result decided but not yet called back. */
typedef struct {
    Pending *pending; /* owned */
    GBytes  *reply;   /* owned, NULL with error */
    GError  *error;   /* owned, NULL with reply */
} Completion;

struct _DbnClient {
    guint         ref_count;   /* 1 for the owner + 1 per running dispatch */
    gboolean      freed;       /* dbn_client_free ran: only the memory is left */
    DbnBus       *bus;         /* borrowed, for reconnect */
    char         *endpoint;    /* connected to */
    void         *socket;      /* DEALER; replaced by reconnect, NULL if that failed */
    guint8        id_prefix[REQUEST_ID_PREFIX]; /* random, per client */
    guint64       next_seq;    /* counter part of the next request id */
    GMainContext *context;     /* where async work runs; NULL before the first send_async */
    GSource      *socket_source; /* reads replies for async requests */
    GSource      *idle_source; /* delivers completions queued outside a dispatch */
    GHashTable   *pending;     /* GBytes request id → Pending* (async only) */
    GQueue        completions; /* Completion*, in the order decided */
};

static void
pending_free (Pending *pending)
{
    if (pending->timeout != NULL) {
        g_source_destroy (pending->timeout);
        g_source_unref (pending->timeout);
    }
    g_bytes_unref (pending->request_id);
    g_free (pending);
}

static void
completion_free (Completion *completion)
{
    pending_free (completion->pending);
    g_clear_pointer (&completion->reply, g_bytes_unref);
    g_clear_error (&completion->error);
    g_free (completion);
}

static DbnClient *
client_ref (DbnClient *self)
{
    self->ref_count++;
    return self;
}

static void
client_unref (DbnClient *self)
{
    if (--self->ref_count > 0)
        return;
    g_free (self);
}

static GBytes *
client_next_id (DbnClient *self)
{
    guint8 id[REQUEST_ID_SIZE];
    memcpy (id, self->id_prefix, REQUEST_ID_PREFIX);
    guint64 seq = GUINT64_TO_BE (self->next_seq);
    self->next_seq++;
    memcpy (id + REQUEST_ID_PREFIX, &seq, sizeof seq);
    return g_bytes_new (id, sizeof id);
}

static void *
client_open_socket (DbnClient *self, GError **error)
{
    void *socket = dbn_bus_socket_new (self->bus, ZMQ_DEALER, error);
    if (socket == NULL)
        return NULL;
    if (!dbn_bus_connect (self->bus, socket, self->endpoint, error)) {
        zmq_close (socket);
        return NULL;
    }
    return socket;
}

static gboolean client_on_readable (void *socket, gpointer user_data);
static void client_flush_completions (DbnClient *self);

static void
client_queue_completion (DbnClient *self, Pending *pending, GBytes *reply, GError *error)
{
    Completion *completion = g_new0 (Completion, 1);
    /* The timeout must not fire for a request that is already decided. */
    if (pending->timeout != NULL) {
        g_source_destroy (pending->timeout);
        g_clear_pointer (&pending->timeout, g_source_unref);
    }
    completion->pending = pending;
    completion->reply = reply;
    completion->error = error;
    g_queue_push_tail (&self->completions, completion);
}

static gboolean
client_on_idle (gpointer user_data)
{
    DbnClient *self = user_data;
    g_clear_pointer (&self->idle_source, g_source_unref);
    client_flush_completions (self);
    return G_SOURCE_REMOVE;
}

/* For completions queued outside a dispatch of ours (call, recv_raw, reconnect). */
static void
client_schedule_flush (DbnClient *self)
{
    if (self->idle_source != NULL || self->context == NULL
        || g_queue_is_empty (&self->completions))
        return;
    self->idle_source = g_idle_source_new ();
    g_source_set_callback (self->idle_source, client_on_idle, self, NULL);
    g_source_attach (self->idle_source, self->context);
}

/* Calls back queued completions until none is left or a callback freed the
 * client. Callbacks may call anything on the client, including free. */
static void
client_flush_completions (DbnClient *self)
{
    client_ref (self);
    while (!self->freed) {
        Completion *completion = g_queue_pop_head (&self->completions);
        if (completion == NULL)
            break;
        Pending *pending = completion->pending;
        pending->func (self, completion->reply, completion->error, pending->user_data);
        completion_free (completion);
    }
    client_unref (self);
}

/* Every pending request fails: its reply, if any, would arrive on a socket
 * that no longer exists. */
static void
client_abandon_pending (DbnClient *self, const char *why)
{
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, self->pending);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
        Pending *pending = value;
        g_hash_table_iter_steal (&iter);
        GError *error = g_error_new (DBN_ERROR, DBN_ERROR_TIMEOUT,
                                     "no answer from %s: %s", self->endpoint, why);
        client_queue_completion (self, pending, NULL, error);
    }
}

/* Closes the DEALER and opens a fresh one; pending async requests are queued
 * as failed (the caller delivers them). */
static void
client_reconnect (DbnClient *self, const char *why)
{
    if (self->socket_source != NULL) {
        g_source_destroy (self->socket_source);
        g_clear_pointer (&self->socket_source, g_source_unref);
    }
    if (self->socket != NULL)
        zmq_close (self->socket);
    g_autoptr (GError) error = NULL;
    self->socket = client_open_socket (self, &error);
    if (self->socket == NULL)
        dbn_log_once ("bus-reconnect-failed", "cannot reconnect to %s: %s",
                      self->endpoint, error->message);
    else if (self->context != NULL)
        self->socket_source = attach_socket_source (self->socket, client_on_readable,
                                                    self, self->context);
    client_abandon_pending (self, why);
}

typedef enum {
    REPLY_NONE,      /* nothing to read now */
    REPLY_OK,        /* *id and *reply set */
    REPLY_MALFORMED, /* a message was drained and skipped */
} ReplyResult;

/* Reads one [request id][reply] message without waiting. */
static ReplyResult
client_read_reply (DbnClient *self, GBytes **id, GBytes **reply)
{
    zmq_msg_t first, second;
    zmq_msg_init (&first);
    if (zmq_msg_recv (&first, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        return REPLY_NONE;
    }
    if (!zmq_msg_more (&first)) {
        zmq_msg_close (&first);
        goto malformed;
    }
    zmq_msg_init (&second);
    if (zmq_msg_recv (&second, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        goto malformed;
    }
    if (zmq_msg_more (&second)) {
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        drain_parts (self->socket);
        goto malformed;
    }
    *id = bytes_copy_msg (&first);
    *reply = bytes_steal_msg (&second);
    zmq_msg_close (&first);
    zmq_msg_close (&second);
    return REPLY_OK;

malformed:
    {
        g_autofree char *key = g_strdup_printf ("bus-malformed-reply:%s", self->endpoint);
        dbn_log_once (key, "%s: skipped a reply that is not [request id][body]; "
                      "further ones are skipped silently", self->endpoint);
    }
    return REPLY_MALFORMED;
}

/* A reply read by call/recv_raw that belongs to an async request: queue it.
 * Takes id and reply. TRUE when it was one. */
static gboolean
client_route_async_reply (DbnClient *self, GBytes *id, GBytes *reply)
{
    Pending *pending = NULL;
    if (!g_hash_table_steal_extended (self->pending, id, NULL, (gpointer *) &pending)) {
        return FALSE;
    }
    g_bytes_unref (id);
    client_queue_completion (self, pending, reply, NULL);
    return TRUE;
}

static gboolean
client_on_readable (void *socket, gpointer user_data)
{
    DbnClient *self = user_data;
    for (guint n = 0; n < DBN_CLIENT_BATCH; n++) {
        GBytes *id = NULL, *reply = NULL;
        ReplyResult result = client_read_reply (self, &id, &reply);
        if (result == REPLY_NONE)
            break;
        if (result == REPLY_MALFORMED)
            continue;
        if (!client_route_async_reply (self, id, reply)) {
            /* A reply to a raw or timed-out request: nobody waits for it. */
            g_bytes_unref (id);
            g_bytes_unref (reply);
        }
    }
    /* A callback may reconnect (this source is then destroyed and the
     * return value ignored) or free the client; flush copes with both. */
    client_flush_completions (self);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_pending_timeout (gpointer user_data)
{
    Pending *pending = user_data;
    DbnClient *self = client_ref (pending->client);

    /* This source is being dispatched: returning REMOVE destroys it. */
    g_clear_pointer (&pending->timeout, g_source_unref);
    g_hash_table_steal (self->pending, pending->request_id);
    GError *error = g_error_new (DBN_ERROR, DBN_ERROR_TIMEOUT,
                                 "no answer from %s within %u ms",
                                 self->endpoint, pending->timeout_ms);
    client_queue_completion (self, pending, NULL, error);
    /* Lazy Pirate: a fresh socket, so the late reply cannot come back. */
    client_reconnect (self, "abandoned when another request timed out");
    client_flush_completions (self);
    client_unref (self);
    return G_SOURCE_REMOVE;
}

DbnClient *
dbn_client_new (DbnBus *bus, const char *endpoint, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (endpoint != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    DbnClient *self = g_new0 (DbnClient, 1);
    self->ref_count = 1;
    self->bus = bus;
    self->endpoint = g_strdup (endpoint);
    self->socket = client_open_socket (self, error);
    if (self->socket == NULL) {
        g_free (self->endpoint);
        g_free (self);
        return NULL;
    }
    for (guint i = 0; i < REQUEST_ID_PREFIX; i += 4) {
        guint32 r = g_random_int ();
        memcpy (self->id_prefix + i, &r, 4);
    }
    self->pending = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, NULL,
                                           (GDestroyNotify) pending_free);
    g_queue_init (&self->completions);
    return self;
}

void
dbn_client_free (DbnClient *self)
{
    if (self == NULL)
        return;
    g_return_if_fail (!self->freed);
    self->freed = TRUE;
    if (self->socket_source != NULL) {
        g_source_destroy (self->socket_source);
        g_clear_pointer (&self->socket_source, g_source_unref);
    }
    if (self->idle_source != NULL) {
        g_source_destroy (self->idle_source);
        g_clear_pointer (&self->idle_source, g_source_unref);
    }
    /* Dropped without a callback: see the design comment. */
    g_clear_pointer (&self->pending, g_hash_table_unref);
    g_queue_clear_full (&self->completions, (GDestroyNotify) completion_free);
    if (self->socket != NULL)
        zmq_close (self->socket);
    self->socket = NULL;
    g_clear_pointer (&self->context, g_main_context_unref);
    g_clear_pointer (&self->endpoint, g_free);
    client_unref (self);
}

/* Sends [id][command]. FALSE with errno set when it could not. */
static gboolean
client_send (DbnClient *self, GBytes *id, GBytes *command)
{
    if (self->socket == NULL) {
        /* The last reconnect failed (already logged): try once more. */
        self->socket = client_open_socket (self, NULL);
        if (self->socket == NULL) {
            errno = ENOTSOCK;
            return FALSE;
        }
        if (self->context != NULL)
            self->socket_source = attach_socket_source (self->socket, client_on_readable,
                                                        self, self->context);
    }
    /* DONTWAIT: a DEALER blocks only at its HWM, and then it is better to
     * fail than to hang past the caller's timeout. */
    return send_bytes (self->socket, id, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0
        && send_bytes (self->socket, command, ZMQ_DONTWAIT) >= 0;
}

static void
set_send_error (DbnClient *self, GError **error, int err)
{
    if (err == EAGAIN)
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE,
                     "the send queue to %s is full", self->endpoint);
    else
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                     "cannot send to %s: %s", self->endpoint, zmq_strerror (err));
}

GBytes *
dbn_client_call (DbnClient *self, GBytes *command, guint timeout_ms, GError **error)
{
    g_return_val_if_fail (self != NULL && !self->freed, NULL);
    g_return_val_if_fail (command != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    g_autoptr (GBytes) id = client_next_id (self);
    if (!client_send (self, id, command)) {
        set_send_error (self, error, errno);
        return NULL;
    }

    GBytes *answer = NULL;
    for (;;) {
        GBytes *got_id = NULL, *reply = NULL;
        ReplyResult result = client_read_reply (self, &got_id, &reply);
        if (result == REPLY_OK) {
            if (g_bytes_equal (got_id, id)) {
                g_bytes_unref (got_id);
                answer = reply;
                break;
            }
            if (!client_route_async_reply (self, got_id, reply)) {
                /* Stale: the answer to a raw request, or to nothing we know. */
                g_bytes_unref (got_id);
                g_bytes_unref (reply);
            }
            continue;
        }
        if (result == REPLY_MALFORMED)
            continue;

        gint64 remaining_us = deadline - g_get_monotonic_time ();
        if (remaining_us <= 0)
            break;
        zmq_pollitem_t item = { .socket = self->socket, .events = ZMQ_POLLIN };
        /* Round up, so the poll never returns just before the deadline. */
        if (zmq_poll (&item, 1, (long) ((remaining_us + 999) / 1000)) < 0 && errno != EINTR) {
            g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET,
                         "waiting for %s: %s", self->endpoint, zmq_strerror (errno));
            break;
        }
    }

    /* Replies of async requests read above are delivered from the loop. */
    if (answer == NULL && (error == NULL || *error == NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT,
                     "no answer from %s within %u ms", self->endpoint, timeout_ms);
        client_reconnect (self, "abandoned when a call timed out");
    }
    client_schedule_flush (self);
    return answer;
}

void
dbn_client_send_async (DbnClient *self, GBytes *command, guint timeout_ms,
                       DbnClientReplyFunc func, gpointer user_data)
{
    g_return_if_fail (self != NULL && !self->freed);
    g_return_if_fail (command != NULL);
    g_return_if_fail (func != NULL);

    if (self->context == NULL) {
        self->context = g_main_context_ref_thread_default ();
        if (self->socket != NULL)
            self->socket_source = attach_socket_source (self->socket, client_on_readable,
                                                        self, self->context);
    }

    Pending *pending = g_new0 (Pending, 1);
    pending->client = self;
    pending->request_id = client_next_id (self);
    pending->func = func;
    pending->user_data = user_data;
    pending->timeout_ms = timeout_ms;

    if (!client_send (self, pending->request_id, command)) {
        GError *error = NULL;
        set_send_error (self, &error, errno);
        client_queue_completion (self, pending, NULL, error);
        client_schedule_flush (self);
        return;
    }
    pending->timeout = g_timeout_source_new (timeout_ms);
    g_source_set_callback (pending->timeout, on_pending_timeout, pending, NULL);
    g_source_attach (pending->timeout, self->context);
    g_hash_table_insert (self->pending, pending->request_id, pending);
}

gboolean
dbn_client_send_raw (DbnClient *self, GBytes *request_id, GBytes *command, GError **error)
{
    g_return_val_if_fail (self != NULL && !self->freed, FALSE);
    g_return_val_if_fail (request_id != NULL && command != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

    if (!client_send (self, request_id, command)) {
        set_send_error (self, error, errno);
        return FALSE;
    }
    return TRUE;
}

gboolean
dbn_client_recv_raw (DbnClient *self, int timeout_ms, GBytes **request_id, GBytes **reply)
{
    g_return_val_if_fail (self != NULL && !self->freed, FALSE);
    g_return_val_if_fail (request_id != NULL && reply != NULL, FALSE);

    if (self->socket == NULL)
        return FALSE;
    gint64 deadline = timeout_ms < 0 ? G_MAXINT64
                    : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    gboolean found = FALSE;
    for (;;) {
        GBytes *id = NULL, *body = NULL;
        ReplyResult result = client_read_reply (self, &id, &body);
        if (result == REPLY_OK) {
            if (client_route_async_reply (self, id, body))
                continue;
            *request_id = id;
            *reply = body;
            found = TRUE;
            break;
        }
        if (result == REPLY_MALFORMED)
            continue;

        long wait_ms = -1;
        if (deadline != G_MAXINT64) {
            gint64 remaining_us = deadline - g_get_monotonic_time ();
            if (remaining_us <= 0)
                break;
            wait_ms = (long) ((remaining_us + 999) / 1000);
        }
        zmq_pollitem_t item = { .socket = self->socket, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, wait_ms) < 0 && errno != EINTR)
            break;
    }
    client_schedule_flush (self);
    return found;
}

void
dbn_client_reconnect (DbnClient *self)
{
    g_return_if_fail (self != NULL && !self->freed);
    client_reconnect (self, "abandoned by a reconnect");
    client_schedule_flush (self);
}

const char *
dbn_client_get_endpoint (DbnClient *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->endpoint;
}

void *
dbn_client_get_socket (DbnClient *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    /* Changes on every reconnect (and every call timeout). */
    return self->socket;
}
