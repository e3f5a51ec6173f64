/* test_board: issue 16 item 4, the public board (D-AUD-4, 公开), through the
 * real intake, routing and evaluation services and `daiban`.
 *
 * /board/export-html-no-personal-data: three cases of applicants with
 *   distinctive names and a petition (D-INT-8) are submitted; `daiban board
 *   export --html DIR`, run with a board:site key, writes index.html and
 *   board.css. The page holds each ordinary case's number, matter and the
 *   applicant masked (张**), and no full name, id number or phone of any
 *   case, no petition, no script. Headless Chromium renders it to a PNG
 *   (skipped with one line when Chromium cannot run).
 * /board/key-refused-everything-else: the board key reads routing.board,
 *   eval.month (no person's row) and the topic pub/, whose events are
 *   board.row only; every queue, case read, writing command and sys.sync of
 *   any other topic is refused as forbidden, and so is every other
 *   subscription.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "dbn_test_harness.h"

#define PETITION_APPLICANT "赵信访人"

typedef struct {
    const char *applicant;
    const char *masked;
    const char *matter;
    guint n; /* id number and phone seed */
} Applicant;

static const Applicant applicants[] = {
    { "张三丰", "张**", NULL, 7101 },
    { "李四", "李**", NULL, 7102 },
    { "欧阳娜娜", "欧**", NULL, 7103 },
    { PETITION_APPLICANT, "赵**", "QT-XINFANG", 7104 },
};

static char *
submit (DbnHarness *h, const Applicant *a)
{
    g_autofree char *key = g_strdup_printf ("board-%u", a->n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, a->n, TRUE);
    g_free (m->applicant);
    m->applicant = g_strdup (a->applicant);
    if (a->matter != NULL) {
        g_free (m->matter);
        m->matter = g_strdup (a->matter);
        g_strfreev (m->materials);
        m->materials = g_new0 (char *, 3);
        m->materials[0] = g_strdup ("信访事项书面材料或口述记录");
        m->materials[1] = g_strdup ("身份证");
    }
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

static GBytes *
board_snapshot (DbnHarness *h, DbnBus *bus, GError **error)
{
    g_autoptr (DbnMsgRoutingBoard) cmd = dbn_msg_routing_board_new ();
    cmd->env.key = g_strdup ("board");
    g_autoptr (GBytes) body = dbn_msg_routing_board_encode (cmd, NULL);
    return dbn_harness_call_on (h, bus, "routing", body, 5000, error);
}

/* Waits (routing follows intake) until the board shows n rows. */
static void
wait_for_rows (DbnHarness *h, DbnBus *bus, guint n)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = board_snapshot (h, bus, &error);
        g_assert_no_error (error);
        g_autoptr (DbnBoard) board = dbn_board_new ();
        g_assert_true (dbn_board_take_snapshot (board, reply, &error));
        if (dbn_board_get_n_rows (board) >= n) {
            g_assert_cmpuint (dbn_board_get_n_rows (board), ==, n);
            return;
        }
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
}

static void
assert_absent (const char *html, const char *what, const char *text)
{
    if (strstr (html, text) != NULL)
        g_error ("the exported board shows %s: %s", what, text);
}

/* Chromium's name on Debian, or NULL. */
static char *
find_chromium (void)
{
    const char *names[] = { "chromium", "chromium-browser", "google-chrome", NULL };
    for (guint i = 0; names[i] != NULL; i++) {
        char *path = g_find_program_in_path (names[i]);
        if (path != NULL)
            return path;
    }
    return NULL;
}

static gboolean
screenshot (const char *html_dir, const char *png, char **why)
{
    g_autofree char *chromium = find_chromium ();
    if (chromium == NULL) {
        *why = g_strdup ("chromium not installed (scripts/deps.sh installs it)");
        return FALSE;
    }
    g_autofree char *index = g_build_filename (html_dir, "index.html", NULL);
    g_autofree char *uri = g_filename_to_uri (index, NULL, NULL);
    g_autofree char *shot = g_strdup_printf ("--screenshot=%s", png);
    g_autofree char *profile = g_build_filename (html_dir, "..", "chromium-profile", NULL);
    g_autofree char *user_dir = g_strdup_printf ("--user-data-dir=%s", profile);
    /* --no-sandbox: the test may run as root (CI containers), where
     * Chromium's sandbox refuses to start; the page is our own file. */
    const char *argv[] = { chromium,
                           "--headless",
                           "--no-sandbox",
                           "--disable-gpu",
                           "--hide-scrollbars",
                           "--window-size=1280,1600",
                           user_dir,
                           shot,
                           uri,
                           NULL };
    g_autoptr (GError) error = NULL;
    g_autoptr (GSubprocess) p = g_subprocess_newv (
        argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
    if (p == NULL || !g_subprocess_wait (p, NULL, &error) || !g_subprocess_get_if_exited (p)
        || g_subprocess_get_exit_status (p) != 0) {
        *why = g_strdup_printf ("chromium cannot run here (%s)", error ? error->message : "exit status");
        return FALSE;
    }
    return TRUE;
}

static void
test_export_html (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autofree char *board_key = dbn_harness_add_key (h, "board:site");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *evaluation = dbn_harness_start_service (h, "evaluation");

    char *cases[G_N_ELEMENTS (applicants)];
    for (guint i = 0; i < G_N_ELEMENTS (applicants); i++)
        cases[i] = submit (h, &applicants[i]);
    g_autoptr (DbnBus) board_bus = dbn_harness_new_bus (h, board_key);
    /* The petition never reaches the board: three rows. */
    wait_for_rows (h, board_bus, G_N_ELEMENTS (applicants) - 1);

    g_autofree char *out_dir = g_build_filename (dir, "site", NULL);
    DbnCliRun r =
        dbn_harness_run_cli ((const char *[]){ "--data", dir, "board", "export", "--html", out_dir,
                                               "--key-file", board_key, "--title", "清水镇公开栏", NULL });
    if (r.status != 0)
        g_error ("board export exited %d: %s%s", r.status, r.out, r.err);
    g_assert_nonnull (strstr (r.out, "3 件在办"));
    dbn_cli_run_clear (&r);

    g_autofree char *index = g_build_filename (out_dir, "index.html", NULL);
    g_autofree char *css = g_build_filename (out_dir, "board.css", NULL);
    g_autofree char *html = NULL;
    g_assert_true (g_file_get_contents (index, &html, NULL, NULL));
    g_assert_true (g_file_test (css, G_FILE_TEST_IS_REGULAR));
    g_assert_nonnull (strstr (html, "清水镇公开栏"));
    g_assert_nonnull (strstr (html, "准生证")); /* the catalog's JS-ZHUNSHENG */
    g_assert_nonnull (strstr (html, "本月星级评定"));
    for (guint i = 0; i < G_N_ELEMENTS (applicants); i++) {
        const Applicant *a = &applicants[i];
        g_autofree char *id = dbn_test_id_number (a->n);
        g_autofree char *phone = g_strdup_printf ("138%08u", a->n % 100000000);
        assert_absent (html, "a full name", a->applicant);
        /* The name without its first character, for names of 3 or more. */
        assert_absent (html, "part of a name",
                       g_utf8_next_char (g_utf8_next_char (a->applicant))[0] ? g_utf8_next_char (a->applicant)
                                                                             : a->applicant);
        assert_absent (html, "an id number", id);
        assert_absent (html, "a phone", phone);
        if (a->matter != NULL) {
            assert_absent (html, "a petition", cases[i]);
            continue;
        }
        g_assert_nonnull (strstr (html, cases[i]));
        g_assert_nonnull (strstr (html, a->masked));
    }
    assert_absent (html, "a script", "<script");
    assert_absent (html, "a script", "javascript:");

    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *png = g_build_filename (cwd, "board-export.png", NULL);
    g_autofree char *why = NULL;
    if (screenshot (out_dir, png, &why)) {
        g_autofree char *data = NULL;
        gsize size = 0;
        g_assert_true (g_file_get_contents (png, &data, &size, NULL));
        g_assert_cmpuint (size, >, 1000);
        g_assert_true (memcmp (data, "\x89PNG", 4) == 0);
        g_test_message ("screenshot: %s (%" G_GSIZE_FORMAT " bytes)", png, size);
    } else {
        g_test_skip (why);
    }

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        g_free (cases[i]);
    dbn_harness_stop (evaluation, 5000);
    dbn_harness_stop (routing, 5000);
    dbn_harness_stop (intake, 5000);
    g_object_unref (evaluation);
    g_object_unref (routing);
    g_object_unref (intake);
}

static void
assert_forbidden (GError *error, const char *what)
{
    if (!g_error_matches (error, DBN_ERROR, DBN_ERROR_FORBIDDEN))
        g_error ("%s: not refused as forbidden: %s", what, error ? error->message : "accepted");
}

/* sys.sync of topic (NULL: none) as bus; the reply or NULL with error. */
static GBytes *
sync_topic (DbnHarness *h, DbnBus *bus, const char *service, const char *topic, GError **error)
{
    g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
    cmd->env.key = g_strdup ("sync");
    cmd->topic = g_strdup (topic);
    g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
    return dbn_harness_call_on (h, bus, service, body, 5000, error);
}

static void
test_key_refused (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *board_key = dbn_harness_add_key (h, "board:hall");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *evaluation = dbn_harness_start_service (h, "evaluation");
    GSubprocess *deadline = dbn_harness_start_service (h, "deadline");
    g_autofree char *case_no = submit (h, &applicants[0]);
    g_autoptr (DbnBus) bus = dbn_harness_new_bus (h, board_key);
    wait_for_rows (h, bus, 1);

    /* What it may read: pub/ (the same with no topic named), board.row only. */
    const char *topics[] = { "pub/", NULL };
    for (guint t = 0; t < G_N_ELEMENTS (topics); t++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = sync_topic (h, bus, "routing", topics[t], &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgSysSyncReply) page =
            dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        g_assert_no_error (error);
        g_assert_cmpuint (page->events->len, >=, 1);
        for (guint i = 0; i < page->events->len; i++) {
            GBytes *ev = page->events->pdata[i];
            g_autoptr (DbnMsgBoardRow) row =
                dbn_msg_board_row_decode (g_bytes_get_data (ev, NULL), g_bytes_get_size (ev), &error);
            g_assert_no_error (error);
            g_assert_cmpstr (row->env.type, ==, "board.row");
            g_assert_cmpstr (row->applicant, ==, "张**");
        }
    }
    /* eval.month: window, station and township rows only, never a person's. */
    {
        g_autoptr (DbnMsgEvalMonth) cmd = dbn_msg_eval_month_new ();
        cmd->env.key = g_strdup ("month");
        cmd->month = g_strdup ("2026-11");
        g_autoptr (GBytes) body = dbn_msg_eval_month_encode (cmd, NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = dbn_harness_call_on (h, bus, "evaluation", body, 5000, &error);
        g_assert_no_error (error);
    }

    /* Other topics: refused, on every producer. */
    const char *others[] = { "s/qingshui/", "q/jisheng/", "a/east/", "c/minzheng/", "audit/", "hb/x", "" };
    const char *producers[] = { "intake", "routing", "deadline", "evaluation" };
    for (guint p = 0; p < G_N_ELEMENTS (producers); p++)
        for (guint t = 0; t < G_N_ELEMENTS (others); t++) {
            g_autoptr (GError) error = NULL;
            g_autoptr (GBytes) reply = sync_topic (h, bus, producers[p], others[t], &error);
            g_autofree char *what = g_strdup_printf ("sys.sync %s of %s", others[t], producers[p]);
            assert_forbidden (error, what);
        }
    /* Subscriptions: pub/ and heartbeats, nothing else. */
    g_autofree char *pub = dbn_auth_grant_subscription ("board:hall", "pub/");
    g_assert_cmpstr (pub, ==, "pub/");
    const char *subs[] = {
        "", "s/qingshui/", "q/jisheng/", "a/east/", "c/minzheng/", "audit/", "pub/x", "p"
    };
    for (guint t = 0; t < G_N_ELEMENTS (subs); t++) {
        g_autofree char *granted = dbn_auth_grant_subscription ("board:hall", subs[t]);
        g_assert_null (granted);
    }

    /* Queues, case reads and every writing command through `daiban`. */
    const char *refused[][8] = {
        { "queue", "window", "jisheng", NULL },
        { "queue", "station", "qingshui", NULL },
        { "queue", "area", "east", NULL },
        { "case", "show", case_no, NULL },
        { "case", "timeline", case_no, NULL },
        { "case", "classify", case_no, "--kind", "committed", "--reason", "x", NULL },
        { "case", "archive", case_no, NULL },
        { "case", "submit", "--matter", "JS-ZHUNSHENG", "--applicant", "王", "--village", NULL },
        { "visit", "list", "qingshui", NULL },
        { "deadline", "queue", "window", "jisheng", NULL },
        { "eval", "sample", "2026-11", NULL },
        { "eval", "close", "2026-11", NULL },
        { "catalog", "reload", NULL },
    };
    const char *dir = dbn_harness_get_data_dir (h);
    for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
        g_autoptr (GPtrArray) args = g_ptr_array_new ();
        g_ptr_array_add (args, (gpointer) "--data");
        g_ptr_array_add (args, (gpointer) dir);
        g_ptr_array_add (args, (gpointer) "--key");
        g_ptr_array_add (args, (gpointer) board_key);
        for (guint k = 0; refused[i][k] != NULL; k++)
            g_ptr_array_add (args, (gpointer) refused[i][k]);
        if (g_strcmp0 (refused[i][1], "submit") == 0) {
            const char *rest[] = { "qingshui", "--id-number", "110105199001011234",
                                   "--phone",  "13800138000", "--materials",
                                   "户口簿",   "--consent",   NULL };
            for (guint k = 0; rest[k] != NULL; k++)
                g_ptr_array_add (args, (gpointer) rest[k]);
        }
        g_ptr_array_add (args, NULL);
        DbnCliRun r = dbn_harness_run_cli_english ((const char *const *) args->pdata);
        if (r.status != 1 || strstr (r.err, "[forbidden]") == NULL)
            g_error ("daiban %s %s as board:hall: exit %d, not refused as forbidden: %s%s", refused[i][0],
                     refused[i][1], r.status, r.out, r.err);
        dbn_cli_run_clear (&r);
    }

    dbn_harness_stop (deadline, 5000);
    g_object_unref (deadline);
    dbn_harness_stop (evaluation, 5000);
    dbn_harness_stop (routing, 5000);
    dbn_harness_stop (intake, 5000);
    g_object_unref (evaluation);
    g_object_unref (routing);
    g_object_unref (intake);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_init ("test_board");
    g_test_add_func ("/board/export-html-no-personal-data", test_export_html);
    g_test_add_func ("/board/key-refused-everything-else", test_key_refused);
    return g_test_run ();
}
