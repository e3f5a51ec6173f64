/* audit_service.h: daiban-audit, the fifth service (issue 14 item 1,
 * D-AUD-1). It follows every producer's journal exactly once and appends
 * each event's exact bytes to its record (audit_log.h) inside the
 * follower's transaction, so the entry and the stored offset commit
 * together; a timer signs heads every [audit] head_every_ms.
 *
 * Its settings, group [audit] of daiban.conf:
 *   producers            the journals it follows, comma-separated (default
 *                        intake,routing,deadline,evaluation: a follower of
 *                        an absent producer only waits)
 *   head_every_entries   sign a head when this many entries are unsigned
 *                        (default 1000, 0: not by count)
 *   head_every_ms        sign unsigned entries this old (default 5000, 0:
 *                        not by time)
 *   spotcheck_per_window cases drawn per window and ISO week for spot
 *                        checks (default 1; audit_spotcheck.h)
 *   summary_sign_hour    the hour (0..23, China Standard Time) of the next
 *                        working day by which a daily summary must be
 *                        signed (default 12; audit_summary.h, D-AUD-6)
 *
 * Its signing key: DIR/keys/service-audit.sign (audit_signing_key_load),
 * beside the CURVE key, made by `daiban keys init`. */
#pragma once

#include <daiban/daiban.h>

#include "audit_log.h"

G_BEGIN_DECLS

typedef struct _AuditActions AuditActions;

/* The command table for dbn_service_add_commands (user data: AuditActions). */
extern const DbnCommandSpec audit_commands[];

/* DIR/keys/service-audit.sign: the service's Ed25519 secret key (64 bytes,
 * hex, one line after comments), mode 0600. Caller owns it. */
char *audit_signing_key_path (const char *data_dir);
/* Writes a new key at audit_signing_key_path() unless one is there
 * (idempotent, as `daiban keys init` is). */
gboolean audit_signing_key_ensure (const char *data_dir, GError **error);
/* Reads the key into sk; FALSE with DBN_KEYS_ERROR_INSECURE when group or
 * others may read the file, DBN_ERROR_CONFIG when it is missing or not a
 * key. */
gboolean audit_signing_key_load (const char *data_dir, guint8 sk[AUDIT_SECRET_KEY_SIZE], GError **error);

/* Opens the record on the service's store with its settings and key. NULL
 * with the error. Caller owns the result. */
AuditActions *audit_actions_new (DbnService *service, GError **error);
void audit_actions_free (AuditActions *self);

/* Follows every configured producer and starts the signing timer. */
gboolean audit_actions_start (AuditActions *self, DbnBus *bus, GError **error);

AuditLog *audit_actions_get_log (AuditActions *self);
DbnService *audit_actions_get_service (AuditActions *self);
/* [audit] spotcheck_per_window: cases drawn per window and week (default 1). */
gint64 audit_actions_get_spotcheck_per_window (AuditActions *self);

/* Enters one of the service's own events (a violation, a finding: D-AUD-2)
 * in the record inside the open transaction, producer "audit" with its
 * journal seq, and publishes audit.head when the append signed one. env
 * and event: as emitted. index (may be NULL) gets the entry's index. */
gboolean audit_actions_enter (AuditActions *self, const DbnEnvEvent *env, GBytes *event, gint64 now_ms,
                              gint64 *index, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuditActions, audit_actions_free)

G_END_DECLS
