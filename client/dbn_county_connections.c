/* dbn_county_connections.c: one connection and one outbox per township of a
 * county folder (dbn_county_connections.h).
 *
 * Each township is opened on its own and a failure stays with that
 * township: a copied folder missing its keys/registry, or a township set
 * whose daiban.conf is malformed, must not keep the department from
 * answering the other townships. The outbox of each township is its own
 * file, because an outbox sends its rows in order through ONE connection
 * (dbn_outbox.h): one file for all townships would hold every township's
 * answers behind the one whose line is down.
 */
#include "dbn_county_connections.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"

typedef struct {
    char *id;                  /* [township:<id>] */
    char *name;                /* its name_zh */
    DbnConnection *connection; /* owned, NULL when it failed */
    DbnOutbox *outbox;         /* owned, NULL when it failed */
    char *failure;             /* what a person reads, NULL when it opened */
    gulong status_id, online_id, pending_id;
} Township;

struct _DbnCountyConnections {
    GPtrArray *townships; /* Township*, owned, in [county] townships order */
    DbnCountyChangedFunc changed;
    gpointer user_data;
};

static void
township_free (Township *t)
{
    if (t->connection != NULL) {
        g_clear_signal_handler (&t->status_id, t->connection);
        g_clear_signal_handler (&t->online_id, t->connection);
    }
    if (t->outbox != NULL)
        g_clear_signal_handler (&t->pending_id, t->outbox);
    g_clear_object (&t->outbox);
    g_clear_object (&t->connection);
    g_free (t->failure);
    g_free (t->name);
    g_free (t->id);
    g_free (t);
}

static void
on_changed (gpointer user_data)
{
    DbnCountyConnections *self = user_data;
    if (self->changed != NULL)
        self->changed (self->user_data);
}

/* Opens township t (its folder, the key, its outbox); FALSE with error. */
static gboolean
township_open (DbnCountyConnections *self, Township *t, const char *folder, const char *key_path,
               const char *client_dir, GError **error)
{
    g_autoptr (DbnConnection) connection = dbn_connection_new (folder, key_path, error);
    if (connection == NULL)
        return FALSE;
    g_autofree char *path = g_build_filename (client_dir, t->id, "outbox.db", NULL);
    g_autoptr (DbnOutbox) outbox = dbn_outbox_new (connection, path, error);
    if (outbox == NULL)
        return FALSE;
    t->connection = g_steal_pointer (&connection);
    t->outbox = g_steal_pointer (&outbox);
    t->status_id = g_signal_connect_swapped (t->connection, "status-changed", G_CALLBACK (on_changed), self);
    t->online_id = g_signal_connect_swapped (t->connection, "notify::online", G_CALLBACK (on_changed), self);
    t->pending_id = g_signal_connect_swapped (t->outbox, "notify::n-pending", G_CALLBACK (on_changed), self);
    return TRUE;
}

DbnCountyConnections *
dbn_county_connections_new (DbnConfig *config, const char *key_path, const char *client_dir,
                            DbnCountyChangedFunc changed, gpointer user_data)
{
    g_return_val_if_fail (config != NULL && key_path != NULL && client_dir != NULL, NULL);
    DbnCountyConnections *self = g_new0 (DbnCountyConnections, 1);
    self->townships = g_ptr_array_new_with_free_func ((GDestroyNotify) township_free);
    self->changed = changed;
    self->user_data = user_data;
    for (guint i = 0; i < dbn_config_get_n_townships (config); i++) {
        Township *t = g_new0 (Township, 1);
        t->id = g_strdup (dbn_config_get_township_id (config, i));
        t->name = g_strdup (dbn_config_get_township_name (config, i));
        g_ptr_array_add (self->townships, t);
        const char *folder = dbn_config_get_township_folder (config, i);
        g_autoptr (GError) error = NULL;
        if (!township_open (self, t, folder, key_path, client_dir, &error)) {
            g_autofree char *line = dbn_error_line (error);
            t->failure = g_strdup_printf (_ ("%s（%s）无法连接：%s。请检查县配置中该乡镇的文件夹 %s："
                                             "应有该乡镇的 daiban.conf 和 keys/registry。"),
                                          t->name, t->id, line, folder);
            g_message ("county: township %s (%s): %s", t->id, folder, error->message);
        }
    }
    return self;
}

void
dbn_county_connections_free (DbnCountyConnections *self)
{
    if (self == NULL)
        return;
    g_ptr_array_unref (self->townships);
    g_free (self);
}

guint
dbn_county_connections_get_n (DbnCountyConnections *self)
{
    return self->townships->len;
}

guint
dbn_county_connections_get_n_opened (DbnCountyConnections *self)
{
    guint n = 0;
    for (guint i = 0; i < self->townships->len; i++)
        n += ((Township *) self->townships->pdata[i])->connection != NULL;
    return n;
}

static Township *
township_at (DbnCountyConnections *self, guint i)
{
    g_return_val_if_fail (i < self->townships->len, NULL);
    return self->townships->pdata[i];
}

const char *
dbn_county_connections_get_id (DbnCountyConnections *self, guint i)
{
    return township_at (self, i)->id;
}

const char *
dbn_county_connections_get_name (DbnCountyConnections *self, guint i)
{
    return township_at (self, i)->name;
}

DbnConnection *
dbn_county_connections_get_connection (DbnCountyConnections *self, guint i)
{
    return township_at (self, i)->connection;
}

DbnOutbox *
dbn_county_connections_get_outbox (DbnCountyConnections *self, guint i)
{
    return township_at (self, i)->outbox;
}

const char *
dbn_county_connections_get_failure (DbnCountyConnections *self, guint i)
{
    return township_at (self, i)->failure;
}

void
dbn_county_connections_fill_page (DbnCountyConnections *self, DbnCountyPage *page)
{
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (t->connection != NULL)
            dbn_county_page_add_township (page, t->name, t->connection, t->outbox);
        else
            dbn_county_page_add_failed_township (page, t->name, t->failure);
    }
}

char *
dbn_county_connections_dup_status_text (DbnCountyConnections *self)
{
    GString *text = g_string_new (NULL);
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        /* Marks beside the words, not colours only (as dbn_connection's). */
        const char *state = t->connection == NULL                       ? _ ("未打开 ✕")
                            : dbn_connection_get_online (t->connection) ? _ ("在线 ●")
                                                                        : _ ("离线 ○");
        g_string_append_printf (text, "%s%s %s", i > 0 ? "  " : "", t->name, state);
    }
    return g_string_free (text, FALSE);
}

gboolean
dbn_county_connections_get_some_offline (DbnCountyConnections *self)
{
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (t->connection != NULL && !dbn_connection_get_online (t->connection))
            return TRUE;
    }
    return FALSE;
}

guint
dbn_county_connections_get_n_pending (DbnCountyConnections *self)
{
    guint n = 0;
    for (guint i = 0; i < self->townships->len; i++) {
        Township *t = self->townships->pdata[i];
        if (t->outbox != NULL)
            n += dbn_outbox_get_n_pending (t->outbox);
    }
    return n;
}
