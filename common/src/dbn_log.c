/* dbn_log.c: a GLib structured-log writer that prints one line per record
 * with the program name, and a once-only warning for floods from peers. */
#include "daiban/dbn_log.h"

#include <stdio.h>
#include <unistd.h>

static char *program_name;
static GMutex once_lock;
static GHashTable *once_keys; /* keys already logged by dbn_log_once */

static GLogWriterOutput
write_line (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
    if (g_log_writer_default_would_drop (level, NULL))
        return G_LOG_WRITER_HANDLED;
    /* Under systemd, journald keeps the structured fields. */
    if (g_log_writer_is_journald (fileno (stderr)))
        return g_log_writer_journald (level, fields, n_fields, user_data);
    const char *domain = NULL, *message = NULL;
    for (gsize i = 0; i < n_fields; i++) {
        if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
            domain = fields[i].value;
        else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
    }
    const char *lvl = (level & G_LOG_LEVEL_ERROR)      ? "ERROR"
                      : (level & G_LOG_LEVEL_CRITICAL) ? "CRITICAL"
                      : (level & G_LOG_LEVEL_WARNING)  ? "WARNING"
                      : (level & G_LOG_LEVEL_MESSAGE)  ? "MESSAGE"
                      : (level & G_LOG_LEVEL_INFO)     ? "INFO"
                                                       : "DEBUG";
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *ts = g_date_time_format (now, "%H:%M:%S.%f");
    fprintf (stderr, "%.12s %s[%d] %s %s: %s\n", ts, program_name ? program_name : "daiban", (int) getpid (),
             lvl, domain ? domain : "daiban", message ? message : "");
    return G_LOG_WRITER_HANDLED;
}

void
dbn_log_init (const char *program)
{
    static gsize done = 0;
    if (g_once_init_enter (&done)) {
        program_name = g_strdup (program);
        g_log_set_writer_func (write_line, NULL, NULL);
        g_once_init_leave (&done, 1);
    }
}

gboolean
dbn_log_once (const char *key, const char *format, ...)
{
    g_mutex_lock (&once_lock);
    if (once_keys == NULL)
        once_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    gboolean first = g_hash_table_add (once_keys, g_strdup (key));
    g_mutex_unlock (&once_lock);
    if (!first)
        return FALSE;
    va_list args;
    va_start (args, format);
    g_autofree char *message = g_strdup_vprintf (format, args);
    va_end (args);
    g_warning ("%s", message);
    return TRUE;
}
