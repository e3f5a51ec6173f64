/* dbn_audit_feed.c: a SUB on the audit service's publisher (audit/ and hb),
 * its socket monitor, a DbnCatchup on audit/ and a DbnClient for commands;
 * the same reading as dbn_connection.c's links, for one more service. */
#include "dbn_audit_feed.h"

#include <zmq.h>

#define TOPIC      "audit/"
#define SILENCE_US (3 * G_USEC_PER_SEC)
#define READ_BATCH 256

struct _DbnAuditFeed {
    DbnClient *client;       /* commands and the catchup's sys.sync */
    DbnCatchup *catchup;     /* audit/ */
    void *sub;               /* SUB: audit/ and hb */
    GSource *source;         /* reads sub */
    void *monitor;           /* sub's connection events */
    GSource *monitor_source; /* reads monitor */
    gboolean connected_once, lost;
    gint64 heard_us; /* monotonic time of the last message, 0: never */
    DbnAuditFeedEventFunc on_event;
    DbnAuditFeedGapFunc on_gap;
    gpointer user_data;
};

static gboolean
on_sub_readable (void *socket, gpointer user_data)
{
    DbnAuditFeed *self = user_data;
    for (int n = 0; n < READ_BATCH; n++) {
        g_autofree char *name = NULL;
        g_autoptr (GBytes) body = NULL;
        DbnSubRead got = dbn_subscriber_read_event (socket, &name, &body);
        if (got == DBN_SUB_READ_NONE)
            break;
        self->heard_us = g_get_monotonic_time ();
        if (got == DBN_SUB_READ_SKIPPED)
            continue;
        if (g_str_has_prefix (name, "hb")) {
            gsize size = 0;
            const guint8 *data = g_bytes_get_data (body, &size);
            g_autoptr (DbnMsgSysHeartbeat) hb = dbn_msg_sys_heartbeat_decode (data, size, NULL);
            if (hb != NULL)
                dbn_catchup_heartbeat (self->catchup, hb->env.seq);
        } else if (g_str_has_prefix (name, TOPIC)) {
            dbn_catchup_live (self->catchup, body);
        }
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_monitor_readable (void *socket, gpointer user_data)
{
    DbnAuditFeed *self = user_data;
    guint seen = dbn_bus_monitor_read (socket);
    if (seen & DBN_MONITOR_DISCONNECTED)
        self->lost = TRUE;
    if ((seen & DBN_MONITOR_CONNECTED) && self->connected_once && self->lost) {
        dbn_catchup_reconnected (self->catchup);
        self->lost = FALSE;
    }
    if (seen & DBN_MONITOR_CONNECTED)
        self->connected_once = TRUE;
    return G_SOURCE_CONTINUE;
}

static void
on_catchup_event (DbnCatchup *catchup, gint64 seq, GBytes *event, gboolean from_sync, gpointer user_data)
{
    DbnAuditFeed *self = user_data;
    self->on_event (event, from_sync, self->user_data);
}

static void
on_catchup_gap (DbnCatchup *catchup, gpointer user_data)
{
    DbnAuditFeed *self = user_data;
    if (self->on_gap != NULL)
        self->on_gap (self->user_data);
}

DbnAuditFeed *
dbn_audit_feed_new (DbnConnection *connection, DbnAuditFeedEventFunc on_event, DbnAuditFeedGapFunc on_gap,
                    gpointer user_data, GError **error)
{
    DbnConfig *config = dbn_connection_get_config (connection);
    DbnBus *bus = dbn_connection_get_bus (connection);
    const char *command = dbn_config_get_command_endpoint (config, "audit");
    const char *publish = dbn_config_get_publish_endpoint (config, "audit");
    if (command == NULL || publish == NULL) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_CONFIG, "no service 'audit' in daiban.conf");
        return NULL;
    }
    g_autoptr (DbnAuditFeed) self = g_new0 (DbnAuditFeed, 1);
    self->on_event = on_event;
    self->on_gap = on_gap;
    self->user_data = user_data;
    self->client = dbn_client_new (bus, command, error);
    if (self->client == NULL)
        return NULL;
    self->catchup = dbn_catchup_new (self->client, TOPIC, on_catchup_event, on_catchup_gap, self);
    self->sub = dbn_bus_socket_new (bus, ZMQ_SUB, error);
    if (self->sub == NULL)
        return NULL;
    zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, "hb", 2);
    zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, TOPIC, sizeof TOPIC - 1);
    /* Before the connect, so the first handshake is seen too. */
    self->monitor = dbn_bus_monitor_open (bus, self->sub, error);
    if (self->monitor == NULL)
        return NULL;
    self->monitor_source = dbn_socket_source_new (self->monitor, on_monitor_readable, self, NULL);
    g_source_attach (self->monitor_source, NULL);
    if (!dbn_bus_connect (bus, self->sub, publish, error))
        return NULL;
    self->source = dbn_socket_source_new (self->sub, on_sub_readable, self, NULL);
    g_source_attach (self->source, NULL);
    return g_steal_pointer (&self);
}

void
dbn_audit_feed_free (DbnAuditFeed *self)
{
    if (self == NULL)
        return;
    if (self->source != NULL) {
        g_source_destroy (self->source);
        g_source_unref (self->source);
    }
    if (self->monitor_source != NULL) {
        g_source_destroy (self->monitor_source);
        g_source_unref (self->monitor_source);
    }
    g_clear_pointer (&self->monitor, zmq_close);
    g_clear_pointer (&self->sub, zmq_close);
    /* The client before the catchup that sends through it (dbn_catchup.h). */
    g_clear_pointer (&self->client, dbn_client_free);
    g_clear_pointer (&self->catchup, dbn_catchup_free);
    g_free (self);
}

void
dbn_audit_feed_start (DbnAuditFeed *self, gint64 seq)
{
    dbn_catchup_set_from (self->catchup, MAX (seq, 0));
}

DbnClient *
dbn_audit_feed_get_client (DbnAuditFeed *self)
{
    return self->client;
}

gboolean
dbn_audit_feed_is_reachable (DbnAuditFeed *self)
{
    return self->heard_us != 0 && g_get_monotonic_time () - self->heard_us < SILENCE_US;
}

gint64
dbn_audit_feed_get_last (DbnAuditFeed *self)
{
    return dbn_catchup_get_last (self->catchup);
}
