/* test_cli: the `daiban` command line end to end, as an operator uses it:
 * `daiban up`, `case submit`, `case show --json`, `events --json`, `status`,
 * a service killed under `up` and restarted, SIGTERM leaving no process,
 * and a clear bounded error when nothing is running. */
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "dbn_test_harness.h"

/* Pids of processes whose command line mentions dir. */
static guint
count_processes_using (const char *dir)
{
    guint n = 0;
    g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (proc)) != NULL) {
        if (!g_ascii_isdigit (name[0]))
            continue;
        g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
        g_autofree char *cmdline = NULL;
        gsize len = 0;
        if (!g_file_get_contents (path, &cmdline, &len, NULL))
            continue;
        for (gsize i = 0; i + 1 < len; i++)
            if (cmdline[i] == '\0')
                cmdline[i] = ' ';
        if (strstr (cmdline, dir) != NULL && strstr (cmdline, "daiban") != NULL)
            n++;
    }
    return n;
}

static gboolean
wait_status_up (const char *dir, guint timeout_ms)
{
    const char *args[] = { "--data", dir, "status", NULL };
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    while (g_get_monotonic_time () < deadline) {
        DbnCliRun r = dbn_harness_run_cli (args);
        int status = r.status;
        dbn_cli_run_clear (&r);
        if (status == 0)
            return TRUE;
    }
    return FALSE;
}

static JsonNode *
parse_json (const char *text)
{
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;
    json_parser_load_from_data (parser, text, -1, &error);
    g_assert_no_error (error);
    return json_node_copy (json_parser_get_root (parser));
}

static void
test_cli_end_to_end (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (TRUE);
    const char *dir = dbn_harness_get_data_dir (h);
    const char *up_args[] = { "up", "--data", dir, NULL };
    GSubprocess *up = dbn_harness_spawn (h, "daiban", up_args);
    g_assert_true (wait_status_up (dir, 30000));

    /* submit: the case number alone on the first line. */
    g_autofree char *id = dbn_test_id_number (12345);
    const char *submit[] = { "--data",      dir,
                             "case",        "submit",
                             "--matter",    "JS-ZHUNSHENG",
                             "--applicant", "张三",
                             "--id-number", id,
                             "--phone",     "13800138000",
                             "--village",   "qingshui",
                             "--materials", "夫妻双方身份证,户口簿,结婚证",
                             "--consent",   "--key",
                             "cli-key-1",   NULL };
    DbnCliRun r = dbn_harness_run_cli (submit);
    g_assert_cmpint (r.status, ==, 0);
    g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
    g_autoptr (GRegex) number_re = g_regex_new ("^T01-[0-9]{4}-[0-9]{6}$", 0, 0, NULL);
    g_assert_true (g_regex_match (number_re, lines[0], 0, NULL));
    g_autofree char *number = g_strdup (lines[0]);
    dbn_cli_run_clear (&r);

    /* The same key again: the same case, not a second one. */
    r = dbn_harness_run_cli (submit);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, number));
    dbn_cli_run_clear (&r);

    /* show --json prints the case. */
    const char *show[] = { "--data", dir, "case", "show", number, "--json", NULL };
    r = dbn_harness_run_cli (show);
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonNode) root = parse_json (r.out);
    JsonObject *o = json_node_get_object (root);
    g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, number);
    g_assert_cmpstr (json_object_get_string_member (o, "applicant"), ==, "张三");
    g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "accepted");
    g_assert_cmpstr (json_object_get_string_member (o, "matter"), ==, "JS-ZHUNSHENG");
    dbn_cli_run_clear (&r);

    /* D-INT-2: without consent, refused with the stable code. */
    const char *no_consent[] = { "--data",       dir,           "case",      "submit",      "--matter",
                                 "JS-ZHUNSHENG", "--applicant", "李四",      "--id-number", id,
                                 "--phone",      "13800138000", "--village", "qingshui",    NULL };
    r = dbn_harness_run_cli (no_consent);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "intake.no-consent"));
    g_assert_nonnull (strstr (r.err, "同意"));
    g_assert_cmpstr (r.out, ==, "");
    dbn_cli_run_clear (&r);

    /* D-INT-4: missing materials are all told at once; the case waits. */
    const char *partial[] = { "--data",      dir,        "case",        "submit",
                              "--matter",    "MZ-DIBAO", "--applicant", "王五",
                              "--id-number", id,         "--phone",     "0571-8888 8888",
                              "--village",   "qingshui", "--materials", "身份证",
                              "--consent",   NULL };
    r = dbn_harness_run_cli (partial);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "awaiting_materials"));
    g_assert_nonnull (strstr (r.out, "申请书、户口簿、家庭收入证明"));
    dbn_cli_run_clear (&r);

    /* An unknown matter and a bad ID number: clear refusals. */
    const char *bad_matter[] = { "--data",      dir,        "case",        "submit",
                                 "--matter",    "NO-SUCH",  "--applicant", "赵六",
                                 "--id-number", id,         "--phone",     "13800138000",
                                 "--village",   "qingshui", "--consent",   NULL };
    r = dbn_harness_run_cli (bad_matter);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "intake.unknown-matter"));
    dbn_cli_run_clear (&r);
    const char *bad_id[] = { "--data",      dir,
                             "case",        "submit",
                             "--matter",    "JS-ZHUNSHENG",
                             "--applicant", "赵六",
                             "--id-number", "110105199001011230",
                             "--phone",     "13800138000",
                             "--village",   "qingshui",
                             "--consent",   NULL };
    r = dbn_harness_run_cli (bad_id);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "intake.bad-id-number"));
    dbn_cli_run_clear (&r);

    /* A committee key from `keys add`: it reads (masked) but cannot submit. */
    const char *add_committee[] = { "--data", dir, "keys", "add", "committee", NULL };
    r = dbn_harness_run_cli (add_committee);
    g_assert_cmpint (r.status, ==, 0);
    g_auto (GStrv) add_lines = g_strsplit (r.out, "\n", -1);
    g_autofree char *committee_key = g_strdup (add_lines[0]);
    g_assert_true (g_str_has_suffix (committee_key, "/keys/committee.secret"));
    dbn_cli_run_clear (&r);
    const char *committee_submit[] = { "--data",      dir,           "--key",       committee_key,
                                       "case",        "submit",      "--matter",    "JS-ZHUNSHENG",
                                       "--applicant", "张三",        "--id-number", id,
                                       "--phone",     "13800138000", "--village",   "qingshui",
                                       "--consent",   NULL };
    r = dbn_harness_run_cli (committee_submit);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "[forbidden]"));
    g_assert_cmpstr (r.out, ==, "");
    dbn_cli_run_clear (&r);
    const char *committee_show[] = {
        "--data", dir, "case", "show", number, "--key-file", committee_key, NULL
    };
    r = dbn_harness_run_cli (committee_show);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "********"));
    g_assert_null (strstr (r.out, id));
    dbn_cli_run_clear (&r);

    /* events --json: one JSON object per journal event, in seq order. */
    const char *events[] = { "--data", dir, "events", "intake", "--since", "0", "--json", NULL };
    r = dbn_harness_run_cli (events);
    g_assert_cmpint (r.status, ==, 0);
    g_auto (GStrv) ev_lines = g_strsplit (g_strstrip (r.out), "\n", -1);
    g_assert_cmpuint (g_strv_length (ev_lines), ==, 3); /* accepted, accepted + awaiting_materials */
    for (int i = 0; ev_lines[i] != NULL; i++) {
        g_autoptr (JsonNode) ev = parse_json (ev_lines[i]);
        JsonObject *eo = json_node_get_object (ev);
        g_assert_cmpint (json_object_get_int_member (eo, "seq"), ==, i + 1);
        g_assert_cmpstr (json_object_get_string_member (eo, "src"), ==, "intake");
        if (i == 0) {
            g_assert_cmpstr (json_object_get_string_member (eo, "type"), ==, "case.accepted");
            g_assert_cmpstr (json_object_get_string_member (eo, "case"), ==, number);
            /* Personal data leaves intake masked. */
            g_assert_cmpstr (json_object_get_string_member (eo, "phone"), ==, "138****8000");
        }
    }
    dbn_cli_run_clear (&r);
    const char *since[] = { "--data", dir, "events", "intake", "--since", "2", NULL };
    r = dbn_harness_run_cli (since);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "case.awaiting_materials"));
    g_assert_null (strstr (r.out, "case.accepted"));
    dbn_cli_run_clear (&r);

    /* status: up, with the journal's newest seq. */
    const char *status_json[] = { "--data", dir, "status", "--json", NULL };
    r = dbn_harness_run_cli (status_json);
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonNode) st = parse_json (r.out);
    JsonObject *intake_status = json_array_get_object_element (json_node_get_array (st), 0);
    g_assert_true (json_object_get_boolean_member (intake_status, "up"));
    g_assert_cmpint (json_object_get_int_member (intake_status, "seq"), ==, 3);
    gint64 pid = json_object_get_int_member (intake_status, "pid");
    dbn_cli_run_clear (&r);

    /* A service that dies under `daiban up` comes back. */
    g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
    g_assert_true (wait_status_up (dir, 30000));
    r = dbn_harness_run_cli (show);
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);

    /* SIGTERM to `daiban up` leaves no daiban process behind. */
    g_assert_true (dbn_harness_stop (up, 20000));
    g_object_unref (up);
    g_assert_cmpuint (count_processes_using (dir), ==, 0);

    /* Nothing running: one clear line, bounded, exit 3, in the person's
     * language: Chinese by default, English with LANGUAGE=en. */
    r = dbn_harness_run_cli (show);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_nonnull (strstr (r.err, "[timeout] 无法连接 intake"));
    g_assert_null (strstr (r.err, "cannot reach"));
    g_auto (GStrv) err_lines = g_strsplit (g_strstrip (r.err), "\n", -1);
    g_assert_cmpuint (g_strv_length (err_lines), ==, 1);
    g_assert_cmpfloat (r.secs, <, 15.0);
    dbn_cli_run_clear (&r);
    r = dbn_harness_run_cli_english (show);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_nonnull (strstr (r.err, "[timeout] cannot reach intake"));
    g_assert_null (strstr (r.err, "无法连接"));
    dbn_cli_run_clear (&r);
    const char *status_down[] = { "--data", dir, "status", NULL };
    r = dbn_harness_run_cli (status_down);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_nonnull (strstr (r.out, "DOWN"));
    dbn_cli_run_clear (&r);
}

static JsonObject *
find_principal (JsonArray *list, const char *principal)
{
    for (guint i = 0; i < json_array_get_length (list); i++) {
        JsonObject *o = json_array_get_object_element (list, i);
        if (g_strcmp0 (json_object_get_string_member (o, "principal"), principal) == 0)
            return o;
    }
    return NULL;
}

/* `daiban keys`: files only, no service needed. */
static void
test_cli_keys (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *parent = g_dir_make_tmp ("daiban-cli-keys-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *dir = g_build_filename (parent, "data", NULL);

    const char *init[] = { "keys", "init", dir, NULL };
    DbnCliRun r = dbn_harness_run_cli (init);
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);
    const char *list[] = { "--data", dir, "keys", "list", "--json", NULL };
    r = dbn_harness_run_cli (list);
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonNode) before = parse_json (r.out);
    JsonArray *entries = json_node_get_array (before);
    g_assert_cmpuint (json_array_get_length (entries), ==, 6); /* 5 services + operator */
    g_assert_nonnull (find_principal (entries, "operator"));
    g_assert_nonnull (find_principal (entries, "service:intake"));
    dbn_cli_run_clear (&r);

    const char *add[] = { "--data", dir, "keys", "add", "station:qingshui", NULL };
    r = dbn_harness_run_cli (add);
    g_assert_cmpint (r.status, ==, 0);
    g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
    GStatBuf st;
    g_assert_cmpint (g_stat (lines[0], &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    dbn_cli_run_clear (&r);
    r = dbn_harness_run_cli (add);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "keys.exists"));
    dbn_cli_run_clear (&r);
    const char *bad[] = { "--data", dir, "keys", "add", "root", NULL };
    r = dbn_harness_run_cli (bad);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "keys.invalid-principal"));
    dbn_cli_run_clear (&r);
    /* Issue 11: the id becomes a topic, so it must be one of org.ini. */
    const char *const not_in_org[] = { "station:nosuchvillage", "window:nowhere", "supervisor:north",
                                       "service:nosuch", NULL };
    for (guint i = 0; not_in_org[i] != NULL; i++) {
        const char *add_unknown[] = { "--data", dir, "keys", "add", not_in_org[i], NULL };
        r = dbn_harness_run_cli (add_unknown);
        g_assert_cmpint (r.status, ==, 1);
        g_assert_nonnull (strstr (r.err, "org.unknown-id"));
        dbn_cli_run_clear (&r);
    }
    const char *const malformed[] = { "station:qingshui/x", "station:../../etc",
                                      "station:", "window:qing shui", NULL };
    for (guint i = 0; malformed[i] != NULL; i++) {
        const char *add_malformed[] = { "--data", dir, "keys", "add", malformed[i], NULL };
        r = dbn_harness_run_cli (add_malformed);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, "keys.invalid-principal"));
        dbn_cli_run_clear (&r);
    }
    const char *add_area[] = { "--data", dir, "keys", "add", "supervisor:east", NULL };
    r = dbn_harness_run_cli (add_area);
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);

    const char *revoke[] = { "--data", dir, "keys", "revoke", "station:qingshui", NULL };
    r = dbn_harness_run_cli (revoke);
    g_assert_cmpint (r.status, ==, 0);
    dbn_cli_run_clear (&r);
    r = dbn_harness_run_cli (list);
    g_assert_cmpint (r.status, ==, 0);
    g_autoptr (JsonNode) after = parse_json (r.out);
    JsonObject *station = find_principal (json_node_get_array (after), "station:qingshui");
    g_assert_nonnull (station);
    g_assert_true (json_object_get_boolean_member (station, "revoked"));
    g_assert_nonnull (json_object_get_string_member (station, "revoked_at"));
    g_assert_cmpuint (strlen (json_object_get_string_member (station, "public_key")), ==, 40);
    dbn_cli_run_clear (&r);
    const char *plain_list[] = { "--data", dir, "keys", "list", NULL };
    r = dbn_harness_run_cli (plain_list);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "revoked"));
    dbn_cli_run_clear (&r);
    const char *unknown[] = { "--data", dir, "keys", "revoke", "window:nobody", NULL };
    r = dbn_harness_run_cli (unknown);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "keys.not-found"));
    dbn_cli_run_clear (&r);

    /* Without keys, a command says what to do, in one line. */
    g_autofree char *empty = g_build_filename (parent, "empty", NULL);
    const char *status[] = { "--data", empty, "status", NULL };
    r = dbn_harness_run_cli (status);
    g_assert_cmpint (r.status, ==, 4);
    g_assert_nonnull (strstr (r.err, "daiban keys init"));
    dbn_cli_run_clear (&r);

    const char *rm[] = { "rm", "-rf", parent, NULL };
    g_assert_true (
        g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
}

static void
test_cli_help (void)
{
    const char *const cases[][4] = {
        { "--help", NULL },
        { "up", "--help", NULL },
        { "status", "--help", NULL },
        { "case", "--help", NULL },
        { "case", "submit", "--help", NULL },
        { "case", "show", "--help", NULL },
        { "events", "--help", NULL },
        { "keys", "--help", NULL },
        { "keys", "init", "--help", NULL },
        { "keys", "add", "--help", NULL },
        { "keys", "revoke", "--help", NULL },
        { "keys", "list", "--help", NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        DbnCliRun r = dbn_harness_run_cli (cases[i]);
        g_assert_cmpint (r.status, ==, 0);
        g_assert_true (strstr (r.out, "Usage") != NULL || strstr (r.out, "用法") != NULL);
        dbn_cli_run_clear (&r);
    }
    const char *unknown[] = { "frobnicate", NULL };
    DbnCliRun r = dbn_harness_run_cli (unknown);
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);
    const char *missing[] = { "case", "submit", "--matter", "X", NULL };
    r = dbn_harness_run_cli (missing);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--applicant"));
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-cli");
    g_test_add_func ("/cli/help", test_cli_help);
    g_test_add_func ("/cli/keys", test_cli_keys);
    g_test_add_func ("/cli/end-to-end", test_cli_end_to_end);
    return g_test_run ();
}
