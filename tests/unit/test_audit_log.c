/* test_audit_log: the tamper-evident record's module (D-AUD-1, D-AUD-5)
 * without a process: the RFC 9162 tree and proofs against the RFC's
 * definitions, the append-only store, heads every N entries or T ms, state
 * after a reopen or a rollback, and the offline verifier on small cases
 * (tests/integration/test_audit_tamper.c does the large ones). */
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "audit_log.h"
#include "audit_verify.h"

typedef struct {
    char *dir;
    char *path;
    DbnClock *clock;
    DbnStore *store;
    AuditLog *log;
    guint8 pk[AUDIT_PUBLIC_KEY_SIZE];
    guint8 sk[AUDIT_SECRET_KEY_SIZE];
    GPtrArray *events; /* the bytes appended, by index (GBytes) */
} Fixture;

static AuditLog *
open_log (Fixture *f, guint every, gint64 every_ms)
{
    g_autoptr (GError) error = NULL;
    AuditLogOptions options = { .secret_key = f->sk, .head_every_entries = every, .head_every_ms = every_ms };
    AuditLog *log = audit_log_new (f->store, f->clock, &options, &error);
    g_assert_no_error (error);
    return log;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-audit-XXXXXX", &error);
    g_assert_no_error (error);
    f->path = g_build_filename (f->dir, "audit.db", NULL);
    f->clock = dbn_clock_new_manual (1764633600000);
    f->store = dbn_store_open (f->path, DBN_STORE_SYNC_NORMAL, audit_migrations, &error);
    g_assert_no_error (error);
    guint8 seed[crypto_sign_SEEDBYTES] = { 7 };
    crypto_sign_seed_keypair (f->pk, f->sk, seed);
    f->log = open_log (f, 0, 0);
    f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_clear_pointer (&f->log, audit_log_free);
    g_clear_pointer (&f->store, dbn_store_free);
    g_clear_pointer (&f->clock, dbn_clock_free);
    g_ptr_array_unref (f->events);
    g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *p = g_build_filename (f->dir, name, NULL);
        g_unlink (p);
    }
    g_rmdir (f->dir);
    g_free (f->path);
    g_free (f->dir);
}

/* Appends count entries from "intake" in one transaction. */
static void
append_entries (Fixture *f, gint64 count)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_begin (f->store, &error));
    for (gint64 i = 0; i < count; i++) {
        gint64 n = (gint64) f->events->len;
        g_autofree char *event =
            g_strdup_printf ("{\"type\":\"case.accepted\",\"n\":%" G_GINT64_FORMAT "}", n);
        g_autofree char *case_no = g_strdup_printf ("C%05" G_GINT64_FORMAT, n / 3);
        gint64 index = -1;
        g_assert_true (audit_log_append (f->log, "intake", n + 1, 1764633600000 + n, case_no, "clerk:1",
                                         "case.accepted", (const guint8 *) event, strlen (event), &index,
                                         &error));
        g_assert_no_error (error);
        g_assert_cmpint (index, ==, n);
        g_ptr_array_add (f->events, g_bytes_new (event, strlen (event)));
    }
    g_assert_true (dbn_store_commit (f->store, &error));
}

/* RFC 9162 §2.1.1 MTH, straight from the definition, over leaf hashes. */
static void
reference_mth (guint8 (*leaves)[AUDIT_HASH_SIZE], gint64 n, guint8 out[AUDIT_HASH_SIZE])
{
    if (n == 0) {
        audit_hash_empty (out);
        return;
    }
    if (n == 1) {
        memcpy (out, leaves[0], AUDIT_HASH_SIZE);
        return;
    }
    gint64 k = 1;
    while (k * 2 < n)
        k *= 2;
    guint8 l[AUDIT_HASH_SIZE], r[AUDIT_HASH_SIZE];
    reference_mth (leaves, k, l);
    reference_mth (leaves + k, n - k, r);
    audit_hash_node (l, r, out);
}

static guint8 (*fixture_leaves (Fixture *f))[AUDIT_HASH_SIZE]
{
    gint64 n = audit_log_get_size (f->log);
    guint8 (*leaves)[AUDIT_HASH_SIZE] = g_malloc (MAX (n, 1) * AUDIT_HASH_SIZE);
    for (gint64 i = 0; i < n; i++) {
        g_autoptr (GBytes) encoded = NULL;
        g_autoptr (GError) error = NULL;
        g_assert_true (audit_log_dup_entry (f->log, i, &encoded, leaves[i], &error));
        gsize len;
        const guint8 *b = g_bytes_get_data (encoded, &len);
        guint8 again[AUDIT_HASH_SIZE];
        audit_hash_leaf (b, len, again);
        g_assert_cmpmem (again, AUDIT_HASH_SIZE, leaves[i], AUDIT_HASH_SIZE);
    }
    return leaves;
}

/* The entry encoding is the one docs/audit.md spells out, byte for byte. */
static void
test_entry_encoding (void)
{
    const guint8 event[] = { 0x81, 0xa1, 'a', 0x01 };
    AuditEntry e = { .index = 258,
                     .producer = "intake",
                     .seq = 7,
                     .time_ms = 1000,
                     .case_no = "C1",
                     .actor = "",
                     .type = "t",
                     .event = event,
                     .event_len = sizeof event };
    g_autoptr (GByteArray) out = g_byte_array_new ();
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_entry_encode (&e, out, &error));
    const guint8 expected[] = {
        0x01, 0, 0,   0,   0,    0,    0,    1,    2,   /* version, index 258 */
        0,    6, 'i', 'n', 't',  'a',  'k',  'e',       /* producer */
        0,    0, 0,   0,   0,    0,    0,    7,         /* seq */
        0,    0, 0,   0,   0,    0,    0x03, 0xe8,      /* time 1000 ms */
        0,    2, 'C', '1', 0,    0,    0,    1,    't', /* case, actor, type */
        0,    0, 0,   4,   0x81, 0xa1, 'a',  0x01,      /* event */
    };
    g_assert_cmpmem (out->data, out->len, expected, sizeof expected);
    /* A text over 65535 bytes cannot be length-prefixed: refused, and
     * nothing is left half-written in out. */
    g_autofree char *big = g_strnfill (AUDIT_TEXT_MAX + 1, 'x');
    e.actor = big;
    g_assert_false (audit_entry_encode (&e, out, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID);
    g_assert_cmpuint (out->len, ==, sizeof expected);
}

/* The compact range's root is MTH for every size, powers of two or not. */
static void
test_range_root (void)
{
    guint8 leaves[200][AUDIT_HASH_SIZE];
    AuditRange range;
    audit_range_init (&range);
    for (int n = 0; n <= 200; n++) {
        guint8 a[AUDIT_HASH_SIZE], b[AUDIT_HASH_SIZE];
        audit_range_root (&range, a);
        reference_mth (leaves, n, b);
        g_assert_cmpmem (a, AUDIT_HASH_SIZE, b, AUDIT_HASH_SIZE);
        if (n < 200) {
            guint8 byte = (guint8) n;
            audit_hash_leaf (&byte, 1, leaves[n]);
            audit_range_append (&range, leaves[n], NULL);
        }
    }
    /* The empty tree's root is SHA-256 of nothing (RFC 9162 §2.1.1). */
    guint8 empty[AUDIT_HASH_SIZE], expected[AUDIT_HASH_SIZE];
    audit_hash_empty (empty);
    g_assert_true (audit_unhex ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", expected,
                                AUDIT_HASH_SIZE));
    g_assert_cmpmem (empty, AUDIT_HASH_SIZE, expected, AUDIT_HASH_SIZE);
}

/* Every inclusion proof and every consistency proof of a 70-entry log
 * (sizes crossing the stored level 4 and 64) verifies, and each fails once
 * any hash of it is changed, one is dropped, or the index or size is wrong. */
static void
test_proofs_exhaustive (Fixture *f, gconstpointer data)
{
    append_entries (f, 70);
    g_autofree guint8 (*leaves)[AUDIT_HASH_SIZE] = fixture_leaves (f);
    g_autoptr (GError) error = NULL;
    for (gint64 n = 1; n <= 70; n++) {
        guint8 root[AUDIT_HASH_SIZE], ref[AUDIT_HASH_SIZE];
        g_assert_true (audit_log_tree_hash (f->log, n, root, &error));
        reference_mth (leaves, n, ref);
        g_assert_cmpmem (root, AUDIT_HASH_SIZE, ref, AUDIT_HASH_SIZE);
        for (gint64 m = 0; m < n; m++) {
            g_autoptr (GByteArray) p = NULL;
            g_assert_true (audit_log_inclusion_proof (f->log, m, n, &p, &error));
            gsize np = p->len / AUDIT_HASH_SIZE;
            const guint8 (*path)[AUDIT_HASH_SIZE] = (const void *) p->data;
            g_assert_true (audit_verify_inclusion (m, n, leaves[m], path, np, root));
            g_assert_false (audit_verify_inclusion (m, n, leaves[(m + 1) % n], path, np, root) && n > 1);
            if (n > 1) {
                g_assert_false (audit_verify_inclusion ((m + 1) % n, n, leaves[m], path, np, root));
                g_assert_false (audit_verify_inclusion (m, n, leaves[m], path, np - 1, root));
                for (gsize k = 0; k < np; k++) {
                    p->data[k * AUDIT_HASH_SIZE + 5] ^= 0x10;
                    g_assert_false (audit_verify_inclusion (m, n, leaves[m], path, np, root));
                    p->data[k * AUDIT_HASH_SIZE + 5] ^= 0x10;
                }
            }
        }
        for (gint64 m = 0; m <= n; m++) {
            guint8 first[AUDIT_HASH_SIZE];
            reference_mth (leaves, m, first);
            g_autoptr (GByteArray) p = NULL;
            g_assert_true (audit_log_consistency_proof (f->log, m, n, &p, &error));
            gsize np = p->len / AUDIT_HASH_SIZE;
            const guint8 (*path)[AUDIT_HASH_SIZE] = (const void *) p->data;
            g_assert_true (audit_verify_consistency (m, n, first, root, path, np));
            if (m == 0 || m == n) {
                g_assert_cmpuint (np, ==, 0);
                continue;
            }
            /* A root that is not the prefix's (a rewritten first tree) fails. */
            guint8 other[AUDIT_HASH_SIZE];
            memcpy (other, first, AUDIT_HASH_SIZE);
            other[0] ^= 1;
            g_assert_false (audit_verify_consistency (m, n, other, root, path, np));
            g_assert_false (audit_verify_consistency (m, n, first, other, path, np));
            g_assert_false (audit_verify_consistency (m, n, first, root, path, np - 1));
            for (gsize k = 0; k < np; k++) {
                p->data[k * AUDIT_HASH_SIZE] ^= 0x80;
                g_assert_false (audit_verify_consistency (m, n, first, root, path, np));
                p->data[k * AUDIT_HASH_SIZE] ^= 0x80;
            }
        }
    }
    g_autoptr (GByteArray) p = NULL;
    g_assert_false (audit_log_inclusion_proof (f->log, 70, 70, &p, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE);
    g_clear_error (&error);
    g_assert_false (audit_log_consistency_proof (f->log, 5, 71, &p, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE);
}

/* In a larger log the stored levels 4, 8 and 12 carry the proofs: random
 * proofs verify, and the stored nodes are one row per 16 entries, about. */
static void
test_proofs_large (Fixture *f, gconstpointer data)
{
    append_entries (f, 5000);
    g_autofree guint8 (*leaves)[AUDIT_HASH_SIZE] = fixture_leaves (f);
    g_autoptr (GError) error = NULL;
    GRand *rand = g_rand_new_with_seed (14);
    for (int t = 0; t < 300; t++) {
        gint64 n = g_rand_int_range (rand, 1, 5001), m = g_rand_int_range (rand, 0, (gint32) n);
        guint8 root[AUDIT_HASH_SIZE], first[AUDIT_HASH_SIZE];
        reference_mth (leaves, n, root);
        reference_mth (leaves, m, first);
        g_autoptr (GByteArray) ip = NULL, cp = NULL;
        g_assert_true (audit_log_inclusion_proof (f->log, m, n, &ip, &error));
        g_assert_true (audit_verify_inclusion (m, n, leaves[m], (const void *) ip->data,
                                               ip->len / AUDIT_HASH_SIZE, root));
        g_assert_true (audit_log_consistency_proof (f->log, m, n, &cp, &error));
        g_assert_true (
            audit_verify_consistency (m, n, first, root, (const void *) cp->data, cp->len / AUDIT_HASH_SIZE));
    }
    g_rand_free (rand);
    sqlite3 *db = dbn_store_get_db (f->store);
    sqlite3_stmt *s;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM audit_node", -1, &s, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    /* 5000/16 + 5000/256 + 5000/4096 = 312 + 19 + 1. */
    g_assert_cmpint (sqlite3_column_int (s, 0), ==, 332);
    sqlite3_finalize (s);
}

static int
exec_rc (Fixture *f, const char *sql)
{
    return sqlite3_exec (dbn_store_get_db (f->store), sql, NULL, NULL, NULL);
}

/* D-AUD-5: the store refuses every UPDATE and DELETE, and a second entry
 * for one producer's seq (exactly once). */
static void
test_append_only (Fixture *f, gconstpointer data)
{
    append_entries (f, 20);
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_head (f->log, NULL, &error));
    g_assert_true (dbn_store_commit (f->store, &error));
    const char *refused[] = {
        "UPDATE audit_entry SET event = x'00' WHERE idx = 3",
        "DELETE FROM audit_entry WHERE idx = 19",
        "UPDATE audit_head SET time_ms = 0",
        "DELETE FROM audit_head",
        "UPDATE audit_node SET hash = x'00'",
        "DELETE FROM audit_node",
        "DELETE FROM audit_meta",
        "UPDATE audit_meta SET value = x'00'",
    };
    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
        g_assert_cmpint (exec_rc (f, refused[i]) & 0xff, ==, SQLITE_CONSTRAINT);
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_false (
        audit_log_append (f->log, "intake", 3, 0, "", "", "x", (const guint8 *) "x", 1, NULL, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE);
    dbn_store_rollback (f->store);
    g_clear_error (&error);
    g_assert_true (audit_log_reload (f->log, &error));
    g_assert_cmpint (audit_log_get_size (f->log), ==, 20);
    /* Writing outside a transaction is refused: the service's offset must
     * commit with the entry. */
    g_assert_false (
        audit_log_append (f->log, "intake", 100, 0, "", "", "x", (const guint8 *) "x", 1, NULL, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE);
}

/* A head every N entries, inside the append's transaction; and one after
 * T ms by the timer's call, only when something is unsigned. */
static void
test_heads_every (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_clear_pointer (&f->log, audit_log_free);
    f->log = open_log (f, 10, 60000);
    AuditHead h;
    gboolean signed_now = TRUE;
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_if_due (f->log, &signed_now, &error));
    g_assert_false (signed_now); /* empty: nothing to sign */
    g_assert_true (dbn_store_commit (f->store, &error));
    append_entries (f, 25);
    g_assert_true (audit_log_get_last_head (f->log, &h));
    g_assert_cmpint (h.size, ==, 20);
    g_assert_true (audit_head_check_signature (&h, f->pk));
    g_assert_true (audit_log_get_head (f->log, 10, &h, &error));
    g_assert_false (audit_log_get_head (f->log, 15, &h, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_RANGE);
    g_clear_error (&error);

    g_assert_true (dbn_store_begin (f->store, &error));
    dbn_clock_advance_ms (f->clock, 59999);
    g_assert_true (audit_log_sign_if_due (f->log, &signed_now, &error));
    g_assert_false (signed_now);
    dbn_clock_advance_ms (f->clock, 1);
    g_assert_true (audit_log_sign_if_due (f->log, &signed_now, &error));
    g_assert_true (signed_now);
    g_assert_true (audit_log_get_last_head (f->log, &h));
    g_assert_cmpint (h.size, ==, 25);
    g_assert_cmpint (h.time_ms, ==, 1764633600000 + 60000);
    dbn_clock_advance_ms (f->clock, 60000);
    g_assert_true (audit_log_sign_if_due (f->log, &signed_now, &error));
    g_assert_false (signed_now); /* nothing new since */
    g_assert_true (dbn_store_commit (f->store, &error));

    guint8 root[AUDIT_HASH_SIZE];
    g_assert_true (audit_log_tree_hash (f->log, 25, root, &error));
    g_assert_cmpmem (root, AUDIT_HASH_SIZE, h.root, AUDIT_HASH_SIZE);
}

/* audit_log_refresh (the follower's check before each append) reloads
 * exactly when something was rolled back: appends, or a head signed alone;
 * after a commit it keeps memory, and the record continues as a fresh build. */
static void
test_refresh_after_rollback (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    append_entries (f, 10);
    g_assert_true (audit_log_refresh (f->log, &error));
    g_assert_cmpint (audit_log_get_size (f->log), ==, 10);
    /* Appends rolled back: memory is ahead of the file. */
    g_assert_true (dbn_store_begin (f->store, &error));
    for (int i = 0; i < 3; i++)
        g_assert_true (audit_log_append (f->log, "routing", i + 1, 0, "", "", "x", (const guint8 *) "y", 1,
                                         NULL, &error));
    dbn_store_rollback (f->store);
    g_assert_cmpint (audit_log_get_size (f->log), ==, 13);
    g_assert_true (audit_log_refresh (f->log, &error));
    g_assert_cmpint (audit_log_get_size (f->log), ==, 10);
    /* A head rolled back on its own: the entries match, the head does not. */
    AuditHead h;
    g_assert_false (audit_log_get_last_head (f->log, &h));
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_head (f->log, &h, &error));
    dbn_store_rollback (f->store);
    g_assert_true (audit_log_get_last_head (f->log, &h));
    g_assert_true (audit_log_refresh (f->log, &error));
    g_assert_false (audit_log_get_last_head (f->log, &h));
    /* Onwards: the roots are those of the leaves actually stored. */
    append_entries (f, 7);
    g_autofree guint8 (*leaves)[AUDIT_HASH_SIZE] = fixture_leaves (f);
    guint8 ref[AUDIT_HASH_SIZE];
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_head (f->log, &h, &error));
    g_assert_true (dbn_store_commit (f->store, &error));
    g_assert_cmpint (h.size, ==, 17);
    reference_mth (leaves, 17, ref);
    g_assert_cmpmem (h.root, AUDIT_HASH_SIZE, ref, AUDIT_HASH_SIZE);
    g_assert_true (audit_log_refresh (f->log, &error));
    g_assert_true (audit_log_get_last_head (f->log, &h));
    g_assert_cmpint (h.size, ==, 17);
}

/* The state read back at open, or after a rollback, is the state the
 * appends built: the next appends give the roots a fresh build gives. */
static void
test_reopen_and_rollback (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    append_entries (f, 37);
    /* A rolled-back batch leaves no trace once reloaded. */
    g_assert_true (dbn_store_begin (f->store, &error));
    for (int i = 0; i < 5; i++)
        g_assert_true (audit_log_append (f->log, "routing", i + 1, 0, "", "", "x", (const guint8 *) "y", 1,
                                         NULL, &error));
    g_assert_cmpint (audit_log_get_size (f->log), ==, 42);
    dbn_store_rollback (f->store);
    g_assert_true (audit_log_reload (f->log, &error));
    g_assert_cmpint (audit_log_get_size (f->log), ==, 37);
    g_clear_pointer (&f->log, audit_log_free);
    f->log = open_log (f, 0, 0);
    append_entries (f, 60);
    g_autofree guint8 (*leaves)[AUDIT_HASH_SIZE] = fixture_leaves (f);
    guint8 root[AUDIT_HASH_SIZE], ref[AUDIT_HASH_SIZE];
    AuditHead h;
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_head (f->log, &h, &error));
    g_assert_true (dbn_store_commit (f->store, &error));
    reference_mth (leaves, 97, ref);
    g_assert_cmpmem (h.root, AUDIT_HASH_SIZE, ref, AUDIT_HASH_SIZE);
    g_assert_true (audit_log_tree_hash (f->log, 97, root, &error));
    g_assert_cmpmem (root, AUDIT_HASH_SIZE, ref, AUDIT_HASH_SIZE);
    /* The chain in the head is the chain over all 97 leaves. */
    guint8 chain[AUDIT_HASH_SIZE] = { 0 };
    for (int i = 0; i < 97; i++)
        audit_hash_chain (chain, leaves[i], chain);
    g_assert_cmpmem (h.chain, AUDIT_HASH_SIZE, chain, AUDIT_HASH_SIZE);

    /* Another key cannot continue this record; no key cannot sign. */
    g_clear_pointer (&f->log, audit_log_free);
    guint8 seed[crypto_sign_SEEDBYTES] = { 8 }, pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];
    crypto_sign_seed_keypair (pk, sk, seed);
    AuditLogOptions other = { .secret_key = sk };
    g_assert_null (audit_log_new (f->store, f->clock, &other, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_KEY);
    g_clear_error (&error);
    AuditLogOptions none = { 0 };
    f->log = audit_log_new (f->store, f->clock, &none, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (audit_log_get_public_key (f->log), AUDIT_PUBLIC_KEY_SIZE, f->pk, AUDIT_PUBLIC_KEY_SIZE);
    append_entries (f, 1);
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_false (audit_log_sign_head (f->log, NULL, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_NO_KEY);
    g_clear_error (&error);
    dbn_store_rollback (f->store);

    /* A read-only copy gives the same heads and proofs and writes nothing. */
    g_autoptr (AuditLog) ro = audit_log_open_readonly (f->path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (audit_log_get_size (ro), ==, 98);
    AuditHead again;
    g_assert_true (audit_log_get_last_head (ro, &again));
    g_assert_cmpmem (&again, sizeof again, &h, sizeof h);
    g_assert_cmpmem (audit_log_get_public_key (ro), AUDIT_PUBLIC_KEY_SIZE, f->pk, AUDIT_PUBLIC_KEY_SIZE);
    g_assert_true (audit_log_tree_hash (ro, 97, root, &error));
    g_assert_cmpmem (root, AUDIT_HASH_SIZE, ref, AUDIT_HASH_SIZE);
    g_assert_false (
        audit_log_append (ro, "intake", 1000, 0, "", "", "x", (const guint8 *) "x", 1, NULL, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE);
    g_clear_error (&error);
    g_assert_null (audit_log_open_readonly ("/nonexistent/audit.db", &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID);
}

/* The head file round-trips, and a malformed one names its field. */
static void
test_head_json (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    append_entries (f, 3);
    AuditHead h, back;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_true (audit_log_sign_head (f->log, &h, &error));
    g_assert_true (dbn_store_commit (f->store, &error));
    g_autofree char *json = audit_head_to_json (&h, f->pk);
    g_assert_true (audit_head_from_json (json, &back, key, &error));
    g_assert_cmpmem (&back, sizeof back, &h, sizeof h);
    g_assert_cmpmem (key, sizeof key, f->pk, sizeof f->pk);
    g_assert_true (audit_head_check_signature (&back, key));
    back.size++;
    g_assert_false (audit_head_check_signature (&back, key));
    const char *bad[] = {
        "[]",
        "{\"format\":\"daiban-audit-head-1\",\"size\":-1}",
        "not json",
        "{\"format\":\"daiban-audit-head-1\",\"size\":3,\"time_ms\":1,\"root\":\"00\"}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_assert_false (audit_head_from_json (bad[i], &back, key, &error));
        g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID);
        g_clear_error (&error);
    }
}

static AuditVerifyProblem
verify (Fixture *f, const AuditHead *kept, gint64 *index)
{
    AuditVerifyReport r;
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_verify_file (f->path, kept, kept != NULL ? f->pk : NULL, &r, &error));
    g_assert_no_error (error);
    *index = r.index;
    AuditVerifyProblem p = r.problem;
    audit_verify_report_clear (&r);
    return p;
}

/* The offline verifier passes an untouched record, and points at the first
 * bad index of an edited one (the triggers dropped first, as an attacker
 * with the file would). */
static void
test_verify_small (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_clear_pointer (&f->log, audit_log_free);
    f->log = open_log (f, 8, 0);
    append_entries (f, 50);
    AuditHead kept;
    g_assert_true (audit_log_get_last_head (f->log, &kept));
    g_assert_cmpint (kept.size, ==, 48);
    gint64 index;
    AuditVerifyReport r;
    g_assert_true (audit_verify_file (f->path, &kept, f->pk, &r, &error));
    g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_OK);
    g_assert_cmpint (r.entries, ==, 50);
    g_assert_cmpint (r.heads, ==, 6);
    g_assert_true (r.kept_checked);
    g_assert_cmpint (r.head.size, ==, 48);
    audit_verify_report_clear (&r);

    g_assert_cmpint (exec_rc (f, "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete;"
                                 "DROP TRIGGER audit_head_no_delete"),
                     ==, SQLITE_OK);
    g_assert_cmpint (exec_rc (f, "UPDATE audit_entry SET actor = 'clerk:2' WHERE idx = 17"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_LEAF);
    g_assert_cmpint (index, ==, 17);
    g_assert_cmpint (exec_rc (f, "UPDATE audit_entry SET actor = 'clerk:1' WHERE idx = 17"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_OK);
    /* A changed head time breaks its signature. */
    g_assert_cmpint (exec_rc (f,
                              "DROP TRIGGER audit_head_no_update; UPDATE audit_head SET time_ms = time_ms + 1"
                              " WHERE size = 32"),
                     ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_HEAD_SIGNATURE);
    g_assert_cmpint (index, ==, 31);
    g_assert_cmpint (exec_rc (f, "UPDATE audit_head SET time_ms = time_ms - 1 WHERE size = 32"), ==,
                     SQLITE_OK);
    /* A head of an impossible size is reported, not followed. */
    g_assert_cmpint (exec_rc (f, "UPDATE audit_head SET size = -3 WHERE size = 8"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_HEAD_ROOT);
    g_assert_cmpint (index, ==, 0);
    g_assert_cmpint (exec_rc (f, "UPDATE audit_head SET size = 8 WHERE size = -3"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_OK);
    /* An impossible last index: the writer refuses the file, nothing overflows. */
    g_assert_cmpint (exec_rc (f, "UPDATE audit_entry SET idx = 9223372036854775807 WHERE idx = 49"), ==,
                     SQLITE_OK);
    g_assert_null (audit_log_open_readonly (f->path, &error));
    g_assert_error (error, AUDIT_ERROR, AUDIT_ERROR_STORE);
    g_clear_error (&error);
    g_assert_cmpint (exec_rc (f, "UPDATE audit_entry SET idx = 49 WHERE idx = 9223372036854775807"), ==,
                     SQLITE_OK);
    /* The tail and its heads cut off: only the kept head knows. */
    g_assert_cmpint (exec_rc (f, "DELETE FROM audit_entry WHERE idx >= 40"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_TRUNCATED);
    g_assert_cmpint (index, ==, 40);
    g_assert_cmpint (exec_rc (f, "DELETE FROM audit_head WHERE size > 40"), ==, SQLITE_OK);
    g_assert_cmpint (verify (f, NULL, &index), ==, AUDIT_VERIFY_OK);
    g_assert_cmpint (verify (f, &kept, &index), ==, AUDIT_VERIFY_KEPT_TRUNCATED);
    g_assert_cmpint (index, ==, 40);
    /* A kept head by another key is refused before anything is read. */
    guint8 seed[crypto_sign_SEEDBYTES] = { 9 }, pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];
    crypto_sign_seed_keypair (pk, sk, seed);
    AuditHead other = kept;
    audit_head_sign (&other, sk);
    g_assert_true (audit_verify_file (f->path, &other, pk, &r, &error));
    g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_KEPT_KEY);
    audit_verify_report_clear (&r);
    /* Not a record at all: an error, not a report. */
    g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
    g_assert_true (g_file_set_contents (junk, "not sqlite at all, just text", -1, NULL));
    g_assert_false (audit_verify_file (junk, NULL, NULL, &r, &error));
    g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_assert_cmpint (sodium_init (), >=, 0);
    g_test_add_func ("/audit/merkle/entry-encoding", test_entry_encoding);
    g_test_add_func ("/audit/merkle/range-root-is-mth", test_range_root);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD ("/audit/log/proofs-every-size", test_proofs_exhaustive);
    ADD ("/audit/log/proofs-stored-levels", test_proofs_large);
    ADD ("/audit/log/D-AUD-5/append-only", test_append_only);
    ADD ("/audit/log/heads-every-n-or-t", test_heads_every);
    ADD ("/audit/log/reopen-and-rollback", test_reopen_and_rollback);
    ADD ("/audit/log/refresh-after-rollback", test_refresh_after_rollback);
    ADD ("/audit/log/head-file", test_head_json);
    ADD ("/audit/verify/small", test_verify_small);
    return g_test_run ();
}
