/* audit_verify.c: one pass over the record (see audit_verify.h).
 *
 * Cost. Per entry: one leaf hash over its encoding, one chain hash, and
 * amortised one node hash in the compact range (audit_merkle.h), plus one
 * SQLite row; per head, popcount(size) - 1 node hashes and one Ed25519
 * verification. The heads are few (one per N entries) and read first into
 * memory; the entries are read in one ordered scan of the table's B-tree.
 * Nothing is kept per entry, so memory does not grow with the record.
 *
 * Two threads. Reading a row and encoding it (SQLite, ~40 % of a pass) and
 * hashing it (~50 %) take turns on one thread; on two they overlap: a
 * reader thread steps SQLite and writes the encodings into batches of
 * 1,024 entries, and the calling thread hashes and checks them in index
 * order, so every problem is found where the one-thread pass found it. The
 * threads share nothing but three batches passed over two GAsyncQueues;
 * the reader alone uses the statement. 1,000,000 entries: 0.74 s of CPU on
 * one thread, 0.5 s of wall time on two (about 2,000,000 entries/s).
 *
 * The stored leaf and chain columns are caches for proofs; they are compared
 * only to point at the first bad index when an attacker changed an entry
 * without them. An attacker who rewrote them too is caught by the heads (the
 * span of entries under the first failing head) or, after re-signing, by a
 * head kept outside.
 */
#include "audit_verify.h"

#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

const char *
audit_verify_problem_name (AuditVerifyProblem problem)
{
    static const char *const names[] = {
        [AUDIT_VERIFY_OK] = "ok",
        [AUDIT_VERIFY_MISSING_ENTRY] = "missing_entry",
        [AUDIT_VERIFY_LEAF] = "leaf",
        [AUDIT_VERIFY_CHAIN] = "chain",
        [AUDIT_VERIFY_HEAD_ROOT] = "head_root",
        [AUDIT_VERIFY_HEAD_SIGNATURE] = "head_signature",
        [AUDIT_VERIFY_HEAD_ORDER] = "head_order",
        [AUDIT_VERIFY_TRUNCATED] = "truncated",
        [AUDIT_VERIFY_KEPT_KEY] = "kept_head_key",
        [AUDIT_VERIFY_KEPT_HEAD] = "kept_head_inconsistent",
        [AUDIT_VERIFY_KEPT_TRUNCATED] = "kept_head_truncated",
        [AUDIT_VERIFY_NO_KEY] = "no_key",
    };
    return (guint) problem < G_N_ELEMENTS (names) ? names[problem] : "unknown";
}

void
audit_verify_report_clear (AuditVerifyReport *report)
{
    g_clear_pointer (&report->detail, g_free);
    g_clear_pointer (&report->detail_zh, g_free);
    g_clear_pointer (&report->changed, g_array_unref);
}

static void
report_problem (AuditVerifyReport *r, AuditVerifyProblem problem, gint64 index, char *zh, char *en)
{
    if (r->problem != AUDIT_VERIFY_OK) {
        /* EACH_ENTRY: an earlier changed entry stays the first problem. */
        g_free (zh);
        g_free (en);
        return;
    }
    r->problem = problem;
    r->index = index;
    r->detail_zh = zh;
    r->detail = en;
}

static gboolean
fail_sql (sqlite3 *db, const char *path, int rc, GError **error)
{
    g_set_error (error, AUDIT_ERROR, rc == SQLITE_ERROR ? AUDIT_ERROR_INVALID : AUDIT_ERROR_STORE,
                 "%s: not a readable audit record: %s", path, sqlite3_errmsg (db));
    return FALSE;
}

static void
close_db (sqlite3 *db)
{
    sqlite3_close_v2 (db);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, close_db)

/* Checks a head against the rebuilt tree of its size. */
static gboolean
head_matches (const AuditHead *h, const AuditRange *range, const guint8 chain[AUDIT_HASH_SIZE])
{
    guint8 root[AUDIT_HASH_SIZE];
    audit_range_root (range, root);
    return memcmp (root, h->root, AUDIT_HASH_SIZE) == 0 && memcmp (chain, h->chain, AUDIT_HASH_SIZE) == 0;
}

/* The reader thread's batches: entries' encodings back to back, with each
 * entry's stored leaf and chain. Three circulate, so the reader fills one
 * while this thread checks another. */
#define BATCH_ENTRIES 1024
#define N_BATCHES     3

typedef struct {
    guint32 end;                   /* where its encoding ends in bytes */
    gboolean has_leaf, has_chain;  /* the stored values were 32 bytes */
    guint8 leaf[AUDIT_HASH_SIZE];  /* stored leaf */
    guint8 chain[AUDIT_HASH_SIZE]; /* stored chain */
} BatchItem;

typedef enum {
    BATCH_MORE,   /* more batches follow */
    BATCH_END,    /* the table ended after these items (or the reader was stopped) */
    BATCH_GAP,    /* the next row's index is gap_idx, not the next index */
    BATCH_ENCODE, /* the next row cannot be encoded: message */
    BATCH_SQL,    /* SQLite failed: sql_rc */
} BatchEnd;

typedef struct {
    GByteArray *bytes; /* the encodings */
    BatchItem items[BATCH_ENTRIES];
    guint n;        /* items used */
    BatchEnd end;   /* what follows the items */
    gint64 gap_idx; /* BATCH_GAP */
    int sql_rc;     /* BATCH_SQL */
    char *message;  /* BATCH_ENCODE */
} Batch;

typedef struct {
    sqlite3_stmt *s;   /* the entries in index order; the reader's only */
    GAsyncQueue *free; /* empty batches */
    GAsyncQueue *full; /* filled batches, in order */
    gint stop;         /* atomic: the checker has stopped */
} Reader;

static void
batch_free (Batch *b)
{
    g_byte_array_unref (b->bytes);
    g_free (b->message);
    g_free (b);
}

static gpointer
read_entries (gpointer data)
{
    Reader *rd = data;
    gint64 i = 0;
    for (;;) {
        Batch *b = g_async_queue_pop (rd->free);
        b->n = 0;
        g_byte_array_set_size (b->bytes, 0);
        b->end = BATCH_MORE;
        g_clear_pointer (&b->message, g_free);
        if (g_atomic_int_get (&rd->stop)) {
            b->end = BATCH_END;
            g_async_queue_push (rd->full, b);
            return NULL;
        }
        while (b->n < BATCH_ENTRIES) {
            int rc = sqlite3_step (rd->s);
            if (rc != SQLITE_ROW) {
                b->end = rc == SQLITE_DONE ? BATCH_END : BATCH_SQL;
                b->sql_rc = rc;
                break;
            }
            gint64 idx = sqlite3_column_int64 (rd->s, 0);
            if (idx != i) {
                b->end = BATCH_GAP;
                b->gap_idx = idx;
                break;
            }
            sqlite3_stmt *s = rd->s;
            AuditEntry e = {
                .index = i,
                .producer = (const char *) sqlite3_column_text (s, 1),
                .seq = sqlite3_column_int64 (s, 2),
                .time_ms = sqlite3_column_int64 (s, 3),
                .case_no = (const char *) sqlite3_column_text (s, 4),
                .actor = (const char *) sqlite3_column_text (s, 5),
                .type = (const char *) sqlite3_column_text (s, 6),
                .event = sqlite3_column_blob (s, 7),
                .event_len = (gsize) sqlite3_column_bytes (s, 7),
            };
            GError *local = NULL;
            /* A batch holds at most BATCH_ENTRIES entries and, past 64 MiB,
             * ends early so that the 32-bit offsets cannot wrap. */
            if (!audit_entry_encode (&e, b->bytes, &local)) {
                b->end = BATCH_ENCODE;
                b->message = g_strdup (local->message);
                g_error_free (local);
                break;
            }
            BatchItem *it = &b->items[b->n++];
            it->end = b->bytes->len;
            it->has_leaf = sqlite3_column_bytes (s, 8) == AUDIT_HASH_SIZE;
            if (it->has_leaf)
                memcpy (it->leaf, sqlite3_column_blob (s, 8), AUDIT_HASH_SIZE);
            it->has_chain = sqlite3_column_bytes (s, 9) == AUDIT_HASH_SIZE;
            if (it->has_chain)
                memcpy (it->chain, sqlite3_column_blob (s, 9), AUDIT_HASH_SIZE);
            i++;
            if (b->bytes->len > 64 * 1024 * 1024)
                break;
        }
        gboolean last = b->end != BATCH_MORE;
        g_async_queue_push (rd->full, b);
        if (last)
            return NULL;
    }
}

/* The checker's state over the pass. */
typedef struct {
    AuditVerifyReport *r;
    GArray *heads;     /* AuditHead, by size */
    const guint8 *key; /* the key heads must verify with */
    gboolean has_key;
    gboolean each;                 /* AUDIT_VERIFY_EACH_ENTRY */
    const AuditHead *kept;         /* or NULL */
    gboolean kept_pending;         /* kept not reached yet */
    AuditRange range;              /* the rebuilt tree of entries [0, i) */
    guint8 chain[AUDIT_HASH_SIZE]; /* the rebuilt chain after entry i - 1 */
    guint next_head;               /* the first head not yet met */
    gint64 span_start;             /* first index not yet covered by a good head */
    gint64 i;                      /* entries checked */
} Pass;

/* Checks one entry (its encoding and stored values); FALSE: stop. */
static gboolean
check_entry (Pass *p, const guint8 *bytes, gsize len, const BatchItem *it)
{
    AuditVerifyReport *r = p->r;
    gint64 i = p->i;
    guint8 leaf[AUDIT_HASH_SIZE];
    audit_hash_leaf (bytes, len, leaf);
    if (!it->has_leaf || memcmp (it->leaf, leaf, AUDIT_HASH_SIZE) != 0) {
        gboolean carry_on = p->each && it->has_leaf;
        if (carry_on) {
            g_array_append_val (r->changed, i);
            memcpy (leaf, it->leaf, AUDIT_HASH_SIZE);
        }
        r->entries = i;
        report_problem (r, AUDIT_VERIFY_LEAF, i,
                        g_strdup_printf ("第 %" G_GINT64_FORMAT " 条的内容与其叶哈希不符（内容被改动）", i),
                        g_strdup_printf ("entry %" G_GINT64_FORMAT "'s bytes do not hash to its stored leaf"
                                         " (the entry was changed)",
                                         i));
        if (!carry_on)
            return FALSE;
    }
    /* The stored chain is the first place where a change that also
     * rewrote the stored leaf shows: at the entry after it. */
    audit_hash_chain (p->chain, leaf, p->chain);
    if (!it->has_chain || memcmp (it->chain, p->chain, AUDIT_HASH_SIZE) != 0) {
        r->entries = i;
        report_problem (
            r, AUDIT_VERIFY_CHAIN, i,
            g_strdup_printf ("第 %" G_GINT64_FORMAT " 条的链值不符（其前有条目被删、换或插入）", i),
            g_strdup_printf ("entry %" G_GINT64_FORMAT "'s chain value differs (an entry before it"
                             " was removed, moved or inserted)",
                             i));
        return FALSE;
    }
    audit_range_append (&p->range, leaf, NULL);
    i = ++p->i;
    /* Every head whose size this entry reached: root and chain against the
     * rebuilt ones, then the signature (the costly check last). A size
     * already passed can only be a duplicate or a damaged row. */
    while (p->next_head < p->heads->len && g_array_index (p->heads, AuditHead, p->next_head).size <= i) {
        const AuditHead *h = &g_array_index (p->heads, AuditHead, p->next_head);
        r->entries = i;
        if (h->size < i || !head_matches (h, &p->range, p->chain)) {
            report_problem (
                r, AUDIT_VERIFY_HEAD_ROOT, p->span_start,
                g_strdup_printf ("%" G_GINT64_FORMAT " 条处的签名树头与重建的树不符："
                                 "第 %" G_GINT64_FORMAT " 至 %" G_GINT64_FORMAT " 条之间有改动",
                                 h->size, p->span_start, h->size - 1),
                g_strdup_printf ("the head at size %" G_GINT64_FORMAT " does not match the rebuilt"
                                 " tree: entries %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " were changed",
                                 h->size, p->span_start, h->size - 1));
            return FALSE;
        }
        if (!audit_head_check_signature (h, p->key)) {
            report_problem (r, AUDIT_VERIFY_HEAD_SIGNATURE, h->size - 1,
                            g_strdup_printf ("%" G_GINT64_FORMAT " 条处的树头签名无效", h->size),
                            g_strdup_printf ("the head at size %" G_GINT64_FORMAT
                                             "'s signature does not verify",
                                             h->size));
            return FALSE;
        }
        if (r->has_head && h->time_ms < r->head.time_ms) {
            report_problem (r, AUDIT_VERIFY_HEAD_ORDER, h->size - 1,
                            g_strdup_printf ("%" G_GINT64_FORMAT " 条处的树头早于前一个树头", h->size),
                            g_strdup_printf ("the head at size %" G_GINT64_FORMAT
                                             " is older than the head before it",
                                             h->size));
            return FALSE;
        }
        if (r->problem == AUDIT_VERIFY_OK) { /* EACH_ENTRY: not good past a changed entry */
            r->head = *h;
            r->has_head = TRUE;
        }
        r->heads++;
        p->span_start = h->size;
        p->next_head++;
    }
    /* The kept head: the record must still be its extension. */
    if (p->kept_pending && p->kept->size == i) {
        p->kept_pending = FALSE;
        if (!head_matches (p->kept, &p->range, p->chain)) {
            r->entries = i;
            report_problem (r, AUDIT_VERIFY_KEPT_HEAD, p->span_start < i ? p->span_start : 0,
                            g_strdup_printf ("与留存的 %" G_GINT64_FORMAT
                                             " 条树头不一致：记录被改写后重新签名",
                                             p->kept->size),
                            g_strdup_printf ("inconsistent with the kept head at size %" G_GINT64_FORMAT
                                             ": the record was rewritten and signed again",
                                             p->kept->size));
            return FALSE;
        }
        r->kept_checked = TRUE;
    }
    return TRUE;
}

/* Checks a batch's entries, then what ended it; FALSE: stop. */
static gboolean
check_batch (Pass *p, const Batch *b)
{
    AuditVerifyReport *r = p->r;
    gboolean has_row = b->n > 0 || b->end == BATCH_GAP || b->end == BATCH_ENCODE;
    if (!p->has_key && has_row) {
        report_problem (r, AUDIT_VERIFY_NO_KEY, -1, g_strdup ("文件中没有公钥，且未给出留存树头"),
                        g_strdup ("the file has no public key and no kept head was given"));
        return FALSE;
    }
    guint32 start = 0;
    for (guint k = 0; k < b->n; k++) {
        if (!check_entry (p, b->bytes->data + start, b->items[k].end - start, &b->items[k]))
            return FALSE;
        start = b->items[k].end;
    }
    gint64 i = p->i;
    switch (b->end) {
    case BATCH_GAP:
        /* Indexes run 0, 1, 2 ... with no gap: a gap is a deleted row. */
        r->entries = i;
        report_problem (r, AUDIT_VERIFY_MISSING_ENTRY, i,
                        g_strdup_printf ("第 %" G_GINT64_FORMAT " 条缺失（下一条是 %" G_GINT64_FORMAT "）", i,
                                         b->gap_idx),
                        g_strdup_printf ("entry %" G_GINT64_FORMAT
                                         " is missing (the next row is %" G_GINT64_FORMAT ")",
                                         i, b->gap_idx));
        return FALSE;
    case BATCH_ENCODE:
        r->entries = i;
        report_problem (r, AUDIT_VERIFY_LEAF, i,
                        g_strdup_printf ("第 %" G_GINT64_FORMAT " 条无法编码：%s", i, b->message),
                        g_strdup_printf ("entry %" G_GINT64_FORMAT " cannot be encoded: %s", i, b->message));
        return FALSE;
    default: return TRUE;
    }
}

/* After the last entry: heads or a kept head beyond it mean a cut tail. */
static void
check_end (Pass *p)
{
    AuditVerifyReport *r = p->r;
    gint64 i = p->i;
    r->entries = i;
    if (r->problem != AUDIT_VERIFY_OK)
        return;
    if (p->next_head < p->heads->len) {
        const AuditHead *h = &g_array_index (p->heads, AuditHead, p->next_head);
        report_problem (r, AUDIT_VERIFY_TRUNCATED, i,
                        g_strdup_printf ("树头签了 %" G_GINT64_FORMAT " 条，文件只有 %" G_GINT64_FORMAT
                                         " 条：末尾被截去",
                                         h->size, i),
                        g_strdup_printf ("a head covers %" G_GINT64_FORMAT
                                         " entries, the file has %" G_GINT64_FORMAT ": its tail was cut off",
                                         h->size, i));
        return;
    }
    if (p->kept_pending)
        report_problem (r, AUDIT_VERIFY_KEPT_TRUNCATED, i,
                        g_strdup_printf ("留存的树头签了 %" G_GINT64_FORMAT " 条，文件只有 %" G_GINT64_FORMAT
                                         " 条：末尾被截去",
                                         p->kept->size, i),
                        g_strdup_printf ("the kept head covers %" G_GINT64_FORMAT
                                         " entries, the file has %" G_GINT64_FORMAT ": its tail was cut off",
                                         p->kept->size, i));
}

gboolean
audit_verify_file (const char *path, const AuditHead *kept, const guint8 *kept_key, AuditVerifyReport *r,
                   GError **error)
{
    return audit_verify_file_full (path, kept, kept_key, AUDIT_VERIFY_FLAGS_NONE, r, error);
}

gboolean
audit_verify_file_full (const char *path, const AuditHead *kept, const guint8 *kept_key,
                        AuditVerifyFlags flags, AuditVerifyReport *r, GError **error)
{
    g_return_val_if_fail (path != NULL && r != NULL, FALSE);
    g_return_val_if_fail ((kept == NULL) == (kept_key == NULL), FALSE);
    memset (r, 0, sizeof *r);
    r->index = -1;
    gboolean each = (flags & AUDIT_VERIFY_EACH_ENTRY) != 0;
    if (each)
        r->changed = g_array_new (FALSE, FALSE, sizeof (gint64));
    if (sodium_init () < 0) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_STORE, "libsodium did not start");
        return FALSE;
    }
    g_autoptr (sqlite3) db = NULL;
    g_autofree char *uri = g_strconcat ("file:", path, "?mode=ro", NULL);
    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "%s: no such file", path);
        return FALSE;
    }
    int rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return fail_sql (db, path, rc, error);
    /* Read the pages in place rather than copied by read(2): 7 % of a run. */
    sqlite3_exec (db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);

    /* The key: the file's, unless a kept head brings its own. */
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    gboolean has_key = FALSE;
    g_autoptr (sqlite3_stmt) s = NULL;
    rc = sqlite3_prepare_v2 (db, "SELECT value FROM audit_meta WHERE name = 'public_key'", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail_sql (db, path, rc, error);
    if ((rc = sqlite3_step (s)) == SQLITE_ROW && sqlite3_column_bytes (s, 0) == AUDIT_PUBLIC_KEY_SIZE) {
        memcpy (key, sqlite3_column_blob (s, 0), AUDIT_PUBLIC_KEY_SIZE);
        has_key = TRUE;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return fail_sql (db, path, rc, error);
    }
    g_clear_pointer (&s, sqlite3_finalize);
    if (kept != NULL) {
        if (!audit_head_check_signature (kept, kept_key)) {
            report_problem (r, AUDIT_VERIFY_KEPT_KEY, -1, g_strdup ("留存的树头签名无效"),
                            g_strdup ("the kept head's signature does not verify with its key"));
            return TRUE;
        }
        if (has_key && memcmp (key, kept_key, AUDIT_PUBLIC_KEY_SIZE) != 0) {
            report_problem (r, AUDIT_VERIFY_KEPT_KEY, -1, g_strdup ("文件的公钥与留存树头的公钥不同"),
                            g_strdup ("the file's public key is not the kept head's key"));
            return TRUE;
        }
        memcpy (key, kept_key, AUDIT_PUBLIC_KEY_SIZE);
        has_key = TRUE;
    }

    /* The heads, in size order: few (one per N entries), so kept in memory
     * and met one by one as the entries reach their sizes. */
    g_autoptr (GArray) heads = g_array_new (FALSE, FALSE, sizeof (AuditHead));
    rc = sqlite3_prepare_v2 (db, "SELECT size, time_ms, root, chain, signature FROM audit_head ORDER BY size",
                             -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail_sql (db, path, rc, error);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW) {
        AuditHead h = { .size = sqlite3_column_int64 (s, 0), .time_ms = sqlite3_column_int64 (s, 1) };
        /* A damaged column leaves zeros, which then fail as a root or a signature. */
        if (sqlite3_column_bytes (s, 2) == AUDIT_HASH_SIZE)
            memcpy (h.root, sqlite3_column_blob (s, 2), AUDIT_HASH_SIZE);
        if (sqlite3_column_bytes (s, 3) == AUDIT_HASH_SIZE)
            memcpy (h.chain, sqlite3_column_blob (s, 3), AUDIT_HASH_SIZE);
        if (sqlite3_column_bytes (s, 4) == AUDIT_SIGNATURE_SIZE)
            memcpy (h.signature, sqlite3_column_blob (s, 4), AUDIT_SIGNATURE_SIZE);
        g_array_append_val (heads, h);
    }
    if (rc != SQLITE_DONE)
        return fail_sql (db, path, rc, error);
    g_clear_pointer (&s, sqlite3_finalize);
    if (heads->len > 0 && g_array_index (heads, AuditHead, 0).size < 1) {
        gint64 size = g_array_index (heads, AuditHead, 0).size;
        report_problem (r, AUDIT_VERIFY_HEAD_ROOT, 0,
                        g_strdup_printf ("有一个树头的条数为 %" G_GINT64_FORMAT "，不可能", size),
                        g_strdup_printf ("a head claims the impossible size %" G_GINT64_FORMAT, size));
        return TRUE;
    }

    rc = sqlite3_prepare_v2 (db,
                             "SELECT idx, producer, seq, time_ms, case_no, actor, type, event, leaf, chain"
                             " FROM audit_entry ORDER BY idx",
                             -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail_sql (db, path, rc, error);

    Pass p = {
        .r = r,
        .heads = heads,
        .key = key,
        .has_key = has_key,
        .each = each,
        .kept = kept,
        .kept_pending = kept != NULL && kept->size > 0,
    };
    audit_range_init (&p.range);
    if (kept != NULL && kept->size == 0)
        r->kept_checked = TRUE;

    /* The reader thread steps SQLite and encodes; this thread hashes and
     * checks, batch by batch, in index order. */
    Reader reader = { .s = s, .free = g_async_queue_new (), .full = g_async_queue_new () };
    for (int k = 0; k < N_BATCHES; k++) {
        Batch *b = g_new0 (Batch, 1);
        b->bytes = g_byte_array_sized_new (BATCH_ENTRIES * 400);
        g_async_queue_push (reader.free, b);
    }
    GThread *thread = g_thread_new ("audit-verify-read", read_entries, &reader);
    Batch *b = NULL;
    gboolean going = TRUE;
    while (going) {
        b = g_async_queue_pop (reader.full);
        going = check_batch (&p, b);
        if (going && b->end != BATCH_MORE)
            break;
        if (going) {
            g_async_queue_push (reader.free, b);
            b = NULL;
        }
    }
    /* Stopped at a problem or at the end: let the reader finish, then take
     * every batch back. */
    g_atomic_int_set (&reader.stop, 1);
    while (b == NULL || b->end == BATCH_MORE) {
        if (b != NULL)
            g_async_queue_push (reader.free, b);
        b = g_async_queue_pop (reader.full);
    }
    g_thread_join (thread);
    int sql_rc = b->end == BATCH_SQL ? b->sql_rc : SQLITE_OK;
    gboolean finished = going;
    batch_free (b);
    for (int k = 1; k < N_BATCHES; k++)
        batch_free (g_async_queue_pop (reader.free));
    g_async_queue_unref (reader.free);
    g_async_queue_unref (reader.full);
    if (!finished)
        return TRUE;
    if (sql_rc != SQLITE_OK)
        return fail_sql (db, path, sql_rc, error);
    check_end (&p);
    return TRUE;
}
