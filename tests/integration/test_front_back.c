/* test_front_back: D-RTE-6, the front desk and the back office of a window
 * (前台受理、后台办理) as principals of their own, through `daiban` and the
 * real intake and routing services. The shipped org.ini splits the desks
 * of window minzheng (`split_desks = true`) and not those of jisheng.
 *
 * A front:minzheng key signs for run-sheet items and accepts walk-ins but
 * cannot classify or complete; a back:minzheng key handles but cannot sign
 * for a run sheet or accept; both read the window's queue and no other; a
 * plain window:minzheng key keeps both roles. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "dbn_test_harness.h"

/* `daiban --data DIR [--key KEY] args...`: asserts the exit status, returns
 * stdout on success and stderr otherwise (in English, whose line carries the
 * refusal's detail after the code). */
static char *
daiban_as (const char *dir, const char *key, int want, const char *const *args)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    g_ptr_array_add (all, (gpointer) "--data");
    g_ptr_array_add (all, (gpointer) dir);
    if (key != NULL) {
        g_ptr_array_add (all, (gpointer) "--key");
        g_ptr_array_add (all, (gpointer) key);
    }
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = want == 0 ? dbn_harness_run_cli ((const char *const *) all->pdata)
                            : dbn_harness_run_cli_english ((const char *const *) all->pdata);
    if (r.status != want)
        g_error ("daiban %s %s exited %d, not %d: %s%s", args[0], args[1] ? args[1] : "", r.status, want,
                 r.out, r.err);
    char *out = g_strdup (want == 0 ? r.out : r.err);
    dbn_cli_run_clear (&r);
    return out;
}

/* `daiban keys add PRINCIPAL`: the secret file's path (first line). */
static char *
keys_add (const char *dir, const char *principal)
{
    g_autofree char *out = daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", principal, NULL });
    g_auto (GStrv) lines = g_strsplit (out, "\n", 2);
    return g_strdup (lines[0]);
}

static char *
submit (const char *dir, const char *key, guint n, const char *channel)
{
    g_autofree char *id = dbn_test_id_number (n);
    g_autofree char *applicant = g_strdup_printf ("李四%u", n);
    const char *args[] = { "case",        "submit",
                           "--matter",    "MZ-LINSHI",
                           "--applicant", applicant,
                           "--id-number", id,
                           "--phone",     "13800138000",
                           "--village",   "qingshui",
                           "--materials", "申请书,身份证,困难情况说明",
                           "--consent",   channel != NULL ? "--channel" : NULL,
                           channel,       NULL };
    g_autofree char *out = daiban_as (dir, key, 0, args);
    g_auto (GStrv) lines = g_strsplit (out, "\n", 2);
    return g_strdup (lines[0]);
}

/* The row of case_no in `queue window ID --json` read with key, or NULL. */
static JsonObject *
queue_row (const char *dir, const char *key, const char *window, const char *case_no, JsonNode **keep)
{
    g_autofree char *out =
        daiban_as (dir, key, 0, (const char *[]){ "queue", "window", window, "--json", NULL });
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    *keep = json_node_copy (json_parser_get_root (parser));
    JsonArray *items = json_object_get_array_member (json_node_get_object (*keep), "items");
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *row = json_array_get_object_element (items, i);
        if (g_strcmp0 (json_object_get_string_member (row, "case"), case_no) == 0)
            return row;
    }
    return NULL;
}

/* Waits (routing follows intake) until case_no is in the window's queue as key sees it. */
static void
wait_in_queue (const char *dir, const char *key, const char *case_no)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (JsonNode) keep = NULL;
        if (queue_row (dir, key, "minzheng", case_no, &keep) != NULL)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
}

/* A station's case on a run sheet: the sheet id. */
static char *
carry (const char *dir)
{
    g_autofree char *out = daiban_as (dir, NULL, 0, (const char *[]){ "runsheet", "new", "qingshui", NULL });
    g_auto (GStrv) lines = g_strsplit (out, "\n", 2);
    return g_strdup (lines[0]);
}

static void
assert_forbidden (const char *err, const char *desk)
{
    if (strstr (err, "[forbidden]") == NULL || strstr (err, desk) == NULL)
        g_error ("not refused as the %s's command: %s", desk, err);
}

static void
test_desks (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    /* Keys as an administrator makes them; only a split window gets desk keys. */
    g_autofree char *front = keys_add (dir, "front:minzheng");
    g_autofree char *back = keys_add (dir, "back:minzheng");
    g_autofree char *both = keys_add (dir, "window:minzheng");
    g_assert_true (g_str_has_suffix (front, "/keys/front-minzheng.secret"));
    g_autofree char *unsplit =
        daiban_as (dir, NULL, 1, (const char *[]){ "keys", "add", "front:jisheng", NULL });
    g_assert_nonnull (strstr (unsplit, "[org.desks-not-split]"));
    g_autofree char *nowhere = daiban_as (dir, NULL, 1, (const char *[]){ "keys", "add", "back:nope", NULL });
    g_assert_nonnull (strstr (nowhere, "org.unknown-id"));

    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");

    /* A station's request carried on a run sheet: both desks see it in transit. */
    g_autofree char *n = submit (dir, NULL, 61, NULL);
    wait_in_queue (dir, front, n);
    g_autofree char *sheet = carry (dir);
    for (int k = 0; k < 2; k++) {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *row = queue_row (dir, k == 0 ? front : back, "minzheng", n, &keep);
        g_assert_nonnull (row);
        g_assert_cmpstr (json_object_get_string_member (row, "location"), ==, "in_transit");
        g_assert_cmpstr (json_object_get_string_member (row, "sheet"), ==, sheet);
    }
    /* Neither desk reads another window's queue. */
    g_autofree char *front_other =
        daiban_as (dir, front, 1, (const char *[]){ "queue", "window", "jisheng", NULL });
    assert_forbidden (front_other, "");
    g_autofree char *back_other =
        daiban_as (dir, back, 1, (const char *[]){ "queue", "window", "jisheng", NULL });
    assert_forbidden (back_other, "");

    /* The back office cannot sign for the item; the front desk cannot handle. */
    g_autofree char *back_ack =
        daiban_as (dir, back, 1, (const char *[]){ "runsheet", "ack", sheet, n, NULL });
    assert_forbidden (back_ack, "front desk");
    g_autofree char *front_classify = daiban_as (
        dir, front, 1,
        (const char *[]){ "case", "classify", n, "--kind", "committed", "--reason", "需入户", NULL });
    assert_forbidden (front_classify, "back office");
    g_autofree char *front_complete =
        daiban_as (dir, front, 1, (const char *[]){ "case", "complete", n, "--result", "已办结", NULL });
    assert_forbidden (front_complete, "back office");
    g_free (daiban_as (dir, front, 0, (const char *[]){ "runsheet", "ack", sheet, n, NULL }));
    {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *row = queue_row (dir, back, "minzheng", n, &keep);
        g_assert_cmpstr (json_object_get_string_member (row, "location"), ==, "centre");
    }
    g_free (daiban_as (
        dir, back, 0,
        (const char *[]){ "case", "classify", n, "--kind", "committed", "--reason", "需入户核实", NULL }));
    g_free (daiban_as (dir, back, 0, (const char *[]){ "case", "assign", n, NULL }));
    g_free (daiban_as (dir, back, 0, (const char *[]){ "case", "start", n, NULL }));
    g_free (daiban_as (dir, back, 0,
                       (const char *[]){ "case", "complete", n, "--result", "救助金已发放", NULL }));
    /* The timeline names each desk for what it did (D-RTE-5). */
    g_autofree char *timeline =
        daiban_as (dir, NULL, 0, (const char *[]){ "case", "timeline", n, "--json", NULL });
    g_assert_nonnull (strstr (timeline, "front:minzheng"));
    g_assert_nonnull (strstr (timeline, "back:minzheng"));

    /* Walk-ins are accepted at the front desk, not in the back office. */
    g_autofree char *walk_in = submit (dir, front, 62, "walk-in");
    g_assert_true (g_str_has_prefix (walk_in, "T01-"));
    g_autofree char *id = dbn_test_id_number (63);
    const char *back_submit[] = { "case",        "submit",      "--matter",    "MZ-LINSHI",
                                  "--applicant", "王五",        "--id-number", id,
                                  "--phone",     "13800138001", "--village",   "qingshui",
                                  "--materials", "申请书",      "--consent",   NULL };
    g_autofree char *back_walk_in = daiban_as (dir, back, 1, back_submit);
    assert_forbidden (back_walk_in, "front desk");

    /* One clerk holding both desks: window:minzheng signs and handles. */
    g_autofree char *m = submit (dir, NULL, 64, NULL);
    wait_in_queue (dir, both, m);
    g_autofree char *sheet2 = carry (dir);
    g_free (daiban_as (dir, both, 0, (const char *[]){ "runsheet", "ack", sheet2, m, NULL }));
    g_free (daiban_as (
        dir, both, 0,
        (const char *[]){ "case", "classify", m, "--kind", "committed", "--reason", "需入户", NULL }));

    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

/* Both desks subscribe to the window's topic and to nothing else. */
static void
test_desk_topics (void)
{
    static const char *const desks[] = { "front:minzheng", "back:minzheng", "window:minzheng" };
    for (gsize i = 0; i < G_N_ELEMENTS (desks); i++) {
        g_autofree char *own = dbn_auth_grant_subscription (desks[i], "q/minzheng/");
        g_assert_cmpstr (own, ==, "q/minzheng/");
        g_autofree char *other = dbn_auth_grant_subscription (desks[i], "q/jisheng/");
        g_assert_null (other);
        g_autofree char *station = dbn_auth_grant_subscription (desks[i], "s/qingshui/");
        g_assert_null (station);
    }
    g_assert_cmpuint (dbn_principal_get_window_roles ("front:minzheng"), ==, DBN_WINDOW_ROLE_FRONT);
    g_assert_cmpuint (dbn_principal_get_window_roles ("back:minzheng"), ==, DBN_WINDOW_ROLE_BACK);
    g_assert_cmpuint (dbn_principal_get_window_roles ("window:minzheng"), ==, DBN_WINDOW_ROLE_BOTH);
    g_assert_cmpuint (dbn_principal_get_window_roles ("station:qingshui"), ==, 0);
    g_assert_cmpuint (dbn_principal_get_window_roles ("front:"), ==, 0);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/routing/D-RTE-6/front-signs-back-handles", test_desks);
    g_test_add_func ("/routing/D-RTE-6/desk-topics", test_desk_topics);
    return g_test_run ();
}
