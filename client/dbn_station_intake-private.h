/* dbn_station_intake-private.h: what the tests reach the intake page by. */
#pragma once

#include "dbn_station_intake.h"

G_BEGIN_DECLS

/* Chooses the matter by catalog code as a click in the list would; FALSE
 * when the search filter hides it. */
gboolean dbn_station_intake_choose_matter (DbnStationIntake *self, const char *code);
/* Ticks the first n materials of the chosen matter's checklist and clears
 * the rest (G_MAXUINT: all handed in). */
void dbn_station_intake_tick_materials (DbnStationIntake *self, guint n);
/* The fields "matter-search", "applicant", "id-number", "phone",
 * "address", "note", "refuse-reason", "refuse-apply-to"; NULL another. Borrowed. */
GtkEditable *dbn_station_intake_get_entry (DbnStationIntake *self, const char *name);
void dbn_station_intake_set_consent (DbnStationIntake *self, gboolean consent);
/* The text under the form: case number, missing materials, or the error. */
const char *dbn_station_intake_get_result (DbnStationIntake *self);
/* The last intake reply's case number, NULL before. */
const char *dbn_station_intake_get_last_case (DbnStationIntake *self);
/* Number of matters the search shows. */
guint dbn_station_intake_get_n_matches (DbnStationIntake *self);
/* The visit number the form will carry, NULL when none. */
const char *dbn_station_intake_get_visit (DbnStationIntake *self);

G_END_DECLS
