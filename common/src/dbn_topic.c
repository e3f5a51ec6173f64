/* dbn_topic.c: queue topics and their check (see dbn_topic.h).
 *
 * The check runs on every event a service journals or publishes, so it is a
 * scan of at most 34 bytes with no allocation on success. It refuses more
 * than '/': an empty id ("s/" would match every station's grant of nothing,
 * but "s//" is no one's queue either), control characters, spaces, dots and
 * anything else no principal id holds. Rejected: escaping bad ids into the
 * topic (a topic nobody may subscribe to is useless, and the event's case
 * would still be lost to its station; refusing makes the bug visible).
 */
#include "daiban/dbn_topic.h"

#include <string.h>

#include "daiban/dbn_error.h"

static gboolean
id_char (char c)
{
    return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/* strlen, stopping at max + 1 (strnlen is POSIX, not C11). */
static gsize
bounded_len (const char *s, gsize max)
{
    gsize n = 0;
    while (n <= max && s[n] != '\0')
        n++;
    return n;
}

static gboolean
id_valid_len (const char *id, gsize len)
{
    if (len == 0 || len > DBN_TOPIC_ID_MAX)
        return FALSE;
    for (gsize i = 0; i < len; i++)
        if (!id_char (id[i]))
            return FALSE;
    return TRUE;
}

gboolean
dbn_topic_id_is_valid (const char *id)
{
    return id != NULL && id_valid_len (id, bounded_len (id, DBN_TOPIC_ID_MAX));
}

/* The id quoted for a message: at most 64 bytes, control characters escaped. */
static char *
shown (const char *id)
{
    g_autofree char *cut = g_strndup (id != NULL ? id : "(null)", 64);
    return g_strescape (cut, NULL);
}

char *
dbn_topic_dup_queue (char kind, const char *id, GError **error)
{
    g_return_val_if_fail (kind == 'q' || kind == 's' || kind == 'a' || kind == 'c', NULL);
    if (!dbn_topic_id_is_valid (id)) {
        g_autofree char *quoted = shown (id);
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "“%s” cannot be part of a topic %c/<id>: an id has 1 to %d characters "
                     "of A-Z a-z 0-9 _ -",
                     quoted, kind, DBN_TOPIC_ID_MAX);
        return NULL;
    }
    return g_strdup_printf ("%c/%s", kind, id);
}

gboolean
dbn_topic_check (const char *topic, GError **error)
{
    if (topic == NULL) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "no topic");
        return FALSE;
    }
    if ((topic[0] != 'q' && topic[0] != 's' && topic[0] != 'a' && topic[0] != 'c') || topic[1] != '/')
        return TRUE;
    const char *id = topic + 2;
    if (id_valid_len (id, bounded_len (id, DBN_TOPIC_ID_MAX)))
        return TRUE;
    g_autofree char *quoted = shown (topic);
    g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                 "refusing to publish on “%s”: a queue topic is q/, s/, a/ or c/ and one id of "
                 "1 to %d characters of A-Z a-z 0-9 _ -",
                 quoted, DBN_TOPIC_ID_MAX);
    return FALSE;
}
