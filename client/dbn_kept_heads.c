/* dbn_kept_heads.c: the kept heads' file (dbn_kept_heads.h). */
#include "dbn_kept_heads.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/* Heads kept in the file: the first and the newest. */
#define KEPT_MAX 256

typedef struct {
    AuditHead head;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
} Kept;

struct _DbnKeptHeads {
    char *path;
    GArray *heads; /* Kept, in the order added (sizes ascending) */
};

DbnKeptHeads *
dbn_kept_heads_load (const char *path, GError **error)
{
    g_autoptr (DbnKeptHeads) self = g_new0 (DbnKeptHeads, 1);
    self->path = g_strdup (path);
    self->heads = g_array_new (FALSE, FALSE, sizeof (Kept));
    g_autofree char *text = NULL;
    g_autoptr (GError) local = NULL;
    if (!g_file_get_contents (path, &text, NULL, &local)) {
        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer (&self);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        if (*g_strstrip (lines[i]) == '\0')
            continue;
        Kept k;
        if (!audit_head_from_json (lines[i], &k.head, k.key, error)) {
            g_prefix_error (error, "%s:%u: ", path, i + 1);
            return NULL;
        }
        g_array_append_val (self->heads, k);
    }
    return g_steal_pointer (&self);
}

void
dbn_kept_heads_free (DbnKeptHeads *self)
{
    if (self == NULL)
        return;
    g_clear_pointer (&self->heads, g_array_unref);
    g_free (self->path);
    g_free (self);
}

guint
dbn_kept_heads_get_count (DbnKeptHeads *self)
{
    return self->heads->len;
}

gboolean
dbn_kept_heads_get_latest (DbnKeptHeads *self, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE])
{
    const Kept *best = NULL;
    for (guint i = 0; i < self->heads->len; i++) {
        const Kept *k = &g_array_index (self->heads, Kept, i);
        if (best == NULL || k->head.size >= best->head.size)
            best = k;
    }
    if (best == NULL)
        return FALSE;
    *head = best->head;
    memcpy (key, best->key, AUDIT_PUBLIC_KEY_SIZE);
    return TRUE;
}

gboolean
dbn_kept_heads_add (DbnKeptHeads *self, const AuditHead *head, const guint8 key[AUDIT_PUBLIC_KEY_SIZE],
                    GError **error)
{
    Kept k = { .head = *head };
    memcpy (k.key, key, AUDIT_PUBLIC_KEY_SIZE);
    g_array_append_val (self->heads, k);
    /* Each head kept was proved to extend the one before, so the newest
     * ones carry the check; the first stays too (the key it brought). A
     * head every few seconds would otherwise grow the file without end. */
    if (self->heads->len > KEPT_MAX)
        g_array_remove_index (self->heads, 1);
    GString *text = g_string_new (NULL);
    for (guint i = 0; i < self->heads->len; i++) {
        const Kept *e = &g_array_index (self->heads, Kept, i);
        g_autofree char *line = audit_head_to_json (&e->head, e->key);
        g_string_append (text, line);
    }
    g_autofree char *dir = g_path_get_dirname (self->path);
    if (g_mkdir_with_parents (dir, 0700) != 0) {
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir, g_strerror (errno));
        g_string_free (text, TRUE);
        return FALSE;
    }
    /* Whole or not at all: a head half written would read as a bad file. */
    gboolean ok =
        g_file_set_contents_full (self->path, text->str, (gssize) text->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
    g_string_free (text, TRUE);
    return ok;
}
