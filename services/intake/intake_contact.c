/* intake_contact.c: intake.case.contact, the phone number for a return
 * visit (回访, D-EV-2).
 *
 * The supervisor who calls a drawn case back needs the applicant's name and
 * phone; nobody else gets them this way. Evaluation never stores a phone
 * (its events and the sample carry case numbers only), so the number stays
 * where intake keeps it, and intake answers:
 *   - only a supervisor:<area> principal (operator and services read cases
 *     with intake.case.get already; the committee sees phones masked);
 *   - only for a case whose village lies in that area (org.ini);
 *   - never for a restricted matter (D-INT-8: petitions never reach the
 *     area's supervisors).
 * Anything else is forbidden, with nothing of the case in the refusal.
 */
#include "intake_private.h"

#include "daiban/dbn_sql.h"

GBytes *
intake_case_contact (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    (void) service;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeCaseContact) req =
        dbn_msg_intake_case_contact_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    const char *principal = dbn_command_get_principal (command);
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_SUPERVISOR) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                     "only the area's supervisor reads a contact for a return visit (D-EV-2), not %s",
                     principal ? principal : "the operator");
        return NULL;
    }
    if (!intake_select_case (self, req->case_no, error))
        return NULL;
    sqlite3_stmt *st = self->select_case;
    const char *village = (const char *) sqlite3_column_text (st, INTAKE_COL_VILLAGE);
    const DbnVillage *v = dbn_org_lookup_village (self->org, village);
    const DbnMatter *matter =
        dbn_catalog_lookup (self->catalog, (const char *) sqlite3_column_text (st, INTAKE_COL_MATTER));
    const char *area = dbn_principal_get_id (principal);
    if (v == NULL || g_strcmp0 (v->area, area) != 0 || (matter != NULL && matter->restricted)) {
        sqlite3_reset (st);
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not read the contact of %s", principal,
                     req->case_no);
        return NULL;
    }
    g_autoptr (DbnMsgIntakeCaseContactReply) reply = dbn_msg_intake_case_contact_reply_new ();
    reply->case_no = dbn_sql_column_dup (st, 0);
    reply->applicant = dbn_sql_column_dup (st, 2);
    reply->phone = dbn_sql_column_dup (st, 4);
    reply->area = g_strdup (v->area);
    sqlite3_reset (st);
    return dbn_msg_intake_case_contact_reply_encode (reply, error);
}
