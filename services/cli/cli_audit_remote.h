/* cli_audit_remote.h: the `daiban audit` forms that ask the running audit
 * service (issue 14 items 3 and 9): `audit case NUMBER`, and `audit verify`
 * and `audit proof` without --db. cli_audit.c keeps the offline forms. */
#pragma once

#include "audit_verify.h"
#include "cli_common.h"

/* `daiban audit case NUMBER [--json]`: the case's entries, each proof
 * checked here against the newest signed head. */
int cli_audit_case (int argc, char **argv, const char *data_option);
/* audit.verify on the service, against kept (with kept_key) when not NULL;
 * prints as the offline form does (cli_audit_print_verify). */
int cli_audit_verify_remote (const char *data, const AuditHead *kept, const guint8 *kept_key, gboolean json);
/* audit.proof: index >= 0 for inclusion (size < 0: the newest head's),
 * else first/second for consistency; prints the offline form's JSON. */
int cli_audit_proof_remote (const char *data, gint64 index, gint64 size, gint64 first, gint64 second);

/* cli_audit.c: a verification's verdict as text or JSON; the exit status. */
int cli_audit_print_verify (const AuditVerifyReport *r, gint64 elapsed_us, gboolean json);
