/* test_audit_service: daiban-audit as a real process following intake,
 * routing and deadline (issue 14 item 1). Cases are taken in rounds; in
 * each round audit is SIGKILLed at a random instant while it catches up
 * (at least 10 kills; DAIBAN_AUDIT_KILLS for more), then restarted.
 * Afterwards, for every producer, the record holds exactly one entry per
 * journal event, in the producer's order (seq 1..N ascending with the
 * record's index), with the journal's exact bytes, and the offline verify
 * of the record passes. */
#include <sqlite3.h>
#include <string.h>

#include "audit_service.h"
#include "audit_verify.h"
#include "dbn_test_harness.h"

#define CALL_MS      10000
#define PER_ROUND    12
#define MIN_KILLS    10
#define CATCH_UP_SEC 60

static const char *const producers[] = { "intake", "routing", "deadline", NULL };

static void
submit (DbnHarness *h, guint n)
{
    g_autofree char *key = g_strdup_printf ("audit-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
}

static sqlite3 *
open_db (DbnHarness *h, const char *name)
{
    g_autofree char *file = g_strconcat (name, ".db", NULL);
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), file, NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    return db;
}

static gint64
count (sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
    if (arg != NULL)
        sqlite3_bind_text (s, 1, arg, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    gint64 n = sqlite3_column_int64 (s, 0);
    sqlite3_finalize (s);
    return n;
}

/* TRUE once the record holds as many entries of each producer as its
 * journal has events. */
static gboolean
caught_up (DbnHarness *h)
{
    sqlite3 *audit = open_db (h, "audit");
    gboolean all = TRUE;
    for (const char *const *p = producers; *p != NULL && all; p++) {
        sqlite3 *db = open_db (h, *p);
        gint64 events = count (db, "SELECT count(*) FROM journal", NULL);
        sqlite3_close (db);
        all = count (audit, "SELECT count(*) FROM audit_entry WHERE producer = ?", *p) == events;
    }
    sqlite3_close (audit);
    return all;
}

static void
check_producer (DbnHarness *h, sqlite3 *audit, const char *producer)
{
    sqlite3 *db = open_db (h, producer);
    sqlite3_stmt *j = NULL, *a = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, body FROM journal ORDER BY seq", -1, &j, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (audit,
                                         "SELECT seq, event FROM audit_entry WHERE producer = ? ORDER BY idx",
                                         -1, &a, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_text (a, 1, producer, -1, SQLITE_STATIC);
    gint64 n = 0;
    for (;;) {
        int rj = sqlite3_step (j), ra = sqlite3_step (a);
        g_assert_cmpint (rj, ==, ra);
        if (rj != SQLITE_ROW)
            break;
        n++;
        g_assert_cmpint (sqlite3_column_int64 (j, 0), ==, n);
        g_assert_cmpint (sqlite3_column_int64 (a, 0), ==, n);
        g_assert_cmpmem (sqlite3_column_blob (j, 1), sqlite3_column_bytes (j, 1), sqlite3_column_blob (a, 1),
                         sqlite3_column_bytes (a, 1));
    }
    g_assert_cmpint (n, >, 0);
    g_test_message ("%s: %" G_GINT64_FORMAT " events, each once and in order", producer, n);
    sqlite3_finalize (j);
    sqlite3_finalize (a);
    sqlite3_close (db);
}

static void
test_kill9 (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_signing_key_ensure (dbn_harness_get_data_dir (h), &error));
    g_assert_no_error (error);
    g_autoptr (GSubprocess) intake = dbn_harness_start_service (h, "intake");
    g_autoptr (GSubprocess) routing = dbn_harness_start_service (h, "routing");
    g_autoptr (GSubprocess) deadline = dbn_harness_start_service (h, "deadline");
    GSubprocess *audit = dbn_harness_start_service (h, "audit");

    guint kills = MIN_KILLS;
    const char *env = g_getenv ("DAIBAN_AUDIT_KILLS");
    if (env != NULL && atoi (env) > MIN_KILLS)
        kills = (guint) atoi (env);
    guint n = 0;
    for (guint k = 0; k < kills; k++) {
        for (guint i = 0; i < PER_ROUND; i++)
            submit (h, ++n);
        /* A random instant of audit's catching up (or after it). */
        g_usleep (g_random_int_range (0, 40000));
        dbn_harness_kill (audit);
        g_object_unref (audit);
        /* Events pile up while it is down. */
        for (guint i = 0; i < PER_ROUND / 2; i++)
            submit (h, ++n);
        audit = dbn_harness_start_service (h, "audit");
    }
    gint64 until = g_get_monotonic_time () + CATCH_UP_SEC * G_USEC_PER_SEC;
    while (!caught_up (h)) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (50000);
    }
    g_assert_true (dbn_harness_stop (audit, 10000));
    g_object_unref (audit);
    g_assert_true (dbn_harness_stop (deadline, 10000));
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));

    sqlite3 *db = open_db (h, "audit");
    for (const char *const *p = producers; *p != NULL; p++)
        check_producer (h, db, *p);
    /* Entries of no other producer, and none twice. */
    g_assert_cmpint (count (db,
                            "SELECT count(*) FROM audit_entry WHERE producer NOT IN"
                            " ('intake', 'routing', 'deadline')",
                            NULL),
                     ==, 0);
    /* One audit.entry summary journaled (and published) per entry, in the
     * same transaction: exactly once as well. */
    g_assert_cmpint (count (db, "SELECT count(*) FROM journal WHERE type = 'audit.entry'", NULL), ==,
                     count (db, "SELECT count(*) FROM audit_entry", NULL));
    g_assert_cmpint (count (db, "SELECT count(*) FROM journal WHERE type = 'audit.head'", NULL), ==,
                     count (db, "SELECT count(*) FROM audit_head", NULL));
    sqlite3_close (db);

    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), "audit.db", NULL);
    AuditVerifyReport r = { 0 };
    g_assert_true (audit_verify_file (path, NULL, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_OK);
    g_assert_true (r.has_head);
    g_test_message ("%u kills, %u cases, %" G_GINT64_FORMAT " entries verified, %" G_GINT64_FORMAT " heads",
                    kills, n, r.entries, r.heads);
    audit_verify_report_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_error_register_builtin ();
    g_test_add_func ("/audit-service/kill9-exactly-once", test_kill9);
    return g_test_run ();
}
