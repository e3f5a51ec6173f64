/* test_group_handover: issue 16 item 2, group agents (组代办员) as users,
 * through `daiban` and the real intake, routing and evaluation services.
 *
 * A group:qs-liu key (刘大山, 一组 of 清水村, org.ini) hands a request to its
 * station; the station sees it "from group 一组" (handover.pending on its
 * own topic, and `handover list`), accepts it only with the applicant's
 * consent recorded at the station (D-INT-2), and the usual intake follows
 * (a case, accepted by the station, D-INT-3/D-INT-6). Another request is
 * sent back with its reason, which the group agent reads. The group key
 * does nothing else, and another station never sees the handover. The
 * evaluation service records the accepted case as the group agent's
 * (D-EV-3: its quota; the counting itself is test_evaluation's
 * /evaluation/D-EV-3/group-handover-counts-for-group-agent). */
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "dbn_test_harness.h"

/* `daiban --data DIR [--key KEY] args...`: asserts the exit status; stdout on
 * success, else stderr (in English, with the refusal's code). */
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

static void
assert_code (const char *err, const char *code)
{
    g_autofree char *bracketed = g_strdup_printf ("[%s]", code);
    if (strstr (err, bracketed) == NULL)
        g_error ("not refused as %s: %s", code, err);
}

/* A group agent's handover of MZ-WUBAO with every material; its number. */
static char *
hand_over (const char *dir, const char *group_key, guint n)
{
    g_autofree char *id = dbn_test_id_number (n);
    g_autofree char *applicant = g_strdup_printf ("周八%u", n);
    g_autofree char *out =
        daiban_as (dir, group_key, 0,
                   (const char *[]){ "handover", "submit", "--matter", "MZ-WUBAO", "--applicant", applicant,
                                     "--id-number", id, "--phone", "13800138091", "--materials",
                                     "申请书,户口簿,身份证,本人劳动能力和收入状况说明", "--note",
                                     "行动不便，托组长转交", NULL });
    g_assert_nonnull (strstr (out, "代办站 station: qingshui"));
    return first_line (g_steal_pointer (&out));
}

/* The handover items `handover list STATION --json` gives key. */
static JsonNode *
handovers (const char *dir, const char *key, const char *station)
{
    g_autofree char *out =
        daiban_as (dir, key, 0, (const char *[]){ "handover", "list", station, "--json", NULL });
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
find_handover (JsonNode *list, const char *number)
{
    JsonArray *items = json_node_get_array (list);
    for (guint i = 0; i < json_array_get_length (items); i++) {
        JsonObject *o = json_array_get_object_element (items, i);
        if (g_strcmp0 (json_object_get_string_member (o, "handover"), number) == 0)
            return o;
    }
    return NULL;
}

/* The group agent evaluation recorded for case_no (NULL when none), read
 * from its SQLite file (WAL: a reader beside the running service). */
static char *
evaluation_group_agent (const char *dir, const char *case_no)
{
    g_autofree char *path = g_build_filename (dir, "evaluation.db", NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (
        sqlite3_prepare_v2 (db, "SELECT agent FROM ev_group_case WHERE case_no = ?1", -1, &st, NULL), ==,
        SQLITE_OK);
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    char *agent =
        sqlite3_step (st) == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (st, 0)) : NULL;
    sqlite3_finalize (st);
    sqlite3_close (db);
    return agent;
}

static void
test_group_hands_over (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autofree char *group =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", "group:qs-liu", NULL }));
    g_assert_true (g_str_has_suffix (group, "/keys/group-qs-liu.secret"));
    g_autofree char *station =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", "station:qingshui", NULL }));
    g_autofree char *other_station =
        first_line (daiban_as (dir, NULL, 0, (const char *[]){ "keys", "add", "station:baiyun", NULL }));
    /* qs-zhang is a village agent, not a group's: no group key. */
    g_autofree char *not_group =
        daiban_as (dir, NULL, 1, (const char *[]){ "keys", "add", "group:qs-zhang", NULL });
    assert_code (not_group, "org.unknown-id");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *evaluation = dbn_harness_start_service (h, "evaluation");

    g_autofree char *first = hand_over (dir, group, 31);
    /* The group agent hands over; it does not take requests itself. */
    g_autofree char *id = dbn_test_id_number (32);
    g_autofree char *direct =
        daiban_as (dir, group, 1,
                   (const char *[]){ "case", "submit", "--matter", "MZ-WUBAO", "--applicant", "周八",
                                     "--id-number", id, "--phone", "13800138091", "--village", "qingshui",
                                     "--materials", "申请书", "--consent", NULL });
    assert_code (direct, "forbidden");
    /* A bad ID number never reaches the station. */
    g_autofree char *bad =
        daiban_as (dir, group, 1,
                   (const char *[]){ "handover", "submit", "--matter", "MZ-WUBAO", "--applicant", "周八",
                                     "--id-number", "110101199003070000", "--phone", "13800138091", NULL });
    assert_code (bad, "intake.bad-id-number");

    /* The station sees it from group 一组, pending, on its own feed too. */
    {
        g_autoptr (JsonNode) list = handovers (dir, station, "qingshui");
        g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
        JsonObject *o = find_handover (list, first);
        g_assert_nonnull (o);
        g_assert_cmpstr (json_object_get_string_member (o, "group_agent"), ==, "qs-liu");
        g_assert_cmpstr (json_object_get_string_member (o, "group_name"), ==, "一组");
        g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "pending");
        g_autofree char *text =
            daiban_as (dir, station, 0, (const char *[]){ "handover", "list", "qingshui", NULL });
        g_assert_nonnull (strstr (text, "来自一组 (qs-liu) from group 一组"));
        g_autofree char *feed =
            daiban_as (dir, station, 0, (const char *[]){ "events", "intake", "--json", NULL });
        g_assert_nonnull (strstr (feed, "\"handover.pending\""));
        g_assert_nonnull (strstr (feed, "一组"));
    }
    /* Another station, and the group for another station, see nothing. */
    g_autofree char *foreign =
        daiban_as (dir, other_station, 1, (const char *[]){ "handover", "list", "qingshui", NULL });
    assert_code (foreign, "forbidden");
    g_autofree char *foreign_accept =
        daiban_as (dir, other_station, 1, (const char *[]){ "handover", "accept", first, "--consent", NULL });
    assert_code (foreign_accept, "forbidden");
    g_autofree char *group_elsewhere =
        daiban_as (dir, group, 1, (const char *[]){ "handover", "list", "baiyun", NULL });
    assert_code (group_elsewhere, "forbidden");
    g_autofree char *group_accepts =
        daiban_as (dir, group, 1, (const char *[]){ "handover", "accept", first, "--consent", NULL });
    assert_code (group_accepts, "forbidden");

    /* D-INT-2: without the applicant's consent at the station, nothing is
     * accepted and the handover still waits. */
    g_autofree char *no_consent =
        daiban_as (dir, station, 1, (const char *[]){ "handover", "accept", first, NULL });
    assert_code (no_consent, "intake.no-consent");
    {
        g_autoptr (JsonNode) list = handovers (dir, station, "qingshui");
        g_assert_cmpstr (json_object_get_string_member (find_handover (list, first), "state"), ==, "pending");
    }
    g_autofree char *case_no = first_line (
        daiban_as (dir, station, 0, (const char *[]){ "handover", "accept", first, "--consent", NULL }));
    g_assert_true (g_str_has_prefix (case_no, "T01-"));
    /* The usual intake: the station accepted it and stays responsible. */
    g_autofree char *shown =
        daiban_as (dir, station, 0, (const char *[]){ "case", "show", case_no, "--json", NULL });
    {
        g_autoptr (JsonParser) parser = json_parser_new ();
        g_assert_true (json_parser_load_from_data (parser, shown, -1, NULL));
        JsonObject *c = json_node_get_object (json_parser_get_root (parser));
        g_assert_cmpstr (json_object_get_string_member (c, "accepted_by"), ==, "station:qingshui");
        g_assert_cmpstr (json_object_get_string_member (c, "channel"), ==, "station");
        g_assert_cmpstr (json_object_get_string_member (c, "state"), ==, "accepted");
        g_assert_cmpstr (json_object_get_string_member (c, "note"), ==, "行动不便，托组长转交");
    }
    g_autofree char *twice =
        daiban_as (dir, station, 1, (const char *[]){ "handover", "accept", first, "--consent", NULL });
    assert_code (twice, "invalid");
    {
        g_autoptr (JsonNode) list = handovers (dir, group, "qingshui");
        JsonObject *o = find_handover (list, first);
        g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "accepted");
        g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, case_no);
    }

    /* Sent back with a reason, which the group agent reads. */
    g_autofree char *second = hand_over (dir, group, 33);
    g_autofree char *no_reason =
        daiban_as (dir, station, 1, (const char *[]){ "handover", "return", second, "--reason", "", NULL });
    assert_code (no_reason, "invalid");
    g_free (daiban_as (dir, station, 0,
                       (const char *[]){ "handover", "return", second, "--reason",
                                         "申请人已迁出本村，请到新住地申请", NULL }));
    {
        g_autoptr (JsonNode) list = handovers (dir, group, "qingshui");
        g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
        JsonObject *o = find_handover (list, second);
        g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "returned");
        g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "申请人已迁出本村，请到新住地申请");
    }
    g_autofree char *accept_returned =
        daiban_as (dir, station, 1, (const char *[]){ "handover", "accept", second, "--consent", NULL });
    assert_code (accept_returned, "invalid");

    /* D-EV-3: evaluation follows intake's journal and records the case as
     * the group agent's; it has it once the row is there (bounded wait). */
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *agent = evaluation_group_agent (dir, case_no);
        if (agent != NULL) {
            g_assert_cmpstr (agent, ==, "qs-liu");
            break;
        }
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
    g_assert_true (dbn_harness_stop (evaluation, 10000));

    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (evaluation);
    g_object_unref (routing);
    g_object_unref (intake);
}

static void
test_group_principal (void)
{
    g_assert_cmpint (dbn_principal_get_kind ("group:qs-liu"), ==, DBN_PRINCIPAL_GROUP);
    /* No feed of its own: a group agent reads only its own handovers. */
    g_autofree char *station_topic = dbn_auth_grant_subscription ("group:qs-liu", "s/qingshui/");
    g_assert_null (station_topic);
    g_autofree char *own = dbn_auth_dup_own_topic ("group:qs-liu");
    g_assert_null (own);
    g_assert_false (dbn_auth_may_read_queue ("group:qs-liu", "station", "qingshui", NULL));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/intake/D-INT-2/group-agent-hands-over-station-accepts-or-returns",
                     test_group_hands_over);
    g_test_add_func ("/intake/D-INT-2/group-principal-reads-no-feed", test_group_principal);
    return g_test_run ();
}
