/* test_catchup: issue 11 item 2 with real processes (intake and routing,
 * CURVE). A window or station that misses live events gets them back, and a
 * revocation disconnects nobody but the holder of the revoked key.
 *
 *   - revocation-spares-others: station:liujia is revoked while a window
 *     (routing's q/jisheng/) and station:qingshui (intake's and routing's
 *     s/qingshui/) receive a stream. Their SUB monitors see no disconnect,
 *     and their live streams alone hold every event a fresh scoped sys.sync
 *     returns; liujia's monitors see the cut, and nothing published after
 *     it reaches liujia, while the others receive those events.
 *   - scoped-sync-own-topic-only: each station's sys.sync (intake's and
 *     routing's) returns only its own village's events, petitions (D-INT-8)
 *     included, never another's; a topic it may not read is forbidden; max
 *     0, -1 and 1001 are invalid; the operator still reads the whole journal.
 *   - routing-restart-queue-equals-snapshot: the client's own connection and
 *     queue model (wired as the clerk's view wires them) follow window
 *     jisheng while routing is SIGKILLed and restarted mid-stream; the queue
 *     then equals a fresh routing.queue snapshot, and the connection's
 *     monitor saw the reconnect.
 *
 * Waits iterate the main loop until their condition holds, under a guard;
 * negative checks ("nothing reached liujia") come after a positive one on
 * the same publisher (the others received the same later events).
 */
#include <sqlite3.h>
#include <string.h>
#include <zmq.h>

#include "dbn_connection.h"
#include "dbn_queue_model.h"
#include "dbn_test_harness.h"

#define GUARD_US (30 * G_USEC_PER_SEC)

/* Iterates the default context for up to 50 ms (a timeout wakes it). */
static gboolean
wake (gpointer data)
{
    return G_SOURCE_CONTINUE;
}

static void
spin (void)
{
    g_main_context_iteration (NULL, FALSE);
}

#define WAIT_FOR(cond, what)                                                                                 \
    G_STMT_START                                                                                             \
    {                                                                                                        \
        gint64 guard_ = g_get_monotonic_time () + GUARD_US;                                                  \
        while (!(cond) && g_get_monotonic_time () < guard_)                                                  \
            g_main_context_iteration (NULL, TRUE);                                                           \
        if (!(cond))                                                                                         \
            g_error ("timed out waiting for %s", what);                                                      \
    }                                                                                                        \
    G_STMT_END

/* ---- a subscriber acting as a window or station, on DbnCatchup ---- */

typedef struct {
    char *name;    /* for messages */
    DbnBus *bus;   /* borrowed */
    void *sub;     /* SUB: hb and the topic */
    void *monitor; /* its connection events */
    GSource *sub_source, *monitor_source;
    DbnClient *client; /* the producer's commands, for the catchup */
    DbnCatchup *catchup;
    GArray *delivered; /* gint64, in the order the catchup gave them */
    GHashTable *live;  /* seqs the SUB itself received (gint64*) */
    guint heartbeats;  /* hb frames read */
    guint frames;      /* every frame pair read, heartbeats included */
    guint handshakes;  /* monitor: connections up */
    guint disconnects; /* monitor: connections ended */
} Follower;

static gint64
frame_seq (zmq_msg_t *body)
{
    DbnEnvEvent env = { 0 };
    gint64 seq = -1;
    if (dbn_env_event_decode (zmq_msg_data (body), zmq_msg_size (body), &env, NULL))
        seq = env.seq;
    dbn_env_event_clear (&env);
    return seq;
}

static gboolean
follower_on_sub (void *socket, gpointer user_data)
{
    Follower *f = user_data;
    for (;;) {
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        if (zmq_msg_recv (&topic, socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&topic);
            break;
        }
        g_assert_true (zmq_msg_more (&topic));
        zmq_msg_init (&body);
        g_assert_cmpint (zmq_msg_recv (&body, socket, 0), >=, 0);
        f->frames++;
        gint64 seq = frame_seq (&body);
        if (zmq_msg_size (&topic) == 3 && memcmp (zmq_msg_data (&topic), "hb/", 3) == 0) {
            f->heartbeats++;
            dbn_catchup_heartbeat (f->catchup, seq);
        } else {
            g_hash_table_add (f->live, g_memdup2 (&seq, sizeof seq));
            g_autoptr (GBytes) bytes = g_bytes_new (zmq_msg_data (&body), zmq_msg_size (&body));
            dbn_catchup_live (f->catchup, bytes);
        }
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
follower_on_monitor (void *socket, gpointer user_data)
{
    Follower *f = user_data;
    guint seen = dbn_bus_monitor_read (socket);
    if (seen & DBN_MONITOR_DISCONNECTED)
        f->disconnects++;
    if (seen & DBN_MONITOR_CONNECTED) {
        f->handshakes++;
        if (f->disconnects > 0)
            dbn_catchup_reconnected (f->catchup);
    }
    return G_SOURCE_CONTINUE;
}

static void
follower_on_event (DbnCatchup *catchup, gint64 seq, GBytes *event, gboolean from_sync, gpointer user_data)
{
    Follower *f = user_data;
    if (f->delivered->len > 0)
        g_assert_cmpint (seq, >, g_array_index (f->delivered, gint64, f->delivered->len - 1));
    g_array_append_val (f->delivered, seq);
}

static Follower *
follower_new (DbnHarness *h, const char *name, DbnBus *bus, const char *service, const char *topic)
{
    g_autoptr (GError) error = NULL;
    DbnConfig *config = dbn_harness_get_config (h);
    Follower *f = g_new0 (Follower, 1);
    f->name = g_strdup (name);
    f->bus = bus;
    f->delivered = g_array_new (FALSE, FALSE, sizeof (gint64));
    f->live = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    f->client = dbn_client_new (bus, dbn_config_get_command_endpoint (config, service), &error);
    g_assert_no_error (error);
    f->catchup = dbn_catchup_new (f->client, topic, follower_on_event, NULL, f);
    f->sub = dbn_bus_socket_new (bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, "hb", 2);
    zmq_setsockopt (f->sub, ZMQ_SUBSCRIBE, topic, strlen (topic));
    f->monitor = dbn_bus_monitor_open (bus, f->sub, &error);
    g_assert_no_error (error);
    f->monitor_source = dbn_socket_source_new (f->monitor, follower_on_monitor, f, NULL);
    g_source_attach (f->monitor_source, NULL);
    g_assert_true (dbn_bus_connect (bus, f->sub, dbn_config_get_publish_endpoint (config, service), &error));
    g_assert_no_error (error);
    f->sub_source = dbn_socket_source_new (f->sub, follower_on_sub, f, NULL);
    g_source_attach (f->sub_source, NULL);
    /* A fresh journal: the whole topic is to come. */
    dbn_catchup_set_from (f->catchup, 0);
    return f;
}

static void
follower_free (Follower *f)
{
    g_source_destroy (f->sub_source);
    g_source_unref (f->sub_source);
    g_source_destroy (f->monitor_source);
    g_source_unref (f->monitor_source);
    zmq_close (f->monitor);
    zmq_close (f->sub);
    dbn_client_free (f->client);
    dbn_catchup_free (f->catchup);
    g_array_unref (f->delivered);
    g_hash_table_unref (f->live);
    g_free (f->name);
    g_free (f);
}

/* ---- sys.sync as a principal ---- */

/* Every seq of topic by scoped sys.sync as bus's principal, page by page
 * (max 7, so paging by through is exercised); NULL + error when refused. */
static GArray *
scoped_sync (DbnHarness *h, DbnBus *bus, const char *service, const char *topic, GError **error)
{
    GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
    gint64 after = 0;
    for (guint pages = 0; pages < 10000; pages++) {
        g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
        cmd->env.key = g_strdup ("sync");
        cmd->after = after;
        cmd->has_max = TRUE;
        cmd->max = 7;
        cmd->topic = g_strdup (topic);
        g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
        g_autoptr (GBytes) reply = dbn_harness_call_on (h, bus, service, body, 5000, error);
        if (reply == NULL) {
            g_array_unref (seqs);
            return NULL;
        }
        g_autoptr (DbnMsgSysSyncReply) page =
            dbn_msg_sys_sync_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
        g_assert_nonnull (page);
        g_assert_cmpuint (page->events->len, <=, 7);
        for (guint i = 0; i < page->events->len; i++) {
            GBytes *event = g_ptr_array_index (page->events, i);
            DbnEnvEvent env = { 0 };
            g_assert_true (
                dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &env, NULL));
            g_assert_cmpint (env.seq, >, after);
            g_assert_cmpint (env.seq, <=, page->through);
            g_array_append_val (seqs, env.seq);
            dbn_env_event_clear (&env);
        }
        g_assert_cmpint (page->through, >=, after);
        g_assert_cmpint (page->through, <=, page->newest);
        if (page->through >= page->newest)
            return seqs;
        after = page->through;
    }
    g_assert_not_reached ();
}

static gboolean
delivered_equals (Follower *f, GArray *fresh)
{
    if (f->delivered->len != fresh->len)
        return FALSE;
    for (guint i = 0; i < fresh->len; i++)
        if (g_array_index (f->delivered, gint64, i) != g_array_index (fresh, gint64, i))
            return FALSE;
    return TRUE;
}

static void
submit (DbnHarness *h, const char *key, guint n, const char *village, const char *matter)
{
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_free (m->village);
    m->village = g_strdup (village);
    if (matter != NULL) {
        g_free (m->matter);
        m->matter = g_strdup (matter);
        g_strfreev (m->materials);
        m->materials = g_new0 (char *, 3);
        m->materials[0] = g_strdup ("信访事项书面材料或口述记录");
        m->materials[1] = g_strdup ("身份证");
    }
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 5000, &error);
    g_assert_no_error (error);
}

static gint64
newest_seq (DbnHarness *h, const char *service)
{
    g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
    cmd->env.key = g_strdup ("status");
    g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, service, body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgSysStatusReply) status =
        dbn_msg_sys_status_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    return status->seq;
}

/* TRUE once routing has applied (and so published) all of intake's journal:
 * its stored consumer offset for intake has reached intake's newest seq. */
static gboolean
routing_caught_up (DbnHarness *h)
{
    gint64 intake = newest_seq (h, "intake");
    g_autofree char *path = dbn_config_dup_store_path (dbn_harness_get_config (h), "routing");
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    sqlite3_stmt *st = NULL;
    gint64 offset = -1;
    if (sqlite3_prepare_v2 (db, "SELECT seq FROM consumer_offset WHERE producer = 'intake'", -1, &st, NULL)
            == SQLITE_OK
        && sqlite3_step (st) == SQLITE_ROW)
        offset = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    sqlite3_close (db);
    return offset == intake;
}

/* Every seq of fresh reached f's SUB live. */
static void
assert_lost_nothing_live (Follower *f, GArray *fresh)
{
    for (guint i = 0; i < fresh->len; i++) {
        gint64 seq = g_array_index (fresh, gint64, i);
        if (!g_hash_table_contains (f->live, &seq))
            g_error ("%s: event %" G_GINT64_FORMAT " never reached the subscriber live", f->name, seq);
    }
}

/* ---- revocation of another key ---- */

static void
test_revocation_spares_others (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autoptr (GError) error = NULL;
    g_autofree char *window_key = dbn_harness_add_key (h, "window:jisheng");
    g_autofree char *qingshui_key = dbn_harness_add_key (h, "station:qingshui");
    g_autofree char *liujia_key = dbn_harness_add_key (h, "station:liujia");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    g_autoptr (DbnBus) window_bus = dbn_harness_new_bus (h, window_key);
    g_autoptr (DbnBus) qingshui_bus = dbn_harness_new_bus (h, qingshui_key);
    g_autoptr (DbnBus) liujia_bus = dbn_harness_new_bus (h, liujia_key);
    guint wake_id = g_timeout_add (50, wake, NULL);

    Follower *keep[] = {
        follower_new (h, "window q/jisheng/ (routing)", window_bus, "routing", "q/jisheng/"),
        follower_new (h, "station:qingshui (intake)", qingshui_bus, "intake", "s/qingshui/"),
        follower_new (h, "station:qingshui (routing)", qingshui_bus, "routing", "s/qingshui/"),
    };
    Follower *revoked[] = {
        follower_new (h, "station:liujia (intake)", liujia_bus, "intake", "s/liujia/"),
        follower_new (h, "station:liujia (routing)", liujia_bus, "routing", "s/liujia/"),
    };
    /* Two heartbeats each: every subscription is in effect. */
    for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
        WAIT_FOR (keep[i]->heartbeats >= 2, keep[i]->name);
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++)
        WAIT_FOR (revoked[i]->heartbeats >= 2, revoked[i]->name);

    /* The stream; liujia is revoked a third of the way in. */
    enum { N = 150, REVOKE_AT = 50 };
    gint64 revoked_us = 0;
    for (guint i = 0; i < N; i++) {
        g_autofree char *key = g_strdup_printf ("s-%u", i);
        submit (h, key, i, i % 2 ? "liujia" : "qingshui", NULL);
        spin ();
        if (i == REVOKE_AT) {
            g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
            g_assert_true (dbn_keys_revoke (dbn_harness_get_data_dir (h), "station:liujia", clock, &error));
            g_assert_no_error (error);
            revoked_us = g_get_monotonic_time ();
        }
    }
    /* Both publishers cut liujia (its monitors say so), within seconds. */
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++)
        WAIT_FOR (revoked[i]->disconnects > 0, revoked[i]->name);
    double cut_s = (g_get_monotonic_time () - revoked_us) / 1e6;
    g_test_message ("liujia cut %.2f s after the revocation", cut_s);
    g_assert_cmpfloat (cut_s, <, 5.0);
    /* What came before the cut may still wait in the SUB: read it first. */
    guint frames_at_cut[G_N_ELEMENTS (revoked)];
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++) {
        follower_on_sub (revoked[i]->sub, revoked[i]);
        frames_at_cut[i] = revoked[i]->frames;
    }
    gint64 intake_at_cut = newest_seq (h, "intake");
    /* Each producer's own newest seq: routing journals more events than
     * intake (the board's rows, issue 16), so its seqs run ahead. */
    const char *revoked_producers[G_N_ELEMENTS (revoked)] = { "intake", "routing" };
    gint64 newest_at_cut[G_N_ELEMENTS (revoked)];
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++)
        newest_at_cut[i] = newest_seq (h, revoked_producers[i]);

    /* After the cut: more for both villages. */
    for (guint i = N; i < N + 20; i++) {
        g_autofree char *key = g_strdup_printf ("s-%u", i);
        submit (h, key, i, i % 2 ? "liujia" : "qingshui", NULL);
    }
    gint64 intake_newest = newest_seq (h, "intake");
    g_assert_cmpint (intake_newest, >, intake_at_cut);

    /* The others: everything, in order, all of it live, no reconnect. */
    DbnBus *buses[] = { window_bus, qingshui_bus, qingshui_bus };
    const char *services[] = { "routing", "intake", "routing" };
    const char *topics[] = { "q/jisheng/", "s/qingshui/", "s/qingshui/" };
    WAIT_FOR (routing_caught_up (h), "routing to apply intake's journal");
    for (guint i = 0; i < G_N_ELEMENTS (keep); i++) {
        g_autoptr (GArray) fresh = scoped_sync (h, buses[i], services[i], topics[i], &error);
        g_assert_no_error (error);
        WAIT_FOR (delivered_equals (keep[i], fresh) && !dbn_catchup_is_busy (keep[i]->catchup),
                  keep[i]->name);
        g_test_message ("%s: %u events, %u syncs, %u from sync", keep[i]->name, fresh->len,
                        dbn_catchup_get_syncs (keep[i]->catchup),
                        dbn_catchup_get_recovered (keep[i]->catchup));
        g_assert_cmpuint (fresh->len, >, 0);
        assert_lost_nothing_live (keep[i], fresh);
        g_assert_cmpuint (keep[i]->disconnects, ==, 0);
        g_assert_cmpuint (keep[i]->handshakes, ==, 1);
        g_assert_cmpuint (dbn_catchup_get_gaps (keep[i]->catchup), ==, 0);
    }
    /* qingshui's intake stream holds its cases after the cut too. */
    g_assert_cmpint (dbn_catchup_get_last (keep[1]->catchup), >, intake_at_cut);

    /* liujia: not one frame since the cut, not even a heartbeat; its own
     * sync is refused (the key is revoked). */
    for (guint k = 0; k < 40; k++)
        g_main_context_iteration (NULL, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++) {
        g_assert_cmpuint (revoked[i]->frames, ==, frames_at_cut[i]);
        g_assert_cmpint (dbn_catchup_get_last (revoked[i]->catchup), <=, newest_at_cut[i]);
    }
    g_autoptr (GArray) refused = scoped_sync (h, liujia_bus, "intake", "s/liujia/", &error);
    g_assert_null (refused);
    /* A fresh connection fails ZAP (no answer at all); an open one would be
     * refused by the key check. */
    g_assert_true (dbn_error_matches_wire (error, "forbidden")
                   || g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT));
    g_clear_error (&error);

    for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
        follower_free (keep[i]);
    for (guint i = 0; i < G_N_ELEMENTS (revoked); i++)
        follower_free (revoked[i]);
    g_source_remove (wake_id);
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

/* ---- a station's sync holds its own village only ---- */

static void
test_scoped_sync_own_topic_only (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autoptr (GError) error = NULL;
    g_autofree char *qingshui_key = dbn_harness_add_key (h, "station:qingshui");
    g_autofree char *shiqiao_key = dbn_harness_add_key (h, "station:shiqiao");
    g_autofree char *window_key = dbn_harness_add_key (h, "window:jisheng");
    g_autofree char *committee_key = dbn_harness_add_key (h, "committee");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    g_autoptr (DbnBus) qingshui = dbn_harness_new_bus (h, qingshui_key);
    g_autoptr (DbnBus) shiqiao = dbn_harness_new_bus (h, shiqiao_key);
    g_autoptr (DbnBus) window = dbn_harness_new_bus (h, window_key);
    g_autoptr (DbnBus) committee = dbn_harness_new_bus (h, committee_key);

    /* Ordinary cases and petitions (restricted, D-INT-8) in both villages. */
    for (guint i = 0; i < 24; i++) {
        g_autofree char *key = g_strdup_printf ("c-%u", i);
        submit (h, key, i, i % 2 ? "shiqiao" : "qingshui", i % 3 == 0 ? "QT-XINFANG" : NULL);
    }
    gint64 newest = newest_seq (h, "intake");
    guint wake_id = g_timeout_add (50, wake, NULL);
    WAIT_FOR (routing_caught_up (h), "routing to apply intake's journal");
    g_source_remove (wake_id);

    struct {
        DbnBus *bus;
        const char *village;
    } stations[] = { { qingshui, "qingshui" }, { shiqiao, "shiqiao" } };
    const char *producers[] = { "intake", "routing" };
    for (guint s = 0; s < G_N_ELEMENTS (stations); s++) {
        for (guint p = 0; p < G_N_ELEMENTS (producers); p++) {
            /* Without a topic and with its own: the same events. */
            g_autofree char *own = g_strdup_printf ("s/%s/", stations[s].village);
            g_autoptr (GArray) named = scoped_sync (h, stations[s].bus, producers[p], own, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (named->len, >, 0);

            g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
            cmd->env.key = g_strdup ("sync");
            g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
            g_autoptr (GBytes) reply =
                dbn_harness_call_on (h, stations[s].bus, producers[p], body, 5000, &error);
            g_assert_no_error (error);
            g_autoptr (DbnMsgSysSyncReply) page = dbn_msg_sys_sync_reply_decode (
                g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
            g_assert_cmpuint (page->events->len, ==, named->len);
            g_assert_cmpint (page->through, ==, page->newest);
            /* Every event is about a case of its own village, petitions too. */
            guint petitions = 0;
            for (guint i = 0; i < page->events->len; i++) {
                GBytes *event = g_ptr_array_index (page->events, i);
                g_autofree char *json =
                    dbn_codec_to_json (g_bytes_get_data (event, NULL), g_bytes_get_size (event), NULL);
                g_assert_nonnull (json);
                g_autofree char *needle = g_strdup_printf ("\"%s\"", stations[s].village);
                const char *other = s == 0 ? "\"shiqiao\"" : "\"qingshui\"";
                if (strstr (json, needle) == NULL || strstr (json, other) != NULL)
                    g_error ("%s's sync of %s returned %s", stations[s].village, producers[p], json);
                petitions += strstr (json, "QT-XINFANG") != NULL;
            }
            g_assert_cmpuint (petitions, >, 0);

            /* The other station's topic, the whole s/ space, everything: forbidden. */
            const char *foreign[] = { s == 0 ? "s/shiqiao/" : "s/qingshui/", "s/", "", "q/jisheng/" };
            for (guint k = 0; k < G_N_ELEMENTS (foreign); k++) {
                g_autoptr (GArray) no = scoped_sync (h, stations[s].bus, producers[p], foreign[k], &error);
                g_assert_null (no);
                g_assert_true (dbn_error_matches_wire (error, "forbidden"));
                g_clear_error (&error);
            }
        }
    }
    /* Petitions never reach an area topic, so never a supervisor; the
     * window gets its queue; the committee reads audit only (none here). */
    g_autoptr (GArray) queue = scoped_sync (h, window, "routing", "q/jisheng/", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (queue->len, >, 0);
    g_autoptr (GArray) audit = scoped_sync (h, committee, "intake", "audit/", &error);
    g_assert_no_error (error);
    g_autoptr (GArray) not_audit = scoped_sync (h, committee, "intake", "s/qingshui/", &error);
    g_assert_null (not_audit);
    g_assert_true (dbn_error_matches_wire (error, "forbidden"));
    g_clear_error (&error);

    /* max outside 1..1000: invalid, for a station as for the operator. */
    const gint64 bad[] = { 0, -1, 1001 };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
        DbnBus *callers[] = { qingshui, dbn_harness_get_bus (h) };
        for (guint c = 0; c < G_N_ELEMENTS (callers); c++) {
            g_autoptr (DbnMsgSysSync) cmd = dbn_msg_sys_sync_new ();
            cmd->env.key = g_strdup ("sync");
            cmd->has_max = TRUE;
            cmd->max = bad[i];
            g_autoptr (GBytes) body = dbn_msg_sys_sync_encode (cmd, NULL);
            g_autoptr (GBytes) reply = dbn_harness_call_on (h, callers[c], "intake", body, 5000, &error);
            g_assert_null (reply);
            g_assert_true (dbn_error_matches_wire (error, "invalid"));
            g_clear_error (&error);
        }
    }
    /* The operator still reads the whole journal, consecutive. */
    g_autoptr (DbnMsgSysSync) all = dbn_msg_sys_sync_new ();
    all->env.key = g_strdup ("sync");
    g_autoptr (GBytes) all_body = dbn_msg_sys_sync_encode (all, NULL);
    g_autoptr (GBytes) all_reply = dbn_harness_call (h, "intake", all_body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgSysSyncReply) whole = dbn_msg_sys_sync_reply_decode (g_bytes_get_data (all_reply, NULL),
                                                                          g_bytes_get_size (all_reply), NULL);
    g_assert_cmpuint (whole->events->len, ==, newest);
    g_assert_cmpint (whole->through, ==, newest);

    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

/* ---- the client's queue across a restart of routing ---- */

typedef struct {
    DbnConnection *connection;
    DbnQueueModel *model;
    guint snapshots; /* applied */
    guint asked;     /* asked for */
} Window;

static void
window_on_snapshot (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Window *w = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (reply == NULL || !dbn_queue_model_apply_snapshot (w->model, reply, &error)) {
        g_test_message ("snapshot failed: %s", error->message);
        return;
    }
    w->snapshots++;
    dbn_connection_catch_up_from (w->connection, "routing", dbn_queue_model_get_seq (w->model));
}

static GBytes *
queue_command (void)
{
    g_autoptr (DbnMsgRoutingQueue) q = dbn_msg_routing_queue_new ();
    q->env.key = g_uuid_string_random ();
    q->kind = g_strdup ("window");
    q->id = g_strdup ("jisheng");
    return dbn_msg_routing_queue_encode (q, NULL);
}

/* As the clerk's view does (dbn_clerk_view.c resync). */
static void
window_resync (Window *w)
{
    g_autoptr (GBytes) body = queue_command ();
    dbn_queue_model_begin_resync (w->model);
    w->asked++;
    dbn_connection_call_async (w->connection, "routing", body, 5000, window_on_snapshot, w);
}

static void
window_on_event (DbnConnection *connection, const char *topic, GBytes *body, gpointer user_data)
{
    Window *w = user_data;
    g_assert_cmpstr (topic, ==, "q/jisheng/");
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_queue_model_apply_event (w->model, body, &error));
}

/* The queue as a fresh snapshot gives it, as "case state holder seq" lines. */
static gint
compare_lines (gconstpointer a, gconstpointer b)
{
    return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static char *
queue_lines (DbnQueueModel *model)
{
    GString *out = g_string_new (NULL);
    guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < n; i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);
        g_ptr_array_add (
            lines, g_strdup_printf ("%s %s %s %s %s", dbn_queue_item_get_case_no (item),
                                    dbn_queue_item_get_state (item), dbn_queue_item_get_holder (item),
                                    dbn_queue_item_get_location (item), dbn_queue_item_get_kind (item)));
    }
    g_ptr_array_sort (lines, compare_lines);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (lines, i));
    return g_string_free (out, FALSE);
}

static char *
fresh_queue_lines (DbnHarness *h, DbnBus *bus, DbnCatalog *catalog)
{
    g_autoptr (GBytes) body = queue_command ();
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call_on (h, bus, "routing", body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnQueueModel) fresh = dbn_queue_model_new (catalog);
    dbn_queue_model_begin_resync (fresh);
    g_assert_true (dbn_queue_model_apply_snapshot (fresh, reply, &error));
    g_assert_no_error (error);
    return queue_lines (fresh);
}

static void
test_routing_restart_queue_equals_snapshot (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autoptr (GError) error = NULL;
    g_autofree char *window_key = dbn_harness_add_key (h, "window:jisheng");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    guint wake_id = g_timeout_add (50, wake, NULL);

    Window w = { 0 };
    w.connection = dbn_connection_new (dbn_harness_get_data_dir (h), window_key, &error);
    g_assert_no_error (error);
    w.model = dbn_queue_model_new (dbn_connection_get_catalog (w.connection));
    g_signal_connect (w.connection, "event", G_CALLBACK (window_on_event), &w);
    g_signal_connect_swapped (w.connection, "resync", G_CALLBACK (window_resync), &w);
    dbn_connection_subscribe (w.connection, "q/jisheng/");
    window_resync (&w);
    WAIT_FOR (w.snapshots == 1 && dbn_connection_is_reachable (w.connection, "routing"),
              "the first snapshot");

    enum { N = 40 };
    guint n = 0;
    for (; n < N; n++) {
        g_autofree char *key = g_strdup_printf ("w-%u", n);
        submit (h, key, n, "qingshui", NULL);
        spin ();
    }
    /* Routing dies mid-stream; intake takes more meanwhile; routing comes
     * back and works through them at once, while the client's subscriber is
     * still reconnecting. */
    dbn_harness_kill (routing);
    g_object_unref (routing);
    for (; n < 2 * N; n++) {
        g_autofree char *key = g_strdup_printf ("w-%u", n);
        submit (h, key, n, "qingshui", NULL);
    }
    guint snapshots_before = w.asked;
    routing = dbn_harness_start_service (h, "routing");
    for (; n < 3 * N; n++) {
        g_autofree char *key = g_strdup_printf ("w-%u", n);
        submit (h, key, n, "qingshui", NULL);
        spin ();
    }

    /* The window's queue equals a fresh snapshot, once routing has applied
     * everything (its journal stops moving) and the client has caught up. */
    g_autoptr (DbnBus) window_bus = dbn_harness_new_bus (h, window_key);
    DbnCatalog *catalog = dbn_connection_get_catalog (w.connection);
    g_autofree char *fresh = NULL;
    g_autofree char *mine = NULL;
    WAIT_FOR (routing_caught_up (h), "routing to apply intake's journal");
    fresh = fresh_queue_lines (h, window_bus, catalog);
    gint64 guard = g_get_monotonic_time () + GUARD_US;
    for (;;) {
        g_clear_pointer (&mine, g_free);
        mine = queue_lines (w.model);
        if (g_strcmp0 (fresh, mine) == 0)
            break;
        if (g_get_monotonic_time () > guard) {
            g_test_message ("fresh:\n%s\nwindow:\n%s", fresh, mine);
            g_error ("the window's queue never matched a fresh snapshot");
        }
        g_main_context_iteration (NULL, TRUE);
    }
    guint items = g_list_model_get_n_items (G_LIST_MODEL (w.model));
    g_test_message ("queue of %u cases; %u events caught up by sys.sync; %u snapshots after the "
                    "restart; %u reconnects seen",
                    items, dbn_connection_get_recovered (w.connection), w.asked - snapshots_before,
                    dbn_connection_get_reconnects (w.connection, "routing"));
    g_assert_cmpuint (items, ==, 3 * N);
    g_assert_cmpuint (dbn_connection_get_reconnects (w.connection, "routing"), >=, 1);
    /* No snapshot was needed after the restart unless routing stayed silent
     * past the 3 s liveness limit: then the view asks anyway. Either way the
     * queue matched; without a new snapshot, catch-up alone did it. */

    g_signal_handlers_disconnect_by_data (w.connection, &w);
    g_clear_object (&w.connection);
    g_clear_object (&w.model);
    g_source_remove (wake_id);
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (routing);
    g_object_unref (intake);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-catchup");
    dbn_error_register_builtin ();
    g_test_add_func ("/catchup/revocation-spares-others", test_revocation_spares_others);
    g_test_add_func ("/catchup/scoped-sync-own-topic-only", test_scoped_sync_own_topic_only);
    g_test_add_func ("/catchup/routing-restart-queue-equals-snapshot",
                     test_routing_restart_queue_equals_snapshot);
    return g_test_run ();
}
