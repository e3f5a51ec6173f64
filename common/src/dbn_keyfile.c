/* dbn_keyfile.c: the strictness and the line numbers the data-file loaders
 * need beyond GKeyFile.
 *
 * GKeyFile parses well but reports no line numbers, merges a repeated group
 * and lets a repeated key overwrite the first, and ignores keys nobody asks
 * for. An administrator editing catalog.ini or org.ini needs to be told the
 * line of a mistake, and a typo such as "restriced = true" must not silently
 * leave a petition unprotected. So the loaders keep the raw text beside the
 * parsed file and this module scans it: only on error for line numbers, once
 * per load for duplicates. Files are small (tens of groups), so the scans are
 * linear and cheap; writing a second parser was rejected as a source of
 * disagreements with GKeyFile about what the file says.
 */
#include "dbn_keyfile_private.h"

#include <string.h>

/* The key name of a "key = value" line (text before '=', trimmed), or NULL
 * for blank lines, comments and group headers. Caller owns the result. */
static char *
key_of_line (const char *line)
{
    const char *eq = strchr (line, '=');
    if (line[0] == '\0' || line[0] == '#' || line[0] == '[' || eq == NULL)
        return NULL;
    return g_strstrip (g_strndup (line, eq - line));
}

int
dbn_keyfile_find_line (const char *text, const char *group, const char *key)
{
    g_return_val_if_fail (text != NULL && group != NULL, 0);
    g_autofree char *header = g_strdup_printf ("[%s]", group);
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    gboolean in_group = FALSE;
    for (int i = 0; lines[i] != NULL; i++) {
        g_autofree char *line = g_strstrip (g_strdup (lines[i]));
        if (line[0] == '[') {
            in_group = g_strcmp0 (line, header) == 0;
            if (in_group && key == NULL)
                return i + 1;
            continue;
        }
        if (in_group && key != NULL) {
            g_autofree char *name = key_of_line (line);
            if (g_strcmp0 (name, key) == 0)
                return i + 1;
        }
    }
    return 0;
}

int
dbn_keyfile_find_unparsable_line (const char *text)
{
    g_return_val_if_fail (text != NULL, 0);
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    gboolean in_group = FALSE;
    for (int i = 0; lines[i] != NULL; i++) {
        g_autofree char *line = g_strstrip (g_strdup (lines[i]));
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (line[0] == '[') {
            if (line[strlen (line) - 1] != ']')
                return i + 1;
            in_group = TRUE;
            continue;
        }
        const char *eq = strchr (line, '=');
        if (!in_group || eq == NULL || eq == line)
            return i + 1;
    }
    return 0;
}

static gboolean
invalid_at (const DbnKeyFileCtx *ctx, GError **error, int line, const char *group, const char *key,
            const char *reason)
{
    g_set_error (error, ctx->domain, ctx->invalid, "%s:%d: [%s]%s%s: %s", ctx->path, line, group,
                 key ? " " : "", key ? key : "", reason);
    return FALSE;
}

gboolean
dbn_keyfile_invalid (const DbnKeyFileCtx *ctx, GError **error, const char *group, const char *key,
                     const char *format, ...)
{
    int line = dbn_keyfile_find_line (ctx->text, group, key);
    if (line == 0 && key != NULL)
        line = dbn_keyfile_find_line (ctx->text, group, NULL);
    va_list args;
    va_start (args, format);
    g_autofree char *reason = g_strdup_vprintf (format, args);
    va_end (args);
    return invalid_at (ctx, error, line, group, key, reason);
}

char *
dbn_keyfile_dup_required (const DbnKeyFileCtx *ctx, const char *group, const char *key, GError **error)
{
    g_autofree char *value = g_key_file_get_string (ctx->kf, group, key, NULL);
    if (value == NULL || *g_strstrip (value) == '\0') {
        dbn_keyfile_invalid (ctx, error, group, key, "missing or empty");
        return NULL;
    }
    return g_steal_pointer (&value);
}

char **
dbn_keyfile_dup_list (const DbnKeyFileCtx *ctx, const char *group, const char *key)
{
    g_autofree char *raw = g_key_file_get_string (ctx->kf, group, key, NULL);
    GPtrArray *out = g_ptr_array_new ();
    if (raw != NULL) {
        g_auto (GStrv) parts = g_strsplit (raw, ";", -1);
        for (int i = 0; parts[i] != NULL; i++) {
            char *item = g_strstrip (parts[i]);
            if (*item != '\0')
                g_ptr_array_add (out, g_strdup (item));
        }
    }
    g_ptr_array_add (out, NULL);
    return (char **) g_ptr_array_free (out, FALSE);
}

gboolean
dbn_keyfile_get_optional_boolean (const DbnKeyFileCtx *ctx, const char *group, const char *key,
                                  gboolean fallback, gboolean *out, GError **error)
{
    if (!g_key_file_has_key (ctx->kf, group, key, NULL)) {
        *out = fallback;
        return TRUE;
    }
    g_autoptr (GError) local = NULL;
    *out = g_key_file_get_boolean (ctx->kf, group, key, &local);
    if (local != NULL)
        return dbn_keyfile_invalid (ctx, error, group, key, "must be true or false");
    return TRUE;
}

gboolean
dbn_keyfile_check_keys (const DbnKeyFileCtx *ctx, const char *group, const char *const *allowed,
                        GError **error)
{
    g_auto (GStrv) keys = g_key_file_get_keys (ctx->kf, group, NULL, NULL);
    for (int i = 0; keys != NULL && keys[i] != NULL; i++) {
        if (!g_strv_contains (allowed, keys[i]))
            return dbn_keyfile_invalid (ctx, error, group, keys[i], "unknown key");
    }
    return TRUE;
}

gboolean
dbn_keyfile_check_duplicates (const DbnKeyFileCtx *ctx, GError **error)
{
    g_auto (GStrv) lines = g_strsplit (ctx->text, "\n", -1);
    /* header → first line; key → first line within the current group */
    g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *group = NULL;
    for (int i = 0; lines[i] != NULL; i++) {
        g_autofree char *line = g_strstrip (g_strdup (lines[i]));
        if (line[0] == '[') {
            size_t len = strlen (line);
            g_free (group);
            group = g_strndup (line + 1, len > 1 && line[len - 1] == ']' ? len - 2 : len - 1);
            int first = GPOINTER_TO_INT (g_hash_table_lookup (groups, group));
            if (first != 0) {
                g_autofree char *reason = g_strdup_printf ("duplicate group (first on line %d)", first);
                return invalid_at (ctx, error, i + 1, group, NULL, reason);
            }
            g_hash_table_insert (groups, g_strdup (group), GINT_TO_POINTER (i + 1));
            g_hash_table_remove_all (keys);
            continue;
        }
        g_autofree char *key = key_of_line (line);
        if (key == NULL || group == NULL)
            continue;
        int first = GPOINTER_TO_INT (g_hash_table_lookup (keys, key));
        if (first != 0) {
            g_autofree char *reason = g_strdup_printf ("duplicate key (first on line %d)", first);
            return invalid_at (ctx, error, i + 1, group, key, reason);
        }
        g_hash_table_insert (keys, g_steal_pointer (&key), GINT_TO_POINTER (i + 1));
    }
    return TRUE;
}

gboolean
dbn_keyfile_is_plain_id (const char *id)
{
    size_t len = id ? strlen (id) : 0;
    if (len == 0 || len > 32)
        return FALSE;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return FALSE;
    }
    return TRUE;
}
