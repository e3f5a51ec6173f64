/* dbn_outbox.c: a FIFO of commands in SQLite, sent one at a time.
 *
 * Table outbox(id, service, cmd, key, body, label, created, state, reply,
 * error). state is 'pending' until the service answers, then 'done' (ok) or
 * 'refused' (the service's error: retrying cannot change it). Only the head
 * is ever in flight, so commands reach the services in the order they were
 * stored: a classify is never overtaken by the start that depends on it. A
 * timeout, "unavailable", store.full or store.busy keeps the row pending and tries again after
 * RETRY_MS, or at once on dbn_outbox_flush (the connection came back).
 *
 * Why SQLite and not a GQueue: a clerk's PC is switched off at night with
 * requests still waiting; the file keeps them, with the same keys, so their
 * resends stay idempotent across restarts. The answered rows stay as the
 * station's local record of what it sent.
 */
#include "dbn_outbox.h"

#include <sqlite3.h>

#define SEND_TIMEOUT_MS 2000
#define RETRY_MS        1000

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const char *const migrations[] = {
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  service TEXT NOT NULL, cmd TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
    "  body BLOB NOT NULL, label TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending', reply BLOB, error TEXT);"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';",
    NULL,
};

struct _DbnOutbox {
    GObject parent_instance;
    DbnConnection *connection; /* owned ref: sends through it */
    DbnStore *store;           /* the outbox file */
    gint64 in_flight;          /* row id being sent, 0 none */
    guint retry_id;            /* timer for the next try */
    guint n_pending;           /* rows in state pending */
    gulong online_id;          /* handler of connection::notify::online */
};

G_DEFINE_TYPE (DbnOutbox, dbn_outbox, G_TYPE_OBJECT)

enum { PROP_0, PROP_N_PENDING, N_PROPS };
static GParamSpec *props[N_PROPS];
enum { SIGNAL_REPLIED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void pump (DbnOutbox *self);

void
dbn_outbox_row_free (DbnOutboxRow *row)
{
    if (row == NULL)
        return;
    g_free (row->service);
    g_free (row->cmd);
    g_free (row->label);
    g_free (row);
}

/* rc may be an extended code (SQLITE_CONSTRAINT_UNIQUE): compare its low byte. */
static gboolean
sql_error (DbnOutbox *self, int rc, GError **error)
{
    g_set_error (error, DBN_STORE_ERROR,
                 (rc & 0xff) == SQLITE_CONSTRAINT ? DBN_STORE_ERROR_CONSTRAINT : DBN_STORE_ERROR_FAILED,
                 "outbox: %s", sqlite3_errmsg (dbn_store_get_db (self->store)));
    return FALSE;
}

static guint
count_pending (DbnOutbox *self)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    sqlite3_prepare_v2 (dbn_store_get_db (self->store), "SELECT count(*) FROM outbox WHERE state = 'pending'",
                        -1, &st, NULL);
    return st != NULL && sqlite3_step (st) == SQLITE_ROW ? (guint) sqlite3_column_int (st, 0) : 0;
}

static void
update_count (DbnOutbox *self)
{
    guint n = count_pending (self);
    if (n != self->n_pending) {
        self->n_pending = n;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_PENDING]);
    }
}

static gboolean
retry_cb (gpointer user_data)
{
    DbnOutbox *self = user_data;
    self->retry_id = 0;
    pump (self);
    return G_SOURCE_REMOVE;
}

/* Records the answer of row id: 'done' with the reply, or 'refused'. */
static void
finish_row (DbnOutbox *self, gint64 id, GBytes *reply, const GError *refused)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc =
        sqlite3_prepare_v2 (dbn_store_get_db (self->store),
                            "UPDATE outbox SET state = ?, reply = ?, error = ? WHERE id = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, reply ? "done" : "refused", -1, SQLITE_STATIC);
        if (reply != NULL)
            sqlite3_bind_blob (st, 2, g_bytes_get_data (reply, NULL), (int) g_bytes_get_size (reply),
                               SQLITE_TRANSIENT);
        if (refused != NULL)
            sqlite3_bind_text (st, 3, refused->message, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (st, 4, id);
        rc = sqlite3_step (st);
    }
    /* A row we cannot mark would be sent again: harmless (same key, the
     * service answers as the first time), so log and go on. */
    if (rc != SQLITE_DONE)
        g_warning ("outbox: cannot mark row %" G_GINT64_FORMAT ": %s", id,
                   sqlite3_errmsg (dbn_store_get_db (self->store)));
}

typedef struct {
    DbnOutbox *self; /* owned ref */
    gint64 id;       /* the row */
    char *cmd;       /* its command name */
} Send;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Send *send = user_data;
    DbnOutbox *self = send->self;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    self->in_flight = 0;
    if (reply == NULL
        && (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT)
            || g_error_matches (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE)
            || g_error_matches (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FULL)
            || g_error_matches (error, DBN_STORE_ERROR, DBN_STORE_ERROR_BUSY))) {
        /* Not answered, or not saved (the service's disk is full, its store
         * busy: nothing was stored, and errors are not kept under the key, so
         * the same bytes can succeed later; issue 17): the row stays first in
         * line and goes again. */
        if (self->retry_id == 0 && self->store != NULL)
            self->retry_id = g_timeout_add (RETRY_MS, retry_cb, self);
    } else if (self->store != NULL) {
        finish_row (self, send->id, reply, error);
        update_count (self);
        g_signal_emit (self, signals[SIGNAL_REPLIED], 0, send->id, send->cmd, reply, error);
        pump (self);
    }
    g_object_unref (send->self);
    g_free (send->cmd);
    g_free (send);
}

static void
pump (DbnOutbox *self)
{
    if (self->in_flight != 0 || self->store == NULL)
        return;
    g_autoptr (sqlite3_stmt) st = NULL;
    sqlite3_prepare_v2 (dbn_store_get_db (self->store),
                        "SELECT id, service, cmd, body FROM outbox WHERE state = 'pending' "
                        "ORDER BY id LIMIT 1",
                        -1, &st, NULL);
    if (st == NULL || sqlite3_step (st) != SQLITE_ROW)
        return;
    Send *send = g_new0 (Send, 1);
    send->self = g_object_ref (self);
    send->id = sqlite3_column_int64 (st, 0);
    send->cmd = g_strdup ((const char *) sqlite3_column_text (st, 2));
    g_autofree char *service = g_strdup ((const char *) sqlite3_column_text (st, 1));
    g_autoptr (GBytes) body = g_bytes_new (sqlite3_column_blob (st, 3), sqlite3_column_bytes (st, 3));
    self->in_flight = send->id;
    dbn_connection_call_async (self->connection, service, body, SEND_TIMEOUT_MS, on_sent, send);
}

void
dbn_outbox_flush (DbnOutbox *self)
{
    g_return_if_fail (DBN_IS_OUTBOX (self));
    g_clear_handle_id (&self->retry_id, g_source_remove);
    pump (self);
}

static void
on_online (GObject *connection, GParamSpec *pspec, gpointer user_data)
{
    if (dbn_connection_get_online (DBN_CONNECTION (connection)))
        dbn_outbox_flush (user_data);
}

static void
dbn_outbox_dispose (GObject *object)
{
    DbnOutbox *self = DBN_OUTBOX (object);
    g_clear_handle_id (&self->retry_id, g_source_remove);
    if (self->connection != NULL)
        g_clear_signal_handler (&self->online_id, self->connection);
    g_clear_object (&self->connection);
    g_clear_pointer (&self->store, dbn_store_free);
    G_OBJECT_CLASS (dbn_outbox_parent_class)->dispose (object);
}

static void
dbn_outbox_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    switch (id) {
    case PROP_N_PENDING: g_value_set_uint (value, DBN_OUTBOX (object)->n_pending); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
dbn_outbox_class_init (DbnOutboxClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    object_class->dispose = dbn_outbox_dispose;
    object_class->get_property = dbn_outbox_get_property;
    props[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
    /* ::replied (id, cmd, reply or NULL, error or NULL): the service answered row id. */
    signals[SIGNAL_REPLIED] =
        g_signal_new ("replied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_ERROR);
}

static void
dbn_outbox_init (DbnOutbox *self)
{
}

DbnOutbox *
dbn_outbox_new (DbnConnection *connection, const char *path, GError **error)
{
    g_return_val_if_fail (DBN_IS_CONNECTION (connection) && path != NULL, NULL);
    g_autoptr (DbnOutbox) self = g_object_new (DBN_TYPE_OUTBOX, NULL);
    self->connection = g_object_ref (connection);
    g_autofree char *dir = g_path_get_dirname (path);
    g_mkdir_with_parents (dir, 0700);
    self->store = dbn_store_open (path, DBN_STORE_SYNC_FULL, migrations, error);
    if (self->store == NULL)
        return NULL;
    self->n_pending = count_pending (self);
    self->online_id = g_signal_connect (connection, "notify::online", G_CALLBACK (on_online), self);
    pump (self);
    return g_steal_pointer (&self);
}

gint64
dbn_outbox_enqueue (DbnOutbox *self, const char *service, const char *cmd, const char *key, GBytes *body,
                    const char *label, GError **error)
{
    g_return_val_if_fail (DBN_IS_OUTBOX (self) && service && cmd && key && body, 0);
    g_autoptr (sqlite3_stmt) st = NULL;
    sqlite3 *db = dbn_store_get_db (self->store);
    int rc = sqlite3_prepare_v2 (db,
                                 "INSERT INTO outbox (service, cmd, key, body, label, created) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, service, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (st, 2, cmd, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (st, 3, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob (st, 4, g_bytes_get_data (body, NULL), (int) g_bytes_get_size (body),
                           SQLITE_TRANSIENT);
        sqlite3_bind_text (st, 5, label ? label : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (st, 6, g_get_real_time () / 1000);
        rc = sqlite3_step (st);
    }
    if (rc != SQLITE_DONE) {
        sql_error (self, rc, error);
        return 0;
    }
    gint64 id = sqlite3_last_insert_rowid (db);
    update_count (self);
    pump (self);
    return id;
}

guint
dbn_outbox_get_n_pending (DbnOutbox *self)
{
    return self->n_pending;
}

GPtrArray *
dbn_outbox_dup_pending (DbnOutbox *self)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_outbox_row_free);
    g_autoptr (sqlite3_stmt) st = NULL;
    sqlite3_prepare_v2 (dbn_store_get_db (self->store),
                        "SELECT id, service, cmd, label, created FROM outbox "
                        "WHERE state = 'pending' ORDER BY id",
                        -1, &st, NULL);
    while (st != NULL && sqlite3_step (st) == SQLITE_ROW) {
        DbnOutboxRow *row = g_new0 (DbnOutboxRow, 1);
        row->id = sqlite3_column_int64 (st, 0);
        row->service = g_strdup ((const char *) sqlite3_column_text (st, 1));
        row->cmd = g_strdup ((const char *) sqlite3_column_text (st, 2));
        row->label = g_strdup ((const char *) sqlite3_column_text (st, 3));
        row->created = sqlite3_column_int64 (st, 4);
        g_ptr_array_add (rows, row);
    }
    return rows;
}
