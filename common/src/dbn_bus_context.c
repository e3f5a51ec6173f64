/* dbn_bus_context.c: the process's libzmq context, its sockets and their security.
 *
 * Structure. One DbnBus owns the libzmq context. Every socket comes from
 * dbn_bus_socket_new() with the same defaults (LINGER 0, MAXMSGSIZE, ZMTP
 * heartbeats, HWMs), so no caller can forget one.
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
 */
#define G_LOG_DOMAIN "daiban-bus"

#include "daiban/dbn_bus_context.h"

#include <errno.h>
#include <zmq.h>

#include "daiban/dbn_codec.h"
#include "daiban/dbn_curve.h"
#include "dbn_bus_private.h"
#include "dbn_handshake_watch_private.h"

/* HWM for every socket: 100 k messages of ~350 B is ~35 MB per pipe, ample
 * for a window of 1000 in flight (A1) and still a bound. */
#define DBN_BUS_HWM 100000
/* ZMTP heartbeats: a PING every second, a peer silent for 3 s is dropped,
 * so half-open TCP connections (a cable pulled at a village station) are
 * noticed and reconnected instead of swallowing requests until TCP gives up.
 * Every socket sends PINGs carrying a TTL of 3 s (the peer drops us after that
 * silence), but only a socket that binds times its peer out itself
 * (HEARTBEAT_TIMEOUT): libzmq 4.3.4 aborts ("Assertion failed:
 * _input_stopped", zeromq/libzmq#3937) when the timeout fires on a connecting
 * socket whose reader is stalled with its inbound pipe full; the connecting
 * side's session outlives the engine the timeout killed, and the stall's
 * stale "write activated" reaches the new engine. A bound socket's session
 * dies with its engine. The TTL is armed only by a decoded PING and cancelled
 * by the next decoded message, so it never runs while the input is stopped.
 * tests/fault/zmq_heartbeat_stall.c (ctests libzmq3937_heartbeat_stall_*). */
#define DBN_BUS_HEARTBEAT_IVL_MS     1000
#define DBN_BUS_HEARTBEAT_TIMEOUT_MS 3000
/* Oldest libzmq we run on: CVE-2019-13132, CVE-2019-6250, CVE-2020-15166 and
 * CVE-2021-20234..20237 are all fixed by 4.3.4 (perf-reliability.md B1). */
#define DBN_BUS_MIN_ZMQ_VERSION ZMQ_MAKE_VERSION (4, 3, 4)

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-bus-error-quark, dbn_bus_error)
/* clang-format on */

struct _DbnBus {
    void *context;           /* the libzmq context; every socket of the process comes from it */
    DbnKeyPair *identity;    /* this process's CURVE key pair, NULL until set */
    GHashTable *server_keys; /* endpoint → server public key (Z85), both owned */
    gboolean plaintext;      /* tests only: tcp/ipc allowed without CURVE */
    GPtrArray *watches;      /* GThread*: dbn_handshake_watch of each CURVE server socket */
};

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
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot create a socket of type %d: %s",
                     type, zmq_strerror (errno));
        return NULL;
    }

    gint64 max_size = DBN_CODEC_MAX_FRAME;
    gboolean ok = setsockopt_int (socket, ZMQ_LINGER, 0)
                  && zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size) == 0
                  && setsockopt_int (socket, ZMQ_HEARTBEAT_IVL, DBN_BUS_HEARTBEAT_IVL_MS)
                  /* 0: no timeout of our own until dbn_bus_bind sets one (see
                   * DBN_BUS_HEARTBEAT_IVL_MS); -1, the default, would mean IVL. */
                  && setsockopt_int (socket, ZMQ_HEARTBEAT_TIMEOUT, 0)
                  /* TTL tells the peer to drop us after the same silence, so a
                * peer that does not time us out itself still notices. */
                  && setsockopt_int (socket, ZMQ_HEARTBEAT_TTL, DBN_BUS_HEARTBEAT_TIMEOUT_MS)
                  && setsockopt_int (socket, ZMQ_SNDHWM, DBN_BUS_HWM)
                  && setsockopt_int (socket, ZMQ_RCVHWM, DBN_BUS_HWM);
    /* See dbn_client.c's design comment: queue until the peer appears. */
    if (ok && type == ZMQ_DEALER)
        ok = setsockopt_int (socket, ZMQ_IMMEDIATE, 0);
    if (!ok) {
        int saved = errno;
        zmq_close (socket);
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot set the socket options: %s",
                     zmq_strerror (saved));
        return NULL;
    }
    return socket;
}

/* bind/connect failed: the address is the problem unless libzmq itself is. */
static void
set_endpoint_error (GError **error, const char *verb, const char *endpoint, int err)
{
    int code =
        (err == ETERM || err == ENOTSOCK || err == EMTHREAD) ? DBN_BUS_ERROR_SOCKET : DBN_BUS_ERROR_ENDPOINT;
    g_set_error (error, DBN_BUS_ERROR, code, "cannot %s %s: %s", verb, endpoint, zmq_strerror (err));
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
        return dbn_curve_setup_server (socket, self->identity, DBN_BUS_ZAP_DOMAIN, error);
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
                         "its service has no valid key in the registry",
                         endpoint);
            return FALSE;
        }
        return dbn_curve_setup_client (socket, self->identity, server, error);
    }
    if (self->plaintext)
        return TRUE;
    g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE,
                 "refusing to connect to %s in plain text: this process has no CURVE key", endpoint);
    return FALSE;
}

gboolean
dbn_bus_bind (DbnBus *self, void *socket, const char *endpoint, char **bound_out, GError **error)
{
    g_return_val_if_fail (self != NULL && socket != NULL && endpoint != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    if (!secure_server (self, socket, endpoint, error))
        return FALSE;
    /* Copied into the listener at zmq_bind: only accepted connections time out. */
    if (!setsockopt_int (socket, ZMQ_HEARTBEAT_TIMEOUT, DBN_BUS_HEARTBEAT_TIMEOUT_MS)) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot set ZMQ_HEARTBEAT_TIMEOUT: %s",
                     zmq_strerror (errno));
        return FALSE;
    }
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
    /* A socket that also bound must not carry the timeout into a connection. */
    if (!setsockopt_int (socket, ZMQ_HEARTBEAT_TIMEOUT, 0)) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot set ZMQ_HEARTBEAT_TIMEOUT: %s",
                     zmq_strerror (errno));
        return FALSE;
    }
    if (zmq_connect (socket, endpoint) != 0) {
        set_endpoint_error (error, "connect to", endpoint, errno);
        return FALSE;
    }
    return TRUE;
}
