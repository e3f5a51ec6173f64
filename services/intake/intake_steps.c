/* intake_steps.c: what happens at intake besides a submit.
 *
 * intake.supplement (D-INT-4): the applicant hands in missing materials.
 * Each item handed in is struck from the case's missing list; when the list
 * is empty the case is accepted and case.materials_supplemented tells
 * routing to resume it and the deadline service to restart its stopped
 * clocks (D-DL-7); when some remain, case.awaiting_materials tells the rest
 * again. That split keeps the one event the clocks follow meaning exactly
 * "nothing is missing any more"; a partial supplement stops nothing and
 * restarts nothing. A supplement that strikes nothing is refused
 * (intake.not-missing): the list is the catalog's, told once and completely.
 *
 * intake.refuse (D-INT-5): an out-of-scope, illegal or prohibited request is
 * refused at intake with a written reason and where to apply instead. No
 * case is made (nothing is handled); the refusal gets a number of its own,
 * <township>-<year>-R<6 digits>, is kept in the refusal book, and
 * case.refused carries it in the envelope's case field so audit and the
 * station's client see it like any other step. A request that was accepted
 * first and then found not allowed is returned by routing instead
 * (case.return, 退回件).
 *
 * A case routing has closed (returned, replied to, archived: intake
 * follows routing's journal, intake_follow.c) takes no supplement
 * (intake.case-closed, D-RPL-4).
 *
 * catalog.reload (D-CAT-3): loads the configured catalog file again and
 * swaps it in whole only when it validates; a broken file is refused with
 * its line and reason (catalog.parse / catalog.invalid) and the catalog in
 * force stays. It writes nothing to the store, so it runs as a read after
 * the batch: no command of a batch sees two catalogs.
 */
#include "intake_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-intake"

/* ---- supplement ---- */

static gboolean
strv_has (char **v, const char *s)
{
    return v != NULL && g_strv_contains ((const char *const *) v, s);
}

/* Copies the row's fields a supplement needs before the statement resets. */
typedef struct {
    char *matter, *village, *state, *closed;
    char **materials, **missing;
} SupplementRow;

static void
supplement_row_clear (SupplementRow *r)
{
    g_free (r->matter);
    g_free (r->village);
    g_free (r->state);
    g_free (r->closed);
    g_strfreev (r->materials);
    g_strfreev (r->missing);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SupplementRow, supplement_row_clear)

static gboolean
update_materials (IntakeActions *self, const char *case_no, char **materials, char **missing,
                  const char *state, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "UPDATE case_record SET materials = ?1, missing = ?2, state = ?3"
                                 " WHERE case_no = ?4",
                                 -1, &st, NULL);
    g_autofree char *materials_text = intake_join_lines (materials);
    g_autofree char *missing_text = intake_join_lines (missing);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, materials_text, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, missing_text, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, state, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 4, case_no, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

GBytes *
intake_supplement (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeSupplement) req =
        dbn_msg_intake_supplement_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (req->materials == NULL || req->materials[0] == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "name the materials handed in");
        return NULL;
    }
    for (int i = 0; req->materials[i] != NULL; i++)
        if (!intake_require_text (req->materials[i], "every material name", error))
            return NULL;
    if (!intake_select_case (self, req->case_no, error))
        return NULL;
    g_auto (SupplementRow) row = { 0 };
    sqlite3_stmt *st = self->select_case;
    row.matter = dbn_sql_column_dup (st, INTAKE_COL_MATTER);
    row.village = dbn_sql_column_dup (st, INTAKE_COL_VILLAGE);
    row.state = dbn_sql_column_dup (st, INTAKE_COL_STATE);
    row.closed = dbn_sql_column_dup (st, INTAKE_COL_CLOSED);
    row.materials = intake_split_lines (sqlite3_column_text (st, INTAKE_COL_MATERIALS));
    row.missing = intake_split_lines (sqlite3_column_text (st, INTAKE_COL_MISSING));
    sqlite3_reset (st);
    if (!intake_check_village (command, row.village, "supplement materials", error)
        || !intake_may_read_matter (self, command, row.matter, error))
        return NULL;
    /* D-RPL-4: what routing has closed takes nothing more (intake hears it
     * from routing's journal); a returned case is answered, not resumed. */
    if (row.closed != NULL) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_CASE_CLOSED,
                     "%s is closed at routing (%s): it takes no materials", req->case_no, row.closed);
        return NULL;
    }
    if (g_strcmp0 (row.state, "awaiting_materials") != 0) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_NOT_AWAITING, "%s is %s: it waits for no materials",
                     req->case_no, row.state);
        return NULL;
    }
    /* D-INT-4: strike what arrived from the list told once. */
    g_autoptr (GPtrArray) still = g_ptr_array_new_with_free_func (g_free);
    for (int i = 0; row.missing[i] != NULL; i++)
        if (!strv_has (req->materials, row.missing[i]))
            g_ptr_array_add (still, g_strdup (row.missing[i]));
    if (still->len == g_strv_length (row.missing)) {
        g_autofree char *wanted = g_strjoinv ("、", row.missing);
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_NOT_MISSING, "%s is missing only: %s", req->case_no,
                     wanted);
        return NULL;
    }
    g_ptr_array_add (still, NULL);
    g_auto (GStrv) missing = (char **) g_ptr_array_free (g_steal_pointer (&still), FALSE);
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    for (int i = 0; row.materials[i] != NULL; i++)
        g_ptr_array_add (all, row.materials[i]);
    for (int i = 0; req->materials[i] != NULL; i++)
        if (!strv_has (row.materials, req->materials[i]))
            g_ptr_array_add (all, req->materials[i]);
    g_ptr_array_add (all, NULL);
    const char *state = missing[0] == NULL ? "accepted" : "awaiting_materials";
    if (!update_materials (self, req->case_no, (char **) all->pdata, missing, state, error))
        return NULL;

    /* The stored village: checked when the case was submitted (a row from
     * before issue 11 with a bad one is refused here by the topic check). */
    g_autofree char *topic = dbn_topic_dup_queue ('s', row.village, error);
    if (topic == NULL)
        return NULL;
    g_autoptr (GBytes) event = NULL;
    DbnEnvEvent *env = NULL;
    g_autoptr (DbnMsgCaseMaterialsSupplemented) done = NULL;
    g_autoptr (DbnMsgCaseAwaitingMaterials) waiting = NULL;
    if (missing[0] == NULL) {
        done = dbn_msg_case_materials_supplemented_new ();
        dbn_command_stamp_event (command, &done->env, DBN_MSG_CASE_MATERIALS_SUPPLEMENTED_WIRE, req->case_no);
        done->matter = g_strdup (row.matter);
        done->materials = g_strdupv (req->materials);
        env = &done->env;
        event = dbn_msg_case_materials_supplemented_encode (done, error);
    } else {
        waiting = dbn_msg_case_awaiting_materials_new ();
        dbn_command_stamp_event (command, &waiting->env, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE, req->case_no);
        waiting->matter = g_strdup (row.matter);
        waiting->missing = g_strdupv (missing);
        env = &waiting->env;
        event = dbn_msg_case_awaiting_materials_encode (waiting, error);
    }
    if (event == NULL || !dbn_command_emit (command, topic, env, event, error))
        return NULL;
    g_autoptr (DbnMsgIntakeSupplementReply) reply = dbn_msg_intake_supplement_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->state = g_strdup (state);
    reply->missing = g_steal_pointer (&missing);
    return dbn_msg_intake_supplement_reply_encode (reply, error);
}

/* ---- refuse ---- */

static gboolean
insert_refusal (IntakeActions *self, const char *number, const DbnMsgIntakeRefuse *req, const char *channel,
                gint64 now, const char *actor, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO refusal (refusal, applicant, village, matter, request, reason,"
                                 " apply_to, channel, refused_at, refused_by)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                 -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (st, 1, number, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, req->applicant, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 3, req->village, -1, SQLITE_STATIC);
        if (req->matter)
            sqlite3_bind_text (st, 4, req->matter, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 5, req->request, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 6, req->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 7, req->apply_to, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 8, channel, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 9, now);
        sqlite3_bind_text (st, 10, actor, -1, SQLITE_STATIC);
        rc = sqlite3_step (st);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

GBytes *
intake_refuse (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    GBytes *body = dbn_command_get_body (command);
    g_autoptr (DbnMsgIntakeRefuse) req =
        dbn_msg_intake_refuse_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
    if (req == NULL)
        return NULL;
    if (!intake_check_known_village (self, req->village, error)
        || !intake_check_village (command, req->village, "refuse requests", error))
        return NULL;
    /* D-INT-5: the reason is written, and the applicant is told where to go. */
    if (dbn_text_is_blank (req->reason) || dbn_text_is_blank (req->apply_to)) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_REASON_REQUIRED,
                     "a refusal needs a written reason and where to apply instead");
        return NULL;
    }
    if (!intake_require_text (req->applicant, "applicant", error)
        || !intake_require_text (req->village, "village", error)
        || !intake_require_text (req->request, "the request", error)
        || !dbn_text_check (req->reason, "the reason", DBN_TEXT_STRICT, error)
        || !dbn_text_check (req->apply_to, "where to apply", DBN_TEXT_STRICT, error))
        return NULL;
    if (req->matter != NULL && dbn_catalog_lookup (self->catalog, req->matter) == NULL) {
        g_set_error (error, INTAKE_ERROR, INTAKE_ERROR_UNKNOWN_MATTER, "no matter '%s' in the catalog",
                     req->matter);
        return NULL;
    }
    gboolean window = dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_WINDOW;
    const char *channel = req->channel ? req->channel : window ? "walk-in" : "station";
    if (g_strcmp0 (channel, "station") != 0 && g_strcmp0 (channel, "walk-in") != 0
        && g_strcmp0 (channel, "phone") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "channel must be station, walk-in or phone, not '%s'", channel);
        return NULL;
    }
    gint64 now = dbn_command_get_now_ms (command);
    g_autofree char *number = NULL;
    if (!intake_next_number (self, "refusal", "refusal", 'R', now, &number, error)
        || !insert_refusal (self, number, req, channel, now, dbn_command_get_actor (command), error))
        return NULL;

    g_autoptr (DbnMsgCaseRefused) ev = dbn_msg_case_refused_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_CASE_REFUSED_WIRE, number);
    ev->village = g_strdup (req->village);
    ev->applicant = g_strdup (req->applicant);
    ev->matter = g_strdup (req->matter);
    ev->request = g_strdup (req->request);
    ev->reason = g_strdup (req->reason);
    ev->apply_to = g_strdup (req->apply_to);
    ev->channel = g_strdup (channel);
    g_autoptr (GBytes) event = dbn_msg_case_refused_encode (ev, error);
    g_autofree char *topic = event != NULL ? dbn_topic_dup_queue ('s', req->village, error) : NULL;
    if (topic == NULL || !dbn_command_emit (command, topic, &ev->env, event, error))
        return NULL;
    g_autoptr (DbnMsgIntakeRefuseReply) reply = dbn_msg_intake_refuse_reply_new ();
    reply->refusal = g_steal_pointer (&number);
    reply->refused_at = now;
    return dbn_msg_intake_refuse_reply_encode (reply, error);
}

/* ---- catalog.reload ---- */

GBytes *
intake_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    IntakeActions *self = user_data;
    const char *path = dbn_config_get_catalog_path (dbn_service_get_config (service));
    /* D-CAT-3: the new catalog replaces the old only when it validates. */
    g_autoptr (GError) local = NULL;
    DbnCatalog *fresh = dbn_catalog_load (path, &local);
    if (fresh == NULL) {
        g_warning ("catalog reload refused, the catalog in force stays: %s", local->message);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    dbn_catalog_free (self->catalog);
    self->catalog = fresh;
    g_message ("catalog reloaded from %s: %u matters (by %s)", path, dbn_catalog_get_n_matters (fresh),
               dbn_command_get_actor (command));
    g_autoptr (DbnMsgCatalogReloadReply) reply = dbn_msg_catalog_reload_reply_new ();
    reply->path = g_strdup (path);
    reply->matters = dbn_catalog_get_n_matters (fresh);
    return dbn_msg_catalog_reload_reply_encode (reply, error);
}
