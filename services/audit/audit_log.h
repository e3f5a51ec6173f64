/* audit_log.h: the tamper-evident record in a service's SQLite file
 * (D-AUD-1, D-AUD-5). Tables, from audit_migrations:
 *
 *   audit_entry(idx, producer, seq, time_ms, case_no, actor, type, event,
 *               leaf, chain)   one row per event, the event's exact bytes;
 *                              leaf and chain are caches verify recomputes
 *   audit_node(level, idx, hash)   complete subtree roots at levels 4, 8, 12 ...
 *   audit_head(size, time_ms, root, chain, signature)   signed tree heads
 *   audit_meta(name, value)   the log's public key
 *
 * Triggers refuse every UPDATE and DELETE on all four. The log writes only
 * inside the caller's transaction, so a service appends an event in the same
 * transaction as its consumer offset (exactly once), and signs a head in the
 * transaction of the append that makes it due.
 */
#pragma once

#include <daiban/daiban.h>

#include "audit_merkle.h"

G_BEGIN_DECLS

/* The audit service's migrations, for dbn_store_open(). */
extern const char *const audit_migrations[];

typedef struct {
    const guint8 *secret_key; /* Ed25519, AUDIT_SECRET_KEY_SIZE bytes (copied); NULL: no signing */
    guint head_every_entries; /* sign when this many entries are unsigned; 0: not by count */
    gint64 head_every_ms;     /* audit_log_sign_if_due: sign unsigned entries this old; 0: not by time */
} AuditLogOptions;

typedef struct _AuditLog AuditLog;

/* Opens the log on store (borrowed, opened with audit_migrations; free the
 * log first) with clock (borrowed) for head times. The first open with a key
 * records its public key; later opens with another key fail with
 * AUDIT_ERROR_KEY. Reads the tree's state: O(log n) rows. NULL with the error.
 * Caller owns the result. */
AuditLog *audit_log_new (DbnStore *store, DbnClock *clock, const AuditLogOptions *options, GError **error);
/* Opens the record in the file at path read-only, for proofs and heads from
 * a copy (nothing is written, not even a WAL). Every write fails with
 * AUDIT_ERROR_STORE. NULL with the error. Caller owns the result. */
AuditLog *audit_log_open_readonly (const char *path, GError **error);
void audit_log_free (AuditLog *self);

/* Appends one event inside the caller's open transaction, and signs a head
 * when head_every_entries are unsigned. index (may be NULL) gets the entry's
 * index. FALSE with AUDIT_ERROR_STORE (a second entry for producer and seq
 * is refused), AUDIT_ERROR_INVALID (limits) or AUDIT_ERROR_NO_KEY. After any
 * failure, or a rollback of the caller's transaction, call audit_log_reload(). */
gboolean audit_log_append (AuditLog *self, const char *producer, gint64 seq, gint64 time_ms,
                           const char *case_no, const char *actor, const char *type, const guint8 *event,
                           gsize event_len, gint64 *index, GError **error);

/* Signs a head over every entry now, inside the caller's transaction. With
 * no entry since the last head it signs nothing and returns the last head
 * (or FALSE with AUDIT_ERROR_RANGE for an empty log). head may be NULL. */
gboolean audit_log_sign_head (AuditLog *self, AuditHead *head, GError **error);

/* The timer's call, inside the caller's transaction: signs when entries are
 * unsigned and the last head is head_every_ms old or more (or there is none
 * yet). signed_now (may be NULL) says whether it did. */
gboolean audit_log_sign_if_due (AuditLog *self, gboolean *signed_now, GError **error);

/* Reads the state again from the file (after a rollback). */
gboolean audit_log_reload (AuditLog *self, GError **error);
/* The same, but only when the file's last entry, chain or newest head
 * differ from memory (something was rolled back): one cached statement of
 * three seeks otherwise. What the follower calls before every append. */
gboolean audit_log_refresh (AuditLog *self, GError **error);

gint64 audit_log_get_size (AuditLog *self);
/* The newest head; FALSE when none is signed yet. */
gboolean audit_log_get_last_head (AuditLog *self, AuditHead *head);
/* The head signed at exactly size; FALSE with AUDIT_ERROR_RANGE when none. */
gboolean audit_log_get_head (AuditLog *self, gint64 size, AuditHead *head, GError **error);
/* The log's public key (borrowed), AUDIT_PUBLIC_KEY_SIZE bytes. */
const guint8 *audit_log_get_public_key (AuditLog *self);

/* The entry's encoding (the bytes its leaf hashes) and leaf hash. Caller
 * owns *encoded. AUDIT_ERROR_RANGE when there is no such entry. */
gboolean audit_log_dup_entry (AuditLog *self, gint64 index, GBytes **encoded, guint8 leaf[AUDIT_HASH_SIZE],
                              GError **error);

/* The tree hash of the first size entries (size ≤ audit_log_get_size()). */
gboolean audit_log_tree_hash (AuditLog *self, gint64 size, guint8 out[AUDIT_HASH_SIZE], GError **error);

/* RFC 9162 §2.1.3.1 PATH(index, D[size]) and §2.1.4.1 PROOF(first, D[second]),
 * as arrays of AUDIT_HASH_SIZE-byte items, leaf end first. AUDIT_ERROR_RANGE
 * for index ≥ size, first > second or a size beyond the log. Caller owns
 * *path. */
gboolean audit_log_inclusion_proof (AuditLog *self, gint64 index, gint64 size, GByteArray **path,
                                    GError **error);
gboolean audit_log_consistency_proof (AuditLog *self, gint64 first, gint64 second, GByteArray **path,
                                      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuditLog, audit_log_free)

G_END_DECLS
