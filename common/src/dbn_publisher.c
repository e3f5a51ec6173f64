/* dbn_publisher.c: the event side of a service (XPUB).
 *
 * Structure. DbnPublisher is an XPUB in manual mode: a subscription takes
 * effect only when the main loop has read it and the policy granted it for
 * the connection's principal (the User-Id libzmq attaches to the
 * subscription message). A topic frame always ends in '/', and restricted principals are
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
 * Policy. The publisher does not know which principal may read which topic:
 * that is the frame's rule (dbn_auth_grant_subscription, installed by
 * dbn_service_start with the registry check in front of it). Until someone
 * sets a policy it grants nothing, so a publisher whose owner forgot to set
 * one fails closed: its subscribers hear nothing, and each refusal is
 * counted and logged. Rejected: dbn_auth's policy as the default (the bus
 * would then sit above the ZAP handler that sits above it, issue 12).
 */
#define _DEFAULT_SOURCE /* S_ISSOCK */
#define G_LOG_DOMAIN    "daiban-bus"

#include "daiban/dbn_publisher.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <zmq.h>

#include "daiban/dbn_curve.h"
#include "daiban/dbn_log.h"
#include "daiban/dbn_topic.h"
#include "dbn_bus_private.h"

/* Subscription messages a publisher reads per dispatch. */
#define DBN_PUBLISHER_BATCH 256
/* Distinct refused subscriptions a publisher logs (dbn_log_once remembers
 * every key for the life of the process); later ones are only counted. */
#define DBN_PUBLISHER_REFUSALS_LOGGED_MAX 256
/* A rebind binds anyway if the old listener's CLOSED event has not come. */
#define DBN_PUBLISHER_REBIND_FALLBACK_MS 1000

struct _DbnPublisher {
    void *socket;             /* XPUB (manual), bound */
    char *endpoint;           /* as bound, port resolved */
    GSource *source;          /* reads (un)subscriptions */
    GMainContext *context;    /* where source and the rebind run */
    DbnSubscriptionFunc func; /* policy; NULL: refuse every subscription */
    gpointer user_data;       /* for func */
    guint64 refused;          /* subscriptions dropped by the policy */
    guint refusals_logged;    /* distinct refusals logged so far */
    guint rebinds;            /* rebinds completed */
    DbnBus *bus;              /* borrowed: its context makes the monitor */
    void *monitor;            /* PAIR receiving CLOSED while a rebind waits, else NULL */
    GSource *monitor_source;  /* reads monitor */
    GSource *fallback;        /* binds (again) on a timer, while a rebind waits */
    GHashTable *peers;        /* fd → Peer*: who subscribed over which connection */
    guint peers_pruned;       /* size of peers after the last prune */
    gboolean unlocated;       /* a principal subscribed from an fd libzmq did not give */
    guint cuts;               /* connections shut down by dbn_publisher_cut */
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
        dbn_log_once ("pub-refused:too-many",
                      "%s: %d different refused subscriptions "
                      "logged; further ones are only counted",
                      self->endpoint, DBN_PUBLISHER_REFUSALS_LOGGED_MAX);
        return;
    }
    /* Quote at most 64 bytes, escaped: the topic comes from the peer. */
    g_autofree char *shown = g_strndup (topic, MIN (len, 64));
    g_autofree char *escaped = g_strescape (shown, NULL);
    g_autofree char *key =
        g_strdup_printf ("pub-refused:%s:%s:%s", self->endpoint, principal ? principal : "", escaped);
    if (dbn_log_once (key,
                      "%s: dropped the subscription of %s to \"%s\": not a topic it may "
                      "read",
                      self->endpoint, principal ? principal : "(no principal)", escaped))
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
    const char *key = zmq_msg_gets (msg, DBN_CURVE_KEY_PROPERTY);
    if (principal != NULL && *principal == '\0')
        principal = NULL;
    if (key != NULL && *key == '\0')
        key = NULL;
    /* No topic of ours is long or holds a NUL; refusing them keeps the
     * policy's strings exact. */
    g_autofree char *grant = NULL;
    if (len <= DBN_PUBLISHER_TOPIC_MAX && memchr (topic, '\0', len) == NULL) {
        g_autofree char *asked = g_strndup (topic, len);
        /* No policy: nothing is granted (see the design comment). */
        if (self->func != NULL)
            grant = self->func (principal, key, asked, self->user_data);
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
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot set ZMQ_XPUB_MANUAL: %s",
                     zmq_strerror (errno));
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
    self->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) peer_free);
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
dbn_publisher_set_subscription_func (DbnPublisher *self, DbnSubscriptionFunc func, gpointer user_data)
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
        dbn_log_once ("bus-publish-refused", "%s: %s (further ones are not logged)", self->endpoint,
                      refused->message);
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
        dbn_log_once ("bus-publish-failed", "%s: an event could not be published: %s", self->endpoint,
                      zmq_strerror (errno));
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
        g_warning ("%s: cannot bind again after closing its connections: %s; retrying", self->endpoint,
                   error->message);
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
    g_autofree char *monitor_endpoint =
        g_strdup_printf ("inproc://dbn-publisher-monitor-%d", g_atomic_int_add (&instances, 1));
    if (zmq_socket_monitor (self->socket, monitor_endpoint, ZMQ_EVENT_CLOSED) == 0) {
        self->monitor = zmq_socket (dbn_bus_get_context (self->bus), ZMQ_PAIR);
        if (self->monitor != NULL && zmq_connect (self->monitor, monitor_endpoint) == 0) {
            setsockopt_int (self->monitor, ZMQ_LINGER, 0);
            self->monitor_source =
                attach_socket_source (self->monitor, publisher_on_monitor, self, self->context);
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
        g_message ("%s: a subscriber's connection is unknown: closing all of them", self->endpoint);
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
            g_message ("%s: closed the connection of %s (its key is no longer valid)", self->endpoint,
                       peer->principal ? peer->principal : "(no principal)");
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
