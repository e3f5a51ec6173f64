/* test_audit_tamper: issue 14's tamper tests on a copy of a record of
 * 100,000 entries made by audit_core (D-AUD-5: the record cannot be changed
 * quietly). The attacker holds the file: it drops the append-only triggers
 * first, then
 *   - flips one random bit of one entry's event bytes (1,000 times, in
 *     rounds of 100 distinct entries; and 50 more verified one by one, and
 *     50 with the entry's stored leaf and chain rewritten to match),
 *   - deletes one row (100 times),
 *   - swaps the contents of two rows (100 times),
 *   - cuts off the tail (with and without the heads over it),
 *   - rewrites the record with one forged entry inserted and every head
 *     signed again with the real key.
 * Each edit (each round of flips) is verified on its own and undone before
 * the next, and must be found at its own index (the forgery: against a
 * head a client kept). The
 * single edits use audit_verify_file(), the function `daiban audit verify`
 * calls, in-process; the tail and the forgery go through the CLI itself.
 *
 * Counts: DBN_AUDIT_FLIPS, DBN_AUDIT_SINGLE_FLIPS, DBN_AUDIT_DELETES,
 * DBN_AUDIT_SWAPS (1000/50/100/100; the ASan build sets 1000/10/20/20: its
 * verify is several times slower). */
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit_fixture.h"
#include "audit_verify.h"
#include "dbn_test_harness.h"

#define ENTRIES 100000
#define EVERY   1000

static char *dir, *pristine, *copy, *kept_path, *kept_mid_path;
static AuditHead kept, kept_mid; /* heads a client kept: at 100,000 and 50,000 */
static guint8 pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];

static int
env_count (const char *name, int fallback)
{
    const char *v = g_getenv (name);
    return v != NULL ? atoi (v) : fallback;
}

static sqlite3 *
attacker_open (const char *path)
{
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db,
                                   "DROP TRIGGER IF EXISTS audit_entry_no_update;"
                                   "DROP TRIGGER IF EXISTS audit_entry_no_delete;"
                                   "DROP TRIGGER IF EXISTS audit_head_no_delete",
                                   NULL, NULL, NULL),
                     ==, SQLITE_OK);
    return db;
}

/* What the triggers stop, until someone with the file drops them. */
static void
assert_triggers_refuse (const char *path)
{
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit_entry WHERE idx = 5", NULL, NULL, NULL) & 0xff, ==,
                     SQLITE_CONSTRAINT);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_entry SET event = x'00' WHERE idx = 5", NULL, NULL, NULL)
                         & 0xff,
                     ==, SQLITE_CONSTRAINT);
    sqlite3_close (db);
}

static void
exec_ok (sqlite3 *db, const char *sql)
{
    char *message = NULL;
    int rc = sqlite3_exec (db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        g_error ("%s: %s", sql, message);
}

static void
copy_file (const char *from, const char *to)
{
    g_autoptr (GFile) a = g_file_new_for_path (from);
    g_autoptr (GFile) b = g_file_new_for_path (to);
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
}

static AuditVerifyProblem
verify_copy (gint64 *index)
{
    AuditVerifyReport r;
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_verify_file (copy, NULL, NULL, &r, &error));
    g_assert_no_error (error);
    *index = r.index;
    AuditVerifyProblem p = r.problem;
    audit_verify_report_clear (&r);
    return p;
}

/* An entry's row, kept to put it back. */
typedef struct {
    gint64 idx, seq, time_ms;
    char *producer, *case_no, *actor, *type;
    GBytes *event, *leaf, *chain;
} Row;

static GBytes *
column_bytes (sqlite3_stmt *s, int i)
{
    return g_bytes_new (sqlite3_column_blob (s, i), (gsize) sqlite3_column_bytes (s, i));
}

static void
row_read (sqlite3 *db, gint64 idx, Row *row)
{
    sqlite3_stmt *s;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db,
                            "SELECT idx, producer, seq, time_ms, case_no, actor, type, event, leaf,"
                            " chain FROM audit_entry WHERE idx = ?",
                            -1, &s, NULL),
        ==, SQLITE_OK);
    sqlite3_bind_int64 (s, 1, idx);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    row->idx = idx;
    row->producer = g_strdup ((const char *) sqlite3_column_text (s, 1));
    row->seq = sqlite3_column_int64 (s, 2);
    row->time_ms = sqlite3_column_int64 (s, 3);
    row->case_no = g_strdup ((const char *) sqlite3_column_text (s, 4));
    row->actor = g_strdup ((const char *) sqlite3_column_text (s, 5));
    row->type = g_strdup ((const char *) sqlite3_column_text (s, 6));
    row->event = column_bytes (s, 7);
    row->leaf = column_bytes (s, 8);
    row->chain = column_bytes (s, 9);
    sqlite3_finalize (s);
}

static void
row_clear (Row *row)
{
    g_free (row->producer);
    g_free (row->case_no);
    g_free (row->actor);
    g_free (row->type);
    g_bytes_unref (row->event);
    g_bytes_unref (row->leaf);
    g_bytes_unref (row->chain);
}

static void
bind_blob (sqlite3_stmt *s, int i, GBytes *b)
{
    sqlite3_bind_blob (s, i, g_bytes_get_data (b, NULL), (int) g_bytes_get_size (b), SQLITE_TRANSIENT);
}

/* Writes row's contents at index idx (INSERT when insert, else UPDATE). */
static void
row_write (sqlite3 *db, const Row *row, gint64 idx, gboolean insert)
{
    sqlite3_stmt *s;
    const char *sql =
        insert
            ? "INSERT INTO audit_entry (producer, seq, time_ms, case_no, actor, type, event, leaf, chain, "
              "idx)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            : "UPDATE audit_entry SET producer = ?, seq = ?, time_ms = ?, case_no = ?, actor = ?, type = ?,"
              " event = ?, leaf = ?, chain = ? WHERE idx = ?";
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
    sqlite3_bind_text (s, 1, row->producer, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (s, 2, row->seq);
    sqlite3_bind_int64 (s, 3, row->time_ms);
    sqlite3_bind_text (s, 4, row->case_no, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 5, row->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 6, row->type, -1, SQLITE_STATIC);
    bind_blob (s, 7, row->event);
    bind_blob (s, 8, row->leaf);
    bind_blob (s, 9, row->chain);
    sqlite3_bind_int64 (s, 10, idx);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_DONE);
    g_assert_cmpint (sqlite3_changes (db), ==, 1);
    sqlite3_finalize (s);
}

static void
set_event (sqlite3 *db, gint64 idx, const guint8 *bytes, gsize len)
{
    sqlite3_stmt *s;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE audit_entry SET event = ? WHERE idx = ?", -1, &s, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_blob (s, 1, bytes, (int) len, SQLITE_STATIC);
    sqlite3_bind_int64 (s, 2, idx);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_DONE);
    sqlite3_finalize (s);
}

static void
assert_copy_intact (void)
{
    gint64 index;
    g_assert_cmpint (verify_copy (&index), ==, AUDIT_VERIFY_OK);
}

/* Flips one random bit of entry idx's event; returns the original bytes. */
static GBytes *
flip_bit (sqlite3 *db, GRand *rand, gint64 idx)
{
    Row row;
    row_read (db, idx, &row);
    GBytes *orig = g_bytes_ref (row.event);
    gsize len;
    const guint8 *bytes = g_bytes_get_data (orig, &len);
    g_autofree guint8 *flipped = g_memdup2 (bytes, len);
    flipped[g_rand_int_range (rand, 0, (gint32) len)] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
    set_event (db, idx, flipped, len);
    row_clear (&row);
    return orig;
}

static int
compare_index (gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
    return x < y ? -1 : x > y;
}

/* 1,000 single-bit flips in entries' event bytes, in ten rounds of 100
 * flips in distinct entries. Each round is verified with
 * AUDIT_VERIFY_EACH_ENTRY (`audit verify --each`), which must list exactly
 * the flipped entries: each flip found at its own index, nothing else
 * reported. (One verification per flip would cost 1,000 passes over half
 * the record on average, about 40 s of CPU; test_single_flips does that
 * for 50.) The first round also goes through the CLI. */
static void
test_bit_flips (void)
{
    int trials = env_count ("DBN_AUDIT_FLIPS", 1000), found = 0;
    sqlite3 *db = attacker_open (copy);
    GRand *rand = g_rand_new_with_seed (1401);
    for (int done = 0; done < trials; done += 100) {
        int n = MIN (100, trials - done);
        g_autoptr (GHashTable) chosen =
            g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_bytes_unref);
        g_autoptr (GArray) flipped = g_array_new (FALSE, FALSE, sizeof (gint64));
        while ((int) flipped->len < n) {
            gint64 idx = g_rand_int_range (rand, 0, ENTRIES);
            if (g_hash_table_contains (chosen, &idx))
                continue;
            g_hash_table_insert (chosen, g_memdup2 (&idx, sizeof idx), flip_bit (db, rand, idx));
            g_array_append_val (flipped, idx);
        }
        g_array_sort (flipped, compare_index);
        AuditVerifyReport r;
        g_autoptr (GError) error = NULL;
        g_assert_true (audit_verify_file_full (copy, NULL, NULL, AUDIT_VERIFY_EACH_ENTRY, &r, &error));
        g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_LEAF);
        g_assert_cmpint (r.index, ==, g_array_index (flipped, gint64, 0));
        g_assert_cmpint (r.entries, ==, ENTRIES); /* carried on to the end */
        for (guint k = 0; k < r.changed->len; k++)
            if (bsearch (&g_array_index (r.changed, gint64, k), flipped->data, flipped->len, sizeof (gint64),
                         compare_index)
                != NULL)
                found++;
            else
                g_printerr ("reported %" G_GINT64_FORMAT ", not flipped\n",
                            g_array_index (r.changed, gint64, k));
        g_assert_cmpuint (r.changed->len, ==, flipped->len);
        audit_verify_report_clear (&r);
        if (done == 0) {
            const char *args[] = { "audit", "verify", "--db", copy, "--each", "--json", NULL };
            DbnCliRun run = dbn_harness_run_cli (args);
            g_assert_cmpint (run.status, ==, 5);
            g_autoptr (JsonParser) parser = json_parser_new ();
            g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
            JsonObject *o = json_node_get_object (json_parser_get_root (parser));
            g_assert_cmpstr (json_object_get_string_member (o, "problem"), ==, "leaf");
            g_assert_cmpint (json_object_get_int_member (o, "index"), ==, g_array_index (flipped, gint64, 0));
            g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "changed")), ==,
                              flipped->len);
            dbn_cli_run_clear (&run);
        }
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init (&it, chosen);
        while (g_hash_table_iter_next (&it, &key, &value)) {
            gsize len;
            const guint8 *orig = g_bytes_get_data (value, &len);
            set_event (db, *(gint64 *) key, orig, len);
        }
    }
    g_rand_free (rand);
    sqlite3_close (db);
    assert_copy_intact ();
    g_print ("# bit flips detected: %d / %d\n", found, trials);
    g_assert_cmpint (found, ==, trials);
}

/* Single flips, one verification each without --each: the first problem
 * is the flipped entry. */
static void
test_single_flips (void)
{
    int trials = env_count ("DBN_AUDIT_SINGLE_FLIPS", 50), found = 0;
    sqlite3 *db = attacker_open (copy);
    GRand *rand = g_rand_new_with_seed (1405);
    for (int t = 0; t < trials; t++) {
        gint64 idx = g_rand_int_range (rand, 0, ENTRIES);
        g_autoptr (GBytes) orig = flip_bit (db, rand, idx);
        gint64 at;
        AuditVerifyProblem p = verify_copy (&at);
        if (p == AUDIT_VERIFY_LEAF && at == idx)
            found++;
        else
            g_printerr ("flip at %" G_GINT64_FORMAT ": %s at %" G_GINT64_FORMAT "\n", idx,
                        audit_verify_problem_name (p), at);
        gsize len;
        const guint8 *bytes = g_bytes_get_data (orig, &len);
        set_event (db, idx, bytes, len);
    }
    g_rand_free (rand);
    sqlite3_close (db);
    assert_copy_intact ();
    g_print ("# single bit flips, one verification each, detected: %d / %d\n", found, trials);
    g_assert_cmpint (found, ==, trials);
}

/* A flip whose attacker also rewrote the entry's stored leaf and chain (the
 * caches): the next entry's chain, or the head over its span, no longer
 * matches. 50 trials. */
static void
test_bit_flips_with_caches (void)
{
    int trials = env_count ("DBN_AUDIT_SINGLE_FLIPS", 50), found = 0;
    sqlite3 *db = attacker_open (copy);
    GRand *rand = g_rand_new_with_seed (1402);
    for (int t = 0; t < trials; t++) {
        gint64 idx = g_rand_int_range (rand, 0, ENTRIES);
        Row row, forged;
        row_read (db, idx, &row);
        row_read (db, idx, &forged);
        gsize len;
        const guint8 *orig = g_bytes_get_data (row.event, &len);
        guint8 *bytes = g_memdup2 (orig, len);
        bytes[g_rand_int_range (rand, 0, (gint32) len)] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
        g_bytes_unref (forged.event);
        forged.event = g_bytes_new_take (bytes, len);
        /* The leaf and chain it would have, computed as audit_core does. */
        AuditEntry e = { .index = idx,
                         .producer = forged.producer,
                         .seq = forged.seq,
                         .time_ms = forged.time_ms,
                         .case_no = forged.case_no,
                         .actor = forged.actor,
                         .type = forged.type,
                         .event = bytes,
                         .event_len = len };
        g_autoptr (GByteArray) enc = g_byte_array_new ();
        g_assert_true (audit_entry_encode (&e, enc, NULL));
        guint8 leaf[AUDIT_HASH_SIZE], chain[AUDIT_HASH_SIZE] = { 0 };
        audit_hash_leaf (enc->data, enc->len, leaf);
        if (idx > 0) {
            Row prev;
            row_read (db, idx - 1, &prev);
            memcpy (chain, g_bytes_get_data (prev.chain, NULL), AUDIT_HASH_SIZE);
            row_clear (&prev);
        }
        audit_hash_chain (chain, leaf, chain);
        g_bytes_unref (forged.leaf);
        g_bytes_unref (forged.chain);
        forged.leaf = g_bytes_new (leaf, AUDIT_HASH_SIZE);
        forged.chain = g_bytes_new (chain, AUDIT_HASH_SIZE);
        row_write (db, &forged, idx, FALSE);
        gint64 at;
        AuditVerifyProblem p = verify_copy (&at);
        /* The next entry's chain no longer follows (or, for the last
         * entry, the head over it fails): found at idx + 1 or in the head's
         * span [idx rounded down to a head, its head). */
        gint64 span = idx / EVERY * EVERY;
        if ((p == AUDIT_VERIFY_CHAIN && at == idx + 1) || (p == AUDIT_VERIFY_HEAD_ROOT && at == span))
            found++;
        else
            g_printerr ("cached flip at %" G_GINT64_FORMAT ": %s at %" G_GINT64_FORMAT "\n", idx,
                        audit_verify_problem_name (p), at);
        row_write (db, &row, idx, FALSE);
        row_clear (&row);
        row_clear (&forged);
    }
    g_rand_free (rand);
    sqlite3_close (db);
    assert_copy_intact ();
    g_print ("# bit flips with rewritten leaf and chain detected: %d / %d\n", found, trials);
    g_assert_cmpint (found, ==, trials);
}

/* 100 deleted rows: each found missing at its index. */
static void
test_deleted_rows (void)
{
    int trials = env_count ("DBN_AUDIT_DELETES", 100), found = 0;
    sqlite3 *db = attacker_open (copy);
    GRand *rand = g_rand_new_with_seed (1403);
    for (int t = 0; t < trials; t++) {
        gint64 idx = g_rand_int_range (rand, 0, ENTRIES - 1);
        Row row;
        row_read (db, idx, &row);
        g_autofree char *sql = g_strdup_printf ("DELETE FROM audit_entry WHERE idx = %" G_GINT64_FORMAT, idx);
        exec_ok (db, sql);
        gint64 at;
        AuditVerifyProblem p = verify_copy (&at);
        if (p == AUDIT_VERIFY_MISSING_ENTRY && at == idx)
            found++;
        else
            g_printerr ("delete at %" G_GINT64_FORMAT ": %s at %" G_GINT64_FORMAT "\n", idx,
                        audit_verify_problem_name (p), at);
        row_write (db, &row, idx, TRUE);
        row_clear (&row);
    }
    g_rand_free (rand);
    sqlite3_close (db);
    assert_copy_intact ();
    g_print ("# deleted rows detected: %d / %d\n", found, trials);
    g_assert_cmpint (found, ==, trials);
}

/* 100 swapped pairs (a tenth of them neighbours): each found at the first
 * of the two. */
static void
test_swapped_pairs (void)
{
    int trials = env_count ("DBN_AUDIT_SWAPS", 100), found = 0;
    sqlite3 *db = attacker_open (copy);
    GRand *rand = g_rand_new_with_seed (1404);
    for (int t = 0; t < trials; t++) {
        gint64 i = g_rand_int_range (rand, 0, ENTRIES - 1), j;
        if (t % 10 == 0)
            j = i + 1;
        else
            do
                j = g_rand_int_range (rand, 0, ENTRIES);
            while (j == i);
        if (j < i) {
            gint64 k = i;
            i = j;
            j = k;
        }
        Row a, b;
        row_read (db, i, &a);
        row_read (db, j, &b);
        /* UNIQUE (producer, seq) holds throughout: park both seqs first. */
        g_autofree char *park = g_strdup_printf (
            "UPDATE audit_entry SET seq = -seq - 1 WHERE idx IN (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
            i, j);
        exec_ok (db, park);
        row_write (db, &b, i, FALSE);
        row_write (db, &a, j, FALSE);
        gint64 at;
        AuditVerifyProblem p = verify_copy (&at);
        if (p != AUDIT_VERIFY_OK && at == i)
            found++;
        else
            g_printerr ("swap %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ": %s at %" G_GINT64_FORMAT "\n", i, j,
                        audit_verify_problem_name (p), at);
        exec_ok (db, park);
        row_write (db, &a, i, FALSE);
        row_write (db, &b, j, FALSE);
        row_clear (&a);
        row_clear (&b);
    }
    g_rand_free (rand);
    sqlite3_close (db);
    assert_copy_intact ();
    g_print ("# swapped pairs detected: %d / %d\n", found, trials);
    g_assert_cmpint (found, ==, trials);
}

static JsonObject *
cli_verify_json (const char *path, const char *head_file, int expect_status)
{
    const char *args[] = { "audit",   "verify", "--db", path, "--json", head_file ? "--from-head" : NULL,
                           head_file, NULL };
    DbnCliRun run = dbn_harness_run_cli (args);
    if (run.status != expect_status)
        g_error ("daiban audit verify: status %d, expected %d\n%s%s", run.status, expect_status, run.out,
                 run.err);
    JsonParser *parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
    JsonObject *o = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    g_object_unref (parser);
    dbn_cli_run_clear (&run);
    return o;
}

/* The tail cut off: found from the file while the heads over it remain;
 * once those are gone too, only a head kept elsewhere finds it. */
static void
test_truncated_tail (void)
{
    g_autofree char *cut = g_build_filename (dir, "cut.db", NULL);
    copy_file (pristine, cut);
    sqlite3 *db = attacker_open (cut);
    exec_ok (db, "DELETE FROM audit_entry WHERE idx >= 99500");
    sqlite3_close (db);
    g_autoptr (JsonObject) a = cli_verify_json (cut, NULL, 5);
    g_assert_cmpstr (json_object_get_string_member (a, "problem"), ==, "truncated");
    g_assert_cmpint (json_object_get_int_member (a, "index"), ==, 99500);
    g_assert_cmpint (json_object_get_int_member (a, "verified_size"), ==, 99000);

    db = attacker_open (cut);
    exec_ok (db, "DELETE FROM audit_head WHERE size > 99500");
    sqlite3_close (db);
    g_autoptr (JsonObject) b = cli_verify_json (cut, NULL, 0); /* the file alone cannot tell */
    g_assert_cmpint (json_object_get_int_member (b, "verified_size"), ==, 99000);
    g_autoptr (JsonObject) c = cli_verify_json (cut, kept_path, 5);
    g_assert_cmpstr (json_object_get_string_member (c, "problem"), ==, "kept_head_truncated");
    g_assert_cmpint (json_object_get_int_member (c, "index"), ==, 99500);
    g_print ("# truncated tail detected: from the file's heads, and against the kept head once they were cut "
             "too\n");
}

/* A forged entry inserted at 60,000 and every head signed again with the
 * real key: the file is consistent with itself, but not with the head a
 * client kept at 100,000; the kept head at 50,000 is still a prefix. A
 * consistency proof from the kept head to the forged file's head fails. */
static void
test_forged_entry (void)
{
    g_autofree char *forged_path = g_build_filename (dir, "forged.db", NULL);
    AuditFixtureEntry forged;
    audit_fixture_entry (60000, 14, &forged);
    g_free (forged.actor);
    forged.actor = g_strdup ("window:w99");
    forged.seq = 999999;
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_fixture_make (forged_path, ENTRIES, EVERY, 14, 60000, &forged, &error));
    g_assert_no_error (error);
    audit_fixture_entry_clear (&forged);

    g_autoptr (JsonObject) alone = cli_verify_json (forged_path, NULL, 0);
    g_assert_cmpint (json_object_get_int_member (alone, "entries"), ==, ENTRIES + 1);
    g_autoptr (JsonObject) mid = cli_verify_json (forged_path, kept_mid_path, 0);
    g_assert_true (json_object_get_boolean_member (mid, "kept_head_checked"));
    g_autoptr (JsonObject) against = cli_verify_json (forged_path, kept_path, 5);
    g_assert_cmpstr (json_object_get_string_member (against, "problem"), ==, "kept_head_inconsistent");

    g_autoptr (AuditLog) log = audit_log_open_readonly (forged_path, &error);
    g_assert_no_error (error);
    AuditHead head;
    g_assert_true (audit_log_get_last_head (log, &head));
    g_assert_true (audit_head_check_signature (&head, pk)); /* the real key signed it */
    g_autoptr (GByteArray) p = NULL;
    g_assert_true (audit_log_consistency_proof (log, kept.size, head.size, &p, &error));
    g_assert_false (audit_verify_consistency (kept.size, head.size, kept.root, head.root,
                                              (const void *) p->data, p->len / AUDIT_HASH_SIZE));
    g_autoptr (GByteArray) q = NULL;
    g_assert_true (audit_log_consistency_proof (log, kept_mid.size, head.size, &q, &error));
    g_assert_true (audit_verify_consistency (kept_mid.size, head.size, kept_mid.root, head.root,
                                             (const void *) q->data, q->len / AUDIT_HASH_SIZE));
    g_print ("# forged entry with re-signed heads detected against the kept head: 1 / 1\n");
}

static void
keep_head (AuditLog *log, gint64 size, AuditHead *h, char **path)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_log_get_head (log, size, h, &error));
    g_autofree char *json = audit_head_to_json (h, audit_log_get_public_key (log));
    g_autofree char *name = g_strdup_printf ("kept-%" G_GINT64_FORMAT ".json", size);
    *path = g_build_filename (dir, name, NULL);
    g_assert_true (g_file_set_contents (*path, json, -1, NULL));
}

static DbnCliRun
cli (const char *const *args)
{
    return dbn_harness_run_cli (args);
}

/* The CLI's text, usage and exit statuses: 0 verified, 5 changed, 2 bad
 * options, 4 not a record; --help everywhere. */
static void
test_cli_text_and_usage (void)
{
    const char *ok[] = { "audit", "verify", "--db", pristine, "--from-head", kept_mid_path, NULL };
    DbnCliRun run = cli (ok);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "verified through entry 100000, head signed at "));
    g_assert_nonnull (strstr (run.out, "核验通过"));
    g_assert_nonnull (strstr (run.out, "consistent with the kept head"));
    dbn_cli_run_clear (&run);

    g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
    g_assert_true (g_file_set_contents (junk, "plain text, not a record", -1, NULL));
    g_autofree char *bad_head = g_build_filename (dir, "bad-head.json", NULL);
    g_assert_true (
        g_file_set_contents (bad_head, "{\"format\":\"daiban-audit-head-1\",\"size\":1}", -1, NULL));
    struct {
        const char *args[10];
        int status;
        const char *says;
    } cases[] = {
        /* Without --db, verify asks the running service (test_audit_queries);
         * --each is the offline pass's alone. */
        { { "audit", "verify", "--each", NULL }, 2, "--each needs --db" },
        { { "audit", "verify", "--db", junk, NULL }, 4, "not a readable audit record" },
        { { "audit", "verify", "--db", "/nonexistent/audit.db", NULL }, 4, "no such file" },
        { { "audit", "verify", "--db", pristine, "--from-head", bad_head, NULL }, 4, "\"time_ms\"" },
        { { "audit", "verify", "--db", pristine, "extra", NULL }, 2, "unexpected argument" },
        { { "audit", "proof", "--db", pristine, NULL }, 2, "--index" },
        { { "audit", "proof", "--db", pristine, "--index", "100000", NULL }, 2, "not in a tree" },
        { { "audit", "proof", "--db", pristine, "--first", "7", "--second", "100001", NULL }, 2, "outside" },
        { { "audit", "head", "--db", pristine, "--size", "1234", NULL }, 2, "no head signed at size 1234" },
        { { "audit", "nothing", NULL }, 2, "unknown command" },
        { { "audit", "--help", NULL }, 0, "verify" },
        { { "audit", "verify", "--help", NULL }, 0, "--from-head" },
        { { "audit", "head", "--help", NULL }, 0, "--size" },
        { { "audit", "proof", "--help", NULL }, 0, "--first" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
        run = cli (cases[i].args);
        g_autofree char *both = g_strconcat (run.out, run.err, NULL);
        if (run.status != cases[i].status || strstr (both, cases[i].says) == NULL)
            g_error ("case %u: status %d, expected %d with '%s':\n%s", i, run.status, cases[i].status,
                     cases[i].says, both);
        dbn_cli_run_clear (&run);
    }
    /* head prints a head file that reads back and verifies. */
    const char *head[] = { "audit", "head", "--db", pristine, NULL };
    run = cli (head);
    g_assert_cmpint (run.status, ==, 0);
    AuditHead h;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_head_from_json (run.out, &h, key, &error));
    g_assert_cmpint (h.size, ==, ENTRIES);
    g_assert_cmpmem (key, sizeof key, pk, sizeof pk);
    g_assert_true (audit_head_check_signature (&h, key));
    dbn_cli_run_clear (&run);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_autoptr (GError) error = NULL;
    dir = g_dir_make_tmp ("daiban-tamper-XXXXXX", &error);
    g_assert_no_error (error);
    pristine = g_build_filename (dir, "audit.db", NULL);
    copy = g_build_filename (dir, "copy.db", NULL);
    audit_fixture_key (pk, sk);
    gint64 t0 = g_get_monotonic_time ();
    g_assert_true (audit_fixture_make (pristine, ENTRIES, EVERY, 14, -1, NULL, &error));
    g_assert_no_error (error);
    g_print ("# made a record of %d entries in %.1f s\n", ENTRIES, (g_get_monotonic_time () - t0) / 1e6);
    {
        g_autoptr (AuditLog) log = audit_log_open_readonly (pristine, &error);
        g_assert_no_error (error);
        keep_head (log, ENTRIES, &kept, &kept_path);
        keep_head (log, ENTRIES / 2, &kept_mid, &kept_mid_path);
    }
    copy_file (pristine, copy);
    assert_triggers_refuse (copy);
    g_test_add_func ("/audit/tamper/D-AUD-5/bit-flips", test_bit_flips);
    g_test_add_func ("/audit/tamper/D-AUD-5/single-flips", test_single_flips);
    g_test_add_func ("/audit/tamper/D-AUD-5/bit-flips-with-caches", test_bit_flips_with_caches);
    g_test_add_func ("/audit/tamper/D-AUD-5/deleted-rows", test_deleted_rows);
    g_test_add_func ("/audit/tamper/D-AUD-5/swapped-pairs", test_swapped_pairs);
    g_test_add_func ("/audit/tamper/D-AUD-5/truncated-tail", test_truncated_tail);
    g_test_add_func ("/audit/tamper/D-AUD-5/forged-entry-resigned", test_forged_entry);
    g_test_add_func ("/audit/cli/text-and-usage", test_cli_text_and_usage);
    int rc = g_test_run ();
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
    }
    g_rmdir (dir);
    return rc;
}
