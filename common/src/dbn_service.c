/* dbn_service.c: group commit, idempotency, journal-then-publish.
 *
 * One dispatch of the ROUTER gives a batch of requests. Writing commands are
 * applied in one BEGIN IMMEDIATE ... COMMIT, each under a savepoint, so one
 * fsync covers the whole batch (research A4: ~100 k acked msg/s batched vs
 * ~2 k/s with a commit per command) and one bad command cannot spoil the
 * others. The order inside a batch is the order of arrival; events get
 * journal seqs in that order. Only after COMMIT are events published and
 * replies sent: a crash before COMMIT loses nothing that was acknowledged, a
 * crash after COMMIT but before publishing is repaired by consumers' sync.
 *
 * Rejected alternatives: a transaction per command (one fsync each: 50x
 * slower); a writer thread with a queue (two event loops for no gain on 2
 * cores; SQLite serialises writers anyway).
 *
 * Authorisation happens here, once, before any handler runs: the
 * connection's principal (ZAP User-Id) against the command's spec, and the
 * connection's key against the registry. ZAP only runs at the handshake, so
 * without the key check a revoked station would keep its open connection;
 * checking the key rather than the name also refuses a connection whose
 * principal has since been given a new key. The registry is re-read by a
 * 500 ms timer (one stat() when nothing changed), not per batch: a batch
 * must not pay for a file system call; only a key it does not know makes it
 * look at once (a client added a moment ago), at most every 50 ms. When a
 * key disappears, the publisher shuts down the connections of that key's
 * subscribers and of no one else (dbn_publisher_cut, dbn_bus.c).
 * Handlers then apply finer rules (a station's own village) with
 * dbn_command_get_principal.
 *
 * Idempotency (issue 11). The key is scoped by the principal and recorded
 * with the command's name and the SHA-256 of its map, so only a true retry
 * (the same bytes) gets the first reply; the key on another command or body
 * is key-reused, an empty key key-missing for every command. Hashing costs
 * ~1 µs per write; comparing decoded maps was rejected (a decode and an
 * encode per write) and so was storing the body (twice the row).
 */
#include "daiban/dbn_service.h"

#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daiban/dbn_auth.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_init.h"
#include "daiban/dbn_log.h"
#include "daiban/dbn_topic.h"

#define G_LOG_DOMAIN_SERVICE "daiban-service"
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN G_LOG_DOMAIN_SERVICE

/* Requests read per dispatch: bounds the latency one batch adds to the next. */
#define BATCH_MAX 1024
/* sys.sync caps, so a reply stays far below DBN_CODEC_MAX_FRAME. */
#define SYNC_MAX_EVENTS 1000
#define SYNC_MAX_BYTES  (1024 * 1024)
/* Room left in a reply sentence (schema limit 2048 bytes). */
#define MESSAGE_MAX_BYTES 2000
/* How often the key registry is looked at (issue 3: revocation within seconds). */
#define REGISTRY_CHECK_MS 500
/* Everyone but services and the operator (who may always call). */
#define ALL_CLIENTS                                                                                          \
    (DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE       \
     | DBN_PRINCIPAL_COUNTY | DBN_PRINCIPAL_LEADER | DBN_PRINCIPAL_BOARD | DBN_PRINCIPAL_GROUP)

typedef struct {
    const DbnCommandSpec *spec; /* the command's entry */
    gpointer user_data;         /* given to its handler */
} CommandEntry;

typedef struct {
    DbnService *service; /* whose store and emitter */
    DbnFollowFunc func;  /* the service's apply */
    gpointer user_data;  /* for func */
} Follower;

struct _DbnService {
    char *name;                /* "intake", ... */
    DbnConfig *config;         /* borrowed */
    DbnClock *clock;           /* borrowed */
    DbnStore *store;           /* DIR/<name>.db */
    DbnServer *server;         /* commands and sync */
    DbnPublisher *publisher;   /* events and heartbeats */
    GHashTable *commands;      /* cmd → CommandEntry* */
    DbnEmitter *emitter;       /* journal in the transaction, publish after the commit */
    char *actor;               /* "service:<name>": the actor of events no command caused */
    GHashTable *batch_keys;    /* scoped keys recorded by the open batch (not committed yet) */
    GPtrArray *followers;      /* Follower*, one per dbn_service_follow (outlive their subscribers) */
    guint heartbeat_id;        /* GSource id of the 1 s heartbeat */
    DbnAuth *auth;             /* ZAP handler of the bus; NULL without CURVE */
    DbnRegistry *registry;     /* keys → principals; NULL without CURVE */
    GHashTable *active_keys;   /* principal → key, unrevoked at the last look (owned) */
    guint registry_id;         /* GSource id of the registry check */
    gint64 registry_forced_us; /* monotonic time of the last out-of-turn check */
    gint64 started_at_ms;      /* wall clock at start */
    gint64 started_mono_us;    /* monotonic time at start, for uptime */
};

struct _DbnCommand {
    DbnService *service;       /* the service applying it */
    const DbnRequest *request; /* as received */
    DbnEnvCommand env;         /* decoded envelope */
    const char *actor;         /* see dbn_command_get_actor() */
    gint64 now_ms;             /* the batch's instant */
};

/* Cuts s to at most max bytes on a UTF-8 boundary. Caller owns the result. */
static char *
utf8_cut (const char *s, gsize max)
{
    if (s == NULL)
        return g_strdup ("");
    gsize len = strlen (s);
    if (len <= max)
        return g_strdup (s);
    const char *end = g_utf8_find_prev_char (s, s + max + 1);
    return g_strndup (s, end ? (gsize) (end - s) : 0);
}

GBytes *
dbn_service_error_reply (const GError *error)
{
    g_autoptr (DbnMsgSysErrorReply) reply = dbn_msg_sys_error_reply_new ();
    g_autofree char *zh = dbn_error_dup_message_zh (error);
    g_autofree char *en = dbn_error_dup_message_en (error);
    reply->env.ok = FALSE;
    g_free (reply->env.code);
    reply->env.code = g_strdup (dbn_error_wire_code (error));
    g_free (reply->env.msg_zh);
    reply->env.msg_zh = utf8_cut (zh, MESSAGE_MAX_BYTES);
    g_free (reply->env.msg_en);
    reply->env.msg_en = utf8_cut (en, MESSAGE_MAX_BYTES);
    GBytes *out = dbn_msg_sys_error_reply_encode (reply, NULL);
    g_assert (out != NULL); /* every field is within its limit by construction */
    return out;
}

gboolean
dbn_reply_check (GBytes *reply, GError **error)
{
    DbnEnvReply env = { 0 };
    if (!dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, error))
        return FALSE;
    gboolean ok = env.ok;
    if (!ok)
        g_propagate_error (error, dbn_error_new_from_wire (env.code, env.msg_zh, env.msg_en));
    dbn_env_reply_clear (&env);
    return ok;
}

DbnService *
dbn_service_new (const char *name, DbnConfig *config, DbnClock *clock, const char *const *migrations,
                 GError **error)
{
    g_return_val_if_fail (name != NULL && config != NULL && clock != NULL, NULL);
    /* Each batch allocates and frees about a megabyte; with glibc's default
     * 128 KiB trim threshold the heap top is returned and taken back on every
     * batch, and on a VM each brk shrink costs a TLB-flush IPI to the other
     * core: a third of intake's time under load (perf). Keep 32 MiB. */
    mallopt (M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    mallopt (M_TOP_PAD, 4 * 1024 * 1024);
    g_autofree char *path = dbn_config_dup_store_path (config, name);
    DbnStoreSync sync = dbn_config_get_sync_full (config) ? DBN_STORE_SYNC_FULL : DBN_STORE_SYNC_NORMAL;
    g_autoptr (DbnStore) store = dbn_store_open (path, sync, migrations, error);
    if (store == NULL)
        return NULL;
    DbnService *self = g_new0 (DbnService, 1);
    self->name = g_strdup (name);
    self->config = config;
    self->clock = clock;
    self->store = g_steal_pointer (&store);
    self->emitter = dbn_emitter_new (self->store, name);
    self->actor = g_strconcat ("service:", name, NULL);
    self->commands = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    self->batch_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    self->followers = g_ptr_array_new_with_free_func (g_free);
    self->started_at_ms = dbn_clock_now_ms (clock);
    self->started_mono_us = g_get_monotonic_time ();
    return self;
}

void
dbn_service_free (DbnService *self)
{
    if (self == NULL)
        return;
    if (self->heartbeat_id != 0)
        g_source_remove (self->heartbeat_id);
    if (self->registry_id != 0)
        g_source_remove (self->registry_id);
    g_clear_pointer (&self->server, dbn_server_free);
    dbn_emitter_set_publisher (self->emitter, NULL);
    g_clear_pointer (&self->publisher, dbn_publisher_free);
    /* After the sockets: a handshake still in flight must find its handler. */
    g_clear_pointer (&self->auth, dbn_auth_free);
    g_clear_pointer (&self->registry, dbn_registry_free);
    g_clear_pointer (&self->active_keys, g_hash_table_unref);
    g_clear_pointer (&self->emitter, dbn_emitter_free);
    g_clear_pointer (&self->store, dbn_store_free);
    g_hash_table_unref (self->commands);
    g_hash_table_unref (self->batch_keys);
    g_ptr_array_unref (self->followers);
    g_free (self->actor);
    g_free (self->name);
    g_free (self);
}

void
dbn_service_add_commands (DbnService *self, const DbnCommandSpec *specs, gpointer user_data)
{
    for (const DbnCommandSpec *s = specs; s->cmd != NULL; s++) {
        CommandEntry *entry = g_new0 (CommandEntry, 1);
        entry->spec = s;
        entry->user_data = user_data;
        g_hash_table_replace (self->commands, (gpointer) s->cmd, entry);
    }
}

const char *
dbn_service_get_name (DbnService *self)
{
    return self->name;
}
DbnStore *
dbn_service_get_store (DbnService *self)
{
    return self->store;
}
DbnClock *
dbn_service_get_clock (DbnService *self)
{
    return self->clock;
}
DbnConfig *
dbn_service_get_config (DbnService *self)
{
    return self->config;
}
DbnServer *
dbn_service_get_server (DbnService *self)
{
    return self->server;
}
DbnPublisher *
dbn_service_get_publisher (DbnService *self)
{
    return self->publisher;
}
DbnEmitter *
dbn_service_get_emitter (DbnService *self)
{
    return self->emitter;
}

DbnOrigin
dbn_service_get_origin (DbnService *self, gint64 now_ms)
{
    return (DbnOrigin){ .emitter = self->emitter, .actor = self->actor, .now_ms = now_ms };
}

/* What every follower did first: read the envelope, take the origin. */
static gboolean
apply_followed (DbnSubscriber *subscriber, gint64 seq, GBytes *event, gpointer user_data, GError **error)
{
    Follower *f = user_data;
    DbnOrigin origin = dbn_service_get_origin (f->service, dbn_clock_now_ms (f->service->clock));
    /* The subscriber decoded the envelope when it read the event. */
    const DbnEnvEvent *env = dbn_subscriber_get_envelope (subscriber);
    if (env != NULL)
        return f->func (f->user_data, env, event, &origin, error);
    DbnEnvEvent own = { 0 };
    if (!dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &own, NULL))
        return TRUE; /* the subscriber checked it already; nothing of ours */
    gboolean ok = f->func (f->user_data, &own, event, &origin, error);
    dbn_env_event_clear (&own);
    return ok;
}

DbnSubscriber *
dbn_service_follow (DbnService *self, DbnBus *bus, const char *producer, DbnFollowFunc apply,
                    gpointer user_data, GError **error)
{
    const char *publish = dbn_config_get_publish_endpoint (self->config, producer);
    const char *command = dbn_config_get_command_endpoint (self->config, producer);
    if (publish == NULL || command == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "daiban.conf has no endpoints for %s", producer);
        return NULL;
    }
    Follower *f = g_new0 (Follower, 1);
    f->service = self;
    f->func = apply;
    f->user_data = user_data;
    g_ptr_array_add (self->followers, f);
    DbnSubscriber *subscriber =
        dbn_subscriber_new (bus, self->store, producer, publish, command, apply_followed, f, error);
    if (subscriber != NULL)
        dbn_subscriber_set_emitter (subscriber, self->emitter);
    return subscriber;
}

GBytes *
dbn_command_get_body (DbnCommand *self)
{
    return self->request->body;
}

const char *
dbn_command_get_actor (DbnCommand *self)
{
    return self->actor;
}

const char *
dbn_command_get_principal (DbnCommand *self)
{
    return self->request->user_id;
}

DbnPrincipalKind
dbn_command_get_principal_kind (DbnCommand *self)
{
    if (self->request->user_id == NULL)
        return DBN_PRINCIPAL_OPERATOR;
    return dbn_principal_get_kind (self->request->user_id);
}

gint64
dbn_command_get_now_ms (DbnCommand *self)
{
    return self->now_ms;
}

DbnOrigin
dbn_command_get_origin (DbnCommand *self)
{
    return (DbnOrigin){
        .emitter = self->service->emitter, .command = self, .actor = self->actor, .now_ms = self->now_ms
    };
}

void
dbn_command_stamp_event (DbnCommand *self, DbnEnvEvent *env, const char *type, const char *case_no)
{
    dbn_emitter_stamp (self->service->emitter, env, type, case_no, self->actor, self->now_ms);
}

gboolean
dbn_command_emit (DbnCommand *self, const char *topic, const DbnEnvEvent *env, GBytes *event, GError **error)
{
    const char *const topics[] = { topic, NULL };
    return dbn_emitter_emit (self->service->emitter, topics, env, event, error);
}

void
dbn_command_publish_also (DbnCommand *self, const char *topic, GBytes *event)
{
    /* Same queue as the journaled events: a rolled-back command truncates
     * it, a failed commit clears it, so nothing unjournaled goes out. */
    dbn_emitter_publish_also (self->service->emitter, topic, event);
}

/* ---- built-in commands ---- */

static GBytes *
sys_status (DbnService *self, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgSysStatusReply) reply = dbn_msg_sys_status_reply_new ();
    reply->service = g_strdup (self->name);
    reply->pid = getpid ();
    reply->started_at = self->started_at_ms;
    reply->uptime_ms = (g_get_monotonic_time () - self->started_mono_us) / 1000;
    reply->seq = dbn_store_journal_newest (self->store);
    reply->version = g_strdup (DBN_VERSION);
    return dbn_msg_sys_status_reply_encode (reply, error);
}

typedef struct {
    GPtrArray *events; /* GBytes*, the reply's */
    gint64 last;       /* seq of the last one collected */
} Collected;

static gboolean
collect_event (gint64 seq, const char *topic, GBytes *body, gpointer user_data)
{
    Collected *c = user_data;
    g_ptr_array_add (c->events, g_bytes_ref (body));
    c->last = seq;
    return TRUE;
}

/* The producer half of the sync protocol: journal events after a seq.
 * Services and the operator read the whole journal. Everyone else reads one
 * topic, the one the publisher would grant it (dbn_auth_grant_subscription),
 * so a sync hands out exactly what a live subscription would have: a
 * station never another station's events, a committee key only audit
 * (issue 11; docs/security.md). The topic is matched exactly, not as a
 * prefix: a second wall behind the ids' own check. */
static GBytes *
sys_sync (DbnService *self, DbnCommand *command, gpointer user_data, GError **error)
{
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgSysSync) request =
        dbn_msg_sys_sync_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (request == NULL)
        return NULL;
    if (request->after < 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "sys.sync: 'after' must be 0 or more");
        return NULL;
    }
    if (request->has_max && (request->max < 1 || request->max > SYNC_MAX_EVENTS)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "sys.sync: 'max' must be 1 to %d, not %" G_GINT64_FORMAT, SYNC_MAX_EVENTS, request->max);
        return NULL;
    }
    gint64 max = request->has_max ? request->max : SYNC_MAX_EVENTS;
    const char *principal = dbn_command_get_principal (command);
    DbnPrincipalKind kind = dbn_command_get_principal_kind (command);
    g_autofree char *grant = NULL;
    if (request->topic != NULL) {
        grant = dbn_auth_grant_subscription (principal, request->topic);
        if (grant == NULL) {
            g_autofree char *shown = g_strescape (request->topic, NULL);
            g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not read the topic \"%s\"",
                         principal != NULL ? principal : "this caller", shown);
            return NULL;
        }
    } else if (kind != DBN_PRINCIPAL_SERVICE && kind != DBN_PRINCIPAL_OPERATOR) {
        grant = dbn_auth_dup_own_topic (principal);
        if (grant == NULL) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s reads no topic",
                         principal != NULL ? principal : "this caller");
            return NULL;
        }
    }

    g_autoptr (DbnMsgSysSyncReply) reply = dbn_msg_sys_sync_reply_new ();
    reply->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    Collected collected = { reply->events, request->after };
    reply->newest = dbn_store_journal_newest (self->store);
    if (grant == NULL) {
        if (!dbn_store_journal_read (self->store, request->after, (guint) max, SYNC_MAX_BYTES, collect_event,
                                     &collected, error))
            return NULL;
        /* The whole journal is consecutive: the last event is as far as this
         * reply looked, or the newest when there was none. */
        reply->through = reply->events->len > 0 ? collected.last : reply->newest;
    } else {
        /* Topics are journaled without the '/' that ends each frame. */
        gsize len = strlen (grant);
        if (len > 0 && grant[len - 1] == '/')
            grant[len - 1] = '\0';
        if (!dbn_store_journal_read_topic (self->store, grant, request->after, (guint) max, SYNC_MAX_BYTES,
                                           collect_event, &collected, &reply->through, error))
            return NULL;
    }
    return dbn_msg_sys_sync_reply_encode (reply, error);
}

static const DbnCommandSpec builtin_commands[] = {
    /* Whether a service is up tells nobody anything about cases. */
    { "sys.status", sys_status, FALSE, ALL_CLIENTS },
    /* Services and the operator: the whole journal; every other principal:
     * only its own topic's events (sys_sync). */
    { "sys.sync", sys_sync, FALSE, ALL_CLIENTS },
    { NULL, NULL, FALSE, 0 },
};

/* ---- security ---- */

static gboolean check_registry (gpointer user_data);

/* The principal of key if the registry still has it. An unknown key makes
 * the service look at the registry out of turn (a key added a moment ago
 * must work at once, as in ZAP), at most every 50 ms so that a revoked
 * client repeating itself costs nothing. */
static const char *
lookup_key (DbnService *self, const char *key)
{
    const char *principal = dbn_registry_lookup (self->registry, key);
    gint64 now = g_get_monotonic_time ();
    if (principal == NULL && now - self->registry_forced_us >= 50 * G_TIME_SPAN_MILLISECOND) {
        self->registry_forced_us = now;
        check_registry (self);
        principal = dbn_registry_lookup (self->registry, key);
    }
    return principal;
}

/* NULL when request may run entry's command; else the refusal. */
static GError *
authorise (DbnService *self, const DbnRequest *request, const DbnCommandSpec *spec)
{
    const char *principal = request->user_id;
    /* No CURVE: inproc (this process) or a plain-text test bus. */
    if (principal == NULL)
        return NULL;
    if (self->registry != NULL && g_strcmp0 (lookup_key (self, request->key), principal) != 0)
        return g_error_new (DBN_ERROR, DBN_ERROR_FORBIDDEN, "the key of %s has been revoked or replaced",
                            principal);
    DbnPrincipalKind kind = dbn_principal_get_kind (principal);
    if (kind == DBN_PRINCIPAL_SERVICE || kind == DBN_PRINCIPAL_OPERATOR)
        return NULL;
    /* Architecture, Security: the committee reads, never writes, but for a
     * command that names it (its own findings in the audit record, D-AUD-2). */
    if (kind == DBN_PRINCIPAL_COMMITTEE && spec->writes && (spec->principals & DBN_PRINCIPAL_COMMITTEE) == 0)
        return g_error_new (DBN_ERROR, DBN_ERROR_FORBIDDEN,
                            "the committee reads and never writes: %s refused", spec->cmd);
    if ((spec->principals & kind) == 0)
        return g_error_new (DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not call %s", principal, spec->cmd);
    guint desks = spec->principals & (DBN_COMMAND_FRONT_DESK | DBN_COMMAND_BACK_OFFICE);
    guint roles = dbn_principal_get_window_roles (principal);
    gboolean front = (desks & DBN_COMMAND_FRONT_DESK) && (roles & DBN_WINDOW_ROLE_FRONT);
    gboolean back = (desks & DBN_COMMAND_BACK_OFFICE) && (roles & DBN_WINDOW_ROLE_BACK);
    if (kind == DBN_PRINCIPAL_WINDOW && desks != 0 && !front && !back)
        return g_error_new (DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not call %s: it is the %s's (D-RTE-6)",
                            principal, spec->cmd,
                            (desks & DBN_COMMAND_FRONT_DESK) ? "front desk" : "back office");
    return NULL;
}

/* Subscriptions: the default policy, for keys still valid. */
static char *
grant_subscription (const char *principal, const char *key, const char *topic, gpointer user_data)
{
    DbnService *self = user_data;
    if (principal != NULL && self->registry != NULL && g_strcmp0 (lookup_key (self, key), principal) != 0)
        return NULL;
    return dbn_auth_grant_subscription (principal, topic);
}

static void
remember_active_keys (DbnService *self)
{
    g_hash_table_remove_all (self->active_keys);
    g_auto (GStrv) principals = dbn_registry_dup_principals (self->registry);
    for (gsize i = 0; principals[i] != NULL; i++)
        if (!dbn_registry_is_revoked (self->registry, principals[i]))
            g_hash_table_insert (self->active_keys, g_strdup (principals[i]),
                                 g_strdup (dbn_registry_get_public_key (self->registry, principals[i])));
}

/* For dbn_publisher_cut: the registry as just reloaded, without the
 * out-of-turn look of lookup_key (this runs inside check_registry). */
static gboolean
key_still_valid (const char *principal, const char *key, gpointer user_data)
{
    DbnService *self = user_data;
    if (principal == NULL)
        return TRUE; /* no CURVE: nothing to revoke */
    return g_strcmp0 (dbn_registry_lookup (self->registry, key), principal) == 0;
}

/* TRUE when a key valid at the last look is no longer (revoked or replaced). */
static gboolean
lost_a_key (DbnService *self)
{
    GHashTableIter iter;
    gpointer principal, key;
    g_hash_table_iter_init (&iter, self->active_keys);
    while (g_hash_table_iter_next (&iter, &principal, &key))
        if (g_strcmp0 (dbn_registry_lookup (self->registry, key), principal) != 0)
            return TRUE;
    return FALSE;
}

static gboolean
check_registry (gpointer user_data)
{
    DbnService *self = user_data;
    if (!dbn_registry_reload_if_changed (self->registry))
        return G_SOURCE_CONTINUE;
    if (lost_a_key (self)) {
        guint cut = dbn_publisher_cut (self->publisher, key_still_valid, self);
        g_message ("%s: a key was revoked: refusing it on open connections; %u subscriber "
                   "connection(s) of revoked keys closed",
                   self->name, cut);
    }
    remember_active_keys (self);
    return G_SOURCE_CONTINUE;
}

static gboolean
is_inproc (const char *endpoint)
{
    return g_str_has_prefix (endpoint, "inproc://");
}

/* The service's identity, ZAP handler and registry, unless it needs none. */
static gboolean
start_security (DbnService *self, DbnBus *bus, const char *command, const char *publish, GError **error)
{
    if (is_inproc (command) && is_inproc (publish))
        return TRUE;
    const char *data_dir = dbn_config_get_data_dir (self->config);
    if (dbn_bus_get_identity (bus) == NULL && !dbn_bus_is_plaintext (bus)) {
        g_autofree char *principal = g_strconcat ("service:", self->name, NULL);
        g_autofree char *key_path = dbn_keys_dup_secret_path (data_dir, principal);
        if (!dbn_auth_setup_bus (bus, self->config, key_path, error))
            return FALSE;
    }
    if (dbn_bus_is_plaintext (bus))
        return TRUE;
    self->auth = dbn_auth_new (bus, data_dir, error);
    if (self->auth == NULL)
        return FALSE;
    self->registry = dbn_registry_load (data_dir, error);
    if (self->registry == NULL)
        return FALSE;
    self->active_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    remember_active_keys (self);
    self->registry_id = g_timeout_add (REGISTRY_CHECK_MS, check_registry, self);
    return TRUE;
}

/* ---- the batch ---- */

typedef struct {
    DbnCommand command;  /* envelope and context */
    CommandEntry *entry; /* NULL when the envelope failed */
    GBytes *reply;       /* the answer, once known */
    gboolean cached;     /* reply came from the idempotency table, committed by an earlier batch */
} BatchItem;

/* SHA-256 of the command map as received (the key, the command and every
 * field). About 1 µs for a submit's ~300 bytes; a digest rather than the
 * body keeps the idempotency row small. */
static GBytes *
body_digest (GBytes *body)
{
    guint8 digest[32];
    gsize len = sizeof digest;
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    gsize size = 0;
    const guchar *data = g_bytes_get_data (body, &size);
    if (size > 0)
        g_checksum_update (sum, data, (gssize) size);
    g_checksum_get_digest (sum, digest, &len);
    return g_bytes_new (digest, len);
}

/* Applies one writing command under its savepoint and returns its reply.
 * When the command's failure made SQLite roll the whole transaction back
 * (disk full, I/O error), *lost is set to that error. */
static GBytes *
apply_write (DbnService *self, BatchItem *item, GError **lost)
{
    g_autoptr (GError) error = NULL;
    DbnCommand *command = &item->command;
    /* Keys are scoped by the authenticated principal, so one sender can never
     * read another's answer by guessing its key. */
    g_autofree char *key = g_strdup_printf (
        "%s|%s", command->request->user_id ? command->request->user_id : "", command->env.key);
    /* Issue 11: a key answers a retry of the same command with the same
     * body, byte for byte, and nothing else. */
    g_autoptr (GBytes) digest = body_digest (command->request->body);
    g_autofree char *recorded_cmd = NULL;
    GBytes *cached =
        dbn_store_idem_lookup (self->store, key, command->env.cmd, digest, &recorded_cmd, &error);
    if (recorded_cmd != NULL) {
        if (g_strcmp0 (recorded_cmd, command->env.cmd) != 0)
            g_set_error (&error, DBN_ERROR, DBN_ERROR_KEY_REUSED, "key “%s” was used for %s, not %s",
                         command->env.key, recorded_cmd, command->env.cmd);
        else
            g_set_error (&error, DBN_ERROR, DBN_ERROR_KEY_REUSED,
                         "key “%s” was used for %s with another body", command->env.key, command->env.cmd);
        return dbn_service_error_reply (error);
    }
    if (cached != NULL) {
        /* A repeat of a key recorded earlier in this batch gets an answer
         * that is not durable yet: a failed COMMIT must replace it too. */
        item->cached = !g_hash_table_contains (self->batch_keys, key);
        return cached;
    }
    if (error != NULL)
        return dbn_service_error_reply (error);
    if (!dbn_store_savepoint (self->store, &error))
        return dbn_service_error_reply (error);
    guint first_event = dbn_emitter_mark (self->emitter);
    GBytes *reply = item->entry->spec->func (self, command, item->entry->user_data, &error);
    g_autoptr (GError) also = NULL;
    if (!dbn_emitter_take_error (self->emitter, &also)) {
        /* A topic of one of its events could not be stored: the command
         * fails whole rather than publish what a sync could not give back. */
        g_clear_pointer (&reply, g_bytes_unref);
        g_clear_error (&error);
        error = g_steal_pointer (&also);
    }
    if (reply != NULL
        && dbn_store_idem_record (self->store, key, command->now_ms, command->env.cmd, digest, reply, &error)
        && dbn_store_release (self->store, &error)) {
        g_hash_table_add (self->batch_keys, g_steal_pointer (&key));
        return reply;
    }
    g_clear_pointer (&reply, g_bytes_unref);
    if (error == NULL)
        g_set_error (&error, DBN_ERROR, DBN_ERROR_INTERNAL, "%s failed without saying why", command->env.cmd);
    if (dbn_store_in_transaction (self->store))
        dbn_store_rollback_to (self->store);
    else
        g_propagate_error (lost, g_error_copy (error));
    dbn_emitter_drop_to (self->emitter, first_event);
    return dbn_service_error_reply (error);
}

static void
on_batch (DbnServer *server, GPtrArray *requests, gpointer user_data)
{
    DbnService *self = user_data;
    gint64 now = dbn_clock_now_ms (self->clock);
    guint n = requests->len;
    BatchItem *items = g_new0 (BatchItem, n);
    gboolean any_write = FALSE;

    for (guint i = 0; i < n; i++) {
        BatchItem *item = &items[i];
        const DbnRequest *request = g_ptr_array_index (requests, i);
        g_autoptr (GError) error = NULL;
        item->command.service = self;
        item->command.request = request;
        item->command.now_ms = now;
        if (!dbn_env_command_decode (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                                     &item->command.env, &error)) {
            item->reply = dbn_service_error_reply (error);
            continue;
        }
        /* Issue 11: an empty key would turn idempotency off for a write, and
         * the rule is simplest when it holds for every command. */
        if (*item->command.env.key == '\0') {
            g_set_error (&error, DBN_ERROR, DBN_ERROR_KEY_MISSING, "the idempotency key must not be empty");
            item->reply = dbn_service_error_reply (error);
            continue;
        }
        item->command.actor = request->user_id          ? request->user_id
                              : item->command.env.actor ? item->command.env.actor
                                                        : "cli";
        item->entry = g_hash_table_lookup (self->commands, item->command.env.cmd);
        if (item->entry == NULL) {
            g_set_error (&error, DBN_ERROR, DBN_ERROR_UNKNOWN_COMMAND, "%s does not take '%s'", self->name,
                         item->command.env.cmd);
            item->reply = dbn_service_error_reply (error);
            continue;
        }
        error = authorise (self, request, item->entry->spec);
        if (error != NULL) {
            /* Refused before any handler: not cached, nothing journaled. */
            item->reply = dbn_service_error_reply (error);
            item->entry = NULL;
            continue;
        }
        any_write |= item->entry->spec->writes;
    }

    if (any_write) {
        g_autoptr (GError) error = NULL;
        if (!dbn_store_begin (self->store, &error)) {
            for (guint i = 0; i < n; i++)
                if (items[i].reply == NULL && items[i].entry->spec->writes)
                    items[i].reply = dbn_service_error_reply (error);
        } else {
            /* Once SQLite has rolled the transaction back, the commands
             * before lost their writes and the ones after have nowhere to
             * go: the whole batch fails with the error that caused it. */
            g_autoptr (GError) lost = NULL;
            for (guint i = 0; i < n; i++)
                if (items[i].reply == NULL && items[i].entry->spec->writes)
                    items[i].reply =
                        lost != NULL ? dbn_service_error_reply (lost) : apply_write (self, &items[i], &lost);
            if (lost != NULL)
                g_propagate_error (&error, g_steal_pointer (&lost));
            if (error != NULL || !dbn_store_commit (self->store, &error)) {
                /* Nothing of this batch is durable: no event goes out and no
                 * new success is acknowledged; the senders retry with the same keys. */
                g_warning ("%s: commit of %u commands failed: %s", self->name, n, error->message);
                dbn_emitter_discard (self->emitter);
                for (guint i = 0; i < n; i++) {
                    if (items[i].entry != NULL && items[i].entry->spec->writes && !items[i].cached) {
                        g_bytes_unref (items[i].reply);
                        items[i].reply = dbn_service_error_reply (error);
                    }
                }
            }
            g_hash_table_remove_all (self->batch_keys);
        }
        /* After the commit (or nothing, after a failed one), before the replies. */
        dbn_emitter_publish (self->emitter);
    }

    for (guint i = 0; i < n; i++) {
        BatchItem *item = &items[i];
        if (item->reply == NULL) {
            g_autoptr (GError) error = NULL;
            item->reply = item->entry->spec->func (self, &item->command, item->entry->user_data, &error);
            if (item->reply == NULL)
                item->reply = dbn_service_error_reply (error);
        }
        dbn_server_reply (self->server, item->command.request, item->reply);
        g_bytes_unref (item->reply);
        dbn_env_command_clear (&item->command.env);
    }
    g_free (items);
}

static gboolean
send_heartbeat (gpointer user_data)
{
    DbnService *self = user_data;
    g_autoptr (DbnMsgSysHeartbeat) hb = dbn_msg_sys_heartbeat_new ();
    hb->env.src = g_strdup (self->name);
    hb->env.seq = dbn_store_journal_newest (self->store);
    hb->env.ts = dbn_clock_now_ms (self->clock);
    hb->env.actor = g_strdup_printf ("service:%s", self->name);
    g_autoptr (GBytes) body = dbn_msg_sys_heartbeat_encode (hb, NULL);
    if (body != NULL)
        dbn_publisher_send (self->publisher, "hb", body);
    return G_SOURCE_CONTINUE;
}

gboolean
dbn_service_start (DbnService *self, DbnBus *bus, GError **error)
{
    const char *command = dbn_config_get_command_endpoint (self->config, self->name);
    const char *publish = dbn_config_get_publish_endpoint (self->config, self->name);
    if (command == NULL || publish == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "daiban.conf has no endpoints for service '%s'",
                     self->name);
        return FALSE;
    }
    dbn_service_add_commands (self, builtin_commands, NULL);
    if (!start_security (self, bus, command, publish, error))
        return FALSE;
    self->publisher = dbn_publisher_new (bus, publish, error);
    if (self->publisher == NULL)
        return FALSE;
    dbn_publisher_set_subscription_func (self->publisher, grant_subscription, self);
    dbn_emitter_set_publisher (self->emitter, self->publisher);
    self->server = dbn_server_new (bus, command, BATCH_MAX, on_batch, self, error);
    if (self->server == NULL)
        return FALSE;
    dbn_server_set_refusal_func (self->server, dbn_service_error_reply);
    self->heartbeat_id = g_timeout_add (1000, send_heartbeat, self);
    g_message ("%s: commands on %s, events on %s, journal at seq %" G_GINT64_FORMAT, self->name,
               dbn_server_get_endpoint (self->server), dbn_publisher_get_endpoint (self->publisher),
               dbn_store_journal_newest (self->store));
    return TRUE;
}

/* ---- what every service's main.c does ---- */

/* Sets the locale, parses --data DIR and --version for the service binary
 * `program` (summary: one line for --help), then starts logging. Returns the
 * data folder (dbn_config_resolve_data_dir; caller owns it), or NULL with
 * *exit_status set: 0 after --version, 2 for bad options (already printed). */
static char *
parse_options (int *argc, char ***argv, const char *program, const char *summary, int *exit_status)
{
    g_autofree char *data_option = NULL;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_option,
          "Data folder holding daiban.conf, keys and the SQLite files (数据目录)", "DIR" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
        { NULL },
    };
    setlocale (LC_ALL, "");
    g_autoptr (GOptionContext) options = g_option_context_new (summary);
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, argc, argv, &error)) {
        g_printerr ("%s: %s\n", program, error->message);
        *exit_status = 2;
        return NULL;
    }
    if (version) {
        g_print ("%s %s\n", program, DBN_VERSION);
        *exit_status = 0;
        return NULL;
    }
    dbn_init (program);
    return dbn_config_resolve_data_dir (data_option);
}

/* Prints "program: 启动失败 / cannot start: [code] message" (one line, the
 * Chinese sentence with the detail) and returns the exit status 1. */
static int
report_start_failure (const char *program, const GError *error)
{
    /* One line, both languages; a key error names the file. */
    g_autofree char *zh = dbn_error_dup_message_zh (error);
    g_printerr ("%s: 启动失败 / cannot start: [%s] %s\n", program, dbn_error_wire_code (error), zh);
    return 1;
}

static gboolean
quit_on_signal (gpointer loop)
{
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
}

/* Runs the thread-default main loop until SIGINT or SIGTERM. */
static void
run_until_signal (const char *name)
{
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_unix_signal_add (SIGINT, quit_on_signal, loop);
    g_unix_signal_add (SIGTERM, quit_on_signal, loop);
    g_main_loop_run (loop);
    /* One of the two fired and removed itself; remove the other. */
    g_source_remove_by_user_data (loop);
    g_message ("%s: stopping", name);
}

int
dbn_service_main (const DbnServiceSpec *spec, int argc, char **argv)
{
    g_return_val_if_fail (spec != NULL && spec->name != NULL && spec->new_actions != NULL
                              && spec->free_actions != NULL,
                          EXIT_FAILURE);
    g_autofree char *program = g_strconcat ("daiban-", spec->name, NULL);
    int status = 0;
    g_autofree char *data_dir = parse_options (&argc, &argv, program, spec->summary, &status);
    if (data_dir == NULL)
        return status;

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (data_dir, &error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (DbnService) service =
        config ? dbn_service_new (spec->name, config, clock, spec->migrations, &error) : NULL;
    gpointer actions = service ? spec->new_actions (service, &error) : NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    if (actions != NULL) {
        dbn_service_add_commands (service, spec->commands, actions);
        /* Serve first: what start begins (following, firing) publishes. */
        if (!dbn_service_start (service, bus, &error)
            || (spec->start != NULL && !spec->start (actions, bus, &error)))
            g_clear_pointer (&actions, spec->free_actions);
    }
    if (actions == NULL) {
        g_clear_pointer (&service, dbn_service_free);
        return report_start_failure (program, error);
    }
    run_until_signal (spec->name);
    /* Subscribers and statements before the store, sockets before the bus
     * (bus, declared after service, would otherwise go first). */
    g_clear_pointer (&actions, spec->free_actions);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
