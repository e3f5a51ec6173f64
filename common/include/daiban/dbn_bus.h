/* dbn_bus.h: libzmq sockets driven from a GLib main loop.
 *
 * Frames on the wire (see docs/protocol.md):
 *   command  DEALER → ROUTER : [request id][MessagePack command map]
 *   reply    ROUTER → DEALER : [request id][MessagePack reply map]
 *   event    XPUB → SUB      : [topic "/"][MessagePack event map]
 * Every socket sets ZMQ_MAXMSGSIZE = DBN_CODEC_MAX_FRAME and ZMQ_LINGER = 0
 * (unsent work lives in SQLite, not in socket queues).
 *
 * Security (docs/security.md). Every endpoint that is not inproc:// runs
 * CURVE: a bus given the process's key pair (dbn_bus_set_identity) binds
 * CURVE servers and connects CURVE clients that pin the server key known for
 * the endpoint (dbn_bus_add_server_key). A bus without an identity refuses
 * to bind or connect tcp:// and ipc:// (DBN_BUS_ERROR_INSECURE) unless
 * dbn_bus_allow_plaintext was called: secure by default, so a forgotten
 * setup fails closed. Configure the bus before making sockets from it.
 */
#pragma once

#include <glib.h>

#include "dbn_codec.h"
#include "dbn_keys.h"

G_BEGIN_DECLS

#define DBN_BUS_ERROR (dbn_bus_error_quark ())
GQuark dbn_bus_error_quark (void);

/* The codes (DbnBusError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* The ZAP domain of every daiban server socket. */
#define DBN_BUS_ZAP_DOMAIN "daiban"

/* ---- the context ---- */

typedef struct _DbnBus DbnBus;

/* One per process; owns the libzmq context. Caller owns the result. */
DbnBus *dbn_bus_new (void);
/* Closes the context: every socket made from it must be freed first. */
void    dbn_bus_free (DbnBus *self);
void   *dbn_bus_get_context (DbnBus *self);

/* A socket of the given ZMQ_* type with the daiban defaults set. Caller owns it (zmq_close). */
void   *dbn_bus_socket_new (DbnBus *self, int type, GError **error);

/* ---- security ---- */

/* Gives the bus this process's CURVE key pair; takes *key and sets it to
 * NULL. Servers bound from then on are CURVE servers with it (ZAP domain
 * DBN_BUS_ZAP_DOMAIN: a DbnAuth must run on this bus), clients are CURVE
 * clients presenting it. */
void              dbn_bus_set_identity (DbnBus *self, DbnKeyPair **key);
/* The key pair given to set_identity, NULL before. Borrowed. */
const DbnKeyPair *dbn_bus_get_identity (DbnBus *self);
/* Records the public key (Z85) of the server at endpoint, exactly as
 * clients will spell it. Replaces an earlier one. */
void              dbn_bus_add_server_key (DbnBus *self, const char *endpoint,
                                          const char *server_public_z85);
/* TESTS AND BENCHMARKS ONLY: lets a bus without an identity bind and connect
 * tcp:// and ipc:// in plain text (NULL mechanism, no ZAP, no principal).
 * A bus with an identity ignores it. */
void              dbn_bus_allow_plaintext (DbnBus *self);
/* TRUE when the bus has no identity and plain text was allowed. */
gboolean          dbn_bus_is_plaintext (DbnBus *self);

/* zmq_bind with the bus's security: inproc:// as is, anything else as a
 * CURVE server (or plain text when allowed). On success *bound_out (if not
 * NULL) receives the endpoint actually bound (tcp://...:* resolved); caller
 * owns it. FALSE with DBN_BUS_ERROR_INSECURE, _ENDPOINT or _SOCKET. */
gboolean dbn_bus_bind (DbnBus *self, void *socket, const char *endpoint, char **bound_out,
                       GError **error);
/* zmq_connect with the bus's security: a CURVE client pinning the server key
 * recorded for endpoint. FALSE with DBN_BUS_ERROR_INSECURE when no key is
 * recorded for it, or _ENDPOINT. */
gboolean dbn_bus_connect (DbnBus *self, void *socket, const char *endpoint, GError **error);

/* ---- the main-loop source ---- */

/* Called from the main loop while the socket has a message to read. It reads
 * what it wants (ZMQ_DONTWAIT) and returns G_SOURCE_CONTINUE or
 * G_SOURCE_REMOVE. A reader that reads a bounded batch leaves the rest for the
 * next dispatch, so one busy socket cannot starve the loop. */
typedef gboolean (*DbnSocketFunc) (void *socket, gpointer user_data);

/* A GSource on ZMQ_FD that re-checks ZMQ_EVENTS in prepare and check (the fd
 * is edge-triggered and also fires for writability). Caller owns the source
 * and must g_source_attach() it. The socket must outlive the source. */
GSource *dbn_socket_source_new (void *socket, DbnSocketFunc func,
                                gpointer user_data, GDestroyNotify notify);

/* ---- commands: the server side (ROUTER) ---- */

/* A server socket's ZMQ_MAXMSGSIZE (issue 11): twice the codec's frame limit
 * (DBN_CODEC_MAX_FRAME, 4 MiB), so a frame between the two reaches the server
 * and is answered codec.too-large (docs/codec.md); only a frame beyond this
 * makes libzmq drop the connection, before the server sees a byte of it. */
#define DBN_BUS_SERVER_MAX_FRAME (2 * (gint64) DBN_CODEC_MAX_FRAME)

typedef struct {
    GBytes *peer;       /* ROUTER routing id of the sender */
    GBytes *request_id; /* opaque, echoed in the reply */
    GBytes *body;       /* the command map, not yet decoded */
    char   *user_id;    /* the authenticated principal (ZAP User-Id), NULL without CURVE */
    char   *key;        /* the connection's CURVE public key (Z85, from ZAP), NULL without CURVE */
} DbnRequest;

void dbn_request_free (DbnRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnRequest, dbn_request_free)

typedef struct _DbnServer DbnServer;

/* Called with every well-formed request read in one dispatch (at most
 * batch_max). requests holds DbnRequest*, owned by the server: valid until
 * the function returns. Frames with the wrong number of parts never reach it. */
typedef void (*DbnServerBatchFunc) (DbnServer *server, GPtrArray *requests,
                                    gpointer user_data);

/* Binds a ROUTER to endpoint (dbn_bus_bind: CURVE unless inproc) and
 * attaches its source to the thread-default main context. NULL with
 * DBN_BUS_ERROR_ENDPOINT when the address is in use, _INSECURE without a key. */
DbnServer *dbn_server_new (DbnBus *bus, const char *endpoint, guint batch_max,
                           DbnServerBatchFunc func, gpointer user_data,
                           GError **error);
void       dbn_server_free (DbnServer *self);
/* Sends the reply for request; never blocks (a vanished peer's reply is dropped). */
void       dbn_server_reply (DbnServer *self, const DbnRequest *request, GBytes *reply);
/* The endpoint actually bound (resolves tcp://...:* ). Borrowed. */
const char *dbn_server_get_endpoint (DbnServer *self);
/* Encodes the reply to a request the server refuses before any handler sees
 * it. Returns a new reference; must not fail. */
typedef GBytes *(*DbnServerRefusalFunc) (const GError *error);
/* With func set (the service frame sets dbn_service_error_reply), a malformed
 * request that has a request id is answered by the server itself (issue 11,
 * docs/codec.md): an id over 64 bytes or a command map over
 * DBN_CODEC_MAX_FRAME (the socket takes frames up to twice that) with
 * codec.too-large, more than two frames with codec.malformed; one frame
 * alone (no id to answer to) is logged, at most once a minute per
 * principal. Without func (the default) they are dropped and counted. */
void       dbn_server_set_refusal_func (DbnServer *self, DbnServerRefusalFunc func);
/* Malformed messages not handed to the handler (answered, logged or dropped). */
guint64    dbn_server_get_dropped (DbnServer *self);
/* The raw ROUTER socket (for security options in the CURVE issue). Borrowed. */
void      *dbn_server_get_socket (DbnServer *self);

/* ---- events: the publishing side ---- */

typedef struct _DbnPublisher DbnPublisher;

/* Decides one (un)subscription. principal is the connection's User-Id and
 * key its public key (NULL without CURVE); topic is the prefix asked for,
 * NUL-free and at most DBN_PUBLISHER_TOPIC_MAX bytes. Returns the prefix to
 * grant (caller owns it), or NULL to drop the subscription. */
typedef char *(*DbnSubscriptionFunc) (const char *principal, const char *key,
                                      const char *topic, gpointer user_data);
#define DBN_PUBLISHER_TOPIC_MAX 256

/* Binds an XPUB in manual mode to endpoint (dbn_bus_bind) and attaches a
 * source reading its subscriptions to the thread-default main context: no
 * subscription takes effect until the main loop has run it past the policy,
 * which is dbn_auth_grant_subscription until set_subscription_func. */
DbnPublisher *dbn_publisher_new (DbnBus *bus, const char *endpoint, GError **error);
void          dbn_publisher_free (DbnPublisher *self);
/* Replaces the subscription policy (func NULL: back to the default). */
void          dbn_publisher_set_subscription_func (DbnPublisher *self, DbnSubscriptionFunc func,
                                                   gpointer user_data);
/* Sends [topic "/"][body]: the '/' ends every topic, so a subscription to
 * "s/a/" never matches "s/ab/". Never blocks (drops at the high-water mark:
 * consumers resync). */
void          dbn_publisher_send (DbnPublisher *self, const char *topic, GBytes *body);
/* Closes the XPUB and binds a fresh one at the same endpoint, closing every
 * subscriber's connection: they reconnect, pass ZAP again and resubscribe
 * (and catch up by sys.sync), so a revoked key loses its subscriptions. The
 * fallback of dbn_publisher_cut, which closes only the revoked ones. Nothing sent after this call
 * reaches an old connection. The bind happens from the main loop once libzmq
 * has closed the old listener. */
void          dbn_publisher_rebind (DbnPublisher *self);
/* TRUE while principal's key still holds. */
typedef gboolean (*DbnPeerValidFunc) (const char *principal, const char *key, gpointer user_data);
/* Shuts down (shutdown(2), libzmq keeps the fd) the connection of every
 * subscriber whose principal and key still_valid refuses, and no other: the
 * XPUB learns each connection's fd from its subscriptions (ZMQ_SRCFD). If
 * some subscriber's connection could not be located, rebinds instead.
 * Returns the connections shut down. */
guint         dbn_publisher_cut (DbnPublisher *self, DbnPeerValidFunc still_valid,
                                 gpointer user_data);
/* Connections shut down by dbn_publisher_cut so far (tests, metrics). */
guint         dbn_publisher_get_cuts (DbnPublisher *self);
/* Subscriptions dropped by the policy, and rebinds done (tests, metrics). */
guint64       dbn_publisher_get_refused (DbnPublisher *self);
guint         dbn_publisher_get_rebinds (DbnPublisher *self);
const char   *dbn_publisher_get_endpoint (DbnPublisher *self);

/* ---- commands: the client side (DEALER) ---- */

typedef struct _DbnClient DbnClient;

/* Connects a DEALER to endpoint (dbn_bus_connect; connecting never waits
 * for the peer). NULL with DBN_BUS_ERROR_INSECURE when the bus knows no
 * server key for a tcp:// or ipc:// endpoint. */
DbnClient *dbn_client_new (DbnBus *bus, const char *endpoint, GError **error);
void       dbn_client_free (DbnClient *self);

/* Sends command and waits up to timeout_ms for its reply, without a main
 * loop (CLI, tests). On timeout returns NULL with DBN_ERROR_TIMEOUT naming the
 * endpoint, and reconnects the socket so a late reply cannot be taken for the
 * answer to a later call (Lazy Pirate). Caller owns the reply. */
GBytes    *dbn_client_call (DbnClient *self, GBytes *command, guint timeout_ms,
                            GError **error);

/* reply is NULL and error set on timeout. Both are borrowed for the call. */
typedef void (*DbnClientReplyFunc) (DbnClient *client, GBytes *reply,
                                    const GError *error, gpointer user_data);
/* Sends command and calls func from the thread-default main context with the
 * reply or, after timeout_ms, with DBN_ERROR_TIMEOUT (then reconnects). */
void       dbn_client_send_async (DbnClient *self, GBytes *command, guint timeout_ms,
                                  DbnClientReplyFunc func, gpointer user_data);

/* Pipelining for load generators: send with a caller-chosen request id, and
 * receive any reply. recv returns FALSE when nothing came within timeout_ms. */
gboolean   dbn_client_send_raw (DbnClient *self, GBytes *request_id, GBytes *command,
                                GError **error);
gboolean   dbn_client_recv_raw (DbnClient *self, int timeout_ms,
                                GBytes **request_id, GBytes **reply);
/* Drops the socket and connects a fresh one (no stale replies survive). */
void       dbn_client_reconnect (DbnClient *self);
const char *dbn_client_get_endpoint (DbnClient *self);
void      *dbn_client_get_socket (DbnClient *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnBus, dbn_bus_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnServer, dbn_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnPublisher, dbn_publisher_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnClient, dbn_client_free)

G_END_DECLS
