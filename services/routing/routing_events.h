/* routing_events.h: the machine's effects become journaled, published
 * events. One event is journaled once, on topic s/<station>, and published
 * on q/<window> and a/<area> as well (docs/routing.md). */
#pragma once

#include "routing_machine.h"

G_BEGIN_DECLS

/* An event derived from intake's journal waits here until the subscriber's
 * transaction that journaled it has committed (routing_follow.c). */
typedef struct {
    gint64  source_seq; /* the intake event it derives from */
    char   *topic;      /* PUB topic */
    GBytes *body;       /* encoded event */
} RoutingOutgoing;

void routing_outgoing_free (RoutingOutgoing *out);

/* Where events go: either a command being applied (the frame journals them
 * in the batch and publishes them after the commit), or the subscriber's
 * transaction (journaled here directly, published from outbox later). */
typedef struct {
    DbnCommand *command;    /* the command, or NULL for derived events */
    DbnStore   *store;      /* derived: the journal */
    GPtrArray  *outbox;     /* derived: RoutingOutgoing* */
    gint64      source_seq; /* derived: intake's seq */
    gint64      now_ms;     /* derived: the event time */
    const char *actor;      /* derived: who caused it */
    const RoutingCase *before; /* the case as stored before this change, or NULL (a new case) */
    gint64      last_seq;   /* out: the seq of the last event emitted */
} RoutingEmitter;

/* Fills env (v, type, src, seq, ts, case, actor) for the next event. */
void     routing_emitter_stamp (RoutingEmitter *self, DbnEnvEvent *env, const char *type,
                                const char *case_no);
/* Journals body on primary and publishes it there and on each of extra
 * (NULL-terminated, may be NULL; empty topics and repeats skipped). */
gboolean routing_emitter_send (RoutingEmitter *self, const char *primary, const char *const *extra,
                               const DbnEnvEvent *env, GBytes *body, GError **error);

/* Encodes fx as its event with c's queue row and sends it on c's topics,
 * and on the topics of self->before that c no longer has (a queue the case
 * left hears of it). machine gives case.routed its departments. *seq gets
 * the event's seq. */
gboolean routing_emit_effect (RoutingEmitter *self, RoutingMachine *machine, const RoutingCase *c,
                              const RoutingEffect *fx, gint64 *seq, GError **error);

/* The three topics of a case: s/<station>, q/<window>, a/<area> (the last
 * two NULL when the case has no window or area). Caller owns them. FALSE
 * with DBN_ERROR_INVALID (and all three NULL) when an id cannot be part of a
 * topic (dbn_topic_dup_queue: issue 11's second wall). */
gboolean routing_case_topics (const RoutingCase *c, char **station, char **window, char **area,
                              GError **error);

G_END_DECLS
