/* dbn_text.c: see dbn_text.h. */
#include "daiban/dbn_text.h"

#include "daiban/dbn_error.h"

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
