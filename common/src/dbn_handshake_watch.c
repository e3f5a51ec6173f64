/* dbn_handshake_watch.c: log the clients a CURVE server refuses before ZAP
 * ever sees them.
 *
 * Design. Two refusals never reach the ZAP handler (dbn_auth.c logs the
 * others with their address): a client speaking the NULL mechanism to a CURVE
 * server (a mechanism mismatch in the greeting), and a CURVE client holding
 * the wrong server key (the server cannot open its HELLO). libzmq reports
 * both only to a socket monitor, and Debian's libzmq 4.3.4 has only the v1
 * monitor, whose events carry the LISTENING endpoint, not the peer's. So a
 * thread of its own reads the monitor of one bound socket and pieces the
 * peer together:
 *
 *   ACCEPTED (value: fd)          → read the peer of fd now (getpeername, or
 *                                   SO_PEERCRED for ipc) and remember it;
 *   HANDSHAKE_FAILED_PROTOCOL     → remember the reason (value: the protocol
 *                                   error) as the pending failure;
 *   HANDSHAKE_FAILED_NO_DETAIL    → the peer hung up mid-handshake (a NULL
 *                                   client that saw the mismatch first):
 *                                   pending too;
 *   DISCONNECTED (value: fd)      → a pending failure belongs to this fd:
 *                                   log it once with the peer remembered.
 *
 * The failure and the disconnect of one connection are raised in the same
 * call of libzmq's I/O thread (the engine fails, then tears itself down), and
 * the bus runs one I/O thread, so no other connection's event falls between
 * them. The one race left is the read at ACCEPTED: the thread blocks on the
 * monitor (no main loop in between), but a peer that fails very fast may be
 * gone before its fd is read (its fd already closed, or reused by a socket
 * with another local address). Then the kernel's table of closing TCP
 * connections on the listener's port names the host, when it lists exactly
 * one. Failing that, the failure is not guessed at: it is
 * attributed to a refused peer of the same kind named within the last 3 s
 * (a client retrying, whose next attempt is read in time), and logged as
 * "an unknown address" only when none was. Each (endpoint, reason, peer
 * host) is logged once per process (dbn_log_once), whatever the port of
 * each retry.
 *
 * Lifetime: the thread ends when the monitor stops (the socket closed, or a
 * new monitor replaced this one) or the context terminates; the bus joins it
 * after zmq_ctx_term.
 */
#define _GNU_SOURCE  /* struct ucred, SO_PEERCRED */
#define G_LOG_DOMAIN "daiban-bus"
#include "dbn_handshake_watch_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <zmq.h>

#include "daiban/dbn_log.h"

/* A server with more open connections than this forgets the oldest peers'
 * addresses (they are then logged as unknown): the map is bounded. */
#define WATCH_PEERS_MAX 4096
/* Reasons kept apart: mechanism mismatch, wrong server key, hung up, anything else. */
#define WATCH_SLOTS 4
/* The pending "protocol error" of a peer that hung up mid-handshake. */
#define WATCH_HUNG_UP (-2)
/* How long an unreadable peer waits to be attributed to a named one. */
#define WATCH_ATTRIBUTE_US (3 * G_USEC_PER_SEC)

typedef struct {
    void *pair;                        /* PAIR connected to the monitor; owned by the thread */
    char *endpoint;                    /* the bound endpoint, for the log line */
    GHashTable *peers;                 /* fd → "host" / "host:port" / "pid N uid U" */
    int pending;                       /* protocol error of the failure awaiting its fd, or 0 */
    gint64 last_named[WATCH_SLOTS];    /* per reason: newest failure logged with its peer */
    gint64 unknown_since[WATCH_SLOTS]; /* per reason: oldest failure not attributed, or 0 */
    int unknown_error[WATCH_SLOTS];    /* its protocol error */
} Watch;

static void
watch_free (Watch *watch)
{
    zmq_close (watch->pair);
    g_hash_table_unref (watch->peers);
    g_free (watch->endpoint);
    g_free (watch);
}

/* The port (or 0) of a "tcp://host:port" endpoint. */
static guint
endpoint_port (const char *endpoint)
{
    const char *colon = strrchr (endpoint, ':');
    if (colon == NULL || !g_str_has_prefix (endpoint, "tcp://"))
        return 0;
    guint64 port = 0;
    if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return 0;
    return (guint) port;
}

/* Who is at the other end of fd, or NULL when fd is no longer a connection
 * of this listener (see the design comment). Two strings: *host for the
 * once-key, the return value for the log line. */
static char *
peer_of_fd (int fd, const char *endpoint, char **host)
{
    *host = NULL;
    struct sockaddr_storage local, peer;
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname (fd, (struct sockaddr *) &local, &local_len) != 0
        || getpeername (fd, (struct sockaddr *) &peer, &peer_len) != 0)
        return NULL;
    if (local.ss_family == AF_UNIX) {
        if (!g_str_has_prefix (endpoint, "ipc://"))
            return NULL;
        struct ucred cred;
        socklen_t cred_len = sizeof cred;
        if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0)
            return NULL;
        *host = g_strdup_printf ("uid %u", (unsigned) cred.uid);
        return g_strdup_printf ("local process pid %d uid %u", (int) cred.pid, (unsigned) cred.uid);
    }
    char text[INET6_ADDRSTRLEN] = "";
    guint local_port = 0, peer_port = 0;
    if (peer.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *) &peer;
        inet_ntop (AF_INET, &in->sin_addr, text, sizeof text);
        peer_port = ntohs (in->sin_port);
        local_port = ntohs (((struct sockaddr_in *) &local)->sin_port);
    } else if (peer.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &peer;
        inet_ntop (AF_INET6, &in6->sin6_addr, text, sizeof text);
        peer_port = ntohs (in6->sin6_port);
        local_port = ntohs (((struct sockaddr_in6 *) &local)->sin6_port);
    } else {
        return NULL;
    }
    /* A reused fd would belong to some other socket of the process. */
    if (local_port != endpoint_port (endpoint))
        return NULL;
    *host = g_strdup (text);
    return g_strdup_printf ("%s:%u", text, peer_port);
}

/* The hosts at the far end of this listener's connections that the kernel
 * still lists as closing or closed (/proc/net/tcp, tcp6: the server closed a
 * refused handshake first, so its side stays in FIN_WAIT or TIME_WAIT for a
 * minute). Honest clients keep their connections open, so these are the
 * refused ones. Returns the host when exactly one host is listed, else NULL.
 * Reading the kernel's table is the only record of a peer whose fd is gone. */
static char *
closed_peer_host (guint port)
{
    if (port == 0)
        return NULL;
    g_autoptr (GHashTable) hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
    for (gsize t = 0; t < G_N_ELEMENTS (tables); t++) {
        g_autofree char *text = NULL;
        if (!g_file_get_contents (tables[t], &text, NULL, NULL))
            continue;
        g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
        for (guint i = 1; lines[i] != NULL && g_hash_table_size (hosts) < 2; i++) {
            char local[33], remote[33];
            unsigned local_port, remote_port, state;
            if (sscanf (lines[i], " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x", local, &local_port, remote,
                        &remote_port, &state)
                != 5)
                continue;
            /* FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSING */
            if (local_port != port || !(state == 4 || state == 5 || state == 6 || state == 7 || state == 11))
                continue;
            char shown[INET6_ADDRSTRLEN] = "";
            if (strlen (remote) == 8) {
                struct in_addr a = { .s_addr = (guint32) strtoul (remote, NULL, 16) };
                inet_ntop (AF_INET, &a, shown, sizeof shown);
            } else if (strlen (remote) == 32) {
                struct in6_addr a;
                for (int w = 0; w < 4; w++) {
                    char word[9];
                    memcpy (word, remote + 8 * w, 8);
                    word[8] = '\0';
                    guint32 v = (guint32) strtoul (word, NULL, 16);
                    memcpy (a.s6_addr + 4 * w, &v, 4);
                }
                inet_ntop (AF_INET6, &a, shown, sizeof shown);
            } else {
                continue;
            }
            g_hash_table_add (hosts, g_strdup (shown));
        }
    }
    if (g_hash_table_size (hosts) != 1)
        return NULL;
    GHashTableIter iter;
    gpointer host = NULL;
    g_hash_table_iter_init (&iter, hosts);
    g_hash_table_iter_next (&iter, &host, NULL);
    return g_strdup (host);
}

static const char *
reason_text (int protocol_error)
{
    switch (protocol_error) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
        return "未使用 CURVE 加密的客户端 / a client without CURVE (NULL mechanism)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
        return "CURVE 握手失败，客户端持有的服务器公钥不符 / CURVE handshake failed: "
               "the client holds the wrong server key";
    case WATCH_HUNG_UP:
        return "握手中断开的客户端（多为未用 CURVE 或服务器公钥不符）/ a client that hung up "
               "during the handshake (most often: no CURVE, or the wrong server key)";
    default: return "握手协议错误 / handshake protocol error";
    }
}

static guint
reason_slot (int protocol_error)
{
    switch (protocol_error) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: return 0;
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: return 1;
    case WATCH_HUNG_UP: return 2;
    default: return 3;
    }
}

static void
watch_log (Watch *watch, int protocol_error, const char *peer, const char *host)
{
    g_autofree char *key =
        g_strdup_printf ("handshake:%s:%d:%s", watch->endpoint, protocol_error, host ? host : "?");
    dbn_log_once (key,
                  "%s: refused %s from %s (code %d); further attempts "
                  "from there are not logged",
                  watch->endpoint, reason_text (protocol_error),
                  peer ? peer : "an unknown address (gone before it could be read)", protocol_error);
}

/* A failure whose peer could not be read: most likely a refused client
 * already named, retrying (it is then attributed to it); logged as unknown
 * only when no named failure of the same kind came within WATCH_ATTRIBUTE_US. */
static void
watch_unknown (Watch *watch, int protocol_error, gint64 now)
{
    guint slot = reason_slot (protocol_error);
    if (watch->last_named[slot] != 0 && now - watch->last_named[slot] < WATCH_ATTRIBUTE_US)
        return;
    if (watch->unknown_since[slot] == 0) {
        watch->unknown_since[slot] = now;
        watch->unknown_error[slot] = protocol_error;
    }
}

static void
watch_flush_unknown (Watch *watch, gint64 now)
{
    for (guint slot = 0; slot < WATCH_SLOTS; slot++) {
        if (watch->unknown_since[slot] == 0 || now - watch->unknown_since[slot] < WATCH_ATTRIBUTE_US)
            continue;
        if (watch->last_named[slot] < watch->unknown_since[slot])
            watch_log (watch, watch->unknown_error[slot], NULL, NULL);
        watch->unknown_since[slot] = 0;
    }
}

static void
watch_event (Watch *watch, guint16 event, guint32 value)
{
    switch (event) {
    case ZMQ_EVENT_ACCEPTED: {
        char *host = NULL;
        char *peer = peer_of_fd ((int) value, watch->endpoint, &host);
        if (g_hash_table_size (watch->peers) >= WATCH_PEERS_MAX)
            g_hash_table_remove_all (watch->peers);
        if (peer != NULL) {
            /* "peer\0host" in one allocation: both are needed at the log. */
            gsize peer_len = strlen (peer);
            char *both = g_malloc (peer_len + strlen (host) + 2);
            memcpy (both, peer, peer_len + 1);
            strcpy (both + peer_len + 1, host);
            g_hash_table_replace (watch->peers, GINT_TO_POINTER ((int) value), both);
        } else {
            g_hash_table_remove (watch->peers, GINT_TO_POINTER ((int) value));
        }
        g_free (peer);
        g_free (host);
        break;
    }
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: watch->pending = value != 0 ? (int) value : -1; break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        /* A NULL client often sees the mismatch first and hangs up before
         * this side has read its greeting. */
        watch->pending = WATCH_HUNG_UP;
        break;
    case ZMQ_EVENT_DISCONNECTED: {
        const char *both = g_hash_table_lookup (watch->peers, GINT_TO_POINTER ((int) value));
        if (watch->pending != 0) {
            gint64 now = g_get_monotonic_time ();
            if (both != NULL) {
                watch_log (watch, watch->pending, both, both + strlen (both) + 1);
                watch->last_named[reason_slot (watch->pending)] = now;
            } else {
                g_autofree char *host = closed_peer_host (endpoint_port (watch->endpoint));
                g_autofree char *shown = host ? g_strdup_printf ("%s (its fd was gone; the "
                                                                 "kernel lists it)",
                                                                 host)
                                              : NULL;
                if (host != NULL) {
                    watch_log (watch, watch->pending, shown, host);
                    watch->last_named[reason_slot (watch->pending)] = now;
                } else {
                    watch_unknown (watch, watch->pending, now);
                }
            }
        }
        watch->pending = 0;
        g_hash_table_remove (watch->peers, GINT_TO_POINTER ((int) value));
        break;
    }
    default: break;
    }
}

static gpointer
watch_thread (gpointer data)
{
    Watch *watch = data;
    for (;;) {
        zmq_pollitem_t item = { .socket = watch->pair, .events = ZMQ_POLLIN };
        int ready = zmq_poll (&item, 1, WATCH_ATTRIBUTE_US / 1000);
        watch_flush_unknown (watch, g_get_monotonic_time ());
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            break; /* ETERM: the context is ending */
        }
        if (ready == 0)
            continue;
        guint8 head[6];
        int n = zmq_recv (watch->pair, head, sizeof head, ZMQ_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            break;
        }
        /* The endpoint frame (v1 monitors send two). */
        int more = 0;
        size_t more_size = sizeof more;
        while (zmq_getsockopt (watch->pair, ZMQ_RCVMORE, &more, &more_size) == 0 && more) {
            char skip[1];
            if (zmq_recv (watch->pair, skip, sizeof skip, 0) < 0)
                break;
        }
        if (n != (int) sizeof head)
            continue;
        guint16 event;
        guint32 value;
        memcpy (&event, head, sizeof event);
        memcpy (&value, head + 2, sizeof value);
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            break;
        watch_event (watch, event, value);
    }
    watch_free (watch);
    return NULL;
}

GThread *
dbn_handshake_watch_start (void *context, void *socket, const char *endpoint)
{
    static gint instances = 0;
    g_autofree char *inproc =
        g_strdup_printf ("inproc://dbn-handshake-watch-%d", g_atomic_int_add (&instances, 1));
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                 | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_MONITOR_STOPPED;
    if (zmq_socket_monitor (socket, inproc, events) != 0) {
        g_warning ("%s: refused handshakes will not be logged (no monitor: %s)", endpoint,
                   zmq_strerror (errno));
        return NULL;
    }
    void *pair = zmq_socket (context, ZMQ_PAIR);
    int linger = 0;
    if (pair == NULL || zmq_setsockopt (pair, ZMQ_LINGER, &linger, sizeof linger) != 0
        || zmq_connect (pair, inproc) != 0) {
        g_warning ("%s: refused handshakes will not be logged (%s)", endpoint, zmq_strerror (errno));
        if (pair != NULL)
            zmq_close (pair);
        zmq_socket_monitor (socket, NULL, 0);
        return NULL;
    }
    Watch *watch = g_new0 (Watch, 1);
    watch->pair = pair;
    watch->endpoint = g_strdup (endpoint);
    watch->peers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
    return g_thread_new ("dbn-handshake", watch_thread, watch);
}
