/* test_intake_more: issue 4's intake remainder, end to end through the real
 * daiban-intake and daiban-routing processes with CURVE on.
 *
 *   /intake/D-CAT-3/...    catalog reload: an edited file is put in force in
 *                          both services without a restart; a broken file is
 *                          refused with its line and the old catalog serves on.
 *   /intake/D-INT-4/...    a case awaiting materials resumes when they arrive
 *                          (case.materials_supplemented → routing's case.resumed).
 *   /intake/D-INT-5/...    refusal at intake with a written reason and where to
 *                          apply instead (case.refused).
 *   /intake/D-INT-7/...    a window takes walk-in and phone requests; the case
 *                          starts at the centre in the window's hands.
 *   /intake/D-INT-2/...    a matter marked private is not proxied by a station.
 *   /intake/D-INT-3/...    the logbook of a village: acceptances and refusals.
 *   /intake/D-INT-1/...    a household visit's need becomes a request in one step;
 *                          the must-visit list (三必访): due and overdue by interval.
 *   /routing/D-INT-8/...   a petition's events reach its station and its window,
 *                          never the area's topic; other windows and the area's
 *                          supervisor cannot read it.
 *   /routing/queue/...     queue snapshots in pages (keyset paging).
 *   /cli/D-RPL-3/...       the result notice, and accepting a case again (D-RPL-2).
 *   /intake/D-RPL-4/...    intake follows routing's journal: a case routing
 *                          replied to, archived or returned takes no supplement.
 *   /intake/D-RPL-2/...    only a case that was replied to is accepted again.
 *
 * Errors of intake are not registered in this process (they live in the
 * service binary), so their wire code is matched in the message, where
 * dbn_error_new_from_wire keeps it as "[code]".
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <zmq.h>

#include "dbn_test_harness.h"
#include "routing_machine.h"

#define CALL_MS 5000

static const char *const principals[] = {
    "station:qingshui",
    "station:shiqiao",
    "window:jisheng",
    "window:xinfang",
    "supervisor:east",
    "committee",
    NULL,
};

typedef struct {
    DbnHarness *harness;
    GSubprocess *intake;
    GSubprocess *routing;
    GHashTable *buses; /* principal → DbnBus* */
    GHashTable *keys;  /* principal → secret key path */
    guint n_keys;      /* unique idempotency keys and ID numbers */
    char *catalog;     /* the data folder's copy of the catalog */
    char *clock_file;  /* DAIBAN_CLOCK_FILE, when the test moves time */
} Fixture;

/* The catalog is copied into the data folder and daiban.conf points at the
 * copy, so a test can edit it (D-CAT-3). */
static void
use_catalog_copy (Fixture *f)
{
    const char *dir = dbn_harness_get_data_dir (f->harness);
    g_autofree char *source = g_build_filename (DBN_SOURCE_DIR, "schemas", "data", "catalog.ini", NULL);
    g_autofree char *text = NULL;
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_get_contents (source, &text, NULL, &error));
    f->catalog = g_build_filename (dir, "catalog.ini", NULL);
    g_assert_true (g_file_set_contents (f->catalog, text, -1, &error));
    g_autofree char *conf_path = g_build_filename (dir, "daiban.conf", NULL);
    g_autofree char *conf = NULL;
    g_assert_true (g_file_get_contents (conf_path, &conf, NULL, &error));
    g_autoptr (GRegex) line = g_regex_new ("^catalog = .*$", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *edited = g_regex_replace_literal (line, conf, -1, 0, "catalog = catalog.ini", 0, NULL);
    g_assert_true (g_file_set_contents (conf_path, edited, -1, &error));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    use_catalog_copy (f);
    if (data != NULL) {
        /* The services' clock from a file, from the start (D-INT-1's due dates). */
        f->clock_file = g_build_filename (dbn_harness_get_data_dir (f->harness), "clock", NULL);
        g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", *(const gint64 *) data);
        g_assert_true (g_file_set_contents (f->clock_file, text, -1, NULL));
        g_setenv ("DAIBAN_CLOCK_FILE", f->clock_file, TRUE);
    }
    f->buses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dbn_bus_free);
    f->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    for (int i = 0; principals[i] != NULL; i++) {
        char *key = dbn_harness_add_key (f->harness, principals[i]);
        g_hash_table_insert (f->keys, (gpointer) principals[i], key);
        g_hash_table_insert (f->buses, (gpointer) principals[i], dbn_harness_new_bus (f->harness, key));
    }
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_hash_table_unref (f->buses);
    g_hash_table_unref (f->keys);
    g_free (f->catalog);
    if (f->clock_file != NULL)
        g_unsetenv ("DAIBAN_CLOCK_FILE");
    g_free (f->clock_file);
    dbn_harness_free (f->harness);
}

static char *
next_key (Fixture *f)
{
    return g_strdup_printf ("more-%u", ++f->n_keys);
}

/* A command as principal (NULL: the operator); the reply or NULL + error. */
static GBytes *
call_as (Fixture *f, const char *principal, const char *service, GBytes *body, GError **error)
{
    if (principal == NULL)
        return dbn_harness_call (f->harness, service, body, CALL_MS, error);
    DbnBus *bus = g_hash_table_lookup (f->buses, principal);
    g_assert_nonnull (bus);
    return dbn_harness_call_on (f->harness, bus, service, body, CALL_MS, error);
}

/* The error carries intake's wire code (see the file's comment). */
static void
assert_wire_code (const GError *error, const char *code)
{
    g_assert_nonnull (error);
    g_autofree char *bracketed = g_strdup_printf ("[%s]", code);
    if (!dbn_error_matches_wire (error, code) && strstr (error->message, bracketed) == NULL)
        g_error ("expected [%s], got: %s", code, error->message);
}

/* ---- intake ---- */

static GBytes *
submit_body (Fixture *f, const char *matter, gboolean complete, const char *channel)
{
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 1000 + f->n_keys, complete);
    g_free (m->matter);
    m->matter = g_strdup (matter);
    m->channel = g_strdup (channel);
    if (g_strcmp0 (matter, "JS-ZHUNSHENG") != 0 && g_strcmp0 (matter, "XX-NEW") != 0) {
        g_strfreev (m->materials);
        m->materials = g_strsplit (
            g_strcmp0 (matter, "QT-XINFANG") == 0 ? "信访事项书面材料或口述记录|身份证" : "", "|", -1);
    }
    return dbn_msg_intake_submit_encode (m, NULL);
}

static DbnMsgIntakeSubmitReply *
submit_as (Fixture *f, const char *principal, GBytes *body, GError **error)
{
    g_autoptr (GBytes) reply = call_as (f, principal, "intake", body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                               error);
}

static char *
submit (Fixture *f, const char *principal, const char *matter, gboolean complete, const char *channel)
{
    g_autoptr (GBytes) body = submit_body (f, matter, complete, channel);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_as (f, principal, body, &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

static DbnMsgRoutingCaseGetReply *
case_get_as (Fixture *f, const char *principal, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = next_key (f);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, "routing", body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                  error);
}

/* Routing follows intake's journal: wait until its case satisfies state
 * (NULL: exists at all). */
static DbnMsgRoutingCaseGetReply *
wait_routed (Fixture *f, const char *case_no, const char *state)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (GError) error = NULL;
        DbnMsgRoutingCaseGetReply *c = case_get_as (f, NULL, case_no, &error);
        if (c != NULL && (state == NULL || g_strcmp0 (c->state, state) == 0))
            return c;
        if (c == NULL)
            g_assert_true (g_error_matches (error, DBN_ERROR, DBN_ERROR_NOT_FOUND));
        dbn_msg_routing_case_get_reply_free (c);
        g_usleep (10 * 1000); /* intake's event is on its way; poll */
    }
    g_error ("routing never had %s in state %s", case_no, state ? state : "any");
}

/* The types of the case's routing timeline, joined by ' '. */
static char *
timeline_types (const DbnMsgRoutingCaseGetReply *c)
{
    GString *s = g_string_new (NULL);
    for (guint i = 0; i < c->timeline->len; i++) {
        GBytes *frame = g_ptr_array_index (c->timeline, i);
        DbnEnvEvent env = { 0 };
        g_assert_true (
            dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env, NULL));
        g_string_append_printf (s, "%s%s", s->len ? " " : "", env.type);
        dbn_env_event_clear (&env);
    }
    return g_string_free (s, FALSE);
}

/* Every event of intake's journal (sys.sync from 0). */
static GPtrArray *
intake_journal (Fixture *f)
{
    g_autoptr (DbnMsgSysSync) m = dbn_msg_sys_sync_new ();
    m->env.key = next_key (f);
    m->after = 0;
    g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = call_as (f, NULL, "intake", body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgSysSyncReply) r =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_ptr_array_ref (r->events);
}

/* The last event of intake's journal of type, decoded as JSON. */
static JsonObject *
last_intake_event (Fixture *f, const char *type, JsonNode **keep)
{
    g_autoptr (GPtrArray) events = intake_journal (f);
    for (guint i = events->len; i > 0; i--) {
        GBytes *frame = g_ptr_array_index (events, i - 1);
        g_autofree char *text =
            dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);
        g_autoptr (JsonNode) node = json_from_string (text, NULL);
        JsonObject *o = json_node_get_object (node);
        if (g_strcmp0 (json_object_get_string_member (o, "type"), type) == 0) {
            *keep = g_steal_pointer (&node);
            return json_node_get_object (*keep);
        }
    }
    g_error ("no %s in intake's journal", type);
}

static DbnMsgCatalogReloadReply *
reload (Fixture *f, const char *principal, const char *service, GError **error)
{
    g_autoptr (DbnMsgCatalogReload) m = dbn_msg_catalog_reload_new ();
    m->env.key = next_key (f);
    g_autoptr (GBytes) body = dbn_msg_catalog_reload_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, service, body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_catalog_reload_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                error);
}

/* ---- D-CAT-3 ---- */

static const char new_matter[] = "\n[matter:XX-NEW]\n"
                                 "category = jisheng\n"
                                 "name_zh = 新增测试事项\n"
                                 "name_en = A matter added by editing the file\n"
                                 "materials = 夫妻双方身份证;户口簿;结婚证\n"
                                 "level = township\n"
                                 "departments = 乡计生办\n"
                                 "window = jisheng\n"
                                 "kind = committed\n"
                                 "limit_days = 3\n"
                                 "presence = false\n"
                                 "fee_fen = 0\n";

static void
append_to_catalog (Fixture *f, const char *text)
{
    g_autofree char *old = NULL;
    g_assert_true (g_file_get_contents (f->catalog, &old, NULL, NULL));
    g_autofree char *joined = g_strconcat (old, text, NULL);
    g_assert_true (g_file_set_contents (f->catalog, joined, -1, NULL));
}

static guint
count_lines (const char *path)
{
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    guint n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void
test_catalog_reload (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    /* Before the edit: no such matter. */
    g_autoptr (GBytes) early = submit_body (f, "XX-NEW", TRUE, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) refused = submit_as (f, "station:qingshui", early, &error);
    g_assert_null (refused);
    assert_wire_code (error, "intake.unknown-matter");
    g_clear_error (&error);

    /* D-CAT-3: edit the file, reload both services, no restart. */
    append_to_catalog (f, new_matter);
    guint n_before = 30;
    for (int i = 0; i < 2; i++) {
        const char *service = i == 0 ? "intake" : "routing";
        /* Only the operator or a supervisor reloads. */
        g_autoptr (DbnMsgCatalogReloadReply) no = reload (f, "station:qingshui", service, &error);
        g_assert_null (no);
        g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
        g_clear_error (&error);
        g_autoptr (DbnMsgCatalogReloadReply) r =
            reload (f, i == 0 ? NULL : "supervisor:east", service, &error);
        g_assert_no_error (error);
        g_assert_cmpint (r->matters, ==, n_before + 1);
        g_assert_cmpstr (r->path, ==, f->catalog);
    }
    g_autofree char *n = submit (f, "station:qingshui", "XX-NEW", TRUE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) c = wait_routed (f, n, NULL);
    /* Routing routes it by the new entry: its window and kind. */
    g_assert_cmpstr (c->window, ==, "jisheng");
    g_assert_cmpstr (c->kind, ==, "committed");
    g_assert_cmpstr (c->matter_name, ==, "新增测试事项");

    /* A broken file: a value breaking a rule, on a known line. */
    guint bad_line = count_lines (f->catalog) + 2;
    append_to_catalog (f, "\n[matter:XX-BAD]\nlevel = galaxy\n");
    for (int i = 0; i < 2; i++) {
        const char *service = i == 0 ? "intake" : "routing";
        g_autoptr (DbnMsgCatalogReloadReply) r = reload (f, NULL, service, &error);
        g_assert_null (r);
        g_assert_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_INVALID);
        g_autofree char *where = g_strdup_printf ("catalog.ini:%u: [matter:XX-BAD]", bad_line);
        if (strstr (error->message, where) == NULL)
            g_error ("the refusal does not name line %u: %s", bad_line, error->message);
        g_clear_error (&error);
    }
    /* Not a key file at all: refused with its line too. */
    g_assert_true (
        g_file_set_contents (f->catalog, "[category:x]\nname_zh = 甲\nthis is no key file\n", -1, NULL));
    g_autoptr (DbnMsgCatalogReloadReply) parse = reload (f, NULL, "intake", &error);
    g_assert_null (parse);
    g_assert_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "catalog.ini:3: "));
    g_clear_error (&error);
    /* The CLI says the same, with the stable code, and exits 1. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run = dbn_harness_run_cli ((const char *[]){ "catalog", "reload", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 1);
    /* In Chinese (the default): the sentence and the file's line, once. */
    g_assert_nonnull (strstr (run.err, "[catalog.parse] 事项清单文件格式有误（"));
    g_assert_nonnull (strstr (run.err, "catalog.ini:3）\n"));
    g_assert_null (strstr (run.err, " / "));
    dbn_cli_run_clear (&run);
    /* In English: the sentence and the service's whole detail. */
    run = dbn_harness_run_cli_english ((const char *[]){ "catalog", "reload", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "[catalog.parse] the catalog file is not a key file: "));
    g_assert_nonnull (strstr (run.err, "catalog.ini:3: "));
    g_assert_null (strstr (run.err, "事项清单"));
    dbn_cli_run_clear (&run);

    /* Both keep serving with the catalog in force: the new matter still
     * routes. */
    g_autofree char *m = submit (f, "station:qingshui", "XX-NEW", TRUE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) cm = wait_routed (f, m, NULL);
    g_assert_cmpstr (cm->matter_name, ==, "新增测试事项");
}

static void
test_catalog_cli (Fixture *f, gconstpointer data)
{
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run =
        dbn_harness_run_cli ((const char *[]){ "catalog", "list", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) list = json_from_string (run.out, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 30);
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli (
        (const char *[]){ "catalog", "show", "QT-XINFANG", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) one = json_from_string (run.out, NULL);
    JsonObject *o = json_node_get_object (one);
    g_assert_true (json_object_get_boolean_member (o, "restricted"));
    g_assert_cmpstr (json_object_get_string_member (o, "window"), ==, "xinfang");
    g_assert_cmpint (json_object_get_int_member (o, "limit_days"), ==, 42);
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli ((const char *[]){ "catalog", "show", "NOPE", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "[not-found]"));
    dbn_cli_run_clear (&run);
    append_to_catalog (f, new_matter);
    /* The CLI reloads every service that holds the catalog: deadline too (D-CAT-3). */
    GSubprocess *deadline = dbn_harness_start_service (f->harness, "deadline");
    run = dbn_harness_run_cli ((const char *[]){ "catalog", "reload", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "intake: 31"));
    g_assert_nonnull (strstr (run.out, "routing: 31"));
    g_assert_nonnull (strstr (run.out, "deadline: 31"));
    dbn_cli_run_clear (&run);
    g_assert_true (dbn_harness_stop (deadline, 10000));
    g_object_unref (deadline);
}

/* ---- D-INT-4 ---- */

static DbnMsgIntakeSupplementReply *
supplement (Fixture *f, const char *principal, const char *case_no, const char *materials, GError **error)
{
    g_autoptr (DbnMsgIntakeSupplement) m = dbn_msg_intake_supplement_new ();
    m->env.key = next_key (f);
    m->case_no = g_strdup (case_no);
    m->materials = g_strsplit (materials, ",", -1);
    g_autoptr (GBytes) body = dbn_msg_intake_supplement_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, "intake", body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_intake_supplement_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                   error);
}

static void
test_supplement_resumes (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    /* Two of three materials missing: JS-ZHUNSHENG with only the ID cards. */
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 4242, FALSE);
    g_strfreev (m->materials);
    m->materials = g_strsplit ("夫妻双方身份证", ",", -1);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) sub = submit_as (f, "station:qingshui", body, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sub->state, ==, "awaiting_materials");
    const char *n = sub->case_no;
    /* case.accepted (state awaiting_materials) and case.awaiting_materials
     * (the list) are two events: routing may apply them in two batches. */
    DbnMsgRoutingCaseGetReply *polled = wait_routed (f, n, "awaiting_materials");
    for (guint tries = 0; g_strv_length (polled->missing) < 2 && tries < 2000; tries++) {
        dbn_msg_routing_case_get_reply_free (polled);
        g_usleep (10 * 1000);
        polled = wait_routed (f, n, "awaiting_materials");
    }
    g_autoptr (DbnMsgRoutingCaseGetReply) waiting = polled;
    g_assert_cmpuint (g_strv_length (waiting->missing), ==, 2);

    /* Nothing on the list: refused, nothing changes. */
    g_autoptr (DbnMsgIntakeSupplementReply) wrong = supplement (f, "station:qingshui", n, "房产证", &error);
    g_assert_null (wrong);
    assert_wire_code (error, "intake.not-missing");
    g_clear_error (&error);
    /* Another village's station may not. */
    g_autoptr (DbnMsgIntakeSupplementReply) other = supplement (f, "station:shiqiao", n, "户口簿", &error);
    g_assert_null (other);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);

    /* Part of it: still waiting, the rest told again. */
    g_autoptr (DbnMsgIntakeSupplementReply) part = supplement (f, "station:qingshui", n, "户口簿", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (part->state, ==, "awaiting_materials");
    g_assert_cmpuint (g_strv_length (part->missing), ==, 1);
    g_assert_cmpstr (part->missing[0], ==, "结婚证");
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (DbnMsgRoutingCaseGetReply) c = wait_routed (f, n, "awaiting_materials");
        if (g_strv_length (c->missing) == 1)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
    }

    /* The rest: accepted, and routing resumes it. */
    g_autoptr (DbnMsgIntakeSupplementReply) rest = supplement (f, "window:jisheng", n, "结婚证", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (rest->state, ==, "accepted");
    g_assert_cmpuint (g_strv_length (rest->missing), ==, 0);
    g_autoptr (JsonNode) keep = NULL;
    JsonObject *ev = last_intake_event (f, "case.materials_supplemented", &keep);
    g_assert_cmpstr (json_object_get_string_member (ev, "case"), ==, n);
    g_assert_cmpstr (json_object_get_string_member (ev, "actor"), ==, "window:jisheng");
    g_autoptr (DbnMsgRoutingCaseGetReply) resumed = wait_routed (f, n, "received");
    g_assert_cmpuint (g_strv_length (resumed->missing), ==, 0);
    g_autofree char *types = timeline_types (resumed);
    g_assert_cmpstr (types, ==, "case.routed case.resumed");
    /* Again: it waits for nothing now. */
    g_autoptr (DbnMsgIntakeSupplementReply) late = supplement (f, NULL, n, "结婚证", &error);
    g_assert_null (late);
    assert_wire_code (error, "intake.not-awaiting-materials");
    g_clear_error (&error);

    /* It goes on like any case: the machine's table allows classify now. */
    g_autoptr (DbnMsgCaseClassify) cl = dbn_msg_case_classify_new ();
    cl->env.key = next_key (f);
    cl->case_no = g_strdup (n);
    cl->kind = g_strdup ("immediate");
    cl->reason = g_strdup ("材料已补齐");
    g_autoptr (GBytes) cl_body = dbn_msg_case_classify_encode (cl, NULL);
    g_autoptr (GBytes) cl_reply = call_as (f, NULL, "routing", cl_body, &error);
    g_assert_no_error (error);
    /* The CLI form, on a case with one item missing. */
    g_autofree char *n2 = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run = dbn_harness_run_cli (
        (const char *[]){ "case", "supplement", n2, "--materials", "结婚证", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "accepted"));
    dbn_cli_run_clear (&run);
    g_autoptr (DbnMsgRoutingCaseGetReply) c2 = wait_routed (f, n2, "received");
}

/* ---- D-INT-5 ---- */

static GBytes *
refuse_body (Fixture *f, const char *village, const char *reason, const char *apply_to)
{
    g_autoptr (DbnMsgIntakeRefuse) m = dbn_msg_intake_refuse_new ();
    m->env.key = next_key (f);
    m->applicant = g_strdup ("李四");
    m->village = g_strdup (village);
    m->request = g_strdup ("要求代办个人借贷纠纷诉讼");
    m->reason = g_strdup (reason);
    m->apply_to = g_strdup (apply_to);
    return dbn_msg_intake_refuse_encode (m, NULL);
}

static void
test_refusal (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) no_where = refuse_body (f, "qingshui", "不属于代办范围", " ");
    g_autoptr (GBytes) r0 = call_as (f, "station:qingshui", "intake", no_where, &error);
    g_assert_null (r0);
    assert_wire_code (error, "intake.reason-required");
    g_clear_error (&error);
    g_autoptr (GBytes) not_own = refuse_body (f, "qingshui", "不属于代办范围", "县人民法院");
    g_autoptr (GBytes) r1 = call_as (f, "station:shiqiao", "intake", not_own, &error);
    g_assert_null (r1);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);

    g_autoptr (GBytes) body = refuse_body (f, "qingshui", "民间借贷诉讼不属于代办范围", "县人民法院立案庭");
    g_autoptr (GBytes) reply = call_as (f, "station:qingshui", "intake", body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeRefuseReply) r =
        dbn_msg_intake_refuse_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_autoptr (GRegex) number = g_regex_new ("^T01-[0-9]{4}-R000001$", 0, 0, NULL);
    g_assert_true (g_regex_match (number, r->refusal, 0, NULL));
    g_autoptr (JsonNode) keep = NULL;
    JsonObject *ev = last_intake_event (f, "case.refused", &keep);
    g_assert_cmpstr (json_object_get_string_member (ev, "case"), ==, r->refusal);
    g_assert_cmpstr (json_object_get_string_member (ev, "reason"), ==, "民间借贷诉讼不属于代办范围");
    g_assert_cmpstr (json_object_get_string_member (ev, "apply_to"), ==, "县人民法院立案庭");
    g_assert_cmpstr (json_object_get_string_member (ev, "actor"), ==, "station:qingshui");
    g_assert_cmpstr (json_object_get_string_member (ev, "channel"), ==, "station");
    /* No case was made of it. */
    g_autoptr (DbnMsgRoutingCaseGetReply) none = case_get_as (f, NULL, r->refusal, &error);
    g_assert_null (none);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND);
    g_clear_error (&error);
    /* The CLI: the next number alone on the first line. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run = dbn_harness_run_cli (
        (const char *[]){ "case", "refuse", "--applicant", "王五", "--village", "qingshui", "--request",
                          "代办宗教活动场所审批", "--reason", "违法事项不予受理", "--apply-to",
                          "县民族宗教事务局", "--channel", "phone", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_suffix (strtok (run.out, "\n"), "-R000002"));
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli ((const char *[]){ "case", "refuse", "--applicant", "王五", "--village",
                                                 "qingshui", "--request", "x", "--reason", "y", "--data", dir,
                                                 NULL });
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--apply-to"));
    dbn_cli_run_clear (&run);
}

/* ---- D-INT-2, D-INT-3 ---- */

static void
test_private_not_proxied (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 4000, TRUE);
    m->has_private_matter = TRUE;
    m->private_matter = TRUE;
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) refused = submit_as (f, "station:qingshui", body, &error);
    g_assert_null (refused);
    assert_wire_code (error, "intake.private-matter");
    g_clear_error (&error);
    /* At the window the applicant is there in person: not a proxy. */
    g_free (m->env.key);
    m->env.key = next_key (f);
    g_autoptr (GBytes) walk_in = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) taken = submit_as (f, "window:jisheng", walk_in, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (taken->state, ==, "accepted");
    /* The CLI says it in both languages and exits 1. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    g_autofree char *id = dbn_test_id_number (4001);
    DbnCliRun run = dbn_harness_run_cli ((const char *[]){
        "case", "submit", "--matter", "JS-ZHUNSHENG", "--applicant", "赵六", "--id-number", id, "--phone",
        "13800138000", "--village", "qingshui", "--consent", "--private", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "intake.private-matter"));
    g_assert_nonnull (strstr (run.err, "隐私"));
    dbn_cli_run_clear (&run);
}

static void
test_logbook (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *accepted = submit (f, "station:qingshui", "JS-ZHUNSHENG", TRUE, NULL);
    g_autofree char *awaiting = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    g_autofree char *other_key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) other = dbn_test_submit_new (other_key, 4100, TRUE);
    g_free (other->village);
    other->village = g_strdup ("shiqiao");
    g_autoptr (GBytes) other_body = dbn_msg_intake_submit_encode (other, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) elsewhere = submit_as (f, "station:shiqiao", other_body, &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) refuse = refuse_body (f, "qingshui", "民间借贷诉讼不属于代办范围", "县人民法院立案庭");
    g_autoptr (GBytes) refused = call_as (f, "station:qingshui", "intake", refuse, &error);
    g_assert_no_error (error);

    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run =
        dbn_harness_run_cli ((const char *[]){ "logbook", "qingshui", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) root = json_from_string (run.out, &error);
    g_assert_no_error (error);
    JsonArray *lines = json_node_get_array (root);
    /* The village's book only, in the order the requests came. */
    g_assert_cmpuint (json_array_get_length (lines), ==, 3);
    const char *entries[] = { "accepted", "awaiting_materials", "refused" };
    for (guint i = 0; i < 3; i++) {
        JsonObject *line = json_array_get_object_element (lines, i);
        g_assert_cmpstr (json_object_get_string_member (line, "entry"), ==, entries[i]);
        g_assert_cmpstr (json_object_get_string_member (line, "by"), ==, "station:qingshui");
    }
    JsonObject *first = json_array_get_object_element (lines, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "number"), ==, accepted);
    g_assert_nonnull (strstr (json_object_get_string_member (first, "id_number"), "********"));
    JsonObject *second = json_array_get_object_element (lines, 1);
    g_assert_cmpstr (json_object_get_string_member (second, "number"), ==, awaiting);
    g_assert_nonnull (strstr (json_object_get_string_member (second, "detail"), "missing"));
    JsonObject *third = json_array_get_object_element (lines, 2);
    g_assert_nonnull (strstr (json_object_get_string_member (third, "detail"), "县人民法院立案庭"));
    dbn_cli_run_clear (&run);
    g_assert_cmpstr (elsewhere->state, ==, "accepted");

    /* The text form, and a day with nothing in it. */
    run = dbn_harness_run_cli ((const char *[]){ "logbook", "qingshui", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "不予受理"));
    g_assert_nonnull (strstr (run.out, accepted));
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli (
        (const char *[]){ "logbook", "qingshui", "--to", "2000-01-01", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "no entries"));
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli (
        (const char *[]){ "logbook", "qingshui", "--from", "27/11/2026", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 2);
    dbn_cli_run_clear (&run);

    /* Another village's station may not read it. */
    g_autoptr (DbnMsgIntakeLogbook) ask = dbn_msg_intake_logbook_new ();
    ask->env.key = next_key (f);
    ask->village = g_strdup ("qingshui");
    g_autoptr (GBytes) ask_body = dbn_msg_intake_logbook_encode (ask, NULL);
    g_autoptr (GBytes) denied = call_as (f, "station:shiqiao", "intake", ask_body, &error);
    g_assert_null (denied);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
}

/* A logbook longer than one reply (2,000 lines), with lines of one
 * millisecond across the page boundary: refusals sent in a window of 100
 * share a group commit and its time. The CLI reads every page; no line is
 * lost or repeated. */
static void
test_logbook_pages (Fixture *f, gconstpointer data)
{
    const guint n = 2005, window = 100;
    g_autoptr (GError) error = NULL;
    DbnBus *bus = g_hash_table_lookup (f->buses, "station:qingshui");
    g_autoptr (DbnClient) client = dbn_client_new (
        bus, dbn_config_get_command_endpoint (dbn_harness_get_config (f->harness), "intake"), &error);
    g_assert_no_error (error);
    guint sent = 0, acked = 0;
    while (acked < n) {
        while (sent < n && sent - acked < window) {
            g_autoptr (GBytes) body = refuse_body (f, "qingshui", "不属于代办范围", "县人民法院");
            g_autoptr (GBytes) id = g_bytes_new (&sent, sizeof sent);
            g_assert_true (dbn_client_send_raw (client, id, body, &error));
            sent++;
        }
        g_autoptr (GBytes) rid = NULL;
        g_autoptr (GBytes) reply = NULL;
        g_assert_true (dbn_client_recv_raw (client, CALL_MS, &rid, &reply));
        g_assert_true (dbn_reply_check (reply, &error));
        acked++;
    }
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run =
        dbn_harness_run_cli ((const char *[]){ "logbook", "qingshui", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) root = json_from_string (run.out, &error);
    g_assert_no_error (error);
    JsonArray *lines = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (lines), ==, n);
    g_autoptr (GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);
    gint64 previous_at = 0;
    guint same_ms = 0;
    for (guint i = 0; i < n; i++) {
        JsonObject *line = json_array_get_object_element (lines, i);
        g_assert_true (g_hash_table_add (numbers, (gpointer) json_object_get_string_member (line, "number")));
        gint64 at = json_object_get_int_member (line, "at");
        g_assert_cmpint (at, >=, previous_at);
        same_ms += at == previous_at;
        previous_at = at;
    }
    /* The case this test is about happened: lines shared their millisecond. */
    g_test_message ("%u of %u lines share the previous line's millisecond", same_ms, n);
    g_assert_cmpuint (same_ms, >, 0);
    dbn_cli_run_clear (&run);
}

/* ---- D-INT-7 ---- */

static void
test_window_channels (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    const char *channels[] = { NULL, "phone" };
    const char *expected[] = { "walk-in", "phone" };
    for (int i = 0; i < 2; i++) {
        g_autofree char *n = submit (f, "window:jisheng", "JS-ZHUNSHENG", TRUE, channels[i]);
        g_autoptr (DbnMsgRoutingCaseGetReply) c = wait_routed (f, n, "received");
        g_assert_cmpstr (c->channel, ==, expected[i]);
        /* Walk-in and phone requests start at the centre, with the window. */
        g_assert_cmpstr (c->location, ==, "centre");
        g_assert_cmpstr (c->holder, ==, "window:jisheng");
        /* D-INT-6: the window that accepted it stays responsible. */
        g_assert_cmpstr (c->responsible, ==, "window:jisheng");
    }
    /* A window does not take requests "through a station". */
    g_autoptr (GBytes) body = submit_body (f, "JS-ZHUNSHENG", TRUE, "station");
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_as (f, "window:jisheng", body, &error);
    g_assert_null (r);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_clear_error (&error);
    /* Nothing to carry: walk-in papers are at the centre already. */
    g_autoptr (DbnMsgRunsheetNew) sheet = dbn_msg_runsheet_new_new ();
    sheet->env.key = next_key (f);
    sheet->station = g_strdup ("qingshui");
    g_autoptr (GBytes) sheet_body = dbn_msg_runsheet_new_encode (sheet, NULL);
    g_autoptr (GBytes) sheet_reply = call_as (f, NULL, "routing", sheet_body, &error);
    g_assert_null (sheet_reply);
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY);
}

/* ---- D-INT-1 ---- */

static char *
visit (Fixture *f, const char *principal, const char *village, GError **error)
{
    g_autoptr (DbnMsgIntakeVisit) m = dbn_msg_intake_visit_new ();
    m->env.key = next_key (f);
    m->village = g_strdup (village);
    m->household = g_strdup ("赵大爷");
    m->address = g_strdup ("清水村三组12号");
    m->needs = g_strsplit ("孙子办准生证|屋顶漏雨", "|", -1);
    m->must_visit = g_strdup ("hardship");
    g_autoptr (GBytes) body = dbn_msg_intake_visit_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, "intake", body, error);
    if (reply == NULL)
        return NULL;
    g_autoptr (DbnMsgIntakeVisitReply) r =
        dbn_msg_intake_visit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    return r ? g_strdup (r->visit) : NULL;
}

static void
test_visit_to_request (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *refused = visit (f, "station:shiqiao", "qingshui", &error);
    g_assert_null (refused);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_autofree char *v = visit (f, "station:qingshui", "qingshui", &error);
    g_assert_no_error (error);
    g_autoptr (GRegex) number = g_regex_new ("^T01-[0-9]{4}-V000001$", 0, 0, NULL);
    g_assert_true (g_regex_match (number, v, 0, NULL));
    g_autoptr (JsonNode) keep = NULL;
    JsonObject *ev = last_intake_event (f, "visit.recorded", &keep);
    g_assert_cmpstr (json_object_get_string_member (ev, "case"), ==, v);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ev, "needs")), ==, 2);
    g_assert_false (json_object_has_member (ev, "address")); /* personal data stays in intake */

    /* One step: the need becomes a request naming the visit. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    g_autofree char *id = dbn_test_id_number (31337);
    const char *station_key = g_hash_table_lookup (f->keys, "station:qingshui");
    DbnCliRun run = dbn_harness_run_cli ((const char *[]){ "case",
                                                           "submit",
                                                           "--from-visit",
                                                           v,
                                                           "--matter",
                                                           "JS-ZHUNSHENG",
                                                           "--applicant",
                                                           "赵小明",
                                                           "--id-number",
                                                           id,
                                                           "--phone",
                                                           "13900001111",
                                                           "--village",
                                                           "qingshui",
                                                           "--materials",
                                                           "夫妻双方身份证,户口簿,结婚证",
                                                           "--consent",
                                                           "--note",
                                                           "孙子办准生证",
                                                           "--key-file",
                                                           station_key,
                                                           "--data",
                                                           dir,
                                                           NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autofree char *n = g_strdup (strtok (run.out, "\n"));
    dbn_cli_run_clear (&run);
    g_autoptr (DbnMsgRoutingCaseGetReply) c = wait_routed (f, n, "received");
    g_assert_cmpstr (c->responsible, ==, "station:qingshui");
    /* The visit list shows which case its need became. */
    run =
        dbn_harness_run_cli ((const char *[]){ "visit", "list", "qingshui", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) list = json_from_string (run.out, NULL);
    JsonObject *item = json_array_get_object_element (json_node_get_array (list), 0);
    g_assert_cmpstr (json_object_get_string_member (item, "visit"), ==, v);
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (item, "cases"), 0), ==, n);
    g_assert_cmpstr (json_object_get_string_member (item, "must_visit"), ==, "hardship");
    dbn_cli_run_clear (&run);
    /* The committee reads visits with the address masked. */
    g_autoptr (DbnMsgIntakeVisitList) lm = dbn_msg_intake_visit_list_new ();
    lm->env.key = next_key (f);
    lm->village = g_strdup ("qingshui");
    g_autoptr (GBytes) lbody = dbn_msg_intake_visit_list_encode (lm, NULL);
    g_autoptr (GBytes) lreply = call_as (f, "committee", "intake", lbody, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeVisitListReply) lr = dbn_msg_intake_visit_list_reply_decode (
        g_bytes_get_data (lreply, NULL), g_bytes_get_size (lreply), &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeVisitItem) first =
        dbn_msg_intake_visit_item_decode (g_bytes_get_data (g_ptr_array_index (lr->visits, 0), NULL),
                                          g_bytes_get_size (g_ptr_array_index (lr->visits, 0)), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (first->address, !=, "清水村三组12号");

    /* A visit of another village, or none, cannot be named. */
    g_autofree char *elsewhere = visit (f, NULL, "shiqiao", &error);
    g_assert_no_error (error);
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 99, TRUE);
    m->visit = g_strdup (elsewhere);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) wrong = submit_as (f, NULL, body, &error);
    g_assert_null (wrong);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_clear_error (&error);
    g_free (m->visit);
    m->visit = g_strdup ("T01-2026-V999999");
    g_free (m->env.key);
    m->env.key = next_key (f);
    g_autoptr (GBytes) body2 = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) none = submit_as (f, NULL, body2, &error);
    g_assert_null (none);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND);
}

/* ---- D-INT-1: must-visit lists (三必访) ---- */

#define DAY_MS (24 * 60 * 60 * 1000LL)
/* 2026-11-02 09:00 China time. */
static const gint64 must_t0 = 1793581200000LL;

static DbnMsgIntakeMustAddReply *
must_add (Fixture *f, const char *principal, const char *household, const char *kind, gint64 days,
          GError **error)
{
    g_autoptr (DbnMsgIntakeMustAdd) m = dbn_msg_intake_must_add_new ();
    m->env.key = next_key (f);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup (household);
    m->kind = g_strdup (kind);
    m->has_interval_days = days != 0;
    m->interval_days = days;
    m->address = g_strdup ("清水村二组3号");
    g_autoptr (GBytes) body = dbn_msg_intake_must_add_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, principal, "intake", body, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_intake_must_add_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                 error);
}

/* "household:state ..." of the list (or its due part) as principal, once
 * the service's clock reads at (-1: any time). */
static char *
must_states (Fixture *f, const char *principal, gboolean due, gint64 at)
{
    gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgIntakeMustList) m = dbn_msg_intake_must_list_new ();
        m->env.key = next_key (f);
        m->village = g_strdup ("qingshui");
        m->has_due = due;
        m->due = due;
        g_autoptr (GBytes) body = dbn_msg_intake_must_list_encode (m, NULL);
        g_autoptr (GBytes) reply = call_as (f, principal, "intake", body, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgIntakeMustListReply) r = dbn_msg_intake_must_list_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        g_assert_no_error (error);
        if (at >= 0 && r->at != at) {
            /* The service reads the clock file again within 50 ms. */
            g_assert_cmpint (g_get_monotonic_time (), <, give_up);
            g_usleep (10 * 1000);
            continue;
        }
        GString *out = g_string_new (NULL);
        for (guint i = 0; i < r->items->len; i++) {
            GBytes *frame = g_ptr_array_index (r->items, i);
            g_autoptr (DbnMsgIntakeMustItem) item = dbn_msg_intake_must_item_decode (
                g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
            g_assert_no_error (error);
            if (g_strcmp0 (principal, "committee") == 0)
                g_assert_cmpstr (item->address, !=, "清水村二组3号");
            g_string_append_printf (out, "%s%s:%s", out->len ? " " : "", item->household, item->state);
        }
        return g_string_free (out, FALSE);
    }
}

static void
must_set_clock (Fixture *f, gint64 ms)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (f->clock_file, ".tmp", NULL);
    g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
    g_assert_cmpint (g_rename (tmp, f->clock_file), ==, 0);
}

static char *
must_visit (Fixture *f, const char *household)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeVisit) m = dbn_msg_intake_visit_new ();
    m->env.key = next_key (f);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup (household);
    m->needs = g_new0 (char *, 1);
    g_autoptr (GBytes) body = dbn_msg_intake_visit_encode (m, NULL);
    g_autoptr (GBytes) reply = call_as (f, "station:qingshui", "intake", body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeVisitReply) r =
        dbn_msg_intake_visit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->visit);
}

static void
test_must_visit_list (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    /* A: monthly by default; B every 10 days; C every 60, then 90 days. */
    g_autoptr (DbnMsgIntakeMustAddReply) a =
        must_add (f, "station:qingshui", "困难户甲", "hardship", 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (a->interval_days, ==, 30);
    g_assert_true (a->added);
    g_autoptr (DbnMsgIntakeMustAddReply) b =
        must_add (f, "station:qingshui", "上访户乙", "petitioner", 10, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeMustAddReply) c1 =
        must_add (f, "station:qingshui", "老党员丙", "party_member", 60, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeMustAddReply) c2 =
        must_add (f, "station:qingshui", "老党员丙", "party_member", 90, &error);
    g_assert_no_error (error);
    g_assert_false (c2->added);
    g_assert_cmpint (c2->interval_days, ==, 90);

    /* Another station's key, a kind off the list, an interval out of range. */
    g_autoptr (DbnMsgIntakeMustAddReply) no1 = must_add (f, "station:shiqiao", "某某", "hardship", 0, &error);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_autoptr (DbnMsgIntakeMustAddReply) no2 = must_add (f, "station:qingshui", "某某", "rich", 0, &error);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_clear_error (&error);
    g_autoptr (DbnMsgIntakeMustAddReply) no3 =
        must_add (f, "station:qingshui", "某某", "hardship", 400, &error);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_clear_error (&error);

    /* A visit of a listed household counts for the list: visit.recorded
     * carries its kind though the agent ticked none. */
    g_autofree char *va = must_visit (f, "困难户甲");
    g_autoptr (JsonNode) keep = NULL;
    JsonObject *ev = last_intake_event (f, "visit.recorded", &keep);
    g_assert_cmpstr (json_object_get_string_member (ev, "case"), ==, va);
    g_assert_cmpstr (json_object_get_string_member (ev, "must_visit"), ==, "hardship");

    /* Day 0: nobody is due; the most pressing first. */
    g_autofree char *d0 = must_states (f, "station:qingshui", FALSE, must_t0);
    g_assert_cmpstr (d0, ==, "上访户乙:ok 困难户甲:ok 老党员丙:ok");
    g_autofree char *d0_due = must_states (f, "station:qingshui", TRUE, must_t0);
    g_assert_cmpstr (d0_due, ==, "");
    /* Day 6: B's visit is due within min (7, 10/2) days. */
    must_set_clock (f, must_t0 + 6 * DAY_MS);
    g_autofree char *d6 = must_states (f, "station:qingshui", TRUE, must_t0 + 6 * DAY_MS);
    g_assert_cmpstr (d6, ==, "上访户乙:due");
    /* Day 25: B is overdue, A is due (5 days left of 30). */
    must_set_clock (f, must_t0 + 25 * DAY_MS);
    g_autofree char *d25 = must_states (f, "station:qingshui", TRUE, must_t0 + 25 * DAY_MS);
    g_assert_cmpstr (d25, ==, "上访户乙:overdue 困难户甲:due");
    /* B visited: due again in 10 days, not now. */
    g_autofree char *vb = must_visit (f, "上访户乙");
    g_autofree char *after = must_states (f, "station:qingshui", TRUE, -1);
    g_assert_cmpstr (after, ==, "困难户甲:due");
    /* The window and the committee read it (the address masked for the committee). */
    g_autofree char *all = must_states (f, "committee", FALSE, -1);
    g_assert_cmpstr (all, ==, "困难户甲:due 上访户乙:ok 老党员丙:ok");
    g_autofree char *win = must_states (f, "window:jisheng", TRUE, -1);
    g_assert_cmpstr (win, ==, "困难户甲:due");

    /* The CLI: daiban visit must-due. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    const char *station_key = g_hash_table_lookup (f->keys, "station:qingshui");
    DbnCliRun run = dbn_harness_run_cli (
        (const char *[]){ "visit", "must-due", "qingshui", "--key-file", station_key, "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "困难户甲"));
    g_assert_nonnull (strstr (run.out, "应访 due"));
    g_assert_null (strstr (run.out, "上访户乙"));
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli ((const char *[]){ "visit", "must-add", "--village", "qingshui", "--household",
                                                 "困难户丁", "--kind", "hardship", "--interval", "14",
                                                 "--key-file", station_key, "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "every 14 days"));
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli (
        (const char *[]){ "visit", "must-list", "qingshui", "--key-file", station_key, "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "困难户丁"));
    g_assert_nonnull (strstr (run.out, "老党员丙"));
    dbn_cli_run_clear (&run);
}

/* ---- D-INT-8 ---- */

/* A SUB acting as principal on routing's events, subscribed to prefix. */
static void *
subscribe_as (Fixture *f, const char *principal, const char *prefix)
{
    DbnBus *bus = g_hash_table_lookup (f->buses, principal);
    g_autoptr (GError) error = NULL;
    void *sub = dbn_bus_socket_new (bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, prefix, strlen (prefix));
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "hb", 2);
    g_assert_true (dbn_bus_connect (
        bus, sub, dbn_config_get_publish_endpoint (dbn_harness_get_config (f->harness), "routing"), &error));
    return sub;
}

/* Receives on sub until an event of case_no arrives (TRUE) or the deadline;
 * every case number heard is added to heard. A heartbeat proves the
 * subscription is in place when case_no is NULL. */
static gboolean
hear_until (void *sub, const char *case_no, GPtrArray *heard, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    while (g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, sub, 0);
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, sub, 0);
        gboolean hb = zmq_msg_size (&topic) >= 2 && memcmp (zmq_msg_data (&topic), "hb", 2) == 0;
        gboolean found = FALSE;
        if (hb) {
            found = case_no == NULL;
        } else {
            DbnEnvEvent env = { 0 };
            if (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL)) {
                if (env.case_no != NULL)
                    g_ptr_array_add (heard, g_strdup (env.case_no));
                /* A run sheet names no case in its envelope: every case on it. */
                if (g_strcmp0 (env.type, DBN_MSG_RUNSHEET_CREATED_WIRE) == 0) {
                    g_autoptr (DbnMsgRunsheetCreated) sheet =
                        dbn_msg_runsheet_created_decode (zmq_msg_data (&body), zmq_msg_size (&body), NULL);
                    for (int i = 0; sheet != NULL && sheet->cases[i] != NULL; i++) {
                        g_ptr_array_add (heard, g_strdup (sheet->cases[i]));
                        found |= g_strcmp0 (sheet->cases[i], case_no) == 0;
                    }
                }
                found |= case_no != NULL && g_strcmp0 (env.case_no, case_no) == 0;
            }
            dbn_env_event_clear (&env);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
        if (found)
            return TRUE;
    }
    return FALSE;
}

static gboolean
heard_case (GPtrArray *heard, const char *case_no)
{
    return g_ptr_array_find_with_equal_func (heard, case_no, g_str_equal, NULL);
}

static void
test_petition_restricted (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    void *area = subscribe_as (f, "supervisor:east", "a/east");
    void *own = subscribe_as (f, "window:xinfang", "q/xinfang");
    void *other = subscribe_as (f, "window:jisheng", "q/jisheng");
    void *station = subscribe_as (f, "station:qingshui", "s/qingshui");
    g_autoptr (GPtrArray) heard_area = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) heard_own = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) heard_other = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) heard_station = g_ptr_array_new_with_free_func (g_free);
    void *subs[] = { area, own, other, station };
    GPtrArray *heard[] = { heard_area, heard_own, heard_other, heard_station };
    for (int i = 0; i < 4; i++)
        g_assert_true (hear_until (subs[i], NULL, heard[i], 10000));

    /* A petition from the station, then handled at its window. */
    g_autofree char *p = submit (f, "station:qingshui", "QT-XINFANG", TRUE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, p, "received");
    g_assert_true (routed->has_restricted && routed->restricted);
    g_autoptr (DbnMsgCaseClassify) cl = dbn_msg_case_classify_new ();
    cl->env.key = next_key (f);
    cl->case_no = g_strdup (p);
    cl->kind = g_strdup ("committed");
    cl->reason = g_strdup ("需调查核实");
    g_autoptr (GBytes) cl_body = dbn_msg_case_classify_encode (cl, NULL);
    g_autoptr (GBytes) cl_reply = call_as (f, "window:xinfang", "routing", cl_body, &error);
    g_assert_no_error (error);
    g_assert_true (hear_until (own, p, heard_own, 10000));
    g_assert_true (hear_until (station, p, heard_station, 10000));

    /* A barrier: an ordinary case of the same village and area, later in
     * the journal. When the area and the other window hear it, they would
     * have heard the petition's earlier events already. */
    g_autofree char *b = submit (f, "station:qingshui", "JS-ZHUNSHENG", TRUE, NULL);
    g_assert_true (hear_until (area, b, heard_area, 10000));
    g_assert_true (hear_until (other, b, heard_other, 10000));
    g_assert_false (heard_case (heard_area, p));
    g_assert_false (heard_case (heard_other, p));

    /* Everything of the petition so far (routed, classified) has arrived. */
    while (hear_until (own, p, heard_own, 300))
        ;
    /* D-RTE-3 with D-INT-8: the petition travels on a sheet of its own, so
     * the ordinary sheet (published to the area and to jisheng) never lists it. */
    char **sheets[2] = { NULL, NULL };
    for (int i = 0; i < 2; i++) {
        g_autoptr (DbnMsgRunsheetNew) rs = dbn_msg_runsheet_new_new ();
        rs->env.key = next_key (f);
        rs->station = g_strdup ("qingshui");
        g_autoptr (GBytes) rs_body = dbn_msg_runsheet_new_encode (rs, NULL);
        g_autoptr (GBytes) rs_reply = call_as (f, "station:qingshui", "routing", rs_body, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgRunsheetNewReply) r = dbn_msg_runsheet_new_reply_decode (
            g_bytes_get_data (rs_reply, NULL), g_bytes_get_size (rs_reply), &error);
        g_assert_no_error (error);
        sheets[i] = g_strdupv (r->cases);
    }
    g_assert_cmpuint (g_strv_length (sheets[0]), ==, 1);
    g_assert_cmpstr (sheets[0][0], ==, b);
    g_assert_cmpuint (g_strv_length (sheets[1]), ==, 1);
    g_assert_cmpstr (sheets[1][0], ==, p);
    g_strfreev (sheets[0]);
    g_strfreev (sheets[1]);
    g_assert_true (hear_until (own, p, heard_own, 10000)); /* the petitions' sheet */
    /* Another barrier after both sheets. */
    g_autofree char *b2 = submit (f, "station:qingshui", "JS-ZHUNSHENG", TRUE, NULL);
    g_assert_true (hear_until (area, b2, heard_area, 10000));
    g_assert_true (hear_until (other, b2, heard_other, 10000));
    g_assert_false (heard_case (heard_area, p));
    g_assert_false (heard_case (heard_other, p));

    /* Reads: the handling window, the station and the committee only. */
    const char *may[] = { "window:xinfang", "station:qingshui", "committee", NULL };
    const char *may_not[] = { "window:jisheng", "supervisor:east", NULL };
    for (int i = 0; may[i] != NULL; i++) {
        g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get_as (f, may[i], p, &error);
        g_assert_no_error (error);
    }
    for (int i = 0; may_not[i] != NULL; i++) {
        g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get_as (f, may_not[i], p, &error);
        g_assert_null (c);
        g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
        g_clear_error (&error);
    }
    /* Intake too: another window may not read the petition's record. */
    g_autoptr (DbnMsgIntakeCaseGet) ig = dbn_msg_intake_case_get_new ();
    ig->env.key = next_key (f);
    ig->case_no = g_strdup (p);
    g_autoptr (GBytes) ig_body = dbn_msg_intake_case_get_encode (ig, NULL);
    g_autoptr (GBytes) ig_no = call_as (f, "window:jisheng", "intake", ig_body, &error);
    g_assert_null (ig_no);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_autoptr (GBytes) ig_yes = call_as (f, "window:xinfang", "intake", ig_body, &error);
    g_assert_no_error (error);
    /* The area's queue leaves it out; the station's shows it. */
    const char *queues[][2] = { { "area", "east" }, { "station", "qingshui" } };
    for (int i = 0; i < 2; i++) {
        g_autoptr (DbnMsgRoutingQueue) q = dbn_msg_routing_queue_new ();
        q->env.key = next_key (f);
        q->kind = g_strdup (queues[i][0]);
        q->id = g_strdup (queues[i][1]);
        g_autoptr (GBytes) q_body = dbn_msg_routing_queue_encode (q, NULL);
        g_autoptr (GBytes) q_reply = call_as (f, NULL, "routing", q_body, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgRoutingQueueReply) r = dbn_msg_routing_queue_reply_decode (
            g_bytes_get_data (q_reply, NULL), g_bytes_get_size (q_reply), &error);
        g_assert_no_error (error);
        gboolean listed = FALSE;
        for (guint j = 0; j < r->items->len; j++) {
            GBytes *frame = g_ptr_array_index (r->items, j);
            g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_decode (
                g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);
            listed |= g_strcmp0 (item->case_no, p) == 0;
        }
        g_assert_true (listed == (i == 1));
    }
    for (int i = 0; i < 4; i++)
        zmq_close (subs[i]);
}

/* D-INT-8: a station's petition is held by the village's mediation officer
 * (qs-zhang, 治保调解主任, petitions = true in org.ini) from routing on; no
 * other station, area or window reads it, it never goes to another village
 * agent, and the centre's receipt gives it to the petitions window. */
static void
test_petition_held_by_officer (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *p = submit (f, "station:qingshui", "QT-XINFANG", TRUE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, p, "received");
    g_assert_cmpstr (routed->holder, ==, "agent:qs-zhang");
    g_assert_cmpstr (routed->location, ==, "station");

    const char *may_not[] = { "station:shiqiao", "supervisor:east", "window:jisheng", NULL };
    for (int i = 0; may_not[i] != NULL; i++) {
        g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get_as (f, may_not[i], p, &error);
        g_assert_null (c);
        g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
        g_clear_error (&error);
    }
    g_autoptr (DbnMsgRoutingCaseGetReply) own = case_get_as (f, "station:qingshui", p, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (own->holder, ==, "agent:qs-zhang");

    /* Classified, it may change hands, but not to the station's other
     * agents (qs-li, a 村代办员). */
    g_autoptr (DbnMsgCaseClassify) cl = dbn_msg_case_classify_new ();
    cl->env.key = next_key (f);
    cl->case_no = g_strdup (p);
    cl->kind = g_strdup ("committed");
    cl->reason = g_strdup ("需调查核实");
    g_autoptr (GBytes) cl_body = dbn_msg_case_classify_encode (cl, NULL);
    g_autoptr (GBytes) cl_reply = call_as (f, "window:xinfang", "routing", cl_body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgCaseHandoff) h = dbn_msg_case_handoff_new ();
    h->env.key = next_key (f);
    h->case_no = g_strdup (p);
    h->to = g_strdup ("agent:qs-li");
    h->reason = g_strdup ("本人外出");
    g_autoptr (GBytes) h_body = dbn_msg_case_handoff_encode (h, NULL);
    g_autoptr (GBytes) h_no = call_as (f, "station:qingshui", "routing", h_body, &error);
    g_assert_null (h_no);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_autoptr (DbnMsgRoutingCaseGetReply) still = case_get_as (f, "window:xinfang", p, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (still->holder, ==, "agent:qs-zhang");

    /* The run sheet carries it; the centre's receipt gives it to xinfang. */
    g_autoptr (DbnMsgRunsheetNew) rs = dbn_msg_runsheet_new_new ();
    rs->env.key = next_key (f);
    rs->station = g_strdup ("qingshui");
    g_autoptr (GBytes) rs_body = dbn_msg_runsheet_new_encode (rs, NULL);
    g_autoptr (GBytes) rs_reply = call_as (f, "station:qingshui", "routing", rs_body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRunsheetNewReply) sheet = dbn_msg_runsheet_new_reply_decode (
        g_bytes_get_data (rs_reply, NULL), g_bytes_get_size (rs_reply), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (sheet->cases), ==, 1);
    g_assert_cmpstr (sheet->cases[0], ==, p);
    g_autoptr (DbnMsgRunsheetAck) ack = dbn_msg_runsheet_ack_new ();
    ack->env.key = next_key (f);
    ack->sheet = g_strdup (sheet->sheet);
    ack->case_no = g_strdup (p);
    g_autoptr (GBytes) ack_body = dbn_msg_runsheet_ack_encode (ack, NULL);
    g_autoptr (GBytes) ack_reply = call_as (f, "window:xinfang", "routing", ack_body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRoutingCaseGetReply) centre = case_get_as (f, "window:xinfang", p, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (centre->holder, ==, "window:xinfang");
    g_assert_cmpstr (centre->location, ==, "centre");

    /* An ordinary case of the station stays in the station's hands. */
    g_autofree char *o = submit (f, "station:qingshui", "JS-ZHUNSHENG", TRUE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) plain = wait_routed (f, o, "received");
    g_assert_cmpstr (plain->holder, ==, "station:qingshui");
}

/* ---- paging ---- */

static void
test_queue_paging (Fixture *f, gconstpointer data)
{
    enum { N = 25, PAGE = 10 };
    g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
    for (int i = 0; i < N; i++)
        g_ptr_array_add (all, submit (f, "station:qingshui", "JS-ZHUNSHENG", TRUE, NULL));
    g_autoptr (DbnMsgRoutingCaseGetReply) last = wait_routed (f, g_ptr_array_index (all, N - 1), NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *after = NULL;
    guint pages = 0;
    for (;;) {
        g_autoptr (DbnMsgRoutingQueue) q = dbn_msg_routing_queue_new ();
        q->env.key = next_key (f);
        q->kind = g_strdup ("window");
        q->id = g_strdup ("jisheng");
        q->after = g_strdup (after);
        q->has_limit = TRUE;
        q->limit = PAGE;
        g_autoptr (GBytes) body = dbn_msg_routing_queue_encode (q, NULL);
        g_autoptr (GBytes) reply = call_as (f, "window:jisheng", "routing", body, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgRoutingQueueReply) r = dbn_msg_routing_queue_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        g_assert_no_error (error);
        pages++;
        g_assert_cmpuint (r->items->len, ==, pages < 3 ? PAGE : N - 2 * PAGE);
        for (guint j = 0; j < r->items->len; j++) {
            GBytes *frame = g_ptr_array_index (r->items, j);
            g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_decode (
                g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);
            g_ptr_array_add (seen, g_strdup (item->case_no));
        }
        g_assert_true (r->truncated == (pages < 3));
        if (!r->truncated) {
            g_assert_null (r->next);
            break;
        }
        g_assert_cmpstr (r->next, ==, g_ptr_array_index (seen, seen->len - 1));
        g_free (after);
        after = g_strdup (r->next);
    }
    /* Every case once, in case-number order. */
    g_assert_cmpuint (seen->len, ==, N);
    for (guint i = 0; i < N; i++)
        g_assert_cmpstr (g_ptr_array_index (seen, i), ==, g_ptr_array_index (all, i));
    /* The CLI pages through with --all. */
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run = dbn_harness_run_cli ((const char *[]){ "queue", "window", "jisheng", "--all", "--limit",
                                                           "7", "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (json_node_get_object (root), "items")), ==, N);
    dbn_cli_run_clear (&run);
}

/* ---- D-RPL-4, D-RPL-3, D-RPL-2 ---- */

static DbnMsgIntakeCaseGetReply *
intake_case (Fixture *f, const char *case_no)
{
    g_autoptr (DbnMsgIntakeCaseGet) m = dbn_msg_intake_case_get_new ();
    m->env.key = next_key (f);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_intake_case_get_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = call_as (f, NULL, "intake", body, &error);
    g_assert_no_error (error);
    DbnMsgIntakeCaseGetReply *c = dbn_msg_intake_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                                        g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return c;
}

/* Intake follows routing's journal: wait until intake has heard that
 * routing closed the case as closed (returned, replied, archived). */
static void
wait_intake_closed (Fixture *f, const char *case_no, const char *closed)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (DbnMsgIntakeCaseGetReply) c = intake_case (f, case_no);
        if (g_strcmp0 (c->closed, closed) == 0)
            return;
        g_usleep (10 * 1000); /* routing's event is on its way; poll */
    }
    g_error ("intake never heard that routing %s %s", closed, case_no);
}

static void
cli_ok (Fixture *f, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) dbn_harness_get_data_dir (f->harness));
    g_ptr_array_add (argv, NULL);
    DbnCliRun run = dbn_harness_run_cli ((const char *const *) argv->pdata);
    if (run.status != 0)
        g_error ("daiban %s: exit %d: %s", args[0], run.status, run.err);
    dbn_cli_run_clear (&run);
}

/* D-RPL-4: once routing replied to, archived or returned a case, intake's
 * copy takes no supplement: the awaiting case replied "not completed"
 * (D-RPL-2) keeps its missing list, and nothing resumes it. */
static void
test_closed_case_read_only (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *n = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) w = wait_routed (f, n, "awaiting_materials");
    g_autoptr (DbnMsgIntakeCaseGetReply) open = intake_case (f, n);
    g_assert_null (open->closed);
    cli_ok (f,
            (const char *[]){ "case", "reply", n, "--reason", "申请人未能补齐结婚证", "--confirmed", NULL });
    wait_intake_closed (f, n, "replied");
    g_autoptr (DbnMsgIntakeSupplementReply) late = supplement (f, "station:qingshui", n, "结婚证", &error);
    g_assert_null (late);
    assert_wire_code (error, "intake.case-closed");
    g_clear_error (&error);
    g_autoptr (DbnMsgIntakeCaseGetReply) kept = intake_case (f, n);
    g_assert_cmpstr (kept->state, ==, "awaiting_materials");
    g_assert_cmpstr (kept->missing[0], ==, "结婚证");
    /* Archived: read-only at intake as at routing. */
    cli_ok (f, (const char *[]){ "case", "archive", n, NULL });
    wait_intake_closed (f, n, "archived");
    g_autoptr (DbnMsgIntakeSupplementReply) archived = supplement (f, NULL, n, "结婚证", &error);
    g_assert_null (archived);
    assert_wire_code (error, "intake.case-closed");
    g_clear_error (&error);
    /* No supplement reached the journal, so nothing resumed the case. */
    g_autoptr (GPtrArray) events = intake_journal (f);
    for (guint i = 0; i < events->len; i++) {
        GBytes *frame = g_ptr_array_index (events, i);
        DbnEnvEvent env = { 0 };
        g_assert_true (
            dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env, NULL));
        g_assert_false (g_strcmp0 (env.case_no, n) == 0
                        && g_strcmp0 (env.type, DBN_MSG_CASE_MATERIALS_SUPPLEMENTED_WIRE) == 0);
        dbn_env_event_clear (&env);
    }
    /* A returned case (退回件) is closed too: answered, not supplemented. */
    g_autofree char *r = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) rw = wait_routed (f, r, "awaiting_materials");
    cli_ok (f, (const char *[]){ "case", "return", r, "--reason", "不属于代办范围", "--apply-to",
                                 "县人民法院", NULL });
    wait_intake_closed (f, r, "returned");
    g_autoptr (DbnMsgIntakeSupplementReply) returned =
        supplement (f, "station:qingshui", r, "结婚证", &error);
    g_assert_null (returned);
    assert_wire_code (error, "intake.case-closed");
}

/* D-RPL-2: only a case that was replied to is accepted again: one still in
 * hand, or returned without a reply yet, is refused (intake.not-replied). */
static void
test_again_needs_reply (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *n = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) w = wait_routed (f, n, "awaiting_materials");
    g_autoptr (DbnMsgIntakeCaseGetReply) first = intake_case (f, n);
    g_autofree char *key = next_key (f);
    /* The same applicant: dbn_test_submit_new's ID number for the same n. */
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 0, TRUE);
    g_free (m->id_number);
    m->id_number = g_strdup (first->id_number);
    m->previous_case = g_strdup (n);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) early = submit_as (f, "station:qingshui", body, &error);
    g_assert_null (early);
    assert_wire_code (error, "intake.not-replied");
    g_clear_error (&error);
    /* Returned, not yet replied: still refused. */
    cli_ok (f, (const char *[]){ "case", "return", n, "--reason", "材料不全且逾期未补", "--apply-to",
                                 "乡计生办", NULL });
    wait_intake_closed (f, n, "returned");
    g_free (m->env.key);
    m->env.key = next_key (f);
    g_autoptr (GBytes) body2 = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) returned = submit_as (f, "station:qingshui", body2, &error);
    g_assert_null (returned);
    assert_wire_code (error, "intake.not-replied");
    g_clear_error (&error);
    /* Replied (with the reason): accepted again, a new case naming the old. */
    cli_ok (f, (const char *[]){ "case", "reply", n, "--reason", "材料不全，已退回", "--confirmed", NULL });
    wait_intake_closed (f, n, "replied");
    g_free (m->env.key);
    m->env.key = next_key (f);
    g_autoptr (GBytes) body3 = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) again = submit_as (f, "station:qingshui", body3, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again->case_no, !=, n);
}

static void
test_notice_and_again (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *n = submit (f, "station:qingshui", "JS-ZHUNSHENG", FALSE, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) w = wait_routed (f, n, "awaiting_materials");
    const char *dir = dbn_harness_get_data_dir (f->harness);
    DbnCliRun run = dbn_harness_run_cli ((const char *[]){ "case", "notice", n, "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "[routing.not-replied]"));
    dbn_cli_run_clear (&run);
    /* D-RPL-2: not completed, replied with the reason. */
    run = dbn_harness_run_cli ((const char *[]){ "case", "reply", n, "--reason", "申请人未能补齐结婚证",
                                                 "--confirmed", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    dbn_cli_run_clear (&run);
    /* Accepting it again needs intake to have heard the reply (D-RPL-2). */
    wait_intake_closed (f, n, "replied");
    run = dbn_harness_run_cli ((const char *[]){ "case", "notice", n, "--json", "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
    JsonObject *o = json_node_get_object (root);
    g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, n);
    g_assert_cmpstr (json_object_get_string_member (o, "outcome"), ==, "not_done");
    g_assert_cmpstr (json_object_get_string_member (o, "text"), ==, "申请人未能补齐结婚证");
    g_assert_cmpstr (json_object_get_string_member (o, "responsible"), ==, "station:qingshui");
    dbn_cli_run_clear (&run);
    run = dbn_harness_run_cli ((const char *[]){ "case", "notice", n, "--data", dir, NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "办理结果告知单"));
    g_assert_nonnull (strstr (run.out, "--again"));
    dbn_cli_run_clear (&run);

    /* Accepted again later, complete this time: a new case naming the old. */
    run = dbn_harness_run_cli ((const char *[]){ "case", "submit", "--again", n, "--materials",
                                                 "夫妻双方身份证,户口簿,结婚证", "--consent", "--data", dir,
                                                 NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autofree char *again = g_strdup (strtok (run.out, "\n"));
    dbn_cli_run_clear (&run);
    g_assert_cmpstr (again, !=, n);
    g_autoptr (DbnMsgIntakeCaseGet) ig = dbn_msg_intake_case_get_new ();
    ig->env.key = next_key (f);
    ig->case_no = g_strdup (again);
    g_autoptr (GBytes) ig_body = dbn_msg_intake_case_get_encode (ig, NULL);
    g_autoptr (GBytes) ig_reply = call_as (f, NULL, "intake", ig_body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeCaseGetReply) c = dbn_msg_intake_case_get_reply_decode (
        g_bytes_get_data (ig_reply, NULL), g_bytes_get_size (ig_reply), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (c->previous_case, ==, n);
    g_assert_cmpstr (c->state, ==, "accepted");
    /* Only the same applicant's case is accepted again. */
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 555, TRUE);
    m->previous_case = g_strdup (n);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_as (f, NULL, body, &error);
    g_assert_null (r);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
}

static void
test_cli_help (void)
{
    const char *const cases[][4] = {
        { "catalog", "--help", NULL },         { "catalog", "list", "--help", NULL },
        { "catalog", "show", "--help", NULL }, { "catalog", "reload", "--help", NULL },
        { "visit", "--help", NULL },           { "visit", "add", "--help", NULL },
        { "visit", "list", "--help", NULL },   { "case", "supplement", "--help", NULL },
        { "case", "refuse", "--help", NULL },  { "case", "notice", "--help", NULL },
        { "logbook", "--help", NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        DbnCliRun r = dbn_harness_run_cli (cases[i]);
        g_assert_cmpint (r.status, ==, 0);
        g_assert_true (strstr (r.out, "Usage") != NULL || strstr (r.out, "用法") != NULL);
        dbn_cli_run_clear (&r);
    }
    DbnCliRun r = dbn_harness_run_cli ((const char *[]){ "case", "--help", NULL });
    g_assert_nonnull (strstr (r.out, "supplement"));
    g_assert_nonnull (strstr (r.out, "notice"));
    dbn_cli_run_clear (&r);
    r = dbn_harness_run_cli ((const char *[]){ "visit", "add", "--village", "qingshui", NULL });
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);
    r = dbn_harness_run_cli ((const char *[]){ "case", "supplement", "T01-2026-000001", NULL });
    g_assert_cmpint (r.status, ==, 2);
    dbn_cli_run_clear (&r);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-intake-more");
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD ("/intake/D-CAT-3/reload-without-restart-broken-file-refused", test_catalog_reload);
    ADD ("/intake/D-CAT-1/cli-list-show-reload", test_catalog_cli);
    ADD ("/intake/D-INT-4/supplement-resumes-awaiting-case", test_supplement_resumes);
    ADD ("/intake/D-INT-5/refusal-with-reason", test_refusal);
    ADD ("/intake/D-INT-7/walk-in-and-phone-at-window", test_window_channels);
    ADD ("/intake/D-INT-2/private-matter-not-proxied", test_private_not_proxied);
    ADD ("/intake/D-INT-3/logbook-acceptances-and-refusals", test_logbook);
    ADD ("/intake/D-INT-3/logbook-in-pages", test_logbook_pages);
    ADD ("/intake/D-INT-1/visit-need-becomes-request", test_visit_to_request);
    g_test_add ("/intake/D-INT-1/must-visit-list-due-and-overdue", Fixture, &must_t0, fixture_set_up,
                test_must_visit_list, fixture_tear_down);
    ADD ("/routing/D-INT-8/petition-restricted", test_petition_restricted);
    ADD ("/routing/D-INT-8/petition-held-by-mediation-officer", test_petition_held_by_officer);
    ADD ("/routing/queue/snapshot-in-pages", test_queue_paging);
    ADD ("/cli/D-RPL-3/result-notice-and-D-RPL-2-accept-again", test_notice_and_again);
    ADD ("/intake/D-RPL-4/closed-case-takes-no-supplement", test_closed_case_read_only);
    ADD ("/intake/D-RPL-2/accept-again-only-when-replied", test_again_needs_reply);
#undef ADD
    g_test_add_func ("/cli/intake/help", test_cli_help);
    return g_test_run ();
}
