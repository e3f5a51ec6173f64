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
/* D-DL-4: the calendar (taken) and the committed rule ([deadline] committed
 * and committed_unit) the promised date of a reply is computed with. Without
 * it the replies carry no promised date. */
void intake_actions_set_promise (IntakeActions *self, DbnCalendar *calendar, int setting,
                                 gboolean calendar_days);
/* The promised date of a case of matter from village accepted at
 * accepted_at (ms), "YYYY-MM-DD", or NULL when none is made. Caller owns it. */
char *intake_dup_promised (IntakeActions *self, const char *matter, const char *village, gint64 accepted_at);
void intake_actions_free (IntakeActions *self);

/* Follows routing's journal (after dbn_service_start): how routing closes
 * each case (intake_follow.c). */
gboolean intake_actions_follow (IntakeActions *self, DbnBus *bus, GError **error);

/* The command table for dbn_service_add_commands (user data: IntakeActions). */
extern const DbnCommandSpec intake_commands[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeActions, intake_actions_free)

G_END_DECLS
