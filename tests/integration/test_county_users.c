/* test_county_users: issue 16 item 1, county departments as users, through
 * `daiban` and the real intake and routing services. A case escalated to the
 * county civil-affairs bureau (县民政局, county:minzheng) is in that
 * department's queue (`queue county minzheng`, topic c/minzheng/); the
 * department answers it with its own key and the timeline names it. Another
 * department neither reads nor answers it, and a department does nothing
 * but answer. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "dbn_test_harness.h"

/* `daiban --data DIR [--key KEY] args...`: asserts the exit status; stdout on
 * success, else stderr (in English, with the refusal's detail). */
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

static char *
first_line (char *text)
{
    g_auto (GStrv) lines = g_strsplit (text, "\n", 2);
    g_free (text);
    return g_strdup (lines[0]);
}

/* The rows of `queue KIND ID --json` as key reads them. */
static JsonArray *
queue_rows (const char *dir, const char *key, const char *kind, const char *id, JsonNode **keep)
{
    g_autofree char *out = daiban_as (dir, key, 0, (const char *[]){ "queue", kind, id, "--json", NULL });
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    *keep = json_node_copy (json_parser_get_root (parser));
    return json_object_get_array_member (json_node_get_object (*keep), "items");
}

static JsonObject *
find_row (JsonArray *rows, const char *case_no)
{
    for (guint i = 0; i < json_array_get_length (rows); i++) {
        JsonObject *row = json_array_get_object_element (rows, i);
        if (g_strcmp0 (json_object_get_string_member (row, "case"), case_no) == 0)
            return row;
    }
    return NULL;
}

/* A 上报件 (MZ-WUBAO, decided by 县民政局) from station qingshui, carried,
 * received, classified, assigned and escalated by the operator. */
static char *
escalated_case (const char *dir, guint n)
{
    g_autofree char *id = dbn_test_id_number (n);
    g_autofree char *applicant = g_strdup_printf ("孙七%u", n);
    char *case_no = first_line (daiban_as (
        dir, NULL, 0,
        (const char *[]){ "case", "submit", "--matter", "MZ-WUBAO", "--applicant", applicant, "--id-number",
                          id, "--phone", "13800138090", "--village", "qingshui", "--materials",
                          "申请书,户口簿,身份证,本人劳动能力和收入状况说明", "--consent", NULL }));
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (JsonNode) keep = NULL;
        if (find_row (queue_rows (dir, NULL, "window", "minzheng", &keep), case_no) != NULL)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
    g_autofree char *sheet =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "runsheet", "new", "qingshui", NULL }));
    g_free (daiban_as (dir, NULL, 0, (const char *[]){ "runsheet", "ack", sheet, case_no, NULL }));
    g_free (daiban_as (dir, NULL, 0,
                       (const char *[]){ "case", "classify", case_no, "--kind", "escalated", "--reason",
                                         "县级审批事项", NULL }));
    g_free (daiban_as (dir, NULL, 0, (const char *[]){ "case", "assign", case_no, NULL }));
    g_free (daiban_as (dir, NULL, 0, (const char *[]){ "case", "escalate", case_no, NULL }));
    return case_no;
}

static void
assert_forbidden (const char *err)
{
    if (strstr (err, "[forbidden]") == NULL)
        g_error ("not refused as forbidden: %s", err);
}

/* The department's own clock of case_no in `deadline queue county DEPT`
 * as key reads it (D-DL-3), polled until present (want) or gone. */
static gboolean
wait_department_clock (const char *dir, const char *key, const char *dept, const char *case_no, gboolean want,
                       char **due_out, gint64 *remaining_out)
{
    gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < until) {
        g_autofree char *out =
            daiban_as (dir, key, 0, (const char *[]){ "deadline", "queue", "county", dept, "--json", NULL });
        g_autoptr (JsonParser) parser = json_parser_new ();
        g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
        JsonArray *rows = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "items");
        JsonObject *row = find_row (rows, case_no);
        if (want && row != NULL) {
            g_assert_cmpstr (json_object_get_string_member (row, "clock"), ==, "department");
            g_assert_cmpstr (json_object_get_string_member (row, "rule"), ==, "D-DL-3");
            *due_out = g_strdup (json_object_get_string_member (row, "due"));
            g_assert_cmpstr (json_object_get_string_member (row, "unit"), ==, "working");
            g_assert_cmpstr (json_object_get_string_member (row, "stage"), ==, "none");
            *remaining_out = json_object_get_int_member_with_default (row, "remaining", -1);
            return TRUE;
        }
        if (!want && row == NULL)
            return TRUE;
        g_usleep (50 * 1000);
    }
    return FALSE;
}

static void
test_county_answers (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autofree char *bureau =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", "county:minzheng", NULL }));
    g_autofree char *other =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", "county:canlian", NULL }));
    g_assert_true (g_str_has_suffix (bureau, "/keys/county-minzheng.secret"));
    g_autofree char *unknown =
        daiban_as (dir, NULL, 1, (const char *[]){ "keys", "add", "county:nope", NULL });
    g_assert_nonnull (strstr (unknown, "[org.unknown-id]"));
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *deadline = dbn_harness_start_service (h, "deadline");

    g_autofree char *n = escalated_case (dir, 91);
    /* D-DL-3: the department's own clock, 3 working days from the
     * escalation, in its deadline queue; another department's is not its. */
    {
        g_autofree char *due = NULL;
        gint64 remaining = -1;
        g_assert_true (wait_department_clock (dir, bureau, "minzheng", n, TRUE, &due, &remaining));
        g_assert_nonnull (due);
        g_assert_cmpint (remaining, ==, -1); /* running, not stopped */
        /* The same date as the case's department clock itself. */
        g_autofree char *clocks =
            daiban_as (dir, bureau, 0, (const char *[]){ "deadline", "queue", "county", "minzheng", NULL });
        g_assert_nonnull (strstr (clocks, due));
        g_autofree char *theirs =
            daiban_as (dir, other, 1, (const char *[]){ "deadline", "queue", "county", "minzheng", NULL });
        assert_forbidden (theirs);
        g_autofree char *none = NULL;
        g_assert_true (wait_department_clock (dir, other, "canlian", n, FALSE, &none, &remaining));
    }
    /* The bureau's queue holds it, escalated, with its township's station. */
    {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *row = find_row (queue_rows (dir, bureau, "county", "minzheng", &keep), n);
        g_assert_nonnull (row);
        g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "escalated");
        g_assert_cmpstr (json_object_get_string_member (row, "holder"), ==, "county:minzheng");
        g_assert_cmpstr (json_object_get_string_member (row, "station"), ==, "qingshui");
    }
    /* Another department: not its queue, not its case. */
    g_autofree char *other_queue =
        daiban_as (dir, other, 1, (const char *[]){ "queue", "county", "minzheng", NULL });
    assert_forbidden (other_queue);
    {
        g_autoptr (JsonNode) keep = NULL;
        g_assert_null (find_row (queue_rows (dir, other, "county", "canlian", &keep), n));
    }
    g_autofree char *other_answer =
        daiban_as (dir, other, 1,
                   (const char *[]){ "case", "county-answer", n, "--answer", "同意", "--approved", NULL });
    assert_forbidden (other_answer);
    /* A department answers; it does not handle. */
    g_autofree char *bureau_classify = daiban_as (
        dir, bureau, 1,
        (const char *[]){ "case", "classify", n, "--kind", "committed", "--reason", "改分类", NULL });
    assert_forbidden (bureau_classify);
    g_autofree char *bureau_window =
        daiban_as (dir, bureau, 1, (const char *[]){ "queue", "window", "minzheng", NULL });
    assert_forbidden (bureau_window);

    g_free (daiban_as (dir, bureau, 0,
                       (const char *[]){ "case", "county-answer", n, "--answer", "经审核，同意纳入特困供养",
                                         "--approved", NULL }));
    /* Answered: the department's clock met, the case leaves its deadline queue. */
    {
        g_autofree char *none = NULL;
        gint64 remaining = 0;
        g_assert_true (wait_department_clock (dir, bureau, "minzheng", n, FALSE, &none, &remaining));
    }
    g_autofree char *timeline =
        daiban_as (dir, NULL, 0, (const char *[]){ "case", "timeline", n, "--json", NULL });
    g_assert_nonnull (strstr (timeline, "county:minzheng"));
    g_assert_nonnull (strstr (timeline, "经审核，同意纳入特困供养"));
    {
        /* Back with whoever escalated it; still on the bureau's list, answered. */
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *row = find_row (queue_rows (dir, bureau, "county", "minzheng", &keep), n);
        g_assert_nonnull (row);
        g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "county_answered");
    }
    /* Answered once: the bureau no longer holds it. */
    g_autofree char *again =
        daiban_as (dir, bureau, 1,
                   (const char *[]){ "case", "county-answer", n, "--answer", "再答", "--refused", NULL });
    assert_forbidden (again);

    g_assert_true (dbn_harness_stop (deadline, 10000));
    g_object_unref (deadline);
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

/* Issue 16: one county key in several townships' registries. The key is
 * made once (here in township A's folder, as on the county's PC), exported,
 * and imported into township B: B's routing answers the same secret. */
static void
test_county_key_imported (void)
{
    g_autoptr (DbnHarness) a = dbn_harness_new (FALSE);
    g_autoptr (DbnHarness) b = dbn_harness_new (FALSE);
    const char *dir_a = dbn_harness_get_data_dir (a);
    const char *dir_b = dbn_harness_get_data_dir (b);
    g_autofree char *bureau =
        first_line (daiban_as (dir_a, NULL, 0, (const char *[]){ "keys", "add", "county:minzheng", NULL }));
    g_autofree char *exported =
        first_line (daiban_as (dir_a, NULL, 0, (const char *[]){ "keys", "export", "county:minzheng", NULL }));
    g_auto (GStrv) parts = g_strsplit (exported, " ", 2);
    g_assert_cmpstr (parts[0], ==, "county:minzheng");
    g_assert_cmpuint (strlen (parts[1]), ==, 40);
    g_assert_null (strstr (exported, "secret"));

    GSubprocess *intake = dbn_harness_start_service (b, "intake");
    GSubprocess *routing = dbn_harness_start_service (b, "routing");
    g_autofree char *imported =
        daiban_as (dir_b, NULL, 0, (const char *[]){ "keys", "import", parts[0], parts[1], NULL });
    g_assert_nonnull (strstr (imported, "imported"));
    g_autofree char *again = daiban_as (dir_b, NULL, 0, (const char *[]){ "keys", "import", parts[0], parts[1], NULL });
    g_assert_nonnull (strstr (again, "already has this key"));
    /* Another key under the same name, a service's key, an id B's org.ini
     * lacks and a malformed key are all refused. */
    g_autofree char *other =
        first_line (daiban_as (dir_a, NULL, 0, (const char *[]){ "keys", "add", "county:canlian", NULL }));
    g_autofree char *other_line =
        first_line (daiban_as (dir_a, NULL, 0, (const char *[]){ "keys", "export", "county:canlian", NULL }));
    g_auto (GStrv) other_parts = g_strsplit (other_line, " ", 2);
    g_autofree char *clash =
        daiban_as (dir_b, NULL, 1, (const char *[]){ "keys", "import", "county:minzheng", other_parts[1], NULL });
    g_assert_nonnull (strstr (clash, "[keys.exists]"));
    g_autofree char *service =
        daiban_as (dir_b, NULL, 2, (const char *[]){ "keys", "import", "service:intake", parts[1], NULL });
    g_assert_nonnull (strstr (service, "[keys.invalid-principal]"));
    g_autofree char *nope =
        daiban_as (dir_b, NULL, 1, (const char *[]){ "keys", "import", "county:nope", parts[1], NULL });
    g_assert_nonnull (strstr (nope, "[org.unknown-id]"));
    g_autofree char *bad =
        daiban_as (dir_b, NULL, 4, (const char *[]){ "keys", "import", "county:canlian", "short", NULL });
    g_assert_nonnull (strstr (bad, "[keys.read]"));
    /* One key in 85 begins with '-' (Z85 has it), one in 7,225 with "--":
     * imported as given, or after "--", never read as options. */
    static const char *const dashed[][2] = {
        { "county:canlian", "-u(/gL[Y}>8[1Yx*toY/*YO@jt@j=N18k(5C3yY)" },
        { "county:tuiyi", "--NSO<UhKc4h-rxT}CR:N<I!>Q>tH3z[kF/<&d$r" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (dashed); i++) {
        g_autofree char *plain =
            daiban_as (dir_b, NULL, 0, (const char *[]){ "keys", "import", dashed[i][0], dashed[i][1], NULL });
        g_assert_nonnull (strstr (plain, "imported"));
        g_autofree char *after_dashes = daiban_as (
            dir_b, NULL, 0, (const char *[]){ "keys", "import", dashed[i][0], "--", dashed[i][1], NULL });
        g_assert_nonnull (strstr (after_dashes, "already has this key"));
    }
    /* The secret made for A now works on B: routing answers the queue. */
    g_autoptr (JsonNode) keep = NULL;
    JsonArray *rows = NULL;
    for (int i = 0; i < 50 && rows == NULL; i++) {
        g_autofree char *args_dir = g_strdup (dir_b);
        const char *argv[] = { "--data", args_dir, "--key", bureau, "queue", "county", "minzheng",
                               "--json", NULL };
        DbnCliRun r = dbn_harness_run_cli (argv);
        if (r.status == 0) {
            g_autoptr (JsonParser) parser = json_parser_new ();
            g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
            keep = json_node_copy (json_parser_get_root (parser));
            rows = json_object_get_array_member (json_node_get_object (keep), "items");
        } else {
            g_usleep (100000); /* the registry is re-read within 500 ms */
        }
        dbn_cli_run_clear (&r);
    }
    g_assert_nonnull (rows);
    (void) other;
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

static void
test_county_topic (void)
{
    g_autofree char *own = dbn_auth_grant_subscription ("county:minzheng", "c/minzheng/");
    g_assert_cmpstr (own, ==, "c/minzheng/");
    g_autofree char *other = dbn_auth_grant_subscription ("county:minzheng", "c/canlian/");
    g_assert_null (other);
    g_autofree char *window = dbn_auth_grant_subscription ("county:minzheng", "q/minzheng/");
    g_assert_null (window);
    g_autofree char *sync_topic = dbn_auth_dup_own_topic ("county:minzheng");
    g_assert_cmpstr (sync_topic, ==, "c/minzheng/");
    g_assert_cmpint (dbn_principal_get_kind ("county:minzheng"), ==, DBN_PRINCIPAL_COUNTY);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/routing/D-RTE-1/county-department-answers", test_county_answers);
    g_test_add_func ("/routing/D-RTE-1/county-topic", test_county_topic);
    g_test_add_func ("/routing/D-RTE-1/county-key-imported-in-two-townships", test_county_key_imported);
    return g_test_run ();
}
