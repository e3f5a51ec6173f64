/* eval_credit.h: who a matter is credited to for the quotas (D-EV-3), from
 * routing's principals and org.ini. Routing names principals (the key that
 * acted: station:<id>, window:<id>, agent:<id>, group:<agent>), while the
 * quotas are per org.ini agent ([agent:<id>]); these functions turn one into
 * the other. The rule is in docs/evaluation.md ("Who a matter counts for"). */
#pragma once

#include <glib.h>

#include <daiban/dbn_org.h>

G_BEGIN_DECLS

/* The agent who accepted a case, for its D-EV-3 quota: responsible is
 * routing's responsible principal (D-INT-6), holder its first holder (both
 * from case.routed's row).
 * - agent:<id> or group:<id> naming a group or village agent: that agent;
 * - station:<id>: the station's agent who holds the case from the start (a
 *   petition's mediation officer, D-INT-8), else the station's head (站长):
 *   a station's key is shared by its agents and intake records no agent;
 * - anything else (a window's walk-in, an unknown id): NULL, no agent.
 * The result is borrowed from org. */
const char *eval_credit_accepting_agent (DbnOrg *org, const char *responsible, const char *holder);

/* The township agent (乡级代办员) carrying a case when routing's holder is
 * agent:<id> of a township-level agent of org.ini (D-RTE-1: assigned a
 * county matter, or handed to the agent, D-RTE-5); NULL otherwise. Borrowed
 * from org. */
const char *eval_credit_township_agent (DbnOrg *org, const char *holder);

G_END_DECLS
