/* evaluation_actions.h: the daiban-evaluation service's actions (issue 13):
 * its command table, the following of routing's and deadline's journals
 * onto the model's facts (eval_store.h), and its events. A library
 * (evaluation_service_core) so tests can drive it in-process. */
#pragma once

#include "eval_store.h"

G_BEGIN_DECLS

typedef struct _EvaluationActions EvaluationActions;

/* The store's migrations are the model's (eval_migrations). */
extern const DbnCommandSpec evaluation_commands[];

/* Loads [evaluation] settings and the calendar from service's config.
 * service is borrowed and must outlive the result. */
EvaluationActions *evaluation_actions_new (DbnService *service, GError **error);
void evaluation_actions_free (EvaluationActions *self);

/* Follows routing's, deadline's, intake's and audit's journals exactly
 * once, and starts the timer of the automatic draw (D-EV-2). */
gboolean evaluation_actions_follow (EvaluationActions *self, DbnBus *bus, GError **error);

/* The catalog the service loaded (borrowed). */
DbnCatalog *evaluation_actions_get_catalog (EvaluationActions *self);
/* For the commands in files of their own (eval_board.c): the model, the
 * settings, and whether the command's principal may read a figure (a window
 * and a station their own rows, a supervisor its area's, the committee all). */
EvalStore *evaluation_actions_get_store (EvaluationActions *self);
const EvalSettings *evaluation_actions_get_settings (EvaluationActions *self);
gboolean evaluation_actions_may_read_figure (EvaluationActions *self, DbnCommand *command,
                                             const EvalFigures *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvaluationActions, evaluation_actions_free)

G_END_DECLS
