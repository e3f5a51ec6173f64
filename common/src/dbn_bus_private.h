/* dbn_bus_private.h: what the bus's files share (dbn_bus_context.c,
 * dbn_socket_source.c, dbn_server.c, dbn_publisher.c, dbn_client.c): the
 * small helpers between zmq_msg_t and GBytes, and attaching a socket source.
 * Not installed: nothing outside common/src includes it. They are static
 * inline, as they were static in dbn_bus.c, so the split changed no call and
 * the library exports no unprefixed names. Rejected: one more .c of
 * dbn_bus_-prefixed helpers (a rename of every call site for six functions
 * of a few lines each).
 */
#pragma once

#include <glib.h>
#include <zmq.h>

#include "daiban/dbn_socket_source.h"

G_BEGIN_DECLS

static inline void
msg_free (gpointer data)
{
    zmq_msg_t *msg = data;
    zmq_msg_close (msg);
    g_free (msg);
}

/* Moves msg into a GBytes without copying the payload. msg is left empty. */
static inline GBytes *
bytes_steal_msg (zmq_msg_t *msg)
{
    zmq_msg_t *owned = g_new (zmq_msg_t, 1);
    zmq_msg_init (owned);
    zmq_msg_move (owned, msg);
    /* For small messages the data lives inside the zmq_msg_t itself; owned
     * is on the heap and never moves again, so the pointer stays valid. */
    return g_bytes_new_with_free_func (zmq_msg_data (owned), zmq_msg_size (owned), msg_free, owned);
}

static inline GBytes *
bytes_copy_msg (zmq_msg_t *msg)
{
    return g_bytes_new (zmq_msg_data (msg), zmq_msg_size (msg));
}

/* zmq_send of a GBytes (copied: see dbn_server.c's design comment). */
static inline int
send_bytes (void *socket, GBytes *bytes, int flags)
{
    gsize size = 0;
    const void *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
    return zmq_send (socket, size > 0 ? data : "", size, flags);
}

/* Reads the rest of a multipart message and throws it away. */
static inline void
drain_parts (void *socket)
{
    int more = 1;
    size_t len = sizeof more;
    while (zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        int rc = zmq_msg_recv (&part, socket, ZMQ_DONTWAIT);
        zmq_msg_close (&part);
        /* Parts of a message arrive together, so this cannot wait; stop on
         * any error rather than spin. */
        if (rc < 0)
            break;
        len = sizeof more;
    }
}

static inline gboolean
setsockopt_int (void *socket, int option, int value)
{
    return zmq_setsockopt (socket, option, &value, sizeof value) == 0;
}

/* Attaches a socket source to the thread-default context. Caller owns a ref. */
static inline GSource *
attach_socket_source (void *socket, DbnSocketFunc func, gpointer user_data, GMainContext *context)
{
    GSource *source = dbn_socket_source_new (socket, func, user_data, NULL);
    g_source_attach (source, context);
    return source;
}

G_END_DECLS
