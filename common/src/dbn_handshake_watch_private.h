/* dbn_handshake_watch_private.h: logs, once per peer, the clients a CURVE
 * server socket refuses in the handshake (NULL mechanism, wrong server key),
 * which never reach ZAP. See the design comment in dbn_handshake_watch.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Monitors socket (bound to endpoint, CURVE server) from a thread of its own.
 * Call it before the socket is bound, from the thread that owns the socket.
 * Returns the thread, to be joined after zmq_ctx_term (it ends when the
 * socket closes, its monitor is replaced, or the context terminates); NULL
 * when no monitor could be set (logged). */
GThread *dbn_handshake_watch_start (void *context, void *socket, const char *endpoint);

G_END_DECLS
