/* dbn_catalog.c: loads the matter catalog from a GLib key file.
 *
 * GKeyFile parses the file; this module validates every matter against the
 * rules of D-CAT-2 and turns each problem into an error naming the line. The
 * key file API does not report line numbers, nor repeated groups and keys,
 * nor misspelt keys; dbn_keyfile.c (shared with the org loader) scans the raw
 * text for those. The catalog is an array in file order plus a hash from code
 * to matter; both are immutable after load.
 */
#include "daiban/dbn_catalog.h"

#include <string.h>

#include "daiban/dbn_error.h"
#include "dbn_keyfile_private.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-catalog-error-quark, dbn_catalog_error)
/* clang-format on */

struct _DbnCatalog {
    char *path;             /* the file it came from */
    GPtrArray *matters;     /* of DbnMatter*, file order, owned */
    GHashTable *by_code;    /* code → DbnMatter*, borrowed from matters */
    GHashTable *categories; /* id → char*[2] {zh, en}, owned */
};

static void
matter_free (DbnMatter *m)
{
    if (m == NULL)
        return;
    g_free (m->code);
    g_free (m->category);
    g_free (m->name_zh);
    g_free (m->name_en);
    g_strfreev (m->materials);
    g_strfreev (m->departments);
    g_free (m->window);
    g_free (m);
}

void
dbn_catalog_free (DbnCatalog *self)
{
    if (self == NULL)
        return;
    g_free (self->path);
    g_ptr_array_unref (self->matters);
    g_hash_table_unref (self->by_code);
    g_hash_table_unref (self->categories);
    g_free (self);
}

static gboolean
parse_enum (const char *value, const char *const *names, int *out)
{
    for (int i = 0; names[i] != NULL; i++) {
        if (g_strcmp0 (value, names[i]) == 0) {
            *out = i;
            return TRUE;
        }
    }
    return FALSE;
}

static const char *const level_names[] = { "village", "township", "county", NULL };
static const char *const kind_names[] = { "immediate", "committed", "joint", "escalated", "returned", NULL };

const char *
dbn_handling_kind_to_string (DbnHandlingKind kind)
{
    return (guint) kind < G_N_ELEMENTS (kind_names) - 1 ? kind_names[kind] : "unknown";
}

const char *
dbn_deciding_level_to_string (DbnDecidingLevel level)
{
    return (guint) level < G_N_ELEMENTS (level_names) - 1 ? level_names[level] : "unknown";
}

static const char *const category_keys[] = { "name_zh", "name_en", NULL };
static const char *const matter_keys[] = {
    "category", "name_zh",    "name_en",  "materials", "level",      "departments", "window",
    "kind",     "limit_days", "presence", "fee_fen",   "restricted", NULL,
};

static DbnMatter *
load_matter (const DbnKeyFileCtx *ctx, DbnCatalog *self, const char *group, GError **error)
{
    GKeyFile *kf = ctx->kf;
    g_autoptr (GError) local = NULL;
    g_autofree char *level = NULL;
    g_autofree char *kind = NULL;
    int value = 0;
    DbnMatter *m = g_new0 (DbnMatter, 1);
    m->code = g_strdup (group + strlen ("matter:"));
    if (*m->code == '\0' || strlen (m->code) > 32) {
        dbn_keyfile_invalid (ctx, error, group, NULL, "matter code must have 1 to 32 characters");
        goto fail;
    }
    if (!dbn_keyfile_check_keys (ctx, group, matter_keys, error))
        goto fail;
    if (!(m->category = dbn_keyfile_dup_required (ctx, group, "category", error))
        || !(m->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
        || !(m->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error))
        || !(m->window = dbn_keyfile_dup_required (ctx, group, "window", error)))
        goto fail;
    if (!g_hash_table_contains (self->categories, m->category)) {
        dbn_keyfile_invalid (ctx, error, group, "category", "names no [category:...] group");
        goto fail;
    }
    m->materials = dbn_keyfile_dup_list (ctx, group, "materials");
    m->departments = dbn_keyfile_dup_list (ctx, group, "departments");
    if (m->departments[0] == NULL) {
        dbn_keyfile_invalid (ctx, error, group, "departments", "at least one department is required");
        goto fail;
    }
    level = dbn_keyfile_dup_required (ctx, group, "level", error);
    if (level == NULL)
        goto fail;
    if (!parse_enum (level, level_names, &value)) {
        dbn_keyfile_invalid (ctx, error, group, "level", "must be village, township or county");
        goto fail;
    }
    m->level = value;
    kind = dbn_keyfile_dup_required (ctx, group, "kind", error);
    if (kind == NULL)
        goto fail;
    if (!parse_enum (kind, kind_names, &value)) {
        dbn_keyfile_invalid (ctx, error, group, "kind",
                             "must be immediate, committed, joint, escalated or returned");
        goto fail;
    }
    m->kind = value;
    if (m->kind == DBN_KIND_JOINT && g_strv_length (m->departments) < 2) {
        dbn_keyfile_invalid (ctx, error, group, "departments",
                             "a joint matter needs two or more departments");
        goto fail;
    }
    m->limit_days = g_key_file_get_integer (kf, group, "limit_days", &local);
    if (local != NULL || m->limit_days <= 0 || m->limit_days > 365) {
        dbn_keyfile_invalid (ctx, error, group, "limit_days",
                             "must be a whole number of working days from 1 to 365");
        goto fail;
    }
    m->presence = g_key_file_get_boolean (kf, group, "presence", &local);
    if (local != NULL) {
        dbn_keyfile_invalid (ctx, error, group, "presence", "must be true or false");
        goto fail;
    }
    m->fee_fen = g_key_file_get_int64 (kf, group, "fee_fen", &local);
    if (local != NULL || m->fee_fen < 0) {
        dbn_keyfile_invalid (ctx, error, group, "fee_fen", "must be a whole number of fen, 0 or more");
        goto fail;
    }
    /* D-INT-8: optional, so the common case stays short; a typo in the key
     * is caught by dbn_keyfile_check_keys above rather than read as FALSE. */
    if (!dbn_keyfile_get_optional_boolean (ctx, group, "restricted", FALSE, &m->restricted, error))
        goto fail;
    return m;
fail:
    matter_free (m);
    return NULL;
}

DbnCatalog *
dbn_catalog_load (const char *path, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr (GError) local = NULL;
    if (!g_file_get_contents (path, &text, &len, &local)) {
        g_set_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_READ, "cannot read catalog %s: %s", path,
                     local->message);
        return NULL;
    }
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    if (!g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &local)) {
        /* D-CAT-3: the administrator is told the line to fix. */
        int line = dbn_keyfile_find_unparsable_line (text);
        if (line > 0)
            g_set_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_PARSE, "%s:%d: %s", path, line,
                         local->message);
        else
            g_set_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_PARSE, "%s: %s", path, local->message);
        return NULL;
    }
    const DbnKeyFileCtx ctx = {
        .kf = kf,
        .path = path,
        .text = text,
        .domain = DBN_CATALOG_ERROR,
        .invalid = DBN_CATALOG_ERROR_INVALID,
    };
    /* GKeyFile merges a repeated [matter:X]: without this a second matter
     * with the same code would silently patch the first. */
    if (!dbn_keyfile_check_duplicates (&ctx, error))
        return NULL;
    g_autoptr (DbnCatalog) self = g_new0 (DbnCatalog, 1);
    self->path = g_strdup (path);
    self->matters = g_ptr_array_new_with_free_func ((GDestroyNotify) matter_free);
    self->by_code = g_hash_table_new (g_str_hash, g_str_equal);
    self->categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
    g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
    for (int i = 0; groups[i] != NULL; i++) {
        const char *group = groups[i];
        if (!g_str_has_prefix (group, "category:"))
            continue;
        if (!dbn_keyfile_check_keys (&ctx, group, category_keys, error))
            return NULL;
        char *names[3] = { NULL, NULL, NULL };
        if (!(names[0] = dbn_keyfile_dup_required (&ctx, group, "name_zh", error)))
            return NULL;
        if (!(names[1] = dbn_keyfile_dup_required (&ctx, group, "name_en", error))) {
            g_free (names[0]);
            return NULL;
        }
        g_hash_table_replace (self->categories, g_strdup (group + strlen ("category:")), g_strdupv (names));
        g_free (names[0]);
        g_free (names[1]);
    }
    for (int i = 0; groups[i] != NULL; i++) {
        const char *group = groups[i];
        if (g_str_has_prefix (group, "category:"))
            continue;
        if (!g_str_has_prefix (group, "matter:")) {
            dbn_keyfile_invalid (&ctx, error, group, NULL,
                                 "unknown group (expected [category:id] or [matter:CODE])");
            return NULL;
        }
        DbnMatter *m = load_matter (&ctx, self, group, error);
        if (m == NULL)
            return NULL;
        /* Group names are unique after check_duplicates, so codes are. */
        g_assert (!g_hash_table_contains (self->by_code, m->code));
        g_ptr_array_add (self->matters, m);
        g_hash_table_insert (self->by_code, m->code, m);
    }
    if (self->matters->len == 0) {
        g_set_error (error, DBN_CATALOG_ERROR, DBN_CATALOG_ERROR_INVALID,
                     "%s: the catalog holds no [matter:...] group", path);
        return NULL;
    }
    return g_steal_pointer (&self);
}

const DbnMatter *
dbn_catalog_lookup (DbnCatalog *self, const char *code)
{
    g_return_val_if_fail (self != NULL, NULL);
    return code ? g_hash_table_lookup (self->by_code, code) : NULL;
}

guint
dbn_catalog_get_n_matters (DbnCatalog *self)
{
    return self->matters->len;
}

const DbnMatter *
dbn_catalog_get_matter (DbnCatalog *self, guint index)
{
    g_return_val_if_fail (index < self->matters->len, NULL);
    return g_ptr_array_index (self->matters, index);
}

const char *
dbn_catalog_get_category_name (DbnCatalog *self, const char *id, gboolean chinese)
{
    char **names = g_hash_table_lookup (self->categories, id);
    return names ? names[chinese ? 0 : 1] : NULL;
}

char **
dbn_matter_dup_missing (const DbnMatter *matter, const char *const *handed_in)
{
    GPtrArray *missing = g_ptr_array_new ();
    for (int i = 0; matter->materials[i] != NULL; i++) {
        if (handed_in == NULL || !g_strv_contains (handed_in, matter->materials[i]))
            g_ptr_array_add (missing, g_strdup (matter->materials[i]));
    }
    g_ptr_array_add (missing, NULL);
    return (char **) g_ptr_array_free (missing, FALSE);
}
