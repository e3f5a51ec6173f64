/* dbn_bus_context.h: the process's libzmq context, its sockets and their security.
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

#include "dbn_keys.h"

G_BEGIN_DECLS

#define DBN_BUS_ERROR (dbn_bus_error_quark ())
GQuark dbn_bus_error_quark (void);

/* The codes (DbnBusError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* The ZAP domain of every daiban server socket. */
#define DBN_BUS_ZAP_DOMAIN "daiban"

typedef struct _DbnBus DbnBus;

/* One per process; owns the libzmq context. Caller owns the result. */
DbnBus *dbn_bus_new (void);
/* Closes the context: every socket made from it must be freed first. */
void dbn_bus_free (DbnBus *self);
void *dbn_bus_get_context (DbnBus *self);

/* A socket of the given ZMQ_* type with the daiban defaults set. Caller owns it (zmq_close). */
void *dbn_bus_socket_new (DbnBus *self, int type, GError **error);

/* Gives the bus this process's CURVE key pair; takes *key and sets it to
 * NULL. Servers bound from then on are CURVE servers with it (ZAP domain
 * DBN_BUS_ZAP_DOMAIN: a DbnAuth must run on this bus), clients are CURVE
 * clients presenting it. */
void dbn_bus_set_identity (DbnBus *self, DbnKeyPair **key);
/* The key pair given to set_identity, NULL before. Borrowed. */
const DbnKeyPair *dbn_bus_get_identity (DbnBus *self);
/* Records the public key (Z85) of the server at endpoint, exactly as
 * clients will spell it. Replaces an earlier one. */
void dbn_bus_add_server_key (DbnBus *self, const char *endpoint, const char *server_public_z85);
/* TESTS AND BENCHMARKS ONLY: lets a bus without an identity bind and connect
 * tcp:// and ipc:// in plain text (NULL mechanism, no ZAP, no principal).
 * A bus with an identity ignores it. */
void dbn_bus_allow_plaintext (DbnBus *self);
/* TRUE when the bus has no identity and plain text was allowed. */
gboolean dbn_bus_is_plaintext (DbnBus *self);

/* zmq_bind with the bus's security: inproc:// as is, anything else as a
 * CURVE server (or plain text when allowed). On success *bound_out (if not
 * NULL) receives the endpoint actually bound (tcp://...:* resolved); caller
 * owns it. FALSE with DBN_BUS_ERROR_INSECURE, _ENDPOINT or _SOCKET. */
gboolean dbn_bus_bind (DbnBus *self, void *socket, const char *endpoint, char **bound_out, GError **error);
/* zmq_connect with the bus's security: a CURVE client pinning the server key
 * recorded for endpoint. FALSE with DBN_BUS_ERROR_INSECURE when no key is
 * recorded for it, or _ENDPOINT. */
gboolean dbn_bus_connect (DbnBus *self, void *socket, const char *endpoint, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnBus, dbn_bus_free)

G_END_DECLS
