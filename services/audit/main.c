/* daiban-audit: the tamper-evident record (issue 14, D-AUD-1). Thin main
 * (style rule 7): the frame's dbn_service_main does options, config, store,
 * bus and teardown; audit_service.c follows the producers and signs heads,
 * audit_log.c is the record. */
#include "audit_service.h"

static gpointer
new_actions (DbnService *service, GError **error)
{
    return audit_actions_new (service, error);
}

static const DbnServiceSpec spec = {
    .name = "audit",
    .summary = "— 审计记录服务 / audit service",
    .migrations = audit_migrations,
    .commands = audit_commands,
    .new_actions = new_actions,
    .start = (DbnServiceStartFunc) audit_actions_start,
    .free_actions = (GDestroyNotify) audit_actions_free,
};

DBN_SERVICE_MAIN (spec)
