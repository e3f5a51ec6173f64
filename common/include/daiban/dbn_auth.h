/* dbn_auth.h: the ZAP handler (RFC 27) of a process, the bus's identity
 * from the key registry, and the principal → topic policy.
 *
 * libzmq asks the handler bound at inproc://zeromq.zap.01 in the socket's
 * context about every handshake on a socket that has a ZAP domain. DbnAuth
 * answers from the key registry (dbn_keys.h): mechanism CURVE with a
 * registered, unrevoked client key → 200 with User-Id = the principal, which
 * every message of that connection then carries (zmq_msg_gets "User-Id";
 * DbnRequest.user_id); anything else → 400. One DbnAuth per DbnBus.
 *
 * A NULL-mechanism client, or one holding the wrong server key, fails the
 * CURVE handshake inside libzmq before ZAP is asked; the server socket
 * options (dbn_curve.h) make sure of that.
 *
 * The reply also attaches the client's public key as the connection property
 * DBN_CURVE_KEY_PROPERTY, so a server can check each message's key against
 * the registry: a key revoked (or replaced) after the handshake is refused
 * on a connection that is already open.
 */
#pragma once

#include <glib.h>

#include "dbn_bus.h"
#include "dbn_config.h"
#include "dbn_curve.h"
#include "dbn_keys.h"

G_BEGIN_DECLS

/* Set to 1 (tests and benchmarks only), every daiban process runs in plain
 * text, provided every endpoint of daiban.conf is ipc:// or inproc://. */
#define DBN_AUTH_PLAINTEXT_ENV "DAIBAN_INSECURE_PLAINTEXT"

typedef struct _DbnAuth DbnAuth;

/* Loads DIR/keys/registry, starts the handler thread and returns once it
 * is bound to inproc://zeromq.zap.01 in bus's context. NULL with
 * DBN_KEYS_ERROR_UNSUPPORTED on libzmq < 4.3.4 or without CURVE, _READ
 * without a valid registry, or DBN_BUS_ERROR_ENDPOINT when the context
 * already has a ZAP handler. The registry file is re-read when it changes
 * (checked at most every 500 ms, on the next handshake), so a revocation
 * refuses new connections within a second. Caller owns the result and must
 * free it before bus. */
DbnAuth *dbn_auth_new (DbnBus *bus, const char *data_dir, GError **error);

/* Stops the thread ($TERM over its pipe) and waits for it. NULL is allowed.
 * Handshakes after this find no handler and fail (ZAP_ENFORCE_DOMAIN). */
void dbn_auth_free (DbnAuth *self);

/* Counters of answered requests, for tests and metrics (any thread). */
guint64 dbn_auth_get_accepted (DbnAuth *self);
guint64 dbn_auth_get_refused (DbnAuth *self);

/* Gives bus this process's identity: loads the secret key file key_path
 * (refusing one group or others may read, with DBN_KEYS_ERROR_INSECURE
 * naming it), and records for both endpoints of every service in config the
 * public key of service:<name> in the registry of config's data folder (a
 * revoked service gets none, so connecting to it fails closed). With
 * DBN_AUTH_PLAINTEXT_ENV=1 it allows plain text instead (FALSE with
 * DBN_BUS_ERROR_INSECURE if an endpoint is tcp://) and loads nothing. Call
 * before making sockets from bus. */
gboolean dbn_auth_setup_bus (DbnBus *bus, DbnConfig *config, const char *key_path, GError **error);

/* The default subscription policy (issue 3): the prefix principal may be
 * granted for the asked topic, or NULL. Topics end in '/' on the wire
 * (dbn_publisher_send), and restricted principals get exactly their topic:
 *   service:*, operator, and no principal (inproc, plain text) → as asked;
 *   anyone → "hb" (heartbeats) as "hb/";
 *   station:<id> → "s/<id>/", window:<id> → "q/<id>/",
 *   supervisor:<area> → "a/<area>/" (asked with or without the '/');
 *   committee → any prefix of the audit feed, "audit/…";
 *   board:<id> → "pub/" (the public board's masked rows, issue 16).
 * Caller owns the result. */
char *dbn_auth_grant_subscription (const char *principal, const char *topic);
/* dbn_auth_grant_subscription as a DbnSubscriptionFunc (key and user_data
 * unused), for dbn_publisher_set_subscription_func where nothing checks the
 * key against the registry first (tests; the service frame installs its own,
 * which does). Caller owns the result. */
char *dbn_auth_subscription_policy (const char *principal, const char *key, const char *topic,
                                    gpointer user_data);
/* The one topic a restricted principal reads ("s/qingshui/" for
 * station:qingshui, "audit/" for a committee key), or NULL for services, the
 * operator and anything else. Caller owns it. */
char *dbn_auth_dup_own_topic (const char *principal);
/* The rule of routing.queue and deadline.queue: a station, window or
 * supervisor reads only its own queue (kind "station", "window" or "area"
 * with its own id); the committee, the operator, services and no principal
 * (inproc) read any. FALSE with DBN_ERROR_FORBIDDEN otherwise. */
gboolean dbn_auth_may_read_queue (const char *principal, const char *kind, const char *id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnAuth, dbn_auth_free)

G_END_DECLS
