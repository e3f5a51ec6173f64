/* dbn_evidence_pdf.h: a case's evidence for the discipline committee (issue
 * 14 item 8), an A4 PDF drawn with cairo: the case's timeline, then every
 * entry with its leaf hash, its inclusion path and whether this client
 * verified it, and the signed head the paths lead to (size, time, root,
 * chain, signature, key), so that the paper can be checked by hand against
 * docs/audit.md with any SHA-256 and Ed25519 tool. */
#pragma once

#include <glib.h>

#include "audit_queries.h"

G_BEGIN_DECLS

typedef struct {
    const char *case_no;
    gboolean has_head;
    AuditHead head;                    /* the head of the audit.case reply */
    guint8 key[AUDIT_PUBLIC_KEY_SIZE]; /* its key */
    gboolean head_signature_ok;        /* checked by this client */
    GPtrArray *entries;                /* DbnMsgAuditCaseEntry*, borrowed */
    const gboolean *included;          /* per entry: verified included in head */
    gint64 printed_ms;                 /* when it was made */
} DbnEvidence;

/* Writes the evidence to path. FALSE with the error of cairo (G_IO_ERROR). */
gboolean dbn_evidence_pdf_write (const DbnEvidence *evidence, const char *path, GError **error);

G_END_DECLS
