/* dbn_client.h: commands, the client side (DEALER). Frames: docs/protocol.md. */
#pragma once

#include <glib.h>

#include "dbn_bus_context.h"

G_BEGIN_DECLS

typedef struct _DbnClient DbnClient;

/* Connects a DEALER to endpoint (dbn_bus_connect; connecting never waits
 * for the peer). NULL with DBN_BUS_ERROR_INSECURE when the bus knows no
 * server key for a tcp:// or ipc:// endpoint. */
DbnClient *dbn_client_new (DbnBus *bus, const char *endpoint, GError **error);
void dbn_client_free (DbnClient *self);

/* Sends command and waits up to timeout_ms for its reply, without a main
 * loop (CLI, tests). On timeout returns NULL with DBN_ERROR_TIMEOUT naming the
 * endpoint, and reconnects the socket so a late reply cannot be taken for the
 * answer to a later call (Lazy Pirate). Caller owns the reply. */
GBytes *dbn_client_call (DbnClient *self, GBytes *command, guint timeout_ms, GError **error);

/* reply is NULL and error set on timeout. Both are borrowed for the call. */
typedef void (*DbnClientReplyFunc) (DbnClient *client, GBytes *reply, const GError *error,
                                    gpointer user_data);
/* Sends command and calls func from the thread-default main context with the
 * reply or, after timeout_ms, with DBN_ERROR_TIMEOUT (then reconnects). */
void dbn_client_send_async (DbnClient *self, GBytes *command, guint timeout_ms, DbnClientReplyFunc func,
                            gpointer user_data);

/* Pipelining for load generators: send with a caller-chosen request id, and
 * receive any reply. recv returns FALSE when nothing came within timeout_ms. */
gboolean dbn_client_send_raw (DbnClient *self, GBytes *request_id, GBytes *command, GError **error);
gboolean dbn_client_recv_raw (DbnClient *self, int timeout_ms, GBytes **request_id, GBytes **reply);
/* Drops the socket and connects a fresh one (no stale replies survive). */
void dbn_client_reconnect (DbnClient *self);
const char *dbn_client_get_endpoint (DbnClient *self);
void *dbn_client_get_socket (DbnClient *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnClient, dbn_client_free)

G_END_DECLS
