/* dbn_store.h: one SQLite file per service, in WAL mode, with numbered
 * migrations and the three tables every service shares:
 *
 *   journal(seq INTEGER PRIMARY KEY, ts, type, case_no, topic, body BLOB)
 *   journal_by_topic: an index of journal(topic), and
 *   journal_topic(topic, seq) PRIMARY KEY (topic, seq): the further topics an
 *     event went out on (dbn_store_journal_add_topic); together every topic
 *     of every event, so a scoped sys.sync reads one topic by index ranges
 *       the producer's events, in order; the sync protocol serves it.
 *   consumer_offset(producer TEXT PRIMARY KEY, seq)
 *       per producer, the newest seq this service applied; written in the
 *       same transaction as the effect of the event.
 *   idempotency(key TEXT PRIMARY KEY, ts, reply BLOB, cmd, digest BLOB)
 *       the first reply to each command key, returned again on a retry of
 *       the same command with the same body (cmd and the SHA-256 of the
 *       command map; NULL in rows from before issue 11).
 *
 * The service's own tables come from its migrations: migrations[i] brings
 * the schema from user_version i to i+1, in one transaction.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DBN_STORE_ERROR (dbn_store_error_quark ())
GQuark dbn_store_error_quark (void);

/* The codes (DbnStoreError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

typedef struct _DbnStore DbnStore;

typedef enum {
    DBN_STORE_SYNC_FULL,   /* fsync the WAL on every commit: acks survive power loss */
    DBN_STORE_SYNC_NORMAL, /* survives process crashes, not power loss */
} DbnStoreSync;

/* Opens (creating) the file at path, sets WAL, the sync mode, busy_timeout
 * and foreign keys, creates the shared tables and runs the migrations the
 * file has not seen. migrations is NULL-terminated (may be NULL). Returns NULL
 * with an error on failure (a file from a newer build: _MIGRATION).
 * Caller owns the result. */
DbnStore *dbn_store_open (const char *path, DbnStoreSync sync, const char *const *migrations, GError **error);
void dbn_store_free (DbnStore *self);

/* The connection, for the service's own prepared statements. Borrowed.
 * Statements prepared on it must be finalized before dbn_store_free(). */
struct sqlite3 *dbn_store_get_db (DbnStore *self);

/* Transactions. begin is BEGIN IMMEDIATE. rollback never fails (it logs).
 * A commit that fails (disk full) rolls back and returns the error. */
gboolean dbn_store_begin (DbnStore *self, GError **error);
gboolean dbn_store_commit (DbnStore *self, GError **error);
void dbn_store_rollback (DbnStore *self);
gboolean dbn_store_in_transaction (DbnStore *self);

/* Savepoints isolate one command inside a group commit. */
gboolean dbn_store_savepoint (DbnStore *self, GError **error);
gboolean dbn_store_release (DbnStore *self, GError **error);
void dbn_store_rollback_to (DbnStore *self);

/* Runs a statement with no result rows (DDL, simple updates). */
gboolean dbn_store_exec (DbnStore *self, const char *sql, GError **error);

/* Maps a SQLite result code and the connection's message to a GError
 * (for the service's own statements). Returns FALSE for convenience. */
gboolean dbn_store_set_error (DbnStore *self, int sqlite_rc, GError **error);

/* ---- journal ---- */

/* The seq the next appended event will get (newest + 1). Stable inside a
 * transaction; a rollback gives the numbers back. */
gint64 dbn_store_journal_next_seq (DbnStore *self);
/* Newest committed-or-pending seq, 0 for an empty journal. */
gint64 dbn_store_journal_newest (DbnStore *self);
/* Appends inside the open transaction; seq must equal journal_next_seq(). */
gboolean dbn_store_journal_append (DbnStore *self, gint64 seq, gint64 ts_ms, const char *type,
                                   const char *case_no, const char *topic, GBytes *body, GError **error);

typedef gboolean (*DbnJournalFunc) (gint64 seq, const char *topic, GBytes *body, gpointer user_data);
/* Calls func for each event with seq > after, in order, stopping after
 * max_count events, after max_bytes of bodies (at least one event is always
 * given), or when func returns FALSE. */
gboolean dbn_store_journal_read (DbnStore *self, gint64 after, guint max_count, gsize max_bytes,
                                 DbnJournalFunc func, gpointer user_data, GError **error);
/* journal_append with topics[0], then add_topic for each further non-empty
 * topic (a service that publishes from outside a command: every topic its
 * event goes out on must be stored, or a scoped sync could not return it). */
gboolean dbn_store_journal_append_topics (DbnStore *self, gint64 seq, gint64 ts_ms, const char *type,
                                          const char *case_no, const char *const *topics, GBytes *body,
                                          GError **error);
/* Records that the event seq (appended in this transaction) also went out
 * on topic, so a read of that topic finds it. */
gboolean dbn_store_journal_add_topic (DbnStore *self, gint64 seq, const char *topic, GError **error);
/* As journal_read, for the events that went out on exactly topic (as given
 * to append or add_topic, without the trailing '/'). *through is the highest
 * seq the read examined: the last event given when a limit stopped it, else
 * the newest seq of the journal. */
gboolean dbn_store_journal_read_topic (DbnStore *self, const char *topic, gint64 after, guint max_count,
                                       gsize max_bytes, DbnJournalFunc func, gpointer user_data,
                                       gint64 *through, GError **error);

/* ---- consumer offsets ---- */

/* *seq = the newest seq applied from producer, 0 if none. */
gboolean dbn_store_offset_get (DbnStore *self, const char *producer, gint64 *seq, GError **error);
/* Inside the transaction that applies the event. */
gboolean dbn_store_offset_set (DbnStore *self, const char *producer, gint64 seq, GError **error);

/* ---- idempotency ---- */

/* The stored reply for key when it was recorded with this cmd and digest
 * (a record without them, from store version 1, matches any), or NULL.
 * NULL with no error: the key is new, or, when *recorded_cmd is set (caller
 * owns it; "" for none), it was recorded for another command or body. NULL
 * with error on a store failure. Caller owns the result. */
GBytes *dbn_store_idem_lookup (DbnStore *self, const char *key, const char *cmd, GBytes *digest,
                               char **recorded_cmd, GError **error);
/* Inside the transaction that applied the command. cmd and digest may be NULL
 * (the record then answers any retry of key). */
gboolean dbn_store_idem_record (DbnStore *self, const char *key, gint64 ts_ms, const char *cmd,
                                GBytes *digest, GBytes *reply, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnStore, dbn_store_free)

G_END_DECLS
