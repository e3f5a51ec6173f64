/* dbn_socket_source.c: a libzmq socket in a GLib main loop.
 *
 * Structure. A socket enters a GMainLoop
 * through DbnSocketSource: a GSource polling ZMQ_FD that decides readiness
 * from ZMQ_EVENTS, never from the fd. The fd is edge-triggered (it signals
 * "commands arrived", not "a message is waiting"), also fires for
 * writability, and reading ZMQ_EVENTS or sending on the socket can consume the
 * edge. A source that trusted the fd would miss a burst that arrived while
 * the loop was busy (the lost wakeup). Asking ZMQ_EVENTS in prepare as well as
 * in check also covers sends done by callbacks since the last poll.
 */
#define G_LOG_DOMAIN "daiban-bus"

#include "daiban/dbn_socket_source.h"

#include <errno.h>
#include <zmq.h>

typedef struct {
    GSource source;
    void *socket; /* borrowed: must outlive the source */
} DbnSocketSource;

/* TRUE when a message can be read now. Reading ZMQ_EVENTS also makes libzmq
 * process pending commands, so it is the only trustworthy answer. */
static gboolean
socket_readable (void *socket)
{
    int events = 0;
    size_t len = sizeof events;
    /* An error (context terminated) is "not readable": dispatching would spin. */
    if (zmq_getsockopt (socket, ZMQ_EVENTS, &events, &len) != 0)
        return FALSE;
    return (events & ZMQ_POLLIN) != 0;
}

static gboolean
socket_source_prepare (GSource *source, gint *timeout)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    *timeout = -1;
    /* A message left by a bounded reader, or one whose edge was consumed by
     * a send since the last poll, makes the loop skip the poll. */
    return socket_readable (self->socket);
}

static gboolean
socket_source_check (GSource *source)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    return socket_readable (self->socket);
}

static gboolean
socket_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
    DbnSocketSource *self = (DbnSocketSource *) source;
    DbnSocketFunc func = (DbnSocketFunc) (void (*) (void)) callback;
    if (func == NULL)
        return G_SOURCE_REMOVE;
    return func (self->socket, user_data);
}

static GSourceFuncs socket_source_funcs = {
    .prepare = socket_source_prepare,
    .check = socket_source_check,
    .dispatch = socket_source_dispatch,
};

GSource *
dbn_socket_source_new (void *socket, DbnSocketFunc func, gpointer user_data, GDestroyNotify notify)
{
    g_return_val_if_fail (socket != NULL, NULL);
    g_return_val_if_fail (func != NULL, NULL);

    int fd = -1;
    size_t len = sizeof fd;
    if (zmq_getsockopt (socket, ZMQ_FD, &fd, &len) != 0) {
        g_critical ("dbn_socket_source_new: ZMQ_FD: %s", zmq_strerror (errno));
        return NULL;
    }
    GSource *source = g_source_new (&socket_source_funcs, sizeof (DbnSocketSource));
    DbnSocketSource *self = (DbnSocketSource *) source;
    self->socket = socket;
    /* Only wakes the poll; readiness is decided by ZMQ_EVENTS alone. */
    g_source_add_unix_fd (source, fd, G_IO_IN);
    g_source_set_name (source, "DbnSocketSource");
    g_source_set_callback (source, G_SOURCE_FUNC (func), user_data, notify);
    return source;
}
