/* dbn-test-consumer: a real consuming process for the integration tests.
 *
 * Follows one producer's journal with DbnSubscriber and records every event
 * it applies in `applied` (no UNIQUE constraint on purpose: a duplicate
 * application must show up as a second row, not be absorbed). The test
 * checks that rows are seq 1..N, each once, in insertion order.
 *
 *   dbn-test-consumer --data DIR --producer intake --db PATH [--key FILE]
 *
 * It acts with DIR/keys/service-routing.secret by default: it stands in for
 * routing, intake's real consumer, and only services may follow a whole
 * journal.
 */
#include <glib-unix.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <daiban/daiban.h>

static const char *const consumer_migrations[] = {
    "CREATE TABLE applied (n INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
    " type TEXT NOT NULL, case_no TEXT);",
    NULL,
};

typedef struct {
    DbnStore *store;      /* the consumer's own file */
    sqlite3_stmt *insert; /* INSERT INTO applied */
} Consumer;

static gboolean
apply_event (DbnSubscriber *subscriber, gint64 seq, GBytes *event, gpointer user_data, GError **error)
{
    Consumer *c = user_data;
    DbnEnvEvent env = { 0 };
    if (!dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &env, error))
        return FALSE;
    if (env.seq != seq) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INTERNAL,
                     "event says seq %" G_GINT64_FORMAT " but came as %" G_GINT64_FORMAT, env.seq, seq);
        dbn_env_event_clear (&env);
        return FALSE;
    }
    sqlite3_reset (c->insert);
    sqlite3_bind_int64 (c->insert, 1, seq);
    sqlite3_bind_text (c->insert, 2, env.type, -1, SQLITE_TRANSIENT);
    if (env.case_no)
        sqlite3_bind_text (c->insert, 3, env.case_no, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null (c->insert, 3);
    int rc = sqlite3_step (c->insert);
    sqlite3_reset (c->insert);
    dbn_env_event_clear (&env);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (c->store, rc, error);
    return TRUE;
}

static gboolean
on_signal (gpointer loop)
{
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
    g_autofree char *data = NULL, *producer = NULL, *db = NULL, *key = NULL;
    GOptionEntry entries[] = {
        { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Data folder with daiban.conf", "DIR" },
        { "producer", 0, 0, G_OPTION_ARG_STRING, &producer, "Service to follow", "NAME" },
        { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The consumer's SQLite file", "PATH" },
        { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Secret key file (default: routing's)", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— test consumer");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || !data || !producer || !db) {
        g_printerr ("dbn-test-consumer: --data, --producer and --db are required\n");
        return 2;
    }
    dbn_log_init ("dbn-test-consumer");
    g_autoptr (DbnConfig) config = dbn_config_load (data, &error);
    if (config == NULL) {
        g_printerr ("dbn-test-consumer: %s\n", error->message);
        return 1;
    }
    Consumer c = { 0 };
    c.store = dbn_store_open (db, DBN_STORE_SYNC_NORMAL, consumer_migrations, &error);
    if (c.store == NULL) {
        g_printerr ("dbn-test-consumer: %s\n", error->message);
        return 1;
    }
    sqlite3_prepare_v2 (dbn_store_get_db (c.store),
                        "INSERT INTO applied (seq, type, case_no) VALUES (?1, ?2, ?3)", -1, &c.insert, NULL);
    DbnBus *bus = dbn_bus_new ();
    g_autofree char *key_path = key ? g_strdup (key) : dbn_keys_dup_secret_path (data, "service:routing");
    if (!dbn_auth_setup_bus (bus, config, key_path, &error)) {
        g_printerr ("dbn-test-consumer: %s\n", error->message);
        return 1;
    }
    DbnSubscriber *sub =
        dbn_subscriber_new (bus, c.store, producer, dbn_config_get_publish_endpoint (config, producer),
                            dbn_config_get_command_endpoint (config, producer), apply_event, &c, &error);
    if (sub == NULL) {
        g_printerr ("dbn-test-consumer: %s\n", error->message);
        return 1;
    }
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_unix_signal_add (SIGTERM, on_signal, loop);
    g_unix_signal_add (SIGINT, on_signal, loop);
    g_main_loop_run (loop);
    dbn_subscriber_free (sub);
    dbn_bus_free (bus);
    sqlite3_finalize (c.insert);
    dbn_store_free (c.store);
    return EXIT_SUCCESS;
}
