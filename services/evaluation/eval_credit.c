/* eval_credit.c: principals to org.ini agents for the quotas (see
 * eval_credit.h). Pure lookups over the org; no store. */
#include "eval_credit.h"

#include <string.h>

/* The org.ini agent a principal "<prefix><id>" names, or NULL. */
static const DbnAgent *
agent_of (DbnOrg *org, const char *principal, const char *prefix)
{
    if (principal == NULL || !g_str_has_prefix (principal, prefix))
        return NULL;
    return dbn_org_lookup_agent (org, principal + strlen (prefix));
}

const char *
eval_credit_accepting_agent (DbnOrg *org, const char *responsible, const char *holder)
{
    g_return_val_if_fail (org != NULL, NULL);
    /* An agent's own key, and issue 16's group agents (group:<agent id>). */
    const DbnAgent *a = agent_of (org, responsible, "agent:");
    if (a == NULL)
        a = agent_of (org, responsible, "group:");
    if (a != NULL)
        return a->level == DBN_AGENT_LEVEL_TOWNSHIP ? NULL : a->id;
    if (responsible == NULL || !g_str_has_prefix (responsible, "station:"))
        return NULL;
    const char *id = responsible + strlen ("station:");
    const DbnStation *st = dbn_org_lookup_station (org, id);
    if (st == NULL)
        return NULL;
    /* D-INT-8: a petition is in its mediation officer's hands from the
     * start: that agent of the station took it. */
    const DbnAgent *h = agent_of (org, holder, "agent:");
    if (h != NULL && h->level != DBN_AGENT_LEVEL_TOWNSHIP && g_strcmp0 (h->station, id) == 0)
        return h->id;
    return st->head != NULL && *st->head != '\0' ? st->head : NULL;
}

const char *
eval_credit_township_agent (DbnOrg *org, const char *holder)
{
    g_return_val_if_fail (org != NULL, NULL);
    const DbnAgent *a = agent_of (org, holder, "agent:");
    return a != NULL && a->level == DBN_AGENT_LEVEL_TOWNSHIP ? a->id : NULL;
}
