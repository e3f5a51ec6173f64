/* dbn_curve.c: the CURVE options of a daiban socket (zmq_curve(7)).
 *
 * Below both the bus, which sets them on every socket it binds or connects
 * off inproc (dbn_bus_bind, dbn_bus_connect), and the ZAP handler
 * (dbn_auth.c), which answers the handshakes they start: neither needs the
 * other to make a socket secure. Every option is checked, and a server is
 * made to enforce its ZAP domain before it gets its secret key, so a socket
 * that could not be fully set up fails closed.
 */
/* The domain these lines had in dbn_auth.c: only g_return_if_fail speaks. */
#define G_LOG_DOMAIN "daiban-auth"

#include "daiban/dbn_curve.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

/* In zmq.h only under ZMQ_BUILD_DRAFT_API, but Debian's libzmq 4.3.4 (the
 * only one CI uses) is built with the draft options; setting it fails loudly
 * elsewhere rather than silently admitting every key. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

static gboolean
set_option (void *socket, int option, const void *value, size_t size, const char *name, GError **error)
{
    if (zmq_setsockopt (socket, option, value, size) == 0)
        return TRUE;
    g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_UNSUPPORTED, "libzmq refused %s: %s", name,
                 zmq_strerror (errno));
    return FALSE;
}

gboolean
dbn_curve_setup_server (void *socket, const DbnKeyPair *server, const char *zap_domain, GError **error)
{
    g_return_val_if_fail (socket != NULL, FALSE);
    g_return_val_if_fail (server != NULL, FALSE);
    g_return_val_if_fail (zap_domain != NULL && *zap_domain != '\0', FALSE);
    if (!dbn_keys_check_libzmq (error))
        return FALSE;
    int one = 1;
    const char *secret = dbn_key_pair_get_secret (server);
    /* Enforce first: from then on a handshake without a ZAP handler fails,
     * instead of libzmq's default of admitting any CURVE client (the
     * "Stonehouse" case of zmq_curve(7)). */
    return set_option (socket, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one, "ZMQ_ZAP_ENFORCE_DOMAIN", error)
           && set_option (socket, ZMQ_CURVE_SERVER, &one, sizeof one, "ZMQ_CURVE_SERVER", error)
           && set_option (socket, ZMQ_CURVE_SECRETKEY, secret, strlen (secret), "ZMQ_CURVE_SECRETKEY", error)
           && set_option (socket, ZMQ_ZAP_DOMAIN, zap_domain, strlen (zap_domain), "ZMQ_ZAP_DOMAIN", error);
}

gboolean
dbn_curve_setup_client (void *socket, const DbnKeyPair *client, const char *server_public_z85, GError **error)
{
    g_return_val_if_fail (socket != NULL, FALSE);
    g_return_val_if_fail (client != NULL, FALSE);
    if (!dbn_keys_check_libzmq (error))
        return FALSE;
    uint8_t bytes[DBN_CURVE_KEY_BYTES];
    if (server_public_z85 == NULL || strlen (server_public_z85) != DBN_CURVE_Z85_LEN
        || zmq_z85_decode (bytes, server_public_z85) == NULL) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "the server's public key is not 40 characters of Z85");
        return FALSE;
    }
    const char *public_z85 = dbn_key_pair_get_public (client);
    const char *secret = dbn_key_pair_get_secret (client);
    return set_option (socket, ZMQ_CURVE_SERVERKEY, server_public_z85, DBN_CURVE_Z85_LEN,
                       "ZMQ_CURVE_SERVERKEY", error)
           && set_option (socket, ZMQ_CURVE_PUBLICKEY, public_z85, strlen (public_z85), "ZMQ_CURVE_PUBLICKEY",
                          error)
           && set_option (socket, ZMQ_CURVE_SECRETKEY, secret, strlen (secret), "ZMQ_CURVE_SECRETKEY", error);
}
