/* audit_spotcheck.h: spot checks (issue 14 item 5, D-AUD-2), the audit
 * service's commands for them.
 *
 *   audit.spotcheck.draw {week}   the week's random cases per window. The
 *       seed is the root of the first head signed at or after the end of
 *       the ISO week (Monday 00:00 China Standard Time after it); the cases
 *       are those with a routing entry whose event time lies in the week,
 *       among the entries that head covers, each under the window its last
 *       such entry names; each window's cases are ranked by
 *       SHA-256(seed_hex "/" window "/" case_no) and the first
 *       [audit] spotcheck_per_window are drawn (docs/audit.md). Nothing is
 *       stored: the same record and head give the same draw to anyone.
 *   audit.spotcheck.record {case, finding, text}   a committee member's
 *       finding, ok or problem (with text), published on audit/ as
 *       audit.finding and entered in the record (producer audit).
 *   audit.findings {month, window?}   the findings recorded in a month.
 */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

/* Handlers for audit_commands (user data: AuditActions). */
GBytes *audit_spotcheck_draw_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                      GError **error);
GBytes *audit_spotcheck_record_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                        GError **error);
GBytes *audit_findings_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* The bounds of ISO week "YYYY-Www" (Monday 00:00 China Standard Time to
 * the next), ms since the epoch. FALSE with DBN_ERROR_INVALID. */
gboolean audit_spotcheck_week_bounds (const char *week, gint64 *start_ms, gint64 *end_ms, GError **error);

G_END_DECLS
