/* dbn-zmq-heartbeat-stall: a stalled reader against a flooding peer, the
 * abort test_kill_all met once in daiban-audit (README, Faults): "Assertion
 * failed: _input_stopped (src/stream_engine_base.cpp:417)", zeromq/libzmq#3937.
 *
 * A flooder thread floods a reader socket over ipc. The reader drains for a
 * while, then stalls 7 s (the flood pausing after 2 s), as a service's loop does in a long transaction: its
 * pipe reaches the HWM, its engine stops reading (_input_stopped). If the
 * reader's own ZMTP heartbeat timeout is armed (it sent a PING and decodes
 * nothing more), it fires after 3 s, the engine is torn down while stopped
 * and the reconnect's new engine receives the old one's "write activated"
 * when the reader drains again: the assertion. A TTL the peer announces is
 * armed only by a decoded PING and cancelled by the next decoded message, so
 * it cannot run while the input is stopped. Only a connecting socket's
 * session outlives the engine (a bound one's dies with it), so the bus sets
 * HEARTBEAT_TIMEOUT in dbn_bus_bind only (common/src/dbn_bus_context.c):
 * with the old options sub and dealer abort, router (bound) does not.
 *
 * Usage: dbn-zmq-heartbeat-stall [--kind sub|dealer|router] [--stalls N]
 *                                [--drain-ms M] [--bus | FLOODER READER]
 *   sub     an XPUB floods a SUB (a follower behind a busy publisher)
 *   dealer  a ROUTER floods a DEALER (a client behind a server's replies)
 *   router  a DEALER floods a ROUTER (a server behind a pipelining client)
 * --bus takes both sockets' options from dbn_bus_socket_new, so the ctest
 * zmq_heartbeat_stall_* checks the bus itself; without it FLOODER and READER
 * (1 or 0, default 1 1) put the old options (HWM 100,000, heartbeat IVL 1 s,
 * TIMEOUT and TTL 3 s) on that side. Exit 0 after N stalls (default 8) with
 * frames still arriving after the last one; 1 if the line went quiet; an
 * abort is the libzmq bug. The XPUB's own inbound is subscriptions only (a
 * handful per peer), so it has no stall mode: its pipe cannot fill. As in
 * daiban, ROUTER and XPUB bind, DEALER and SUB connect. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zmq.h>

#include "daiban/dbn_bus_context.h"

#define HWM 100000
/* A stall: the flood runs flat out for FILL_US (the pipe reaches the HWM
 * well within it), then pauses for the rest, as a burst ends. The pause makes the abort
 * certain instead of likely: a connection made again while the flood runs
 * stops its input at once, and a stopped engine takes the stale "write
 * activated" without complaint; a new engine that is not stopped asserts. */
#define FILL_US  (2 * G_USEC_PER_SEC)
#define STALL_US (7 * G_USEC_PER_SEC)
/* While the reader drains, the flood is paced: a burst of FLOOD_BURST
 * messages every 10 ms, under what the reader drains, so its input stops
 * only in a stall. Flat out all along, it stopped at random moments of the
 * draining too, and the abort came by chance (1 run in 3 or so). */
#define FLOOD_BURST 1000
#define READER_ID   "reader"

typedef struct {
    int flooder_type; /* binds and floods */
    int reader_type;  /* connects, drains, stalls */
} Kind;

static DbnBus *bus;
static char *endpoint;
static gboolean use_bus;
static gint stop;     /* atomic */
static gint flooding; /* atomic: FLOOD_OFF, FLOOD_PACED or FLOOD_FULL */

enum { FLOOD_OFF, FLOOD_PACED, FLOOD_FULL };

static void
set_old_options (void *socket, gboolean heartbeat)
{
    int v = HWM;
    zmq_setsockopt (socket, ZMQ_SNDHWM, &v, sizeof v);
    zmq_setsockopt (socket, ZMQ_RCVHWM, &v, sizeof v);
    v = 0;
    zmq_setsockopt (socket, ZMQ_LINGER, &v, sizeof v);
    if (!heartbeat)
        return;
    v = 1000;
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_IVL, &v, sizeof v);
    v = 3000;
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TIMEOUT, &v, sizeof v);
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TTL, &v, sizeof v);
}

static void *
socket_new (int type, gboolean heartbeat)
{
    if (!use_bus) {
        void *socket = zmq_socket (dbn_bus_get_context (bus), type);
        g_assert_nonnull (socket);
        set_old_options (socket, heartbeat);
        return socket;
    }
    g_autoptr (GError) error = NULL;
    void *socket = dbn_bus_socket_new (bus, type, &error);
    g_assert_no_error (error);
    return socket;
}

typedef struct {
    int type;
    gboolean heartbeat;
} Flooder;

/* As in daiban: the server (ROUTER) and the publisher (XPUB) bind. */
static void
connect_socket (void *socket, int type)
{
    gboolean binds = type == ZMQ_ROUTER || type == ZMQ_XPUB;
    if (use_bus) {
        /* dbn_bus_bind/connect: they set the options that differ by side. */
        g_autoptr (GError) error = NULL;
        if (binds)
            dbn_bus_bind (bus, socket, endpoint, NULL, &error);
        else
            dbn_bus_connect (bus, socket, endpoint, &error);
        g_assert_no_error (error);
        return;
    }
    if (binds)
        g_assert_cmpint (zmq_bind (socket, endpoint), ==, 0);
    else
        g_assert_cmpint (zmq_connect (socket, endpoint), ==, 0);
}

static gpointer
flood (gpointer data)
{
    Flooder *flooder = data;
    void *socket = socket_new (flooder->type, flooder->heartbeat);
    if (flooder->type == ZMQ_ROUTER) {
        /* The reader comes back under the same id after a reconnect. */
        int on = 1;
        zmq_setsockopt (socket, ZMQ_ROUTER_HANDOVER, &on, sizeof on);
    }
    connect_socket (socket, flooder->type);
    char body[300];
    memset (body, 'x', sizeof body);
    for (guint64 i = 0; !g_atomic_int_get (&stop); i++) {
        int mode = g_atomic_int_get (&flooding);
        if (mode == FLOOD_OFF) {
            g_usleep (10 * 1000);
            continue;
        }
        /* The first frame is the topic (XPUB), the peer (ROUTER) or a tag
         * (DEALER); DONTWAIT: at the HWM a frame is dropped, not waited for. */
        const char *head = flooder->type == ZMQ_ROUTER ? READER_ID : "t/";
        if (zmq_send (socket, head, strlen (head), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
            zmq_send (socket, body, sizeof body, ZMQ_DONTWAIT);
        char incoming[64];
        while (zmq_recv (socket, incoming, sizeof incoming, ZMQ_DONTWAIT) >= 0)
            ; /* subscriptions (XPUB) */
        if (mode == FLOOD_PACED && i % FLOOD_BURST == 0)
            g_usleep (10 * 1000);
    }
    zmq_close (socket);
    return NULL;
}

/* Reads for ms milliseconds; returns the frames read. */
static guint64
drain (void *socket, int ms)
{
    guint64 read = 0;
    gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
    char frame[512];
    while (g_get_monotonic_time () < until) {
        if (zmq_recv (socket, frame, sizeof frame, ZMQ_DONTWAIT) >= 0)
            read++;
        else
            g_usleep (100);
    }
    return read;
}

int
main (int argc, char **argv)
{
    g_autofree char *kind_option = NULL; /* GOption would not free a default */
    int stalls = 8;
    int drain_ms = 2000;
    GOptionEntry entries[] = {
        { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_option, "sub, dealer or router (the stalled reader)",
          "KIND" },
        { "stalls", 0, 0, G_OPTION_ARG_INT, &stalls, "stalls of 7 s (default 8)", "N" },
        { "drain-ms", 0, 0, G_OPTION_ARG_INT, &drain_ms, "reading between stalls (default 2000)", "M" },
        { "bus", 0, 0, G_OPTION_ARG_NONE, &use_bus, "both sockets from dbn_bus_socket_new", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("[FLOODER READER]");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        g_printerr ("dbn-zmq-heartbeat-stall: %s\n", error->message);
        return 2;
    }
    const char *kind_name = kind_option != NULL ? kind_option : "sub";
    Kind kind;
    if (g_str_equal (kind_name, "sub"))
        kind = (Kind){ ZMQ_XPUB, ZMQ_SUB };
    else if (g_str_equal (kind_name, "dealer"))
        kind = (Kind){ ZMQ_ROUTER, ZMQ_DEALER };
    else if (g_str_equal (kind_name, "router"))
        kind = (Kind){ ZMQ_DEALER, ZMQ_ROUTER };
    else {
        g_printerr ("dbn-zmq-heartbeat-stall: --kind is sub, dealer or router, not %s\n", kind_name);
        return 2;
    }
    Flooder flooder = { kind.flooder_type, argc < 2 || argv[1][0] == '1' };
    gboolean reader_heartbeat = argc < 3 || argv[2][0] == '1';

    g_autofree char *dir = g_dir_make_tmp ("dbn-zmq-stall-XXXXXX", NULL);
    g_assert_nonnull (dir);
    g_autofree char *path = g_build_filename (dir, "flood.ipc", NULL);
    endpoint = g_strconcat ("ipc://", path, NULL);
    bus = dbn_bus_new ();
    dbn_bus_allow_plaintext (bus); /* ipc within this process's test */
    GThread *flooder_thread = g_thread_new ("flood", flood, &flooder);
    void *reader = socket_new (kind.reader_type, reader_heartbeat);
    if (kind.reader_type == ZMQ_SUB)
        zmq_setsockopt (reader, ZMQ_SUBSCRIBE, "", 0);
    if (kind.reader_type == ZMQ_DEALER)
        zmq_setsockopt (reader, ZMQ_ROUTING_ID, READER_ID, strlen (READER_ID));
    connect_socket (reader, kind.reader_type);
    int status = 0;
    for (int round = 0; round < stalls; round++) {
        g_atomic_int_set (&flooding, FLOOD_PACED);
        guint64 read = drain (reader, drain_ms);
        g_printerr ("%s round %d: %" G_GUINT64_FORMAT " frames read; stalling 7 s\n", kind_name, round, read);
        /* Busy elsewhere: the pipe fills, a heartbeat timeout would fire. */
        g_atomic_int_set (&flooding, FLOOD_FULL);
        g_usleep (FILL_US);
        g_atomic_int_set (&flooding, FLOOD_OFF);
        g_usleep (STALL_US - FILL_US);
    }
    g_atomic_int_set (&flooding, FLOOD_PACED);
    /* The line must carry on after the stalls, reconnected or not. */
    guint64 after = drain (reader, drain_ms);
    g_printerr ("%s: %d stalls, no abort, %" G_GUINT64_FORMAT " frames read after the last (%s)\n", kind_name,
                stalls, after,
                use_bus
                    ? "the bus's options"
                    : (flooder.heartbeat ? (reader_heartbeat ? "heartbeat on both" : "heartbeat on flooder")
                                         : (reader_heartbeat ? "heartbeat on reader" : "no heartbeat")));
    if (after == 0) {
        g_printerr ("%s: nothing arrived after the last stall\n", kind_name);
        status = 1;
    }
    g_atomic_int_set (&stop, 1);
    g_thread_join (flooder_thread);
    zmq_close (reader);
    dbn_bus_free (bus);
    g_unlink (path);
    g_rmdir (dir);
    g_free (endpoint);
    return status;
}
