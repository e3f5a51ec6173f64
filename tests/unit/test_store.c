/* test_store.c: DbnStore against real files in a temporary folder. */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>

#include "daiban/dbn_store.h"

typedef struct {
    char *dir;  /* temporary folder, removed with everything in it */
    char *path; /* dir/test.db */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-store-XXXXXX", &error);
    g_assert_no_error (error);
    f->path = g_build_filename (f->dir, "test.db", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *file = g_build_filename (f->dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (f->dir);
    g_free (f->path);
    g_free (f->dir);
}

static DbnStore *
open_ok (const char *path, const char *const *migrations)
{
    g_autoptr (GError) error = NULL;
    DbnStore *store = dbn_store_open (path, DBN_STORE_SYNC_FULL, migrations, &error);
    g_assert_no_error (error);
    g_assert_nonnull (store);
    return store;
}

static gint64
query_int (DbnStore *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (dbn_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    gint64 value = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    return value;
}

static char *
query_text (DbnStore *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (dbn_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    char *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    return value;
}

/* Appends one event with the body "event <seq>" (or a given body). */
static void
append_ok (DbnStore *store, const char *body)
{
    g_autoptr (GError) error = NULL;
    gint64 seq = dbn_store_journal_next_seq (store);
    g_autofree char *text = body != NULL ? g_strdup (body) : g_strdup_printf ("event %" G_GINT64_FORMAT, seq);
    g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
    g_assert_true (dbn_store_journal_append (store, seq, 1000 + seq, "case.accepted", "T01-2025-000001",
                                             "q/w1", bytes, &error));
    g_assert_no_error (error);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, seq + 1);
}

static void
begin_ok (DbnStore *store)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_begin (store, &error));
    g_assert_no_error (error);
}

static void
commit_ok (DbnStore *store)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_commit (store, &error));
    g_assert_no_error (error);
}

typedef struct {
    GArray *seqs;      /* gint64 seq of each event given */
    GPtrArray *bodies; /* char* body of each event */
    guint stop_after;  /* return FALSE after this many (0: never) */
} Collected;

static gboolean
collect (gint64 seq, const char *topic, GBytes *body, gpointer user_data)
{
    Collected *c = user_data;
    g_assert_cmpstr (topic, ==, "q/w1");
    g_array_append_val (c->seqs, seq);
    gsize size = 0;
    const char *data = g_bytes_get_data (body, &size);
    g_ptr_array_add (c->bodies, g_strndup (data != NULL ? data : "", size));
    return c->stop_after == 0 || c->seqs->len < c->stop_after;
}

static void
collected_init (Collected *c)
{
    c->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
    c->bodies = g_ptr_array_new_with_free_func (g_free);
    c->stop_after = 0;
}

static void
collected_clear (Collected *c)
{
    g_array_unref (c->seqs);
    g_ptr_array_unref (c->bodies);
}

/* Reads and returns how many events came, checking they are consecutive
 * from after + 1. */
static guint
read_count (DbnStore *store, gint64 after, guint max_count, gsize max_bytes)
{
    g_autoptr (GError) error = NULL;
    Collected c;
    collected_init (&c);
    g_assert_true (dbn_store_journal_read (store, after, max_count, max_bytes, collect, &c, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < c.seqs->len; i++)
        g_assert_cmpint (g_array_index (c.seqs, gint64, i), ==, after + 1 + i);
    guint n = c.seqs->len;
    collected_clear (&c);
    return n;
}

static void
test_open_creates (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));

    g_autofree char *mode = query_text (store, "PRAGMA journal_mode");
    g_assert_cmpstr (mode, ==, "wal");
    g_assert_cmpint (query_int (store, "PRAGMA synchronous"), ==, 2); /* FULL */
    g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);
    g_assert_cmpint (query_int (store, "PRAGMA busy_timeout"), ==, 5000);
    g_assert_cmpint (query_int (store, "PRAGMA cache_size"), ==, -16000);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                       " AND name IN ('journal', 'consumer_offset', 'idempotency')"),
                     ==, 3);
    /* The shared tables do not count as service migrations. */
    g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==, 0);
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 0);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 1);
    g_assert_false (dbn_store_in_transaction (store));
}

static void
test_open_sync_normal (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = dbn_store_open (f->path, DBN_STORE_SYNC_NORMAL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (query_int (store, "PRAGMA synchronous"), ==, 1); /* NORMAL */
}

static void
test_open_reopen_keeps_data (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    DbnStore *store = open_ok (f->path, NULL);
    begin_ok (store);
    append_ok (store, NULL);
    append_ok (store, NULL);
    g_assert_true (dbn_store_offset_set (store, "intake", 42, &error));
    g_assert_no_error (error);
    g_autoptr (GBytes) reply = g_bytes_new_static ("first answer", 12);
    g_assert_true (dbn_store_idem_record (store, "key-1", 5, NULL, NULL, reply, &error));
    g_assert_no_error (error);
    commit_ok (store);
    dbn_store_free (store);

    store = open_ok (f->path, NULL);
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 2);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 3);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 2);
    gint64 offset = 0;
    g_assert_true (dbn_store_offset_get (store, "intake", &offset, &error));
    g_assert_no_error (error);
    g_assert_cmpint (offset, ==, 42);
    g_autoptr (GBytes) again = dbn_store_idem_lookup (store, "key-1", "c", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (again);
    g_assert_true (g_bytes_equal (again, reply));
    dbn_store_free (store);
}

static const char *const migrations_v2[] = {
    "CREATE TABLE steps (n INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL);"
    "INSERT INTO steps (what) VALUES ('m0');",
    "INSERT INTO steps (what) VALUES ('m1');",
    NULL,
};

static const char *const migrations_v3[] = {
    "CREATE TABLE steps (n INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL);"
    "INSERT INTO steps (what) VALUES ('m0');",
    "INSERT INTO steps (what) VALUES ('m1');",
    "INSERT INTO steps (what) VALUES ('m2');",
    NULL,
};

static void
test_migrations_once_in_order (Fixture *f, gconstpointer data)
{
    DbnStore *store = open_ok (f->path, migrations_v2);
    g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==, 2);
    g_autofree char *order = query_text (store, "SELECT group_concat (what, ',') FROM"
                                                " (SELECT what FROM steps ORDER BY n)");
    g_assert_cmpstr (order, ==, "m0,m1");
    dbn_store_free (store);

    /* Same list: nothing runs again. */
    store = open_ok (f->path, migrations_v2);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM steps"), ==, 2);
    dbn_store_free (store);

    /* One more: only the new one runs. */
    store = open_ok (f->path, migrations_v3);
    g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==, 3);
    g_autofree char *order3 = query_text (store, "SELECT group_concat (what, ',') FROM"
                                                 " (SELECT what FROM steps ORDER BY n)");
    g_assert_cmpstr (order3, ==, "m0,m1,m2");
    dbn_store_free (store);
}

static void
test_migrations_newer_file_refused (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    dbn_store_free (open_ok (f->path, migrations_v3));

    DbnStore *store = dbn_store_open (f->path, DBN_STORE_SYNC_FULL, migrations_v2, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_MIGRATION);
    g_assert_nonnull (strstr (error->message, f->path));
    g_clear_error (&error);

    /* Without any migrations the service schema (3) is still too new. */
    store = dbn_store_open (f->path, DBN_STORE_SYNC_FULL, NULL, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_MIGRATION);
}

static void
test_migrations_newer_store_refused (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    DbnStore *store = open_ok (f->path, NULL);
    g_assert_true (dbn_store_exec (store, "UPDATE store_meta SET value = 99 WHERE key = 'version'", &error));
    g_assert_no_error (error);
    dbn_store_free (store);

    store = dbn_store_open (f->path, DBN_STORE_SYNC_FULL, NULL, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_MIGRATION);
}

static void
test_migrations_failure_is_atomic (Fixture *f, gconstpointer data)
{
    static const char *const bad[] = {
        "CREATE TABLE a (x INTEGER);",
        /* The first statement succeeds, the second fails: neither may stay. */
        "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);",
        NULL,
    };
    g_autoptr (GError) error = NULL;
    DbnStore *store = dbn_store_open (f->path, DBN_STORE_SYNC_FULL, bad, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_MIGRATION);
    g_assert_nonnull (strstr (error->message, "no_such_table"));
    g_clear_error (&error);

    /* Migration 0 committed on its own; migration 1 left nothing behind. */
    store = open_ok (f->path, (const char *const[]){ bad[0], NULL });
    g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==, 1);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), ==, 0);
    dbn_store_free (store);
}

static void
test_journal_append_read (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    begin_ok (store);
    g_assert_true (dbn_store_in_transaction (store));
    append_ok (store, NULL);
    append_ok (store, NULL);
    /* A NULL case number and an empty body are both allowed. */
    g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
    g_assert_true (dbn_store_journal_append (store, 3, 7, "system.heartbeat", NULL, "q/w1", empty, &error));
    g_assert_no_error (error);
    /* Pending events count as newest inside the transaction. */
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 3);
    commit_ok (store);
    g_assert_false (dbn_store_in_transaction (store));

    Collected c;
    collected_init (&c);
    g_assert_true (dbn_store_journal_read (store, 0, 10, 0, collect, &c, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (c.seqs->len, ==, 3);
    g_assert_cmpstr (c.bodies->pdata[0], ==, "event 1");
    g_assert_cmpstr (c.bodies->pdata[1], ==, "event 2");
    g_assert_cmpstr (c.bodies->pdata[2], ==, "");
    collected_clear (&c);

    g_assert_cmpuint (read_count (store, 1, 0, 0), ==, 2);
    g_assert_cmpuint (read_count (store, 3, 0, 0), ==, 0);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM journal WHERE case_no IS NULL"), ==, 1);
    g_assert_cmpint (query_int (store, "SELECT ts FROM journal WHERE seq = 2"), ==, 1002);
}

static void
test_journal_rollback_gives_back (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    begin_ok (store);
    append_ok (store, NULL);
    commit_ok (store);

    begin_ok (store);
    append_ok (store, NULL);
    append_ok (store, NULL);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 4);
    dbn_store_rollback (store);
    g_assert_false (dbn_store_in_transaction (store));
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 2);
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 1);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 1);

    /* The numbers given back are used again, without a gap. */
    begin_ok (store);
    append_ok (store, NULL);
    commit_ok (store);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 2);
}

static void
test_journal_savepoints (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    begin_ok (store);
    append_ok (store, NULL); /* 1 */

    /* Command A: kept. */
    g_assert_true (dbn_store_savepoint (store, &error));
    g_assert_no_error (error);
    append_ok (store, NULL); /* 2 */
    g_assert_true (dbn_store_release (store, &error));
    g_assert_no_error (error);

    /* Command B: fails, and inside it a nested step that succeeded. */
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, NULL); /* 3 */
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, NULL); /* 4 */
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, NULL);       /* 5 */
    dbn_store_rollback_to (store); /* innermost: gives back 5 */
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 5);
    g_assert_true (dbn_store_release (store, &error)); /* keeps 4 inside B */
    g_assert_no_error (error);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 5);
    dbn_store_rollback_to (store); /* B: gives back 3 and 4 */
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 3);
    g_assert_true (dbn_store_in_transaction (store));

    /* Command C reuses 3. */
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, "c");
    g_assert_true (dbn_store_release (store, &error));
    commit_ok (store);

    g_assert_cmpint (dbn_store_journal_newest (store), ==, 3);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 3);
    g_autofree char *body = query_text (store, "SELECT CAST (body AS TEXT) FROM journal WHERE seq = 3");
    g_assert_cmpstr (body, ==, "c");

    /* A rollback of the whole transaction undoes released savepoints too. */
    begin_ok (store);
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, NULL);
    g_assert_true (dbn_store_release (store, &error));
    g_assert_true (dbn_store_savepoint (store, &error));
    append_ok (store, NULL);
    dbn_store_rollback (store);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 4);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 3);
}

static void
test_journal_limits (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    begin_ok (store);
    for (int i = 0; i < 10; i++)
        append_ok (store, "0123456789"); /* 10 bytes each */
    g_autofree char *big = g_strnfill (100, 'x');
    append_ok (store, big);          /* 11: 100 bytes */
    append_ok (store, "0123456789"); /* 12 */
    commit_ok (store);

    g_assert_cmpuint (read_count (store, 0, 4, 0), ==, 4);
    g_assert_cmpuint (read_count (store, 8, 4, 0), ==, 4);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 12);
    /* Bodies fit the byte budget: 35 bytes → 3 events of 10. */
    g_assert_cmpuint (read_count (store, 0, 0, 35), ==, 3);
    g_assert_cmpuint (read_count (store, 0, 0, 30), ==, 3);
    g_assert_cmpuint (read_count (store, 0, 2, 35), ==, 2);
    /* One event is always given, even larger than the budget ... */
    g_assert_cmpuint (read_count (store, 10, 0, 5), ==, 1);
    g_assert_cmpuint (read_count (store, 0, 0, 1), ==, 1);
    /* ... but the budget still stops before the large one. */
    g_assert_cmpuint (read_count (store, 8, 0, 50), ==, 2);

    /* The callback stops the read. */
    Collected c;
    collected_init (&c);
    c.stop_after = 2;
    g_assert_true (dbn_store_journal_read (store, 0, 0, 0, collect, &c, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (c.seqs->len, ==, 2);
    collected_clear (&c);
}

static void
test_journal_append_refused (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    g_autoptr (GBytes) body = g_bytes_new_static ("x", 1);

    /* No transaction. */
    g_assert_false (dbn_store_journal_append (store, 1, 0, "t", NULL, "q/w1", body, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 1);

    /* A seq other than next_seq: neither a gap nor a reuse. */
    begin_ok (store);
    g_assert_false (dbn_store_journal_append (store, 2, 0, "t", NULL, "q/w1", body, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    append_ok (store, NULL);
    g_assert_false (dbn_store_journal_append (store, 1, 0, "t", NULL, "q/w1", body, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    /* The transaction is still good. */
    g_assert_true (dbn_store_in_transaction (store));
    commit_ok (store);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 1);
}

static void
test_offsets (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    gint64 seq = -1;
    g_assert_true (dbn_store_offset_get (store, "intake", &seq, &error));
    g_assert_no_error (error);
    g_assert_cmpint (seq, ==, 0);

    /* Outside a transaction the offset would move without its effect. */
    g_assert_false (dbn_store_offset_set (store, "intake", 5, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);

    begin_ok (store);
    g_assert_true (dbn_store_offset_set (store, "intake", 5, &error));
    g_assert_true (dbn_store_offset_set (store, "routing", 9, &error));
    g_assert_true (dbn_store_offset_set (store, "intake", 6, &error));
    g_assert_no_error (error);
    commit_ok (store);

    g_assert_true (dbn_store_offset_get (store, "intake", &seq, &error));
    g_assert_cmpint (seq, ==, 6);
    g_assert_true (dbn_store_offset_get (store, "routing", &seq, &error));
    g_assert_cmpint (seq, ==, 9);
    g_assert_no_error (error);

    /* Rolled back with the event it belonged to. */
    begin_ok (store);
    g_assert_true (dbn_store_offset_set (store, "intake", 7, &error));
    dbn_store_rollback (store);
    g_assert_true (dbn_store_offset_get (store, "intake", &seq, &error));
    g_assert_cmpint (seq, ==, 6);
    g_assert_no_error (error);
}

static void
test_idempotency (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    g_autoptr (GBytes) none = dbn_store_idem_lookup (store, "k1", "c", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (none);

    g_autoptr (GBytes) reply = g_bytes_new_static ("\x82\xa2ok\xc3", 5);
    g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
    g_assert_false (dbn_store_idem_record (store, "k1", 1, NULL, NULL, reply, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);

    begin_ok (store);
    g_assert_true (dbn_store_idem_record (store, "k1", 1, NULL, NULL, reply, &error));
    g_assert_true (dbn_store_idem_record (store, "k-empty", 1, NULL, NULL, empty, &error));
    g_assert_no_error (error);
    /* A second answer for one key is refused, not overwritten; the
     * transaction survives the refused statement. */
    g_assert_false (dbn_store_idem_record (store, "k1", 2, NULL, NULL, empty, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_CONSTRAINT);
    g_assert_nonnull (strstr (error->message, f->path));
    g_assert_nonnull (strstr (error->message, "UNIQUE"));
    g_clear_error (&error);
    g_assert_true (dbn_store_in_transaction (store));
    commit_ok (store);

    g_autoptr (GBytes) got = dbn_store_idem_lookup (store, "k1", "c", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (got, reply));
    g_autoptr (GBytes) got_empty = dbn_store_idem_lookup (store, "k-empty", "c", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (got_empty);
    g_assert_cmpuint (g_bytes_get_size (got_empty), ==, 0);

    /* Issue 11: a record made with its command and digest answers only the
     * same command with the same digest, and names its command otherwise.
     * The records above, made without (as rows from store version 1), answer
     * any. */
    g_autoptr (GBytes) d1 = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
    g_autoptr (GBytes) d2 = g_bytes_new_static ("0123456789abcdef0123456789abcdeX", 32);
    begin_ok (store);
    g_assert_true (dbn_store_idem_record (store, "k2", 3, "intake.submit", d1, reply, &error));
    commit_ok (store);
    g_autofree char *recorded = NULL;
    g_autoptr (GBytes) same = dbn_store_idem_lookup (store, "k2", "intake.submit", d1, &recorded, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (same, reply));
    g_assert_null (recorded);
    g_autoptr (GBytes) other_cmd =
        dbn_store_idem_lookup (store, "k2", "intake.refuse", d1, &recorded, &error);
    g_assert_no_error (error);
    g_assert_null (other_cmd);
    g_assert_cmpstr (recorded, ==, "intake.submit");
    g_clear_pointer (&recorded, g_free);
    g_autoptr (GBytes) other_body =
        dbn_store_idem_lookup (store, "k2", "intake.submit", d2, &recorded, &error);
    g_assert_no_error (error);
    g_assert_null (other_body);
    g_assert_cmpstr (recorded, ==, "intake.submit");
    g_clear_pointer (&recorded, g_free);
    g_autoptr (GBytes) legacy = dbn_store_idem_lookup (store, "k1", "intake.refuse", d2, &recorded, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (legacy, reply));
    g_assert_null (recorded);
    g_assert_cmpint (query_int (store, "SELECT value FROM store_meta WHERE key = 'version'"), ==, 3);
}

static void
test_transaction_misuse (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);

    g_assert_false (dbn_store_commit (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_false (dbn_store_savepoint (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_false (dbn_store_release (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    /* rollback with nothing open is a no-op (error paths call it freely). */
    dbn_store_rollback (store);

    begin_ok (store);
    append_ok (store, NULL);
    g_assert_false (dbn_store_begin (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_false (dbn_store_release (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    /* rollback_to without a savepoint is a programmer error. */
    g_test_expect_message ("daiban-store", G_LOG_LEVEL_CRITICAL, "*savepoints->len > 0*");
    dbn_store_rollback_to (store);
    g_test_assert_expected_messages ();
    /* None of that disturbed the open transaction. */
    g_assert_true (dbn_store_in_transaction (store));
    commit_ok (store);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 1);

    /* A service statement failing is mapped the same way. */
    g_assert_false (dbn_store_exec (store, "SELECT * FROM no_such_table", &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "no_such_table"));
    g_clear_error (&error);
    g_assert_false (dbn_store_set_error (store, SQLITE_IOERR_WRITE, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_IO);
}

static void
test_error_corrupt (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *garbage = g_strnfill (8192, 'g');
    g_assert_true (g_file_set_contents (f->path, garbage, -1, &error));
    DbnStore *store = dbn_store_open (f->path, DBN_STORE_SYNC_FULL, NULL, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, f->path));
}

static void
test_error_cannot_open (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *path = g_build_filename (f->dir, "missing-folder", "x.db", NULL);
    DbnStore *store = dbn_store_open (path, DBN_STORE_SYNC_FULL, NULL, &error);
    g_assert_null (store);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_IO);
    g_assert_nonnull (strstr (error->message, path));
}

/* A big transaction runs out of room (max_page_count stands in for a full
 * disk): the error is _FULL, nothing of the transaction stays, the numbers
 * come back, and the store takes smaller work afterwards. */
static void
test_error_disk_full (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    begin_ok (store);
    append_ok (store, NULL);
    commit_ok (store);

    gint64 pages = query_int (store, "PRAGMA page_count");
    g_autofree char *limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 4);
    g_assert_true (dbn_store_exec (store, limit, &error));
    g_assert_no_error (error);

    begin_ok (store);
    append_ok (store, NULL); /* 2: small, fits */
    gsize big_size = 256 * 1024;
    g_autoptr (GBytes) big = g_bytes_new_take (g_malloc0 (big_size), big_size);
    gboolean appended = dbn_store_journal_append (store, 3, 0, "t", NULL, "q/w1", big, &error);
    gboolean committed = appended && dbn_store_commit (store, &error);
    g_assert_false (committed);
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FULL);
    g_assert_nonnull (strstr (error->message, f->path));
    g_clear_error (&error);
    dbn_store_rollback (store);
    g_assert_false (dbn_store_in_transaction (store));
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 2);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 1);

    /* Smaller work still goes in. */
    begin_ok (store);
    append_ok (store, NULL);
    commit_ok (store);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 2);
    g_assert_cmpint (dbn_store_journal_newest (store), ==, 2);
}

/* A COMMIT that fails leaves the connection usable (here a deferred
 * foreign key, checked only at COMMIT). */
static void
test_error_commit_fails (Fixture *f, gconstpointer data)
{
    static const char *const schema[] = {
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL"
        " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);",
        NULL,
    };
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) store = open_ok (f->path, schema);
    begin_ok (store);
    append_ok (store, NULL);
    commit_ok (store);

    begin_ok (store);
    append_ok (store, NULL);
    g_assert_true (dbn_store_exec (store, "INSERT INTO child VALUES (1, 42)", &error));
    g_assert_no_error (error);
    g_assert_false (dbn_store_commit (store, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
    g_assert_false (dbn_store_in_transaction (store));
    g_assert_cmpint (dbn_store_journal_next_seq (store), ==, 2);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM child"), ==, 0);

    begin_ok (store);
    append_ok (store, NULL);
    g_assert_true (dbn_store_exec (store,
                                   "INSERT INTO parent VALUES (42);"
                                   "INSERT INTO child VALUES (1, 42)",
                                   &error));
    commit_ok (store);
    g_assert_cmpuint (read_count (store, 0, 0, 0), ==, 2);
}

static void
test_error_busy (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnStore) writer = open_ok (f->path, NULL);
    g_autoptr (DbnStore) other = open_ok (f->path, NULL);
    /* Do not wait the production 5 s for the lock. */
    sqlite3_busy_timeout (dbn_store_get_db (other), 1);

    begin_ok (writer);
    g_assert_false (dbn_store_begin (other, &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_BUSY);
    g_clear_error (&error);
    g_assert_false (dbn_store_in_transaction (other));
    dbn_store_rollback (writer);

    begin_ok (other);
    dbn_store_rollback (other);
}

/* WAL: a reader on another connection sees committed events only, and
 * sees them as soon as they are committed. */
static void
test_journal_reader_sees_committed (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnStore) writer = open_ok (f->path, NULL);
    begin_ok (writer);
    append_ok (writer, NULL);
    /* Opening a current file takes no write lock: this does not wait the
     * 5 s busy timeout behind the writer's transaction. */
    gint64 start = g_get_monotonic_time ();
    g_autoptr (DbnStore) reader = open_ok (f->path, NULL);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
    append_ok (writer, NULL);
    g_assert_cmpuint (read_count (writer, 0, 0, 0), ==, 2);
    g_assert_cmpuint (read_count (reader, 0, 0, 0), ==, 0);
    commit_ok (writer);
    g_assert_cmpuint (read_count (reader, 0, 0, 0), ==, 2);

    begin_ok (writer);
    append_ok (writer, NULL);
    g_assert_cmpuint (read_count (reader, 0, 0, 0), ==, 2);
    dbn_store_rollback (writer);
    g_assert_cmpuint (read_count (reader, 0, 0, 0), ==, 2);
}

/* ---- one topic's events (issue 11) ---- */

static void
append_on (DbnStore *store, const char *topic, const char *const *also)
{
    g_autoptr (GError) error = NULL;
    gint64 seq = dbn_store_journal_next_seq (store);
    g_autofree char *text = g_strdup_printf ("event %" G_GINT64_FORMAT, seq);
    g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
    g_assert_true (dbn_store_journal_append (store, seq, seq, "t", NULL, topic, bytes, &error));
    for (guint i = 0; also != NULL && also[i] != NULL; i++)
        g_assert_true (dbn_store_journal_add_topic (store, seq, also[i], &error));
    g_assert_no_error (error);
}

static gboolean
collect_any (gint64 seq, const char *topic, GBytes *body, gpointer user_data)
{
    g_array_append_val ((GArray *) user_data, seq);
    return TRUE;
}

/* Seqs of topic after `after`, at most max; *through as the store says. */
static GArray *
read_topic (DbnStore *store, const char *topic, gint64 after, guint max, gint64 *through)
{
    g_autoptr (GError) error = NULL;
    GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_assert_true (
        dbn_store_journal_read_topic (store, topic, after, max, 0, collect_any, seqs, through, &error));
    g_assert_no_error (error);
    return seqs;
}

static void
assert_seqs (GArray *seqs, const gint64 *want, guint n)
{
    g_assert_cmpuint (seqs->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpint (g_array_index (seqs, gint64, i), ==, want[i]);
    g_array_unref (seqs);
}

static void
test_journal_topics (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    g_autoptr (GError) error = NULL;
    begin_ok (store);
    append_on (store, "s/a", (const char *[]){ "q/w", "a/east", NULL }); /* 1 */
    append_on (store, "s/b", (const char *[]){ "q/w", NULL });           /* 2 */
    append_on (store, "s/a", NULL);                                      /* 3 */
    append_on (store, "s/ab", (const char *[]){ "s/a", "s/ab", NULL });  /* 4: s/a as an extra; s/ab twice */
    commit_ok (store);
    gint64 through = -1;
    assert_seqs (read_topic (store, "s/a", 0, 0, &through), (const gint64[]){ 1, 3, 4 }, 3);
    g_assert_cmpint (through, ==, 4);
    assert_seqs (read_topic (store, "s/ab", 0, 0, &through), (const gint64[]){ 4 }, 1);
    assert_seqs (read_topic (store, "q/w", 0, 0, &through), (const gint64[]){ 1, 2 }, 2);
    assert_seqs (read_topic (store, "a/east", 1, 0, &through), NULL, 0);
    g_assert_cmpint (through, ==, 4);
    /* A prefix is not a topic. */
    assert_seqs (read_topic (store, "s/", 0, 0, &through), NULL, 0);
    /* A page stops at max: through is its last event, the rest follows. */
    assert_seqs (read_topic (store, "s/a", 0, 2, &through), (const gint64[]){ 1, 3 }, 2);
    g_assert_cmpint (through, ==, 3);
    assert_seqs (read_topic (store, "s/a", through, 2, &through), (const gint64[]){ 4 }, 1);
    g_assert_cmpint (through, ==, 4);

    /* A rolled-back savepoint takes its extra topics with it. */
    begin_ok (store);
    g_assert_true (dbn_store_savepoint (store, &error));
    append_on (store, "s/b", (const char *[]){ "q/w", NULL });
    dbn_store_rollback_to (store);
    append_on (store, "s/c", NULL); /* 5 */
    commit_ok (store);
    assert_seqs (read_topic (store, "q/w", 2, 0, &through), NULL, 0);
    g_assert_cmpint (through, ==, 5);

    /* Only inside a transaction, and only for its own events. */
    g_assert_false (dbn_store_journal_add_topic (store, 5, "x", &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    begin_ok (store);
    g_assert_false (dbn_store_journal_add_topic (store, 5, "x", &error));
    g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED);
    g_clear_error (&error);
    dbn_store_rollback (store);
}

/* A file of store schema 1 (before issue 11): opening it adds the index and
 * the table, and its events are found by their own topic. */
static void
test_migration_v1_topics (Fixture *f, gconstpointer data)
{
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (
        sqlite3_exec (
            db,
            "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE journal (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
            " type TEXT NOT NULL, case_no TEXT, topic TEXT NOT NULL, body BLOB NOT NULL);"
            "CREATE TABLE consumer_offset (producer TEXT PRIMARY KEY, seq INTEGER NOT NULL);"
            "CREATE TABLE idempotency (key TEXT PRIMARY KEY, ts INTEGER NOT NULL,"
            " reply BLOB NOT NULL) WITHOUT ROWID;"
            "INSERT INTO store_meta VALUES ('version', 1);"
            "INSERT INTO journal VALUES (1, 1, 't', NULL, 's/a', x'00'), (2, 2, 't', NULL, 's/b', x'00'),"
            " (3, 3, 't', NULL, 's/a', x'00');",
            NULL, NULL, NULL),
        ==, SQLITE_OK);
    sqlite3_close (db);
    g_autoptr (DbnStore) store = open_ok (f->path, NULL);
    g_assert_cmpint (query_int (store, "SELECT value FROM store_meta WHERE key = 'version'"), ==, 3);
    gint64 through = -1;
    assert_seqs (read_topic (store, "s/a", 0, 0, &through), (const gint64[]){ 1, 3 }, 2);
    g_assert_cmpint (through, ==, 3);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/store/journal/topics", test_journal_topics);
    ADD ("/store/migrations/v1-file-gets-topic-index", test_migration_v1_topics);
    ADD ("/store/open/creates-wal-file-with-shared-tables", test_open_creates);
    ADD ("/store/open/sync-normal", test_open_sync_normal);
    ADD ("/store/open/reopen-keeps-data", test_open_reopen_keeps_data);
    ADD ("/store/migrations/run-once-in-order", test_migrations_once_in_order);
    ADD ("/store/migrations/newer-file-refused", test_migrations_newer_file_refused);
    ADD ("/store/migrations/newer-store-schema-refused", test_migrations_newer_store_refused);
    ADD ("/store/migrations/failure-is-atomic", test_migrations_failure_is_atomic);
    ADD ("/store/journal/append-read", test_journal_append_read);
    ADD ("/store/journal/rollback-gives-seq-back", test_journal_rollback_gives_back);
    ADD ("/store/journal/savepoints-nest", test_journal_savepoints);
    ADD ("/store/journal/max-count-max-bytes", test_journal_limits);
    ADD ("/store/journal/append-refused", test_journal_append_refused);
    ADD ("/store/journal/reader-sees-committed-only", test_journal_reader_sees_committed);
    ADD ("/store/offset/get-set", test_offsets);
    ADD ("/store/idem/lookup-record", test_idempotency);
    ADD ("/store/transaction/misuse", test_transaction_misuse);
    ADD ("/store/error/corrupt-file", test_error_corrupt);
    ADD ("/store/error/cannot-open", test_error_cannot_open);
    ADD ("/store/error/disk-full", test_error_disk_full);
    ADD ("/store/error/failed-commit-rolls-back", test_error_commit_fails);
    ADD ("/store/error/busy", test_error_busy);
#undef ADD
    return g_test_run ();
}
