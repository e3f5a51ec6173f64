/* dbn_log.h: structured logging through GLib.
 *
 * Programs call dbn_init() (dbn_init.h) once, which calls dbn_log_init();
 * modules then log with g_message / g_warning / g_debug and their own
 * G_LOG_DOMAIN ("daiban-bus", ...). Lines
 * go to stderr as "time level domain: message" (journald picks them up under
 * systemd); G_MESSAGES_DEBUG=all turns debug on, as everywhere in GLib.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the writer and names the program in every line (the error codes
 * are dbn_init's business, not the log's). Safe to call twice. */
void dbn_log_init (const char *program);

/* Logs a warning at most once per key per process lifetime: for conditions a
 * peer can repeat endlessly (a refused key retrying, a flood of bad frames).
 * Returns TRUE when this call logged. */
gboolean dbn_log_once (const char *key, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
