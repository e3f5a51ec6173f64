/* routing_actions.h: the commands of daiban-routing and its subscription to
 * intake's journal (D-RTE-*, D-RPL-*, D-INT-6). */
#pragma once

#include "routing_machine.h"
#include "routing_store.h"

G_BEGIN_DECLS

typedef struct _RoutingActions RoutingActions;

/* Takes ownership of catalog and org (on success and on failure). Prepares
 * the statements on the service's store. Caller owns the result; free it
 * before the service. */
RoutingActions *routing_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org, GError **error);
void routing_actions_free (RoutingActions *self);

/* Follows intake's journal (after dbn_service_start: derived events are
 * published on the service's publisher): case.accepted becomes a routed
 * case, case.awaiting_materials marks it. */
gboolean routing_actions_follow_intake (RoutingActions *self, DbnBus *bus, GError **error);

/* The command table for dbn_service_add_commands (user data: RoutingActions). */
extern const DbnCommandSpec routing_commands[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RoutingActions, routing_actions_free)

G_END_DECLS
