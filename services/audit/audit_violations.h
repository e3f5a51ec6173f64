/* audit_violations.h: the violations the audit service finds in followed
 * events beyond those of audit_service.c (D-DL-6, D-RTE-5), by reading the
 * record's earlier entries of the same case (issue 14 item 4):
 *
 *   fee_above_catalog (D-AUD-3)   routing's case.replied states a fee_charged
 *                                 above the catalog's fee_fen for the case's
 *                                 matter (the matter of its case.routed entry);
 *                                 the person is the one who replied.
 *   reclassified_deadline_moved   routing's case.classified after the case's
 *   (D-DL-4)                      first classification, from a kind with the
 *                                 committed clock (committed, escalated) to
 *                                 one without or back: deadline then starts or
 *                                 cancels the promised date (deadline_follow.c);
 *                                 the person is the one who reclassified.
 *
 * An event that cannot be read, or a case whose matter the record or the
 * catalog does not know, is kept in the record and not judged. */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

typedef struct {
    const char *kind; /* static */
    const char *rule; /* static */
    char *person;     /* owned */
    char *detail;     /* owned, for a person to read */
} AuditViolation;

void audit_violation_clear (AuditViolation *v);

/* TRUE with *v filled when the event of producer (already entered at
 * index) shows one of the violations above. store: the audit service's
 * (earlier entries are read from it); catalog: borrowed, may be NULL (no
 * fee is judged). */
gboolean audit_violations_find (DbnStore *store, DbnCatalog *catalog, const char *producer,
                                const DbnEnvEvent *env, GBytes *event, gint64 index, AuditViolation *v);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AuditViolation, audit_violation_clear)

G_END_DECLS
