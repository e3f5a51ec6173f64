/* test_county_heads: issue 16 item 3, the county committee keeps every
 * township's signed audit heads and checks each township's record against
 * them (docs/county.md), with two township sets in one test (two data
 * folders, each with its own intake, routing and audit services and its own
 * audit key).
 *
 * Township B then rewrites its history the way a record's own checks cannot
 * see: it cuts its last 4 entries (below the head the county kept) and the
 * heads that covered them, so every
 * entry and head left in its file is consistent and signed, and
 * `daiban audit verify` of the file alone passes. The county's check of B
 * against the head it kept fails (kept_head_truncated); A still passes.
 * A head under another audit key (B's, offered as A's) is refused: the
 * county pins each township's key at the first head, and the alarm is kept
 * (A stays REWRITTEN). */
#include <sqlite3.h>
#include <string.h>

#include "audit_service.h"
#include "dbn_test_harness.h"

static void
append_conf (DbnHarness *h, const char *lines)
{
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (h), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

static void
submit (DbnHarness *h, guint n)
{
    g_autofree char *key = g_strdup_printf ("county-%u", n);
    g_free (dbn_test_submit (h, NULL, key, n, TRUE, 10000));
}

/* One query's integer on the township's audit.db (read-only, beside the
 * running service: WAL). */
static gint64
audit_int (DbnHarness *h, const char *sql)
{
    return dbn_test_audit_int (dbn_harness_get_data_dir (h), sql);
}

/* `daiban [--data DIR] args...`: asserts the exit status; stdout and stderr. */
static char *
daiban (const char *dir, int want, const char *const *args)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    if (dir != NULL) {
        g_ptr_array_add (all, (gpointer) "--data");
        g_ptr_array_add (all, (gpointer) dir);
    }
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = dbn_harness_run_cli_english ((const char *const *) all->pdata);
    if (r.status != want)
        g_error ("daiban %s %s exited %d, not %d: %s%s", args[0], args[1] ? args[1] : "", r.status, want,
                 r.out, r.err);
    char *out = g_strconcat (r.out, r.err, NULL);
    dbn_cli_run_clear (&r);
    return out;
}

typedef struct {
    DbnHarness *h;
    GSubprocess *intake, *routing, *audit;
} Township;

/* At least min entries (intake's and routing's events of the cases) are
 * in the record and a head covers all of it (bounded wait). */
static void
wait_covered (Township *t, gint64 min)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        gint64 entries = audit_int (t->h, "SELECT count(*) FROM audit_entry");
        gint64 covered = audit_int (t->h, "SELECT coalesce(max(size), 0) FROM audit_head");
        if (entries >= min && covered == entries)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
}

static void
township_start (Township *t, guint first)
{
    g_autoptr (GError) error = NULL;
    t->h = dbn_harness_new (FALSE);
    /* A head every 2 entries and for the tail: every case is soon covered. */
    append_conf (t->h, "[audit]\nhead_every_entries = 2\nhead_every_ms = 100\n");
    g_assert_true (audit_signing_key_ensure (dbn_harness_get_data_dir (t->h), &error));
    g_assert_no_error (error);
    t->intake = dbn_harness_start_service (t->h, "intake");
    t->routing = dbn_harness_start_service (t->h, "routing");
    t->audit = dbn_harness_start_service (t->h, "audit");
    for (guint i = 0; i < 4; i++)
        submit (t->h, first + i);
    wait_covered (t, 8);
}

static void
township_stop (Township *t)
{
    if (t->audit != NULL) {
        g_assert_true (dbn_harness_stop (t->audit, 10000));
        g_clear_object (&t->audit);
    }
    g_assert_true (dbn_harness_stop (t->routing, 10000));
    g_assert_true (dbn_harness_stop (t->intake, 10000));
    g_clear_object (&t->routing);
    g_clear_object (&t->intake);
    dbn_harness_free (t->h);
}

static void
test_county_detects_rewrite (void)
{
    Township a = { 0 }, b = { 0 };
    township_start (&a, 100);
    township_start (&b, 200);
    const char *dir_a = dbn_harness_get_data_dir (a.h);
    const char *dir_b = dbn_harness_get_data_dir (b.h);
    g_autofree char *county_dir = g_dir_make_tmp ("daiban-county-XXXXXX", NULL);
    g_autofree char *store = g_build_filename (county_dir, "county.db", NULL);
    g_autofree char *copy_a = g_build_filename (dir_a, "audit.db", NULL);
    g_autofree char *copy_b = g_build_filename (dir_b, "audit.db", NULL);

    /* The county keeps both townships' heads, each over its own connection;
     * A's with the committee key A's registry holds for the county (it
     * reads the audit feed and nothing else). */
    g_autofree char *committee_a = dbn_harness_add_key (a.h, "committee");
    g_autofree char *kept_a = daiban (dir_a, 0,
                                      (const char *[]){ "--key", committee_a, "county", "keep", "--store",
                                                        store, "--township", "T-A", NULL });
    g_assert_nonnull (strstr (kept_a, "T-A: "));
    g_assert_null (strstr (kept_a, "kept 0 new heads"));
    g_autofree char *covers_a = g_strdup_printf ("the newest covers %" G_GINT64_FORMAT " entries",
                                                 audit_int (a.h, "SELECT max(size) FROM audit_head"));
    g_assert_nonnull (strstr (kept_a, covers_a));
    /* B has taken more cases than A when the county reads it. */
    submit (b.h, 300);
    submit (b.h, 301);
    wait_covered (&b, 12);
    g_autofree char *kept_b =
        daiban (dir_b, 0, (const char *[]){ "county", "keep", "--store", store, "--township", "T-B", NULL });
    g_autofree char *covers_b = g_strdup_printf ("the newest covers %" G_GINT64_FORMAT " entries",
                                                 audit_int (b.h, "SELECT max(size) FROM audit_head"));
    g_assert_nonnull (strstr (kept_b, covers_b));
    /* Again: nothing new, nothing refused. */
    g_autofree char *again =
        daiban (dir_a, 0, (const char *[]){ "county", "keep", "--store", store, "--township", "T-A", NULL });
    g_assert_nonnull (strstr (again, "kept 0 new heads"));

    /* The consistency proofs over the wire: from nothing to the kept head,
     * then, after A takes one more case, from that proven head to the new one. */
    g_autofree char *proved_b =
        daiban (dir_b, 0, (const char *[]){ "county", "prove", "--store", store, "--township", "T-B", NULL });
    g_assert_nonnull (strstr (proved_b, "verified through head"));
    g_autofree char *proved_a = daiban (dir_a, 0,
                                        (const char *[]){ "--key", committee_a, "county", "prove", "--store",
                                                          store, "--township", "T-A", NULL });
    g_assert_nonnull (strstr (proved_a, "verified through head"));
    submit (a.h, 400);
    wait_covered (&a, audit_int (a.h, "SELECT max(size) FROM audit_head") + 1);
    g_autofree char *kept_a2 = daiban (dir_a, 0,
                                       (const char *[]){ "--key", committee_a, "county", "keep", "--store",
                                                         store, "--township", "T-A", NULL });
    g_autofree char *proved_a2 = daiban (dir_a, 0,
                                         (const char *[]){ "--key", committee_a, "county", "prove", "--store",
                                                           store, "--township", "T-A", NULL });
    g_autofree char *through_a = g_strdup_printf ("verified through head %" G_GINT64_FORMAT,
                                                  audit_int (a.h, "SELECT max(size) FROM audit_head"));
    g_assert_nonnull (strstr (proved_a2, through_a));
    g_autofree char *st = daiban (NULL, 0, (const char *[]){ "county", "status", "--store", store, NULL });
    g_assert_nonnull (strstr (st, "T-A\t"));
    g_assert_nonnull (strstr (st, "T-B\t"));
    g_assert_null (strstr (st, "REWRITTEN"));

    g_autofree char *ok_a = daiban (
        NULL, 0,
        (const char *[]){ "county", "check", "--store", store, "--township", "T-A", "--db", copy_a, NULL });
    g_assert_nonnull (strstr (ok_a, "verified"));
    g_autofree char *ok_b = daiban (
        NULL, 0,
        (const char *[]){ "county", "check", "--store", store, "--township", "T-B", "--db", copy_b, NULL });
    g_assert_nonnull (strstr (ok_b, "verified"));
    /* A's record is not B's. */
    g_autofree char *crossed = daiban (
        NULL, 5,
        (const char *[]){ "county", "check", "--store", store, "--township", "T-B", "--db", copy_a, NULL });
    g_assert_nonnull (strstr (crossed, "FAILED"));

    /* B's heads offered as A's: another key than A's pinned one. The alarm
     * is kept: A stays flagged, whoever keeps or proves it next. */
    g_autofree char *swapped =
        daiban (dir_b, 5, (const char *[]){ "county", "keep", "--store", store, "--township", "T-A", NULL });
    g_assert_nonnull (strstr (swapped, "the audit key of T-A changed"));
    g_autofree char *flagged = daiban (dir_a, 5,
                                       (const char *[]){ "--key", committee_a, "county", "prove", "--store",
                                                         store, "--township", "T-A", NULL });
    g_assert_nonnull (strstr (flagged, "REWRITTEN (flagged earlier)"));
    g_assert_nonnull (strstr (flagged, "the audit key of T-A changed"));
    g_autofree char *st2 = daiban (NULL, 5, (const char *[]){ "county", "status", "--store", store, NULL });
    g_assert_nonnull (strstr (st2, "T-A\tkept"));
    g_assert_nonnull (strstr (st2, "REWRITTEN"));

    /* B cuts its last 4 entries and the heads over them, with audit stopped. */
    g_assert_true (dbn_harness_stop (b.audit, 10000));
    g_clear_object (&b.audit);
    gint64 entries = audit_int (b.h, "SELECT count(*) FROM audit_entry");
    {
        sqlite3 *db = NULL;
        g_assert_cmpint (sqlite3_open (copy_b, &db), ==, SQLITE_OK);
        /* Whoever holds the file can drop the append-only triggers. */
        g_autofree char *sql = g_strdup_printf ("DROP TRIGGER audit_entry_no_delete;"
                                                "DROP TRIGGER audit_head_no_delete;"
                                                "DROP TRIGGER audit_node_no_delete;"
                                                "DELETE FROM audit_entry WHERE idx >= %" G_GINT64_FORMAT ";"
                                                "DELETE FROM audit_head WHERE size > %" G_GINT64_FORMAT ";"
                                                "DELETE FROM audit_node;",
                                                entries - 4, entries - 4);
        g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
        sqlite3_close (db);
    }
    /* Alone, the cut file checks out: it is a shorter, consistent record. */
    g_autofree char *alone = daiban (NULL, 0, (const char *[]){ "audit", "verify", "--db", copy_b, NULL });
    g_autofree char *cut = daiban (
        NULL, 5,
        (const char *[]){ "county", "check", "--store", store, "--township", "T-B", "--db", copy_b, NULL });
    g_assert_nonnull (strstr (cut, "FAILED (kept_head_truncated)"));
    g_autofree char *still_a = daiban (
        NULL, 0,
        (const char *[]){ "county", "check", "--store", store, "--township", "T-A", "--db", copy_a, NULL });
    g_assert_nonnull (strstr (still_a, "verified"));


    township_stop (&b);
    township_stop (&a);
    g_autofree char *rm = g_strdup_printf ("rm -rf %s", county_dir);
    g_assert_cmpint (system (rm), ==, 0);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/audit/D-AUD-5/county-keeps-township-heads-detects-rewrite",
                     test_county_detects_rewrite);
    return g_test_run ();
}
