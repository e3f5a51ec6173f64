/* dbn_catchup.c: one topic followed without loss (see dbn_catchup.h).
 *
 * Why this design (issue 11; docs/architecture-notes.md, "Catching up"):
 * a per-topic sequence in every event would show a gap at once, but it is a
 * second numbering to keep across the journal, publish_also and every
 * producer, and the event format is fixed. A snapshot after every
 * disconnect is simple but costs a whole queue (100,000 rows) for a few lost
 * events. The scoped sys.sync returns exactly the topic's events after a
 * seq, by an index, so catching up costs what was missed; the monitor says
 * when to ask, and the heartbeat's seq says when something may have been
 * dropped without a disconnect.
 *
 * The sync pages from `verified` and dedupes against `seen` (every seq
 * delivered above verified), which is what lets it tell a hole in the middle
 * from events not yet delivered. Requests in flight hold a Request that the
 * catchup disowns when it is freed or restarts, so a late reply finds
 * nobody (the DbnClient calls back every request once, except those it
 * drops when it is freed: hence the order of frees in the header).
 */
#define G_LOG_DOMAIN "daiban-catchup"

#include "daiban/dbn_catchup.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "daiban/dbn_codec.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_service.h"
#include "dbn_msg_system.h"

/* Events per sys.sync page (the service's maximum). */
#define CATCHUP_PAGE 1000
/* A sync waits this long for its answer; a lost one is retried at a heartbeat. */
#define CATCHUP_TIMEOUT_MS 5000
/* Under steady traffic on the topic, verify at least this often. */
#define CATCHUP_VERIFY_US (5 * G_USEC_PER_SEC)
/* Live events held while a sync runs, at most (then the next sync has them). */
#define CATCHUP_HELD_MAX 100000

/* One sync page in flight. Its memory stays with the owner's outstanding
 * list until the client calls back (every request once), or until
 * dbn_catchup_free, after the client dropped it: a page a new sync made
 * stale is still in flight and must be found when the client is freed. */
typedef struct {
    DbnCatchup *owner; /* the catchup that sent it */
    gboolean stale;    /* a later sync took over: its reply is dropped */
} Request;

struct _DbnCatchup {
    DbnClient *client; /* borrowed: the producer's commands */
    char *topic;       /* as subscribed, e.g. "q/jisheng/" */
    DbnCatchupEventFunc on_event;
    DbnCatchupGapFunc on_gap;
    gpointer user_data;
    gint64 last;            /* seq of the last event delivered, -1 before set_from */
    gint64 verified;        /* every event of the topic up to here was delivered */
    gint64 verified_us;     /* monotonic time verified last moved */
    GHashTable *seen;       /* seqs delivered above verified */
    GPtrArray *held;        /* GBytes: live events that came during a sync */
    gboolean held_overflow; /* some were dropped: sync again */
    Request *request;       /* the sync in flight, NULL if none */
    GPtrArray *outstanding; /* Request*: every page not called back yet, stale ones too */
    gint64 cursor;          /* after of the page in flight */
    gboolean hole;          /* this sync found an event missing in the middle */
    gboolean due;           /* sync at the next heartbeat (reconnect, failure) */
    gboolean heard;         /* a live event came since the last heartbeat */
    guint syncs, recovered, gaps;
};

static gint64
event_seq (GBytes *event)
{
    DbnEnvEvent env = { 0 };
    gint64 seq = -1;
    if (dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &env, NULL))
        seq = env.seq;
    dbn_env_event_clear (&env);
    return seq;
}

static void
deliver (DbnCatchup *self, gint64 seq, GBytes *event, gboolean from_sync)
{
    self->last = seq;
    if (seq > self->verified)
        g_hash_table_add (self->seen, g_memdup2 (&seq, sizeof seq));
    if (from_sync)
        self->recovered++;
    self->on_event (self, seq, event, from_sync, self->user_data);
}

static gboolean
was_seen (DbnCatchup *self, gint64 seq)
{
    return seq <= self->verified || g_hash_table_contains (self->seen, &seq);
}

static void send_page (DbnCatchup *self);

static void
start_sync (DbnCatchup *self)
{
    if (self->request != NULL)
        self->request->stale = TRUE;
    self->request = NULL;
    self->due = FALSE;
    self->hole = FALSE;
    self->cursor = self->verified;
    self->syncs++;
    send_page (self);
}

/* Forgets the seen seqs the new verified covers. */
static gboolean
covered (gpointer key, gpointer value, gpointer user_data)
{
    return *(gint64 *) key <= *(gint64 *) user_data;
}

/* The sync ended (complete or failed): the held live events go out. */
static void
finish_sync (DbnCatchup *self)
{
    g_autoptr (GPtrArray) held = g_steal_pointer (&self->held);
    self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < held->len; i++) {
        GBytes *event = g_ptr_array_index (held, i);
        gint64 seq = event_seq (event);
        if (seq > self->last && !was_seen (self, seq))
            deliver (self, seq, event, FALSE);
        if (self->request != NULL)
            return; /* set_from from inside the callback: it holds from now on */
    }
    if (self->held_overflow) {
        self->held_overflow = FALSE;
        self->due = TRUE;
    }
    if (self->hole) {
        self->hole = FALSE;
        self->gaps++;
        g_message ("%s: an event was lost in the middle of the stream: asking for a snapshot", self->topic);
        if (self->on_gap != NULL)
            self->on_gap (self, self->user_data);
    }
}

static void
on_page (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    Request *request = user_data;
    DbnCatchup *self = request->owner;
    gboolean stale = request->stale;
    g_ptr_array_remove_fast (self->outstanding, request); /* frees it */
    if (stale)
        return;
    self->request = NULL;
    g_autoptr (GError) refused = NULL;
    g_autoptr (DbnMsgSysSyncReply) page = NULL;
    if (reply != NULL && dbn_reply_check (reply, &refused))
        page = dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                              &refused);
    if (page == NULL) {
        g_message ("%s: catching up failed (%s); trying again at the next heartbeat", self->topic,
                   error != NULL     ? error->message
                   : refused != NULL ? refused->message
                                     : "?");
        self->due = TRUE;
        finish_sync (self);
        return;
    }
    for (guint i = 0; i < page->events->len; i++) {
        GBytes *event = g_ptr_array_index (page->events, i);
        gint64 seq = event_seq (event);
        if (seq < 0 || was_seen (self, seq))
            continue;
        if (seq > self->last) {
            deliver (self, seq, event, TRUE);
            /* The owner started over from inside the callback (set_from):
             * this page belongs to the old position. */
            if (self->request != NULL)
                return;
        } else {
            self->hole = TRUE;
        }
    }
    if (page->through < page->newest && page->through > self->cursor) {
        self->cursor = page->through;
        send_page (self);
        return;
    }
    /* Complete: everything of the topic up to through has been delivered
     * (or reported as a hole). */
    if (page->through > self->verified) {
        self->verified = page->through;
        g_hash_table_foreach_remove (self->seen, covered, &self->verified);
    }
    self->verified_us = g_get_monotonic_time ();
    finish_sync (self);
}

static void
send_page (DbnCatchup *self)
{
    g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
    cmd->env.key = g_strdup ("catchup");
    cmd->after = self->cursor;
    cmd->has_max = TRUE;
    cmd->max = CATCHUP_PAGE;
    cmd->topic = g_strdup (self->topic);
    g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
    self->request = g_new0 (Request, 1);
    self->request->owner = self;
    g_ptr_array_add (self->outstanding, self->request);
    /* The client calls back every request once, a failure included. */
    dbn_client_send_async (self->client, body, CATCHUP_TIMEOUT_MS, on_page, self->request);
}

static guint
seq_hash (gconstpointer key)
{
    return g_int64_hash (key);
}

DbnCatchup *
dbn_catchup_new (DbnClient *client, const char *topic, DbnCatchupEventFunc on_event, DbnCatchupGapFunc on_gap,
                 gpointer user_data)
{
    g_return_val_if_fail (client != NULL && topic != NULL && on_event != NULL, NULL);
    DbnCatchup *self = g_new0 (DbnCatchup, 1);
    self->client = client;
    self->topic = g_strdup (topic);
    self->on_event = on_event;
    self->on_gap = on_gap;
    self->user_data = user_data;
    self->last = -1;
    self->verified = -1;
    self->seen = g_hash_table_new_full (seq_hash, g_int64_equal, g_free, NULL);
    self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    self->outstanding = g_ptr_array_new_with_free_func (g_free);
    return self;
}

void
dbn_catchup_free (DbnCatchup *self)
{
    if (self == NULL)
        return;
    /* The client is gone (see the header): it dropped the requests without
     * calling back, so their memory is ours to release. */
    g_ptr_array_unref (self->outstanding);
    g_hash_table_unref (self->seen);
    g_ptr_array_unref (self->held);
    g_free (self->topic);
    g_free (self);
}

void
dbn_catchup_set_from (DbnCatchup *self, gint64 seq)
{
    g_return_if_fail (self != NULL && seq >= 0);
    self->last = seq;
    self->verified = seq;
    g_hash_table_remove_all (self->seen);
    g_ptr_array_set_size (self->held, 0);
    self->held_overflow = FALSE;
    start_sync (self);
}

void
dbn_catchup_live (DbnCatchup *self, GBytes *event)
{
    g_return_if_fail (self != NULL && event != NULL);
    self->heard = TRUE;
    /* Before a position there is nothing to continue: set_from's sync
     * brings what came meanwhile. */
    if (self->last < 0)
        return;
    /* A sync running, or due at the next heartbeat (after a reconnect the
     * first live events are newer than the missed ones): delivering now
     * would jump over them. */
    if (self->request != NULL || self->due) {
        if (self->held->len < CATCHUP_HELD_MAX)
            g_ptr_array_add (self->held, g_bytes_ref (event));
        else
            self->held_overflow = TRUE;
        return;
    }
    gint64 seq = event_seq (event);
    if (seq > self->last && !was_seen (self, seq))
        deliver (self, seq, event, FALSE);
}

void
dbn_catchup_heartbeat (DbnCatchup *self, gint64 newest)
{
    g_return_if_fail (self != NULL);
    gboolean heard = self->heard;
    self->heard = FALSE;
    if (self->last < 0 || self->request != NULL)
        return;
    if (self->due
        || (newest > self->verified
            && (!heard || g_get_monotonic_time () - self->verified_us >= CATCHUP_VERIFY_US)))
        start_sync (self);
}

void
dbn_catchup_reconnected (DbnCatchup *self)
{
    g_return_if_fail (self != NULL);
    self->due = TRUE;
}

const char *
dbn_catchup_get_topic (DbnCatchup *self)
{
    return self->topic;
}
gint64
dbn_catchup_get_last (DbnCatchup *self)
{
    return self->last;
}
guint
dbn_catchup_get_syncs (DbnCatchup *self)
{
    return self->syncs;
}
guint
dbn_catchup_get_recovered (DbnCatchup *self)
{
    return self->recovered;
}
guint
dbn_catchup_get_gaps (DbnCatchup *self)
{
    return self->gaps;
}

gboolean
dbn_catchup_is_busy (DbnCatchup *self)
{
    return self->request != NULL || self->due;
}

/* ---- the monitor ---- */

void *
dbn_bus_monitor_open (DbnBus *bus, void *socket, GError **error)
{
    g_return_val_if_fail (bus != NULL && socket != NULL, NULL);
    static gint instances = 0;
    g_autofree char *endpoint =
        g_strdup_printf ("inproc://dbn-sub-monitor-%d", g_atomic_int_add (&instances, 1));
    if (zmq_socket_monitor (socket, endpoint, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot monitor a socket: %s",
                     zmq_strerror (errno));
        return NULL;
    }
    void *pair = zmq_socket (dbn_bus_get_context (bus), ZMQ_PAIR);
    int zero = 0;
    if (pair == NULL || zmq_setsockopt (pair, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_connect (pair, endpoint) != 0) {
        g_set_error (error, DBN_BUS_ERROR, DBN_BUS_ERROR_SOCKET, "cannot read a monitor: %s",
                     zmq_strerror (errno));
        if (pair != NULL)
            zmq_close (pair);
        return NULL;
    }
    return pair;
}

guint
dbn_bus_monitor_read (void *monitor)
{
    guint seen = 0;
    for (;;) {
        guint8 head[6];
        int n = zmq_recv (monitor, head, sizeof head, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        guint16 event = 0;
        if (n == (int) sizeof head)
            memcpy (&event, head, sizeof event);
        /* The second frame, the endpoint. */
        int more = 0;
        size_t len = sizeof more;
        while (zmq_getsockopt (monitor, ZMQ_RCVMORE, &more, &len) == 0 && more) {
            char scratch[256];
            if (zmq_recv (monitor, scratch, sizeof scratch, ZMQ_DONTWAIT) < 0)
                break;
            len = sizeof more;
        }
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            seen |= DBN_MONITOR_CONNECTED;
        else if (event == ZMQ_EVENT_DISCONNECTED)
            seen |= DBN_MONITOR_DISCONNECTED;
    }
    return seen;
}
