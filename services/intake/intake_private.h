/* intake_private.h: what intake's command families share: the checks
 * (intake_checks.c) and each family's handlers, for the table
 * (intake_actions.c). Below it only the store (intake_store.h). */
#pragma once

#include "intake_store.h"

#include "daiban/dbn_text.h"

G_BEGIN_DECLS

/* Digits, with an optional leading + and inner dashes or spaces; 7 to 15
 * digits (intake_cases.c). */
gboolean intake_phone_is_valid (const char *phone);
/* intake_correct.c: D-AUD-5, a field of the applicant's data corrected. */
GBytes *intake_case_correct (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* FALSE with DBN_ERROR_INVALID when value is empty or holds control characters. */
gboolean intake_require_text (const char *value, const char *what, GError **error);
/* A station acts only for its own village (FALSE with DBN_ERROR_FORBIDDEN);
 * every other principal the frame let through may. */
gboolean intake_check_village (DbnCommand *command, const char *village, const char *what, GError **error);
/* Issue 11: a village that enters intake from the network (submit, refuse,
 * visit, the logbook and visit list) becomes the topic s/<village>, so it
 * must be a village of org.ini: FALSE with DBN_ORG_ERROR_UNKNOWN_ID. */
gboolean intake_check_known_village (IntakeActions *self, const char *village, GError **error);

/* D-INT-8: whether the principal may read a case of matter: a window reads a
 * restricted matter's cases only when it is the matter's window. */
gboolean intake_may_read_matter (IntakeActions *self, DbnCommand *command, const char *matter,
                                 GError **error);

/* intake_visits.c (D-INT-1) */
GBytes *intake_visit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_visit_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
/* The visit exists and is of village: FALSE with DBN_ERROR_NOT_FOUND or
 * DBN_ERROR_INVALID. */
gboolean intake_visit_check (IntakeActions *self, const char *visit, const char *village, GError **error);
gboolean intake_visit_link (IntakeActions *self, const char *visit, const char *case_no, GError **error);

/* intake_must.c: must-visit lists (三必访, D-INT-1) */
GBytes *intake_must_add (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_must_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
/* The kind of village's listed household, or NULL when it is not listed
 * (or on a database error, set in error). Caller owns it. */
char *intake_must_dup_kind (IntakeActions *self, const char *village, const char *household, GError **error);
/* hardship, petitioner or party_member. */
gboolean intake_must_kind_valid (const char *kind);

/* intake_logbook.c: the logbook of a village (D-INT-3) */
GBytes *intake_logbook (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* intake_cases.c: submit (D-INT-2, D-INT-3, D-INT-4) and case.get */
/* The whole of intake.submit after decoding: checks, the case, its events.
 * intake.handover.accept submits a group's request through it. */
DbnMsgIntakeSubmitReply *intake_submit_request (IntakeActions *self, DbnCommand *command,
                                                const DbnMsgIntakeSubmit *req, GError **error);
GBytes *intake_submit (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_case_get (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* intake_contact.c: intake.case.contact, for the area's supervisor (D-EV-2) */
GBytes *intake_case_contact (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* intake_steps.c: supplement (D-INT-4), refuse (D-INT-5), catalog.reload (D-CAT-3) */
GBytes *intake_supplement (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_refuse (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* intake_handover.c: group agents hand requests to their station (issue 16) */
GBytes *intake_handover (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_handover_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_handover_accept (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *intake_handover_return (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

G_END_DECLS
