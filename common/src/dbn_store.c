/* dbn_store.c: one SQLite connection per service file.
 *
 * Structure. A DbnStore is one connection in WAL mode (readers never block
 * the writer, and one commit costs one WAL append plus, with synchronous=FULL,
 * one fsync: research A2/A4). The connection is used by one thread at a time,
 * so it is opened NOMUTEX. Every service shares three tables (journal,
 * consumer_offset, idempotency); their statements run on every command and
 * every event, so they are prepared once at open (SQLITE_PREPARE_PERSISTENT)
 * and kept in the struct, and reset after each use so no read transaction
 * stays open and starves the WAL checkpoint (B3).
 *
 * Versions. Two counters, so a service numbers its migrations from 0 without
 * knowing the store has tables of its own:
 *   store_meta.version  the store's own schema (store_migrations below);
 *   PRAGMA user_version the service's migrations applied so far.
 * Each migration runs in its own BEGIN IMMEDIATE transaction that re-reads
 * both counters first, so two processes opening the same file at once cannot
 * both run a step; a file already current is opened without the write lock. A counter above what this build knows refuses the file
 * (_MIGRATION): an old binary must not write into a newer schema.
 *
 * Journal numbers. next_seq lives in memory (newest + 1, read at open): the
 * store is the file's only writer, and asking SQLite for MAX(seq) on every
 * append would cost a B-tree descent per event. It moves forward on append
 * and goes back on rollback; each savepoint remembers the value it started
 * with (a small stack) so rollback_to gives back exactly its own numbers.
 * Rejected: AUTOINCREMENT (it writes sqlite_sequence on every insert, and the
 * producer must know the seq before the row exists to put it in the event).
 *
 * Errors. Every SQLite failure goes through store_fail(): one place maps the
 * result code to DbnStoreError and writes "path: what: sqlite message". The
 * same place notices when SQLite has rolled the whole transaction back on its
 * own (SQLITE_FULL, IOERR and NOMEM may do that: "Automatic rollback" in
 * lang_transaction.html) and brings next_seq and the savepoint stack back in
 * line, so a disk-full error leaves a usable connection. Misuse of the
 * transaction calls (append with no transaction open, a wrong seq, commit
 * without begin) is refused with DBN_STORE_ERROR_FAILED rather than asserted:
 * carrying on would break the no-loss rule, and a test can check it.
 *
 * Checkpoints. SQLite's automatic checkpoint runs inside the COMMIT of the
 * writer, on the service's only thread: under load it cost intake ~10 % of
 * its time (the copy into the database file and its pwrites). A file store
 * therefore turns wal_autocheckpoint off and gives the work to a thread of
 * its own with its own connection: the writer's WAL hook wakes it once the
 * WAL holds CHECKPOINT_PAGES frames, and it also runs once a second. PASSIVE
 * checkpoints never block the writer; measured under full load the WAL
 * stayed at 4.5 MB. (A fallback that checkpointed inline past 20,000 frames
 * made it worse: the WAL sat at its limit, p99 latency went from 74 to
 * 190 ms. It is gone.) journal_size_limit truncates a WAL file that a
 * long reader once made large.
 */
#define G_LOG_DOMAIN "daiban-store"

#include "daiban/dbn_store.h"

#include <sqlite3.h>
#include <string.h>

#include "daiban/dbn_sql.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-store-error-quark, dbn_store_error)
/* clang-format on */

/* Page cache per connection, in KiB (negative = KiB for cache_size). The
 * default 2 MB made point reads and random-key inserts slow (A2). */
#define STORE_CACHE_KIB       16000
#define STORE_BUSY_TIMEOUT_MS 5000
#define CHECKPOINT_PAGES      1000
#define WAL_SIZE_LIMIT        (64 * 1024 * 1024)

typedef struct {
    char *path;      /* the database file */
    GThread *thread; /* runs checkpoint_main */
    GMutex lock;     /* guards wanted and stop */
    GCond cond;      /* signalled on wanted or stop */
    gboolean wanted; /* the WAL passed CHECKPOINT_PAGES */
    gboolean stop;   /* dbn_store_free asks the thread to end */
} Checkpointer;

static gpointer
checkpoint_main (gpointer data)
{
    Checkpointer *cp = data;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2 (cp->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        g_warning ("%s: the checkpoint thread cannot open the file: %s", cp->path,
                   db ? sqlite3_errmsg (db) : "out of memory");
        sqlite3_close (db);
        return NULL;
    }
    sqlite3_busy_timeout (db, STORE_BUSY_TIMEOUT_MS);
    g_mutex_lock (&cp->lock);
    while (!cp->stop) {
        if (!cp->wanted)
            g_cond_wait_until (&cp->cond, &cp->lock, g_get_monotonic_time () + G_USEC_PER_SEC);
        if (cp->stop)
            break;
        cp->wanted = FALSE;
        g_mutex_unlock (&cp->lock);
        int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            g_debug ("%s: checkpoint: %s", cp->path, sqlite3_errmsg (db));
        g_mutex_lock (&cp->lock);
    }
    g_mutex_unlock (&cp->lock);
    sqlite3_close (db);
    return NULL;
}

static int
on_wal_commit (void *data, sqlite3 *db, const char *name, int frames)
{
    Checkpointer *cp = data;
    if (frames >= CHECKPOINT_PAGES) {
        g_mutex_lock (&cp->lock);
        cp->wanted = TRUE;
        g_cond_signal (&cp->cond);
        g_mutex_unlock (&cp->lock);
    }
    return SQLITE_OK;
}

static Checkpointer *
checkpointer_start (sqlite3 *db, const char *path)
{
    Checkpointer *cp = g_new0 (Checkpointer, 1);
    cp->path = g_strdup (path);
    g_mutex_init (&cp->lock);
    g_cond_init (&cp->cond);
    cp->thread = g_thread_new ("checkpoint", checkpoint_main, cp);
    g_autofree char *pragmas = g_strdup_printf ("PRAGMA wal_autocheckpoint = 0;"
                                                "PRAGMA journal_size_limit = %d;",
                                                WAL_SIZE_LIMIT);
    sqlite3_exec (db, pragmas, NULL, NULL, NULL);
    sqlite3_wal_hook (db, on_wal_commit, cp);
    return cp;
}

/* Call after the writer's connection stopped committing. */
static void
checkpointer_stop (Checkpointer *cp)
{
    if (cp == NULL)
        return;
    g_mutex_lock (&cp->lock);
    cp->stop = TRUE;
    g_cond_signal (&cp->cond);
    g_mutex_unlock (&cp->lock);
    g_thread_join (cp->thread);
    g_mutex_clear (&cp->lock);
    g_cond_clear (&cp->cond);
    g_free (cp->path);
    g_free (cp);
}

/* The store's own migrations; store_meta.version counts how many ran. Only
 * ever append to this list. */
static const char *const store_migrations[] = {
    /* 1: the shared tables (see dbn_store.h). */
    "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE journal (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " type TEXT NOT NULL, case_no TEXT, topic TEXT NOT NULL, body BLOB NOT NULL);"
    "CREATE TABLE consumer_offset (producer TEXT PRIMARY KEY, seq INTEGER NOT NULL);"
    "CREATE TABLE idempotency (key TEXT PRIMARY KEY, ts INTEGER NOT NULL,"
    " reply BLOB NOT NULL) WITHOUT ROWID;",
    /* 2: issue 11, a key says what it was for: the command and a digest of
     * the command map (SHA-256), so a reused key on another command or body
     * is refused instead of answered with the first reply. Rows from before
     * have NULL in both and keep answering any retry. */
    "ALTER TABLE idempotency ADD COLUMN cmd TEXT;"
    "ALTER TABLE idempotency ADD COLUMN digest BLOB;",
    /* 3: every topic of every event, for the scoped sys.sync (issue 11).
     * An event's own topic is found by an index of the journal (its entries
     * are (topic, rowid = seq), so one topic's events after a seq are one
     * range, and the insert costs no statement of its own: intake's events
     * have only that one); the extra topics it was published on go into
     * journal_topic, keyed the same way. Events journaled before this step
     * keep only their own topic (the extra ones were never stored). */
    "CREATE INDEX journal_by_topic ON journal (topic);"
    "CREATE TABLE journal_topic (topic TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (topic, seq)) WITHOUT ROWID;",
};

struct _DbnStore {
    sqlite3 *db;                  /* the connection; owned */
    char *path;                   /* the file, for error messages */
    gboolean in_transaction;      /* between a successful begin and commit/rollback */
    gint64 next_seq;              /* seq the next journal_append must use */
    gint64 txn_seq;               /* next_seq when the transaction began */
    GArray *savepoints;           /* gint64: next_seq at each open savepoint, innermost last */
    gboolean reading;             /* journal_read is running: its statement is busy */
    sqlite3_stmt *journal_append; /* INSERT INTO journal */
    sqlite3_stmt *journal_read;   /* seq > ?1 ORDER BY seq LIMIT ?2 */
    sqlite3_stmt *topic_append;   /* INSERT INTO journal_topic */
    sqlite3_stmt *topic_read;     /* one topic's events after ?2: journal_by_topic ∪ journal_topic */
    sqlite3_stmt *offset_get;     /* SELECT seq FROM consumer_offset */
    sqlite3_stmt *offset_set;     /* upsert into consumer_offset */
    sqlite3_stmt *idem_lookup;    /* SELECT reply, cmd, digest FROM idempotency */
    sqlite3_stmt *idem_record;    /* INSERT INTO idempotency */
    sqlite3_stmt *savepoint0;     /* SAVEPOINT dbn_sp0: the per-command savepoint of group commit */
    sqlite3_stmt *release0;       /* RELEASE dbn_sp0 */
    Checkpointer *checkpointer;   /* NULL for :memory: */
};

/* Runs a cached one-shot statement (the depth-0 savepoint pair runs for
 * every command of every batch; parsing it each time cost ~5 % of intake). */
static int
step_cached (sqlite3_stmt *stmt)
{
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
error_code_for (int sqlite_rc)
{
    /* Extended codes are on; the primary code is the low byte. */
    switch (sqlite_rc & 0xff) {
    case SQLITE_FULL: return DBN_STORE_ERROR_FULL;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY: return DBN_STORE_ERROR_IO;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DBN_STORE_ERROR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return DBN_STORE_ERROR_CORRUPT;
    case SQLITE_CONSTRAINT: return DBN_STORE_ERROR_CONSTRAINT;
    default: return DBN_STORE_ERROR_FAILED;
    }
}

/* The transaction is over (committed or rolled back): forget the savepoints
 * and, on a rollback, give the journal numbers back. */
static void
transaction_ended (DbnStore *self, gboolean rolled_back)
{
    if (rolled_back)
        self->next_seq = self->txn_seq;
    self->in_transaction = FALSE;
    g_array_set_size (self->savepoints, 0);
}

/* SQLite may end the transaction by itself after an error; our state must
 * follow, or the next append would be numbered from a rolled-back row.
 * Returns TRUE when that had happened. */
static gboolean
sync_lost_transaction (DbnStore *self)
{
    if (self->in_transaction && sqlite3_get_autocommit (self->db)) {
        g_debug ("%s: SQLite rolled the transaction back after an error", self->path);
        transaction_ended (self, TRUE);
        return TRUE;
    }
    return FALSE;
}

/* The single exit for SQLite failures. Reads sqlite3_errmsg() before
 * anything else touches the connection. Always returns FALSE. */
static gboolean
store_fail (DbnStore *self, int rc, const char *what, GError **error)
{
    const char *message = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
    g_set_error (error, DBN_STORE_ERROR, error_code_for (rc), "%s: %s%s%s (%s)", self->path,
                 what != NULL ? what : "", what != NULL ? ": " : "", message, sqlite3_errstr (rc));
    if (self->db != NULL)
        sync_lost_transaction (self);
    return FALSE;
}

/* A call the store refuses before SQLite sees it. Always returns FALSE. */
static gboolean G_GNUC_PRINTF (3, 4) store_refuse (DbnStore *self, GError **error, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    g_autofree char *message = g_strdup_vprintf (format, args);
    va_end (args);
    g_set_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED, "%s: %s", self->path, message);
    return FALSE;
}

/* Ends one use of a cached statement: maps a failure (SQLITE_DONE and
 * SQLITE_OK are success), then resets it so it holds no read lock. */
static gboolean
stmt_finish (DbnStore *self, sqlite3_stmt *stmt, int rc, const char *what, GError **error)
{
    gboolean ok = (rc == SQLITE_DONE || rc == SQLITE_OK);
    if (!ok)
        store_fail (self, rc, what, error);
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    return ok;
}

/* A zero-length GBytes may have a NULL data pointer, and binding NULL would
 * store SQL NULL into a NOT NULL column: bind an empty blob instead. */
static int
bind_bytes (sqlite3_stmt *stmt, int index, GBytes *bytes)
{
    gsize size = 0;
    const void *data = g_bytes_get_data (bytes, &size);
    if (size > (gsize) G_MAXINT)
        return SQLITE_TOOBIG;
    if (data == NULL || size == 0)
        return sqlite3_bind_zeroblob (stmt, index, 0);
    return sqlite3_bind_blob (stmt, index, data, (int) size, SQLITE_STATIC);
}

/* Reads one integer from a single-row query; *value = 0 when no row. */
static int
query_int64 (sqlite3 *db, const char *sql, gint64 *value)
{
    g_autoptr (sqlite3_stmt) stmt = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
    *value = 0;
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64 (stmt, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    return rc;
}

static int
read_versions (DbnStore *self, gint64 *store_version, gint64 *user_version)
{
    gint64 has_meta = 0;
    int rc = query_int64 (self->db,
                          "SELECT count(*) FROM sqlite_master"
                          " WHERE type = 'table' AND name = 'store_meta'",
                          &has_meta);
    *store_version = 0;
    if (rc == SQLITE_OK && has_meta)
        rc = query_int64 (self->db, "SELECT value FROM store_meta WHERE key = 'version'", store_version);
    if (rc == SQLITE_OK)
        rc = query_int64 (self->db, "PRAGMA user_version", user_version);
    return rc;
}

/* Runs the store's migrations, then the service's, one transaction each,
 * until both counters are current. */
static gboolean
migrate (DbnStore *self, const char *const *migrations, GError **error)
{
    const gint64 n_store = G_N_ELEMENTS (store_migrations);
    gint64 n_service = 0;
    while (migrations != NULL && migrations[n_service] != NULL)
        n_service++;

    /* Most opens find the file current: check without the write lock, so
     * opening does not wait behind another connection's transaction. */
    gint64 current_store = 0, current_user = 0;
    int read_rc = read_versions (self, &current_store, &current_user);
    if (read_rc != SQLITE_OK)
        return store_fail (self, read_rc, "reading the schema version", error);
    if (current_store == n_store && current_user == n_service)
        return TRUE;

    for (;;) {
        gint64 store_version = 0, user_version = 0;
        int rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = read_versions (self, &store_version, &user_version);
        if (rc != SQLITE_OK) {
            store_fail (self, rc, "reading the schema version", error);
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            return FALSE;
        }
        if (store_version > n_store || user_version > n_service) {
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            g_set_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_MIGRATION,
                         "%s: the file has schema version %" G_GINT64_FORMAT " (store %" G_GINT64_FORMAT
                         "), this build knows only %" G_GINT64_FORMAT " (store %" G_GINT64_FORMAT
                         "): it comes from a newer daiban",
                         self->path, user_version, store_version, n_service, n_store);
            return FALSE;
        }

        g_autofree char *bump = NULL;
        const char *sql;
        const char *which;
        gint64 step;
        if (store_version < n_store) {
            step = store_version;
            sql = store_migrations[step];
            which = "store";
            bump = g_strdup_printf ("INSERT INTO store_meta (key, value) VALUES ('version', %" G_GINT64_FORMAT
                                    ") ON CONFLICT (key) DO UPDATE"
                                    " SET value = excluded.value",
                                    step + 1);
        } else if (user_version < n_service) {
            step = user_version;
            sql = migrations[step];
            which = "service";
            bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, step + 1);
        } else {
            /* Nothing to do: end the read-only transaction. */
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            return TRUE;
        }

        rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec (self->db, bump, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            g_autofree char *what = g_strdup_printf ("%s migration %" G_GINT64_FORMAT, which, step);
            store_fail (self, rc, what, error);
            /* The disk, not the SQL, is to blame for these: keep their code so
             * the operator looks in the right place. Anything else is a bad
             * migration. */
            int code = error_code_for (rc);
            if (error != NULL && *error != NULL && code != DBN_STORE_ERROR_FULL && code != DBN_STORE_ERROR_IO
                && code != DBN_STORE_ERROR_BUSY && code != DBN_STORE_ERROR_CORRUPT)
                (*error)->code = DBN_STORE_ERROR_MIGRATION;
            if (!sqlite3_get_autocommit (self->db))
                sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            return FALSE;
        }
        g_debug ("%s: %s schema now at version %" G_GINT64_FORMAT, self->path, which, step + 1);
    }
}

static int
prepare_cached (DbnStore *self, const char *sql, sqlite3_stmt **stmt)
{
    return sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

DbnStore *
dbn_store_open (const char *path, DbnStoreSync sync, const char *const *migrations, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);
    g_return_val_if_fail (sync == DBN_STORE_SYNC_FULL || sync == DBN_STORE_SYNC_NORMAL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);

    g_autoptr (DbnStore) self = g_new0 (DbnStore, 1);
    self->path = g_strdup (path);
    self->savepoints = g_array_new (FALSE, FALSE, sizeof (gint64));

    int rc = sqlite3_open_v2 (path, &self->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (self->db == NULL) {
        g_set_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FAILED,
                     "%s: cannot allocate a SQLite connection", path);
        return NULL;
    }
    if (rc != SQLITE_OK) {
        store_fail (self, rc, "open", error);
        return NULL;
    }
    sqlite3_extended_result_codes (self->db, 1);
    /* Before anything that takes a lock, so open waits for a busy peer. */
    sqlite3_busy_timeout (self->db, STORE_BUSY_TIMEOUT_MS);

    /* The first statement reads the header: a file that is not a database
     * fails here with SQLITE_NOTADB. */
    g_autoptr (sqlite3_stmt) wal = NULL;
    rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &wal, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (wal);
    if (rc == SQLITE_ROW) {
        const char *mode = (const char *) sqlite3_column_text (wal, 0);
        /* An in-memory database (tests) answers "memory". */
        if (g_ascii_strcasecmp (mode != NULL ? mode : "", "wal") != 0 && g_strcmp0 (path, ":memory:") != 0) {
            g_set_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_IO,
                         "%s: cannot switch to WAL mode (journal_mode is %s)", path,
                         mode != NULL ? mode : "unknown");
            return NULL;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        store_fail (self, rc, "setting WAL mode", error);
        return NULL;
    }
    g_clear_pointer (&wal, sqlite3_finalize);

    g_autofree char *pragmas =
        g_strdup_printf ("PRAGMA synchronous = %s;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -%d;",
                         sync == DBN_STORE_SYNC_FULL ? "FULL" : "NORMAL", STORE_CACHE_KIB);
    rc = sqlite3_exec (self->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_fail (self, rc, "setting pragmas", error);
        return NULL;
    }

    if (!migrate (self, migrations, error))
        return NULL;

    rc = prepare_cached (self,
                         "INSERT INTO journal (seq, ts, type, case_no, topic, body)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &self->journal_append);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self,
                             "SELECT seq, topic, body FROM journal"
                             " WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                             &self->journal_read);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self, "INSERT INTO journal_topic (topic, seq) VALUES (?1, ?2)",
                             &self->topic_append);
    if (rc == SQLITE_OK)
        /* A merge of two ordered index ranges (SQLite runs a compound
         * ORDER BY as co-routines): LIMIT stops it after a page, whatever
         * the topic's history. UNION drops an event listed under both. */
        rc = prepare_cached (self,
                             "SELECT seq, topic, body FROM journal"
                             " WHERE topic = ?1 AND seq > ?2"
                             " UNION"
                             " SELECT t.seq, t.topic, j.body FROM journal_topic t"
                             " JOIN journal j ON j.seq = t.seq"
                             " WHERE t.topic = ?1 AND t.seq > ?2"
                             " ORDER BY 1 LIMIT ?3",
                             &self->topic_read);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self, "SELECT seq FROM consumer_offset WHERE producer = ?1", &self->offset_get);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self,
                             "INSERT INTO consumer_offset (producer, seq) VALUES (?1, ?2)"
                             " ON CONFLICT (producer) DO UPDATE SET seq = excluded.seq",
                             &self->offset_set);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self, "SELECT reply, cmd, digest FROM idempotency WHERE key = ?1",
                             &self->idem_lookup);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self, "SAVEPOINT dbn_sp0", &self->savepoint0);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self, "RELEASE dbn_sp0", &self->release0);
    if (rc == SQLITE_OK)
        rc = prepare_cached (self,
                             "INSERT INTO idempotency (key, ts, reply, cmd, digest)"
                             " VALUES (?1, ?2, ?3, ?4, ?5)",
                             &self->idem_record);
    gint64 newest = 0;
    if (rc == SQLITE_OK)
        rc = query_int64 (self->db, "SELECT max(seq) FROM journal", &newest);
    if (rc != SQLITE_OK) {
        store_fail (self, rc, "preparing the shared statements", error);
        return NULL;
    }
    self->next_seq = newest + 1;
    if (g_strcmp0 (path, ":memory:") != 0)
        self->checkpointer = checkpointer_start (self->db, path);
    return g_steal_pointer (&self);
}

void
dbn_store_free (DbnStore *self)
{
    if (self == NULL)
        return;
    if (self->in_transaction) {
        g_debug ("%s: closing with an open transaction: rolling back", self->path);
        dbn_store_rollback (self);
    }
    g_clear_pointer (&self->journal_append, sqlite3_finalize);
    g_clear_pointer (&self->journal_read, sqlite3_finalize);
    g_clear_pointer (&self->topic_append, sqlite3_finalize);
    g_clear_pointer (&self->topic_read, sqlite3_finalize);
    g_clear_pointer (&self->offset_get, sqlite3_finalize);
    g_clear_pointer (&self->offset_set, sqlite3_finalize);
    g_clear_pointer (&self->idem_lookup, sqlite3_finalize);
    g_clear_pointer (&self->idem_record, sqlite3_finalize);
    g_clear_pointer (&self->savepoint0, sqlite3_finalize);
    g_clear_pointer (&self->release0, sqlite3_finalize);
    if (self->db != NULL)
        sqlite3_wal_hook (self->db, NULL, NULL);
    g_clear_pointer (&self->checkpointer, checkpointer_stop);
    if (self->db != NULL && sqlite3_close (self->db) != SQLITE_OK) {
        /* A service statement was not finalized (a bug). close_v2 closes
         * the connection once the last one is. */
        g_warning ("%s: closing with unfinalized statements: %s", self->path, sqlite3_errmsg (self->db));
        sqlite3_close_v2 (self->db);
    }
    g_free (self->path);
    if (self->savepoints != NULL)
        g_array_unref (self->savepoints);
    g_free (self);
}

struct sqlite3 *
dbn_store_get_db (DbnStore *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->db;
}

gboolean
dbn_store_begin (DbnStore *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    sync_lost_transaction (self);
    if (self->in_transaction)
        return store_refuse (self, error, "begin: a transaction is already open");
    /* IMMEDIATE takes the write lock now, so a busy file is reported here
     * and not half-way through a command. */
    int rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail (self, rc, "BEGIN", error);
    self->in_transaction = TRUE;
    self->txn_seq = self->next_seq;
    g_array_set_size (self->savepoints, 0);
    return TRUE;
}

gboolean
dbn_store_commit (DbnStore *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (sync_lost_transaction (self))
        return store_refuse (self, error,
                             "commit: SQLite already rolled the transaction back after an error");
    if (!self->in_transaction)
        return store_refuse (self, error, "commit: no transaction is open");
    int rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        /* A deferred constraint or a busy/full disk can leave the transaction
         * open after a failed COMMIT: roll it back so the connection is
         * usable and the numbers are given back. */
        store_fail (self, rc, "COMMIT", error);
        dbn_store_rollback (self);
        return FALSE;
    }
    transaction_ended (self, FALSE);
    return TRUE;
}

void
dbn_store_rollback (DbnStore *self)
{
    g_return_if_fail (self != NULL);
    /* Nothing open, or SQLite already rolled back: nothing to do. Callers
     * rely on this in their error paths. */
    if (sync_lost_transaction (self) || !self->in_transaction)
        return;
    int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        g_warning ("%s: ROLLBACK failed: %s", self->path, sqlite3_errmsg (self->db));
    transaction_ended (self, TRUE);
}

gboolean
dbn_store_in_transaction (DbnStore *self)
{
    g_return_val_if_fail (self != NULL, FALSE);
    sync_lost_transaction (self);
    return self->in_transaction;
}

gboolean
dbn_store_savepoint (DbnStore *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    sync_lost_transaction (self);
    if (!self->in_transaction)
        return store_refuse (self, error, "savepoint: no transaction is open");
    /* One name per depth, so RELEASE and ROLLBACK TO name exactly ours. */
    int rc;
    if (self->savepoints->len == 0) {
        rc = step_cached (self->savepoint0);
    } else {
        g_autofree char *sql = g_strdup_printf ("SAVEPOINT dbn_sp%u", self->savepoints->len);
        rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        return store_fail (self, rc, "SAVEPOINT", error);
    g_array_append_val (self->savepoints, self->next_seq);
    return TRUE;
}

gboolean
dbn_store_release (DbnStore *self, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (sync_lost_transaction (self))
        return store_refuse (self, error,
                             "release: SQLite already rolled the transaction back after an error");
    if (!self->in_transaction || self->savepoints->len == 0)
        return store_refuse (self, error, "release: no savepoint is open");
    int rc;
    if (self->savepoints->len == 1) {
        rc = step_cached (self->release0);
    } else {
        g_autofree char *sql = g_strdup_printf ("RELEASE dbn_sp%u", self->savepoints->len - 1);
        rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        return store_fail (self, rc, "RELEASE", error);
    g_array_set_size (self->savepoints, self->savepoints->len - 1);
    return TRUE;
}

/* Undoes everything since the innermost savepoint and closes it (no
 * release needed afterwards). */
void
dbn_store_rollback_to (DbnStore *self)
{
    g_return_if_fail (self != NULL);
    /* After an automatic rollback the savepoint is gone with the rest: the
     * caller's error path must still work. */
    if (sync_lost_transaction (self) || !self->in_transaction)
        return;
    g_return_if_fail (self->savepoints->len > 0);
    guint depth = self->savepoints->len - 1;
    g_autofree char *sql = g_strdup_printf ("ROLLBACK TO dbn_sp%u; RELEASE dbn_sp%u", depth, depth);
    int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        g_warning ("%s: ROLLBACK TO failed: %s", self->path, sqlite3_errmsg (self->db));
    self->next_seq = g_array_index (self->savepoints, gint64, depth);
    g_array_set_size (self->savepoints, depth);
}

gboolean
dbn_store_exec (DbnStore *self, const char *sql, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (sql != NULL, FALSE);
    int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail (self, rc, NULL, error);
    return TRUE;
}

gboolean
dbn_store_set_error (DbnStore *self, int sqlite_rc, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return store_fail (self, sqlite_rc, NULL, error);
}

gint64
dbn_store_journal_next_seq (DbnStore *self)
{
    g_return_val_if_fail (self != NULL, 0);
    sync_lost_transaction (self);
    return self->next_seq;
}

gint64
dbn_store_journal_newest (DbnStore *self)
{
    g_return_val_if_fail (self != NULL, 0);
    sync_lost_transaction (self);
    return self->next_seq - 1;
}

gboolean
dbn_store_journal_append (DbnStore *self, gint64 seq, gint64 ts_ms, const char *type, const char *case_no,
                          const char *topic, GBytes *body, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (type != NULL && topic != NULL && body != NULL, FALSE);
    sync_lost_transaction (self);
    /* The event and the state change it describes commit together or not
     * at all: an append outside a transaction would break that. */
    if (!self->in_transaction)
        return store_refuse (self, error, "journal append: no transaction is open");
    if (seq != self->next_seq)
        return store_refuse (self, error,
                             "journal append: seq %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, seq,
                             self->next_seq);

    sqlite3_stmt *stmt = self->journal_append;
    int rc = sqlite3_bind_int64 (stmt, 1, seq);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, ts_ms);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text (stmt, 3, type, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = case_no != NULL ? sqlite3_bind_text (stmt, 4, case_no, -1, SQLITE_STATIC)
                             : sqlite3_bind_null (stmt, 4);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text (stmt, 5, topic, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = bind_bytes (stmt, 6, body);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    if (!stmt_finish (self, stmt, rc, "journal append", error))
        return FALSE;
    self->next_seq++;
    return TRUE;
}

gboolean
dbn_store_journal_append_topics (DbnStore *self, gint64 seq, gint64 ts_ms, const char *type,
                                 const char *case_no, const char *const *topics, GBytes *body, GError **error)
{
    g_return_val_if_fail (topics != NULL && topics[0] != NULL, FALSE);
    if (!dbn_store_journal_append (self, seq, ts_ms, type, case_no, topics[0], body, error))
        return FALSE;
    for (gsize i = 1; topics[i] != NULL; i++)
        if (*topics[i] != '\0' && !dbn_store_journal_add_topic (self, seq, topics[i], error))
            return FALSE;
    return TRUE;
}

gboolean
dbn_store_journal_add_topic (DbnStore *self, gint64 seq, const char *topic, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (topic != NULL, FALSE);
    sync_lost_transaction (self);
    if (!self->in_transaction)
        return store_refuse (self, error, "journal topic: no transaction is open");
    /* Only an event of this transaction: an old event's topics are history. */
    if (seq < self->txn_seq || seq >= self->next_seq)
        return store_refuse (self, error,
                             "journal topic: seq %" G_GINT64_FORMAT " is not an event of this "
                             "transaction",
                             seq);
    sqlite3_stmt *stmt = self->topic_append;
    int rc = sqlite3_bind_text (stmt, 1, topic, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, seq);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    /* A topic given twice for one event (the same coordinate under two
     * names) is one row: the primary key says so. */
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        sqlite3_reset (stmt);
        sqlite3_clear_bindings (stmt);
        return TRUE;
    }
    return stmt_finish (self, stmt, rc, "journal topic", error);
}

/* Steps a bound read statement (seq, topic, body) and gives its rows to
 * func under the byte cap. *limited: a cap or func stopped it before the
 * statement ran out; *last: the seq of the last row given (unchanged if none). */
static int
read_rows (DbnStore *self, sqlite3_stmt *stmt, guint max_count, gsize max_bytes, DbnJournalFunc func,
           gpointer user_data, gboolean *limited, gint64 *last)
{
    guint given = 0;
    gsize bytes = 0;
    int rc = SQLITE_OK;
    *limited = FALSE;
    self->reading = TRUE;
    for (;;) {
        rc = sqlite3_step (stmt);
        if (rc != SQLITE_ROW)
            break;
        gint64 seq = sqlite3_column_int64 (stmt, 0);
        const char *topic = (const char *) sqlite3_column_text (stmt, 1);
        const void *data = sqlite3_column_blob (stmt, 2);
        gsize size = (gsize) sqlite3_column_bytes (stmt, 2);
        if (topic == NULL || (data == NULL && size > 0)) {
            rc = SQLITE_NOMEM;
            break;
        }
        /* The first event goes out whatever its size, so a reader can never
         * be stuck behind one large event. */
        if (given > 0 && max_bytes > 0 && bytes + size > max_bytes) {
            *limited = TRUE;
            rc = SQLITE_DONE;
            break;
        }
        given++;
        bytes += size;
        *last = seq;
        g_autoptr (GBytes) body = g_bytes_new (data, size);
        if (!func (seq, topic, body, user_data) || (max_count > 0 && given == max_count)) {
            *limited = TRUE;
            rc = SQLITE_DONE;
            break;
        }
    }
    self->reading = FALSE;
    return rc;
}

gboolean
dbn_store_journal_read (DbnStore *self, gint64 after, guint max_count, gsize max_bytes, DbnJournalFunc func,
                        gpointer user_data, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (func != NULL, FALSE);
    /* func must not read the journal again: the statement is in use. */
    g_return_val_if_fail (!self->reading, FALSE);

    /* 0 means no limit, for both counts. LIMIT -1 is SQLite's "no limit". */
    sqlite3_stmt *stmt = self->journal_read;
    int rc = sqlite3_bind_int64 (stmt, 1, after);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, max_count > 0 ? (sqlite3_int64) max_count : -1);
    gboolean limited = FALSE;
    gint64 last = after;
    if (rc == SQLITE_OK)
        rc = read_rows (self, stmt, max_count, max_bytes, func, user_data, &limited, &last);
    return stmt_finish (self, stmt, rc, "journal read", error);
}

gboolean
dbn_store_journal_read_topic (DbnStore *self, const char *topic, gint64 after, guint max_count,
                              gsize max_bytes, DbnJournalFunc func, gpointer user_data, gint64 *through,
                              GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (topic != NULL && func != NULL && through != NULL, FALSE);
    g_return_val_if_fail (!self->reading, FALSE);

    sqlite3_stmt *stmt = self->topic_read;
    int rc = sqlite3_bind_text (stmt, 1, topic, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, after);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 3, max_count > 0 ? (sqlite3_int64) max_count : -1);
    gboolean limited = FALSE;
    gint64 last = after;
    if (rc == SQLITE_OK)
        rc = read_rows (self, stmt, max_count, max_bytes, func, user_data, &limited, &last);
    /* A page that stopped on a limit examined up to its last event; one that
     * ran out examined the whole journal (every event up to the newest that
     * is not on the topic is not the reader's). */
    *through = limited ? last : self->next_seq - 1;
    return stmt_finish (self, stmt, rc, "journal topic read", error);
}

gboolean
dbn_store_offset_get (DbnStore *self, const char *producer, gint64 *seq, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (producer != NULL && seq != NULL, FALSE);
    sqlite3_stmt *stmt = self->offset_get;
    *seq = 0;
    int rc = sqlite3_bind_text (stmt, 1, producer, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64 (stmt, 0);
        rc = SQLITE_DONE;
    }
    return stmt_finish (self, stmt, rc, "reading a consumer offset", error);
}

gboolean
dbn_store_offset_set (DbnStore *self, const char *producer, gint64 seq, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (producer != NULL, FALSE);
    sync_lost_transaction (self);
    /* Outside the event's transaction the offset could move without the
     * effect (a lost event) or the effect without the offset (a duplicate). */
    if (!self->in_transaction)
        return store_refuse (self, error, "offset set: no transaction is open");
    sqlite3_stmt *stmt = self->offset_set;
    int rc = sqlite3_bind_text (stmt, 1, producer, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, seq);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    return stmt_finish (self, stmt, rc, "writing a consumer offset", error);
}

/* TRUE when the recorded (cmd, digest) of the current row of stmt (columns
 * 1 and 2) is the command's; a row without them (store version 1) matches. */
static gboolean
idem_row_matches (sqlite3_stmt *stmt, const char *cmd, GBytes *digest)
{
    if (sqlite3_column_type (stmt, 2) == SQLITE_NULL)
        return TRUE;
    const char *recorded = (const char *) sqlite3_column_text (stmt, 1);
    if (g_strcmp0 (recorded, cmd) != 0)
        return FALSE;
    gsize size = 0;
    const void *data = digest != NULL ? g_bytes_get_data (digest, &size) : NULL;
    return (gsize) sqlite3_column_bytes (stmt, 2) == size
           && (size == 0 || memcmp (sqlite3_column_blob (stmt, 2), data, size) == 0);
}

GBytes *
dbn_store_idem_lookup (DbnStore *self, const char *key, const char *cmd, GBytes *digest, char **recorded_cmd,
                       GError **error)
{
    g_return_val_if_fail (self != NULL, NULL);
    g_return_val_if_fail (key != NULL, NULL);
    if (recorded_cmd != NULL)
        *recorded_cmd = NULL;
    sqlite3_stmt *stmt = self->idem_lookup;
    GBytes *reply = NULL;
    int rc = sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        const void *data = sqlite3_column_blob (stmt, 0);
        gsize size = (gsize) sqlite3_column_bytes (stmt, 0);
        if (data == NULL && size > 0) {
            rc = SQLITE_NOMEM;
        } else if (!idem_row_matches (stmt, cmd, digest)) {
            /* Copied: the column buffer dies at the reset below. */
            const char *recorded = (const char *) sqlite3_column_text (stmt, 1);
            if (recorded_cmd != NULL)
                *recorded_cmd = g_strdup (recorded != NULL ? recorded : "");
            rc = SQLITE_DONE;
        } else {
            reply = g_bytes_new (data, size);
            rc = SQLITE_DONE;
        }
    }
    if (!stmt_finish (self, stmt, rc, "idempotency lookup", error)) {
        g_clear_pointer (&reply, g_bytes_unref);
        if (recorded_cmd != NULL)
            g_clear_pointer (recorded_cmd, g_free);
    }
    return reply;
}

gboolean
dbn_store_idem_record (DbnStore *self, const char *key, gint64 ts_ms, const char *cmd, GBytes *digest,
                       GBytes *reply, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (key != NULL && reply != NULL, FALSE);
    sync_lost_transaction (self);
    if (!self->in_transaction)
        return store_refuse (self, error, "idempotency record: no transaction is open");
    /* A plain INSERT: a second record for one key is a race or a bug, and
     * the caller must hear about it (_CONSTRAINT), not overwrite the first
     * answer. */
    sqlite3_stmt *stmt = self->idem_record;
    int rc = sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64 (stmt, 2, ts_ms);
    if (rc == SQLITE_OK)
        rc = bind_bytes (stmt, 3, reply);
    if (rc == SQLITE_OK)
        rc = cmd != NULL ? sqlite3_bind_text (stmt, 4, cmd, -1, SQLITE_STATIC) : sqlite3_bind_null (stmt, 4);
    if (rc == SQLITE_OK)
        rc = digest != NULL ? bind_bytes (stmt, 5, digest) : sqlite3_bind_null (stmt, 5);
    if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    return stmt_finish (self, stmt, rc, "idempotency record", error);
}
