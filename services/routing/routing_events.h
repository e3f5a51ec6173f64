/* routing_events.h: the machine's effects become journaled, published
 * events. One event is journaled once, on topic s/<station>, and published
 * on q/<window> and a/<area> as well (docs/routing.md). */
#pragma once

#include "routing_machine.h"

G_BEGIN_DECLS

/* Encodes fx as its event with c's queue row and emits it (origin: a
 * command, or following intake; dbn_emitter.h) on c's topics, and on the
 * topics of before (the case as stored before this change, or NULL for a
 * new case) that c no longer has (a queue the case left hears of it).
 * machine gives case.routed its departments. *seq gets the event's seq. */
gboolean routing_emit_effect (DbnOrigin *origin, RoutingMachine *machine, const RoutingCase *c,
                              const RoutingCase *before, const RoutingEffect *fx, gint64 *seq,
                              GError **error);

/* The three topics of a case: s/<station>, q/<window>, a/<area> (the last
 * two NULL when the case has no window or area). Caller owns them. FALSE
 * with DBN_ERROR_INVALID (and all three NULL) when an id cannot be part of a
 * topic (dbn_topic_dup_queue: issue 11's second wall). */
gboolean routing_case_topics (const RoutingCase *c, char **station, char **window, char **area,
                              GError **error);

G_END_DECLS
