/* dbn_error.c: the table from (domain, code) to wire code and sentences.
 *
 * The entries come from schemas/errors.xml, through the generated
 * dbn_error_table.c (schemas/gen/dbn_errgen.py), which also writes the C enums
 * and docs/errors.md: a code cannot reach the wire without reaching the docs,
 * and there is no way left to register one by hand. Domains are named there
 * by their quark string, so libdaiban loads intake's and routing's codes too
 * and the CLI can match them.
 *
 * A GHashTable keyed by "domain-quark:code" would work, but the table is
 * small (tens of entries), written once at start-up and read per error reply,
 * so a flat GArray searched linearly is simpler and fast enough.
 */
#include "daiban/dbn_error.h"
#include "dbn_error_private.h"

#include <string.h>

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-error-quark, dbn_error)
/* clang-format on */

typedef struct {
    GQuark domain;          /* GError domain */
    int code;               /* GError code within it */
    const char *wire_code;  /* stable string sent in replies */
    const char *message_zh; /* sentence for a person, Chinese */
    const char *message_en; /* the same in English */
} ErrorEntry;

/* Written once inside g_once_init_enter/leave, read-only afterwards: no lock. */
static GArray *registry; /* of ErrorEntry */

static gboolean
lookup (GQuark domain, int code, ErrorEntry *out)
{
    gboolean found = FALSE;
    /* Also the barrier that makes the table visible to this thread. */
    dbn_error_register_builtin ();
    for (guint i = 0; registry != NULL && i < registry->len; i++) {
        ErrorEntry *e = &g_array_index (registry, ErrorEntry, i);
        if (e->domain == domain && e->code == code) {
            *out = *e;
            found = TRUE;
            break;
        }
    }
    return found;
}

static gboolean
lookup_wire (const char *wire_code, ErrorEntry *out)
{
    gboolean found = FALSE;
    /* Also the barrier that makes the table visible to this thread. */
    dbn_error_register_builtin ();
    for (guint i = 0; registry != NULL && i < registry->len; i++) {
        ErrorEntry *e = &g_array_index (registry, ErrorEntry, i);
        if (g_strcmp0 (e->wire_code, wire_code) == 0) {
            *out = *e;
            found = TRUE;
            break;
        }
    }
    return found;
}

void
dbn_error_register_builtin (void)
{
    static gsize done = 0;
    if (!g_once_init_enter (&done))
        return;
    GArray *table = g_array_sized_new (FALSE, FALSE, sizeof (ErrorEntry), dbn_error_n_specs);
    for (guint i = 0; i < dbn_error_n_specs; i++) {
        const DbnErrorSpec *spec = &dbn_error_specs[i];
        ErrorEntry entry = { g_quark_from_static_string (spec->quark), spec->code, spec->wire_code,
                             spec->message_zh, spec->message_en };
        g_array_append_val (table, entry);
    }
    registry = table;
    g_once_init_leave (&done, 1);
}

const char *
dbn_error_wire_code (const GError *error)
{
    ErrorEntry entry;
    if (error != NULL && lookup (error->domain, error->code, &entry))
        return entry.wire_code;
    return "internal";
}

static char *
dup_message (const GError *error, gboolean zh)
{
    ErrorEntry entry;
    g_return_val_if_fail (error != NULL, NULL);
    if (!lookup (error->domain, error->code, &entry))
        return g_strdup_printf ("%s: %s", zh ? "系统内部错误" : "internal error", error->message);
    const char *base = zh ? entry.message_zh : entry.message_en;
    if (error->message == NULL || *error->message == '\0' || g_strcmp0 (error->message, base) == 0)
        return g_strdup (base);
    return g_strdup_printf ("%s: %s", base, error->message);
}

char *
dbn_error_dup_message_zh (const GError *error)
{
    return dup_message (error, TRUE);
}

char *
dbn_error_dup_message_en (const GError *error)
{
    return dup_message (error, FALSE);
}

GError *
dbn_error_new_from_wire (const char *wire_code, const char *message_zh, const char *message_en)
{
    ErrorEntry entry;
    const char *zh = message_zh ? message_zh : "";
    const char *en = message_en ? message_en : "";
    if (wire_code != NULL && lookup_wire (wire_code, &entry))
        return g_error_new (entry.domain, entry.code, "%s / %s", en, zh);
    return g_error_new (DBN_ERROR, DBN_ERROR_INTERNAL, "[%s] %s / %s", wire_code ? wire_code : "?", en, zh);
}

gboolean
dbn_error_matches_wire (const GError *error, const char *wire_code)
{
    ErrorEntry entry;
    return error != NULL && lookup_wire (wire_code, &entry) && error->domain == entry.domain
           && error->code == entry.code;
}

/* Where the sentence ends in a full text "<sentence>: <detail>": the
 * detail is the part both languages share (the service wrote it once), so
 * it is the longest ending of zh that follows a ": " in en. Returns the
 * detail (inside en) and the length of zh's sentence; NULL without one. */
static const char *
split_detail (const char *zh, const char *en, gsize *zh_len)
{
    gsize zl = strlen (zh);
    for (const char *p = strstr (en, ": "); p != NULL; p = strstr (p + 1, ": ")) {
        gsize n = strlen (p);
        if (zl > n && strcmp (zh + zl - n, p) == 0) {
            *zh_len = zl - n;
            return p + 2;
        }
    }
    *zh_len = zl;
    return NULL;
}

/* A file position at the start of a detail ("/d/catalog.ini:3: …").
 * Caller owns it; NULL without one. */
static char *
dup_locus (const char *detail)
{
    g_autoptr (GRegex) re = g_regex_new ("^(\\S+:[0-9]+)(:|\\s|$)", 0, 0, NULL);
    g_autoptr (GMatchInfo) match = NULL;
    if (detail == NULL || !g_regex_match (re, detail, 0, &match))
        return NULL;
    return g_match_info_fetch (match, 1);
}

char *
dbn_error_dup_line (const char *code, const char *message_zh, const char *message_en, gboolean english,
                    gboolean with_detail)
{
    const char *c = code != NULL && *code != '\0' ? code : "internal";
    const char *zh = message_zh != NULL ? message_zh : "";
    const char *en = message_en != NULL ? message_en : "";
    if (english || *zh == '\0')
        return g_strdup_printf ("[%s] %s", c, *en != '\0' ? en : zh);
    gsize zh_len = 0;
    const char *detail = split_detail (zh, en, &zh_len);
    if (with_detail || detail == NULL)
        return g_strdup_printf ("[%s] %s", c, zh);
    g_autofree char *locus = dup_locus (detail);
    return locus != NULL ? g_strdup_printf ("[%s] %.*s（%s）", c, (int) zh_len, zh, locus)
                         : g_strdup_printf ("[%s] %.*s", c, (int) zh_len, zh);
}
