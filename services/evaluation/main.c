/* daiban-evaluation: ratings, return visits, quotas, scores and stars
 * (D-EV-1..7, issue 13). Thin main (style rule 7): the frame's
 * dbn_service_main does options, config, store, bus and teardown; the
 * behaviour is in evaluation_actions.c over evaluation_core. */
#include "evaluation_actions.h"

static gpointer
new_actions (DbnService *service, GError **error)
{
    return evaluation_actions_new (service, error);
}

static const DbnServiceSpec spec = {
    .name = "evaluation",
    .summary = "— 群众评价考核服务 / evaluation service",
    .migrations = eval_migrations,
    .commands = evaluation_commands,
    .new_actions = new_actions,
    .start = (DbnServiceStartFunc) evaluation_actions_follow,
    .free_actions = (GDestroyNotify) evaluation_actions_free,
};

DBN_SERVICE_MAIN (spec)
