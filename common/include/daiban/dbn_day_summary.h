/* dbn_day_summary.h: the bytes a duty leader signs for a window's daily
 * summary (D-AUD-6, docs/audit.md "Daily summaries"). One function, used by
 * the audit service to check a signature and by the CLI and the client to
 * make one, so the three cannot disagree. */
#pragma once

#include <glib.h>

#include "dbn_msg_audit.h"

G_BEGIN_DECLS

/* The signed bytes of the draft m (an audit.summary event as drafted):
 *   "DAIBAN-DAY-SUMMARY" (18 ASCII bytes) ‖ 0x01
 *   ‖ u16 len ‖ window ‖ u16 len ‖ day ‖ u64 drafted (the event's ts, ms)
 *   ‖ u64 through ‖ u64 accepted ‖ u64 completed ‖ u64 overdue
 *   ‖ u64 violations ‖ u64 rated_satisfied ‖ u64 rated_basic
 *   ‖ u64 rated_unsatisfied
 * integers unsigned big-endian. Caller owns the result. */
GBytes *dbn_day_summary_signed_bytes (const DbnMsgAuditSummary *m);

G_END_DECLS
