/* audit_log.c: the record's store (see audit_log.h for the tables).
 *
 * Writing. The writer keeps the compact range of the tree (audit_merkle.h)
 * and the chain head in memory, so an append costs one leaf hash, one chain
 * hash, amortised one node hash, and one row; the root for a head costs
 * popcount(size) - 1 hashes. The state is read back from the file at open
 * and by audit_log_reload() (O(log n) rows), so nothing in memory is needed
 * for correctness across a crash.
 *
 * Proofs. An inclusion or consistency proof needs O(log n) subtree roots
 * anywhere in the tree. Options considered:
 *   - every interior node stored: n - 1 extra rows, doubling the rows an
 *     append writes;
 *   - no node stored, each root recomputed from the leaf hashes: a proof in
 *     a tree of 1,000,000 entries reads and hashes up to all of them;
 *   - (chosen) the "stratified" store of transparency logs' tiles: complete
 *     subtree roots at every fourth level (4, 8, 12 ...) only, written by the
 *     append that completes them, n/15 extra rows. Any complete subtree root
 *     at level l is then at most 2^(l mod 4) = 8 stored hashes (or leaf
 *     hashes, below level 4) folded together, one range read. A proof is
 *     O(log n) reads of at most 8 rows each.
 * A complete subtree never changes, so a proof against any older head reads
 * the same rows. The stored nodes and leaf hashes are caches: proofs built
 * from altered caches fail at the verifier, and `daiban audit verify`
 * recomputes everything from the entries' bytes.
 *
 * Append-only. Triggers refuse UPDATE and DELETE on every table (D-AUD-5).
 * They do not stop someone holding the file from dropping them; what stops
 * that from going unnoticed is the signed heads kept outside (docs/audit.md).
 */
#define G_LOG_DOMAIN "daiban-audit"

#include "audit_log.h"

#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

/* Subtree roots are stored at levels that are multiples of this. */
#define STRIDE 4

#define NO_CHANGE(t)                                                                                         \
    "CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t " BEGIN SELECT RAISE(ABORT, '" t                    \
    " is append-only (D-AUD-5)'); END;"                                                                      \
    "CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t " BEGIN SELECT RAISE(ABORT, '" t                    \
    " is append-only (D-AUD-5)'); END;"

const char *const audit_migrations[] = {
    /* 1: the record. */
    "CREATE TABLE audit_entry ("
    "  idx      INTEGER PRIMARY KEY,"
    "  producer TEXT NOT NULL,"
    "  seq      INTEGER NOT NULL,"
    "  time_ms  INTEGER NOT NULL,"
    "  case_no  TEXT NOT NULL,"
    "  actor    TEXT NOT NULL,"
    "  type     TEXT NOT NULL,"
    "  event    BLOB NOT NULL,"
    "  leaf     BLOB NOT NULL,"
    "  chain    BLOB NOT NULL,"
    "  UNIQUE (producer, seq)"
    ");"
    /* Not partial: a bound case number could not use a WHERE case_no <> '' index. */
    "CREATE INDEX audit_entry_case ON audit_entry (case_no, idx);"
    "CREATE TABLE audit_node ("
    "  level INTEGER NOT NULL,"
    "  idx   INTEGER NOT NULL,"
    "  hash  BLOB NOT NULL,"
    "  PRIMARY KEY (level, idx)"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit_head ("
    "  size      INTEGER PRIMARY KEY,"
    "  time_ms   INTEGER NOT NULL,"
    "  root      BLOB NOT NULL,"
    "  chain     BLOB NOT NULL,"
    "  signature BLOB NOT NULL"
    ");"
    "CREATE TABLE audit_meta ("
    "  name  TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL"
    ");" NO_CHANGE ("audit_entry") NO_CHANGE ("audit_node") NO_CHANGE ("audit_head") NO_CHANGE ("audit_meta"),
    /* 2: daily summaries (D-AUD-6, audit_summary.c). audit_summary says
     * which entry is a window's draft of a day, its signature and its
     * lateness: a cache of the record, written in the same transaction as
     * the entry, append-only like the rest. The partial index finds a day's
     * counted events by time without indexing the other entries (an
     * append of any other type writes no index row). */
    "CREATE TABLE audit_summary ("
    "  window TEXT NOT NULL,"
    "  day    TEXT NOT NULL,"
    "  what   TEXT NOT NULL,"
    "  idx    INTEGER NOT NULL,"
    "  PRIMARY KEY (window, day, what)"
    ") WITHOUT ROWID;"
    "CREATE INDEX audit_summary_day ON audit_summary (day, what);"
    "CREATE INDEX audit_entry_daily ON audit_entry (time_ms) WHERE type IN ('case.routed', 'case.completed',"
    " 'deadline.overdue', 'audit.violation', 'eval.rated');" NO_CHANGE ("audit_summary"),
    NULL,
};

enum {
    INSERT_ENTRY,
    INSERT_NODE,
    INSERT_HEAD,
    READ_LEAVES,
    READ_NODES,
    READ_ENTRY,
    READ_HEAD,
    READ_STATE,
    N_STATEMENTS,
};

static const char *const statement_sql[N_STATEMENTS] = {
    [INSERT_ENTRY] = "INSERT INTO audit_entry (idx, producer, seq, time_ms, case_no, actor, type,"
                     " event, leaf, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [INSERT_NODE] = "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)",
    [INSERT_HEAD] = "INSERT INTO audit_head (size, time_ms, root, chain, signature) VALUES (?, ?, ?, ?, ?)",
    [READ_LEAVES] = "SELECT leaf FROM audit_entry WHERE idx >= ? AND idx < ? ORDER BY idx",
    [READ_NODES] = "SELECT hash FROM audit_node WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
    [READ_ENTRY] = "SELECT producer, seq, time_ms, case_no, actor, type, event, leaf FROM audit_entry"
                   " WHERE idx = ?",
    [READ_HEAD] = "SELECT size, time_ms, root, chain, signature FROM audit_head WHERE size = ?",
    /* audit_log_refresh: three seeks at the ends of primary keys. */
    [READ_STATE] = "SELECT (SELECT idx FROM audit_entry ORDER BY idx DESC LIMIT 1),"
                   " (SELECT chain FROM audit_entry ORDER BY idx DESC LIMIT 1),"
                   " (SELECT max(size) FROM audit_head)",
};

struct _AuditLog {
    DbnStore *store;                          /* borrowed; NULL when read-only */
    sqlite3 *db;                              /* the store's connection, or owned_db */
    sqlite3 *owned_db;                        /* audit_log_open_readonly's own connection */
    DbnClock *clock;                          /* borrowed: head times */
    sqlite3_stmt *stmt[N_STATEMENTS];         /* prepared once, reset after each use */
    gboolean can_sign;                        /* a secret key was given */
    guint8 secret_key[AUDIT_SECRET_KEY_SIZE]; /* wiped at free */
    guint8 public_key[AUDIT_PUBLIC_KEY_SIZE]; /* the key's, or the file's when read-only */
    guint head_every_entries;                 /* AuditLogOptions */
    gint64 head_every_ms;                     /* AuditLogOptions */
    AuditRange range;                         /* the tree of entries [0, range.size) */
    guint8 chain[AUDIT_HASH_SIZE];            /* chain value after the last entry */
    gboolean has_head;                        /* last_head is valid */
    AuditHead last_head;
    GByteArray *scratch; /* an entry's encoding, reused */
};

static gboolean
fail (AuditLog *self, int rc, const char *what, GError **error)
{
    g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE, "audit %s: %s (%d)", what, sqlite3_errmsg (self->db),
                 rc);
    return FALSE;
}

/* A prepared statement ready for binding. Resetting before use (and after
 * each step loop) keeps no read transaction open between calls. */
static sqlite3_stmt *
stmt (AuditLog *self, int which)
{
    return dbn_sql_reuse (self->stmt[which]);
}

/* Copies a 32-byte column; FALSE for any other length (a damaged file). */
static gboolean
blob_hash (sqlite3_stmt *s, int column, guint8 out[AUDIT_HASH_SIZE])
{
    if (sqlite3_column_bytes (s, column) != AUDIT_HASH_SIZE)
        return FALSE;
    memcpy (out, sqlite3_column_blob (s, column), AUDIT_HASH_SIZE);
    return TRUE;
}

/* Folds count (a power of two) hashes pairwise into one, in place. */
static void
fold (guint8 (*hashes)[AUDIT_HASH_SIZE], gsize count)
{
    for (; count > 1; count /= 2)
        for (gsize i = 0; i < count / 2; i++)
            audit_hash_node (hashes[2 * i], hashes[2 * i + 1], hashes[i]);
}

/* The root of the complete subtree of 2^level leaves starting at leaf
 * idx << level: stored at a STRIDE level, else folded from the stored level
 * below it (or the leaf hashes). */
static gboolean
complete_hash (AuditLog *self, guint level, gint64 idx, guint8 out[AUDIT_HASH_SIZE], GError **error)
{
    guint base = level - level % STRIDE;
    gint64 first = idx << (level - base);
    gsize count = (gsize) 1 << (level - base);
    guint8 hashes[1 << (STRIDE - 1)][AUDIT_HASH_SIZE];
    sqlite3_stmt *s;
    g_assert (count <= G_N_ELEMENTS (hashes) || (level == base && count == 1));
    if (base == 0) {
        s = stmt (self, READ_LEAVES);
        sqlite3_bind_int64 (s, 1, first);
        sqlite3_bind_int64 (s, 2, first + (gint64) count);
    } else {
        s = stmt (self, READ_NODES);
        sqlite3_bind_int (s, 1, (int) base);
        sqlite3_bind_int64 (s, 2, first);
        sqlite3_bind_int64 (s, 3, first + (gint64) count);
    }
    /* Exactly count rows in index order, or the file lacks a node: a gap in
     * the range (a deleted row) leaves got short and fails below. */
    gsize got = 0;
    int rc;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW && got < count)
        if (blob_hash (s, 0, hashes[got]))
            got++;
    sqlite3_reset (s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail (self, rc, "reading the tree", error);
    if (got != count) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE,
                     "audit tree: level %u node %" G_GINT64_FORMAT " is missing from the file", level, idx);
        return FALSE;
    }
    fold (hashes, count);
    memcpy (out, hashes[0], AUDIT_HASH_SIZE);
    return TRUE;
}

static gint64
largest_power_below (gint64 n)
{
    /* The largest power of two strictly less than n (n ≥ 2): RFC 9162's k. */
    return (gint64) 1 << (63 - __builtin_clzll ((guint64) (n - 1)));
}

/* MTH(D[a:b]) from the store: a complete, aligned subtree is one stored
 * root (complete_hash); any other range splits as RFC 9162 does, at the
 * largest power of two below its size. The ranges a proof asks for have at
 * most O(log n) such pieces. */
static gboolean
range_hash (AuditLog *self, gint64 a, gint64 b, guint8 out[AUDIT_HASH_SIZE], GError **error)
{
    gint64 n = b - a;
    if ((n & (n - 1)) == 0 && a % n == 0)
        return complete_hash (self, (guint) __builtin_ctzll ((guint64) n), a / n, out, error);
    gint64 k = largest_power_below (n);
    guint8 left[AUDIT_HASH_SIZE];
    if (!range_hash (self, a, a + k, left, error) || !range_hash (self, a + k, b, out, error))
        return FALSE;
    audit_hash_node (left, out, out);
    return TRUE;
}

static gboolean
read_head_row (sqlite3_stmt *s, AuditHead *head)
{
    head->size = sqlite3_column_int64 (s, 0);
    head->time_ms = sqlite3_column_int64 (s, 1);
    if (!blob_hash (s, 2, head->root) || !blob_hash (s, 3, head->chain)
        || sqlite3_column_bytes (s, 4) != AUDIT_SIGNATURE_SIZE)
        return FALSE;
    memcpy (head->signature, sqlite3_column_blob (s, 4), AUDIT_SIGNATURE_SIZE);
    return TRUE;
}

/* The writer's state from the file: the size and chain from the last entry,
 * one peak per set bit of the size from the stored subtrees, and the newest
 * head. This is all an append needs, so a restart costs O(log n) reads. */
gboolean
audit_log_reload (AuditLog *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_autoptr (sqlite3_stmt) s = NULL;
    int rc = sqlite3_prepare_v2 (self->db, "SELECT idx, chain FROM audit_entry ORDER BY idx DESC LIMIT 1", -1,
                                 &s, NULL);
    if (rc != SQLITE_OK)
        return fail (self, rc, "reading the last entry", error);
    audit_range_init (&self->range);
    memset (self->chain, 0, sizeof self->chain);
    rc = sqlite3_step (s);
    if (rc == SQLITE_ROW) {
        gint64 last = sqlite3_column_int64 (s, 0);
        /* A file from elsewhere may hold any number here; 2^62 entries is
         * far beyond any record and keeps the arithmetic below exact. */
        if (last < 0 || last >= (G_GINT64_CONSTANT (1) << 62)) {
            g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE,
                         "audit: the last entry's index %" G_GINT64_FORMAT " is impossible", last);
            return FALSE;
        }
        gint64 size = last + 1;
        if (!blob_hash (s, 1, self->chain)) {
            g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_STORE,
                                 "audit: the last entry's chain is damaged");
            return FALSE;
        }
        /* One peak per set bit, the largest (leftmost) first. */
        gint64 offset = 0;
        for (int level = 62; level >= 0; level--) {
            gint64 width = (gint64) 1 << level;
            if (!(size & width))
                continue;
            if (!complete_hash (self, (guint) level, offset >> level, self->range.peaks[level], error))
                return FALSE;
            offset += width;
        }
        self->range.size = size;
    } else if (rc != SQLITE_DONE) {
        return fail (self, rc, "reading the last entry", error);
    }
    g_clear_pointer (&s, sqlite3_finalize);
    rc = sqlite3_prepare_v2 (self->db,
                             "SELECT size, time_ms, root, chain, signature FROM audit_head"
                             " ORDER BY size DESC LIMIT 1",
                             -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail (self, rc, "reading the last head", error);
    self->has_head = FALSE;
    rc = sqlite3_step (s);
    if (rc == SQLITE_ROW) {
        if (!read_head_row (s, &self->last_head)) {
            g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_STORE, "audit: the last head is damaged");
            return FALSE;
        }
        self->has_head = TRUE;
    } else if (rc != SQLITE_DONE) {
        return fail (self, rc, "reading the last head", error);
    }
    return TRUE;
}

/* Records the key's public half at the first open; later opens must agree. */
/* Whether the file's last entry, its chain and its newest head are what the
 * writer's memory holds: then nothing was rolled back since (a rolled-back
 * append leaves the file shorter than memory, a rolled-back head leaves its
 * size missing), and the O(log n) reads of a reload are not needed. */
static gboolean
state_matches (AuditLog *self, GError **error)
{
    sqlite3_stmt *s = stmt (self, READ_STATE);
    int rc = sqlite3_step (s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset (s);
        return fail (self, rc, "reading the last entry", error);
    }
    gboolean entries = sqlite3_column_type (s, 0) == SQLITE_NULL
                           ? self->range.size == 0
                           : sqlite3_column_int64 (s, 0) + 1 == self->range.size
                                 && sqlite3_column_bytes (s, 1) == AUDIT_HASH_SIZE
                                 && memcmp (sqlite3_column_blob (s, 1), self->chain, AUDIT_HASH_SIZE) == 0;
    gboolean heads = sqlite3_column_type (s, 2) == SQLITE_NULL
                         ? !self->has_head
                         : self->has_head && sqlite3_column_int64 (s, 2) == self->last_head.size;
    sqlite3_reset (s);
    return entries && heads;
}

gboolean
audit_log_refresh (AuditLog *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_autoptr (GError) local = NULL;
    if (state_matches (self, &local))
        return TRUE;
    if (local != NULL) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return audit_log_reload (self, error);
}

static gboolean
check_public_key (AuditLog *self, GError **error)
{
    g_autoptr (sqlite3_stmt) s = NULL;
    int rc =
        sqlite3_prepare_v2 (self->db, "SELECT value FROM audit_meta WHERE name = 'public_key'", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail (self, rc, "reading the key", error);
    rc = sqlite3_step (s);
    if (rc == SQLITE_ROW) {
        const void *stored = sqlite3_column_blob (s, 0);
        if (sqlite3_column_bytes (s, 0) != AUDIT_PUBLIC_KEY_SIZE) {
            g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_STORE,
                                 "audit: the stored public key is damaged");
            return FALSE;
        }
        if (self->can_sign && memcmp (stored, self->public_key, AUDIT_PUBLIC_KEY_SIZE) != 0) {
            g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_KEY,
                                 "audit: the signing key is not the key this record was started with");
            return FALSE;
        }
        memcpy (self->public_key, stored, AUDIT_PUBLIC_KEY_SIZE);
        return TRUE;
    }
    if (rc != SQLITE_DONE)
        return fail (self, rc, "reading the key", error);
    if (!self->can_sign) /* a read-only log of an empty file: no key to know */
        return TRUE;
    g_clear_pointer (&s, sqlite3_finalize);
    rc = sqlite3_prepare_v2 (self->db, "INSERT INTO audit_meta (name, value) VALUES ('public_key', ?)", -1,
                             &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob (s, 1, self->public_key, AUDIT_PUBLIC_KEY_SIZE, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (s);
    if (rc != SQLITE_DONE)
        return fail (self, rc, "recording the key", error);
    return TRUE;
}

static gboolean
prepare_and_load (AuditLog *self, GError **error)
{
    for (int i = 0; i < N_STATEMENTS; i++) {
        int rc = sqlite3_prepare_v3 (self->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                     &self->stmt[i], NULL);
        if (rc != SQLITE_OK)
            return fail (self, rc, "preparing", error);
    }
    return check_public_key (self, error) && audit_log_reload (self, error);
}

AuditLog *
audit_log_open_readonly (const char *path, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);
    g_autoptr (AuditLog) self = g_new0 (AuditLog, 1);
    self->scratch = g_byte_array_sized_new (512);
    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "%s: no such file", path);
        return NULL;
    }
    g_autofree char *uri = g_strconcat ("file:", path, "?mode=ro", NULL);
    int rc = sqlite3_open_v2 (uri, &self->owned_db,
                              SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    self->db = self->owned_db;
    if (rc != SQLITE_OK) {
        fail (self, rc, path, error);
        return NULL;
    }
    if (!prepare_and_load (self, error)) {
        g_prefix_error (error, "%s: ", path);
        return NULL;
    }
    return g_steal_pointer (&self);
}

AuditLog *
audit_log_new (DbnStore *store, DbnClock *clock, const AuditLogOptions *options, GError **error)
{
    g_return_val_if_fail (store != NULL && clock != NULL && options != NULL, NULL);
    g_autoptr (AuditLog) self = g_new0 (AuditLog, 1);
    self->store = store;
    self->db = dbn_store_get_db (store);
    self->clock = clock;
    self->scratch = g_byte_array_sized_new (512);
    self->head_every_entries = options->head_every_entries;
    self->head_every_ms = options->head_every_ms;
    if (sodium_init () < 0) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_NO_KEY, "audit: libsodium did not start");
        return NULL;
    }
    if (options->secret_key != NULL) {
        self->can_sign = TRUE;
        memcpy (self->secret_key, options->secret_key, AUDIT_SECRET_KEY_SIZE);
        crypto_sign_ed25519_sk_to_pk (self->public_key, self->secret_key);
    }
    if (!prepare_and_load (self, error))
        return NULL;
    return g_steal_pointer (&self);
}

void
audit_log_free (AuditLog *self)
{
    if (self == NULL)
        return;
    for (int i = 0; i < N_STATEMENTS; i++)
        sqlite3_finalize (self->stmt[i]);
    if (self->owned_db != NULL)
        sqlite3_close_v2 (self->owned_db);
    sodium_memzero (self->secret_key, sizeof self->secret_key);
    g_byte_array_unref (self->scratch);
    g_free (self);
}

static gboolean
need_transaction (AuditLog *self, GError **error)
{
    if (self->store != NULL && dbn_store_in_transaction (self->store))
        return TRUE;
    g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_STORE,
                         self->store == NULL ? "audit: opened read-only"
                                             : "audit: writes go inside the caller's transaction");
    return FALSE;
}

/* The head's root is the compact range's (popcount(size) - 1 hashes) and
 * its row goes in the caller's transaction with the entries it covers, so
 * no head is ever published for entries that were rolled back. */
gboolean
audit_log_sign_head (AuditLog *self, AuditHead *head, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (self->has_head && self->last_head.size == self->range.size) {
        if (head != NULL)
            *head = self->last_head;
        return TRUE;
    }
    if (self->range.size == 0) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_RANGE, "audit: no entry to sign");
        return FALSE;
    }
    if (!self->can_sign) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_NO_KEY, "audit: opened without a signing key");
        return FALSE;
    }
    if (!need_transaction (self, error))
        return FALSE;
    AuditHead h = { .size = self->range.size, .time_ms = dbn_clock_now_ms (self->clock) };
    audit_range_root (&self->range, h.root);
    memcpy (h.chain, self->chain, AUDIT_HASH_SIZE);
    audit_head_sign (&h, self->secret_key);
    sqlite3_stmt *s = stmt (self, INSERT_HEAD);
    sqlite3_bind_int64 (s, 1, h.size);
    sqlite3_bind_int64 (s, 2, h.time_ms);
    sqlite3_bind_blob (s, 3, h.root, AUDIT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_blob (s, 4, h.chain, AUDIT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_blob (s, 5, h.signature, AUDIT_SIGNATURE_SIZE, SQLITE_STATIC);
    int rc = sqlite3_step (s);
    sqlite3_reset (s);
    if (rc != SQLITE_DONE)
        return fail (self, rc, "writing a head", error);
    self->last_head = h;
    self->has_head = TRUE;
    if (head != NULL)
        *head = h;
    return TRUE;
}

gboolean
audit_log_sign_if_due (AuditLog *self, gboolean *signed_now, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    gint64 signed_size = self->has_head ? self->last_head.size : 0;
    gboolean due = self->head_every_ms > 0 && self->range.size > signed_size
                   && (!self->has_head
                       || dbn_clock_now_ms (self->clock) - self->last_head.time_ms >= self->head_every_ms);
    if (signed_now != NULL)
        *signed_now = due;
    return !due || audit_log_sign_head (self, NULL, error);
}

gboolean
audit_log_append (AuditLog *self, const char *producer, gint64 seq, gint64 time_ms, const char *case_no,
                  const char *actor, const char *type, const guint8 *event, gsize event_len, gint64 *index,
                  GError **error)
{
    g_return_val_if_fail (self != NULL && producer != NULL && type != NULL, FALSE);
    if (!need_transaction (self, error))
        return FALSE;
    if (self->head_every_entries > 0 && !self->can_sign) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_NO_KEY, "audit: opened without a signing key");
        return FALSE;
    }
    AuditEntry e = {
        .index = self->range.size,
        .producer = producer,
        .seq = seq,
        .time_ms = time_ms,
        .case_no = case_no != NULL ? case_no : "",
        .actor = actor != NULL ? actor : "",
        .type = type,
        .event = event,
        .event_len = event_len,
    };
    /* Hash first: a text over the limits is refused before anything is
     * written. */
    g_byte_array_set_size (self->scratch, 0);
    if (!audit_entry_encode (&e, self->scratch, error))
        return FALSE;
    guint8 leaf[AUDIT_HASH_SIZE], chain[AUDIT_HASH_SIZE];
    audit_hash_leaf (self->scratch->data, self->scratch->len, leaf);
    audit_hash_chain (self->chain, leaf, chain);

    sqlite3_stmt *s = stmt (self, INSERT_ENTRY);
    sqlite3_bind_int64 (s, 1, e.index);
    sqlite3_bind_text (s, 2, e.producer, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (s, 3, seq);
    sqlite3_bind_int64 (s, 4, time_ms);
    sqlite3_bind_text (s, 5, e.case_no, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 6, e.actor, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 7, e.type, -1, SQLITE_STATIC);
    sqlite3_bind_blob64 (s, 8, event_len > 0 ? event : (const void *) "", event_len, SQLITE_STATIC);
    sqlite3_bind_blob (s, 9, leaf, AUDIT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_blob (s, 10, chain, AUDIT_HASH_SIZE, SQLITE_STATIC);
    int rc = sqlite3_step (s);
    sqlite3_reset (s);
    if (rc != SQLITE_DONE)
        return fail (self, rc, "appending an entry", error);

    /* The tree: store the STRIDE-level roots this leaf completes. The range
     * is advanced on a copy and kept only once every row is written, so a
     * failure leaves memory as the file will be after the rollback. */
    AuditRange next = self->range;
    guint8 completed[64][AUDIT_HASH_SIZE];
    guint top = audit_range_append (&next, leaf, completed);
    for (guint level = STRIDE; level <= top; level += STRIDE) {
        s = stmt (self, INSERT_NODE);
        sqlite3_bind_int (s, 1, (int) level);
        sqlite3_bind_int64 (s, 2, (next.size >> level) - 1);
        sqlite3_bind_blob (s, 3, completed[level], AUDIT_HASH_SIZE, SQLITE_STATIC);
        rc = sqlite3_step (s);
        sqlite3_reset (s);
        if (rc != SQLITE_DONE)
            return fail (self, rc, "storing a subtree", error);
    }
    self->range = next;
    memcpy (self->chain, chain, AUDIT_HASH_SIZE);
    if (index != NULL)
        *index = e.index;
    /* Every N entries: the head goes in this entry's transaction. */
    gint64 signed_size = self->has_head ? self->last_head.size : 0;
    if (self->head_every_entries > 0 && self->range.size - signed_size >= self->head_every_entries)
        return audit_log_sign_head (self, NULL, error);
    return TRUE;
}

gint64
audit_log_get_size (AuditLog *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->range.size;
}

gboolean
audit_log_get_last_head (AuditLog *self, AuditHead *head)
{
    g_return_val_if_fail (self != NULL && head != NULL, FALSE);
    if (self->has_head)
        *head = self->last_head;
    return self->has_head;
}

gboolean
audit_log_get_head (AuditLog *self, gint64 size, AuditHead *head, GError **error)
{
    g_return_val_if_fail (self != NULL && head != NULL, FALSE);
    sqlite3_stmt *s = stmt (self, READ_HEAD);
    sqlite3_bind_int64 (s, 1, size);
    int rc = sqlite3_step (s);
    gboolean ok = rc == SQLITE_ROW && read_head_row (s, head);
    sqlite3_reset (s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail (self, rc, "reading a head", error);
    if (!ok)
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE, "audit: no head signed at size %" G_GINT64_FORMAT,
                     size);
    return ok;
}

const guint8 *
audit_log_get_public_key (AuditLog *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->public_key;
}

gboolean
audit_log_dup_entry (AuditLog *self, gint64 index, GBytes **encoded, guint8 leaf[AUDIT_HASH_SIZE],
                     GError **error)
{
    g_return_val_if_fail (self != NULL && encoded != NULL, FALSE);
    sqlite3_stmt *s = stmt (self, READ_ENTRY);
    sqlite3_bind_int64 (s, 1, index);
    int rc = sqlite3_step (s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset (s);
        if (rc != SQLITE_DONE)
            return fail (self, rc, "reading an entry", error);
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE, "audit: no entry %" G_GINT64_FORMAT, index);
        return FALSE;
    }
    AuditEntry e = {
        .index = index,
        .producer = (const char *) sqlite3_column_text (s, 0),
        .seq = sqlite3_column_int64 (s, 1),
        .time_ms = sqlite3_column_int64 (s, 2),
        .case_no = (const char *) sqlite3_column_text (s, 3),
        .actor = (const char *) sqlite3_column_text (s, 4),
        .type = (const char *) sqlite3_column_text (s, 5),
        .event = sqlite3_column_blob (s, 6),
        .event_len = (gsize) sqlite3_column_bytes (s, 6),
    };
    g_autoptr (GByteArray) out = g_byte_array_new ();
    gboolean ok = audit_entry_encode (&e, out, error);
    if (ok && leaf != NULL)
        audit_hash_leaf (out->data, out->len, leaf);
    sqlite3_reset (s);
    if (ok)
        *encoded = g_byte_array_free_to_bytes (g_steal_pointer (&out));
    return ok;
}

static gboolean
check_size (AuditLog *self, gint64 size, GError **error)
{
    if (size >= 0 && size <= self->range.size)
        return TRUE;
    g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE,
                 "audit: size %" G_GINT64_FORMAT " outside the record's 0 .. %" G_GINT64_FORMAT, size,
                 self->range.size);
    return FALSE;
}

gboolean
audit_log_tree_hash (AuditLog *self, gint64 size, guint8 out[AUDIT_HASH_SIZE], GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (!check_size (self, size, error))
        return FALSE;
    if (size == 0) {
        audit_hash_empty (out);
        return TRUE;
    }
    return range_hash (self, 0, size, out, error);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[a:b]), m relative to a: descend to the leaf's
 * side of each split and append the other side's root on the way back, so
 * the path runs from the leaf up. */
static gboolean
path (AuditLog *self, gint64 m, gint64 a, gint64 b, GByteArray *out, GError **error)
{
    gint64 n = b - a;
    if (n == 1)
        return TRUE;
    gint64 k = largest_power_below (n);
    guint8 h[AUDIT_HASH_SIZE];
    gboolean ok = m < k ? path (self, m, a, a + k, out, error) && range_hash (self, a + k, b, h, error)
                        : path (self, m - k, a + k, b, out, error) && range_hash (self, a, a + k, h, error);
    if (ok)
        g_byte_array_append (out, h, AUDIT_HASH_SIZE);
    return ok;
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[a:b], flag), m relative to a. flag is
 * TRUE while the old tree's m leaves may be a complete subtree of the new
 * one; when they are, their root is left out: the verifier has it, it is
 * the old head's root. */
static gboolean
subproof (AuditLog *self, gint64 m, gint64 a, gint64 b, gboolean flag, GByteArray *out, GError **error)
{
    gint64 n = b - a;
    guint8 h[AUDIT_HASH_SIZE];
    if (m == n) {
        if (flag)
            return TRUE;
        if (!range_hash (self, a, b, h, error))
            return FALSE;
        g_byte_array_append (out, h, AUDIT_HASH_SIZE);
        return TRUE;
    }
    gint64 k = largest_power_below (n);
    gboolean ok =
        m <= k ? subproof (self, m, a, a + k, flag, out, error) && range_hash (self, a + k, b, h, error)
               : subproof (self, m - k, a + k, b, FALSE, out, error) && range_hash (self, a, a + k, h, error);
    if (ok)
        g_byte_array_append (out, h, AUDIT_HASH_SIZE);
    return ok;
}

gboolean
audit_log_inclusion_proof (AuditLog *self, gint64 index, gint64 size, GByteArray **out, GError **error)
{
    g_return_val_if_fail (self != NULL && out != NULL, FALSE);
    if (!check_size (self, size, error))
        return FALSE;
    if (index < 0 || index >= size) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE,
                     "audit: entry %" G_GINT64_FORMAT " is not in a tree of %" G_GINT64_FORMAT, index, size);
        return FALSE;
    }
    g_autoptr (GByteArray) p = g_byte_array_new ();
    if (!path (self, index, 0, size, p, error))
        return FALSE;
    *out = g_steal_pointer (&p);
    return TRUE;
}

gboolean
audit_log_consistency_proof (AuditLog *self, gint64 first, gint64 second, GByteArray **out, GError **error)
{
    g_return_val_if_fail (self != NULL && out != NULL, FALSE);
    if (!check_size (self, second, error))
        return FALSE;
    if (first < 0 || first > second) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE,
                     "audit: no consistency proof from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, first,
                     second);
        return FALSE;
    }
    g_autoptr (GByteArray) p = g_byte_array_new ();
    /* PROOF(m, D[n]) for 0 < m < n; empty for m = 0 and m = n. */
    if (first > 0 && first < second && !subproof (self, first, 0, second, TRUE, p, error))
        return FALSE;
    *out = g_steal_pointer (&p);
    return TRUE;
}
