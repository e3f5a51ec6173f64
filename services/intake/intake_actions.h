/* intake_actions.h: the commands of daiban-intake (D-INT-*). */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

#define INTAKE_ERROR (intake_error_quark ())
GQuark intake_error_quark (void);

typedef enum {
    INTAKE_ERROR_NO_CONSENT,     /* D-INT-2: not entrusted by the applicant */
    INTAKE_ERROR_UNKNOWN_MATTER, /* D-CAT-1: the code is not in the catalog */
    INTAKE_ERROR_BAD_ID_NUMBER,  /* GB 11643 check failed */
    INTAKE_ERROR_BAD_PHONE,      /* not a phone number */
    INTAKE_ERROR_NOT_AWAITING,   /* D-INT-4: a supplement for a case that waits for nothing */
    INTAKE_ERROR_NOT_MISSING,    /* D-INT-4: none of the materials handed in is missing */
    INTAKE_ERROR_REASON_REQUIRED,/* D-INT-5: a refusal without reason or where to apply */
    INTAKE_ERROR_PRIVATE_MATTER, /* D-INT-2: marked private by the applicant: not proxied */
} IntakeError;

typedef struct _IntakeActions IntakeActions;

/* The store's migrations, NULL-terminated. */
extern const char *const intake_migrations[];

/* Registers intake's wire error codes. */
void intake_error_register (void);

/* Takes ownership of catalog and org. Caller owns the result; free it before the service. */
IntakeActions *intake_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org,
                                   GError **error);
void           intake_actions_free (IntakeActions *self);

/* The command table for dbn_service_add_commands (user data: IntakeActions). */
extern const DbnCommandSpec intake_commands[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeActions, intake_actions_free)

G_END_DECLS
