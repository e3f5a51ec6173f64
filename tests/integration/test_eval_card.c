/* test_eval_card.c: the completion card (《代办事项落实卡》, D-RPL-1) in
 * daiban-evaluation, through the real services: intake, routing and
 * evaluation as processes, a case submitted at intake and followed by
 * evaluation from routing's journal, eval.rate and eval.card over CURVE as
 * the principals that send them. Named by rule. */
#include <sqlite3.h>
#include <string.h>

#include "dbn_test_harness.h"
#include "eval_store.h"

#define CALL_MS 5000
#define STATION "station:qingshui"

static const char *const principals[] = { STATION, "station:shiqiao", "window:jisheng", "window:xinfang", NULL };

/* A 1×1 grey PNG: what the service checks is the PNG magic and the hash. */
static const guint8 tiny_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00,
    0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

typedef struct {
    DbnHarness *harness;
    GSubprocess *intake;
    GSubprocess *routing;
    GSubprocess *evaluation;
    GHashTable *buses; /* principal → DbnBus* */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    f->buses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dbn_bus_free);
    for (int i = 0; principals[i] != NULL; i++) {
        g_autofree char *key = dbn_harness_add_key (f->harness, principals[i]);
        g_hash_table_insert (f->buses, (gpointer) principals[i], dbn_harness_new_bus (f->harness, key));
    }
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
    f->evaluation = dbn_harness_start_service (f->harness, "evaluation");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_assert_true (dbn_harness_stop (f->evaluation, 10000));
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->evaluation);
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_hash_table_unref (f->buses);
    dbn_harness_free (f->harness);
}

static GBytes *
call_as (Fixture *f, const char *principal, const char *service, GBytes *body, GError **error)
{
    DbnBus *bus = g_hash_table_lookup (f->buses, principal);
    g_assert_nonnull (bus);
    return dbn_harness_call_on (f->harness, bus, service, body, CALL_MS, error);
}

/* A case of matter (NULL: the harness's JS-ZHUNSHENG with all its
 * materials) from qingshui's station. */
static char *
submit_matter (Fixture *f, const char *matter, const char *materials)
{
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new ("card-submit", 1, TRUE);
    if (matter != NULL) {
        g_free (m->matter);
        m->matter = g_strdup (matter);
        g_strfreev (m->materials);
        m->materials = g_strsplit (materials, ";", -1);
    }
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = call_as (f, STATION, "intake", body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

static char *
submit (Fixture *f)
{
    return submit_matter (f, NULL, NULL);
}

/* eval.card as principal; NULL with error. */
static DbnMsgEvalCardReply *
card (Fixture *f, const char *principal, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgEvalCard) m = dbn_msg_eval_card_new ();
    m->env.key = g_uuid_string_random ();
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_eval_card_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, "evaluation", body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_eval_card_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
}

/* Waits until evaluation has followed routing's case.routed of case_no:
 * eval.card then says "no card yet" instead of "no such case". Polls: the
 * event is on its way between processes. */
static void
wait_known (Fixture *f, const char *case_no)
{
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgEvalCardReply) r = card (f, STATION, case_no, &error);
        g_assert_null (r);
        if (g_error_matches (error, EVAL_ERROR, EVAL_ERROR_NO_CARD))
            return;
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE);
        g_usleep (20 * 1000);
    }
    g_error ("evaluation never followed the acceptance of %s", case_no);
}

/* eval.rate of the reply with the card; the reply's seq, or 0 with error. */
static gint64
rate_card (Fixture *f, const char *key, const char *case_no, GBytes *png, const char *sha256, GError **error)
{
    g_autoptr (DbnMsgEvalRate) m = dbn_msg_eval_rate_new ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    m->stage = g_strdup ("reply");
    m->level = g_strdup ("basic");
    m->result = g_strdup ("准生证已领取");
    m->signature = png != NULL ? g_bytes_ref (png) : NULL;
    m->signature_sha256 = g_strdup (sha256);
    g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (m, error);
    if (body == NULL)
        return 0;
    g_autoptr (GBytes) reply = call_as (f, STATION, "evaluation", body, error);
    if (reply == NULL)
        return 0;
    g_autoptr (DbnMsgEvalRateReply) r =
        dbn_msg_eval_rate_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    g_assert_nonnull (r);
    return r->seq;
}

/* Cards of case_no in evaluation's SQLite file, read beside the service. */
static int
cards_stored (Fixture *f, const char *case_no)
{
    g_autofree char *path = dbn_config_dup_store_path (dbn_harness_get_config (f->harness), "evaluation");
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM ev_card WHERE case_no = ?1", -1, &st, NULL), ==,
        SQLITE_OK);
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    int n = sqlite3_column_int (st, 0);
    sqlite3_finalize (st);
    sqlite3_close (db);
    return n;
}

/* D-RPL-1: the service checks the signature's SHA-256 and refuses a
 * mismatch, a hash without its image, and an image that is not a PNG;
 * nothing of a refused card is kept (the same case then takes a good one). */
static void
test_card_sha256_refused (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_known (f, n);
    g_autoptr (GBytes) png = g_bytes_new_static (tiny_png, sizeof tiny_png);
    g_autofree char *good = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
    g_autofree char *wrong = g_strdup (good);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    g_autoptr (GError) error = NULL;

    g_assert_cmpint (rate_card (f, "card-wrong", n, png, wrong, &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH);
    g_clear_error (&error);
    g_assert_cmpint (rate_card (f, "card-no-image", n, NULL, good, &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH);
    g_clear_error (&error);
    g_assert_cmpint (rate_card (f, "card-no-hash", n, png, NULL, &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH);
    g_clear_error (&error);
    static const char jpeg[] = "\xff\xd8\xff\xe0 not a png";
    g_autoptr (GBytes) not_png = g_bytes_new_static (jpeg, sizeof jpeg - 1);
    g_autofree char *not_png_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, not_png);
    g_assert_cmpint (rate_card (f, "card-jpeg", n, not_png, not_png_hash, &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_SIGNATURE_MISMATCH);
    g_clear_error (&error);
    /* Over the schema's 256 KiB: the codec refuses to encode it at all. */
    g_autoptr (GBytes) big = g_bytes_new_take (g_malloc0 (256 * 1024 + 1), 256 * 1024 + 1);
    g_autofree char *big_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, big);
    g_assert_cmpint (rate_card (f, "card-big", n, big, big_hash, &error), ==, 0);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);

    g_autoptr (DbnMsgEvalCardReply) none = card (f, STATION, n, &error);
    g_assert_null (none);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NO_CARD);
    g_clear_error (&error);
    g_assert_cmpint (cards_stored (f, n), ==, 0);
    /* The hash in capitals is the same hash. */
    g_autofree char *upper = g_ascii_strup (good, -1);
    g_assert_cmpint (rate_card (f, "card-good", n, png, upper, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpint (cards_stored (f, n), ==, 1);
}

/* D-RPL-1, D-EV-1: the card goes with the rating through the outbox exactly
 * once across a kill -9 of evaluation: the retry with the same key gets the
 * first reply, a second card is refused, one row is stored, and eval.card
 * gives the same bytes and hash to the case's station and to a window, not
 * to another station. */
static void
test_card_once_across_kill (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_known (f, n);
    g_autoptr (GBytes) png = g_bytes_new_static (tiny_png, sizeof tiny_png);
    g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
    g_autoptr (GError) error = NULL;
    gint64 seq = rate_card (f, "card-1", n, png, sha, &error);
    g_assert_no_error (error);
    g_assert_cmpint (seq, >, 0);

    dbn_harness_kill (f->evaluation);
    g_object_unref (f->evaluation);
    f->evaluation = dbn_harness_start_service (f->harness, "evaluation");
    g_assert_cmpint (rate_card (f, "card-1", n, png, sha, &error), ==, seq);
    g_assert_no_error (error);
    g_assert_cmpint (rate_card (f, "card-2", n, png, sha, &error), ==, 0);
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED);
    g_clear_error (&error);
    g_assert_cmpint (cards_stored (f, n), ==, 1);

    const char *readers[] = { STATION, "window:jisheng" };
    for (gsize i = 0; i < G_N_ELEMENTS (readers); i++) {
        g_autoptr (DbnMsgEvalCardReply) c = card (f, readers[i], n, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (c->case_no, ==, n);
        g_assert_cmpstr (c->matter, ==, "JS-ZHUNSHENG");
        g_assert_cmpstr (c->level, ==, "basic");
        g_assert_cmpstr (c->result, ==, "准生证已领取");
        g_assert_cmpstr (c->by, ==, STATION);
        g_assert_cmpint (c->at, >, 0);
        g_assert_nonnull (c->signature);
        g_assert_true (g_bytes_equal (c->signature, png));
        g_assert_cmpstr (c->signature_sha256, ==, sha);
    }
    g_autoptr (DbnMsgEvalCardReply) other = card (f, "station:shiqiao", n, &error);
    g_assert_null (other);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);

    /* `daiban case card`: the card as text, its hash checked again, and the
     * signature written to a file, the same bytes. */
    g_autofree char *file = g_build_filename (dbn_harness_get_data_dir (f->harness), "card.png", NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *[]){ "--data", dbn_harness_get_data_dir (f->harness),
                                                         "case", "card", n, "--signature", file, NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, n));
    g_assert_nonnull (strstr (r.out, "基本满意 basic"));
    g_assert_nonnull (strstr (r.out, "准生证已领取"));
    g_assert_nonnull (strstr (r.out, sha));
    dbn_cli_run_clear (&r);
    g_autofree char *written = NULL;
    gsize written_len = 0;
    g_assert_true (g_file_get_contents (file, &written, &written_len, NULL));
    g_assert_cmpmem (written, written_len, tiny_png, sizeof tiny_png);
    r = dbn_harness_run_cli ((const char *[]){ "--data", dbn_harness_get_data_dir (f->harness), "case",
                                               "card", n, "--json", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_autofree char *hash_member = g_strdup_printf ("\"signature_sha256\":\"%s\"", sha);
    g_assert_nonnull (strstr (r.out, hash_member));
    dbn_cli_run_clear (&r);
    /* The hash is in evaluation's journal too (eval.rated, on audit). */
    r = dbn_harness_run_cli ((const char *[]){ "--data", dbn_harness_get_data_dir (f->harness), "events",
                                               "evaluation", "--since", "0", "--json", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, hash_member));
    dbn_cli_run_clear (&r);
}

/* D-INT-8: a petition's card is read by its own window (xinfang) and the
 * station that entrusted it, not by another window. */
static void
test_petition_card_readers (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit_matter (f, "QT-XINFANG", "信访事项书面材料或口述记录;身份证");
    wait_known (f, n);
    g_autoptr (GBytes) png = g_bytes_new_static (tiny_png, sizeof tiny_png);
    g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (rate_card (f, "petition-card", n, png, sha, &error), >, 0);
    g_assert_no_error (error);
    const char *allowed[] = { STATION, "window:xinfang" };
    for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++) {
        g_autoptr (DbnMsgEvalCardReply) c = card (f, allowed[i], n, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (c->signature_sha256, ==, sha);
    }
    g_autoptr (DbnMsgEvalCardReply) other = card (f, "window:jisheng", n, &error);
    g_assert_null (other);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
}

/* `daiban case card` before the reply's rating: refused with its code. */
static void
test_card_cli_refused (Fixture *f, gconstpointer data)
{
    g_autofree char *n = submit (f);
    wait_known (f, n);
    DbnCliRun r = dbn_harness_run_cli (
        (const char *[]){ "--data", dbn_harness_get_data_dir (f->harness), "case", "card", n, NULL });
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "[eval.no-card]"));
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-eval-card");
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD ("/evaluation/D-RPL-1/card-sha256-mismatch-refused", test_card_sha256_refused);
    ADD ("/evaluation/D-RPL-1/card-once-across-kill-9", test_card_once_across_kill);
    ADD ("/evaluation/D-RPL-1/card-cli-before-rating", test_card_cli_refused);
    ADD ("/evaluation/D-INT-8/petition-card-own-window-only", test_petition_card_readers);
    return g_test_run ();
}
