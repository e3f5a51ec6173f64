/* bench_audit: the tamper-evident record (issue 14), each figure beside the
 * raw cryptography it is made of, measured in the same run.
 *
 *   bench_audit [--entries N] [--every E] [--proofs P]
 *
 * 1. Append: N entries (events of 120-360 bytes, like the journals') into a
 *    fresh store through audit_log_append, 1,000 per transaction, a signed
 *    head every E (10,000). Reference: SHA-256 over the same entries'
 *    encodings (the leaf hashes alone), plus one Ed25519 signature per head.
 * 2. Verify: audit_verify_file over the file (what `daiban audit verify`
 *    runs; two threads), the best of three runs. Reference: the same leaf
 *    hashes plus one Ed25519 verification per head. The issue asks for
 *    ≥ 1,000,000 entries/s.
 * 3. Proofs: P inclusion proofs (random entry, tree of N) and P
 *    consistency proofs (random first size, N) read from the store.
 *    Reference: verifying each proof (its path's node hashes).
 * A ratio is the figure's time over its reference's: what SQLite, the
 * encoding and the tree cost beyond the hashing and signing they need.
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "audit_log.h"
#include "audit_verify.h"

static gint64 opt_entries = 1000000;
static gint opt_every = 10000;
static gint opt_proofs = 10000;

#define POOL 4096

typedef struct {
    guint8 *bytes;
    gsize len;
} Event;

static double
now_s (void)
{
    return g_get_monotonic_time () / 1e6;
}

int
main (int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "entries", 0, 0, G_OPTION_ARG_INT64, &opt_entries, "Entries to append and verify", "N" },
        { "every", 0, 0, G_OPTION_ARG_INT, &opt_every, "A signed head every E entries", "E" },
        { "proofs", 0, 0, G_OPTION_ARG_INT, &opt_proofs, "Proofs of each kind", "P" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— the audit record's costs");
    g_option_context_add_main_entries (context, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (context, &argc, &argv, &error) || opt_entries < 2 || opt_every < 1) {
        g_printerr ("bench_audit: %s\n", error ? error->message : "bad numbers");
        return 2;
    }
    g_assert (sodium_init () >= 0);
    g_autofree char *dir = g_dir_make_tmp ("daiban-bench-audit-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *path = g_build_filename (dir, "audit.db", NULL);

    /* A pool of event bodies, so that making them is not measured. */
    GRand *rand = g_rand_new_with_seed (14);
    Event pool[POOL];
    for (int i = 0; i < POOL; i++) {
        pool[i].len = (gsize) g_rand_int_range (rand, 120, 361);
        pool[i].bytes = g_malloc (pool[i].len);
        for (gsize k = 0; k < pool[i].len; k++)
            pool[i].bytes[k] = (guint8) g_rand_int (rand);
    }
    static const char *const producers[] = { "intake", "routing", "deadline", "evaluation" };
    guint8 pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];
    crypto_sign_keypair (pk, sk);
    gint64 heads = opt_entries / opt_every + (opt_entries % opt_every != 0);

    /* 1. Append. */
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (1764633600000);
    DbnStore *store = dbn_store_open (path, DBN_STORE_SYNC_NORMAL, audit_migrations, &error);
    g_assert_no_error (error);
    AuditLogOptions options = { .secret_key = sk, .head_every_entries = (guint) opt_every };
    AuditLog *log = audit_log_new (store, clock, &options, &error);
    g_assert_no_error (error);
    char case_no[32], actor[32];
    double t0 = now_s ();
    for (gint64 i = 0; i < opt_entries; i++) {
        if (i % 1000 == 0)
            g_assert_true (dbn_store_begin (store, &error));
        const Event *e = &pool[i % POOL];
        g_snprintf (case_no, sizeof case_no, "XZ2026-%06" G_GINT64_FORMAT, i / 5);
        g_snprintf (actor, sizeof actor, "window:w%d", (int) (i % 37));
        if (!audit_log_append (log, producers[i % 4], i / 4 + 1, 1764633600000 + i, case_no, actor,
                               "case.accepted", e->bytes, e->len, NULL, &error))
            g_error ("append: %s", error->message);
        if (i % 1000 == 999 || i == opt_entries - 1) {
            if (i == opt_entries - 1)
                g_assert_true (audit_log_sign_head (log, NULL, &error));
            g_assert_true (dbn_store_commit (store, &error));
        }
    }
    double append_s = now_s () - t0;
    audit_log_free (log);
    dbn_store_free (store);

    /* Reference: the leaf hashes of the same encodings, and the signatures. */
    g_autoptr (GByteArray) buf = g_byte_array_new ();
    double raw_hash_s = 0;
    guint8 leaf[AUDIT_HASH_SIZE];
    for (gint64 i = 0; i < opt_entries; i++) {
        const Event *e = &pool[i % POOL];
        g_snprintf (case_no, sizeof case_no, "XZ2026-%06" G_GINT64_FORMAT, i / 5);
        g_snprintf (actor, sizeof actor, "window:w%d", (int) (i % 37));
        AuditEntry entry = { .index = i,
                             .producer = producers[i % 4],
                             .seq = i / 4 + 1,
                             .time_ms = 1764633600000 + i,
                             .case_no = case_no,
                             .actor = actor,
                             .type = "case.accepted",
                             .event = e->bytes,
                             .event_len = e->len };
        g_byte_array_set_size (buf, 0);
        audit_entry_encode (&entry, buf, NULL);
        double t = now_s ();
        audit_hash_leaf (buf->data, buf->len, leaf);
        raw_hash_s += now_s () - t;
    }
    /* Timing each hash adds two clock reads; take them out. */
    double t_clock = now_s ();
    for (gint64 i = 0; i < opt_entries; i++) {
        volatile double t = now_s ();
        (void) t;
    }
    double clock_s = now_s () - t_clock;
    raw_hash_s = MAX (raw_hash_s - clock_s, 1e-9);
    AuditHead h = { .size = 1 };
    int sign_n = 200;
    t0 = now_s ();
    for (int i = 0; i < sign_n; i++) {
        h.size = i + 1;
        audit_head_sign (&h, sk);
    }
    double sign_us = (now_s () - t0) / sign_n * 1e6;
    t0 = now_s ();
    int good = 0;
    for (int i = 0; i < sign_n; i++)
        good += audit_head_check_signature (&h, pk);
    double check_us = (now_s () - t0) / sign_n * 1e6;
    g_assert_cmpint (good, ==, sign_n);

    double append_raw_s = raw_hash_s + heads * sign_us / 1e6;
    printf ("append:  %" G_GINT64_FORMAT
            " entries in %.2f s = %.0f entries/s (a head every %d: %" G_GINT64_FORMAT " heads)\n",
            opt_entries, append_s, opt_entries / append_s, opt_every, heads);
    printf ("   raw:  SHA-256 of the same entries %.0f entries/s, Ed25519 sign %.1f us, verify %.1f us\n",
            opt_entries / raw_hash_s, sign_us, check_us);
    printf ("  ratio: append / (leaf hashes + signatures) = %.1f\n", append_s / append_raw_s);

    /* 2. Verify. */
    /* The best of three: on a shared machine the reader thread may find no
     * free core in one run. */
    double verify_s = G_MAXDOUBLE;
    for (int run = 0; run < 3; run++) {
        AuditVerifyReport r;
        t0 = now_s ();
        g_assert_true (audit_verify_file (path, NULL, NULL, &r, &error));
        verify_s = MIN (verify_s, now_s () - t0);
        g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_OK);
        g_assert_cmpint (r.entries, ==, opt_entries);
        g_assert_cmpint (r.heads, ==, heads);
        audit_verify_report_clear (&r);
    }
    double verify_raw_s = raw_hash_s + heads * check_us / 1e6;
    double rate = opt_entries / verify_s;
    printf ("verify:  %" G_GINT64_FORMAT
            " entries in %.2f s = %.0f entries/s, best of 3 (issue 14: >= 1,000,000: %s)\n",
            opt_entries, verify_s, rate, rate >= 1e6 ? "yes" : "NO");
    printf ("  ratio: verify / (leaf hashes + signature checks) = %.1f\n", verify_s / verify_raw_s);

    /* 3. Proofs. */
    g_autoptr (AuditLog) reader = audit_log_open_readonly (path, &error);
    g_assert_no_error (error);
    AuditHead last;
    g_assert_true (audit_log_get_last_head (reader, &last));
    gint64 n = last.size;
    double inc_s = 0, inc_check_s = 0, con_s = 0, con_check_s = 0;
    gsize inc_hashes = 0, con_hashes = 0;
    for (int i = 0; i < opt_proofs; i++) {
        gint64 index = (gint64) (g_rand_double (rand) * (double) n);
        g_autoptr (GBytes) encoded = NULL;
        g_assert_true (audit_log_dup_entry (reader, index, &encoded, leaf, &error));
        g_autoptr (GByteArray) p = NULL;
        t0 = now_s ();
        g_assert_true (audit_log_inclusion_proof (reader, index, n, &p, &error));
        double t1 = now_s ();
        gboolean ok = audit_verify_inclusion (index, n, leaf, (const void *) p->data,
                                              p->len / AUDIT_HASH_SIZE, last.root);
        double t2 = now_s ();
        g_assert_true (ok);
        inc_s += t1 - t0;
        inc_check_s += t2 - t1;
        inc_hashes += p->len / AUDIT_HASH_SIZE;

        gint64 first = 1 + (gint64) (g_rand_double (rand) * (double) (n - 1));
        guint8 first_root[AUDIT_HASH_SIZE];
        g_assert_true (audit_log_tree_hash (reader, first, first_root, &error));
        g_autoptr (GByteArray) c = NULL;
        t0 = now_s ();
        g_assert_true (audit_log_consistency_proof (reader, first, n, &c, &error));
        t1 = now_s ();
        ok = audit_verify_consistency (first, n, first_root, last.root, (const void *) c->data,
                                       c->len / AUDIT_HASH_SIZE);
        t2 = now_s ();
        g_assert_true (ok);
        con_s += t1 - t0;
        con_check_s += t2 - t1;
        con_hashes += c->len / AUDIT_HASH_SIZE;
    }
    printf ("inclusion proofs:   %d in a tree of %" G_GINT64_FORMAT
            ": %.1f us each (%.1f hashes), verifying one"
            " %.1f us, ratio %.0f\n",
            opt_proofs, n, inc_s / opt_proofs * 1e6, (double) inc_hashes / opt_proofs,
            inc_check_s / opt_proofs * 1e6, inc_s / MAX (inc_check_s, 1e-9));
    printf ("consistency proofs: %d to a tree of %" G_GINT64_FORMAT
            ": %.1f us each (%.1f hashes), verifying one"
            " %.1f us, ratio %.0f\n",
            opt_proofs, n, con_s / opt_proofs * 1e6, (double) con_hashes / opt_proofs,
            con_check_s / opt_proofs * 1e6, con_s / MAX (con_check_s, 1e-9));

    g_clear_pointer (&reader, audit_log_free);
    for (int i = 0; i < POOL; i++)
        g_free (pool[i].bytes);
    g_rand_free (rand);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
        g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
        g_unlink (p);
    }
    g_rmdir (dir);
    return 0;
}
