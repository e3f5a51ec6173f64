/* dbn_text.c: see dbn_text.h. */
#include "daiban/dbn_text.h"

#include "daiban/dbn_error.h"

#include <string.h>

gboolean
dbn_text_is_blank (const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (!g_ascii_isspace (*s))
            return FALSE;
    return TRUE;
}

static gboolean
is_refused (unsigned char c, DbnTextFlags flags)
{
    if (c == '\t')
        return (flags & DBN_TEXT_TAB_OK) == 0;
    if (c == 0x7f)
        return (flags & DBN_TEXT_DEL_OK) == 0;
    return c < 0x20;
}

gboolean
dbn_text_check (const char *value, const char *what, DbnTextFlags flags, GError **error)
{
    for (const char *p = value; p != NULL && *p != '\0'; p++) {
        if (is_refused ((unsigned char) *p, flags)) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s holds control characters", what);
            return FALSE;
        }
    }
    return TRUE;
}

void
dbn_text_set (char **field, const char *value)
{
    char *copy = g_strdup (value);
    g_free (*field);
    *field = copy;
}

gboolean
dbn_text_parse_yuan (const char *text, gint64 *fen)
{
    if (text == NULL)
        return FALSE;
    g_auto (GStrv) parts = g_strsplit (text, ".", -1);
    guint n = g_strv_length (parts);
    guint64 yuan = 0;
    if (n < 1 || n > 2 || *parts[0] == '\0'
        || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_GINT64_CONSTANT (1000000000), &yuan, NULL))
        return FALSE;
    gint64 cents = 0;
    if (n == 2) {
        const char *d = parts[1];
        gsize len = strlen (d);
        if (len < 1 || len > 2 || !g_ascii_isdigit (d[0]) || (len == 2 && !g_ascii_isdigit (d[1])))
            return FALSE;
        cents = (d[0] - '0') * 10 + (len == 2 ? d[1] - '0' : 0);
    }
    *fen = (gint64) yuan * 100 + cents;
    return TRUE;
}
