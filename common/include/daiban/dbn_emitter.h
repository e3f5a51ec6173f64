/* dbn_emitter.h: how a service's events get out, whatever caused them.
 *
 * One emitter per service (the frame makes it, dbn_service_get_emitter).
 * An event is journaled inside the open store transaction, with every topic
 * it goes out on (the scoped sys.sync returns it on each), and published on
 * those topics only after that transaction commits; a rollback drops it
 * unpublished (architecture.md, "No loss, no duplicates"). The three ways
 * in are the three kinds of transaction a service runs on its one thread:
 *   a command batch  (dbn_service.c: dbn_command_emit, dbn_command_get_origin),
 *   a followed event (dbn_subscriber.c: the apply of seq N runs in the
 *                     transaction that moves the offset to N),
 *   a timer          (dbn_emitter_begin ... dbn_emitter_commit).
 * They never nest: one thread, one transaction at a time.
 */
#pragma once

#include <glib.h>

#include "dbn_bus.h"
#include "dbn_store.h"
#include "dbn_msg.h"

G_BEGIN_DECLS

typedef struct _DbnEmitter DbnEmitter;
typedef struct _DbnCommand DbnCommand;

/* src is the service's name, the events' "src". store: borrowed, must
 * outlive the emitter. Caller owns the result. */
DbnEmitter *dbn_emitter_new (DbnStore *store, const char *src);
void dbn_emitter_free (DbnEmitter *self);

/* Where committed events go (borrowed); NULL: journaled only (a service not
 * started, a benchmark). */
void dbn_emitter_set_publisher (DbnEmitter *self, DbnPublisher *publisher);

/* Fills env (v, type, src, seq, ts, case, actor) for the next event,
 * reserving its journal seq. type, case_no and actor are copied. */
void dbn_emitter_stamp (DbnEmitter *self, DbnEnvEvent *env, const char *type, const char *case_no,
                        const char *actor, gint64 ts_ms);
/* Journals event (stamped just before) in the open transaction on topics[0]
 * and on each further topic (NULL-terminated; empty ones and repeats
 * skipped), and queues it for each of them. FALSE with error when topics[0]
 * is not a topic (dbn_topic_check, issue 11's second wall) or the journal
 * fails; a further topic that is not one is logged and skipped. */
gboolean dbn_emitter_emit (DbnEmitter *self, const char *const *topics, const DbnEnvEvent *env, GBytes *event,
                           GError **error);
/* Publishes the event emitted last on one more topic after the commit (and
 * stores the topic with it). An event that is not the last one emitted, or
 * a topic that cannot be stored, fails the unit of work: see
 * dbn_emitter_take_error. */
void dbn_emitter_publish_also (DbnEmitter *self, const char *topic, GBytes *event);

/* A unit of work that may fail alone (a command under its savepoint): the
 * mark to drop back to. Forgets which event was emitted last. */
guint dbn_emitter_mark (DbnEmitter *self);
/* Drops what was queued since mark (the unit rolled back). */
void dbn_emitter_drop_to (DbnEmitter *self, guint mark);
/* FALSE with the error publish_also met in this unit (then cleared). */
gboolean dbn_emitter_take_error (DbnEmitter *self, GError **error);

/* The store's transaction, with the queue: begin; commit, then publish what
 * it journaled (on failure nothing is published); rollback, dropping it.
 * The command batch commits its own way and calls publish or discard. */
gboolean dbn_emitter_begin (DbnEmitter *self, GError **error);
gboolean dbn_emitter_commit (DbnEmitter *self, GError **error);
void dbn_emitter_rollback (DbnEmitter *self);
void dbn_emitter_publish (DbnEmitter *self);
void dbn_emitter_discard (DbnEmitter *self);

/* Whose events one change makes, and when: what code that serves a
 * command, a followed event and a timer alike passes down
 * (dbn_command_get_origin, dbn_service_get_origin). */
typedef struct {
    DbnEmitter *emitter; /* the service's (borrowed) */
    DbnCommand *command; /* the command being applied; NULL following or firing */
    const char *actor;   /* the events' actor (borrowed) */
    gint64 now_ms;       /* their ts */
    gint64 last_seq;     /* out: the seq of the last event emitted (0: none yet) */
} DbnOrigin;

/* dbn_emitter_stamp with the origin's actor and time. */
void dbn_origin_stamp (DbnOrigin *self, DbnEnvEvent *env, const char *type, const char *case_no);
/* dbn_emitter_emit, and remembers env's seq as last_seq. */
gboolean dbn_origin_emit (DbnOrigin *self, const char *const *topics, const DbnEnvEvent *env, GBytes *event,
                          GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnEmitter, dbn_emitter_free)

G_END_DECLS
