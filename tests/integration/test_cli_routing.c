/* test_cli_routing: the routing commands of `daiban` end to end under
 * `daiban up`, as an operator types them: a station's case carried on a run
 * sheet, classified, assigned, handled, replied and archived; the queue of
 * its window; `case show` and `case timeline` with the routing state; the
 * stable refusal codes and exit statuses; --help of every command. */
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "dbn_test_harness.h"

/* Runs `daiban --data DIR args...` and asserts the exit status; returns stdout. */
static char *
daiban (const char *dir, int want, const char *const *args)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    g_ptr_array_add (all, (gpointer) "--data");
    g_ptr_array_add (all, (gpointer) dir);
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *const *) all->pdata);
    if (r.status != want)
        g_error ("daiban %s exited %d, not %d: %s", args[0], r.status, want, r.err);
    char *out = g_strdup (want == 0 ? r.out : r.err);
    dbn_cli_run_clear (&r);
    return out;
}

static JsonObject *
parse_object (const char *text, JsonNode **keep)
{
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;
    json_parser_load_from_data (parser, text, -1, &error);
    g_assert_no_error (error);
    *keep = json_node_copy (json_parser_get_root (parser));
    return json_node_get_object (*keep);
}

static void
test_cli_routing_end_to_end (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    /* Keys of two stations, made before the services read the registry. */
    g_autofree char *own_key = dbn_harness_add_key (h, "station:qingshui");
    g_autofree char *other_key = dbn_harness_add_key (h, "station:shiqiao");
    const char *up_args[] = { "up", "--data", dir, NULL };
    GSubprocess *up = dbn_harness_spawn (h, "daiban", up_args);
    g_assert_true (dbn_harness_wait_ready (h, "intake", 30000));
    g_assert_true (dbn_harness_wait_ready (h, "routing", 30000));
    g_free (daiban (dir, 0, (const char *[]){ "status", NULL }));

    /* A refusal is one line in the person's language with its stable code
     * (issue 15 item 10): nothing to carry yet. */
    const char *carry[] = { "--data", dir, "runsheet", "new", "qingshui", NULL };
    DbnCliRun none = dbn_harness_run_cli (carry);
    g_assert_cmpint (none.status, ==, 1);
    g_assert_cmpstr (none.err, ==,
                     "daiban: runsheet new: [routing.nothing-to-carry] 代办站没有待送中心的事项\n");
    dbn_cli_run_clear (&none);
    none = dbn_harness_run_cli_english (carry);
    g_assert_cmpint (none.status, ==, 1);
    g_assert_cmpstr (none.err, ==,
                     "daiban: runsheet new: [routing.nothing-to-carry] the station has no matter "
                     "waiting to be carried: station qingshui has no matter waiting to be carried\n");
    dbn_cli_run_clear (&none);

    g_autofree char *id = dbn_test_id_number (777);
    g_autofree char *submitted =
        daiban (dir, 0,
                (const char *[]){ "case", "submit", "--matter", "JS-ZHUNSHENG", "--applicant", "张三",
                                  "--id-number", id, "--phone", "13800138000", "--village", "qingshui",
                                  "--materials", "夫妻双方身份证,户口簿,结婚证", "--consent", NULL });
    g_auto (GStrv) lines = g_strsplit (submitted, "\n", 2);
    const char *n = lines[0];

    /* Routing follows intake: wait until the station's queue shows it. */
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *queue = daiban (dir, 0, (const char *[]){ "queue", "station", "qingshui", NULL });
        if (strstr (queue, n) != NULL)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }

    /* runsheet new: the sheet id alone on the first line. */
    g_autofree char *sheet_out = daiban (dir, 0, (const char *[]){ "runsheet", "new", "qingshui", NULL });
    g_auto (GStrv) sheet_lines = g_strsplit (sheet_out, "\n", 2);
    g_autoptr (GRegex) sheet_re = g_regex_new ("^RS-[0-9]{8}-qingshui-1$", 0, 0, NULL);
    g_assert_true (g_regex_match (sheet_re, sheet_lines[0], 0, NULL));
    g_assert_nonnull (strstr (sheet_lines[1], n));
    /* D-RTE-3: in transit in the queue until acknowledged. */
    g_autofree char *queue_json =
        daiban (dir, 0, (const char *[]){ "queue", "window", "jisheng", "--json", NULL });
    g_autoptr (JsonNode) qkeep = NULL;
    JsonObject *q = parse_object (queue_json, &qkeep);
    /* case.routed, its board row (issue 16, topic pub), runsheet.created. */
    g_assert_cmpint (json_object_get_int_member (q, "seq"), ==, 3);
    JsonObject *row = json_array_get_object_element (json_object_get_array_member (q, "items"), 0);
    g_assert_cmpstr (json_object_get_string_member (row, "case"), ==, n);
    g_assert_cmpstr (json_object_get_string_member (row, "location"), ==, "in_transit");
    g_assert_cmpstr (json_object_get_string_member (row, "sheet"), ==, sheet_lines[0]);
    g_free (daiban (
        dir, 0, (const char *[]){ "runsheet", "ack", sheet_lines[0], n, "--actor", "window:jisheng", NULL }));

    /* A refusal: exit 1 and the stable code in brackets. */
    g_autofree char *refused = daiban (dir, 1, (const char *[]){ "case", "start", n, NULL });
    g_assert_nonnull (strstr (refused, "[routing.illegal-transition]"));
    g_autofree char *no_reason =
        daiban (dir, 2, (const char *[]){ "case", "classify", n, "--kind", "immediate", NULL });
    g_assert_nonnull (strstr (no_reason, "--reason"));

    g_autofree char *classified =
        daiban (dir, 0,
                (const char *[]){ "case", "classify", n, "--kind", "immediate", "--reason", "材料齐全",
                                  "--actor", "window:jisheng", NULL });
    g_assert_true (g_str_has_prefix (classified, n));
    g_assert_nonnull (strstr (classified, "classified"));
    g_free (daiban (dir, 0, (const char *[]){ "case", "assign", n, NULL }));
    g_free (daiban (
        dir, 0, (const char *[]){ "case", "handoff", n, "--to", "window:shebao", "--reason", "误分", NULL }));
    g_free (daiban (
        dir, 0,
        (const char *[]){ "case", "handoff", n, "--to", "window:jisheng", "--reason", "退回原窗口", NULL }));
    g_free (daiban (dir, 0, (const char *[]){ "case", "accompany", n, "--note", "陪同办理", NULL }));
    g_free (daiban (dir, 0, (const char *[]){ "case", "start", n, NULL }));
    g_autofree char *completed =
        daiban (dir, 0, (const char *[]){ "case", "complete", n, "--result", "准生证已发", "--json", NULL });
    g_autoptr (JsonNode) ckeep = NULL;
    g_assert_cmpstr (json_object_get_string_member (parse_object (completed, &ckeep), "state"), ==,
                     "completed");
    g_free (daiban (dir, 0,
                    (const char *[]){ "case", "reply", n, "--result", "已领取", "--rating", "basic",
                                      "--confirmed", NULL }));
    /* Retrying a command with its key gives the first answer again. */
    g_free (daiban (dir, 0, (const char *[]){ "case", "archive", n, "--key", "arch-1", NULL }));
    g_autofree char *again =
        daiban (dir, 0, (const char *[]){ "case", "archive", n, "--key", "arch-1", NULL });
    g_assert_nonnull (strstr (again, "archived"));
    /* D-RPL-4. */
    g_autofree char *read_only = daiban (dir, 1, (const char *[]){ "case", "accompany", n, NULL });
    g_assert_nonnull (strstr (read_only, "[routing.case-archived]"));

    /* With a station's key (--key-file after the command name): its own
     * case only; another station is refused with the stable code. */
    g_free (daiban (dir, 0, (const char *[]){ "case", "timeline", n, "--key-file", own_key, NULL }));
    g_autofree char *other =
        daiban (dir, 1, (const char *[]){ "case", "timeline", n, "--key-file", other_key, NULL });
    g_assert_nonnull (strstr (other, "[forbidden]"));
    g_autofree char *not_theirs =
        daiban (dir, 1, (const char *[]){ "runsheet", "new", "qingshui", "--key-file", other_key, NULL });
    g_assert_nonnull (strstr (not_theirs, "[forbidden]"));

    /* case show: intake's record, then routing's state and timeline. */
    g_autofree char *shown = daiban (dir, 0, (const char *[]){ "case", "show", n, NULL });
    g_assert_nonnull (strstr (shown, "archived"));
    g_assert_nonnull (strstr (shown, "case.handed_off"));
    g_assert_nonnull (strstr (shown, "误分"));
    /* case timeline --json: the events as objects, in order. */
    g_autofree char *timeline = daiban (dir, 0, (const char *[]){ "case", "timeline", n, "--json", NULL });
    g_autoptr (JsonNode) tkeep = NULL;
    JsonObject *t = parse_object (timeline, &tkeep);
    g_assert_cmpstr (json_object_get_string_member (t, "state"), ==, "archived");
    g_assert_true (json_object_get_boolean_member (t, "accompanied"));
    JsonArray *events = json_object_get_array_member (t, "timeline");
    const char *types[] = { "case.routed",   "runsheet.created", "runsheet.acknowledged", "case.classified",
                            "case.assigned", "case.handed_off",  "case.handed_off",       "case.accompanied",
                            "case.started",  "case.completed",   "case.replied",          "case.archived" };
    g_assert_cmpuint (json_array_get_length (events), ==, G_N_ELEMENTS (types));
    for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
        JsonObject *ev = json_array_get_object_element (events, i);
        g_assert_cmpstr (json_object_get_string_member (ev, "type"), ==, types[i]);
    }
    /* The archived case left the window's queue. */
    g_autofree char *empty = daiban (dir, 0, (const char *[]){ "queue", "window", "jisheng", NULL });
    g_assert_null (strstr (empty, n));
    g_autofree char *unknown = daiban (dir, 1, (const char *[]){ "queue", "window", "nope", NULL });
    g_assert_nonnull (strstr (unknown, "[routing.unknown-target]"));
    g_autofree char *nothing = daiban (dir, 1, (const char *[]){ "runsheet", "new", "qingshui", NULL });
    g_assert_nonnull (strstr (nothing, "[routing.nothing-to-carry]"));

    g_assert_true (dbn_harness_stop (up, 20000));
    g_object_unref (up);
}

static void
test_cli_routing_help (void)
{
    const char *const cases[][4] = {
        { "case", "classify", "--help", NULL },
        { "case", "assign", "--help", NULL },
        { "case", "handoff", "--help", NULL },
        { "case", "start", "--help", NULL },
        { "case", "complete", "--help", NULL },
        { "case", "escalate", "--help", NULL },
        { "case", "county-answer", "--help", NULL },
        { "case", "return", "--help", NULL },
        { "case", "reply", "--help", NULL },
        { "case", "archive", "--help", NULL },
        { "case", "accompany", "--help", NULL },
        { "case", "timeline", "--help", NULL },
        { "runsheet", "--help", NULL },
        { "runsheet", "new", "--help", NULL },
        { "runsheet", "ack", "--help", NULL },
        { "queue", "--help", NULL },
        { "case", "--help", NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        DbnCliRun r = dbn_harness_run_cli (cases[i]);
        g_assert_cmpint (r.status, ==, 0);
        g_assert_true (strstr (r.out, "Usage") != NULL || strstr (r.out, "用法") != NULL);
        if (g_strcmp0 (cases[i][0], "case") == 0 && g_strcmp0 (cases[i][1], "--help") == 0)
            g_assert_nonnull (strstr (r.out, "classify"));
        if (g_strcmp0 (cases[i][0], "case") == 0 && g_strcmp0 (cases[i][1], "timeline") != 0
            && g_strcmp0 (cases[i][1], "--help") != 0)
            g_assert_nonnull (strstr (r.out, "--json"));
        dbn_cli_run_clear (&r);
    }
    /* Options: wrong or missing ones are usage errors (exit 2). */
    const char *missing[] = { "case", "return", "T01-2026-000001", "--reason", "x", NULL };
    DbnCliRun r = dbn_harness_run_cli (missing);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--apply-to"));
    dbn_cli_run_clear (&r);
    const char *both[] = { "case", "county-answer", "T01-2026-000001", "--answer", "x", NULL };
    r = dbn_harness_run_cli (both);
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);
    const char *no_case[] = { "case", "archive", NULL };
    r = dbn_harness_run_cli (no_case);
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-cli-routing");
    g_test_add_func ("/cli/routing/help", test_cli_routing_help);
    g_test_add_func ("/cli/routing/D-RTE-3/station-case-to-archive", test_cli_routing_end_to_end);
    return g_test_run ();
}
