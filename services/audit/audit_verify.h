/* audit_verify.h: the offline check of a copy of the record, with no service
 * (issue 14: a committee member verifies a file handed to them). It reads
 * the file read-only and trusts nothing in it but the entries' columns:
 * every leaf, the chain and the tree are recomputed, every head's signature
 * and root are checked, and a head kept elsewhere is checked against the
 * rebuilt tree of its size (which is what a consistency proof from it would
 * show, without trusting the file's stored nodes).
 */
#pragma once

#include "audit_merkle.h"

G_BEGIN_DECLS

typedef enum {
    AUDIT_VERIFY_OK,
    AUDIT_VERIFY_MISSING_ENTRY, /* index: the first index with no row */
    AUDIT_VERIFY_LEAF,          /* index: its bytes do not hash to its stored leaf */
    AUDIT_VERIFY_CHAIN,         /* index: its stored chain is not the recomputed one */
    AUDIT_VERIFY_HEAD_ROOT, /* a head's root or chain is not the rebuilt tree's; index: start of its span */
    AUDIT_VERIFY_HEAD_SIGNATURE, /* a head's signature fails; index: its size - 1 */
    AUDIT_VERIFY_HEAD_ORDER,     /* a head is older than the head before it */
    AUDIT_VERIFY_TRUNCATED,      /* a head covers entries the file does not have; index: the file's end */
    AUDIT_VERIFY_KEPT_KEY,       /* the kept head is signed by another key, or its signature fails */
    AUDIT_VERIFY_KEPT_HEAD, /* the kept head is inconsistent with the record; index: start of the span that differs */
    AUDIT_VERIFY_KEPT_TRUNCATED, /* the kept head covers entries the file does not have */
    AUDIT_VERIFY_NO_KEY,         /* the file has entries but no public key */
} AuditVerifyProblem;

typedef enum {
    AUDIT_VERIFY_FLAGS_NONE = 0,
    /* Carry on past an entry whose bytes do not hash to its stored leaf,
     * with the stored leaf in the tree and chain, and list every such index
     * (every changed entry, when only bytes were changed); stop at any other
     * problem as without the flag. */
    AUDIT_VERIFY_EACH_ENTRY = 1 << 0,
} AuditVerifyFlags;

typedef struct {
    AuditVerifyProblem problem;
    gint64 index;      /* the first bad index; -1 when the problem has none */
    gint64 entries;    /* entries read */
    gint64 heads;      /* heads checked and found good */
    gboolean has_head; /* head is the last good head */
    AuditHead head;
    gboolean kept_checked; /* a kept head was given and matched */
    char *detail;          /* English: what is wrong, with numbers; NULL when OK */
    char *detail_zh;       /* the same in Chinese */
    GArray *changed;       /* AUDIT_VERIFY_EACH_ENTRY: gint64 indexes whose bytes were changed; else NULL */
} AuditVerifyReport;

/* Verifies the record in the SQLite file at path. kept (with kept_key, both
 * NULL when not given) is a head kept outside the file. Fills report
 * (clear it with audit_verify_report_clear()), stopping at the first problem.
 * FALSE only when the file cannot be read as a record at all
 * (AUDIT_ERROR_STORE, AUDIT_ERROR_INVALID). */
gboolean audit_verify_file (const char *path, const AuditHead *kept, const guint8 *kept_key,
                            AuditVerifyReport *report, GError **error);
/* The same with flags. */
gboolean audit_verify_file_full (const char *path, const AuditHead *kept, const guint8 *kept_key,
                                 AuditVerifyFlags flags, AuditVerifyReport *report, GError **error);
void audit_verify_report_clear (AuditVerifyReport *report);

/* A stable name for the problem, for --json ("leaf", "truncated", ...). */
const char *audit_verify_problem_name (AuditVerifyProblem problem);

G_END_DECLS
