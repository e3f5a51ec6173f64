/* dbn_subscriber.h: the consuming half of the sync protocol (the Clone
 * pattern of the ZeroMQ guide, made durable).
 *
 * A subscriber follows ONE producer's whole journal. It applies events in seq
 * order, each inside a store transaction that also moves the consumer offset,
 * so an event is applied exactly once across crashes. It asks the producer's
 * command socket ("sys.sync": everything after my offset) when it starts,
 * when a live event's seq skips ahead (a gap), when a heartbeat announces a
 * newer seq than it has, and when heartbeats stop for 3 s; while a sync is in
 * flight, live events are ignored (the journal is the only buffer).
 */
#pragma once

#include <glib.h>
#include "dbn_bus.h"
#include "dbn_emitter.h"
#include "dbn_msg.h"
#include "dbn_store.h"

G_BEGIN_DECLS

typedef struct _DbnSubscriber DbnSubscriber;

/* Applies one event inside the open transaction of store. Return FALSE with
 * error to roll the whole batch back (it is retried on the next sync). An
 * event the consumer does not care about is simply acknowledged (return TRUE). */
typedef gboolean (*DbnApplyFunc) (DbnSubscriber *subscriber, gint64 seq, GBytes *event, gpointer user_data,
                                  GError **error);

/* producer is the service name ("intake"): the key of the stored offset.
 * Connects SUB to publish_endpoint and a client to command_endpoint, and
 * starts a sync from the stored offset. Runs on the thread-default main
 * context. Caller owns the result. */
DbnSubscriber *dbn_subscriber_new (DbnBus *bus, DbnStore *store, const char *producer,
                                   const char *publish_endpoint, const char *command_endpoint,
                                   DbnApplyFunc apply, gpointer user_data, GError **error);
void dbn_subscriber_free (DbnSubscriber *self);

/* Runs the transactions through emitter (borrowed; must outlive self), so
 * that the events apply emits are published once their batch commits. */
void dbn_subscriber_set_emitter (DbnSubscriber *self, DbnEmitter *emitter);
/* Inside apply: the envelope of the event being applied, decoded when it
 * was read (borrowed, valid until apply returns); NULL outside apply. */
const DbnEnvEvent *dbn_subscriber_get_envelope (DbnSubscriber *self);
/* The newest seq applied (committed). */
gint64 dbn_subscriber_get_applied (DbnSubscriber *self);
/* The newest seq the producer is known to have (from heartbeats and syncs). */
gint64 dbn_subscriber_get_known (DbnSubscriber *self);

/* What dbn_subscriber_read_event read. */
typedef enum {
    DBN_SUB_READ_NONE,    /* nothing to read now */
    DBN_SUB_READ_EVENT,   /* a [topic][body] message: *topic and *body set */
    DBN_SUB_READ_SKIPPED, /* a message of another shape, read and dropped */
} DbnSubRead;

/* Reads one published message from a SUB socket without waiting: the
 * subscriber's and the client's SUBs share it. On DBN_SUB_READ_EVENT,
 * *topic (when topic is not NULL; cut to DBN_PUBLISHER_TOPIC_MAX + 1
 * bytes) and *body are the caller's. */
DbnSubRead dbn_subscriber_read_event (void *socket, char **topic, GBytes **body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnSubscriber, dbn_subscriber_free)

G_END_DECLS
