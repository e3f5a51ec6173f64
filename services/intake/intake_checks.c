/* intake_checks.c: the checks every command family of intake shares:
 * texts, villages (issue 3, issue 11) and restricted matters (D-INT-8). */
#include "intake_private.h"

gboolean
intake_check_known_village (IntakeActions *self, const char *village, GError **error)
{
    return dbn_org_check_village (self->org, village, error);
}

gboolean
intake_require_text (const char *value, const char *what, GError **error)
{
    if (value == NULL || *value == '\0' || !dbn_text_check (value, what, DBN_TEXT_STRICT, NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s must be filled in, without control characters",
                     what);
        return FALSE;
    }
    return TRUE;
}

/* A station acts only for its own village; everyone the frame let through
 * otherwise may. */
gboolean
intake_check_village (DbnCommand *command, const char *village, const char *what, GError **error)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_STATION)
        return TRUE;
    const char *station = dbn_principal_get_id (dbn_command_get_principal (command));
    if (g_strcmp0 (station, village) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "station %s may %s only for its own village, not %s",
                 station, what, village);
    return FALSE;
}

gboolean
intake_may_read_matter (IntakeActions *self, DbnCommand *command, const char *matter, GError **error)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_WINDOW)
        return TRUE;
    /* D-INT-8: petitions carry stricter confidentiality; only the window
     * that handles them (the mediation officer's) reads them. */
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, matter);
    const char *window = dbn_principal_get_id (dbn_command_get_principal (command));
    if (m == NULL || !m->restricted || g_strcmp0 (m->window, window) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                 "%s is a restricted matter (D-INT-8): window %s may not read its cases", matter, window);
    return FALSE;
}
