/* dbn_auth.c: the ZAP handler thread, the bus's identity and the topic policy.
 *
 * Structure. libzmq sends one ZAP request per handshake to a REP socket
 * bound at inproc://zeromq.zap.01 in the context of the socket being
 * connected to, and blocks that handshake until the reply. The handler
 * therefore runs in its own thread with its own poll loop over two sockets:
 * the REP, and a PAIR pipe to the thread that created it (style rule 8: the
 * thread says READY over the pipe before dbn_auth_new returns, and leaves on
 * $TERM). The handler's registry belongs to the thread alone, so no lock is
 * taken per handshake; the only shared state is two atomic counters.
 *
 * Decision per request (RFC 27): mechanism CURVE with exactly one 32-byte
 * credential whose Z85 spelling is a registered, unrevoked key → 200 with
 * User-Id = the principal. Everything else → 400, including NULL and PLAIN
 * (no daiban socket uses them; a socket that accidentally asks must fail
 * closed). A request that is not RFC 27 at all → 500. Rejected: caching
 * decisions per key (a revocation must win on the next handshake) and 300
 * "temporary failure" for a registry that cannot be read (the previous
 * registry stays in force, so there is always an answer).
 *
 * Revocation. The registry file is stat()ed at most every 500 ms, on the
 * next handshake after that interval, so a key revoked by `daiban keys
 * revoke` is refused on new handshakes within a second (an unknown key
 * triggers an immediate check, see lookup_key). Connections already
 * authenticated are not dropped here: that is the integration's job (the
 * server checks the User-Id of each message against the registry).
 *
 * Each 200 carries the client's key as the metadata property "X-Key"
 * (ZMTP property encoding: name length, name, 4-byte value length, value),
 * which libzmq attaches to every message of the connection beside User-Id.
 * The principal alone is not enough to refuse a revoked connection: the
 * principal may have been given a new key since, and the old connection
 * would then pass a check by name.
 *
 * Logging. A client that keeps retrying with a refused key (or a scanner
 * cycling keys) must not flood the log: each refusal is logged once per
 * (peer address, key) through dbn_log_once, and at most REFUSALS_LOGGED_MAX
 * distinct pairs per handler are logged at all, since dbn_log_once
 * remembers every key for the life of the process.
 */
#define G_LOG_DOMAIN "daiban-auth"

#include "daiban/dbn_auth.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <zmq.h>

#include "daiban/dbn_error.h"
#include "daiban/dbn_log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_VERSION  "1.0"
/* RFC 27: version, request id, domain, address, identity, mechanism, then
 * the mechanism's credentials (CURVE: one). More than this is not ZAP. */
#define ZAP_FRAMES_MIN             6
#define ZAP_FRAMES_MAX             8
#define REGISTRY_CHECK_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)
#define REFUSALS_LOGGED_MAX        1024
/* Peer addresses are IPv4/IPv6 text or an ipc path: quote at most this much. */
#define ADDRESS_SHOWN_MAX 80

struct _DbnAuth {
    void *pipe;                     /* PAIR to the handler thread (this end bound) */
    GThread *thread;                /* the handler */
    atomic_uint_least64_t accepted; /* requests answered 200 */
    atomic_uint_least64_t refused;  /* requests answered 400 or 500 */
};

/* What the handler thread owns. Freed by the thread on its way out. */
typedef struct {
    DbnAuth *auth;         /* for the counters; outlives the thread */
    void *context;         /* the bus's libzmq context (borrowed) */
    char *pipe_endpoint;   /* where the creator's PAIR is bound */
    DbnRegistry *registry; /* keys → principals, reloaded on change */
    gint64 next_check_us;  /* monotonic time of the next registry stat() */
    guint refusals_logged; /* distinct (address, key) pairs logged */
} Handler;

static void
handler_free (Handler *handler)
{
    dbn_registry_free (handler->registry);
    g_free (handler->pipe_endpoint);
    g_free (handler);
}

static void
set_linger_zero (void *socket)
{
    int zero = 0;
    zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero);
}

static void
send_text (void *socket, const char *text, gboolean more)
{
    zmq_send (socket, text, strlen (text), more ? ZMQ_SNDMORE : 0);
}

/* The address frame as printable text, bounded. Caller owns it. */
static char *
frame_text (zmq_msg_t *frame)
{
    gsize size = MIN (zmq_msg_size (frame), (gsize) ADDRESS_SHOWN_MAX);
    GString *text = g_string_sized_new (size);
    const guchar *data = zmq_msg_data (frame);
    for (gsize i = 0; i < size; i++) {
        if (g_ascii_isgraph (data[i]))
            g_string_append_c (text, (char) data[i]);
        else
            g_string_append_printf (text, "\\x%02x", data[i]);
    }
    return g_string_free (text, FALSE);
}

static gboolean
frame_equals (zmq_msg_t *frame, const char *text)
{
    gsize len = strlen (text);
    return zmq_msg_size (frame) == len && memcmp (zmq_msg_data (frame), text, len) == 0;
}

/* Re-reads the registry if the interval has passed, or at once when force
 * is set. Returns TRUE when new contents were loaded. */
static gboolean
maybe_reload (Handler *handler, gboolean force)
{
    gint64 now = g_get_monotonic_time ();
    if (!force && now < handler->next_check_us)
        return FALSE;
    handler->next_check_us = now + REGISTRY_CHECK_INTERVAL_US;
    if (!dbn_registry_reload_if_changed (handler->registry))
        return FALSE;
    g_debug ("ZAP: key registry reloaded");
    return TRUE;
}

/* The principal of key, or NULL. A revocation waits for the interval; an
 * unknown key makes the handler look at the file at once, so a key added a
 * moment ago is not refused (libzmq does not retry a handshake refused with
 * 400). That costs one stat() per refused handshake, next to the far larger
 * cost of the CURVE handshake itself. */
static const char *
lookup_key (Handler *handler, const char *key)
{
    maybe_reload (handler, FALSE);
    const char *principal = dbn_registry_lookup (handler->registry, key);
    if (principal == NULL && maybe_reload (handler, TRUE))
        principal = dbn_registry_lookup (handler->registry, key);
    return principal;
}

static void
log_refusal (Handler *handler, const char *address, const char *mechanism, const char *key,
             const char *reason)
{
    if (handler->refusals_logged > REFUSALS_LOGGED_MAX)
        return;
    if (handler->refusals_logged == REFUSALS_LOGGED_MAX) {
        handler->refusals_logged++;
        dbn_log_once ("zap:too-many",
                      "ZAP: %d different refused peers and keys logged; further "
                      "refusals are counted but not logged",
                      REFUSALS_LOGGED_MAX);
        return;
    }
    /* The mechanism is part of the key: without a CURVE key, a NULL and a
     * PLAIN attempt from one address are different mistakes. */
    g_autofree char *once_key = g_strdup_printf ("zap:%s:%s:%s", address, mechanism, key);
    if (dbn_log_once (once_key, "ZAP: refused %s client from %s (key %s): %s", mechanism, address, key,
                      reason))
        handler->refusals_logged++;
}

/* Reads one ZAP request (all its frames) and sends the reply. */
static void
handle_request (Handler *handler, void *zap)
{
    zmq_msg_t frames[ZAP_FRAMES_MAX];
    int count = 0;
    gboolean too_many = FALSE;
    int more = 1;
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, zap, 0) < 0) {
            zmq_msg_close (&frame);
            if (errno == EINTR)
                continue;
            /* ETERM while reading: the thread is going away. */
            for (int i = 0; i < count; i++)
                zmq_msg_close (&frames[i]);
            return;
        }
        more = zmq_msg_more (&frame);
        if (count < ZAP_FRAMES_MAX)
            frames[count++] = frame;
        else {
            too_many = TRUE;
            zmq_msg_close (&frame);
        }
    }

    const char *status = "500";
    const char *status_text = "malformed ZAP request";
    const char *user_id = "";
    char key[DBN_CURVE_Z85_LEN + 1] = "(none)";
    if (count >= ZAP_FRAMES_MIN && !too_many && frame_equals (&frames[0], ZAP_VERSION)) {
        g_autofree char *address = frame_text (&frames[3]);
        g_autofree char *mechanism = frame_text (&frames[5]);
        const char *reason = "only CURVE is accepted";
        if (frame_equals (&frames[5], "CURVE")) {
            reason = "malformed CURVE credentials";
            if (count == ZAP_FRAMES_MIN + 1 && zmq_msg_size (&frames[6]) == DBN_CURVE_KEY_BYTES
                && zmq_z85_encode (key, zmq_msg_data (&frames[6]), DBN_CURVE_KEY_BYTES) != NULL) {
                user_id = lookup_key (handler, key);
                reason = "key not registered, or revoked";
            }
        }
        if (user_id != NULL && *user_id != '\0') {
            status = "200";
            status_text = "OK";
            g_debug ("ZAP: %s from %s authenticated", user_id, address);
        } else {
            user_id = "";
            status = "400";
            status_text = "not authorised";
            log_refusal (handler, address, mechanism, key, reason);
        }
    }
    if (status[0] == '5')
        /* Only libzmq itself talks to this socket: a bug, not an attack. */
        dbn_log_once ("zap:malformed", "ZAP: malformed request (%d frames), answered 500", count);
    if (status[0] == '2')
        atomic_fetch_add (&handler->auth->accepted, 1);
    else
        atomic_fetch_add (&handler->auth->refused, 1);

    /* REP must answer every request, even one it could not read, or it
     * would never take the next one: echo the request id when there is one. */
    send_text (zap, ZAP_VERSION, TRUE);
    if (count >= 2)
        zmq_send (zap, zmq_msg_data (&frames[1]), zmq_msg_size (&frames[1]), ZMQ_SNDMORE);
    else
        zmq_send (zap, "", 0, ZMQ_SNDMORE);
    send_text (zap, status, TRUE);
    send_text (zap, status_text, TRUE);
    send_text (zap, user_id, TRUE);
    if (status[0] == '2') {
        /* metadata: X-Key = the client's Z85 key (see the design comment) */
        guint8 metadata[1 + sizeof DBN_CURVE_KEY_PROPERTY + 4 + DBN_CURVE_Z85_LEN];
        gsize name_len = strlen (DBN_CURVE_KEY_PROPERTY), n = 0;
        metadata[n++] = (guint8) name_len;
        memcpy (metadata + n, DBN_CURVE_KEY_PROPERTY, name_len);
        n += name_len;
        guint32 value_len = GUINT32_TO_BE (DBN_CURVE_Z85_LEN);
        memcpy (metadata + n, &value_len, 4);
        n += 4;
        memcpy (metadata + n, key, DBN_CURVE_Z85_LEN);
        n += DBN_CURVE_Z85_LEN;
        zmq_send (zap, metadata, n, 0);
    } else {
        zmq_send (zap, "", 0, 0); /* metadata: none */
    }
    for (int i = 0; i < count; i++)
        zmq_msg_close (&frames[i]);
}

/* TRUE when the pipe says $TERM (or the context is going away). */
static gboolean
pipe_says_stop (void *pipe)
{
    char command[16];
    int n = zmq_recv (pipe, command, sizeof command, 0);
    if (n < 0)
        return errno != EINTR;
    return n == 5 && memcmp (command, "$TERM", 5) == 0;
}

static gpointer
handler_run (gpointer data)
{
    Handler *handler = data;
    void *pipe = zmq_socket (handler->context, ZMQ_PAIR);
    void *zap = zmq_socket (handler->context, ZMQ_REP);
    if (pipe == NULL || zap == NULL || zmq_connect (pipe, handler->pipe_endpoint) != 0) {
        /* Without the pipe the creator cannot be told; it would wait forever,
         * and this only happens when the context is already terminated. */
        g_critical ("ZAP handler: cannot set up its sockets: %s", zmq_strerror (errno));
        if (zap != NULL)
            zmq_close (zap);
        if (pipe != NULL)
            zmq_close (pipe);
        handler_free (handler);
        return NULL;
    }
    set_linger_zero (pipe);
    set_linger_zero (zap);
    if (zmq_bind (zap, ZAP_ENDPOINT) != 0) {
        g_autofree char *message =
            g_strdup_printf ("ERROR cannot bind %s: %s", ZAP_ENDPOINT, zmq_strerror (errno));
        send_text (pipe, message, FALSE);
        zmq_close (zap);
        zmq_close (pipe);
        handler_free (handler);
        return NULL;
    }
    send_text (pipe, "READY", FALSE);

    zmq_pollitem_t items[] = {
        { pipe, 0, ZMQ_POLLIN, 0 },
        { zap, 0, ZMQ_POLLIN, 0 },
    };
    for (;;) {
        if (zmq_poll (items, G_N_ELEMENTS (items), -1) < 0) {
            if (errno == EINTR)
                continue;
            break; /* ETERM: the context is closing */
        }
        if ((items[0].revents & ZMQ_POLLIN) && pipe_says_stop (pipe))
            break;
        if (items[1].revents & ZMQ_POLLIN)
            handle_request (handler, zap);
    }
    /* zmq_close releases an inproc name later, in libzmq's reaper thread;
     * unbinding releases it now, so a new handler can bind at once. */
    zmq_unbind (zap, ZAP_ENDPOINT);
    zmq_close (zap);
    zmq_close (pipe);
    handler_free (handler);
    return NULL;
}

DbnAuth *
dbn_auth_new (DbnBus *bus, const char *data_dir, GError **error)
{
    g_return_val_if_fail (bus != NULL, NULL);
    g_return_val_if_fail (data_dir != NULL, NULL);
    if (!dbn_keys_check_libzmq (error))
        return NULL;
    DbnRegistry *registry = dbn_registry_load (data_dir, error);
    if (registry == NULL)
        return NULL;

    DbnAuth *self = g_new0 (DbnAuth, 1);
    atomic_init (&self->accepted, 0);
    atomic_init (&self->refused, 0);
    Handler *handler = g_new0 (Handler, 1);
    handler->auth = self;
    handler->context = dbn_bus_get_context (bus);
    handler->registry = registry;
    handler->next_check_us = g_get_monotonic_time () + REGISTRY_CHECK_INTERVAL_US;
    /* A number, not the address of self: a freed DbnAuth's address may come
     * back while its endpoint is still being unbound. */
    static gint instances = 0;
    handler->pipe_endpoint = g_strdup_printf ("inproc://dbn-auth-%d", g_atomic_int_add (&instances, 1));

    self->pipe = zmq_socket (handler->context, ZMQ_PAIR);
    if (self->pipe == NULL || zmq_bind (self->pipe, handler->pipe_endpoint) != 0) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "ZAP handler pipe: %s",
                     zmq_strerror (errno));
        if (self->pipe != NULL)
            zmq_close (self->pipe);
        handler_free (handler);
        g_free (self);
        return NULL;
    }
    set_linger_zero (self->pipe);
    self->thread = g_thread_try_new ("dbn-auth", handler_run, handler, error);
    if (self->thread == NULL) {
        zmq_close (self->pipe);
        handler_free (handler);
        g_free (self);
        return NULL;
    }

    char signal[256];
    int n;
    do
        n = zmq_recv (self->pipe, signal, sizeof signal - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n == 5 && memcmp (signal, "READY", 5) == 0)
        return self;

    /* The thread has already left (it only sends ERROR on its way out). */
    signal[n < 0 ? 0 : MIN (n, (int) sizeof signal - 1)] = '\0';
    g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_ENDPOINT,
                 "ZAP handler: %s (is another handler running in this context?)",
                 n > 6 ? signal + 6 : "did not start");
    g_thread_join (self->thread);
    zmq_close (self->pipe);
    g_free (self);
    return NULL;
}

void
dbn_auth_free (DbnAuth *self)
{
    if (self == NULL)
        return;
    send_text (self->pipe, "$TERM", FALSE);
    g_thread_join (self->thread);
    zmq_close (self->pipe);
    g_free (self);
}

guint64
dbn_auth_get_accepted (DbnAuth *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return atomic_load (&self->accepted);
}

guint64
dbn_auth_get_refused (DbnAuth *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return atomic_load (&self->refused);
}

static gboolean
endpoint_is_local (const char *endpoint)
{
    return endpoint == NULL || g_str_has_prefix (endpoint, "ipc://")
           || g_str_has_prefix (endpoint, "inproc://");
}

/* The escape hatch: plain text for a test or a benchmark, never over TCP. */
static gboolean
setup_plaintext (DbnBus *bus, DbnConfig *config, GError **error)
{
    for (const char *const *name = dbn_config_service_names (); *name != NULL; name++) {
        const char *endpoints[] = { dbn_config_get_command_endpoint (config, *name),
                                    dbn_config_get_publish_endpoint (config, *name) };
        for (gsize i = 0; i < G_N_ELEMENTS (endpoints); i++) {
            if (!endpoint_is_local (endpoints[i])) {
                g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_INSECURE,
                             "%s=1 is refused: %s is a network endpoint; plain text is "
                             "only for tests on ipc:// and inproc://",
                             DBN_AUTH_PLAINTEXT_ENV, endpoints[i]);
                return FALSE;
            }
        }
    }
    /* A message, not a warning: tests that ask for it run with fatal warnings. */
    static gsize said = 0;
    if (g_once_init_enter (&said)) {
        g_message ("%s=1: CURVE is OFF, every peer is trusted (tests and benchmarks only)",
                   DBN_AUTH_PLAINTEXT_ENV);
        g_once_init_leave (&said, 1);
    }
    dbn_bus_allow_plaintext (bus);
    return TRUE;
}

gboolean
dbn_auth_setup_bus (DbnBus *bus, DbnConfig *config, const char *key_path, GError **error)
{
    g_return_val_if_fail (bus != NULL && config != NULL && key_path != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    if (g_strcmp0 (g_getenv (DBN_AUTH_PLAINTEXT_ENV), "1") == 0)
        return setup_plaintext (bus, config, error);
    g_autoptr (DbnKeyPair) pair = dbn_key_pair_load (key_path, error);
    if (pair == NULL)
        return FALSE;
    g_autoptr (DbnRegistry) registry = dbn_registry_load (dbn_config_get_data_dir (config), error);
    if (registry == NULL)
        return FALSE;
    for (const char *const *name = dbn_config_service_names (); *name != NULL; name++) {
        g_autofree char *principal = g_strconcat ("service:", *name, NULL);
        const char *public_z85 = dbn_registry_get_public_key (registry, principal);
        if (public_z85 == NULL || dbn_registry_is_revoked (registry, principal))
            continue;
        const char *command = dbn_config_get_command_endpoint (config, *name);
        const char *publish = dbn_config_get_publish_endpoint (config, *name);
        if (command != NULL)
            dbn_bus_add_server_key (bus, command, public_z85);
        if (publish != NULL)
            dbn_bus_add_server_key (bus, publish, public_z85);
    }
    dbn_bus_set_identity (bus, &pair);
    return TRUE;
}

/* TRUE when topic is prefix followed by exactly id, optionally a '/'. */
static gboolean
topic_is (const char *topic, const char *prefix, const char *id)
{
    gsize plen = strlen (prefix), ilen = strlen (id);
    return strncmp (topic, prefix, plen) == 0 && strncmp (topic + plen, id, ilen) == 0
           && (topic[plen + ilen] == '\0' || strcmp (topic + plen + ilen, "/") == 0);
}

char *
dbn_auth_grant_subscription (const char *principal, const char *topic)
{
    g_return_val_if_fail (topic != NULL, NULL);
    DbnPrincipalKind kind = principal != NULL ? dbn_principal_get_kind (principal) : DBN_PRINCIPAL_OPERATOR;
    /* Services follow whole journals and the operator sees everything. */
    if (kind == DBN_PRINCIPAL_SERVICE || kind == DBN_PRINCIPAL_OPERATOR)
        return g_strdup (topic);
    /* A User-Id that is no principal (another ZAP handler?) gets nothing. */
    if (kind == 0)
        return NULL;
    if (strcmp (topic, "hb") == 0 || strcmp (topic, "hb/") == 0)
        return g_strdup ("hb/");
    const char *id = dbn_principal_get_id (principal);
    switch (kind) {
    case DBN_PRINCIPAL_STATION: return topic_is (topic, "s/", id) ? g_strconcat ("s/", id, "/", NULL) : NULL;
    case DBN_PRINCIPAL_WINDOW: return topic_is (topic, "q/", id) ? g_strconcat ("q/", id, "/", NULL) : NULL;
    case DBN_PRINCIPAL_COUNTY: return topic_is (topic, "c/", id) ? g_strconcat ("c/", id, "/", NULL) : NULL;
    case DBN_PRINCIPAL_SUPERVISOR:
        return topic_is (topic, "a/", id) ? g_strconcat ("a/", id, "/", NULL) : NULL;
    /* Issue 16 item 4: the public board reads the masked rows and nothing else. */
    case DBN_PRINCIPAL_BOARD:
        return strcmp (topic, "pub") == 0 || strcmp (topic, "pub/") == 0 ? g_strdup ("pub/") : NULL;
    case DBN_PRINCIPAL_COMMITTEE:
        /* The audit feed and nothing else: "audit" alone would also match
         * a topic "auditx". */
        if (strcmp (topic, "audit") == 0)
            return g_strdup ("audit/");
        return g_str_has_prefix (topic, "audit/") ? g_strdup (topic) : NULL;
    default: return NULL; /* an unknown kind: an invalid User-Id never gets anything */
    }
}

char *
dbn_auth_subscription_policy (const char *principal, const char *key, const char *topic, gpointer user_data)
{
    return dbn_auth_grant_subscription (principal, topic);
}

char *
dbn_auth_dup_own_topic (const char *principal)
{
    if (principal == NULL)
        return NULL;
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_principal_get_kind (principal)) {
    case DBN_PRINCIPAL_STATION: return g_strconcat ("s/", id, "/", NULL);
    case DBN_PRINCIPAL_WINDOW: return g_strconcat ("q/", id, "/", NULL);
    case DBN_PRINCIPAL_COUNTY: return g_strconcat ("c/", id, "/", NULL);
    case DBN_PRINCIPAL_SUPERVISOR: return g_strconcat ("a/", id, "/", NULL);
    case DBN_PRINCIPAL_COMMITTEE: return g_strdup ("audit/");
    case DBN_PRINCIPAL_BOARD: return g_strdup ("pub/");
    default: return NULL;
    }
}

gboolean
dbn_auth_may_read_queue (const char *principal, const char *kind, const char *id, GError **error)
{
    const char *allowed = NULL;
    switch (principal != NULL ? dbn_principal_get_kind (principal) : DBN_PRINCIPAL_OPERATOR) {
    case DBN_PRINCIPAL_STATION: allowed = "station"; break;
    case DBN_PRINCIPAL_WINDOW: allowed = "window"; break;
    case DBN_PRINCIPAL_COUNTY: allowed = "county"; break;
    case DBN_PRINCIPAL_SUPERVISOR: allowed = "area"; break;
    case DBN_PRINCIPAL_BOARD: break; /* no queue: its rows are routing.board's */
    /* A group agent hands requests over; it holds no queue. */
    case DBN_PRINCIPAL_GROUP: allowed = ""; break;
    default: return TRUE; /* the committee, the operator, services */
    }
    if (g_strcmp0 (kind, allowed) == 0 && g_strcmp0 (id, dbn_principal_get_id (principal)) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may read only its own queue, not %s %s",
                 principal, kind, id);
    return FALSE;
}
