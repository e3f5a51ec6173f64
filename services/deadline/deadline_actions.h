/* deadline_actions.h: the deadline service (D-DL-1..7): its commands, its
 * subscriptions to routing's and intake's journals, and its timers. */
#pragma once

#include "deadline_store.h"
#include "deadline_timers.h"

G_BEGIN_DECLS

typedef struct _DeadlineActions DeadlineActions;

/* Takes ownership of calendar and catalog (on success and on failure);
 * calendar_path is where `deadline.calendar.reload` reads. Prepares the
 * statements on the service's store. Caller owns the result; free it
 * before the service. */
DeadlineActions *deadline_actions_new (DbnService *service, DbnCalendar *calendar, const char *calendar_path,
                                       DbnCatalog *catalog, const DeadlineSettings *settings, GError **error);
void deadline_actions_free (DeadlineActions *self);

/* Fills the timer heap from the store (after a restart). */
gboolean deadline_actions_rebuild (DeadlineActions *self, GError **error);
/* Fires, in one transaction, up to max firings due at now (each stage of
 * each clock once: the stage is stored with the journaled event), then
 * publishes them (each with its deadline.due_changed when the queue row
 * changed). *fired gets the number of firings. */
gboolean deadline_actions_fire_due (DeadlineActions *self, gint64 now, guint max, guint *fired,
                                    GError **error);
/* Looks at the timers every tick_ms on the thread-default main context. */
void deadline_actions_start_ticking (DeadlineActions *self);
/* Follows routing's and intake's journals (after dbn_service_start). */
gboolean deadline_actions_follow (DeadlineActions *self, DbnBus *bus, GError **error);

/* For the unit tests, which choose the order the journals arrive in: one
 * event of source's journal ("routing", "intake", else "evaluation"),
 * applied as its subscriber does, in the caller's transaction. */
gboolean deadline_actions_apply (DeadlineActions *self, const char *source, const DbnEnvEvent *env,
                                 GBytes *event, DbnOrigin *origin, GError **error);

/* Borrowed internals for the benchmark and tests. */
DeadlineStore *deadline_actions_get_store (DeadlineActions *self);
DeadlineTimers *deadline_actions_get_timers (DeadlineActions *self);

/* The command table for dbn_service_add_commands (user data: DeadlineActions). */
extern const DbnCommandSpec deadline_commands[];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeadlineActions, deadline_actions_free)

G_END_DECLS
