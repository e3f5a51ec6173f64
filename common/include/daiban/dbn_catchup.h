/* dbn_catchup.h: a restricted subscriber's way back to every event of its
 * topic (issue 11).
 *
 * A window or station subscribes to one topic (q/<window>/, s/<station>/) of
 * a producer. Events on it carry the producer's global seq, so a lost event
 * leaves no visible gap. A DbnCatchup follows one topic: the owner feeds it
 * the live events and heartbeats its SUB reads and says when the SUB got its
 * connection back (dbn_bus_monitor_*); it hands the owner every event of the
 * topic once, in seq order, asking the producer's scoped sys.sync {after,
 * topic} for what the SUB did not bring:
 *
 *   - after a reconnect, at the next heartbeat (the subscription is in
 *     effect again by then: the SUB sends it before the heartbeat's);
 *   - when a heartbeat's seq is past what a sync last verified and the topic
 *     was quiet since the heartbeat before, or 5 s have gone by (what a
 *     high-water mark dropped without a disconnect).
 *
 * Each sync starts from `verified` (through of the last complete sync), not
 * from the last event delivered, and remembers the seqs delivered since: an
 * event it returns that is older than the last one delivered and was never
 * seen is a hole in the middle (a drop at the high-water mark). Delivering
 * it late would apply it out of order, so the owner is told instead (gap)
 * and takes a fresh snapshot, then calls dbn_catchup_set_from. Live events
 * arriving while a sync runs or is due (from a reconnect to the heartbeat
 * that starts its sync) wait, so delivery stays in seq order.
 */
#pragma once

#include <glib.h>

#include "dbn_bus.h"

G_BEGIN_DECLS

typedef struct _DbnCatchup DbnCatchup;

/* One event of the topic, in seq order, never twice (since the last
 * set_from). from_sync: it came from sys.sync, not the live stream. */
typedef void (*DbnCatchupEventFunc) (DbnCatchup *self, gint64 seq, GBytes *event, gboolean from_sync,
                                     gpointer user_data);
/* An event was lost in the middle of what was delivered: take a fresh
 * snapshot and call dbn_catchup_set_from with its seq. */
typedef void (*DbnCatchupGapFunc) (DbnCatchup *self, gpointer user_data);

/* Follows topic ("q/jisheng/") through client, a DbnClient to the producer's
 * command endpoint, on the thread-default main context. Nothing is delivered
 * before set_from: until then there is no position to catch up from.
 * client is borrowed and is freed FIRST, then self: a freed client drops the
 * sync in flight without calling back, and dbn_catchup_free releases it.
 * The callbacks may call set_from, never dbn_catchup_free. */
DbnCatchup *dbn_catchup_new (DbnClient *client, const char *topic, DbnCatchupEventFunc on_event,
                             DbnCatchupGapFunc on_gap, gpointer user_data);
void dbn_catchup_free (DbnCatchup *self);

/* The position: everything of the topic up to seq is known (a snapshot at
 * seq, or 0 for the whole history). Forgets what was delivered and syncs
 * from seq at once. */
void dbn_catchup_set_from (DbnCatchup *self, gint64 seq);
/* A live event read on the topic. */
void dbn_catchup_live (DbnCatchup *self, GBytes *event);
/* A heartbeat of the producer: its newest seq. */
void dbn_catchup_heartbeat (DbnCatchup *self, gint64 newest);
/* The SUB lost its connection and has a new one: sync at the next heartbeat. */
void dbn_catchup_reconnected (DbnCatchup *self);

const char *dbn_catchup_get_topic (DbnCatchup *self);
/* Seq of the last event delivered (or set_from's), -1 before set_from. */
gint64 dbn_catchup_get_last (DbnCatchup *self);
/* Syncs started, events delivered from syncs, gaps reported (tests, logs). */
guint dbn_catchup_get_syncs (DbnCatchup *self);
guint dbn_catchup_get_recovered (DbnCatchup *self);
guint dbn_catchup_get_gaps (DbnCatchup *self);
/* TRUE while a sync is running or due at the next heartbeat. */
gboolean dbn_catchup_is_busy (DbnCatchup *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnCatchup, dbn_catchup_free)

/* ---- connection changes of a SUB ---- */

enum {
    DBN_MONITOR_CONNECTED = 1 << 0,    /* a connection completed its handshake */
    DBN_MONITOR_DISCONNECTED = 1 << 1, /* a connection ended */
};

/* A monitor of socket's connections (zmq_socket_monitor): a PAIR socket to
 * watch with dbn_socket_source_new and read with dbn_bus_monitor_read. Only
 * for connecting sockets (a bound socket's monitor is the handshake watch's).
 * Close it with zmq_close before socket. NULL with error. */
void *dbn_bus_monitor_open (DbnBus *bus, void *socket, GError **error);
/* Reads every waiting event; returns the DBN_MONITOR_* seen. */
guint dbn_bus_monitor_read (void *monitor);

G_END_DECLS
