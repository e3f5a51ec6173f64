/* test_topic.c: queue topics are built only from ids a principal could
 * carry, and nothing is published on any other (issue 11, the second wall
 * behind the org.ini checks at the entry points). */
#include <string.h>
#include <zmq.h>

#include "daiban/daiban.h"

#define GUARD_US (5 * G_USEC_PER_SEC)

static const char *const hostile[] = {
    "qingshui/x",
    "shiqiao/zz",
    "../../etc",
    "",
    "qing shui",
    "qingshui\n",
    "qingshui\x01",
    "qingshui/",
    "清水",
    "a.b",
    "0123456789abcdef0123456789abcdef0",
    NULL,
};

static void
test_ids (void)
{
    const char *const good[] = { "qingshui", "shiqiao", "ts-li",
                                 "qs_1",     "A",       "0123456789abcdef0123456789abcdef",
                                 NULL };
    for (guint i = 0; good[i] != NULL; i++) {
        g_assert_true (dbn_topic_id_is_valid (good[i]));
        g_autoptr (GError) error = NULL;
        g_autofree char *topic = dbn_topic_dup_queue ('s', good[i], &error);
        g_assert_no_error (error);
        g_autofree char *expected = g_strconcat ("s/", good[i], NULL);
        g_assert_cmpstr (topic, ==, expected);
        g_assert_true (dbn_topic_check (topic, NULL));
    }
    g_assert_false (dbn_topic_id_is_valid (NULL));
    for (guint i = 0; hostile[i] != NULL; i++) {
        g_assert_false (dbn_topic_id_is_valid (hostile[i]));
        const char kinds[] = { 'q', 's', 'a' };
        for (guint k = 0; k < G_N_ELEMENTS (kinds); k++) {
            g_autoptr (GError) error = NULL;
            g_autofree char *topic = dbn_topic_dup_queue (kinds[k], hostile[i], &error);
            g_assert_null (topic);
            g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
            g_clear_error (&error);
            g_autofree char *raw = g_strdup_printf ("%c/%s", kinds[k], hostile[i]);
            g_assert_false (dbn_topic_check (raw, &error));
            g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
        }
    }
    /* Topics that are no queue pass: heartbeats, the audit feed, others. */
    const char *const others[] = { "hb", "audit", "audit/x", "probe", "v/east", "", NULL };
    for (guint i = 0; others[i] != NULL; i++)
        g_assert_true (dbn_topic_check (others[i], NULL));
}

/* Publishes probes until the SUB hears one (the XPUB grants in its loop). */
static void
wait_subscribed (DbnPublisher *publisher, void *sub)
{
    g_autoptr (GBytes) probe = g_bytes_new_static ("x", 1);
    gint64 deadline = g_get_monotonic_time () + GUARD_US;
    for (;;) {
        while (g_main_context_iteration (NULL, FALSE))
            ;
        dbn_publisher_send (publisher, "probe", probe);
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 10) == 1)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
    /* Drop the probes. */
    char buf[64];
    while (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        ;
}

/* The publisher itself refuses a bad queue topic, whoever built it: a SUB
 * on everything hears the good event that follows and nothing before it. */
static void
test_publisher_refuses (void)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    DbnPublisher *publisher = dbn_publisher_new (bus, "inproc://topic-pub", &error);
    g_assert_no_error (error);
    dbn_publisher_set_subscription_func (publisher, dbn_auth_subscription_policy, NULL);
    void *sub = dbn_bus_socket_new (bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0), ==, 0);
    g_assert_cmpint (zmq_connect (sub, "inproc://topic-pub"), ==, 0);
    wait_subscribed (publisher, sub);

    g_autoptr (GBytes) body = g_bytes_new_static ("event", 5);
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*refusing to publish on*qingshui/x*");
    for (guint i = 0; hostile[i] != NULL; i++) {
        g_autofree char *topic = g_strdup_printf ("s/%s", hostile[i]);
        dbn_publisher_send (publisher, topic, body);
    }
    g_test_assert_expected_messages ();
    dbn_publisher_send (publisher, "s/qingshui", body);
    char topic[64];
    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    g_assert_cmpint (zmq_poll (&item, 1, 5000), ==, 1);
    int n = zmq_recv (sub, topic, sizeof topic, 0);
    g_assert_cmpint (n, ==, (int) strlen ("s/qingshui/"));
    g_assert_cmpint (memcmp (topic, "s/qingshui/", (size_t) n), ==, 0);
    zmq_close (sub);
    dbn_publisher_free (publisher);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/topic/issue11/ids", test_ids);
    g_test_add_func ("/topic/issue11/publisher-refuses-bad-queue-topics", test_publisher_refuses);
    return g_test_run ();
}
