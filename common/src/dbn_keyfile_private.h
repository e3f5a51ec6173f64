/* dbn_keyfile_private.h: what the data-file loaders (catalog, org) share on
 * top of GKeyFile: line numbers for errors, strict checks GKeyFile does not
 * make (duplicate groups and keys, unknown keys), and ';'-lists.
 *
 * Private to libdaiban: not installed, not part of the contract.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One data file being loaded. All fields are borrowed from the loader. */
typedef struct {
    GKeyFile *kf;     /* the parsed file */
    const char *path; /* the file name, for messages */
    const char *text; /* the raw text, for line numbers */
    GQuark domain;    /* the loader's error domain */
    int invalid;      /* its "a value breaks a rule" code */
} DbnKeyFileCtx;

/* 1-based line of "[group]" or, with key, of "key =" inside that group; 0
 * when not found. */
int dbn_keyfile_find_line (const char *text, const char *group, const char *key);

/* The 1-based line GKeyFile refuses to parse: not blank, not a '#'
 * comment, not a "[group]" header, not "key = value" inside a group; 0 when
 * every line looks well formed (GKeyFile's own messages name no line). */
int dbn_keyfile_find_unparsable_line (const char *text);

/* Sets ctx's invalid error as "path:line: [group] key: reason" (the line of
 * the key, else of the group) and returns FALSE so callers can `return`. */
gboolean dbn_keyfile_invalid (const DbnKeyFileCtx *ctx, GError **error, const char *group, const char *key,
                              const char *format, ...) G_GNUC_PRINTF (5, 6);

/* The trimmed, non-empty value of group/key; NULL with the invalid error
 * "missing or empty" otherwise. Caller owns the result. */
char *dbn_keyfile_dup_required (const DbnKeyFileCtx *ctx, const char *group, const char *key, GError **error);

/* The ';'-separated items of group/key, trimmed, empty ones dropped; an empty
 * vector when the key is absent. Caller owns the NULL-terminated result. */
char **dbn_keyfile_dup_list (const DbnKeyFileCtx *ctx, const char *group, const char *key);

/* The boolean group/key, or fallback when the key is absent; FALSE with the
 * invalid error when it is present but not true or false. */
gboolean dbn_keyfile_get_optional_boolean (const DbnKeyFileCtx *ctx, const char *group, const char *key,
                                           gboolean fallback, gboolean *out, GError **error);

/* FALSE with the invalid error naming the first key of group that is not in
 * allowed (NULL-terminated): a misspelt optional key must not pass silently. */
gboolean dbn_keyfile_check_keys (const DbnKeyFileCtx *ctx, const char *group, const char *const *allowed,
                                 GError **error);

/* FALSE with the invalid error when a group header or a key within a group
 * appears twice in the raw text; GKeyFile would merge or overwrite them. */
gboolean dbn_keyfile_check_duplicates (const DbnKeyFileCtx *ctx, GError **error);

/* TRUE when id has 1 to 32 characters from [a-z0-9_-]: ids become topic
 * names (q/<window>, s/<station>) and principals, so they stay plain. */
gboolean dbn_keyfile_is_plain_id (const char *id);

G_END_DECLS
