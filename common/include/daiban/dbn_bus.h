/* dbn_bus.h: libzmq sockets driven from a GLib main loop.
 *
 * Frames on the wire (see docs/protocol.md):
 *   command  DEALER → ROUTER : [request id][MessagePack command map]
 *   reply    ROUTER → DEALER : [request id][MessagePack reply map]
 *   event    XPUB → SUB      : [topic "/"][MessagePack event map]
 * Every socket sets ZMQ_MAXMSGSIZE = DBN_CODEC_MAX_FRAME and ZMQ_LINGER = 0
 * (unsent work lives in SQLite, not in socket queues).
 *
 * One header for the whole bus; each part has its own:
 *   dbn_bus_context.h   the context, socket defaults and CURVE (DbnBus)
 *   dbn_socket_source.h a socket in a GLib main loop (DbnSocketFunc)
 *   dbn_server.h        commands, the server side (DbnServer, ROUTER)
 *   dbn_publisher.h     events, the publishing side (DbnPublisher, XPUB)
 *   dbn_client.h        commands, the client side (DbnClient, DEALER)
 */
#pragma once

#include "dbn_bus_context.h"
#include "dbn_client.h"
#include "dbn_publisher.h"
#include "dbn_server.h"
#include "dbn_socket_source.h"
