/* test_bad_input: intake keeps serving through 100,000 random and truncated
 * frames on its command socket, and through raw garbage on both its sockets
 * below ZeroMQ. Every well-formed-in-shape request gets an error reply with a
 * stable code; the process never dies; a valid submit works afterwards. */
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <zmq.h>

#include "dbn_test_harness.h"

#define FRAMES 100000

typedef enum { RANDOM, TRUNCATED, FLIPPED, WRONG_PARTS, WRONG_TYPES } Kind;

static GBytes *
valid_submit (guint n)
{
    g_autofree char *key = g_strdup_printf ("bad-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    return dbn_msg_intake_submit_encode (m, NULL);
}

/* Sends one junk message on the DEALER; returns whether a reply is due and,
 * in *must_fail, whether that reply can only be an error (a random byte flip
 * inside a string may leave a valid submit; nothing else can). */
static gboolean
send_junk (void *dealer, GRand *rand, GBytes *template, guint i, gboolean *must_fail)
{
    guint32 id = i;
    gsize tlen = 0;
    const guint8 *t = g_bytes_get_data (template, &tlen);
    guint8 buf[512];
    gsize len = 0;
    Kind kind = g_rand_int_range (rand, 0, 5);
    *must_fail = kind != FLIPPED;
    switch (kind) {
    case RANDOM:
        len = g_rand_int_range (rand, 0, sizeof buf);
        for (gsize j = 0; j < len; j++)
            buf[j] = g_rand_int_range (rand, 0, 256);
        /* Half of them start like a map or an array header with a huge count. */
        if (len >= 5 && g_rand_boolean (rand)) {
            buf[0] = g_rand_boolean (rand) ? 0xdf : 0xdd;
        }
        break;
    case TRUNCATED:
        len = g_rand_int_range (rand, 0, (gint32) tlen);
        memcpy (buf, t, len);
        break;
    case FLIPPED:
        len = MIN (tlen, sizeof buf);
        memcpy (buf, t, len);
        for (int f = 0; f < 3; f++)
            buf[g_rand_int_range (rand, 0, (gint32) len)] ^= (guint8) g_rand_int_range (rand, 1, 256);
        break;
    case WRONG_PARTS: {
        /* One part: no id to answer to (logged, not answered). Three or four:
         * answered codec.malformed by the server, never run (issue 11). */
        if (g_rand_boolean (rand)) {
            zmq_send (dealer, t, tlen, 0);
            return FALSE;
        }
        zmq_send (dealer, &id, sizeof id, ZMQ_SNDMORE);
        zmq_send (dealer, t, tlen, ZMQ_SNDMORE);
        if (g_rand_boolean (rand))
            zmq_send (dealer, t, tlen, ZMQ_SNDMORE);
        zmq_send (dealer, t, tlen, 0);
        return TRUE;
    }
    case WRONG_TYPES: {
        /* Valid MessagePack, wrong shape: an array, a string, a map of ints. */
        static const guint8 shapes[][8] = {
            { 0x93, 0x01, 0x02, 0x03 },
            { 0xa3, 'a', 'b', 'c' },
            { 0x81, 0x01, 0x02 },
            { 0xc0 },
            { 0x82, 0xa1, 'v', 0x02, 0xa3, 'c', 'm', 'd' },
        };
        static const gsize lens[] = { 4, 4, 3, 1, 8 };
        guint s = g_rand_int_range (rand, 0, G_N_ELEMENTS (lens));
        len = lens[s];
        memcpy (buf, shapes[s], len);
        break;
    }
    }
    zmq_send (dealer, &id, sizeof id, ZMQ_SNDMORE);
    zmq_send (dealer, buf, len, 0);
    return TRUE;
}

static void
garbage_to_ipc (const char *endpoint, GRand *rand, guint connections)
{
    g_assert_true (g_str_has_prefix (endpoint, "ipc://"));
    const char *path = endpoint + strlen ("ipc://");
    for (guint c = 0; c < connections; c++) {
        g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
        g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
        if (!g_socket_connect (s, addr, NULL, NULL))
            continue;
        guint8 junk[256];
        gsize len = g_rand_int_range (rand, 1, sizeof junk);
        for (gsize j = 0; j < len; j++)
            junk[j] = g_rand_int_range (rand, 0, 256);
        /* Sometimes a real ZMTP greeting first, so the garbage hits the handshake. */
        if (g_rand_boolean (rand) && len > 11) {
            static const guint8 greeting[] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3 };
            memcpy (junk, greeting, sizeof greeting);
        }
        g_socket_send (s, (const char *) junk, len, NULL, NULL);
        g_socket_close (s, NULL);
    }
}

static void
test_intake_survives_bad_input (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    g_autofree char *pid_before = g_strdup (g_subprocess_get_identifier (intake));
    DbnConfig *config = dbn_harness_get_config (h);
    g_autoptr (GRand) rand = g_rand_new_with_seed (42);

    /* Below ZeroMQ: raw garbage on both sockets. */
    garbage_to_ipc (dbn_config_get_command_endpoint (config, "intake"), rand, 200);
    garbage_to_ipc (dbn_config_get_publish_endpoint (config, "intake"), rand, 200);

    /* A raw DEALER with the operator's key: CURVE is on, so junk must at
     * least come from an authenticated peer to reach the service. */
    void *dealer = dbn_bus_socket_new (dbn_harness_get_bus (h), ZMQ_DEALER, NULL);
    g_assert_nonnull (dealer);
    g_assert_true (dbn_bus_connect (dbn_harness_get_bus (h), dealer,
                                    dbn_config_get_command_endpoint (config, "intake"), NULL));
    g_autoptr (GBytes) template = valid_submit (1);
    guint expected = 0, must_fail = 0, replies = 0, error_replies = 0;
    g_autoptr (GHashTable) codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < FRAMES; i++) {
        gboolean fails = TRUE;
        if (send_junk (dealer, rand, template, i, &fails)) {
            expected++;
            must_fail += fails;
        }
        /* Drain as we go so neither side's queue fills. */
        zmq_msg_t id, body;
        while (TRUE) {
            zmq_msg_init (&id);
            if (zmq_msg_recv (&id, dealer, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close (&id);
                break;
            }
            zmq_msg_init (&body);
            zmq_msg_recv (&body, dealer, 0);
            DbnEnvReply env = { 0 };
            replies++;
            if (dbn_env_reply_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
                if (!env.ok) {
                    error_replies++;
                    g_hash_table_add (codes, g_strdup (env.code));
                }
                dbn_env_reply_clear (&env);
            }
            zmq_msg_close (&id);
            zmq_msg_close (&body);
        }
    }
    /* The rest of the replies. */
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (replies < expected && g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_recv (&id, dealer, 0);
        zmq_msg_init (&body);
        zmq_msg_recv (&body, dealer, 0);
        DbnEnvReply env = { 0 };
        replies++;
        if (dbn_env_reply_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
            if (!env.ok) {
                error_replies++;
                g_hash_table_add (codes, g_strdup (env.code));
            }
            dbn_env_reply_clear (&env);
        }
        zmq_msg_close (&id);
        zmq_msg_close (&body);
    }
    zmq_close (dealer);
    g_test_message ("%u junk messages, %u replies (%u errors), %u distinct codes", FRAMES, replies,
                    error_replies, g_hash_table_size (codes));
    g_assert_cmpuint (replies, ==, expected);
    /* Random flips can make a valid submit; everything else is an error. */
    g_assert_cmpuint (error_replies, >=, must_fail);
    g_assert_true (g_hash_table_contains (codes, "codec.malformed"));
    g_assert_true (g_hash_table_contains (codes, "codec.wrong-root-type"));
    g_assert_true (g_hash_table_contains (codes, "codec.missing-field"));

    /* Still the same process, still serving. */
    g_assert_cmpstr (g_subprocess_get_identifier (intake), ==, pid_before);
    g_autoptr (GBytes) good = valid_submit (999999);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", good, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) ok =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (ok->case_no, "T01-"));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
}

/* Reads one reply [id][map] on dealer within 10 s; its wire code, and the
 * id in *id_out (caller owns). */
static char *
recv_reply_code (void *dealer, GBytes **id_out)
{
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    g_assert_cmpint (zmq_poll (&item, 1, 10000), ==, 1);
    zmq_msg_t id, body;
    zmq_msg_init (&id);
    g_assert_cmpint (zmq_msg_recv (&id, dealer, 0), >=, 0);
    g_assert_true (zmq_msg_more (&id));
    zmq_msg_init (&body);
    g_assert_cmpint (zmq_msg_recv (&body, dealer, 0), >=, 0);
    g_assert_false (zmq_msg_more (&body));
    DbnEnvReply env = { 0 };
    g_assert_true (dbn_env_reply_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL));
    g_assert_false (env.ok);
    char *code = g_strdup (env.code);
    dbn_env_reply_clear (&env);
    if (id_out != NULL)
        *id_out = g_bytes_new (zmq_msg_data (&id), zmq_msg_size (&id));
    zmq_msg_close (&id);
    zmq_msg_close (&body);
    return code;
}

static void *
dealer_new (DbnHarness *h)
{
    void *dealer = dbn_bus_socket_new (dbn_harness_get_bus (h), ZMQ_DEALER, NULL);
    g_assert_nonnull (dealer);
    g_assert_true (dbn_bus_connect (dbn_harness_get_bus (h), dealer,
                                    dbn_config_get_command_endpoint (dbn_harness_get_config (h), "intake"),
                                    NULL));
    return dealer;
}

/* Issue 11: each malformed shape of request is answered with its code (or,
 * without an id to answer to, logged once a minute per principal, naming
 * it), and intake keeps serving:
 *   [id of 65..200 bytes][map]       codec.too-large, the first 64 bytes as the id
 *   [id][map][extra] / [id][a][b][c] codec.malformed
 *   [id][map over 4 MiB, under 8]    codec.too-large
 *   [map] alone                      one log line for 50 of them */
static void
test_malformed_shapes_answered (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *log = g_build_filename (dbn_harness_get_data_dir (h), "intake.log", NULL);
    dbn_harness_set_stderr_file (h, log);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    void *dealer = dealer_new (h);
    g_autoptr (GBytes) good = valid_submit (1);
    gsize glen = 0;
    const guint8 *g = g_bytes_get_data (good, &glen);

    /* A long id: answered, addressed to its first 64 bytes. */
    guint8 long_id[200];
    for (guint i = 0; i < sizeof long_id; i++)
        long_id[i] = (guint8) i;
    zmq_send (dealer, long_id, sizeof long_id, ZMQ_SNDMORE);
    zmq_send (dealer, g, glen, 0);
    g_autoptr (GBytes) id = NULL;
    g_autofree char *long_code = recv_reply_code (dealer, &id);
    g_assert_cmpstr (long_code, ==, "codec.too-large");
    g_assert_cmpuint (g_bytes_get_size (id), ==, 64);
    g_assert_cmpint (memcmp (g_bytes_get_data (id, NULL), long_id, 64), ==, 0);
    /* 64 bytes is still an id. */
    zmq_send (dealer, long_id, 64, ZMQ_SNDMORE);
    zmq_send (dealer, g, glen, 0);
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    g_assert_cmpint (zmq_poll (&item, 1, 10000), ==, 1);
    zmq_msg_t part;
    zmq_msg_init (&part);
    zmq_msg_recv (&part, dealer, 0);
    g_assert_cmpuint (zmq_msg_size (&part), ==, 64);
    zmq_msg_close (&part);
    zmq_msg_init (&part);
    zmq_msg_recv (&part, dealer, 0);
    DbnEnvReply env = { 0 };
    g_assert_true (dbn_env_reply_decode (zmq_msg_data (&part), zmq_msg_size (&part), &env, NULL));
    g_assert_true (env.ok);
    dbn_env_reply_clear (&env);
    zmq_msg_close (&part);

    /* Extra frames: answered, never run. */
    guint32 n = 7;
    zmq_send (dealer, &n, sizeof n, ZMQ_SNDMORE);
    zmq_send (dealer, g, glen, ZMQ_SNDMORE);
    zmq_send (dealer, "x", 1, 0);
    g_autofree char *extra_code = recv_reply_code (dealer, NULL);
    g_assert_cmpstr (extra_code, ==, "codec.malformed");
    zmq_send (dealer, &n, sizeof n, ZMQ_SNDMORE);
    zmq_send (dealer, "a", 1, ZMQ_SNDMORE);
    zmq_send (dealer, "b", 1, ZMQ_SNDMORE);
    zmq_send (dealer, "c", 1, 0);
    g_autofree char *four_code = recv_reply_code (dealer, NULL);
    g_assert_cmpstr (four_code, ==, "codec.malformed");

    /* A command map over the codec's 4 MiB but under the socket's 8 MiB. */
    gsize big = DBN_CODEC_MAX_FRAME + 1024;
    g_autofree guint8 *junk = g_malloc0 (big);
    zmq_send (dealer, &n, sizeof n, ZMQ_SNDMORE);
    zmq_send (dealer, junk, big, 0);
    g_autofree char *big_code = recv_reply_code (dealer, NULL);
    g_assert_cmpstr (big_code, ==, "codec.too-large");

    /* No id frame: 50 of them, then a good request on the same connection
     * (answered after them: one connection keeps its order). */
    for (guint i = 0; i < 50; i++)
        zmq_send (dealer, g, glen, 0);
    n = 8;
    zmq_send (dealer, &n, sizeof n, ZMQ_SNDMORE);
    zmq_send (dealer, g, glen, 0);
    g_assert_cmpint (zmq_poll (&item, 1, 10000), ==, 1);
    zmq_msg_init (&part);
    zmq_msg_recv (&part, dealer, 0);
    g_assert_cmpuint (zmq_msg_size (&part), ==, sizeof n);
    g_assert_cmpint (memcmp (zmq_msg_data (&part), &n, sizeof n), ==, 0);
    zmq_msg_close (&part);
    zmq_msg_init (&part);
    zmq_msg_recv (&part, dealer, 0);
    zmq_msg_close (&part);
    zmq_close (dealer);

    /* Still serving; the log names the principal once for the 50. */
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    guint unanswered = 0;
    for (guint i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], "has no request id frame") != NULL) {
            unanswered++;
            g_assert_nonnull (strstr (lines[i], "from operator"));
        }
    g_assert_cmpuint (unanswered, ==, 1);
}

/* A frame over the socket's 8 MiB: libzmq drops the connection as it reads
 * the frame's length (the client's monitor sees it go), no reply; the
 * service keeps serving other clients. */
static void
test_intake_drops_frame_over_socket_limit (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    void *dealer = dealer_new (h);
    g_assert_cmpint (zmq_socket_monitor (dealer, "inproc://bad-input-monitor", ZMQ_EVENT_DISCONNECTED), ==,
                     0);
    void *monitor = zmq_socket (dbn_bus_get_context (dbn_harness_get_bus (h)), ZMQ_PAIR);
    g_assert_cmpint (zmq_connect (monitor, "inproc://bad-input-monitor"), ==, 0);
    gsize big = 2 * DBN_CODEC_MAX_FRAME + 1024;
    g_autofree guint8 *junk = g_malloc0 (big);
    guint32 id = 1;
    zmq_send (dealer, &id, sizeof id, ZMQ_SNDMORE);
    zmq_send (dealer, junk, big, 0);
    zmq_pollitem_t items[] = { { monitor, 0, ZMQ_POLLIN, 0 }, { dealer, 0, ZMQ_POLLIN, 0 } };
    g_assert_cmpint (zmq_poll (items, 2, 10000), >=, 1);
    g_assert_true (items[0].revents & ZMQ_POLLIN);
    g_assert_false (items[1].revents & ZMQ_POLLIN); /* dropped, not answered */
    zmq_close (monitor);
    zmq_close (dealer);
    g_autoptr (GBytes) good = valid_submit (7);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", good, 5000, &error);
    g_assert_no_error (error);
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-bad-input");
    g_test_add_func ("/intake/bad-input/100k-random-and-truncated-frames", test_intake_survives_bad_input);
    g_test_add_func ("/intake/bad-input/malformed-shapes-answered-or-logged", test_malformed_shapes_answered);
    g_test_add_func ("/intake/bad-input/frame-over-socket-limit-dropped",
                     test_intake_drops_frame_over_socket_limit);
    return g_test_run ();
}
