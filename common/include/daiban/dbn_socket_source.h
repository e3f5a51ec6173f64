/* dbn_socket_source.h: a libzmq socket in a GLib main loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called from the main loop while the socket has a message to read. It reads
 * what it wants (ZMQ_DONTWAIT) and returns G_SOURCE_CONTINUE or
 * G_SOURCE_REMOVE. A reader that reads a bounded batch leaves the rest for the
 * next dispatch, so one busy socket cannot starve the loop. */
typedef gboolean (*DbnSocketFunc) (void *socket, gpointer user_data);

/* A GSource on ZMQ_FD that re-checks ZMQ_EVENTS in prepare and check (the fd
 * is edge-triggered and also fires for writability). Caller owns the source
 * and must g_source_attach() it. The socket must outlive the source. */
GSource *dbn_socket_source_new (void *socket, DbnSocketFunc func, gpointer user_data, GDestroyNotify notify);

G_END_DECLS
