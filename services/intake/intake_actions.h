/* intake_actions.h: the commands of daiban-intake (D-INT-*). */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

#define INTAKE_ERROR (intake_error_quark ())
GQuark intake_error_quark (void);

/* The codes (IntakeError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

typedef struct _IntakeActions IntakeActions;

/* The store's migrations, NULL-terminated. */
extern const char *const intake_migrations[];

/* Takes ownership of catalog and org. Caller owns the result; free it before the service. */
IntakeActions *intake_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org, GError **error);
void intake_actions_free (IntakeActions *self);

/* Follows routing's journal (after dbn_service_start): how routing closes
 * each case (intake_follow.c). */
gboolean intake_actions_follow (IntakeActions *self, DbnBus *bus, GError **error);

/* The command table for dbn_service_add_commands (user data: IntakeActions). */
extern const DbnCommandSpec intake_commands[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeActions, intake_actions_free)

G_END_DECLS
