/* audit_queries.h: daiban-audit's read commands for the discipline
 * committee (issue 14 items 3, 8, 9; D-AUD-2): audit.case (a case's whole
 * record, each entry with its inclusion proof against the newest signed
 * head), audit.proof (inclusion and consistency proofs) and audit.verify
 * (the offline pass of audit_verify.h on the service's own file, and
 * against a head the caller kept). Wire: schemas/messages/audit_query.xml.
 *
 * They only read, so the committee may call them (a committee key runs no
 * writing command); the operator and services always may. */
#pragma once

#include <daiban/daiban.h>

#include "audit_service.h"

G_BEGIN_DECLS

/* For dbn_service_add_commands, user data: the AuditActions. */
extern const DbnCommandSpec audit_query_commands[];

/* A head as the wire's audit_head_record, and back. from_record: FALSE
 * with DBN_ERROR_INVALID naming the field that is not hex of its size. */
GBytes *audit_head_record_encode (const AuditHead *head, const guint8 key[AUDIT_PUBLIC_KEY_SIZE],
                                  GError **error);
gboolean audit_head_from_record (GBytes *record, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE],
                                 GError **error);

/* What a reader of audit.case checks of one entry, trusting nothing the
 * service said about it: that the entry's encoding carries index e->index,
 * that SHA-256(0x00 ‖ entry) is the leaf, and that the path leads from that
 * leaf to head's root (head: the reply's, whose signature the caller checks
 * with audit_head_check_signature and the key it was given). FALSE with why
 * (English, caller owns it) otherwise; an entry after the head is "not
 * signed yet". */
gboolean audit_case_entry_check (const DbnMsgAuditCaseEntry *e, const AuditHead *head, gboolean has_head,
                                 char **why);

G_END_DECLS
