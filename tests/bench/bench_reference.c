/* bench_reference: the raw libzmq and SQLite references of the benchmarks
 * (bench_reference.h). */
#include "bench_reference.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* ---- reference 1: raw libzmq PUSH → PULL, 100-byte messages ---- */

typedef struct {
    void *ctx;
    char *endpoint;
    guint64 count;
} PushJob;

static gpointer
push_thread (gpointer data)
{
    PushJob *job = data;
    void *push = zmq_socket (job->ctx, ZMQ_PUSH);
    int hwm = 100000;
    zmq_setsockopt (push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_connect (push, job->endpoint);
    char msg[100];
    memset (msg, 'x', sizeof msg);
    for (guint64 i = 0; i < job->count; i++)
        zmq_send (push, msg, sizeof msg, 0);
    int linger = -1;
    zmq_setsockopt (push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (push);
    return NULL;
}

double
bench_reference_zmq (const char *dir, guint64 count)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    int hwm = 100000;
    zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    g_autofree char *endpoint = g_strdup_printf ("ipc://%s/ref-zmq.ipc", dir);
    zmq_bind (pull, endpoint);
    PushJob job = { ctx, endpoint, count };
    GThread *t = g_thread_new ("push", push_thread, &job);
    char buf[128];
    zmq_recv (pull, buf, sizeof buf, 0);
    gint64 t0 = g_get_monotonic_time ();
    for (guint64 i = 1; i < count; i++)
        zmq_recv (pull, buf, sizeof buf, 0);
    double secs = (g_get_monotonic_time () - t0) / 1e6;
    g_thread_join (t);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    return (count - 1) / secs;
}

/* ---- reference 2: raw SQLite, WAL + FULL, batches of 500 rows of ~210 B ---- */

double
bench_reference_sqlite (const char *dir, guint rows)
{
    g_autofree char *path = g_build_filename (dir, "ref-sqlite.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, body TEXT) WITHOUT ROWID;",
                  NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2 (db, "INSERT INTO t VALUES (?1, ?2, ?3)", -1, &st, NULL);
    char body[161];
    memset (body, 'b', 160);
    body[160] = '\0';
    gint64 t0 = g_get_monotonic_time ();
    for (guint i = 0; i < rows; i++) {
        if (i % 500 == 0)
            sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
        char key[48];
        /* Time-ordered keys, like our case numbers and idempotency keys. */
        g_snprintf (key, sizeof key, "T01-2026-%012u-abcdefghijklmnop", i);
        sqlite3_bind_text (st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (st, 2, i);
        sqlite3_bind_text (st, 3, body, -1, SQLITE_STATIC);
        sqlite3_step (st);
        sqlite3_reset (st);
        if (i % 500 == 499 || i == rows - 1)
            sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
    double secs = (g_get_monotonic_time () - t0) / 1e6;
    sqlite3_finalize (st);
    sqlite3_close (db);
    return rows / secs;
}

/* ---- reference 3: one fsync'd single-row commit after another ---- */

static int
cmp_double (gconstpointer a, gconstpointer b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

double
bench_reference_sqlite_commit_us (const char *dir, guint commits)
{
    g_autofree char *path = g_build_filename (dir, "ref-commit.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  "CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT);",
                  NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2 (db, "INSERT INTO t (body) VALUES (?1)", -1, &st, NULL);
    char body[201];
    memset (body, 'b', 200);
    body[200] = '\0';
    g_autofree double *took = g_new0 (double, commits);
    for (guint i = 0; i < commits; i++) {
        gint64 t0 = g_get_monotonic_time ();
        sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
        sqlite3_bind_text (st, 1, body, -1, SQLITE_STATIC);
        sqlite3_step (st);
        sqlite3_reset (st);
        sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
        took[i] = (double) (g_get_monotonic_time () - t0);
    }
    sqlite3_finalize (st);
    sqlite3_close (db);
    qsort (took, commits, sizeof (double), cmp_double);
    return took[commits / 2];
}
