/* dbn_server.h: commands, the server side (ROUTER). Frames: docs/protocol.md. */
#pragma once

#include <glib.h>

#include "dbn_bus_context.h"
#include "dbn_codec.h"

G_BEGIN_DECLS

/* A server socket's ZMQ_MAXMSGSIZE (issue 11): twice the codec's frame limit
 * (DBN_CODEC_MAX_FRAME, 4 MiB), so a frame between the two reaches the server
 * and is answered codec.too-large (docs/codec.md); only a frame beyond this
 * makes libzmq drop the connection, before the server sees a byte of it. */
#define DBN_BUS_SERVER_MAX_FRAME (2 * (gint64) DBN_CODEC_MAX_FRAME)

typedef struct {
    GBytes *peer;       /* ROUTER routing id of the sender */
    GBytes *request_id; /* opaque, echoed in the reply */
    GBytes *body;       /* the command map, not yet decoded */
    char *user_id;      /* the authenticated principal (ZAP User-Id), NULL without CURVE */
    char *key;          /* the connection's CURVE public key (Z85, from ZAP), NULL without CURVE */
} DbnRequest;

void dbn_request_free (DbnRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnRequest, dbn_request_free)

typedef struct _DbnServer DbnServer;

/* Called with every well-formed request read in one dispatch (at most
 * batch_max). requests holds DbnRequest*, owned by the server: valid until
 * the function returns. Frames with the wrong number of parts never reach it. */
typedef void (*DbnServerBatchFunc) (DbnServer *server, GPtrArray *requests, gpointer user_data);

/* Binds a ROUTER to endpoint (dbn_bus_bind: CURVE unless inproc) and
 * attaches its source to the thread-default main context. NULL with
 * DBN_BUS_ERROR_ENDPOINT when the address is in use, _INSECURE without a key. */
DbnServer *dbn_server_new (DbnBus *bus, const char *endpoint, guint batch_max, DbnServerBatchFunc func,
                           gpointer user_data, GError **error);
void dbn_server_free (DbnServer *self);
/* Sends the reply for request; never blocks (a vanished peer's reply is dropped). */
void dbn_server_reply (DbnServer *self, const DbnRequest *request, GBytes *reply);
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
void dbn_server_set_refusal_func (DbnServer *self, DbnServerRefusalFunc func);
/* Malformed messages not handed to the handler (answered, logged or dropped). */
guint64 dbn_server_get_dropped (DbnServer *self);
/* The raw ROUTER socket (for security options in the CURVE issue). Borrowed. */
void *dbn_server_get_socket (DbnServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnServer, dbn_server_free)

G_END_DECLS
