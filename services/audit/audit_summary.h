/* audit_summary.h: daily summaries signed by the duty leader (issue 14
 * item 7, D-AUD-6).
 *
 * When a working day (the calendar, national days; China Standard Time) is
 * over, the service drafts each window's summary of it from the entries it
 * holds (audit.summary, counts in dbn_msg_audit.h) and enters the draft in
 * the record. A duty leader (leader:ID) signs it: audit.summary.sign
 * carries an Ed25519 signature of the draft's signed bytes
 * (dbn_day_summary.h), checked against the leader's registered sign-key; the
 * signature is published as audit.summary.signed and entered. A draft still
 * unsigned at [audit] summary_sign_hour (default 12) o'clock of the next
 * working day is a violation, summary_unsigned (rule D-AUD-6, person the
 * window, day the day), published on audit/ and entered.
 *
 *   audit.summary.sign {window, day, signature}   leader keys only
 *   audit.summary.list {day?}                     leaders and the committee
 */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

typedef struct _AuditActions AuditActions;
typedef struct _AuditSummaries AuditSummaries;

/* The calendar ([deadline] calendar, as evaluation reads it), the windows
 * of org.ini and [audit] summary_sign_hour. NULL with DBN_ERROR_CONFIG.
 * Caller owns the result. */
AuditSummaries *audit_summaries_new (AuditActions *actions, DbnConfig *config, GError **error);
void audit_summaries_free (AuditSummaries *self);

/* The timer's work inside the open transaction: drafts for every working
 * day over since the last one drafted (at most 31 days per call), and a
 * violation for each draft unsigned past its hour. */
gboolean audit_summaries_tick (AuditSummaries *self, gint64 now_ms, GError **error);

/* Handlers for audit_commands (user data: AuditActions). */
GBytes *audit_summary_sign_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);
GBytes *audit_summary_list_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuditSummaries, audit_summaries_free)

G_END_DECLS
