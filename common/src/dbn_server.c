/* dbn_server.c: the command side of a service (ROUTER).
 *
 * Structure. DbnServer (ROUTER) reads at most batch_max messages per dispatch, so one
 * busy socket cannot starve the loop, and hands the well-formed ones to the
 * service in one call: a service can then commit a whole batch in one SQLite
 * transaction (perf-reliability.md A1/A4: one synchronous step costs ~0.1 ms,
 * batching is what lifts the rate). Malformed messages are drained whole and
 * counted. With a refusal function (every service sets one) each one that
 * has a request id is answered at once, without reaching the service, and
 * one without an id is logged at most once a minute per principal (issue 11,
 * docs/codec.md); without one, the first per endpoint is logged, a flood is
 * not. The server's socket takes frames up to DBN_BUS_SERVER_MAX_FRAME, twice
 * the codec's limit, so that an oversize command is answered, not cut off.
 * Request bodies are handed over without a copy (the GBytes owns the
 * zmq_msg_t); replies are copied into libzmq, so a caller's GBytes is never
 * released from libzmq's I/O thread.
 */
#define G_LOG_DOMAIN "daiban-bus"

#include "daiban/dbn_server.h"

#include <errno.h>
#include <zmq.h>

#include "daiban/dbn_codec.h"
#include "daiban/dbn_curve.h"
#include "daiban/dbn_log.h"
#include "dbn_bus_private.h"

/* Longest request id a server accepts: ours are 16 bytes; the bound keeps a
 * peer from making the server echo (and log) large ids. A longer one is
 * answered codec.too-large with its first 64 bytes as the reply's id. */
#define DBN_BUS_MAX_REQUEST_ID 64
/* A request that cannot be answered (no request id frame) is logged at most
 * once a minute per principal, with the count of those not logged; the
 * table forgets everyone when it holds this many principals. */
#define DBN_BUS_UNANSWERED_LOG_US    (60 * G_USEC_PER_SEC)
#define DBN_BUS_UNANSWERED_PEERS_MAX 1024

void
dbn_request_free (DbnRequest *request)
{
    if (request == NULL)
        return;
    g_clear_pointer (&request->peer, g_bytes_unref);
    g_clear_pointer (&request->request_id, g_bytes_unref);
    g_clear_pointer (&request->body, g_bytes_unref);
    g_clear_pointer (&request->user_id, g_free);
    g_clear_pointer (&request->key, g_free);
    g_free (request);
}

struct _DbnServer {
    void *socket;                 /* ROUTER, bound */
    char *endpoint;               /* as bound, port resolved */
    guint batch_max;              /* messages read per dispatch at most */
    DbnServerBatchFunc func;      /* the service's handler */
    gpointer user_data;           /* for func */
    GSource *source;              /* on the thread-default context */
    GPtrArray *batch;             /* DbnRequest*, reused across dispatches */
    guint64 dropped;              /* malformed messages drained */
    char *log_key;                /* dbn_log_once key for this endpoint's drops */
    DbnServerRefusalFunc refusal; /* encodes the reply to a malformed request; NULL: drop it */
    GHashTable *unanswered;       /* principal → Unanswered*, the rate limit of their log lines */
    gboolean in_batch;            /* func is running: a free must wait for it */
    gboolean free_asked;          /* dbn_server_free was called from func */
};

static void server_finalize (DbnServer *self);

typedef struct {
    gint64 logged_us; /* monotonic time of the last line for this principal */
    guint suppressed; /* unanswered requests since, not logged */
} Unanswered;

/* A request without its request id frame cannot be answered: one line names
 * who sent it and what was wrong, at most once a minute per principal. */
static void
server_log_unanswered (DbnServer *self, const char *principal, guint frames, gsize size)
{
    const char *who = principal != NULL ? principal : "a peer without CURVE (inproc or plain text)";
    if (self->unanswered == NULL)
        self->unanswered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    if (g_hash_table_size (self->unanswered) >= DBN_BUS_UNANSWERED_PEERS_MAX)
        g_hash_table_remove_all (self->unanswered);
    Unanswered *u = g_hash_table_lookup (self->unanswered, who);
    gint64 now = g_get_monotonic_time ();
    if (u != NULL && now - u->logged_us < DBN_BUS_UNANSWERED_LOG_US) {
        u->suppressed++;
        return;
    }
    guint before = u != NULL ? u->suppressed : 0;
    if (u == NULL) {
        u = g_new0 (Unanswered, 1);
        g_hash_table_insert (self->unanswered, g_strdup (who), u);
    }
    u->logged_us = now;
    u->suppressed = 0;
    g_warning ("%s: not answered: a request from %s has no request id frame (%u frame of %" G_GSIZE_FORMAT
               " bytes; a request is [request id][command map]); %u more since "
               "the last line; at most one line a minute per sender",
               self->endpoint, who, frames, size, before);
}

/* Answers a malformed request that has an id: with error, addressed to the
 * peer and (the first DBN_BUS_MAX_REQUEST_ID bytes of) its request id. */
static void
server_refuse (DbnServer *self, zmq_msg_t *peer, zmq_msg_t *id, const GError *error)
{
    g_autoptr (GBytes) reply = self->refusal (error);
    gsize id_size = MIN (zmq_msg_size (id), DBN_BUS_MAX_REQUEST_ID);
    if (zmq_send (self->socket, zmq_msg_data (peer), zmq_msg_size (peer), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || zmq_send (self->socket, zmq_msg_data (id), id_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, reply, ZMQ_DONTWAIT) < 0)
        dbn_log_once ("bus-reply-failed", "%s: a reply could not be sent: %s", self->endpoint,
                      zmq_strerror (errno));
}

typedef enum {
    READ_NONE,      /* nothing more to read now */
    READ_REQUEST,   /* a well-formed request */
    READ_MALFORMED, /* a message was drained and counted */
} ReadResult;

static ReadResult
server_read_one (DbnServer *self, DbnRequest **out)
{
    /* [routing id][request id][body]: keep three parts, drop any beyond. */
    zmq_msg_t parts[3];
    guint count = 0;
    for (;;) {
        zmq_msg_t scratch;
        zmq_msg_t *part = count < 3 ? &parts[count] : &scratch;
        zmq_msg_init (part);
        if (zmq_msg_recv (part, self->socket, ZMQ_DONTWAIT) < 0) {
            int err = errno;
            zmq_msg_close (part);
            for (guint i = 0; i < MIN (count, 3); i++)
                zmq_msg_close (&parts[i]);
            if (count == 0) {
                if (err != EAGAIN && err != EINTR)
                    dbn_log_once ("bus-recv-failed", "receiving on %s: %s", self->endpoint,
                                  zmq_strerror (err));
                return READ_NONE;
            }
            /* Cannot happen (the parts of a message arrive together). */
            self->dropped++;
            return READ_MALFORMED;
        }
        count++;
        gboolean more = zmq_msg_more (part);
        if (part == &scratch)
            zmq_msg_close (&scratch);
        if (!more)
            break;
    }
    guint kept = MIN (count, 3);

    /* Issue 11: every malformed shape that has a request id is answered
     * (docs/codec.md, "Frames of a request"); one without is logged. */
    size_t id_size = count >= 2 ? zmq_msg_size (&parts[1]) : 0;
    size_t body_size = count >= 3 ? zmq_msg_size (&parts[2]) : 0;
    const char *user_id = zmq_msg_gets (&parts[kept - 1], "User-Id");
    if (user_id != NULL && *user_id == '\0')
        user_id = NULL;
    g_autoptr (GError) refused = NULL;
    if (count >= 3 && id_size > DBN_BUS_MAX_REQUEST_ID)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                               "the request id is %zu bytes, at most %d are allowed", id_size,
                               DBN_BUS_MAX_REQUEST_ID);
    else if (count > 3)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                               "a request is 2 frames (request id, command map), not %u", count - 1);
    else if (count == 3 && body_size > DBN_CODEC_MAX_FRAME)
        refused = g_error_new (DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                               "the command map is %zu bytes, at most %d are allowed", body_size,
                               DBN_CODEC_MAX_FRAME);
    if (self->refusal != NULL && (count == 2 || refused != NULL)) {
        self->dropped++;
        if (refused != NULL)
            server_refuse (self, &parts[0], &parts[1], refused);
        else
            server_log_unanswered (self, user_id, 1, id_size);
        for (guint i = 0; i < kept; i++)
            zmq_msg_close (&parts[i]);
        return READ_MALFORMED;
    }
    if (count != 3 || refused != NULL) {
        self->dropped++;
        dbn_log_once (self->log_key,
                      "%s: dropped a malformed request (%u parts, request id %zu bytes; "
                      "want 3 parts and an id of at most %d bytes); further drops are "
                      "only counted",
                      self->endpoint, count, id_size, DBN_BUS_MAX_REQUEST_ID);
        for (guint i = 0; i < kept; i++)
            zmq_msg_close (&parts[i]);
        return READ_MALFORMED;
    }

    DbnRequest *request = g_new0 (DbnRequest, 1);
    /* The metadata travels with every frame of the connection. */
    if (user_id != NULL)
        request->user_id = g_strdup (user_id);
    const char *key = zmq_msg_gets (&parts[2], DBN_CURVE_KEY_PROPERTY);
    if (key != NULL && *key != '\0')
        request->key = g_strdup (key);
    request->peer = bytes_copy_msg (&parts[0]);
    request->request_id = bytes_copy_msg (&parts[1]);
    request->body = bytes_steal_msg (&parts[2]);
    for (guint i = 0; i < 3; i++)
        zmq_msg_close (&parts[i]);
    *out = request;
    return READ_REQUEST;
}

static gboolean
server_on_readable (void *socket, gpointer user_data)
{
    DbnServer *self = user_data;

    /* Malformed messages count against batch_max too: a flood of garbage
     * must not hold the loop any longer than a flood of work. */
    for (guint n = 0; n < self->batch_max; n++) {
        DbnRequest *request = NULL;
        ReadResult result = server_read_one (self, &request);
        if (result == READ_NONE)
            break;
        if (request != NULL)
            g_ptr_array_add (self->batch, request);
    }
    if (self->batch->len > 0) {
        self->in_batch = TRUE;
        self->func (self, self->batch, self->user_data);
        self->in_batch = FALSE;
    }
    g_ptr_array_set_size (self->batch, 0);
    /* A handler may free the server (a stop command): the requests it was
     * given stay valid until it returns, so the free happens here. */
    if (self->free_asked) {
        server_finalize (self);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

DbnServer *
dbn_server_new (DbnBus *bus, const char *endpoint, guint batch_max, DbnServerBatchFunc func,
                gpointer user_data, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (endpoint != NULL, NULL);
    g_return_val_if_fail (batch_max > 0, NULL);
    g_return_val_if_fail (func != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    void *socket = dbn_bus_socket_new (bus, ZMQ_ROUTER, error);
    if (socket == NULL)
        return NULL;
    /* A reply to a peer that went away is dropped, never an error: the
     * client retries with the same idempotency key. The frame limit is set
     * above the codec's so that an oversize command gets an answer. */
    gint64 max_size = DBN_BUS_SERVER_MAX_FRAME;
    if (!setsockopt_int (socket, ZMQ_ROUTER_MANDATORY, 0)
        || zmq_setsockopt (socket, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size) != 0) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot set ZMQ_ROUTER_MANDATORY: %s",
                     zmq_strerror (errno));
        zmq_close (socket);
        return NULL;
    }
    char *bound = NULL;
    if (!dbn_bus_bind (bus, socket, endpoint, &bound, error)) {
        zmq_close (socket);
        return NULL;
    }

    DbnServer *self = g_new0 (DbnServer, 1);
    self->socket = socket;
    self->endpoint = bound;
    self->batch_max = batch_max;
    self->func = func;
    self->user_data = user_data;
    self->batch = g_ptr_array_new_full (MIN (batch_max, 1024), (GDestroyNotify) dbn_request_free);
    self->log_key = g_strdup_printf ("bus-malformed:%s", bound);
    self->source =
        attach_socket_source (socket, server_on_readable, self, g_main_context_get_thread_default ());
    return self;
}

static void
server_finalize (DbnServer *self)
{
    if (self->source != NULL) {
        g_source_destroy (self->source);
        g_source_unref (self->source);
    }
    zmq_close (self->socket);
    g_ptr_array_unref (self->batch);
    g_clear_pointer (&self->unanswered, g_hash_table_unref);
    g_free (self->endpoint);
    g_free (self->log_key);
    g_free (self);
}

void
dbn_server_set_refusal_func (DbnServer *self, DbnServerRefusalFunc func)
{
    g_return_if_fail (self != NULL);
    self->refusal = func;
}

void
dbn_server_free (DbnServer *self)
{
    if (self == NULL)
        return;
    if (self->in_batch)
        self->free_asked = TRUE;
    else
        server_finalize (self);
}

void
dbn_server_reply (DbnServer *self, const DbnRequest *request, GBytes *reply)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (request != NULL && request->peer != NULL && request->request_id != NULL);
    g_return_if_fail (reply != NULL);

    /* ROUTER never blocks: a full or vanished peer drops the message. Only
     * the first part can fail, and then no later part may go out alone. */
    if (send_bytes (self->socket, request->peer, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, request->request_id, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || send_bytes (self->socket, reply, ZMQ_DONTWAIT) < 0)
        dbn_log_once ("bus-reply-failed", "%s: a reply could not be sent: %s", self->endpoint,
                      zmq_strerror (errno));
}

const char *
dbn_server_get_endpoint (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->endpoint;
}

guint64
dbn_server_get_dropped (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->dropped;
}

void *
dbn_server_get_socket (DbnServer *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->socket;
}
