/* test_routing: daiban-intake and daiban-routing as real processes; one case
 * per handling kind (D-RTE-2) driven from the station's submit to the
 * archive through the real services.
 *
 * Each test asserts the reply of every step, the case's final state, its
 * timeline (every event routing journaled for it, in order), that every one
 * of those events was published once on each of the case's three queue
 * topics q/<window>, s/<station>, a/<area> (a SUB socket that listens from
 * before the submit), and the handoff book (D-RTE-5). The first acceptor
 * (station:qingshui, the principal whose key submitted it) stays responsible
 * in every event (D-INT-6), and an archived case refuses every write (D-RPL-4).
 * Everything runs with CURVE; routing's other commands come from the
 * operator's key, and /routing/security/... checks the principals' limits.
 *
 * /routing/exactly-once/kill-9 runs many cases of every kind while routing
 * is SIGKILLed at random and restarted; every case must end exactly as in
 * an undisturbed run, with each event journaled once.
 */
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <zmq.h>

#include "dbn_test_harness.h"
#include "routing_machine.h"

#define CALL_MS 5000
/* The principal that submits every case: it stays responsible (D-INT-6). */
#define RESPONSIBLE "station:qingshui"
/* Keys made before the services start (they re-read the registry anyway). */
static const char *const principals[] = {
    RESPONSIBLE,       "station:shiqiao", "window:jisheng", "window:shebao",
    "supervisor:east", "supervisor:west", "committee",      NULL,
};

typedef struct {
    DbnHarness *harness;
    GSubprocess *intake;
    GSubprocess *routing;
    void *sub;         /* SUB on routing's events: q/, s/, a/ and hb */
    GPtrArray *heard;  /* char* "topic seq" of every case event heard */
    guint n_keys;      /* for unique idempotency keys */
    GHashTable *buses; /* principal → DbnBus* acting with its key */
} Fixture;

static void
make_buses (Fixture *f)
{
    f->buses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dbn_bus_free);
    for (int i = 0; principals[i] != NULL; i++) {
        g_autofree char *key = dbn_harness_add_key (f->harness, principals[i]);
        g_hash_table_insert (f->buses, (gpointer) principals[i], dbn_harness_new_bus (f->harness, key));
    }
}

static DbnBus *
bus_of (Fixture *f, const char *principal)
{
    DbnBus *bus = g_hash_table_lookup (f->buses, principal);
    g_assert_nonnull (bus);
    return bus;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    make_buses (f);
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
    f->heard = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GError) error = NULL;
    f->sub = dbn_bus_socket_new (dbn_harness_get_bus (f->harness), ZMQ_SUB, &error);
    g_assert_no_error (error);
    const char *prefixes[] = { "q/", "s/", "a/", "hb" };
    for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
        zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, prefixes[i], strlen (prefixes[i]));
    DbnConfig *config = dbn_harness_get_config (f->harness);
    g_assert_true (dbn_bus_connect (dbn_harness_get_bus (f->harness), f->sub,
                                    dbn_config_get_publish_endpoint (config, "routing"), &error));
    /* A heartbeat proves the subscriptions sent before it are in place. */
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    gboolean heartbeat = FALSE;
    while (!heartbeat && g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { f->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, f->sub, 0);
        if (zmq_msg_more (&topic))
            zmq_msg_recv (&body, f->sub, 0);
        /* "hb", or "hb/" where topic frames end in '/'. */
        heartbeat = zmq_msg_size (&topic) >= 2 && memcmp (zmq_msg_data (&topic), "hb", 2) == 0;
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    g_assert_true (heartbeat);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    zmq_close (f->sub);
    g_ptr_array_unref (f->heard);
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_hash_table_unref (f->buses); /* before the harness: no socket is left on them */
    dbn_harness_free (f->harness);
}

static char *
next_key (Fixture *f)
{
    return g_strdup_printf ("test-%u", ++f->n_keys);
}

/* ---- intake ---- */

static char *
submit (Fixture *f, const char *matter, const char *const *materials, const char *channel)
{
    g_autofree char *key = next_key (f);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, f->n_keys, TRUE);
    g_free (m->matter);
    m->matter = g_strdup (matter);
    g_strfreev (m->materials);
    m->materials = g_strdupv ((char **) materials);
    m->channel = g_strdup (channel);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    /* As the station: its principal becomes the acceptor (D-INT-6). */
    g_autoptr (GBytes) reply =
        dbn_harness_call_on (f->harness, bus_of (f, RESPONSIBLE), "intake", body, CALL_MS, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

/* ---- routing ---- */

static DbnMsgRoutingCaseGetReply *
case_get (Fixture *f, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = g_strdup ("get");
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "routing", body, CALL_MS, error);
    if (reply == NULL)
        return NULL;
    return dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                  error);
}

/* Routing follows intake's journal: wait until it has the case. */
static DbnMsgRoutingCaseGetReply *
wait_routed (Fixture *f, const char *case_no)
{
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (GError) error = NULL;
        DbnMsgRoutingCaseGetReply *c = case_get (f, case_no, &error);
        if (c != NULL)
            return c;
        g_assert_true (g_error_matches (error, DBN_ERROR, DBN_ERROR_NOT_FOUND));
        g_usleep (10 * 1000); /* intake's event is on its way; poll */
    }
    g_error ("routing never got %s", case_no);
}

/* Sends a command to routing; returns its reply or NULL with the error. */
static GBytes *
routing_call (Fixture *f, GBytes *body, GError **error)
{
    return dbn_harness_call (f->harness, "routing", body, CALL_MS, error);
}

/* Fills the envelope of m (a command) with a fresh key and the actor. */
#define COMMAND(Type, name, m, who)                                                                          \
    g_autoptr (Type) m = dbn_msg_##name##_new ();                                                            \
    m->env.key = next_key (f);                                                                               \
    m->env.actor = g_strdup (who)

static GBytes *
enc_classify (Fixture *f, const char *case_no, const char *kind, const char *reason)
{
    COMMAND (DbnMsgCaseClassify, case_classify, m, "window:front");
    m->case_no = g_strdup (case_no);
    m->kind = g_strdup (kind);
    m->reason = g_strdup (reason);
    return dbn_msg_case_classify_encode (m, NULL);
}

static GBytes *
enc_assign (Fixture *f, const char *case_no, const char *window, const char *agent)
{
    COMMAND (DbnMsgCaseAssign, case_assign, m, "window:front");
    m->case_no = g_strdup (case_no);
    m->window = g_strdup (window);
    m->agent = g_strdup (agent);
    return dbn_msg_case_assign_encode (m, NULL);
}

static GBytes *
enc_handoff (Fixture *f, const char *case_no, const char *to, const char *reason)
{
    COMMAND (DbnMsgCaseHandoff, case_handoff, m, "window:back");
    m->case_no = g_strdup (case_no);
    m->to = g_strdup (to);
    m->reason = g_strdup (reason);
    return dbn_msg_case_handoff_encode (m, NULL);
}

static GBytes *
enc_start (Fixture *f, const char *case_no)
{
    COMMAND (DbnMsgCaseStart, case_start, m, "window:back");
    m->case_no = g_strdup (case_no);
    return dbn_msg_case_start_encode (m, NULL);
}

static GBytes *
enc_complete (Fixture *f, const char *case_no, const char *part, const char *result)
{
    COMMAND (DbnMsgCaseComplete, case_complete, m, "window:back");
    m->case_no = g_strdup (case_no);
    m->part = g_strdup (part);
    m->result = g_strdup (result);
    return dbn_msg_case_complete_encode (m, NULL);
}

static GBytes *
enc_escalate (Fixture *f, const char *case_no, const char *reason)
{
    COMMAND (DbnMsgCaseEscalate, case_escalate, m, "agent:ts-li");
    m->case_no = g_strdup (case_no);
    m->reason = g_strdup (reason);
    return dbn_msg_case_escalate_encode (m, NULL);
}

static GBytes *
enc_county_answer (Fixture *f, const char *case_no, const char *answer, gboolean approved)
{
    COMMAND (DbnMsgCaseCountyAnswer, case_county_answer, m, "agent:ts-li");
    m->case_no = g_strdup (case_no);
    m->answer = g_strdup (answer);
    m->approved = approved;
    return dbn_msg_case_county_answer_encode (m, NULL);
}

static GBytes *
enc_return (Fixture *f, const char *case_no, const char *reason, const char *apply_to)
{
    COMMAND (DbnMsgCaseReturn, case_return, m, "station:test");
    m->case_no = g_strdup (case_no);
    m->reason = g_strdup (reason);
    m->apply_to = g_strdup (apply_to);
    return dbn_msg_case_return_encode (m, NULL);
}

static GBytes *
enc_reply (Fixture *f, const char *case_no, const char *result, const char *reason, gboolean satisfied)
{
    COMMAND (DbnMsgCaseReply, case_reply, m, "station:test");
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (result);
    m->reason = g_strdup (reason);
    m->has_satisfied = TRUE;
    m->satisfied = satisfied;
    m->has_confirmed = TRUE;
    m->confirmed = TRUE;
    return dbn_msg_case_reply_encode (m, NULL);
}

static GBytes *
enc_archive (Fixture *f, const char *case_no)
{
    COMMAND (DbnMsgCaseArchive, case_archive, m, "station:test");
    m->case_no = g_strdup (case_no);
    return dbn_msg_case_archive_encode (m, NULL);
}

static GBytes *
enc_accompany (Fixture *f, const char *case_no, const char *note)
{
    COMMAND (DbnMsgCaseAccompany, case_accompany, m, "station:test");
    m->case_no = g_strdup (case_no);
    m->note = g_strdup (note);
    return dbn_msg_case_accompany_encode (m, NULL);
}

/* Sends body (taking it) and asserts success and the state after it. */
static void
expect_state (Fixture *f, GBytes *body, const char *state)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = routing_call (f, owned, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRoutingCaseReply) r =
        dbn_msg_routing_case_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r->state, ==, state);
}

/* Sends body (taking it) and asserts the refusal. */
static void
expect_refused (Fixture *f, GBytes *body, GQuark domain, int code)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = routing_call (f, owned, &error);
    g_assert_null (reply);
    g_assert_error (error, domain, code);
}

static char *
runsheet_new (Fixture *f, const char *station, char ***cases)
{
    COMMAND (DbnMsgRunsheetNew, runsheet_new, m, "station:test");
    m->station = g_strdup (station);
    g_autoptr (GBytes) body = dbn_msg_runsheet_new_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = routing_call (f, body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRunsheetNewReply) r =
        dbn_msg_runsheet_new_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    /* D-RTE-3: dated for a Sunday or a Wednesday (the default run days). */
    g_autoptr (GDateTime) d =
        g_date_time_new_local (atoi (r->date), atoi (r->date + 5), atoi (r->date + 8), 12, 0, 0);
    int weekday = g_date_time_get_day_of_week (d);
    g_assert_true (weekday == 7 || weekday == 3);
    if (cases != NULL)
        *cases = g_steal_pointer (&r->cases);
    return g_strdup (r->sheet);
}

static gint64
runsheet_ack (Fixture *f, const char *sheet, const char *case_no)
{
    COMMAND (DbnMsgRunsheetAck, runsheet_ack, m, "window:front");
    m->sheet = g_strdup (sheet);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_runsheet_ack_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = routing_call (f, body, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRunsheetAckReply) r =
        dbn_msg_runsheet_ack_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return r->remaining;
}

/* ---- what was journaled and published ---- */

static JsonObject *
event_json (GBytes *frame, JsonNode **keep)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *text =
        dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
    g_assert_no_error (error);
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
    *keep = json_node_copy (json_parser_get_root (parser));
    return json_node_get_object (*keep);
}

/* Reads everything published until want "topic seq" lines for the case's
 * events have arrived (or 10 s passed). */
static void
listen (Fixture *f, guint want)
{
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (f->heard->len < want && g_get_monotonic_time () < deadline) {
        zmq_pollitem_t item = { f->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, f->sub, 0);
        g_assert_true (zmq_msg_more (&topic));
        zmq_msg_recv (&body, f->sub, 0);
        g_autofree char *name = g_strndup (zmq_msg_data (&topic), zmq_msg_size (&topic));
        /* Topic frames may end in '/' (so "s/a" never matches "s/ab"). */
        if (g_str_has_suffix (name, "/"))
            name[strlen (name) - 1] = '\0';
        if (strcmp (name, "hb") != 0) {
            DbnEnvEvent env = { 0 };
            g_assert_true (dbn_env_event_decode (zmq_msg_data (&body), zmq_msg_size (&body), &env, NULL));
            g_ptr_array_add (f->heard, g_strdup_printf ("%s %" G_GINT64_FORMAT, name, env.seq));
            dbn_env_event_clear (&env);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
}

static gboolean
heard (Fixture *f, const char *topic, gint64 seq)
{
    g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT, topic, seq);
    guint n = 0;
    for (guint i = 0; i < f->heard->len; i++)
        n += strcmp (g_ptr_array_index (f->heard, i), line) == 0;
    g_assert_cmpuint (n, <=, 1); /* never twice on one topic */
    return n == 1;
}

static gint64
query_int (DbnHarness *h, const char *sql)
{
    g_autofree char *path = dbn_config_dup_store_path (dbn_harness_get_config (h), "routing");
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    sqlite3_stmt *st = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    gint64 v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    sqlite3_close (db);
    return v;
}

/* The final checks every kind shares: the case is archived with outcome,
 * its timeline is exactly `types`, every event was published once on each
 * of its three topics, and once more on the window it left when the case
 * moved to another window (so that queue hears it go), and names the first
 * acceptor as responsible, the
 * handoff book has `handoffs` lines, and any further write is refused. */
static void
assert_finished (Fixture *f, const char *case_no, const char *outcome, const char *const *types,
                 guint handoffs)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, case_no, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (c->state, ==, "archived");
    g_assert_cmpstr (c->outcome, ==, outcome);
    g_assert_cmpstr (c->responsible, ==, RESPONSIBLE);
    g_assert_cmpuint (c->timeline->len, ==, g_strv_length ((char **) types));

    guint want = 0;
    g_autofree char *was = NULL; /* the window of the case before each event */
    for (guint i = 0; i < c->timeline->len; i++) {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *ev = event_json (g_ptr_array_index (c->timeline, i), &keep);
        /* D-INT-8: a petition's events skip the area's topic. */
        guint area = c->has_restricted && c->restricted ? 0 : 1;
        want += json_object_has_member (ev, "windows")
                    ? 1 + area + json_array_get_length (json_object_get_array_member (ev, "windows"))
                    : 2 + area;
        if (json_object_has_member (ev, "windows"))
            continue;
        const char *window = json_object_get_string_member (ev, "window");
        want += was != NULL && *was != '\0' && g_strcmp0 (was, window) != 0;
        g_free (was);
        was = g_strdup (window);
    }
    listen (f, want);
    g_clear_pointer (&was, g_free);
    for (guint i = 0; i < c->timeline->len; i++) {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *ev = event_json (g_ptr_array_index (c->timeline, i), &keep);
        const char *type = json_object_get_string_member (ev, "type");
        gint64 seq = json_object_get_int_member (ev, "seq");
        if (g_strcmp0 (type, types[i]) != 0)
            g_error ("event %u of %s is %s, expected %s", i, case_no, type, types[i]);
        g_assert_cmpstr (json_object_get_string_member (ev, "src"), ==, "routing");
        g_autofree char *s = g_strdup_printf ("s/%s", json_object_get_string_member (ev, "station"));
        g_autofree char *a = g_strdup_printf ("a/%s", json_object_get_string_member (ev, "area"));
        g_assert_true (heard (f, s, seq));
        g_assert_true (heard (f, a, seq) == !(c->has_restricted && c->restricted));
        if (strcmp (type, "runsheet.created") == 0)
            continue; /* its windows: checked by the count above */
        const char *window = json_object_get_string_member (ev, "window");
        g_autofree char *q = g_strdup_printf ("q/%s", window);
        g_assert_true (heard (f, q, seq));
        /* The queue the case left hears of it too. */
        if (was != NULL && *was != '\0' && g_strcmp0 (was, window) != 0) {
            g_autofree char *left = g_strdup_printf ("q/%s", was);
            g_assert_true (heard (f, left, seq));
        }
        g_free (was);
        was = g_strdup (window);
        g_assert_cmpstr (json_object_get_string_member (ev, "case"), ==, case_no);
        /* D-INT-6: through every handoff. */
        g_assert_cmpstr (json_object_get_string_member (ev, "responsible"), ==, RESPONSIBLE);
    }
    /* D-RTE-5: every handoff has who, when and why. */
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM handoff WHERE case_no = '%s'"
                                            " AND handed_by != '' AND at > 0 AND why != ''",
                                            case_no);
    g_assert_cmpint (query_int (f->harness, sql), ==, handoffs);

    /* D-RPL-4: read-only now. */
    expect_refused (f, enc_accompany (f, case_no, "x"), ROUTING_ERROR, ROUTING_ERROR_ARCHIVED);
    expect_refused (f, enc_handoff (f, case_no, "window:shebao", "x"), ROUTING_ERROR, ROUTING_ERROR_ARCHIVED);
    expect_refused (f, enc_archive (f, case_no), ROUTING_ERROR, ROUTING_ERROR_ARCHIVED);
}

/* ---- one test per handling kind ---- */

/* 即办件: carried on the run sheet, acknowledged at the centre, done the same day. */
static void
test_immediate (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    g_autofree char *n = submit (f, "JS-ZHUNSHENG", materials, "station");
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, n);
    g_assert_cmpstr (routed->state, ==, "received");
    g_assert_cmpstr (routed->kind, ==, "immediate");
    g_assert_cmpstr (routed->window, ==, "jisheng");
    g_assert_cmpstr (routed->location, ==, "station");

    g_auto (GStrv) cases = NULL;
    g_autofree char *sheet = runsheet_new (f, "qingshui", &cases);
    g_assert_cmpuint (g_strv_length (cases), ==, 1);
    g_assert_cmpstr (cases[0], ==, n);
    g_autoptr (DbnMsgRoutingCaseGetReply) moving = case_get (f, n, NULL);
    g_assert_cmpstr (moving->location, ==, "in_transit");
    g_assert_cmpstr (moving->sheet, ==, sheet);
    g_assert_cmpint (runsheet_ack (f, sheet, n), ==, 0);

    expect_state (f, enc_classify (f, n, "immediate", "材料齐全，当场办理"), "classified");
    expect_state (f, enc_assign (f, n, NULL, NULL), "assigned");
    expect_state (f, enc_start (f, n), "in_progress");
    expect_state (f, enc_complete (f, n, NULL, "准生证已发放"), "completed");
    expect_state (f, enc_reply (f, n, "准生证已发放", NULL, TRUE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    const char *types[] = {
        "case.routed",  "runsheet.created", "runsheet.acknowledged", "case.classified", "case.assigned",
        "case.started", "case.completed",   "case.replied",          "case.archived",   NULL
    };
    /* Handoffs: station → front desk (receipt), front desk → window (assign). */
    assert_finished (f, n, "done", types, 2);
}

/* 承办件: a walk-in, handed between windows with reasons, the agent
 * accompanying the applicant (D-RTE-4). */
static void
test_committed (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "申请书", "身份证", "困难情况说明", NULL };
    g_autofree char *n = submit (f, "MZ-LINSHI", materials, "walk-in");
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, n);
    g_assert_cmpstr (routed->location, ==, "centre");
    g_assert_cmpstr (routed->kind, ==, "committed");

    /* Illegal before classification: refused, nothing changes. */
    expect_refused (f, enc_start (f, n), ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
    expect_refused (f, enc_assign (f, n, NULL, NULL), ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
    expect_state (f, enc_classify (f, n, "committed", "需入户核实"), "classified");
    expect_state (f, enc_assign (f, n, "shebao", NULL), "assigned");
    /* D-RTE-5: a handoff without a reason is refused. */
    expect_refused (f, enc_handoff (f, n, "window:minzheng", ""), ROUTING_ERROR,
                    ROUTING_ERROR_REASON_REQUIRED);
    expect_state (f, enc_handoff (f, n, "window:minzheng", "临时救助属民政"), "assigned");
    expect_state (f, enc_accompany (f, n, "代办员陪同入户核实"), "assigned");
    expect_state (f, enc_start (f, n), "in_progress");
    expect_state (f, enc_complete (f, n, NULL, "发放临时救助金"), "completed");
    expect_state (f, enc_reply (f, n, "已发放临时救助金", NULL, TRUE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, n, NULL);
    g_assert_true (c->accompanied);
    g_assert_cmpstr (c->window, ==, "minzheng");
    g_assert_cmpstr (c->holder, ==, "window:minzheng");
    const char *types[] = {
        "case.routed",  "case.classified", "case.assigned", "case.handed_off", "case.accompanied",
        "case.started", "case.completed",  "case.replied",  "case.archived",   NULL
    };
    assert_finished (f, n, "done", types, 2);
}

/* 联办件: SB-ZHENGDI needs three county departments; done after the third. */
static void
test_joint_waits_for_all_parts (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "参保申请表", "身份证", "户口簿", "征地协议", "村委会出具的被征地人员名单",
                                NULL };
    g_autofree char *n = submit (f, "SB-ZHENGDI", materials, "walk-in");
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, n);
    g_assert_cmpstr (routed->kind, ==, "joint");
    expect_state (f, enc_classify (f, n, "joint", "人社、自然资源、财政三部门会办"), "classified");
    /* D-RTE-1: a county matter goes to a township agent. */
    expect_state (f, enc_assign (f, n, NULL, NULL), "assigned");
    expect_state (f, enc_start (f, n), "in_progress");
    expect_state (f, enc_complete (f, n, "县自然资源局", "征地面积核实"), "in_progress");
    expect_refused (f, enc_reply (f, n, "x", NULL, TRUE), ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
    expect_refused (f, enc_complete (f, n, "县自然资源局", "again"), ROUTING_ERROR,
                    ROUTING_ERROR_UNKNOWN_PART);
    expect_state (f, enc_complete (f, n, "县财政局", "补贴资金到位"), "in_progress");
    g_autoptr (DbnMsgRoutingCaseGetReply) two = case_get (f, n, NULL);
    g_assert_cmpstr (two->state, ==, "in_progress");
    g_assert_cmpuint (g_strv_length (two->parts), ==, 3);
    g_assert_cmpuint (g_strv_length (two->parts_done), ==, 2);
    expect_state (f, enc_complete (f, n, "县人力资源和社会保障局", "已参保"), "completed");
    expect_state (f, enc_reply (f, n, "已参加社会保险", NULL, TRUE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    const char *types[] = { "case.routed",
                            "case.classified",
                            "case.assigned",
                            "case.started",
                            "case.part_completed",
                            "case.part_completed",
                            "case.part_completed",
                            "case.completed",
                            "case.replied",
                            "case.archived",
                            NULL };
    assert_finished (f, n, "done", types, 1);
}

/* 上报件: a township agent takes it to the county; tracked until it answers. */
static void
test_escalated_with_county_answer (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "申请书", "身份证", "户口簿", "家庭收入证明", NULL };
    g_autofree char *n = submit (f, "MZ-DIBAO", materials, "station");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, n));
    g_autofree char *sheet = runsheet_new (f, "qingshui", NULL);
    expect_state (f, enc_classify (f, n, "escalated", "低保须县民政局审批"), "classified");
    expect_state (f, enc_assign (f, n, NULL, NULL), "assigned");
    g_autoptr (DbnMsgRoutingCaseGetReply) assigned = case_get (f, n, NULL);
    g_assert_cmpstr (assigned->holder, ==, "agent:ts-li");
    /* Not yet acknowledged at the centre: it shows in transit. */
    g_assert_cmpstr (assigned->location, ==, "in_transit");
    g_assert_cmpint (runsheet_ack (f, sheet, n), ==, 0);
    expect_state (f, enc_start (f, n), "in_progress");
    expect_state (f, enc_escalate (f, n, "报县民政局审批"), "escalated");
    expect_refused (f, enc_complete (f, n, NULL, "x"), ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
    g_autoptr (DbnMsgRoutingCaseGetReply) up = case_get (f, n, NULL);
    g_assert_cmpstr (up->holder, ==, "county:minzheng");
    g_assert_cmpstr (up->county, ==, "minzheng");
    expect_state (f, enc_county_answer (f, n, "同意纳入低保", TRUE), "county_answered");
    expect_state (f, enc_complete (f, n, NULL, "低保金按月发放"), "completed");
    expect_state (f, enc_reply (f, n, "已纳入低保", NULL, TRUE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    const char *types[] = { "case.routed",    "runsheet.created",      "case.classified",
                            "case.assigned",  "runsheet.acknowledged", "case.started",
                            "case.escalated", "case.county_answered",  "case.completed",
                            "case.replied",   "case.archived",         NULL };
    /* assign, receipt, escalate, answer back. */
    assert_finished (f, n, "done", types, 4);
}

/* D-RTE-4: a matter needing the applicant in person (BY-DENGJI, catalog
 * presence) is not completed silently without the accompaniment: refused
 * (routing.not-accompanied) until the reason is given, which case.completed
 * records; once accompanied, a second such case completes without one. */
static void
test_presence_needs_accompaniment (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "身份证", "户口簿", "学历证明", NULL };
    g_autofree char *n = submit (f, "BY-DENGJI", materials, "station");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, n));
    expect_state (f, enc_classify (f, n, "immediate", "材料齐全"), "classified");
    expect_state (f, enc_assign (f, n, NULL, NULL), "assigned");
    expect_state (f, enc_start (f, n), "in_progress");
    expect_refused (f, enc_complete (f, n, NULL, "已登记"), ROUTING_ERROR, ROUTING_ERROR_NOT_ACCOMPANIED);
    {
        COMMAND (DbnMsgCaseComplete, case_complete, m, "window:back");
        m->case_no = g_strdup (n);
        m->result = g_strdup ("已登记");
        m->unaccompanied = g_strdup ("申办人自行到窗口办理，无需陪同");
        expect_state (f, dbn_msg_case_complete_encode (m, NULL), "completed");
    }
    /* The event carries the reason (MessagePack strings are raw UTF-8). */
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM journal WHERE type = 'case.completed' "
                                            "AND case_no = '%s' AND instr (body, CAST ('%s' AS BLOB)) > 0",
                                            n, "申办人自行到窗口办理，无需陪同");
    g_assert_cmpint (query_int (f->harness, sql), ==, 1);

    g_autofree char *n2 = submit (f, "BY-DENGJI", materials, "station");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, n2));
    expect_state (f, enc_classify (f, n2, "immediate", "材料齐全"), "classified");
    expect_state (f, enc_assign (f, n2, NULL, NULL), "assigned");
    expect_state (f, enc_accompany (f, n2, "代办员陪同到窗口"), "assigned");
    expect_state (f, enc_start (f, n2), "in_progress");
    expect_state (f, enc_complete (f, n2, NULL, "已登记"), "completed");
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, n2, NULL);
    g_assert_true (c->accompanied);
}

/* 退回件 (D-INT-5): refused in writing with where to apply instead; the
 * reply carries the reason (D-RPL-2). */
static void
test_returned (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "信访事项书面材料或口述记录", "身份证", NULL };
    g_autofree char *n = submit (f, "QT-XINFANG", materials, "station");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, n));
    expect_refused (f, enc_return (f, n, "涉诉事项", ""), ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    expect_state (f, enc_return (f, n, "已进入诉讼程序，不属于信访受理范围", "县人民法院"), "returned");
    /* A returned case is answered; not handled. */
    expect_refused (f, enc_classify (f, n, "committed", "x"), ROUTING_ERROR,
                    ROUTING_ERROR_ILLEGAL_TRANSITION);
    expect_refused (f, enc_reply (f, n, "办好了", NULL, TRUE), ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    expect_state (f, enc_reply (f, n, NULL, "已书面告知退回理由及去处", FALSE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, n, NULL);
    g_assert_cmpstr (c->kind, ==, "returned");
    g_assert_true (c->restricted); /* a petition: assert_finished checks a/ never hears it */
    const char *types[] = { "case.routed", "case.returned", "case.replied", "case.archived", NULL };
    assert_finished (f, n, "not_done", types, 0);
}

/* D-INT-4: an incomplete request waits in routing too; it can be answered
 * with the reason and archived, and never travels on a run sheet. */
static void
test_awaiting_materials (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "身份证", NULL };
    g_autofree char *n = submit (f, "MZ-DIBAO", materials, "station");
    g_autoptr (DbnMsgRoutingCaseGetReply) routed = wait_routed (f, n);
    g_assert_cmpstr (routed->state, ==, "awaiting_materials");
    /* case.awaiting_materials follows case.accepted: wait for the list. */
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    g_autoptr (DbnMsgRoutingCaseGetReply) c = NULL;
    while (g_get_monotonic_time () < deadline) {
        g_clear_pointer (&c, dbn_msg_routing_case_get_reply_free);
        c = case_get (f, n, NULL);
        if (c->missing[0] != NULL)
            break;
        g_usleep (10 * 1000);
    }
    g_assert_cmpuint (g_strv_length (c->missing), ==, 3);
    expect_refused (f, enc_classify (f, n, "committed", "x"), ROUTING_ERROR,
                    ROUTING_ERROR_ILLEGAL_TRANSITION);
    /* Nothing to carry: the station's only case waits for materials. */
    COMMAND (DbnMsgRunsheetNew, runsheet_new, m, "station:test");
    m->station = g_strdup ("qingshui");
    g_autoptr (GBytes) body = dbn_msg_runsheet_new_encode (m, NULL);
    expect_refused (f, g_steal_pointer (&body), ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY);
    expect_state (f, enc_reply (f, n, NULL, "材料未补齐，可补齐后再次申请", FALSE), "replied");
    expect_state (f, enc_archive (f, n), "archived");
    const char *types[] = { "case.routed", "case.replied", "case.archived", NULL };
    assert_finished (f, n, "not_done", types, 0);
}

/* D-RTE-6: a queue snapshot with the seq it reflects; later events of the
 * queue's topic carry greater seqs. */
static void
test_queue_snapshot (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    g_autofree char *a = submit (f, "JS-ZHUNSHENG", materials, "station");
    g_autofree char *b = submit (
        f, "JS-LIUDONG", (const char *[]){ "身份证", "户口簿", "结婚证", "二寸照片", NULL }, "walk-in");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, a));
    dbn_msg_routing_case_get_reply_free (wait_routed (f, b));
    const char *kinds[] = { "window", "station", "area" };
    const char *ids[] = { "jisheng", "qingshui", "east" };
    gint64 seq = 0;
    for (int i = 0; i < 3; i++) {
        COMMAND (DbnMsgRoutingQueue, routing_queue, q, "window:jisheng");
        q->kind = g_strdup (kinds[i]);
        q->id = g_strdup (ids[i]);
        g_autoptr (GBytes) body = dbn_msg_routing_queue_encode (q, NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply = routing_call (f, body, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgRoutingQueueReply) r = dbn_msg_routing_queue_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
        g_assert_no_error (error);
        g_assert_cmpuint (r->items->len, ==, 2);
        g_assert_false (r->truncated);
        GBytes *frame = g_ptr_array_index (r->items, 0);
        g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
        g_assert_no_error (error);
        g_assert_cmpstr (item->case_no, ==, a);
        g_assert_cmpstr (item->state, ==, "received");
        g_assert_cmpstr (item->responsible, ==, RESPONSIBLE);
        g_assert_cmpint (item->updated_seq, <=, r->seq);
        seq = r->seq;
    }
    /* Two case.routed and each case's board row (issue 16, topic pub). */
    g_assert_cmpint (seq, ==, 4);
    /* An unknown queue is refused. */
    COMMAND (DbnMsgRoutingQueue, routing_queue, bad, "window:jisheng");
    bad->kind = g_strdup ("window");
    bad->id = g_strdup ("nope");
    expect_refused (f, dbn_msg_routing_queue_encode (bad, NULL), ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET);
    /* The next change of the queue comes with a greater seq on q/jisheng
     * (after the two case.routed, each heard on three topics; each is
     * followed by its board row on pub, seqs 2 and 4, not listened to). */
    listen (f, 6);
    g_assert_true (heard (f, "q/jisheng", 1) && heard (f, "s/qingshui", 3) && heard (f, "a/east", 3));
    g_ptr_array_set_size (f->heard, 0);
    expect_state (f, enc_classify (f, b, "immediate", "材料齐全"), "classified");
    listen (f, 3);
    g_assert_true (heard (f, "q/jisheng", seq + 1));
}

/* ---- principals (issue 3's keys) ---- */

static GBytes *
call_as (Fixture *f, const char *principal, GBytes *body, GError **error)
{
    return dbn_harness_call_on (f->harness, bus_of (f, principal), "routing", body, CALL_MS, error);
}

static void
assert_forbidden (Fixture *f, const char *principal, GBytes *body)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = call_as (f, principal, owned, &error);
    g_assert_null (reply);
    g_assert_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN);
}

static void
assert_allowed (Fixture *f, const char *principal, GBytes *body)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = call_as (f, principal, owned, &error);
    g_assert_no_error (error);
}

static GBytes *
enc_get (const char *case_no)
{
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = g_strdup ("get");
    m->case_no = g_strdup (case_no);
    return dbn_msg_routing_case_get_encode (m, NULL);
}

static GBytes *
enc_queue (const char *kind, const char *id)
{
    g_autoptr (DbnMsgRoutingQueue) m = dbn_msg_routing_queue_new ();
    m->env.key = g_strdup ("queue");
    m->kind = g_strdup (kind);
    m->id = g_strdup (id);
    return dbn_msg_routing_queue_encode (m, NULL);
}

static GBytes *
enc_runsheet (Fixture *f, const char *station)
{
    COMMAND (DbnMsgRunsheetNew, runsheet_new, m, "claimed");
    m->station = g_strdup (station);
    return dbn_msg_runsheet_new_encode (m, NULL);
}

/* D-RTE-6: a station sees and acts on the cases it entrusted, a window on
 * its queue, a supervisor reads its area, the committee reads only. The
 * actor of every event is the key's principal, never the claimed one. */
static void
test_principals (Fixture *f, gconstpointer data)
{
    const char *materials[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    g_autofree char *n = submit (f, "JS-ZHUNSHENG", materials, "station");
    dbn_msg_routing_case_get_reply_free (wait_routed (f, n));

    assert_allowed (f, RESPONSIBLE, enc_get (n));
    assert_forbidden (f, "station:shiqiao", enc_get (n));
    assert_allowed (f, "supervisor:east", enc_get (n));
    assert_forbidden (f, "supervisor:west", enc_get (n));
    assert_allowed (f, "committee", enc_get (n));
    assert_allowed (f, "window:shebao", enc_get (n));

    assert_allowed (f, RESPONSIBLE, enc_queue ("station", "qingshui"));
    assert_forbidden (f, RESPONSIBLE, enc_queue ("station", "shiqiao"));
    assert_forbidden (f, RESPONSIBLE, enc_queue ("window", "jisheng"));
    assert_allowed (f, "window:jisheng", enc_queue ("window", "jisheng"));
    assert_forbidden (f, "window:jisheng", enc_queue ("window", "shebao"));
    assert_allowed (f, "supervisor:east", enc_queue ("area", "east"));
    assert_forbidden (f, "supervisor:east", enc_queue ("area", "west"));

    /* Run sheets: the station makes its own, the centre acknowledges. */
    assert_forbidden (f, "station:shiqiao", enc_runsheet (f, "qingshui"));
    assert_forbidden (f, "window:jisheng", enc_runsheet (f, "qingshui"));
    assert_allowed (f, RESPONSIBLE, enc_runsheet (f, "qingshui"));

    /* Handling belongs to the window whose queue holds the case. */
    assert_forbidden (f, RESPONSIBLE, enc_classify (f, n, "immediate", "x"));
    assert_forbidden (f, "window:shebao", enc_classify (f, n, "immediate", "x"));
    assert_forbidden (f, "committee", enc_classify (f, n, "immediate", "x"));
    assert_forbidden (f, "supervisor:east", enc_accompany (f, n, "x"));
    assert_allowed (f, "window:jisheng", enc_classify (f, n, "immediate", "材料齐全"));
    assert_allowed (f, "window:jisheng", enc_handoff (f, n, "window:shebao", "转社保"));
    /* Now in shebao's queue: shebao acts, jisheng no longer does. */
    assert_forbidden (f, "window:jisheng", enc_accompany (f, n, "x"));
    assert_allowed (f, "window:shebao", enc_accompany (f, n, "陪同"));
    /* The station accompanies and replies for its own cases only. */
    assert_allowed (f, RESPONSIBLE, enc_accompany (f, n, "代办员陪同"));
    assert_forbidden (f, "station:shiqiao", enc_accompany (f, n, "x"));

    /* Who, in the journal: the key's principal, not the claimed actor. */
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgRoutingCaseGetReply) c = case_get (f, n, &error);
    g_assert_no_error (error);
    const char *actors[] = { "service:routing",
                             "station:qingshui",
                             "window:jisheng",
                             "window:jisheng",
                             "window:shebao",
                             "station:qingshui",
                             NULL };
    g_assert_cmpuint (c->timeline->len, ==, g_strv_length ((char **) actors));
    for (guint i = 0; i < c->timeline->len; i++) {
        DbnEnvEvent env = { 0 };
        GBytes *ev = g_ptr_array_index (c->timeline, i);
        g_assert_true (dbn_env_event_decode (g_bytes_get_data (ev, NULL), g_bytes_get_size (ev), &env, NULL));
        g_assert_cmpstr (env.actor, ==, actors[i]);
        dbn_env_event_clear (&env);
    }
}

/* ---- kill -9 ---- */

typedef struct {
    char *case_no;    /* intake's number */
    int kind;         /* 0..4: immediate, committed, joint, escalated, returned */
    GPtrArray *steps; /* GBytes*: the commands of its path, keys fixed */
    guint next;       /* steps done */
} KillCase;

static void
kill_case_free (KillCase *k)
{
    g_free (k->case_no);
    g_ptr_array_unref (k->steps);
    g_free (k);
}

static const char *const kill_matters[] = { "JS-ZHUNSHENG", "MZ-LINSHI", "SB-ZHENGDI", "MZ-DIBAO",
                                            "QT-XINFANG" };
static const char *const *const kill_materials[] = {
    (const char *[]){ "夫妻双方身份证", "户口簿", "结婚证", NULL },
    (const char *[]){ "申请书", "身份证", "困难情况说明", NULL },
    (const char *[]){ "参保申请表", "身份证", "户口簿", "征地协议", "村委会出具的被征地人员名单", NULL },
    (const char *[]){ "申请书", "身份证", "户口簿", "家庭收入证明", NULL },
    (const char *[]){ "信访事项书面材料或口述记录", "身份证", NULL },
};
/* The timeline each kind must end with, in an undisturbed run. */
static const char *const *const kill_timelines[] = {
    (const char *[]){ "case.routed", "case.classified", "case.assigned", "case.started", "case.completed",
                      "case.replied", "case.archived", NULL },
    (const char *[]){ "case.routed", "case.classified", "case.assigned", "case.handed_off", "case.started",
                      "case.completed", "case.replied", "case.archived", NULL },
    (const char *[]){ "case.routed", "case.classified", "case.assigned", "case.started",
                      "case.part_completed", "case.part_completed", "case.part_completed", "case.completed",
                      "case.replied", "case.archived", NULL },
    (const char *[]){ "case.routed", "case.classified", "case.assigned", "case.started", "case.escalated",
                      "case.county_answered", "case.completed", "case.replied", "case.archived", NULL },
    (const char *[]){ "case.routed", "case.returned", "case.replied", "case.archived", NULL },
};

static void
build_path (Fixture *f, KillCase *k)
{
    const char *n = k->case_no;
    GPtrArray *s = k->steps;
    switch (k->kind) {
    case 0:
        g_ptr_array_add (s, enc_classify (f, n, "immediate", "当场办"));
        g_ptr_array_add (s, enc_assign (f, n, NULL, NULL));
        g_ptr_array_add (s, enc_start (f, n));
        g_ptr_array_add (s, enc_complete (f, n, NULL, "已办"));
        break;
    case 1:
        g_ptr_array_add (s, enc_classify (f, n, "committed", "需核实"));
        g_ptr_array_add (s, enc_assign (f, n, "shebao", NULL));
        g_ptr_array_add (s, enc_handoff (f, n, "window:minzheng", "属民政"));
        g_ptr_array_add (s, enc_start (f, n));
        g_ptr_array_add (s, enc_complete (f, n, NULL, "已办"));
        break;
    case 2:
        g_ptr_array_add (s, enc_classify (f, n, "joint", "三部门"));
        g_ptr_array_add (s, enc_assign (f, n, NULL, NULL));
        g_ptr_array_add (s, enc_start (f, n));
        g_ptr_array_add (s, enc_complete (f, n, "县财政局", "a"));
        g_ptr_array_add (s, enc_complete (f, n, "县自然资源局", "b"));
        g_ptr_array_add (s, enc_complete (f, n, "县人力资源和社会保障局", "c"));
        break;
    case 3:
        g_ptr_array_add (s, enc_classify (f, n, "escalated", "县审批"));
        g_ptr_array_add (s, enc_assign (f, n, NULL, NULL));
        g_ptr_array_add (s, enc_start (f, n));
        g_ptr_array_add (s, enc_escalate (f, n, "报县"));
        g_ptr_array_add (s, enc_county_answer (f, n, "同意", TRUE));
        g_ptr_array_add (s, enc_complete (f, n, NULL, "已办"));
        break;
    default: g_ptr_array_add (s, enc_return (f, n, "不属代办范围", "县信访局")); break;
    }
    g_ptr_array_add (s,
                     enc_reply (f, n, k->kind == 4 ? NULL : "已办结", k->kind == 4 ? "已告知" : NULL, TRUE));
    g_ptr_array_add (s, enc_archive (f, n));
}

typedef struct {
    DbnHarness *harness;
    GSubprocess *routing;
    gint stop; /* atomic: the run is over */
    gint want; /* atomic: a wave asks for a kill now */
    guint kills;
    GRand *rand;
} Killer;

static gpointer
killer_thread (gpointer data)
{
    Killer *k = data;
    while (!g_atomic_int_get (&k->stop)) {
        /* At random moments, and soon after each wave starts sending, so
         * that every wave meets a kill however fast the machine is. */
        gboolean asked = g_atomic_int_get (&k->want);
        g_usleep (g_rand_int_range (k->rand, asked ? 0 : 2, asked ? 10 : 40) * 1000);
        if (g_atomic_int_get (&k->stop))
            break;
        dbn_harness_kill (k->routing);
        g_clear_object (&k->routing);
        const char *args[] = { "--data", dbn_harness_get_data_dir (k->harness), NULL };
        k->routing = dbn_harness_spawn (k->harness, "daiban-routing", args);
        k->kills++;
        g_atomic_int_set (&k->want, 0);
        /* Kill again only once this instance serves (slow under ASan). */
        dbn_harness_wait_ready (k->harness, "routing", 20000);
    }
    return NULL;
}

/* Sends every case's next step, pipelined, resending what stays
 * unanswered (Lazy Pirate) or fails for a reason a restart explains. */
static void
run_wave (Fixture *f, DbnClient *client, GPtrArray *cases, Killer *killer)
{
    g_autoptr (GArray) pending = g_array_new (FALSE, FALSE, sizeof (guint));
    for (guint i = 0; i < cases->len; i++) {
        KillCase *k = g_ptr_array_index (cases, i);
        if (k->next < k->steps->len)
            g_array_append_val (pending, i);
    }
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    while (pending->len > 0) {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        for (guint j = 0; j < pending->len; j++) {
            guint index = g_array_index (pending, guint, j);
            KillCase *k = g_ptr_array_index (cases, index);
            /* The request id names the case and the step: a late answer
             * to an earlier step is not taken for this one. */
            guint32 id[2] = { index, k->next };
            g_autoptr (GBytes) rid = g_bytes_new (id, sizeof id);
            dbn_client_send_raw (client, rid, g_ptr_array_index (k->steps, k->next), NULL);
        }
        g_atomic_int_set (&killer->want, 1);
        gint64 wait_until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
        while (pending->len > 0 && g_get_monotonic_time () < wait_until) {
            g_autoptr (GBytes) rid = NULL;
            g_autoptr (GBytes) reply = NULL;
            guint32 id[2];
            if (!dbn_client_recv_raw (client, 100, &rid, &reply) || g_bytes_get_size (rid) != sizeof id)
                continue;
            memcpy (id, g_bytes_get_data (rid, NULL), sizeof id);
            if (id[0] >= cases->len || ((KillCase *) g_ptr_array_index (cases, id[0]))->next != id[1])
                continue; /* an answer to a step already counted */
            DbnEnvReply env = { 0 };
            g_assert_true (
                dbn_env_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &env, NULL));
            gboolean ok = env.ok;
            if (!ok && (g_str_has_prefix (env.code, "routing.") || g_strcmp0 (env.code, "not-found") == 0))
                g_error ("case %u step %u refused: %s %s", id[0], id[1], env.code, env.msg_en);
            dbn_env_reply_clear (&env);
            if (!ok)
                continue; /* store busy during a restart: resent with the same key */
            for (guint j = 0; j < pending->len; j++) {
                if (g_array_index (pending, guint, j) == id[0]) {
                    KillCase *k = g_ptr_array_index (cases, id[0]);
                    k->next++;
                    g_array_remove_index_fast (pending, j);
                    break;
                }
            }
        }
    }
    /* The kill this wave asked for has happened before the next wave. */
    while (g_atomic_int_get (&killer->want))
        g_usleep (1000);
}

static void
test_kill9_same_end (void)
{
    guint n = 250;
    const char *env_n = g_getenv ("DAIBAN_ROUTING_KILL_N");
    if (env_n != NULL)
        n = (guint) g_ascii_strtoull (env_n, NULL, 10);
    Fixture fx = { 0 };
    Fixture *f = &fx;
    f->harness = dbn_harness_new (FALSE);
    make_buses (f);
    f->intake = dbn_harness_start_service (f->harness, "intake");
    Killer k = { .harness = f->harness, .rand = g_rand_new_with_seed (20261129) };
    k.routing = dbn_harness_start_service (f->harness, "routing");

    g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) kill_case_free);
    GThread *killer = g_thread_new ("killer", killer_thread, &k);
    /* Submits go to intake while routing dies and resyncs its journal. */
    for (guint i = 0; i < n; i++) {
        KillCase *c = g_new0 (KillCase, 1);
        c->kind = i % 5;
        c->case_no = submit (f, kill_matters[c->kind], kill_materials[c->kind], "walk-in");
        c->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        build_path (f, c);
        g_ptr_array_add (cases, c);
    }
    /* Routing has every case once it journaled n case.routed. */
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgRoutingCaseGetReply) last =
            case_get (f, ((KillCase *) g_ptr_array_index (cases, n - 1))->case_no, &error);
        if (last != NULL)
            break;
        g_usleep (20 * 1000);
    }
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnClient) client = dbn_client_new (
        dbn_harness_get_bus (f->harness),
        dbn_config_get_command_endpoint (dbn_harness_get_config (f->harness), "routing"), &error);
    g_assert_no_error (error);
    guint waves = 0;
    for (guint wave = 0; wave < 10; wave++) {
        gboolean work = FALSE;
        for (guint i = 0; i < cases->len; i++)
            work |= ((KillCase *) g_ptr_array_index (cases, i))->next
                    < ((KillCase *) g_ptr_array_index (cases, i))->steps->len;
        if (work) {
            run_wave (f, client, cases, &k);
            waves++;
        }
    }
    g_atomic_int_set (&k.stop, 1);
    g_thread_join (killer);
    /* What the killer thread spawned died with it (PR_SET_PDEATHSIG is per
     * thread): restart routing from this thread. */
    dbn_harness_kill (k.routing);
    g_clear_object (&k.routing);
    f->routing = dbn_harness_start_service (f->harness, "routing");
    g_test_message ("%u cases through every kind in %u waves with %u SIGKILLs of routing", n, waves, k.kills);
    g_assert_cmpuint (k.kills, >=, waves);
    g_assert_cmpuint (waves, ==, 8);

    /* Every case ends as in an undisturbed run: archived, the same
     * timeline, each event once. */
    guint events = 0;
    for (guint i = 0; i < n; i++) {
        KillCase *c = g_ptr_array_index (cases, i);
        g_autoptr (DbnMsgRoutingCaseGetReply) got = case_get (f, c->case_no, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (got->state, ==, "archived");
        g_assert_cmpstr (got->outcome, ==, c->kind == 4 ? "not_done" : "done");
        g_assert_cmpstr (got->responsible, ==, RESPONSIBLE);
        const char *const *types = kill_timelines[c->kind];
        g_assert_cmpuint (got->timeline->len, ==, g_strv_length ((char **) types));
        for (guint j = 0; j < got->timeline->len; j++) {
            DbnEnvEvent env = { 0 };
            GBytes *ev = g_ptr_array_index (got->timeline, j);
            g_assert_true (
                dbn_env_event_decode (g_bytes_get_data (ev, NULL), g_bytes_get_size (ev), &env, NULL));
            g_assert_cmpstr (env.type, ==, types[j]);
            dbn_env_event_clear (&env);
        }
        events += got->timeline->len;
    }
    /* The board's rows (topic pub, issue 16) are not in a timeline. */
    g_autofree char *count = g_strdup_printf ("SELECT count(*) FROM journal WHERE topic != 'pub'");
    g_assert_cmpint (query_int (f->harness, count), ==, events);
    g_assert_cmpint (
        query_int (f->harness, "SELECT count(DISTINCT case_no) FROM journal WHERE type = 'case.routed'"), ==,
        n);
    g_assert_cmpint (query_int (f->harness, "SELECT seq FROM consumer_offset WHERE producer = 'intake'"), ==,
                     n);

    g_clear_pointer (&client, dbn_client_free); /* sockets before the bus */
    g_assert_true (dbn_harness_stop (f->routing, 10000));
    g_assert_true (dbn_harness_stop (f->intake, 10000));
    g_object_unref (f->routing);
    g_object_unref (f->intake);
    g_rand_free (k.rand);
    g_hash_table_unref (f->buses);
    dbn_harness_free (f->harness);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-routing");
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/routing/D-RTE-2/immediate-from-station-to-archive", test_immediate);
    ADD ("/routing/D-RTE-2/committed-with-handoff-and-accompanying", test_committed);
    ADD ("/routing/D-RTE-2/joint-waits-for-all-parts", test_joint_waits_for_all_parts);
    ADD ("/routing/D-RTE-2/escalated-with-county-answer", test_escalated_with_county_answer);
    ADD ("/routing/D-RTE-2/returned-with-reason-and-where", test_returned);
    ADD ("/routing/D-RTE-4/presence-needs-accompaniment", test_presence_needs_accompaniment);
    ADD ("/routing/D-INT-4/awaiting-materials-replied-and-archived", test_awaiting_materials);
    ADD ("/routing/D-RTE-6/queue-snapshot-then-updates", test_queue_snapshot);
    ADD ("/routing/security/principals-act-on-their-own-cases", test_principals);
#undef ADD
    g_test_add_func ("/routing/exactly-once/kill-9-same-end", test_kill9_same_end);
    return g_test_run ();
}
