/* dbn_connection.c: CURVE clients and subscribers of one principal.
 *
 * Structure: one DbnBus with the principal's identity (dbn_auth_setup_bus,
 * as the CLI does), one DbnClient per service for commands, and one SUB
 * socket per service. Every SUB takes "hb" (heartbeats, granted to anyone);
 * routing's also takes the topics the views ask for. Liveness is the
 * heartbeat: a service heard within 3 s is reachable. A 500 ms timer turns
 * that into the "online" property and, when routing becomes reachable after
 * being silent (first start, restart, network back), emits ::resync so the
 * queue views ask for a new snapshot: seqs on one filtered topic are not
 * consecutive, so a lost event cannot be seen as a gap (docs/routing.md).
 *
 * Deadline's publisher is a third SUB on the same topics: its events go out
 * as ::deadline-event (its seqs are its own journal's, never mixed with
 * routing's), and ::deadline-resync when it becomes reachable.
 *
 * No event lost (issue 11). Each subscribed topic of routing and deadline
 * has a DbnCatchup: live events pass through it, and it fills what the SUB
 * missed from the service's scoped sys.sync, in seq order. A socket monitor
 * on each SUB says when a connection ended and a new one completed its
 * handshake (a restart, a network cut, a publisher that closed every
 * connection); the catchup then syncs from the last event it delivered at
 * the next heartbeat. A heartbeat whose seq is past what the catchup last
 * verified, on a quiet topic, also makes it sync: that finds what a
 * high-water mark dropped without a disconnect. The views give the position
 * (dbn_connection_catch_up_from, the seq of their snapshot); a hole in the
 * middle of what was delivered (which applying late would reorder) comes
 * back to them as ::resync / ::deadline-resync, a fresh snapshot.
 *
 * Rejected: ZMQ socket monitors for liveness. They report the TCP link, not
 * a service that answers; a heartbeat is what the services promise. The
 * monitor only says when to catch up.
 */
#include "dbn_connection.h"
#include "dbn_commands.h"

#include <string.h>
#include <glib/gi18n.h>
#include <zmq.h>

#define SILENCE_US (3 * G_USEC_PER_SEC)
#define READ_BATCH 256

/* The services the client talks to. Evaluation takes the station's and the
 * window's ratings through the outbox (D-EV-1); its events are not read yet. */
static const char *const services[] = { "intake", "routing", "deadline", "evaluation", "audit", NULL };
enum { INTAKE, ROUTING, DEADLINE, EVALUATION, AUDIT, N_SERVICES };

typedef struct {
    DbnClient *client;       /* commands */
    void *sub;               /* SUB socket: hb, and topics for routing */
    GSource *source;         /* main-loop source on sub */
    void *monitor;           /* PAIR: sub's connection events, NULL if none */
    GSource *monitor_source; /* reads monitor */
    gboolean connected_once; /* a handshake completed before */
    guint reconnects;        /* handshakes after a lost connection */
    gboolean lost;           /* a connection ended since */
    GPtrArray *catchups;     /* DbnCatchup*, one per subscribed topic */
    gint64 heard_us;         /* monotonic time of the last message, 0 never */
    gboolean reachable;      /* as of the last tick */
} Link;

struct _DbnConnection {
    GObject parent_instance;
    char *data_dir;        /* the data folder */
    DbnConfig *config;     /* its daiban.conf */
    DbnCatalog *catalog;   /* the matter catalog the config names */
    DbnOrg *org;           /* org.ini, NULL when unreadable */
    DbnCalendar *calendar; /* working days, NULL when unreadable */
    DbnClock *clock;       /* today (DAIBAN_CLOCK_FILE or the wall) */
    DbnBus *bus;           /* with the principal's identity */
    char *principal;       /* e.g. station:qingshui */
    char *key_path;        /* the secret key file acted with (a leader's .sign is beside it) */
    Link links[N_SERVICES];
    guint tick_id;   /* 500 ms liveness timer */
    guint recovered; /* events the catchups brought from sys.sync */
    gboolean online; /* intake and routing both reachable */
};

G_DEFINE_TYPE (DbnConnection, dbn_connection, G_TYPE_OBJECT)

enum { PROP_0, PROP_ONLINE, N_PROPS };
static GParamSpec *props[N_PROPS];
enum { SIGNAL_EVENT, SIGNAL_RESYNC, SIGNAL_STATUS, SIGNAL_DEADLINE_EVENT, SIGNAL_DEADLINE_RESYNC, N_SIGNALS };
static guint signals[N_SIGNALS];

static int
service_index (const char *service)
{
    for (int i = 0; services[i] != NULL; i++)
        if (g_strcmp0 (services[i], service) == 0)
            return i;
    return -1;
}

static gboolean
on_sub_readable (void *socket, gpointer user_data)
{
    DbnConnection *self = user_data;
    int index = socket == self->links[INTAKE].sub     ? INTAKE
                : socket == self->links[ROUTING].sub  ? ROUTING
                : socket == self->links[DEADLINE].sub ? DEADLINE
                : socket == self->links[AUDIT].sub    ? AUDIT
                                                      : EVALUATION;
    for (int n = 0; n < READ_BATCH; n++) {
        g_autofree char *name = NULL;
        g_autoptr (GBytes) body = NULL;
        /* The same reading as a service's subscriber (dbn_subscriber.h). */
        DbnSubRead got = dbn_subscriber_read_event (socket, &name, &body);
        if (got == DBN_SUB_READ_NONE)
            break;
        self->links[index].heard_us = g_get_monotonic_time ();
        if (got == DBN_SUB_READ_SKIPPED)
            continue;
        GPtrArray *catchups = self->links[index].catchups;
        if (g_str_has_prefix (name, "hb")) {
            gsize size = 0;
            const guint8 *data = g_bytes_get_data (body, &size);
            g_autoptr (DbnMsgSysHeartbeat) hb = dbn_msg_sys_heartbeat_decode (data, size, NULL);
            for (guint i = 0; hb != NULL && i < catchups->len; i++)
                dbn_catchup_heartbeat (g_ptr_array_index (catchups, i), hb->env.seq);
        } else if (index != INTAKE) {
            /* Through the topic's catchup, which emits it in order. */
            for (guint i = 0; i < catchups->len; i++) {
                DbnCatchup *c = g_ptr_array_index (catchups, i);
                if (g_str_has_prefix (name, dbn_catchup_get_topic (c))) {
                    dbn_catchup_live (c, body);
                    break;
                }
            }
        }
    }
    return G_SOURCE_CONTINUE;
}

/* A connection of a SUB ended, or a new one is up: the catchups of its link
 * sync at the next heartbeat. */
static gboolean
on_monitor_readable (void *socket, gpointer user_data)
{
    DbnConnection *self = user_data;
    for (int i = 0; i < N_SERVICES; i++) {
        Link *l = &self->links[i];
        if (l->monitor != socket)
            continue;
        guint seen = dbn_bus_monitor_read (socket);
        if (seen & DBN_MONITOR_DISCONNECTED)
            l->lost = TRUE;
        if ((seen & DBN_MONITOR_CONNECTED) && l->connected_once && l->lost) {
            g_debug ("%s: subscriber reconnected: catching up", services[i]);
            for (guint k = 0; k < l->catchups->len; k++)
                dbn_catchup_reconnected (g_ptr_array_index (l->catchups, k));
            l->lost = FALSE;
            l->reconnects++;
        }
        if (seen & DBN_MONITOR_CONNECTED)
            l->connected_once = TRUE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
tick (gpointer user_data)
{
    DbnConnection *self = user_data;
    gint64 now = g_get_monotonic_time ();
    gboolean changed = FALSE, routing_back = FALSE, deadline_back = FALSE;
    for (int i = 0; i < N_SERVICES; i++) {
        Link *l = &self->links[i];
        gboolean reachable = l->heard_us != 0 && now - l->heard_us < SILENCE_US;
        if (reachable != l->reachable) {
            changed = TRUE;
            if (i == ROUTING && reachable)
                routing_back = TRUE;
            if (i == DEADLINE && reachable)
                deadline_back = TRUE;
        }
        l->reachable = reachable;
    }
    gboolean online = self->links[INTAKE].reachable && self->links[ROUTING].reachable;
    if (online != self->online) {
        self->online = online;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ONLINE]);
    }
    if (changed)
        g_signal_emit (self, signals[SIGNAL_STATUS], 0);
    if (routing_back)
        g_signal_emit (self, signals[SIGNAL_RESYNC], 0);
    if (deadline_back)
        g_signal_emit (self, signals[SIGNAL_DEADLINE_RESYNC], 0);
    return G_SOURCE_CONTINUE;
}

static void
dbn_connection_dispose (GObject *object)
{
    DbnConnection *self = DBN_CONNECTION (object);
    g_clear_handle_id (&self->tick_id, g_source_remove);
    for (int i = 0; i < N_SERVICES; i++) {
        Link *l = &self->links[i];
        if (l->source != NULL) {
            g_source_destroy (l->source);
            g_clear_pointer (&l->source, g_source_unref);
        }
        if (l->monitor_source != NULL) {
            g_source_destroy (l->monitor_source);
            g_clear_pointer (&l->monitor_source, g_source_unref);
        }
        g_clear_pointer (&l->monitor, zmq_close);
        g_clear_pointer (&l->sub, zmq_close);
        /* The client before the catchups that send through it (dbn_catchup.h). */
        g_clear_pointer (&l->client, dbn_client_free);
        g_clear_pointer (&l->catchups, g_ptr_array_unref);
    }
    G_OBJECT_CLASS (dbn_connection_parent_class)->dispose (object);
}

static void
dbn_connection_finalize (GObject *object)
{
    DbnConnection *self = DBN_CONNECTION (object);
    g_clear_pointer (&self->bus, dbn_bus_free);
    g_clear_pointer (&self->config, dbn_config_free);
    g_clear_pointer (&self->catalog, dbn_catalog_free);
    g_clear_pointer (&self->org, dbn_org_free);
    g_clear_pointer (&self->calendar, dbn_calendar_free);
    g_clear_pointer (&self->clock, dbn_clock_free);
    g_free (self->data_dir);
    g_free (self->principal);
    g_free (self->key_path);
    G_OBJECT_CLASS (dbn_connection_parent_class)->finalize (object);
}

static void
dbn_connection_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    DbnConnection *self = DBN_CONNECTION (object);
    switch (id) {
    case PROP_ONLINE: g_value_set_boolean (value, self->online); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
dbn_connection_class_init (DbnConnectionClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    object_class->dispose = dbn_connection_dispose;
    object_class->finalize = dbn_connection_finalize;
    object_class->get_property = dbn_connection_get_property;
    props[PROP_ONLINE] =
        g_param_spec_boolean ("online", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
    /* ::event (topic, body): an event on a subscribed topic of routing. */
    signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
    /* ::resync: routing became reachable; queues should take a new snapshot. */
    signals[SIGNAL_RESYNC] = g_signal_new ("resync", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 0);
    /* ::status-changed: some service's reachability changed. */
    signals[SIGNAL_STATUS] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 0);
    /* ::deadline-event (topic, body): an event on a subscribed topic of deadline. */
    signals[SIGNAL_DEADLINE_EVENT] =
        g_signal_new ("deadline-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
    /* ::deadline-resync: deadline became reachable; due columns take a new snapshot. */
    signals[SIGNAL_DEADLINE_RESYNC] = g_signal_new ("deadline-resync", G_TYPE_FROM_CLASS (klass),
                                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
dbn_connection_init (DbnConnection *self)
{
}

static gboolean
link_open (DbnConnection *self, int index, GError **error)
{
    Link *l = &self->links[index];
    const char *command = dbn_config_get_command_endpoint (self->config, services[index]);
    const char *publish = dbn_config_get_publish_endpoint (self->config, services[index]);
    if (command == NULL || publish == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "no service '%s' in daiban.conf", services[index]);
        return FALSE;
    }
    l->client = dbn_client_new (self->bus, command, error);
    if (l->client == NULL)
        return FALSE;
    l->catchups = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_catchup_free);
    l->sub = dbn_bus_socket_new (self->bus, ZMQ_SUB, error);
    if (l->sub == NULL)
        return FALSE;
    zmq_setsockopt (l->sub, ZMQ_SUBSCRIBE, "hb", 2);
    /* Before the connect, so the first handshake is seen too. */
    l->monitor = dbn_bus_monitor_open (self->bus, l->sub, error);
    if (l->monitor == NULL)
        return FALSE;
    l->monitor_source = dbn_socket_source_new (l->monitor, on_monitor_readable, self, NULL);
    g_source_attach (l->monitor_source, NULL);
    if (!dbn_bus_connect (self->bus, l->sub, publish, error))
        return FALSE;
    l->source = dbn_socket_source_new (l->sub, on_sub_readable, self, NULL);
    g_source_attach (l->source, NULL);
    return TRUE;
}

/* The calendar the deadline service reads, as `daiban calendar` finds it. */
static DbnCalendar *
load_calendar (DbnConnection *self)
{
    const char *set = dbn_config_get_setting (self->config, "deadline", "calendar");
    g_autofree char *path = NULL;
    if (set != NULL && *set != '\0')
        path = g_path_is_absolute (set) ? g_strdup (set) : g_build_filename (self->data_dir, set, NULL);
    else
        path = dbn_calendar_dup_default_path (self->data_dir);
    g_autoptr (GError) error = NULL;
    DbnCalendar *calendar = dbn_calendar_load (path, &error);
    if (calendar == NULL)
        g_message ("no working-day calendar, due dates shown without days: %s", error->message);
    return calendar;
}

DbnConnection *
dbn_connection_new (const char *data_dir, const char *key_path, GError **error)
{
    g_return_val_if_fail (data_dir != NULL && key_path != NULL, NULL);
    g_autoptr (DbnConnection) self = g_object_new (DBN_TYPE_CONNECTION, NULL);
    self->data_dir = g_strdup (data_dir);
    self->config = dbn_config_load (data_dir, error);
    if (self->config == NULL)
        return NULL;
    self->catalog = dbn_catalog_load (dbn_config_get_catalog_path (self->config), error);
    if (self->catalog == NULL)
        return NULL;
    /* The org only names things (stations' villages, windows); without it
     * the client still works with ids. */
    self->org = dbn_org_load (dbn_org_default_path (), NULL);
    self->calendar = load_calendar (self);
    self->clock = dbn_clock_new_from_env ();
    self->bus = dbn_bus_new ();
    if (!dbn_auth_setup_bus (self->bus, self->config, key_path, error))
        return NULL;
    const DbnKeyPair *identity = dbn_bus_get_identity (self->bus);
    /* Plain text (tests only) has no identity: act as the operator. */
    self->principal = g_strdup (identity ? dbn_key_pair_get_principal (identity) : "operator");
    self->key_path = g_strdup (key_path);
    for (int i = 0; i < N_SERVICES; i++) {
        /* A daiban.conf from before the deadline service: no due column; from
         * before evaluation: no ratings sent. */
        if ((i == DEADLINE || i == EVALUATION || i == AUDIT)
            && dbn_config_get_command_endpoint (self->config, services[i]) == NULL)
            continue;
        if (!link_open (self, i, error))
            return NULL;
    }
    self->tick_id = g_timeout_add (500, tick, self);
    return g_steal_pointer (&self);
}

const char *
dbn_connection_get_key_path (DbnConnection *self)
{
    return self->key_path;
}

const char *
dbn_connection_get_principal (DbnConnection *self)
{
    return self->principal;
}
const char *
dbn_connection_get_data_dir (DbnConnection *self)
{
    return self->data_dir;
}
DbnCatalog *
dbn_connection_get_catalog (DbnConnection *self)
{
    return self->catalog;
}
DbnBus *
dbn_connection_get_bus (DbnConnection *self)
{
    return self->bus;
}
DbnConfig *
dbn_connection_get_config (DbnConnection *self)
{
    return self->config;
}
DbnOrg *
dbn_connection_get_org (DbnConnection *self)
{
    return self->org;
}
DbnCalendar *
dbn_connection_get_calendar (DbnConnection *self)
{
    return self->calendar;
}

void
dbn_connection_get_today (DbnConnection *self, GDate *today)
{
    g_autoptr (GDateTime) now = dbn_clock_dup_local_now (self->clock);
    g_date_clear (today, 1);
    g_date_set_dmy (today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                    g_date_time_get_year (now));
}
gboolean
dbn_connection_get_online (DbnConnection *self)
{
    return self->online;
}

gboolean
dbn_connection_is_reachable (DbnConnection *self, const char *service)
{
    int i = service_index (service);
    return i >= 0 && self->links[i].reachable;
}

char *
dbn_connection_dup_status_text (DbnConnection *self)
{
    /* Marks, not colours only: a clerk with colour blindness reads them too. */
    return g_strdup_printf (
        "%s %s  %s %s  %s %s  %s %s", _ ("受理"), self->links[INTAKE].reachable ? "●" : "○", _ ("流转"),
        self->links[ROUTING].reachable ? "●" : "○", _ ("时限"), self->links[DEADLINE].reachable ? "●" : "○",
        _ ("评价"), self->links[EVALUATION].reachable ? "●" : "○");
}

static void
on_catchup_event (DbnCatchup *catchup, gint64 seq, GBytes *event, gboolean from_sync, gpointer user_data)
{
    DbnConnection *self = user_data;
    gboolean routing = g_ptr_array_find (self->links[ROUTING].catchups, catchup, NULL);
    if (from_sync)
        self->recovered++;
    g_signal_emit (self, signals[routing ? SIGNAL_EVENT : SIGNAL_DEADLINE_EVENT], 0,
                   dbn_catchup_get_topic (catchup), event);
}

static void
on_catchup_gap (DbnCatchup *catchup, gpointer user_data)
{
    DbnConnection *self = user_data;
    gboolean routing = g_ptr_array_find (self->links[ROUTING].catchups, catchup, NULL);
    g_signal_emit (self, signals[routing ? SIGNAL_RESYNC : SIGNAL_DEADLINE_RESYNC], 0);
}

static void
link_subscribe (DbnConnection *self, int index, const char *topic)
{
    Link *l = &self->links[index];
    if (l->sub == NULL)
        return;
    for (guint i = 0; i < l->catchups->len; i++)
        if (g_strcmp0 (dbn_catchup_get_topic (g_ptr_array_index (l->catchups, i)), topic) == 0)
            return;
    zmq_setsockopt (l->sub, ZMQ_SUBSCRIBE, topic, strlen (topic));
    g_ptr_array_add (l->catchups, dbn_catchup_new (l->client, topic, on_catchup_event, on_catchup_gap, self));
}

void
dbn_connection_subscribe (DbnConnection *self, const char *topic)
{
    g_return_if_fail (DBN_IS_CONNECTION (self) && topic != NULL);
    link_subscribe (self, ROUTING, topic);
    link_subscribe (self, DEADLINE, topic);
}

void
dbn_connection_catch_up_from (DbnConnection *self, const char *service, gint64 seq)
{
    g_return_if_fail (DBN_IS_CONNECTION (self));
    int i = service_index (service);
    if (i < 0 || self->links[i].catchups == NULL)
        return;
    for (guint k = 0; k < self->links[i].catchups->len; k++)
        dbn_catchup_set_from (g_ptr_array_index (self->links[i].catchups, k), MAX (seq, 0));
}

guint
dbn_connection_get_recovered (DbnConnection *self)
{
    return self->recovered;
}

guint
dbn_connection_get_reconnects (DbnConnection *self, const char *service)
{
    int i = service_index (service);
    return i >= 0 ? self->links[i].reconnects : 0;
}

typedef struct {
    GTask *task; /* owned; its source object is the connection */
    int index;   /* the service called */
} Call;

static void
on_call_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    Call *call = user_data;
    g_autoptr (GTask) task = call->task;
    int index = call->index;
    g_free (call);
    if (reply == NULL) {
        g_task_return_error (task, g_error_copy (error));
        return;
    }
    /* An answer proves the service is there, as a heartbeat does: the
     * header and the banner need not wait for the next one. */
    DbnConnection *self = g_task_get_source_object (task);
    self->links[index].heard_us = g_get_monotonic_time ();
    tick (self);
    GError *refused = NULL;
    if (!dbn_reply_check (reply, &refused)) {
        if (refused->domain != DBN_CODEC_ERROR) {
            /* The person's line now (dbn_error_line): one language, from
             * the reply's own code and sentences. */
            DbnEnvReply env = { 0 };
            if (dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, NULL)) {
                g_free (refused->message);
                refused->message = dbn_error_dup_line (env.code, env.msg_zh, env.msg_en, dbn_ui_is_english (),
                                                       g_strcmp0 (env.code, "internal") == 0);
            }
            dbn_env_reply_clear (&env);
        }
        g_task_return_error (task, refused);
        return;
    }
    g_task_return_pointer (task, g_bytes_ref (reply), (GDestroyNotify) g_bytes_unref);
}

void
dbn_connection_call_async (DbnConnection *self, const char *service, GBytes *command, guint timeout_ms,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail (DBN_IS_CONNECTION (self) && command != NULL);
    GTask *task = g_task_new (self, NULL, callback, user_data);
    int i = service_index (service);
    if (i < 0 || self->links[i].client == NULL) {
        g_task_return_new_error (task, DBN_ERROR, DBN_ERROR_CONFIG, "no service '%s'", service);
        g_object_unref (task);
        return;
    }
    Call *call = g_new0 (Call, 1);
    call->task = task;
    call->index = i;
    /* The task keeps self alive until the reply or the timeout, which always
     * comes, so the client outlives every call made through it. */
    dbn_client_send_async (self->links[i].client, command, timeout_ms, on_call_reply, call);
}

GBytes *
dbn_connection_call_finish (DbnConnection *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail (g_task_is_valid (result, self), NULL);
    return g_task_propagate_pointer (G_TASK (result), error);
}
