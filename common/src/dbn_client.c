/* dbn_client.c: the command side of a caller (DEALER).
 *
 * Structure. DbnClient (DEALER) is Lazy Pirate (zguide ch. 4, perf-reliability.md B2):
 * every request carries an id of 8 random bytes per client + a 64-bit
 * counter; a reply whose id is not awaited is discarded; on a timeout the
 * socket is closed and reopened, so no late reply survives into a later
 * call. Durability is not the client's job: unsent work lives in SQLite
 * outboxes, which is also why every socket has LINGER 0.
 *
 * ZMQ_IMMEDIATE stays 0 on DEALERs, against B2's general advice. With 1, a
 * message sent before the connection completes is refused (EAGAIN) or
 * blocks, so dbn_client_call right after dbn_client_new, or while the server
 * restarts, would fail at once although the server appears a few ms later.
 * With 0 the message waits in the pipe and goes out when the peer appears
 * within the caller's timeout; if it does not, the timeout closes the socket
 * and LINGER 0 throws the queued message away. So nothing queues to a dead
 * peer for longer than one timeout, which is what IMMEDIATE would buy, and
 * IMMEDIATE's other benefit (routing around dead peers of one socket) does
 * not apply: a DbnClient has exactly one endpoint.
 *
 * Async clients. Callbacks may free the client or call it again (call,
 * reconnect), so the client is internally reference counted: a dispatch holds
 * a reference while it calls back, and dbn_client_free tears everything down
 * at once but releases the memory only when the last dispatch returns.
 * Results decided outside a dispatch (a reply read by dbn_client_call that
 * belongs to an async request, requests abandoned by a reconnect) are queued
 * and delivered from an idle source, never from inside the blocking call.
 * Freeing a client drops its pending requests without calling them back (the
 * callback would receive a dead client). Rejected: one source per request, or
 * a thread per client (style rule 8: one loop per thread).
 */
#define G_LOG_DOMAIN "daiban-bus"

#include "daiban/dbn_client.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "daiban/dbn_error.h"
#include "daiban/dbn_log.h"
#include "dbn_bus_private.h"

/* Replies an async client reads per dispatch, as batch_max does for servers. */
#define DBN_CLIENT_BATCH 64

#define REQUEST_ID_PREFIX 8
#define REQUEST_ID_SIZE   (REQUEST_ID_PREFIX + 8)

typedef struct {
    DbnClient *client;       /* borrowed: the client outlives its pending requests */
    GBytes *request_id;      /* key in client->pending */
    DbnClientReplyFunc func; /* the caller's callback */
    gpointer user_data;      /* for func */
    guint timeout_ms;        /* as asked, for the error message */
    GSource *timeout;        /* fires on_pending_timeout; owned ref */
} Pending;

/* A result decided but not yet called back. */
typedef struct {
    Pending *pending; /* owned */
    GBytes *reply;    /* owned, NULL with error */
    GError *error;    /* owned, NULL with reply */
} Completion;

struct _DbnClient {
    guint ref_count;                     /* 1 for the owner + 1 per running dispatch */
    gboolean freed;                      /* dbn_client_free ran: only the memory is left */
    DbnBus *bus;                         /* borrowed, for reconnect */
    char *endpoint;                      /* connected to */
    void *socket;                        /* DEALER; replaced by reconnect, NULL if that failed */
    guint8 id_prefix[REQUEST_ID_PREFIX]; /* random, per client */
    guint64 next_seq;                    /* counter part of the next request id */
    GMainContext *context;               /* where async work runs; NULL before the first send_async */
    GSource *socket_source;              /* reads replies for async requests */
    GSource *idle_source;                /* delivers completions queued outside a dispatch */
    GHashTable *pending;                 /* GBytes request id → Pending* (async only) */
    GQueue completions;                  /* Completion*, in the order decided */
};

static void
pending_free (Pending *pending)
{
    if (pending->timeout != NULL) {
        g_source_destroy (pending->timeout);
        g_source_unref (pending->timeout);
    }
    g_bytes_unref (pending->request_id);
    g_free (pending);
}

static void
completion_free (Completion *completion)
{
    pending_free (completion->pending);
    g_clear_pointer (&completion->reply, g_bytes_unref);
    g_clear_error (&completion->error);
    g_free (completion);
}

static DbnClient *
client_ref (DbnClient *self)
{
    self->ref_count++;
    return self;
}

static void
client_unref (DbnClient *self)
{
    if (--self->ref_count > 0)
        return;
    g_free (self);
}

static GBytes *
client_next_id (DbnClient *self)
{
    guint8 id[REQUEST_ID_SIZE];
    memcpy (id, self->id_prefix, REQUEST_ID_PREFIX);
    guint64 seq = GUINT64_TO_BE (self->next_seq);
    self->next_seq++;
    memcpy (id + REQUEST_ID_PREFIX, &seq, sizeof seq);
    return g_bytes_new (id, sizeof id);
}

static void *
client_open_socket (DbnClient *self, GError **error)
{
    void *socket = dbn_bus_socket_new (self->bus, ZMQ_DEALER, error);
    if (socket == NULL)
        return NULL;
    if (!dbn_bus_connect (self->bus, socket, self->endpoint, error)) {
        zmq_close (socket);
        return NULL;
    }
    return socket;
}

static gboolean client_on_readable (void *socket, gpointer user_data);
static void client_flush_completions (DbnClient *self);

static void
client_queue_completion (DbnClient *self, Pending *pending, GBytes *reply, GError *error)
{
    Completion *completion = g_new0 (Completion, 1);
    /* The timeout must not fire for a request that is already decided. */
    if (pending->timeout != NULL) {
        g_source_destroy (pending->timeout);
        g_clear_pointer (&pending->timeout, g_source_unref);
    }
    completion->pending = pending;
    completion->reply = reply;
    completion->error = error;
    g_queue_push_tail (&self->completions, completion);
}

static gboolean
client_on_idle (gpointer user_data)
{
    DbnClient *self = user_data;
    g_clear_pointer (&self->idle_source, g_source_unref);
    client_flush_completions (self);
    return G_SOURCE_REMOVE;
}

/* For completions queued outside a dispatch of ours (call, recv_raw, reconnect). */
static void
client_schedule_flush (DbnClient *self)
{
    if (self->idle_source != NULL || self->context == NULL || g_queue_is_empty (&self->completions))
        return;
    self->idle_source = g_idle_source_new ();
    g_source_set_callback (self->idle_source, client_on_idle, self, NULL);
    g_source_attach (self->idle_source, self->context);
}

/* Calls back queued completions until none is left or a callback freed the
 * client. Callbacks may call anything on the client, including free. */
static void
client_flush_completions (DbnClient *self)
{
    client_ref (self);
    while (!self->freed) {
        Completion *completion = g_queue_pop_head (&self->completions);
        if (completion == NULL)
            break;
        Pending *pending = completion->pending;
        pending->func (self, completion->reply, completion->error, pending->user_data);
        completion_free (completion);
    }
    client_unref (self);
}

/* Every pending request fails: its reply, if any, would arrive on a socket
 * that no longer exists. */
static void
client_abandon_pending (DbnClient *self, const char *why)
{
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, self->pending);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
        Pending *pending = value;
        g_hash_table_iter_steal (&iter);
        GError *error =
            g_error_new (DBN_ERROR, DBN_ERROR_TIMEOUT, "no answer from %s: %s", self->endpoint, why);
        client_queue_completion (self, pending, NULL, error);
    }
}

/* Closes the DEALER and opens a fresh one; pending async requests are queued
 * as failed (the caller delivers them). */
static void
client_reconnect (DbnClient *self, const char *why)
{
    if (self->socket_source != NULL) {
        g_source_destroy (self->socket_source);
        g_clear_pointer (&self->socket_source, g_source_unref);
    }
    if (self->socket != NULL)
        zmq_close (self->socket);
    g_autoptr (GError) error = NULL;
    self->socket = client_open_socket (self, &error);
    if (self->socket == NULL)
        dbn_log_once ("bus-reconnect-failed", "cannot reconnect to %s: %s", self->endpoint, error->message);
    else if (self->context != NULL)
        self->socket_source = attach_socket_source (self->socket, client_on_readable, self, self->context);
    client_abandon_pending (self, why);
}

typedef enum {
    REPLY_NONE,      /* nothing to read now */
    REPLY_OK,        /* *id and *reply set */
    REPLY_MALFORMED, /* a message was drained and skipped */
} ReplyResult;

/* Reads one [request id][reply] message without waiting. */
static ReplyResult
client_read_reply (DbnClient *self, GBytes **id, GBytes **reply)
{
    zmq_msg_t first, second;
    zmq_msg_init (&first);
    if (zmq_msg_recv (&first, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        return REPLY_NONE;
    }
    if (!zmq_msg_more (&first)) {
        zmq_msg_close (&first);
        goto malformed;
    }
    zmq_msg_init (&second);
    if (zmq_msg_recv (&second, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        goto malformed;
    }
    if (zmq_msg_more (&second)) {
        zmq_msg_close (&first);
        zmq_msg_close (&second);
        drain_parts (self->socket);
        goto malformed;
    }
    *id = bytes_copy_msg (&first);
    *reply = bytes_steal_msg (&second);
    zmq_msg_close (&first);
    zmq_msg_close (&second);
    return REPLY_OK;

malformed : {
    g_autofree char *key = g_strdup_printf ("bus-malformed-reply:%s", self->endpoint);
    dbn_log_once (key,
                  "%s: skipped a reply that is not [request id][body]; "
                  "further ones are skipped silently",
                  self->endpoint);
}
    return REPLY_MALFORMED;
}

/* A reply read by call/recv_raw that belongs to an async request: queue it.
 * Takes id and reply. TRUE when it was one. */
static gboolean
client_route_async_reply (DbnClient *self, GBytes *id, GBytes *reply)
{
    Pending *pending = NULL;
    if (!g_hash_table_steal_extended (self->pending, id, NULL, (gpointer *) &pending)) {
        return FALSE;
    }
    g_bytes_unref (id);
    client_queue_completion (self, pending, reply, NULL);
    return TRUE;
}

static gboolean
client_on_readable (void *socket, gpointer user_data)
{
    DbnClient *self = user_data;
    for (guint n = 0; n < DBN_CLIENT_BATCH; n++) {
        GBytes *id = NULL, *reply = NULL;
        ReplyResult result = client_read_reply (self, &id, &reply);
        if (result == REPLY_NONE)
            break;
        if (result == REPLY_MALFORMED)
            continue;
        if (!client_route_async_reply (self, id, reply)) {
            /* A reply to a raw or timed-out request: nobody waits for it. */
            g_bytes_unref (id);
            g_bytes_unref (reply);
        }
    }
    /* A callback may reconnect (this source is then destroyed and the
     * return value ignored) or free the client; flush copes with both. */
    client_flush_completions (self);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_pending_timeout (gpointer user_data)
{
    Pending *pending = user_data;
    DbnClient *self = client_ref (pending->client);

    /* This source is being dispatched: returning REMOVE destroys it. */
    g_clear_pointer (&pending->timeout, g_source_unref);
    g_hash_table_steal (self->pending, pending->request_id);
    GError *error = g_error_new (DBN_ERROR, DBN_ERROR_TIMEOUT, "no answer from %s within %u ms",
                                 self->endpoint, pending->timeout_ms);
    client_queue_completion (self, pending, NULL, error);
    /* Lazy Pirate: a fresh socket, so the late reply cannot come back. */
    client_reconnect (self, "abandoned when another request timed out");
    client_flush_completions (self);
    client_unref (self);
    return G_SOURCE_REMOVE;
}

DbnClient *
dbn_client_new (DbnBus *bus, const char *endpoint, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (endpoint != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    DbnClient *self = g_new0 (DbnClient, 1);
    self->ref_count = 1;
    self->bus = bus;
    self->endpoint = g_strdup (endpoint);
    self->socket = client_open_socket (self, error);
    if (self->socket == NULL) {
        g_free (self->endpoint);
        g_free (self);
        return NULL;
    }
    for (guint i = 0; i < REQUEST_ID_PREFIX; i += 4) {
        guint32 r = g_random_int ();
        memcpy (self->id_prefix + i, &r, 4);
    }
    self->pending = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, NULL, (GDestroyNotify) pending_free);
    g_queue_init (&self->completions);
    return self;
}

void
dbn_client_free (DbnClient *self)
{
    if (self == NULL)
        return;
    g_return_if_fail (!self->freed);
    self->freed = TRUE;
    if (self->socket_source != NULL) {
        g_source_destroy (self->socket_source);
        g_clear_pointer (&self->socket_source, g_source_unref);
    }
    if (self->idle_source != NULL) {
        g_source_destroy (self->idle_source);
        g_clear_pointer (&self->idle_source, g_source_unref);
    }
    /* Dropped without a callback: see the design comment. */
    g_clear_pointer (&self->pending, g_hash_table_unref);
    g_queue_clear_full (&self->completions, (GDestroyNotify) completion_free);
    if (self->socket != NULL)
        zmq_close (self->socket);
    self->socket = NULL;
    g_clear_pointer (&self->context, g_main_context_unref);
    g_clear_pointer (&self->endpoint, g_free);
    client_unref (self);
}

/* Sends [id][command]. FALSE with errno set when it could not. */
static gboolean
client_send (DbnClient *self, GBytes *id, GBytes *command)
{
    if (self->socket == NULL) {
        /* The last reconnect failed (already logged): try once more. */
        self->socket = client_open_socket (self, NULL);
        if (self->socket == NULL) {
            errno = ENOTSOCK;
            return FALSE;
        }
        if (self->context != NULL)
            self->socket_source =
                attach_socket_source (self->socket, client_on_readable, self, self->context);
    }
    /* DONTWAIT: a DEALER blocks only at its HWM, and then it is better to
     * fail than to hang past the caller's timeout. */
    return send_bytes (self->socket, id, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0
           && send_bytes (self->socket, command, ZMQ_DONTWAIT) >= 0;
}

static void
set_send_error (DbnClient *self, GError **error, int err)
{
    if (err == EAGAIN)
        g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE, "the send queue to %s is full", self->endpoint);
    else
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot send to %s: %s", self->endpoint,
                     zmq_strerror (err));
}

GBytes *
dbn_client_call (DbnClient *self, GBytes *command, guint timeout_ms, GError **error)
{
    g_return_val_if_fail (self != NULL && !self->freed, NULL);
    g_return_val_if_fail (command != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    g_autoptr (GBytes) id = client_next_id (self);
    if (!client_send (self, id, command)) {
        set_send_error (self, error, errno);
        return NULL;
    }

    GBytes *answer = NULL;
    for (;;) {
        GBytes *got_id = NULL, *reply = NULL;
        ReplyResult result = client_read_reply (self, &got_id, &reply);
        if (result == REPLY_OK) {
            if (g_bytes_equal (got_id, id)) {
                g_bytes_unref (got_id);
                answer = reply;
                break;
            }
            if (!client_route_async_reply (self, got_id, reply)) {
                /* Stale: the answer to a raw request, or to nothing we know. */
                g_bytes_unref (got_id);
                g_bytes_unref (reply);
            }
            continue;
        }
        if (result == REPLY_MALFORMED)
            continue;

        gint64 remaining_us = deadline - g_get_monotonic_time ();
        if (remaining_us <= 0)
            break;
        zmq_pollitem_t item = { .socket = self->socket, .events = ZMQ_POLLIN };
        /* Round up, so the poll never returns just before the deadline. */
        if (zmq_poll (&item, 1, (long) ((remaining_us + 999) / 1000)) < 0 && errno != EINTR) {
            g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "waiting for %s: %s", self->endpoint,
                         zmq_strerror (errno));
            break;
        }
    }

    /* Replies of async requests read above are delivered from the loop. */
    if (answer == NULL && (error == NULL || *error == NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT, "no answer from %s within %u ms", self->endpoint,
                     timeout_ms);
        client_reconnect (self, "abandoned when a call timed out");
    }
    client_schedule_flush (self);
    return answer;
}

void
dbn_client_send_async (DbnClient *self, GBytes *command, guint timeout_ms, DbnClientReplyFunc func,
                       gpointer user_data)
{
    g_return_if_fail (self != NULL && !self->freed);
    g_return_if_fail (command != NULL);
    g_return_if_fail (func != NULL);

    if (self->context == NULL) {
        self->context = g_main_context_ref_thread_default ();
        if (self->socket != NULL)
            self->socket_source =
                attach_socket_source (self->socket, client_on_readable, self, self->context);
    }

    Pending *pending = g_new0 (Pending, 1);
    pending->client = self;
    pending->request_id = client_next_id (self);
    pending->func = func;
    pending->user_data = user_data;
    pending->timeout_ms = timeout_ms;

    if (!client_send (self, pending->request_id, command)) {
        GError *error = NULL;
        set_send_error (self, &error, errno);
        client_queue_completion (self, pending, NULL, error);
        client_schedule_flush (self);
        return;
    }
    pending->timeout = g_timeout_source_new (timeout_ms);
    g_source_set_callback (pending->timeout, on_pending_timeout, pending, NULL);
    g_source_attach (pending->timeout, self->context);
    g_hash_table_insert (self->pending, pending->request_id, pending);
}

gboolean
dbn_client_send_raw (DbnClient *self, GBytes *request_id, GBytes *command, GError **error)
{
    g_return_val_if_fail (self != NULL && !self->freed, FALSE);
    g_return_val_if_fail (request_id != NULL && command != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

    if (!client_send (self, request_id, command)) {
        set_send_error (self, error, errno);
        return FALSE;
    }
    return TRUE;
}

gboolean
dbn_client_recv_raw (DbnClient *self, int timeout_ms, GBytes **request_id, GBytes **reply)
{
    g_return_val_if_fail (self != NULL && !self->freed, FALSE);
    g_return_val_if_fail (request_id != NULL && reply != NULL, FALSE);

    if (self->socket == NULL)
        return FALSE;
    gint64 deadline = timeout_ms < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    gboolean found = FALSE;
    for (;;) {
        GBytes *id = NULL, *body = NULL;
        ReplyResult result = client_read_reply (self, &id, &body);
        if (result == REPLY_OK) {
            if (client_route_async_reply (self, id, body))
                continue;
            *request_id = id;
            *reply = body;
            found = TRUE;
            break;
        }
        if (result == REPLY_MALFORMED)
            continue;

        long wait_ms = -1;
        if (deadline != G_MAXINT64) {
            gint64 remaining_us = deadline - g_get_monotonic_time ();
            if (remaining_us <= 0)
                break;
            wait_ms = (long) ((remaining_us + 999) / 1000);
        }
        zmq_pollitem_t item = { .socket = self->socket, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, wait_ms) < 0 && errno != EINTR)
            break;
    }
    client_schedule_flush (self);
    return found;
}

void
dbn_client_reconnect (DbnClient *self)
{
    g_return_if_fail (self != NULL && !self->freed);
    client_reconnect (self, "abandoned by a reconnect");
    client_schedule_flush (self);
}

const char *
dbn_client_get_endpoint (DbnClient *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->endpoint;
}

void *
dbn_client_get_socket (DbnClient *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    /* Changes on every reconnect (and every call timeout). */
    return self->socket;
}
