/* dbn_publisher.h: events, the publishing side (XPUB). Frames: docs/protocol.md. */
#pragma once

#include <glib.h>

#include "dbn_bus_context.h"

G_BEGIN_DECLS

typedef struct _DbnPublisher DbnPublisher;

/* Decides one (un)subscription. principal is the connection's User-Id and
 * key its public key (NULL without CURVE); topic is the prefix asked for,
 * NUL-free and at most DBN_PUBLISHER_TOPIC_MAX bytes. Returns the prefix to
 * grant (caller owns it), or NULL to drop the subscription. */
typedef char *(*DbnSubscriptionFunc) (const char *principal, const char *key, const char *topic,
                                      gpointer user_data);
#define DBN_PUBLISHER_TOPIC_MAX 256

/* Binds an XPUB in manual mode to endpoint (dbn_bus_bind) and attaches a
 * source reading its subscriptions to the thread-default main context: no
 * subscription takes effect until the main loop has run it past the policy.
 * There is none until dbn_publisher_set_subscription_func, and without one
 * every subscription is refused (counted in get_refused). */
DbnPublisher *dbn_publisher_new (DbnBus *bus, const char *endpoint, GError **error);
void dbn_publisher_free (DbnPublisher *self);
/* Sets the subscription policy (the service frame installs
 * dbn_auth_grant_subscription behind its key check); func NULL: back to
 * refusing every subscription. Applies to subscriptions read from then on. */
void dbn_publisher_set_subscription_func (DbnPublisher *self, DbnSubscriptionFunc func, gpointer user_data);
/* Sends [topic "/"][body]: the '/' ends every topic, so a subscription to
 * "s/a/" never matches "s/ab/". Never blocks (drops at the high-water mark:
 * consumers resync). */
void dbn_publisher_send (DbnPublisher *self, const char *topic, GBytes *body);
/* Closes the XPUB and binds a fresh one at the same endpoint, closing every
 * subscriber's connection: they reconnect, pass ZAP again and resubscribe
 * (and catch up by sys.sync), so a revoked key loses its subscriptions. The
 * fallback of dbn_publisher_cut, which closes only the revoked ones. Nothing sent after this call
 * reaches an old connection. The bind happens from the main loop once libzmq
 * has closed the old listener. */
void dbn_publisher_rebind (DbnPublisher *self);
/* TRUE while principal's key still holds. */
typedef gboolean (*DbnPeerValidFunc) (const char *principal, const char *key, gpointer user_data);
/* Shuts down (shutdown(2), libzmq keeps the fd) the connection of every
 * subscriber whose principal and key still_valid refuses, and no other: the
 * XPUB learns each connection's fd from its subscriptions (ZMQ_SRCFD). If
 * some subscriber's connection could not be located, rebinds instead.
 * Returns the connections shut down. */
guint dbn_publisher_cut (DbnPublisher *self, DbnPeerValidFunc still_valid, gpointer user_data);
/* Connections shut down by dbn_publisher_cut so far (tests, metrics). */
guint dbn_publisher_get_cuts (DbnPublisher *self);
/* Subscriptions dropped by the policy, and rebinds done (tests, metrics). */
guint64 dbn_publisher_get_refused (DbnPublisher *self);
guint dbn_publisher_get_rebinds (DbnPublisher *self);
const char *dbn_publisher_get_endpoint (DbnPublisher *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnPublisher, dbn_publisher_free)

G_END_DECLS
