/* intake_actions.c: daiban-intake's command table, and the life of its state.
 *
 * Who may do what (issue 3; the service frame has already checked the kind
 * of principal against intake_commands): a station submits only for its own
 * village and reads only its own village's cases (a station's id is its
 * village's id, schemas/data/org.ini); windows read; the committee reads
 * with personal fields masked, because oversight needs the case, not the
 * person's ID number; services and the operator may do everything.
 *
 * The imports run one way: this table → the command families
 * (intake_cases.c, intake_steps.c, intake_visits.c, intake_logbook.c, and
 * the follower intake_follow.c; with intake_checks.c, through
 * intake_private.h) → the store (intake_store.c, intake_store.h).
 */
#include "intake_private.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (intake-error-quark, intake_error)
/* clang-format on */

IntakeActions *
intake_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org, GError **error)
{
    g_autoptr (IntakeActions) self = g_new0 (IntakeActions, 1);
    self->service = service;
    self->catalog = catalog;
    self->org = org;
    if (!intake_store_prepare (self, error))
        return NULL;
    return g_steal_pointer (&self);
}

void
intake_actions_set_promise (IntakeActions *self, DbnCalendar *calendar, int setting, gboolean calendar_days)
{
    g_clear_pointer (&self->calendar, dbn_calendar_free);
    self->calendar = calendar;
    self->promise_setting = setting;
    self->promise_calendar_days = calendar_days;
}

char *
intake_dup_promised (IntakeActions *self, const char *matter, const char *village, gint64 accepted_at)
{
    if (self->calendar == NULL)
        return NULL;
    /* The area's own closures count, as on deadline's clock (routing gives
     * the case the village's area). */
    const DbnVillage *v = dbn_org_lookup_village (self->org, village);
    gboolean covered = TRUE;
    gint64 day = dbn_promise_day (self->calendar, v ? v->area : NULL, self->promise_setting,
                                  self->promise_calendar_days, dbn_catalog_lookup (self->catalog, matter),
                                  accepted_at, &covered);
    if (day < 0)
        return NULL;
    if (!covered)
        /* D-DL-5: flagged, not silently guessed: deadline flags the clock. */
        g_warning ("a promised date for %s lies outside the calendar's years: counted on weekends only",
                   matter);
    return dbn_promise_day_to_iso (day);
}

void
intake_actions_free (IntakeActions *self)
{
    if (self == NULL)
        return;
    /* The subscriber first: its transaction uses close_case. */
    g_clear_pointer (&self->routing, dbn_subscriber_free);
    intake_store_clear (self);
    dbn_catalog_free (self->catalog);
    dbn_org_free (self->org);
    dbn_calendar_free (self->calendar);
    g_free (self);
}

const DbnCommandSpec intake_commands[] = {
    /* Stations: their own village only (check_village). Windows take
     * walk-in and phone requests (D-INT-7) at the front desk (D-RTE-6). */
    { DBN_MSG_INTAKE_SUBMIT_WIRE, intake_submit, TRUE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_COMMAND_FRONT_DESK },
    { DBN_MSG_INTAKE_CASE_GET_WIRE, intake_case_get, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    /* Materials handed in later reach either desk (the back office asks for them). */
    { DBN_MSG_INTAKE_SUPPLEMENT_WIRE, intake_supplement, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_INTAKE_REFUSE_WIRE, intake_refuse, TRUE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_COMMAND_FRONT_DESK },
    /* D-INT-1: agents visit households; the village station records it. */
    { DBN_MSG_INTAKE_VISIT_WIRE, intake_visit, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_INTAKE_LOGBOOK_WIRE, intake_logbook, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_INTAKE_VISIT_LIST_WIRE, intake_visit_list, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    /* D-INT-1: a station keeps its must-visit list (三必访); windows and the
     * committee read it. */
    { DBN_MSG_INTAKE_MUST_ADD_WIRE, intake_must_add, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_INTAKE_MUST_LIST_WIRE, intake_must_list, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    /* D-AUD-5: who may take a case may correct its applicant's data. */
    { DBN_MSG_CASE_CORRECT_WIRE, intake_case_correct, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    /* D-CAT-3: the administrator (operator) or a supervisor. */
    { DBN_MSG_CATALOG_RELOAD_WIRE, intake_catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    /* D-EV-2: the area's supervisor only (checked in the handler). */
    { DBN_MSG_INTAKE_CASE_CONTACT_WIRE, intake_case_contact, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    /* Issue 16: a group agent hands a request to its station, which accepts
     * it (consent recorded there) or sends it back (intake_handover.c). */
    { DBN_MSG_INTAKE_HANDOVER_WIRE, intake_handover, TRUE, DBN_PRINCIPAL_GROUP },
    { DBN_MSG_INTAKE_HANDOVER_LIST_WIRE, intake_handover_list, FALSE,
      DBN_PRINCIPAL_GROUP | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_INTAKE_HANDOVER_ACCEPT_WIRE, intake_handover_accept, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_INTAKE_HANDOVER_RETURN_WIRE, intake_handover_return, TRUE, DBN_PRINCIPAL_STATION },
    { NULL, NULL, FALSE, 0 },
};
