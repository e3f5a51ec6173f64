/* dbn_service.h: what every daiban service is made of.
 *
 * A service owns a store, a command server (ROUTER) and a publisher (PUB).
 * Each dispatch of the server hands it a batch of commands; the service
 * applies all writing commands of the batch in ONE transaction (group
 * commit), each under its own savepoint, journals the events they emit,
 * commits, then publishes the events, then replies (architecture.md, "No
 * loss, no duplicates"). A retry (same principal, key, command and body)
 * gets the first reply back; the key on another command or body is refused
 * with key-reused, an empty key with key-missing (docs/architecture-notes.md).
 * Read-only commands run after the commit, so they see what was just
 * acknowledged and never what might still roll back.
 * Events go out through the service's one DbnEmitter (dbn_emitter.h), which
 * its followers (dbn_service_follow) and timers use too: whatever caused an
 * event, it is journaled in that transaction and published after it commits.
 *
 * Every service answers sys.status and sys.sync (the producer half of the
 * sync protocol) and publishes sys.heartbeat every second on topic "hb/".
 *
 * Security (docs/security.md). Unless its endpoints are all inproc://, a
 * service loads DIR/keys/service-<name>.secret, runs a ZAP handler and binds
 * CURVE servers. Each command is checked against the connection's principal
 * (never the "actor" it claims) and its key against the registry, re-read at
 * most every 500 ms, so a revoked key is refused on a connection that is
 * already open; a refusal is the wire code "forbidden". Subscriptions go
 * through dbn_auth_grant_subscription, and a revocation shuts down the
 * revoked subscribers' connections (dbn_publisher_cut), no other. sys.sync
 * serves every principal, scoped to what it may subscribe to.
 */
#pragma once

#include <glib.h>

#include "dbn_bus.h"
#include "dbn_clock.h"
#include "dbn_config.h"
#include "dbn_emitter.h"
#include "dbn_store.h"
#include "dbn_subscriber.h"
#include "dbn_msg.h"

G_BEGIN_DECLS

typedef struct _DbnService DbnService;
/* One command being applied; valid only during its handler. */
typedef struct _DbnCommand DbnCommand; /* also declared by dbn_emitter.h */

/* Applies one command. A writing command runs inside the batch transaction
 * under its own savepoint. Returns the encoded success reply (caller of the
 * handler owns it), or NULL with error: the command's changes and events are
 * rolled back and the error goes back as the reply. */
typedef GBytes *(*DbnCommandFunc) (DbnService *service, DbnCommand *command, gpointer user_data,
                                   GError **error);

typedef struct {
    const char *cmd;     /* wire name, e.g. "intake.submit" */
    DbnCommandFunc func; /* the action */
    gboolean writes;     /* TRUE: transaction, idempotency, may emit events */
    guint principals;    /* DbnPrincipalKind bits that may call it besides services and
                                * the operator, who always may; 0: only they. The committee
                                * runs a writing command only when this names it (the audit
                                * service's spot-check findings); nowhere else does. */
} DbnCommandSpec;

/* Opens DIR/<name>.db with the service's migrations (NULL-terminated, may be
 * NULL). clock: borrowed, must outlive the service. Caller owns the result. */
DbnService *dbn_service_new (const char *name, DbnConfig *config, DbnClock *clock,
                             const char *const *migrations, GError **error);
void dbn_service_free (DbnService *self);

/* Adds the service's commands (specs is terminated by an entry with cmd NULL;
 * it must stay valid for the service's life). */
void dbn_service_add_commands (DbnService *self, const DbnCommandSpec *specs, gpointer user_data);

/* Binds the command and publish endpoints from the config and starts the
 * heartbeat on the thread-default main context. Unless both endpoints are
 * inproc:// or bus is plain text, first gives bus the service's identity
 * (dbn_auth_setup_bus with DIR/keys/service-<name>.secret, when the bus has
 * none yet) and starts its ZAP handler. FALSE with DBN_KEYS_ERROR_INSECURE
 * (naming the file) for a secret key file group or others may read,
 * _READ without keys, or a bus error. */
gboolean dbn_service_start (DbnService *self, DbnBus *bus, GError **error);

/* Borrowed accessors. */
const char *dbn_service_get_name (DbnService *self);
DbnStore *dbn_service_get_store (DbnService *self);
DbnClock *dbn_service_get_clock (DbnService *self);
DbnConfig *dbn_service_get_config (DbnService *self);
DbnServer *dbn_service_get_server (DbnService *self);
DbnPublisher *dbn_service_get_publisher (DbnService *self);
/* The service's one emitter (dbn_emitter.h): every event it journals and
 * publishes, from a command, a followed event or a timer, goes through it. */
DbnEmitter *dbn_service_get_emitter (DbnService *self);
/* The origin of events no command caused (following, firing): actor
 * "service:<name>", ts now_ms. */
DbnOrigin dbn_service_get_origin (DbnService *self, gint64 now_ms);

/* Applies one event of a followed producer inside the transaction that
 * moves the offset to its seq. env: its envelope, decoded (an event whose
 * envelope cannot be read never gets here: acknowledged, ignored). origin:
 * the service's (dbn_service_get_origin) at the instant of applying; what
 * it emits is published after the commit. FALSE with error rolls the batch
 * back (retried on the next sync); TRUE acknowledges. */
typedef gboolean (*DbnFollowFunc) (gpointer user_data, const DbnEnvEvent *env, GBytes *event,
                                   DbnOrigin *origin, GError **error);

/* Follows producer's journal (its endpoints from the config) into the
 * service's store with apply. NULL with DBN_ERROR_CONFIG when the config
 * names no endpoints for producer, or a bus error. Caller owns the result;
 * free it before the service. */
DbnSubscriber *dbn_service_follow (DbnService *self, DbnBus *bus, const char *producer, DbnFollowFunc apply,
                                   gpointer user_data, GError **error);

/* Builds the error reply for error. Caller owns it. Never fails. */
GBytes *dbn_service_error_reply (const GError *error);

/* The other side of dbn_service_error_reply(), for whoever sent a command:
 * TRUE when reply says ok; FALSE with the service's error
 * (dbn_error_new_from_wire: code and both sentences) when it says not ok, or
 * with a DBN_CODEC_ERROR when it cannot be read. */
gboolean dbn_reply_check (GBytes *reply, GError **error);

/* ---- inside a handler ---- */

/* The command map as received (already past the envelope check). Borrowed. */
GBytes *dbn_command_get_body (DbnCommand *self);
/* Who acts: the authenticated principal when the connection has one, else
 * the actor the command names, else "cli". Borrowed. */
const char *dbn_command_get_actor (DbnCommand *self);
/* The authenticated principal (ZAP User-Id), or NULL on a connection without
 * CURVE (inproc://, or a plain-text test bus), which has the operator's
 * rights. Authorisation uses this, never the actor. Borrowed. */
const char *dbn_command_get_principal (DbnCommand *self);
/* The principal's kind; DBN_PRINCIPAL_OPERATOR when it is NULL. */
DbnPrincipalKind dbn_command_get_principal_kind (DbnCommand *self);
/* The batch's time: every command of one batch sees the same instant. */
gint64 dbn_command_get_now_ms (DbnCommand *self);

/* The command's origin: its actor and the batch's time, for code that also
 * serves followed events and timers (dbn_emitter.h). */
DbnOrigin dbn_command_get_origin (DbnCommand *self);
/* Fills env (v, type, src, seq, ts, case, actor) for the next event this
 * command emits, reserving its journal seq. type and case_no are copied. */
void dbn_command_stamp_event (DbnCommand *self, DbnEnvEvent *env, const char *type, const char *case_no);
/* Journals the encoded event, stamped just before, inside the transaction; it
 * is published on topic after the batch commits. */
gboolean dbn_command_emit (DbnCommand *self, const char *topic, const DbnEnvEvent *env, GBytes *event,
                           GError **error);
/* Publishes an event already journaled by dbn_command_emit() on one more
 * topic after the batch commits (routing fans a case event out to q/, s/
 * and a/ topics; the journal keeps it once). Dropped with the command's
 * events when the command or the batch rolls back. event must be the one
 * the command emitted last: the topic is stored with its seq
 * (journal_topic), so a scoped sys.sync of that topic returns it too. */
void dbn_command_publish_also (DbnCommand *self, const char *topic, GBytes *event);

/* ---- what every service's main.c does ---- */

/* Once the service serves (derived events need its publisher): follows
 * journals, starts timers. FALSE with error: no start. Takes the actions
 * (a service casts its own function, as with GDestroyNotify). */
typedef gboolean (*DbnServiceStartFunc) (gpointer actions, DbnBus *bus, GError **error);

/* A service binary, as its main.c declares it. */
typedef struct {
    const char *name;               /* "intake": binary daiban-<name>, DIR/<name>.db, endpoints */
    const char *summary;            /* the --help line */
    const char *const *migrations;  /* the store's (NULL-terminated, may be NULL) */
    const DbnCommandSpec *commands; /* its command table, given the actions as user_data */
    /* Makes the actions once the store is open, loading what else they need
     * from the config (dbn_service_get_config). NULL with error: no start. */
    gpointer (*new_actions) (DbnService *service, GError **error);
    DbnServiceStartFunc start;   /* NULL: nothing more than serving */
    GDestroyNotify free_actions; /* run before the service is freed */
} DbnServiceSpec;

/* The whole of a service's main(): sets the locale, parses --data DIR and
 * --version, starts logging, loads DIR/daiban.conf, opens the store, makes
 * the actions, serves (dbn_service_start), runs spec->start, then the main
 * loop until SIGINT or SIGTERM; then frees the actions (subscribers and
 * statements before the store), the service (sockets before the bus), the
 * bus. Returns the exit status: 0 after a signal or --version, 2 for bad
 * options, 1 when it cannot start (one line on stderr, "daiban-<name>:
 * 启动失败 / cannot start: [code] message", naming the file for a key). */
int dbn_service_main (const DbnServiceSpec *spec, int argc, char **argv);
/* A service's main(), for its spec. */
#define DBN_SERVICE_MAIN(spec)                                                                               \
    int main (int argc, char **argv)                                                                         \
    {                                                                                                        \
        return dbn_service_main (&(spec), argc, argv);                                                       \
    }

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnService, dbn_service_free)

G_END_DECLS
