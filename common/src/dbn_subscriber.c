/* dbn_subscriber.c: follows one producer's journal, exactly once.
 *
 * State is two numbers: `applied` (committed in our store together with the
 * effects) and `known` (the producer's newest, from heartbeats and sync
 * replies). Live events that continue `applied` are applied at once, batched
 * per dispatch into one transaction; anything else (a gap, a heartbeat ahead
 * of us, silence) starts a sync: sys.sync after `applied`, applied page by
 * page until `applied` reaches the producer's newest. While a sync is in
 * flight live events are dropped: the producer's journal is the only buffer,
 * so no event is held in memory that a crash could lose, and no ordering
 * logic is needed beyond "seq == applied + 1".
 *
 * A subscriber of a service (dbn_service_follow) runs its transactions
 * through the service's emitter: what the apply of seq N emits is journaled
 * in the transaction that moves the offset to N and published right after
 * that commits, or dropped with it (dbn_emitter.h).
 */
#include "daiban/dbn_subscriber.h"

#include <string.h>
#include <zmq.h>

#include "daiban/dbn_error.h"
#include "daiban/dbn_log.h"
#include "daiban/dbn_service.h"
#include "dbn_msg.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-subscriber"

/* Live messages read per dispatch. */
#define READ_BATCH 256
/* A producer silent this long gets asked anyway (it publishes every second). */
#define SILENCE_US      (3 * G_USEC_PER_SEC)
#define SYNC_TIMEOUT_MS 3000
#define SYNC_PAGE       1000

typedef struct {
    gint64 seq;      /* journal seq */
    GBytes *event;   /* encoded event */
    DbnEnvEvent env; /* its envelope, decoded once when it was read */
} Pending;

struct _DbnSubscriber {
    DbnBus *bus;          /* borrowed */
    DbnStore *store;      /* borrowed: offsets and effects */
    DbnEmitter *emitter;  /* borrowed, may be NULL: the transactions' events */
    char *producer;       /* service name, key of the offset */
    void *sub;            /* SUB socket */
    GSource *sub_source;  /* main-loop source on sub */
    DbnClient *client;    /* sys.sync requests */
    DbnApplyFunc apply;   /* the consumer's effect */
    gpointer user_data;   /* for apply */
    gint64 applied;       /* newest seq committed */
    gint64 known;         /* newest seq the producer has, as far as we know */
    gboolean syncing;     /* a sys.sync is in flight */
    gpointer sync_call;   /* its SyncCall: dbn_client_free drops it unanswered, so free frees it */
    gint64 last_heard_us; /* monotonic time of the last message from the producer */
    guint watchdog_id;    /* 1 s timer */
    guint64 generation;   /* bumps on free, so a late async reply is ignored */
    /* The envelope of the event apply is running for, else NULL. */
    const DbnEnvEvent *current;
};

static void start_sync (DbnSubscriber *self);

static void
pending_clear (Pending *p)
{
    g_bytes_unref (p->event);
    dbn_env_event_clear (&p->env);
}

/* Applies events (consecutive from applied+1) in one transaction. */
static gboolean
apply_batch (DbnSubscriber *self, GArray *batch)
{
    if (batch->len == 0)
        return TRUE;
    g_autoptr (GError) error = NULL;
    /* The offset moves once, to the batch's last seq: the batch is one
     * transaction, so its events and the offset commit or vanish together
     * whether it is written once or per event (one upsert instead of up to
     * READ_BATCH; bench_pipeline, docs/architecture-notes.md). */
    gint64 last = g_array_index (batch, Pending, batch->len - 1).seq;
    if (!(self->emitter ? dbn_emitter_begin (self->emitter, &error) : dbn_store_begin (self->store, &error)))
        goto fail;
    for (guint i = 0; i < batch->len; i++) {
        Pending *p = &g_array_index (batch, Pending, i);
        self->current = &p->env;
        gboolean applied = self->apply (self, p->seq, p->event, self->user_data, &error);
        self->current = NULL;
        if (!applied) {
            g_prefix_error (&error, "event %" G_GINT64_FORMAT ": ", p->seq);
            goto rollback;
        }
    }
    if (!dbn_store_offset_set (self->store, self->producer, last, &error)) {
        g_prefix_error (&error, "event %" G_GINT64_FORMAT ": ", last);
        goto rollback;
    }
    /* The emitter publishes what the batch emitted once it is durable. */
    if (!(self->emitter ? dbn_emitter_commit (self->emitter, &error)
                        : dbn_store_commit (self->store, &error)))
        goto fail;
    self->applied = last;
    self->known = MAX (self->known, self->applied);
    return TRUE;
rollback:
    if (self->emitter)
        dbn_emitter_rollback (self->emitter);
    else
        dbn_store_rollback (self->store);
fail:
    /* Nothing moved: the same events come again with the next sync. */
    g_warning ("applying events of %s failed (will retry): %s", self->producer, error->message);
    return FALSE;
}

DbnSubRead
dbn_subscriber_read_event (void *socket, char **topic, GBytes **body)
{
    zmq_msg_t first, second;
    zmq_msg_init (&first);
    if (zmq_msg_recv (&first, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        return DBN_SUB_READ_NONE;
    }
    gboolean two_parts = zmq_msg_more (&first);
    if (!two_parts) {
        zmq_msg_close (&first);
        return DBN_SUB_READ_SKIPPED;
    }
    zmq_msg_init (&second);
    if (zmq_msg_recv (&second, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        return DBN_SUB_READ_SKIPPED;
    }
    if (zmq_msg_more (&second)) {
        /* Not ours: drain the rest of the message. */
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        int more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init (&part);
            if (zmq_msg_recv (&part, socket, ZMQ_DONTWAIT) < 0)
                more = 0;
            else
                more = zmq_msg_more (&part);
            zmq_msg_close (&part);
        }
        return DBN_SUB_READ_SKIPPED;
    }
    if (topic != NULL)
        *topic = g_strndup (zmq_msg_data (&first), MIN (zmq_msg_size (&first), DBN_PUBLISHER_TOPIC_MAX + 1));
    *body = g_bytes_new (zmq_msg_data (&second), zmq_msg_size (&second));
    zmq_msg_close (&first);
    zmq_msg_close (&second);
    return DBN_SUB_READ_EVENT;
}

static gboolean
on_live (void *socket, gpointer user_data)
{
    DbnSubscriber *self = user_data;
    g_autoptr (GArray) batch = g_array_new (FALSE, FALSE, sizeof (Pending));
    g_array_set_clear_func (batch, (GDestroyNotify) pending_clear);
    gboolean gap = FALSE;
    for (int n = 0; n < READ_BATCH; n++) {
        g_autoptr (GBytes) body = NULL;
        DbnSubRead got = dbn_subscriber_read_event (socket, NULL, &body);
        if (got == DBN_SUB_READ_NONE)
            break;
        if (got == DBN_SUB_READ_SKIPPED)
            continue;
        DbnEnvEvent env = { 0 };
        gsize size = 0;
        const guint8 *data = g_bytes_get_data (body, &size);
        if (!dbn_env_event_decode (data, size, &env, NULL)) {
            dbn_log_once ("subscriber-bad-event", "%s published an event daiban cannot read; ignored",
                          self->producer);
            continue;
        }
        self->last_heard_us = g_get_monotonic_time ();
        if (g_strcmp0 (env.type, DBN_MSG_SYS_HEARTBEAT_WIRE) == 0) {
            self->known = MAX (self->known, env.seq);
        } else if (!self->syncing && !gap) {
            gint64 next = self->applied + batch->len + 1;
            self->known = MAX (self->known, env.seq);
            if (env.seq == next) {
                /* The envelope moves into the batch: apply reads it there
                 * (dbn_subscriber_get_envelope) instead of decoding again. */
                Pending p = { env.seq, g_bytes_ref (body), env };
                memset (&env, 0, sizeof env);
                g_array_append_val (batch, p);
            } else if (env.seq > next) {
                gap = TRUE; /* lost some: the journal has them */
            }
        }
        dbn_env_event_clear (&env);
    }
    if (!apply_batch (self, batch))
        gap = TRUE;
    if (!self->syncing && (gap || self->known > self->applied))
        start_sync (self);
    return G_SOURCE_CONTINUE;
}

typedef struct {
    DbnSubscriber *self;
    guint64 generation;
} SyncCall;

static GHashTable *live_subscribers; /* DbnSubscriber* → generation, guards late callbacks */

static void
on_sync_reply (DbnClient *client, GBytes *reply, const GError *call_error, gpointer user_data)
{
    SyncCall *call = user_data;
    DbnSubscriber *self = call->self;
    gboolean alive = live_subscribers != NULL
                     && g_hash_table_lookup (live_subscribers, self) == GSIZE_TO_POINTER (call->generation);
    g_free (call);
    if (!alive)
        return;
    self->sync_call = NULL;
    self->syncing = FALSE;
    if (reply == NULL) {
        g_debug ("sync with %s: %s", self->producer, call_error ? call_error->message : "no reply");
        return; /* the watchdog asks again */
    }
    g_autoptr (GError) error = NULL;
    const guint8 *data = g_bytes_get_data (reply, NULL);
    gsize size = g_bytes_get_size (reply);
    if (!dbn_reply_check (reply, &error)) {
        g_warning ("sync with %s: %s", self->producer, error->message);
        return;
    }
    g_autoptr (DbnMsgSysSyncReply) page = dbn_msg_sys_sync_reply_decode (data, size, &error);
    if (page == NULL) {
        g_warning ("sync with %s: unreadable reply: %s", self->producer, error->message);
        return;
    }
    self->last_heard_us = g_get_monotonic_time ();
    self->known = MAX (self->known, page->newest);
    g_autoptr (GArray) batch = g_array_new (FALSE, FALSE, sizeof (Pending));
    g_array_set_clear_func (batch, (GDestroyNotify) pending_clear);
    for (guint i = 0; i < page->events->len; i++) {
        GBytes *ev = g_ptr_array_index (page->events, i);
        DbnEnvEvent head = { 0 };
        if (!dbn_env_event_decode (g_bytes_get_data (ev, NULL), g_bytes_get_size (ev), &head, &error)) {
            g_warning ("sync with %s: unreadable event: %s", self->producer, error->message);
            return;
        }
        gint64 seq = head.seq;
        if (seq != self->applied + batch->len + 1) {
            g_warning ("sync with %s: expected seq %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT,
                       self->producer, self->applied + batch->len + 1, seq);
            dbn_env_event_clear (&head);
            break;
        }
        Pending p = { seq, g_bytes_ref (ev), head };
        g_array_append_val (batch, p);
    }
    if (!apply_batch (self, batch))
        return;
    /* More pages, or events published while we fetched this one. */
    if (self->applied < self->known && page->events->len > 0)
        start_sync (self);
}

static void
start_sync (DbnSubscriber *self)
{
    if (self->syncing)
        return;
    g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
    cmd->env.key = g_strdup_printf ("sync-%s-%" G_GINT64_FORMAT, self->producer, self->applied);
    cmd->env.actor = g_strdup ("subscriber");
    cmd->after = self->applied;
    cmd->has_max = TRUE;
    cmd->max = SYNC_PAGE;
    g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
    if (body == NULL)
        return;
    self->syncing = TRUE;
    SyncCall *call = g_new0 (SyncCall, 1);
    call->self = self;
    call->generation = self->generation;
    self->sync_call = call;
    dbn_client_send_async (self->client, body, SYNC_TIMEOUT_MS, on_sync_reply, call);
}

static gboolean
watchdog (gpointer user_data)
{
    DbnSubscriber *self = user_data;
    if (self->syncing)
        return G_SOURCE_CONTINUE;
    if (self->known > self->applied || g_get_monotonic_time () - self->last_heard_us > SILENCE_US) {
        self->last_heard_us = g_get_monotonic_time ();
        start_sync (self);
    }
    return G_SOURCE_CONTINUE;
}

DbnSubscriber *
dbn_subscriber_new (DbnBus *bus, DbnStore *store, const char *producer, const char *publish_endpoint,
                    const char *command_endpoint, DbnApplyFunc apply, gpointer user_data, GError **error)
{
    g_return_val_if_fail (bus && store && producer && publish_endpoint && command_endpoint && apply, NULL);
    static guint64 next_generation = 1;
    gint64 applied = 0;
    if (!dbn_store_offset_get (store, producer, &applied, error))
        return NULL;
    void *sub = dbn_bus_socket_new (bus, ZMQ_SUB, error);
    if (sub == NULL)
        return NULL;
    /* Everything: only services and the operator are granted "" (the
     * publisher's policy); a whole journal is what a consumer follows. */
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    if (!dbn_bus_connect (bus, sub, publish_endpoint, error)) {
        zmq_close (sub);
        return NULL;
    }
    DbnClient *client = dbn_client_new (bus, command_endpoint, error);
    if (client == NULL) {
        zmq_close (sub);
        return NULL;
    }
    DbnSubscriber *self = g_new0 (DbnSubscriber, 1);
    self->bus = bus;
    self->store = store;
    self->producer = g_strdup (producer);
    self->sub = sub;
    self->client = client;
    self->apply = apply;
    self->user_data = user_data;
    self->applied = applied;
    self->known = applied;
    self->last_heard_us = g_get_monotonic_time ();
    self->generation = next_generation++;
    if (live_subscribers == NULL)
        live_subscribers = g_hash_table_new (g_direct_hash, g_direct_equal);
    g_hash_table_insert (live_subscribers, self, GSIZE_TO_POINTER (self->generation));
    self->sub_source = dbn_socket_source_new (sub, on_live, self, NULL);
    g_source_attach (self->sub_source, g_main_context_get_thread_default ());
    self->watchdog_id = g_timeout_add (1000, watchdog, self);
    start_sync (self);
    return self;
}

void
dbn_subscriber_free (DbnSubscriber *self)
{
    if (self == NULL)
        return;
    g_hash_table_remove (live_subscribers, self);
    if (self->watchdog_id)
        g_source_remove (self->watchdog_id);
    if (self->sub_source) {
        g_source_destroy (self->sub_source);
        g_source_unref (self->sub_source);
    }
    g_clear_pointer (&self->client, dbn_client_free);
    g_free (self->sync_call);
    zmq_close (self->sub);
    g_free (self->producer);
    g_free (self);
}

void
dbn_subscriber_set_emitter (DbnSubscriber *self, DbnEmitter *emitter)
{
    self->emitter = emitter;
}

const DbnEnvEvent *
dbn_subscriber_get_envelope (DbnSubscriber *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->current;
}

gint64
dbn_subscriber_get_applied (DbnSubscriber *self)
{
    return self->applied;
}

gint64
dbn_subscriber_get_known (DbnSubscriber *self)
{
    return self->known;
}
