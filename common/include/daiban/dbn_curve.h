/* dbn_curve.h: the CURVE options of a daiban socket (zmq_curve(7)), below
 * both the bus (dbn_bus_context.h), which sets them, and the ZAP handler
 * (dbn_auth.h), which answers the handshakes they start.
 */
#pragma once

#include <glib.h>

#include "dbn_keys.h"

G_BEGIN_DECLS

/* zmq_msg_gets (msg, DBN_CURVE_KEY_PROPERTY): the Z85 public key the
 * connection authenticated with (DbnRequest.key). The ZAP handler attaches
 * it to every connection it admits, beside User-Id. */
#define DBN_CURVE_KEY_PROPERTY "X-Key"
/* A CURVE key: 32 bytes, 40 characters of Z85. */
#define DBN_CURVE_KEY_BYTES 32
#define DBN_CURVE_Z85_LEN   40

/* Makes socket a CURVE server with server's secret key, sets ZMQ_ZAP_DOMAIN
 * = zap_domain (not empty) and ZMQ_ZAP_ENFORCE_DOMAIN = 1, so a handshake
 * with no ZAP handler running fails instead of letting any key in. Call
 * before zmq_bind. FALSE with DBN_KEYS_ERROR_UNSUPPORTED if libzmq refuses
 * an option. */
gboolean dbn_curve_setup_server (void *socket, const DbnKeyPair *server, const char *zap_domain,
                                 GError **error);

/* Makes socket a CURVE client with client's key pair that accepts only the
 * server holding the secret of server_public_z85. Call before zmq_connect.
 * FALSE with DBN_KEYS_ERROR_UNSUPPORTED if libzmq refuses an option, or
 * DBN_KEYS_ERROR_READ when server_public_z85 is not a 40-character Z85 key. */
gboolean dbn_curve_setup_client (void *socket, const DbnKeyPair *client, const char *server_public_z85,
                                 GError **error);

G_END_DECLS
