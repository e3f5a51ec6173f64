/* test_committee_gui.c: the discipline committee's screen (issue 14 item 8)
 * against the real intake, routing, deadline and audit services, under Xvfb.
 *
 *   1. A committee key opens its screen: the live feed fills with every
 *      entry of the record (catch-up, then live for a case taken while it
 *      is open); the filters by station and type narrow it; the record is
 *      verified consistent through the newest head, which is kept. A fee
 *      charged above the catalog's (D-AUD-3) arrives live as a violation
 *      above the feed; "violations only" and the window filter find it.
 *   2. A case's whole record: every entry's proof checked in the client
 *      (✓ included in head N); its evidence PDF's text (pdftotext) holds the
 *      case number, every entry's leaf hash and the head's root; a spot
 *      check recorded from the form (a problem with its text) is an entry
 *      of the record and is listed in the month's findings.
 *   3. With the screen closed, an attacker with the file and the service's
 *      real signing key rewrites history (one early entry's bytes changed,
 *      every leaf, chain, node and the head recomputed and re-signed): the
 *      file alone verifies, but the screen opened again shows the red
 *      banner, since no consistency proof leads from the head it kept.
 * Screenshots: build/screenshots/committee-*.png.
 */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <sodium.h>
#include <sqlite3.h>

#include "audit_service.h"
#include "audit_verify.h"
#include "dbn_application.h"
#include "dbn_committee_view.h"
#include "dbn_main_window.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

#define CALL_MS 10000
#define WAIT_MS 30000

/* ---- the record ---- */

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

typedef struct {
    DbnHarness *h;
    const char *audit_db;
} RecordWait;

/* Every journal event of the three producers is in the record, and every
 * entry is under a signed head. */
static gboolean
record_signed (gpointer data)
{
    RecordWait *w = data;
    static const char *const producers[] = { "intake", "routing", "deadline", NULL };
    gint64 events = 0;
    for (int i = 0; producers[i] != NULL; i++) {
        g_autofree char *file = g_strconcat (producers[i], ".db", NULL);
        g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (w->h), file, NULL);
        events += count (path, "SELECT count(*) FROM journal");
    }
    /* The audit service's own entries (violations, findings) besides. */
    gint64 followed = count (
        w->audit_db, "SELECT count(*) FROM audit_entry WHERE producer IN ('intake', 'routing', 'deadline')");
    gint64 entries = count (w->audit_db, "SELECT count(*) FROM audit_entry");
    return followed == events
           && count (w->audit_db, "SELECT coalesce(max(size), 0) FROM audit_head") == entries;
}

static void
exec_ok (sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
        g_error ("%s: %s", sql, msg);
}

/* The attacker's rewrite, with the file and the service's real signing key:
 * entry `at` gets other bytes, and everything from there is recomputed as
 * audit_log.c would (leaves, chain, the stored subtree roots at levels 4,
 * 8, ...) under one new head over the whole record, signed with the key.
 * The service is stopped meanwhile. */
static void
rewrite_record (const char *path, const char *data_dir, gint64 at)
{
    guint8 sk[AUDIT_SECRET_KEY_SIZE];
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_signing_key_load (data_dir, sk, &error));
    g_assert_no_error (error);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    exec_ok (db, "BEGIN");
    sqlite3_stmt *s = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (
                         db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'",
                         -1, &s, NULL),
                     ==, SQLITE_OK);
    g_autoptr (GPtrArray) triggers = g_ptr_array_new_with_free_func (g_free);
    while (sqlite3_step (s) == SQLITE_ROW)
        g_ptr_array_add (triggers, g_strdup ((const char *) sqlite3_column_text (s, 0)));
    sqlite3_finalize (s);
    for (guint i = 0; i < triggers->len; i++) {
        g_autofree char *sql = g_strdup_printf ("DROP TRIGGER \"%s\"", (char *) triggers->pdata[i]);
        exec_ok (db, sql);
    }
    exec_ok (db, "DELETE FROM audit_node; DELETE FROM audit_head");
    g_assert_cmpint (
        sqlite3_prepare_v2 (db,
                            "SELECT idx, producer, seq, time_ms, case_no, actor, type, event FROM"
                            " audit_entry ORDER BY idx",
                            -1, &s, NULL),
        ==, SQLITE_OK);
    sqlite3_stmt *set = NULL, *node = NULL;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db, "UPDATE audit_entry SET event = ?, leaf = ?, chain = ? WHERE idx = ?", -1,
                            &set, NULL),
        ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)", -1,
                                         &node, NULL),
                     ==, SQLITE_OK);
    AuditRange range;
    audit_range_init (&range);
    guint8 chain[AUDIT_HASH_SIZE] = { 0 };
    while (sqlite3_step (s) == SQLITE_ROW) {
        gint64 idx = sqlite3_column_int64 (s, 0);
        g_autoptr (GByteArray) event = g_byte_array_new ();
        g_byte_array_append (event, sqlite3_column_blob (s, 7), (guint) sqlite3_column_bytes (s, 7));
        if (idx == at)
            event->data[event->len - 1] ^= 0x01; /* the forged history */
        AuditEntry e = { .index = idx,
                         .producer = (const char *) sqlite3_column_text (s, 1),
                         .seq = sqlite3_column_int64 (s, 2),
                         .time_ms = sqlite3_column_int64 (s, 3),
                         .case_no = (const char *) sqlite3_column_text (s, 4),
                         .actor = (const char *) sqlite3_column_text (s, 5),
                         .type = (const char *) sqlite3_column_text (s, 6),
                         .event = event->data,
                         .event_len = event->len };
        g_autoptr (GByteArray) enc = g_byte_array_new ();
        g_assert_true (audit_entry_encode (&e, enc, NULL));
        guint8 leaf[AUDIT_HASH_SIZE];
        audit_hash_leaf (enc->data, enc->len, leaf);
        audit_hash_chain (chain, leaf, chain);
        sqlite3_bind_blob (set, 1, event->data, (int) event->len, SQLITE_TRANSIENT);
        sqlite3_bind_blob (set, 2, leaf, AUDIT_HASH_SIZE, SQLITE_TRANSIENT);
        sqlite3_bind_blob (set, 3, chain, AUDIT_HASH_SIZE, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (set, 4, idx);
        g_assert_cmpint (sqlite3_step (set), ==, SQLITE_DONE);
        sqlite3_reset (set);
        guint8 completed[64][AUDIT_HASH_SIZE];
        guint top = audit_range_append (&range, leaf, completed);
        for (guint level = 4; level <= top; level += 4) {
            sqlite3_bind_int (node, 1, (int) level);
            sqlite3_bind_int64 (node, 2, (range.size >> level) - 1);
            sqlite3_bind_blob (node, 3, completed[level], AUDIT_HASH_SIZE, SQLITE_TRANSIENT);
            g_assert_cmpint (sqlite3_step (node), ==, SQLITE_DONE);
            sqlite3_reset (node);
        }
    }
    sqlite3_finalize (s);
    sqlite3_finalize (set);
    sqlite3_finalize (node);
    AuditHead head = { .size = range.size, .time_ms = g_get_real_time () / 1000 };
    audit_range_root (&range, head.root);
    memcpy (head.chain, chain, AUDIT_HASH_SIZE);
    audit_head_sign (&head, sk);
    sodium_memzero (sk, sizeof sk);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "INSERT INTO audit_head (size, time_ms, root, chain, signature)"
                                         " VALUES (?, ?, ?, ?, ?)",
                                         -1, &s, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_int64 (s, 1, head.size);
    sqlite3_bind_int64 (s, 2, head.time_ms);
    sqlite3_bind_blob (s, 3, head.root, AUDIT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_blob (s, 4, head.chain, AUDIT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_blob (s, 5, head.signature, AUDIT_SIGNATURE_SIZE, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_DONE);
    sqlite3_finalize (s);
    exec_ok (db, "COMMIT");
    sqlite3_close (db);
}

/* ---- the screen ---- */

static DbnMainWindow *
open_committee (DbnHarness *h, const char *key, const char *client_dir)
{
    DbnMainWindow *window = open_main_window (key, dbn_harness_get_data_dir (h), client_dir, 1500, 900);
    g_assert_true (DBN_IS_COMMITTEE_VIEW (dbn_main_window_get_view (window)));
    return window;
}

typedef struct {
    DbnCommitteeView *view;
    const char *audit_db;
} ViewWait;

/* The feed shows an audit.entry per followed event (the service's own
 * entries, violations and findings, come as their own events), and the
 * record is verified through its whole size. */
static gboolean
view_caught_up (gpointer data)
{
    ViewWait *w = data;
    return dbn_committee_view_get_n_entries (w->view)
               == (guint) count (w->audit_db, "SELECT count(*) FROM audit_entry WHERE producer <> 'audit'")
           && dbn_committee_view_get_verified_through (w->view)
                  == count (w->audit_db, "SELECT count(*) FROM audit_entry");
}

static gboolean
case_loaded (gpointer data)
{
    guint n = 0, good = 0;
    return dbn_committee_view_get_case (data, &n, &good);
}

static gboolean
findings_listed (gpointer data)
{
    return dbn_committee_view_get_n_findings (data) == 1;
}

static gboolean
banner_shown (gpointer data)
{
    return dbn_committee_view_get_banner_shown (data);
}

static char *
submit (DbnHarness *h, DbnBus *bus, guint n)
{
    g_autofree char *key = g_strdup_printf ("committee-gui-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = bus != NULL ? dbn_harness_call_on (h, bus, "intake", body, CALL_MS, &error)
                                           : dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

/* daiban ARGS --data DIR [--key-file KEY], which must exit 0. */
static void
cli (DbnHarness *h, const char *key, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) dbn_harness_get_data_dir (h));
    if (key != NULL) {
        g_ptr_array_add (argv, (gpointer) "--key-file");
        g_ptr_array_add (argv, (gpointer) key);
    }
    g_ptr_array_add (argv, NULL);
    DbnCliRun run = dbn_harness_run_cli ((const char *const *) argv->pdata);
    if (run.status != 0)
        g_error ("daiban %s %s: exit %d\n%s%s", args[0], args[1], run.status, run.out, run.err);
    dbn_cli_run_clear (&run);
}

#define CLI(h, key, ...) cli ((h), (key), (const char *const[]){ __VA_ARGS__, NULL })

/* A walk-in 身份证 case (catalog fee 20 yuan) handled by window:huji and
 * replied with 25.50 yuan charged: D-AUD-3's violation. */
static char *
overcharged_case (DbnHarness *h, const char *huji_key)
{
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new ("committee-gui-fee", 9, TRUE);
    g_free (m->channel);
    m->channel = g_strdup ("walk-in");
    g_free (m->matter);
    m->matter = g_strdup ("QT-SHENFENZHENG");
    g_strfreev (m->materials);
    m->materials = g_strdupv ((char **) (const char *const[]){ "户口簿", "二寸照片", NULL });
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

static void
handle_overcharged (DbnHarness *h, const char *huji_key, const char *n)
{
    CLI (h, NULL, "case", "classify", n, "--kind", "committed", "--reason", "材料齐全");
    CLI (h, NULL, "case", "assign", n);
    CLI (h, huji_key, "case", "accompany", n, "--note", "陪同拍照");
    CLI (h, huji_key, "case", "start", n);
    CLI (h, huji_key, "case", "complete", n, "--result", "已受理制证");
    CLI (h, huji_key, "case", "reply", n, "--result", "已领取", "--fee", "25.50");
}

static gboolean
violation_shown (gpointer data)
{
    return dbn_committee_view_get_n_violations (data) == 1;
}

static void
close_window (DbnMainWindow *window)
{
    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

static void
test_committee_screen (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autoptr (GError) error = NULL;
    {
        g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
        g_autofree char *more = g_strconcat (text, "[audit]\nhead_every_ms = 100\n", NULL);
        g_assert_true (g_file_set_contents (conf, more, -1, NULL));
    }
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    g_autofree char *committee_key = dbn_harness_add_key (h, "committee");
    g_autofree char *station_key = dbn_harness_add_key (h, "station:qingshui");
    g_autofree char *huji_key = dbn_harness_add_key (h, "window:huji");
    static const char *const services[] = { "intake", "routing", "deadline", "audit", NULL };
    GSubprocess *procs[4];
    for (int i = 0; i < 4; i++)
        procs[i] = dbn_harness_start_service (h, services[i]);
    g_autoptr (DbnBus) station = dbn_harness_new_bus (h, station_key);
    g_autofree char *from_station = submit (h, station, 1);
    g_autofree char *from_office = submit (h, NULL, 2);
    g_autofree char *audit_db = g_build_filename (dir, "audit.db", NULL);
    RecordWait rw = { h, audit_db };
    g_assert_true (wait_for (record_signed, &rw, WAIT_MS));
    g_autofree char *client_dir = g_build_filename (dir, "clients", "committee", NULL);

    /* 1. The feed, caught up, then live. */
    DbnMainWindow *window = open_committee (h, committee_key, client_dir);
    DbnCommitteeView *view = DBN_COMMITTEE_VIEW (dbn_main_window_get_view (window));
    ViewWait vw = { view, audit_db };
    g_assert_true (wait_for (view_caught_up, &vw, WAIT_MS));
    g_autofree char *live_case = submit (h, NULL, 3);
    g_assert_true (wait_for (record_signed, &rw, WAIT_MS));
    g_assert_true (wait_for (view_caught_up, &vw, WAIT_MS));
    g_assert_nonnull (strstr (dbn_committee_view_get_status (view), "本机已核验一致至第"));
    g_test_message ("feed: %u entries, verified through %" G_GINT64_FORMAT,
                    dbn_committee_view_get_n_entries (view), dbn_committee_view_get_verified_through (view));
    screenshot (GTK_WIDGET (window), "committee-feed.png");

    /* A violation arrives live and stands above the feed. */
    g_autofree char *overcharged = overcharged_case (h, huji_key);
    g_assert_true (wait_for (record_signed, &rw, WAIT_MS));
    handle_overcharged (h, huji_key, overcharged);
    g_assert_true (wait_for (violation_shown, view, WAIT_MS));
    dbn_committee_view_set_filter (view, NULL, NULL, NULL, TRUE);
    g_assert_cmpint (dbn_committee_view_count_shown (view, TRUE), ==, 1);
    g_assert_cmpint (dbn_committee_view_count_shown (view, FALSE), ==, 0);
    dbn_committee_view_set_filter (view, "huji", NULL, NULL, FALSE);
    g_assert_cmpint (dbn_committee_view_count_shown (view, TRUE), ==, 1);
    g_autofree char *huji_sql = g_strdup_printf (
        "SELECT count(*) FROM audit_entry WHERE case_no = '%s' AND producer <> 'audit'", overcharged);
    g_assert_true (wait_for (record_signed, &rw, WAIT_MS));
    g_assert_true (wait_for (view_caught_up, &vw, WAIT_MS));
    g_assert_cmpint (dbn_committee_view_count_shown (view, FALSE), ==, count (audit_db, huji_sql));
    dbn_committee_view_set_filter (view, "jisheng", NULL, NULL, FALSE);
    g_assert_cmpint (dbn_committee_view_count_shown (view, TRUE), ==, 0);
    dbn_committee_view_set_filter (view, NULL, NULL, NULL, FALSE);
    screenshot (GTK_WIDGET (window), "committee-violation.png");

    /* Filters: a type, and a station (its cases' entries, whoever acted). */
    dbn_committee_view_set_filter (view, NULL, NULL, "case.accepted", FALSE);
    g_assert_cmpint (dbn_committee_view_count_shown (view, FALSE), ==,
                     count (audit_db, "SELECT count(*) FROM audit_entry WHERE type = 'case.accepted'"));
    dbn_committee_view_set_filter (view, NULL, "qingshui", NULL, FALSE);
    g_autofree char *sql =
        g_strdup_printf ("SELECT count(*) FROM audit_entry WHERE case_no = '%s'", from_station);
    guint station_rows = dbn_committee_view_count_shown (view, FALSE);
    g_assert_cmpint (station_rows, >=, count (audit_db, sql));
    g_assert_cmpint (station_rows, <, dbn_committee_view_get_n_entries (view));
    screenshot (GTK_WIDGET (window), "committee-filter-station.png");
    dbn_committee_view_set_filter (view, NULL, NULL, NULL, TRUE);
    g_assert_cmpint (dbn_committee_view_count_shown (view, FALSE), ==, 0);
    dbn_committee_view_set_filter (view, NULL, NULL, NULL, FALSE);

    /* 2. A case's whole record, verified here, and its evidence. */
    dbn_committee_view_show_case (view, from_station);
    g_assert_true (wait_for (case_loaded, view, WAIT_MS));
    guint n = 0, good = 0;
    g_assert_true (dbn_committee_view_get_case (view, &n, &good));
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpuint (good, ==, n);
    screenshot (GTK_WIDGET (window), "committee-case.png");
    g_autofree char *pdf = g_build_filename (client_dir, "evidence.pdf", NULL);
    g_assert_true (dbn_committee_view_write_evidence (view, pdf, &error));
    g_assert_no_error (error);
    g_autofree char *text = pdf_text (pdf);
    g_assert_nonnull (strstr (text, from_station));
    {
        sqlite3 *db = NULL;
        g_assert_cmpint (sqlite3_open_v2 (audit_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
        sqlite3_stmt *s = NULL;
        g_assert_cmpint (
            sqlite3_prepare_v2 (db, "SELECT leaf FROM audit_entry WHERE case_no = ?", -1, &s, NULL), ==,
            SQLITE_OK);
        sqlite3_bind_text (s, 1, from_station, -1, SQLITE_STATIC);
        guint leaves = 0;
        while (sqlite3_step (s) == SQLITE_ROW) {
            g_autofree char *leaf = audit_hex (sqlite3_column_blob (s, 0), AUDIT_HASH_SIZE);
            g_assert_nonnull (strstr (text, leaf));
            leaves++;
        }
        g_assert_cmpuint (leaves, ==, n);
        sqlite3_finalize (s);
        /* The head the proofs lead to: its root and the service's key. */
        g_assert_cmpint (
            sqlite3_prepare_v2 (db, "SELECT root FROM audit_head ORDER BY size DESC LIMIT 1", -1, &s, NULL),
            ==, SQLITE_OK);
        g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
        g_autofree char *root = audit_hex (sqlite3_column_blob (s, 0), AUDIT_HASH_SIZE);
        sqlite3_finalize (s);
        sqlite3_close (db);
        g_assert_nonnull (strstr (text, root));
    }
    g_assert_nonnull (strstr (text, "✓"));
    paper_screenshot (pdf, "committee-evidence", 0);
    /* The button's way: the same paper in the principal's folder. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "committee.evidence", NULL));
    g_autofree char *file = g_strdup_printf ("evidence-%s.pdf", from_station);
    g_autofree char *saved = g_build_filename (client_dir, "committee", file, NULL);
    g_autofree char *saved_text = pdf_text (saved);
    g_assert_nonnull (strstr (saved_text, from_station));
    g_test_message ("case %s: %u entries included; evidence %s", from_station, n, pdf);

    /* A spot check on that case: a problem, with its text; the finding is
     * an entry of the record and comes back in the month's findings. */
    dbn_committee_view_record_finding (view, FALSE, "承办单缺申请人签字");
    g_assert_true (wait_for (findings_listed, view, WAIT_MS));
    g_assert_nonnull (strstr (dbn_committee_view_get_finding_status (view), "已记入审计记录"));
    g_assert_cmpint (count (audit_db, "SELECT count(*) FROM audit_entry WHERE type = 'audit.finding'"), ==,
                     1);
    screenshot (GTK_WIDGET (window), "committee-spotcheck.png");
    close_window (window);

    /* 3. History rewritten and re-signed with the real key. */
    g_assert_true (dbn_harness_stop (procs[3], 10000));
    g_object_unref (procs[3]);
    rewrite_record (audit_db, dir, 0);
    AuditVerifyReport r;
    g_assert_true (audit_verify_file (audit_db, NULL, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpint (r.problem, ==, AUDIT_VERIFY_OK); /* the file alone cannot tell */
    audit_verify_report_clear (&r);
    procs[3] = dbn_harness_start_service (h, "audit");
    g_assert_true (dbn_harness_wait_ready (h, "audit", 10000));
    window = open_committee (h, committee_key, client_dir);
    view = DBN_COMMITTEE_VIEW (dbn_main_window_get_view (window));
    g_assert_true (wait_for (banner_shown, view, WAIT_MS));
    g_test_message ("rewritten record: red banner; %s", dbn_committee_view_get_status (view));
    screenshot (GTK_WIDGET (window), "committee-tampered.png");
    close_window (window);

    for (int i = 3; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (procs[i], 10000));
        g_object_unref (procs[i]);
    }
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_committee_gui", FALSE);
    g_test_add_func ("/committee/screen/feed-case-evidence-tamper", test_committee_screen);
    return g_test_run ();
}
