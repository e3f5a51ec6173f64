/* dbn-zmq-heartbeat-stall: libzmq alone, the abort test_kill_all met once in
 * daiban-audit (README, Faults): "Assertion failed: _input_stopped
 * (src/stream_engine_base.cpp:417)", zeromq/libzmq#3937.
 *
 * An XPUB floods a SUB over ipc; both carry the bus's options
 * (common/src/dbn_bus_context.c: HWM 100,000, ZMTP heartbeat every 1 s,
 * timeout and TTL 3 s). The SUB's reader drains for a while, then stalls
 * 5 s, as a service's loop does in a long transaction: its pipe fills, the
 * engine stops reading, its own heartbeat times the connection out, and the
 * reconnect receives the old engine's "write activated", which asserts.
 *
 * Usage: dbn-zmq-heartbeat-stall [PUB SUB]  (1 or 0: heartbeat options on
 * that side; default 1 1). Exit 0 after 8 stalls without an abort; an abort
 * is the libzmq bug. Not a ctest: it aborts on the libzmq of Debian 12. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zmq.h>

#define HWM      100000
#define STALLS   8
#define STALL_US (5 * G_USEC_PER_SEC)

static void *context;
static char *endpoint;
static gint stop; /* atomic */

static void
set_options (void *socket, gboolean heartbeat)
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

static gpointer
publish (gpointer heartbeat)
{
    void *pub = zmq_socket (context, ZMQ_XPUB);
    set_options (pub, GPOINTER_TO_INT (heartbeat));
    g_assert_cmpint (zmq_bind (pub, endpoint), ==, 0);
    char body[300];
    memset (body, 'x', sizeof body);
    for (guint64 i = 0; !g_atomic_int_get (&stop); i++) {
        zmq_send (pub, "t/", 2, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (pub, body, sizeof body, ZMQ_DONTWAIT);
        char subscription[64];
        while (zmq_recv (pub, subscription, sizeof subscription, ZMQ_DONTWAIT) >= 0)
            ;
        if (i % 1000 == 0)
            g_usleep (1000);
    }
    zmq_close (pub);
    return NULL;
}

int
main (int argc, char **argv)
{
    gboolean pub_heartbeat = argc < 2 || argv[1][0] == '1';
    gboolean sub_heartbeat = argc < 3 || argv[2][0] == '1';
    g_autofree char *dir = g_dir_make_tmp ("dbn-zmq-stall-XXXXXX", NULL);
    g_assert_nonnull (dir);
    g_autofree char *path = g_build_filename (dir, "pub.ipc", NULL);
    endpoint = g_strconcat ("ipc://", path, NULL);
    context = zmq_ctx_new ();
    GThread *publisher = g_thread_new ("pub", publish, GINT_TO_POINTER (pub_heartbeat));
    void *sub = zmq_socket (context, ZMQ_SUB);
    set_options (sub, sub_heartbeat);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    g_assert_cmpint (zmq_connect (sub, endpoint), ==, 0);
    for (int round = 0; round < STALLS; round++) {
        guint64 read = 0;
        char frame[512];
        for (int k = 0; k < 200000; k++) {
            if (zmq_recv (sub, frame, sizeof frame, ZMQ_DONTWAIT) >= 0)
                read++;
            else
                g_usleep (100);
        }
        g_printerr ("round %d: %" G_GUINT64_FORMAT " frames read; stalling 5 s\n", round, read);
        g_usleep (STALL_US); /* busy elsewhere: the pipe fills, the heartbeat times out */
    }
    g_printerr ("%d stalls, no abort (heartbeat options: pub %d, sub %d)\n", STALLS, pub_heartbeat,
                sub_heartbeat);
    g_atomic_int_set (&stop, 1);
    g_thread_join (publisher);
    zmq_close (sub);
    zmq_ctx_term (context);
    g_unlink (path);
    g_rmdir (dir);
    g_free (endpoint);
    return 0;
}
