/* test_audit_queries: the committee's reads on the running audit service
 * (issue 14 items 3 and 9, D-AUD-2), through the `daiban` command as a
 * committee key:
 *   - `audit case NUMBER` gives every entry of the case with an inclusion
 *     proof that the CLI checks itself (✓ included in head N);
 *   - `audit verify` without --db: the service verifies its own record, and
 *     against a head kept earlier; `audit proof` through the service;
 *   - a window key is refused (the committee's and the operator's only);
 *     proofs out of the record's range are refused `invalid`;
 *   - after an attacker with the file flips a bit of one entry's bytes, the
 *     service's verify names that index, and `audit case` shows that entry
 *     ✗ and exits 5;
 *   - entries after the newest head are "not signed yet", which is no failure.
 */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "audit_service.h"
#include "dbn_test_harness.h"

#define CALL_MS 10000
#define CASES   3

static const char *const services[] = { "intake", "routing", "deadline", "audit", NULL };

static void
append_conf (DbnHarness *h, const char *lines)
{
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (h), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more = g_strconcat (text, lines, NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
}

static char *
submit (DbnHarness *h, guint n)
{
    g_autofree char *key = g_strdup_printf ("q-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

static gint64
count (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    gint64 n = sqlite3_column_int64 (s, 0);
    sqlite3_finalize (s);
    sqlite3_close (db);
    return n;
}

/* Every event of the three producers is in the record and under a head. */
static void
wait_signed (DbnHarness *h, const char *audit_db)
{
    gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    for (;;) {
        gint64 events = 0;
        for (int i = 0; i < 3; i++) {
            g_autofree char *file = g_strconcat (services[i], ".db", NULL);
            g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h), file, NULL);
            events += count (path, "SELECT count(*) FROM journal");
        }
        gint64 entries = count (audit_db, "SELECT count(*) FROM audit_entry");
        gint64 signed_size = count (audit_db, "SELECT coalesce(max(size), 0) FROM audit_head");
        if (entries == events && signed_size == entries)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (50000);
    }
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
    g_assert_no_error (error);
    return json_node_get_object (json_parser_get_root (parser));
}

static void
test_committee_reads (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autoptr (GError) error = NULL;
    append_conf (h, "[audit]\nhead_every_ms = 100\n");
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    g_autofree char *committee = dbn_harness_add_key (h, "committee");
    g_autofree char *window = dbn_harness_add_key (h, "window:jisheng");
    GSubprocess *procs[4];
    for (int i = 0; i < 4; i++)
        procs[i] = dbn_harness_start_service (h, services[i]);
    char *cases[CASES];
    for (guint i = 0; i < CASES; i++)
        cases[i] = submit (h, i + 1);
    g_autofree char *audit_db = g_build_filename (dir, "audit.db", NULL);
    wait_signed (h, audit_db);
    g_autoptr (JsonParser) parser = json_parser_new ();

    /* The case's whole record, each proof checked by the CLI. */
    const char *const case_json[] = { "audit", "case",       cases[1],  "--json", "--data",
                                      dir,     "--key-file", committee, NULL };
    DbnCliRun run = dbn_harness_run_cli (case_json);
    g_assert_cmpint (run.status, ==, 0);
    JsonObject *o = parse_object (parser, run.out);
    g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, cases[1]);
    JsonArray *entries = json_object_get_array_member (o, "entries");
    guint n = json_array_get_length (entries);
    g_assert_cmpuint (n, >=, 2); /* intake's acceptance and routing's, at least */
    g_assert_cmpint (json_object_get_int_member (o, "included"), ==, n);
    g_assert_true (
        json_object_get_boolean_member (json_object_get_object_member (o, "head"), "signature_ok"));
    gint64 tampered = -1;
    gint64 first_index = json_object_get_int_member (json_array_get_object_element (entries, 0), "index");
    for (guint i = 0; i < n; i++) {
        JsonObject *e = json_array_get_object_element (entries, i);
        g_assert_true (json_object_get_boolean_member (e, "included"));
        g_assert_cmpint (json_array_get_length (json_object_get_array_member (e, "path")), >, 0);
        g_assert_true (json_object_has_member (e, "event"));
        if (g_strcmp0 (json_object_get_string_member (e, "producer"), "intake") == 0 && tampered < 0)
            tampered = json_object_get_int_member (e, "index");
    }
    g_assert_cmpint (tampered, >=, 0);
    g_test_message ("case %s: %u entries, each included in the signed head", cases[1], n);
    dbn_cli_run_clear (&run);
    const char *const case_text[] = {
        "audit", "case", cases[1], "--data", dir, "--key-file", committee, NULL
    };
    run = dbn_harness_run_cli (case_text);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "✓ 已包含于树头"));
    g_assert_nonnull (strstr (run.out, "included in head"));
    dbn_cli_run_clear (&run);

    /* A case the record does not have, and a window's key. */
    const char *const unknown[] = { "audit", "case",       "T01-2026-999999", "--data",
                                    dir,     "--key-file", committee,         NULL };
    run = dbn_harness_run_cli (unknown);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "not-found"));
    dbn_cli_run_clear (&run);
    const char *const as_window[] = { "audit", "case", cases[1], "--data", dir, "--key-file", window, NULL };
    run = dbn_harness_run_cli (as_window);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "forbidden"));
    dbn_cli_run_clear (&run);

    /* Verify through the service, and keep its head for later. */
    const char *const verify[] = {
        "audit", "verify", "--json", "--data", dir, "--key-file", committee, NULL
    };
    run = dbn_harness_run_cli (verify);
    g_assert_cmpint (run.status, ==, 0);
    o = parse_object (parser, run.out);
    g_assert_true (json_object_get_boolean_member (o, "ok"));
    gint64 entries_now = count (audit_db, "SELECT count(*) FROM audit_entry");
    g_assert_cmpint (json_object_get_int_member (o, "verified_size"), ==, entries_now);
    dbn_cli_run_clear (&run);
    g_autofree char *kept = g_build_filename (dir, "kept.json", NULL);
    {
        const char *const head[] = { "audit", "head", "--db", audit_db, NULL };
        run = dbn_harness_run_cli (head);
        g_assert_cmpint (run.status, ==, 0);
        g_assert_true (g_file_set_contents (kept, run.out, -1, NULL));
        dbn_cli_run_clear (&run);
    }
    const char *const verify_kept[] = { "audit", "verify",     "--from-head", kept, "--data",
                                        dir,     "--key-file", committee,     NULL };
    run = dbn_harness_run_cli (verify_kept);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "verified through entry"));
    g_assert_nonnull (strstr (run.out, "consistent with the kept head"));
    dbn_cli_run_clear (&run);

    /* Proofs through the service, in the offline form's JSON. */
    const char *const inclusion[] = { "audit", "proof",      "--index", "0", "--data",
                                      dir,     "--key-file", committee, NULL };
    run = dbn_harness_run_cli (inclusion);
    g_assert_cmpint (run.status, ==, 0);
    o = parse_object (parser, run.out);
    g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "daiban-audit-inclusion-1");
    g_assert_cmpint (json_object_get_int_member (o, "size"), ==, entries_now);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "heads")), ==, 1);
    dbn_cli_run_clear (&run);
    const char *const consistency[] = { "audit", "proof",      "--first", "1", "--data",
                                        dir,     "--key-file", committee, NULL };
    run = dbn_harness_run_cli (consistency);
    g_assert_cmpint (run.status, ==, 0);
    o = parse_object (parser, run.out);
    g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "daiban-audit-consistency-1");
    g_assert_cmpint (json_object_get_int_member (o, "second"), ==, entries_now);
    dbn_cli_run_clear (&run);

    /* Out of range, from the committee's own connection: refused with
     * `invalid`, and the service answers on. */
    {
        g_autoptr (DbnBus) bus = dbn_harness_new_bus (h, committee);
        const gint64 bad[][4] = {
            /* index, size, first, second; -2: not given */
            { -5, -2, -2, -2 },
            { 0, -1, -2, -2 },
            { 0, G_MAXINT64, -2, -2 },
            { entries_now, -2, -2, -2 },
            { -2, -2, -3, -2 },
            { -2, -2, 2, 1 },
            { -2, -2, 0, entries_now + 1 },
            { 0, -2, 0, -2 },
            { -2, -2, -2, -2 },
        };
        for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
            g_autoptr (DbnMsgAuditProof) p = dbn_msg_audit_proof_new ();
            p->env.key = g_strdup_printf ("bad-proof-%u", i);
            p->has_index = bad[i][0] != -2, p->index = bad[i][0];
            p->has_size = bad[i][1] != -2, p->size = bad[i][1];
            p->has_first = bad[i][2] != -2, p->first = bad[i][2];
            p->has_second = bad[i][3] != -2, p->second = bad[i][3];
            g_autoptr (GBytes) body = dbn_msg_audit_proof_encode (p, NULL);
            g_autoptr (GError) refused = NULL;
            g_autoptr (GBytes) reply = dbn_harness_call_on (h, bus, "audit", body, CALL_MS, &refused);
            g_assert_null (reply);
            g_assert_error (refused, DBN_ERROR, DBN_ERROR_INVALID);
        }
        /* A page from after the case's first entry: the rest of them. */
        g_autoptr (DbnMsgAuditCase) page = dbn_msg_audit_case_new ();
        page->env.key = g_strdup ("page-2");
        page->case_no = g_strdup (cases[1]);
        page->has_after = TRUE;
        page->after = first_index;
        g_autoptr (GBytes) page_body = dbn_msg_audit_case_encode (page, NULL);
        g_autoptr (GError) page_error = NULL;
        g_autoptr (GBytes) page_reply =
            dbn_harness_call_on (h, bus, "audit", page_body, CALL_MS, &page_error);
        g_assert_no_error (page_error);
        g_autoptr (DbnMsgAuditCaseReply) rest = dbn_msg_audit_case_reply_decode (
            g_bytes_get_data (page_reply, NULL), g_bytes_get_size (page_reply), &page_error);
        g_assert_no_error (page_error);
        g_assert_cmpuint (rest->entries->len, ==, n - 1);
        g_assert_false (rest->more);
        g_autoptr (DbnMsgAuditCase) c = dbn_msg_audit_case_new ();
        c->env.key = g_strdup ("bad-case");
        c->case_no = g_strdup ("");
        g_autoptr (GBytes) body = dbn_msg_audit_case_encode (c, NULL);
        g_autoptr (GError) refused = NULL;
        g_autoptr (GBytes) reply = dbn_harness_call_on (h, bus, "audit", body, CALL_MS, &refused);
        g_assert_error (refused, DBN_ERROR, DBN_ERROR_INVALID);
    }
    run = dbn_harness_run_cli (verify);
    g_assert_cmpint (run.status, ==, 0);
    dbn_cli_run_clear (&run);

    /* An attacker with the file flips one bit of an entry's bytes while the
     * service is down; the service, started again, finds it. */
    g_assert_true (dbn_harness_stop (procs[3], 10000));
    g_object_unref (procs[3]);
    {
        sqlite3 *db = NULL;
        g_assert_cmpint (sqlite3_open (audit_db, &db), ==, SQLITE_OK);
        sqlite3_stmt *get = NULL;
        g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER IF EXISTS audit_entry_no_update", NULL, NULL, NULL),
                         ==, SQLITE_OK);
        g_assert_cmpint (
            sqlite3_prepare_v2 (db, "SELECT event FROM audit_entry WHERE idx = ?", -1, &get, NULL), ==,
            SQLITE_OK);
        sqlite3_bind_int64 (get, 1, tampered);
        g_assert_cmpint (sqlite3_step (get), ==, SQLITE_ROW);
        g_autoptr (GByteArray) bytes = g_byte_array_new ();
        g_byte_array_append (bytes, sqlite3_column_blob (get, 0), sqlite3_column_bytes (get, 0));
        sqlite3_finalize (get);
        bytes->data[bytes->len / 2] ^= 0x01;
        sqlite3_stmt *set = NULL;
        g_assert_cmpint (
            sqlite3_prepare_v2 (db, "UPDATE audit_entry SET event = ? WHERE idx = ?", -1, &set, NULL), ==,
            SQLITE_OK);
        sqlite3_bind_blob (set, 1, bytes->data, bytes->len, SQLITE_STATIC);
        sqlite3_bind_int64 (set, 2, tampered);
        g_assert_cmpint (sqlite3_step (set), ==, SQLITE_DONE);
        sqlite3_finalize (set);
        sqlite3_close (db);
    }
    procs[3] = dbn_harness_start_service (h, "audit");
    g_assert_true (dbn_harness_wait_ready (h, "audit", 10000));
    run = dbn_harness_run_cli (verify);
    g_assert_cmpint (run.status, ==, 5);
    o = parse_object (parser, run.out);
    g_assert_false (json_object_get_boolean_member (o, "ok"));
    g_assert_cmpstr (json_object_get_string_member (o, "problem"), ==, "leaf");
    g_assert_cmpint (json_object_get_int_member (o, "index"), ==, tampered);
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli (case_json);
    g_assert_cmpint (run.status, ==, 5);
    o = parse_object (parser, run.out);
    g_assert_cmpint (json_object_get_int_member (o, "included"), ==, n - 1);
    entries = json_object_get_array_member (o, "entries");
    for (guint i = 0; i < json_array_get_length (entries); i++) {
        JsonObject *e = json_array_get_object_element (entries, i);
        g_assert_cmpint (json_object_get_boolean_member (e, "included"), ==,
                         json_object_get_int_member (e, "index") != tampered);
    }
    dbn_cli_run_clear (&run);
    g_test_message ("entry %" G_GINT64_FORMAT " flipped: found by the service's verify and by audit case",
                    tampered);

    for (int i = 3; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (procs[i], 10000));
        g_object_unref (procs[i]);
    }
    for (guint i = 0; i < CASES; i++)
        g_free (cases[i]);
}

/* Entries after the newest head are not signed yet: `audit case` says so
 * and exits 0; only an entry that fails its check makes it exit 5. Here no
 * head is ever signed (by count only, and never reached). */
static void
test_not_signed_yet (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autoptr (GError) error = NULL;
    append_conf (h, "[audit]\nhead_every_ms = 0\nhead_every_entries = 100000\n");
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    g_autofree char *committee = dbn_harness_add_key (h, "committee");
    GSubprocess *procs[4];
    for (int i = 0; i < 4; i++)
        procs[i] = dbn_harness_start_service (h, services[i]);
    g_autofree char *case_no = submit (h, 1);
    g_autofree char *audit_db = g_build_filename (dir, "audit.db", NULL);
    g_autofree char *sql = g_strdup_printf (
        "SELECT count(*) FROM audit_entry WHERE case_no = '%s' AND producer = 'routing'", case_no);
    gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (count (audit_db, sql) == 0) {
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (20000);
    }
    g_assert_cmpint (count (audit_db, "SELECT count(*) FROM audit_head"), ==, 0);
    const char *const args[] = { "audit", "case",       case_no,   "--json", "--data",
                                 dir,     "--key-file", committee, NULL };
    DbnCliRun run = dbn_harness_run_cli (args);
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *o = parse_object (parser, run.out);
    guint n = json_array_get_length (json_object_get_array_member (o, "entries"));
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpint (json_object_get_int_member (o, "included"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (o, "unsigned"), ==, n);
    g_assert_false (json_object_has_member (o, "head"));
    dbn_cli_run_clear (&run);
    for (int i = 3; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (procs[i], 10000));
        g_object_unref (procs[i]);
    }
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/audit/queries/committee-case-verify-proof", test_committee_reads);
    g_test_add_func ("/audit/queries/case-not-signed-yet", test_not_signed_yet);
    return g_test_run ();
}
