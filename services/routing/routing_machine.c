/* routing_machine.c: the case state machine as a table.
 *
 * transitions[state][input] holds the next state and the action for every
 * legal move; an empty cell is an illegal transition, refused with
 * routing.illegal-transition (routing.case-archived for an archived case,
 * D-RPL-4) before any action runs. The table is the one place that says
 * what may happen when, so the unit test walks it cell by cell, and a new
 * rule is a new cell, not another `if` somewhere in a handler.
 *
 *   received ─classify→ classified ─assign→ assigned ─start→ in_progress ─complete→ completed
 *      │                                        │               │  (joint: one part per complete,
 *      │                                        └──escalate──→ escalated    completed with the last)
 *      │                                                         │ county_answer
 *      │                                                    county_answered ─complete→ completed
 *      └─ return (from any open state before completion) → returned
 *   completed | returned | awaiting_materials | county_answered ─reply→ replied ─archive→ archived
 *   awaiting_materials ─materials_supplied→ received (D-INT-4)
 *
 * Inputs that change no state (handoff, accompany, carry, acknowledge, a
 * change of kind) are cells whose next state is their own row.
 *
 * Actions are the guards and effects the table cannot express: a reason
 * that must be written down (D-RTE-5, D-INT-5), a target that must exist in
 * org.ini, the kind an input needs (only a 上报件 is escalated), the parts
 * of a joint case. An action works on a copy; routing_machine_step swaps
 * the copy in only when the action succeeded, so a refusal changes nothing.
 *
 * Rejected: a switch per command with the state checks inside (the rules
 * end up scattered and untestable as a whole); states as strings in the
 * store with the checks in SQL (the rules would live in two languages).
 */
#include "routing_machine.h"

#include <string.h>

#include "daiban/dbn_text.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (routing-error-quark, routing_error)
/* clang-format on */

/* ---- names ---- */

static const char *const state_names[ROUTING_N_STATES] = {
    [ROUTING_STATE_RECEIVED] = "received",
    [ROUTING_STATE_AWAITING_MATERIALS] = "awaiting_materials",
    [ROUTING_STATE_CLASSIFIED] = "classified",
    [ROUTING_STATE_ASSIGNED] = "assigned",
    [ROUTING_STATE_IN_PROGRESS] = "in_progress",
    [ROUTING_STATE_ESCALATED] = "escalated",
    [ROUTING_STATE_COUNTY_ANSWERED] = "county_answered",
    [ROUTING_STATE_COMPLETED] = "completed",
    [ROUTING_STATE_RETURNED] = "returned",
    [ROUTING_STATE_REPLIED] = "replied",
    [ROUTING_STATE_ARCHIVED] = "archived",
};

static const char *const input_names[ROUTING_N_INPUTS] = {
    [ROUTING_INPUT_CLASSIFY] = "classify",
    [ROUTING_INPUT_ASSIGN] = "assign",
    [ROUTING_INPUT_HANDOFF] = "handoff",
    [ROUTING_INPUT_START] = "start",
    [ROUTING_INPUT_COMPLETE] = "complete",
    [ROUTING_INPUT_ESCALATE] = "escalate",
    [ROUTING_INPUT_COUNTY_ANSWER] = "county_answer",
    [ROUTING_INPUT_RETURN] = "return",
    [ROUTING_INPUT_REPLY] = "reply",
    [ROUTING_INPUT_ARCHIVE] = "archive",
    [ROUTING_INPUT_ACCOMPANY] = "accompany",
    [ROUTING_INPUT_CARRY] = "carry",
    [ROUTING_INPUT_ACKNOWLEDGE] = "acknowledge",
    [ROUTING_INPUT_MATERIALS_MISSING] = "materials_missing",
    [ROUTING_INPUT_MATERIALS_SUPPLIED] = "materials_supplied",
};

static const char *const location_names[] = { "station", "in_transit", "centre" };
static const char *const kind_names[] = { "immediate", "committed", "joint", "escalated", "returned" };
static const char *const level_names[] = { "village", "township", "county" };

const char *
routing_state_to_string (RoutingState state)
{
    return (guint) state < ROUTING_N_STATES ? state_names[state] : "unknown";
}

const char *
routing_input_to_string (RoutingInput input)
{
    return (guint) input < ROUTING_N_INPUTS ? input_names[input] : "unknown";
}

const char *
routing_location_to_string (RoutingLocation location)
{
    return (guint) location < G_N_ELEMENTS (location_names) ? location_names[location] : "unknown";
}

static gboolean
lookup_name (const char *const *names, guint n, const char *text, guint *out)
{
    for (guint i = 0; text != NULL && i < n; i++) {
        if (g_strcmp0 (names[i], text) == 0) {
            *out = i;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
routing_state_from_string (const char *text, RoutingState *state)
{
    guint i;
    if (!lookup_name (state_names, ROUTING_N_STATES, text, &i))
        return FALSE;
    *state = i;
    return TRUE;
}

gboolean
routing_location_from_string (const char *text, RoutingLocation *location)
{
    guint i;
    if (!lookup_name (location_names, G_N_ELEMENTS (location_names), text, &i))
        return FALSE;
    *location = i;
    return TRUE;
}

gboolean
routing_kind_from_string (const char *text, DbnHandlingKind *kind)
{
    guint i;
    if (!lookup_name (kind_names, G_N_ELEMENTS (kind_names), text, &i))
        return FALSE;
    *kind = i;
    return TRUE;
}

gboolean
routing_level_from_string (const char *text, DbnDecidingLevel *level)
{
    guint i;
    if (!lookup_name (level_names, G_N_ELEMENTS (level_names), text, &i))
        return FALSE;
    *level = i;
    return TRUE;
}

/* ---- the case ---- */

RoutingCase *
routing_case_new (void)
{
    RoutingCase *c = g_new0 (RoutingCase, 1);
    c->parts = g_new0 (char *, 1);
    c->parts_done = g_new0 (char *, 1);
    c->missing = g_new0 (char *, 1);
    return c;
}

void
routing_case_free (RoutingCase *c)
{
    if (c == NULL)
        return;
    g_free (c->case_no);
    g_free (c->matter);
    g_free (c->window);
    g_free (c->station);
    g_free (c->village);
    g_free (c->area);
    g_free (c->channel);
    g_free (c->applicant);
    g_free (c->responsible);
    g_free (c->holder);
    g_free (c->sheet);
    g_free (c->county);
    g_free (c->escalated_from);
    g_strfreev (c->parts);
    g_strfreev (c->parts_done);
    g_strfreev (c->missing);
    g_free (c->outcome);
    g_free (c);
}

RoutingCase *
routing_case_copy (const RoutingCase *c)
{
    RoutingCase *d = g_new0 (RoutingCase, 1);
    *d = *c;
    d->case_no = g_strdup (c->case_no);
    d->matter = g_strdup (c->matter);
    d->window = g_strdup (c->window);
    d->station = g_strdup (c->station);
    d->village = g_strdup (c->village);
    d->area = g_strdup (c->area);
    d->channel = g_strdup (c->channel);
    d->applicant = g_strdup (c->applicant);
    d->responsible = g_strdup (c->responsible);
    d->holder = g_strdup (c->holder);
    d->sheet = g_strdup (c->sheet);
    d->county = g_strdup (c->county);
    d->escalated_from = g_strdup (c->escalated_from);
    d->parts = g_strdupv (c->parts);
    d->parts_done = g_strdupv (c->parts_done);
    d->missing = g_strdupv (c->missing);
    d->outcome = g_strdup (c->outcome);
    return d;
}

static gboolean
strv_equal0 (char **a, char **b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return g_strv_equal ((const char *const *) a, (const char *const *) b);
}

gboolean
routing_case_equal (const RoutingCase *a, const RoutingCase *b)
{
    return g_strcmp0 (a->case_no, b->case_no) == 0 && g_strcmp0 (a->matter, b->matter) == 0
           && a->level == b->level && a->kind == b->kind && a->state == b->state
           && g_strcmp0 (a->window, b->window) == 0 && g_strcmp0 (a->station, b->station) == 0
           && g_strcmp0 (a->village, b->village) == 0 && g_strcmp0 (a->area, b->area) == 0
           && g_strcmp0 (a->channel, b->channel) == 0 && g_strcmp0 (a->applicant, b->applicant) == 0
           && g_strcmp0 (a->responsible, b->responsible) == 0 && g_strcmp0 (a->holder, b->holder) == 0
           && a->location == b->location && g_strcmp0 (a->sheet, b->sheet) == 0
           && g_strcmp0 (a->county, b->county) == 0 && g_strcmp0 (a->escalated_from, b->escalated_from) == 0
           && a->accepted_at == b->accepted_at && a->accompanied == b->accompanied
           && strv_equal0 (a->parts, b->parts) && strv_equal0 (a->parts_done, b->parts_done)
           && strv_equal0 (a->missing, b->missing) && g_strcmp0 (a->outcome, b->outcome) == 0
           && a->restricted == b->restricted && a->updated_at == b->updated_at
           && a->updated_seq == b->updated_seq;
}

void
routing_effect_free (RoutingEffect *fx)
{
    if (fx == NULL)
        return;
    g_free (fx->from);
    g_free (fx->to);
    g_free (fx->reason);
    g_free (fx->previous);
    g_free (fx->part);
    g_free (fx->result);
    g_free (fx->unaccompanied);
    g_free (fx->county);
    g_free (fx->answer);
    g_free (fx->apply_to);
    g_free (fx->outcome);
    g_free (fx->text);
    g_free (fx->note);
    g_free (fx->sheet);
    g_strfreev (fx->materials);
    g_free (fx->field);
    g_free (fx->value);
    g_free (fx);
}

static RoutingEffect *
effect_add (GPtrArray *effects, const char *type)
{
    RoutingEffect *fx = g_new0 (RoutingEffect, 1);
    fx->type = type;
    g_ptr_array_add (effects, fx);
    return fx;
}

/* ---- the machine ---- */

struct _RoutingMachine {
    DbnCatalog *catalog; /* borrowed: matters */
    DbnOrg *org;         /* borrowed: windows, agents, county departments, stations */
};

RoutingMachine *
routing_machine_new (DbnCatalog *catalog, DbnOrg *org)
{
    g_return_val_if_fail (catalog != NULL && org != NULL, NULL);
    RoutingMachine *self = g_new0 (RoutingMachine, 1);
    self->catalog = catalog;
    self->org = org;
    return self;
}

void
routing_machine_free (RoutingMachine *self)
{
    g_free (self);
}

void
routing_machine_set_catalog (RoutingMachine *self, DbnCatalog *catalog)
{
    g_return_if_fail (self != NULL && catalog != NULL);
    self->catalog = catalog;
}

const char *const *
routing_machine_get_departments (RoutingMachine *self, const char *matter)
{
    static const char *const none[] = { NULL };
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, matter);
    return m ? (const char *const *) m->departments : none;
}

/* Control characters would break the one-item-per-line storage of lists and
 * the CLI's lines; the schemas bound the lengths. Routing has always let a
 * tab and DEL through (a pasted note keeps its tabs). */
static gboolean
check_text (const char *value, const char *what, GError **error)
{
    return dbn_text_check (value, what, DBN_TEXT_TAB_OK | DBN_TEXT_DEL_OK, error);
}

static gboolean
require_reason (const char *reason, const char *what, GError **error)
{
    if (dbn_text_is_blank (reason)) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED, "%s needs a written reason", what);
        return FALSE;
    }
    return check_text (reason, "the reason", error);
}

static const DbnCountyDepartment *
county_by_id (DbnOrg *org, const char *id)
{
    for (guint i = 0; id != NULL && i < dbn_org_get_n_county_departments (org); i++) {
        const DbnCountyDepartment *d = dbn_org_get_county_department (org, i);
        if (strcmp (d->id, id) == 0)
            return d;
    }
    return NULL;
}

/* D-RTE-1: the first of the matter's departments that is a county
 * department, or NULL (a township matter). */
static const DbnCountyDepartment *
matter_county (RoutingMachine *self, const char *matter)
{
    const char *const *departments = routing_machine_get_departments (self, matter);
    for (int i = 0; departments[i] != NULL; i++) {
        const DbnCountyDepartment *d = dbn_org_lookup_county_department (self->org, departments[i]);
        if (d != NULL)
            return d;
    }
    return NULL;
}

/* Checks "window:<id>", "agent:<id>", "county:<id>" or "station:<id>"
 * against org.ini. */
static gboolean
check_holder (RoutingMachine *self, const char *holder, GError **error)
{
    const char *colon = holder ? strchr (holder, ':') : NULL;
    gboolean known = FALSE;
    if (colon != NULL) {
        const char *id = colon + 1;
        gsize prefix = colon - holder;
        if (prefix == 6 && strncmp (holder, "window", 6) == 0)
            known = dbn_org_lookup_window (self->org, id) != NULL;
        else if (prefix == 5 && strncmp (holder, "agent", 5) == 0)
            known = dbn_org_lookup_agent (self->org, id) != NULL;
        else if (prefix == 6 && strncmp (holder, "county", 6) == 0)
            known = county_by_id (self->org, id) != NULL;
        else if (prefix == 7 && strncmp (holder, "station", 7) == 0)
            known = dbn_org_lookup_station (self->org, id) != NULL;
    }
    if (!known)
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET,
                     "'%s' is not window:, agent:, county: or station: followed by an id of org.ini",
                     holder ? holder : "");
    return known;
}

/* The holder is the case's station or one of its village agents (the
 * mediation officer of a petition, D-INT-8). */
static gboolean
held_at_station (RoutingMachine *self, const RoutingCase *c)
{
    if (g_str_has_prefix (c->holder, "station:"))
        return TRUE;
    if (!g_str_has_prefix (c->holder, "agent:"))
        return FALSE;
    const DbnAgent *agent = dbn_org_lookup_agent (self->org, c->holder + strlen ("agent:"));
    return agent != NULL && agent->level != DBN_AGENT_LEVEL_TOWNSHIP
           && g_strcmp0 (agent->station, c->station) == 0;
}

/* D-INT-8: a petition never goes to a village or group agent who does not
 * take petitions (the station's other people). The station itself stays a
 * possible holder: its key is the station's, the mediation officer's too
 * (docs/security.md). */
static gboolean
petition_may_go_to (RoutingMachine *self, const RoutingCase *c, const char *to, GError **error)
{
    if (!c->restricted)
        return TRUE;
    gboolean refused = FALSE;
    if (g_str_has_prefix (to, "agent:")) {
        const DbnAgent *agent = dbn_org_lookup_agent (self->org, to + strlen ("agent:"));
        refused = agent != NULL && agent->level != DBN_AGENT_LEVEL_TOWNSHIP && !agent->petitions;
    }
    if (refused)
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN,
                     "%s is a petition (D-INT-8): only its mediation officer or a window may hold it, not %s",
                     c->case_no, to);
    return !refused;
}

/* An action: guards, then changes to the copy c and effects. *next holds the
 * table's next state and may be changed (a joint case waiting for parts). */
typedef gboolean (*RoutingAction) (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a,
                                   RoutingState *next, GPtrArray *effects, GError **error);

static gboolean
classify (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
          GError **error)
{
    DbnHandlingKind kind;
    if (!routing_kind_from_string (a->kind, &kind)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "kind must be immediate, committed, joint, escalated or returned, not '%s'",
                     a->kind ? a->kind : "");
        return FALSE;
    }
    /* D-RTE-2: a kind never changes silently. */
    if (!require_reason (a->reason, "a classification", error))
        return FALSE;
    if (c->state != ROUTING_STATE_RECEIVED && kind == c->kind) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "the case is already %s",
                     dbn_handling_kind_to_string (kind));
        return FALSE;
    }
    g_auto (GStrv) parts = NULL;
    if (kind == DBN_KIND_JOINT) {
        /* D-RTE-2: one part per department, handled in parallel. */
        const char *const *given = a->parts && a->parts[0]
                                       ? (const char *const *) a->parts
                                       : routing_machine_get_departments (self, c->matter);
        g_autoptr (GPtrArray) unique = g_ptr_array_new_with_free_func (g_free);
        for (int i = 0; given[i] != NULL; i++) {
            if (dbn_text_is_blank (given[i])) {
                g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "a part must name a department");
                return FALSE;
            }
            if (!check_text (given[i], "a part", error))
                return FALSE;
            if (!g_ptr_array_find_with_equal_func (unique, given[i], g_str_equal, NULL))
                g_ptr_array_add (unique, g_strdup (given[i]));
        }
        if (unique->len < 2) {
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_WRONG_KIND,
                         "a joint case needs two or more departments (%s has %u)", c->matter, unique->len);
            return FALSE;
        }
        g_ptr_array_add (unique, NULL);
        parts = (GStrv) g_ptr_array_steal (unique, NULL);
    } else {
        parts = g_new0 (char *, 1);
    }
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_CLASSIFIED_WIRE);
    fx->previous = g_strdup (dbn_handling_kind_to_string (c->kind));
    fx->reason = g_strdup (a->reason);
    c->kind = kind;
    g_strfreev (c->parts);
    c->parts = g_steal_pointer (&parts);
    g_strfreev (c->parts_done);
    c->parts_done = g_new0 (char *, 1);
    return TRUE;
}

static gboolean
refuse_returned (const RoutingCase *c, const char *what, GError **error)
{
    if (c->kind != DBN_KIND_RETURNED)
        return TRUE;
    g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_WRONG_KIND,
                 "a case classified as returned is not %s: return it (case.return)", what);
    return FALSE;
}

static gboolean
assign (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
        GError **error)
{
    if (!refuse_returned (c, "assigned", error) || !check_text (a->reason, "the reason", error))
        return FALSE;
    if (a->window != NULL && a->agent != NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "assign to a window or to an agent, not both");
        return FALSE;
    }
    g_autofree char *to = NULL;
    const char *window = NULL;
    if (a->agent != NULL) {
        const DbnAgent *agent = dbn_org_lookup_agent (self->org, a->agent);
        /* D-RTE-1: county matters go through a township agent. */
        if (agent == NULL || agent->level != DBN_AGENT_LEVEL_TOWNSHIP) {
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET,
                         "'%s' is not a township agent of org.ini", a->agent);
            return FALSE;
        }
        to = g_strdup_printf ("agent:%s", agent->id);
    } else if (a->window != NULL) {
        if (dbn_org_lookup_window (self->org, a->window) == NULL) {
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET, "no window '%s' in org.ini",
                         a->window);
            return FALSE;
        }
        window = a->window;
    } else if (c->level == DBN_LEVEL_COUNTY && matter_county (self, c->matter) != NULL) {
        /* D-RTE-1 default: the first agent who carries the matter's county department. */
        to = g_strdup_printf ("agent:%s", matter_county (self, c->matter)->agents[0]);
    } else if (c->window != NULL && *c->window != '\0') {
        window = c->window;
    } else {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET,
                     "matter %s names no window: assign it with a window or an agent", c->matter);
        return FALSE;
    }
    if (window != NULL)
        to = g_strdup_printf ("window:%s", window);
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_ASSIGNED_WIRE);
    fx->handoff = TRUE;
    fx->from = g_strdup (c->holder);
    fx->to = g_strdup (to);
    fx->reason = dbn_text_is_blank (a->reason) ? NULL : g_strdup (a->reason);
    if (window != NULL)
        dbn_text_set (&c->window, window);
    dbn_text_set (&c->holder, to);
    return TRUE;
}

static gboolean
handoff (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
         GError **error)
{
    /* D-RTE-5: nothing changes hands silently. */
    if (!require_reason (a->reason, "a handoff", error) || !check_holder (self, a->to, error)
        || !petition_may_go_to (self, c, a->to, error))
        return FALSE;
    if (g_strcmp0 (a->to, c->holder) == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s has the case already", a->to);
        return FALSE;
    }
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_HANDED_OFF_WIRE);
    fx->handoff = TRUE;
    fx->from = g_strdup (c->holder);
    fx->to = g_strdup (a->to);
    fx->reason = g_strdup (a->reason);
    /* A window's queue follows the case; an agent or department keeps it
     * in the queue of the window it came from. D-INT-6: responsible stays. */
    if (g_str_has_prefix (a->to, "window:"))
        dbn_text_set (&c->window, a->to + strlen ("window:"));
    dbn_text_set (&c->holder, a->to);
    return TRUE;
}

static gboolean
start (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
       GError **error)
{
    if (!refuse_returned (c, "handled", error))
        return FALSE;
    effect_add (effects, DBN_MSG_CASE_STARTED_WIRE);
    return TRUE;
}

/* D-RTE-4: a matter needing the applicant in person completes after the
 * accompaniment (case.accompany), or with the reason it did not happen. */
static gboolean
check_accompanied (RoutingMachine *self, const RoutingCase *c, const RoutingArgs *a, GError **error)
{
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, c->matter);
    if (m == NULL || !m->presence || c->accompanied || !dbn_text_is_blank (a->unaccompanied))
        return TRUE;
    g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_NOT_ACCOMPANIED,
                 "%s needs the applicant in person: record the accompaniment (case.accompany) or give the "
                 "reason it did not happen (unaccompanied)",
                 c->matter);
    return FALSE;
}

static void
add_completed (RoutingMachine *self, const RoutingCase *c, const RoutingArgs *a, const char *result,
               GPtrArray *effects)
{
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_COMPLETED_WIRE);
    fx->result = g_strdup (result);
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, c->matter);
    if (m != NULL && m->presence && !c->accompanied)
        fx->unaccompanied = g_strdup (a->unaccompanied);
}

static gboolean
complete (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
          GError **error)
{
    if (!refuse_returned (c, "completed", error) || !check_text (a->result, "the result", error)
        || !check_text (a->unaccompanied, "the reason for no accompaniment", error))
        return FALSE;
    const char *result = dbn_text_is_blank (a->result) ? NULL : a->result;
    if (c->kind != DBN_KIND_JOINT) {
        if (a->part != NULL) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "only a joint case has parts");
            return FALSE;
        }
        if (!check_accompanied (self, c, a, error))
            return FALSE;
        add_completed (self, c, a, result, effects);
        return TRUE;
    }
    /* D-RTE-2: a joint case is done when all its parts are. */
    if (a->part == NULL || !g_strv_contains ((const char *const *) c->parts, a->part)
        || g_strv_contains ((const char *const *) c->parts_done, a->part)) {
        g_autofree char *open = NULL;
        GString *s = g_string_new (NULL);
        for (int i = 0; c->parts[i] != NULL; i++)
            if (!g_strv_contains ((const char *const *) c->parts_done, c->parts[i]))
                g_string_append_printf (s, "%s%s", s->len ? ", " : "", c->parts[i]);
        open = g_string_free (s, FALSE);
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_PART,
                     "'%s' is not an open part of this joint case (open: %s)", a->part ? a->part : "",
                     *open ? open : "none");
        return FALSE;
    }
    guint done = g_strv_length (c->parts_done) + 1;
    guint total = g_strv_length (c->parts);
    /* The last part completes the case (D-RTE-4 then). */
    if (done == total && !check_accompanied (self, c, a, error))
        return FALSE;
    c->parts_done = g_renew (char *, c->parts_done, done + 1);
    c->parts_done[done - 1] = g_strdup (a->part);
    c->parts_done[done] = NULL;
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_PART_COMPLETED_WIRE);
    fx->part = g_strdup (a->part);
    fx->result = g_strdup (result);
    fx->parts_done = done;
    fx->parts_total = total;
    if (done < total) {
        *next = c->state; /* waits for the other parts */
        return TRUE;
    }
    add_completed (self, c, a, result, effects);
    return TRUE;
}

static gboolean
escalate (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
          GError **error)
{
    if (c->kind != DBN_KIND_ESCALATED) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_WRONG_KIND,
                     "only an escalated case (上报件) goes to the county; this one is %s: classify it first",
                     dbn_handling_kind_to_string (c->kind));
        return FALSE;
    }
    if (!check_text (a->reason, "the reason", error))
        return FALSE;
    const DbnCountyDepartment *county =
        a->county ? county_by_id (self->org, a->county) : matter_county (self, c->matter);
    if (county == NULL) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET,
                     a->county ? "no county department '%s' in org.ini"
                               : "matter %s names no county department: give one",
                     a->county ? a->county : c->matter);
        return FALSE;
    }
    g_autofree char *to = g_strdup_printf ("county:%s", county->id);
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_ESCALATED_WIRE);
    fx->handoff = TRUE;
    fx->from = g_strdup (c->holder);
    fx->to = g_strdup (to);
    fx->county = g_strdup (county->id);
    fx->reason = dbn_text_is_blank (a->reason) ? NULL : g_strdup (a->reason);
    dbn_text_set (&c->escalated_from, c->holder);
    dbn_text_set (&c->county, county->id);
    dbn_text_set (&c->holder, to);
    return TRUE;
}

static gboolean
county_answer (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next,
               GPtrArray *effects, GError **error)
{
    if (dbn_text_is_blank (a->answer)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "the county's answer must be written down");
        return FALSE;
    }
    if (!check_text (a->answer, "the answer", error))
        return FALSE;
    /* The answer comes back to whoever took the case to the county. */
    const char *back = c->escalated_from;
    g_autofree char *fallback = NULL;
    if (back == NULL) {
        const DbnCountyDepartment *county = county_by_id (self->org, c->county);
        back = fallback = county ? g_strdup_printf ("agent:%s", county->agents[0]) : g_strdup (c->holder);
    }
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_COUNTY_ANSWERED_WIRE);
    fx->handoff = TRUE;
    fx->from = g_strdup (c->holder);
    fx->to = g_strdup (back);
    fx->reason = g_strdup ("county answered");
    fx->county = g_strdup (c->county ? c->county : "");
    fx->answer = g_strdup (a->answer);
    fx->approved = a->approved;
    dbn_text_set (&c->holder, back);
    return TRUE;
}

static gboolean
return_case (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next,
             GPtrArray *effects, GError **error)
{
    /* D-INT-5: a written reason and where to apply instead. */
    if (!require_reason (a->reason, "a return", error))
        return FALSE;
    if (dbn_text_is_blank (a->apply_to)) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED,
                     "a return must say where to apply instead");
        return FALSE;
    }
    if (!check_text (a->apply_to, "where to apply", error))
        return FALSE;
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_RETURNED_WIRE);
    fx->reason = g_strdup (a->reason);
    fx->apply_to = g_strdup (a->apply_to);
    c->kind = DBN_KIND_RETURNED;
    return TRUE;
}

static gboolean
reply (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
       GError **error)
{
    if (!check_text (a->result, "the result", error) || !check_text (a->reason, "the reason", error))
        return FALSE;
    if (a->has_fee_charged && a->fee_charged < 0) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, "the fee charged cannot be negative");
        return FALSE;
    }
    gboolean done = c->state == ROUTING_STATE_COMPLETED;
    const char *text = NULL;
    if (done) {
        /* D-RPL-1: the result is brought back and told. */
        text = !dbn_text_is_blank (a->result) ? a->result : a->reason;
        if (dbn_text_is_blank (text)) {
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED, "a reply must tell the result");
            return FALSE;
        }
    } else {
        /* D-RPL-2: a case not completed is answered with the reason. */
        if (!require_reason (a->reason, "a reply on a case that was not completed", error))
            return FALSE;
        text = a->reason;
    }
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_REPLIED_WIRE);
    fx->outcome = g_strdup (done ? "done" : "not_done");
    fx->text = g_strdup (text);
    fx->has_satisfied = a->has_satisfied;
    fx->satisfied = a->satisfied;
    fx->has_confirmed = a->has_confirmed;
    fx->confirmed = a->confirmed;
    fx->has_fee_charged = a->has_fee_charged;
    fx->fee_charged = a->fee_charged;
    dbn_text_set (&c->outcome, fx->outcome);
    return TRUE;
}

static gboolean
archive (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
         GError **error)
{
    effect_add (effects, DBN_MSG_CASE_ARCHIVED_WIRE);
    return TRUE;
}

static gboolean
accompany (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
           GError **error)
{
    if (!check_text (a->note, "the note", error))
        return FALSE;
    /* D-RTE-4: recorded each time; the flag says it happened at all. */
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_ACCOMPANIED_WIRE);
    fx->note = dbn_text_is_blank (a->note) ? NULL : g_strdup (a->note);
    c->accompanied = TRUE;
    return TRUE;
}

static gboolean
carry (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next, GPtrArray *effects,
       GError **error)
{
    /* D-RTE-3: only papers still at the station travel, and a village
     * matter is decided at the station itself. */
    if (c->location != ROUTING_LOCATION_STATION || c->level == DBN_LEVEL_VILLAGE || a->sheet == NULL) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY,
                     "%s does not wait at the station to be carried", c->case_no);
        return FALSE;
    }
    c->location = ROUTING_LOCATION_IN_TRANSIT;
    dbn_text_set (&c->sheet, a->sheet);
    return TRUE; /* the run sheet's own event lists the case */
}

static gboolean
acknowledge (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next,
             GPtrArray *effects, GError **error)
{
    if (c->location != ROUTING_LOCATION_IN_TRANSIT || g_strcmp0 (c->sheet, a->sheet) != 0) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_NOT_ON_SHEET, "%s is not in transit on run sheet %s",
                     c->case_no, a->sheet ? a->sheet : "");
        return FALSE;
    }
    /* D-RTE-5: receipt at the centre is a handoff from the station to the
     * front desk of the owning window (前台受理), unless someone there has
     * the case already. */
    const char *to = c->holder;
    g_autofree char *front_desk = NULL;
    if (held_at_station (self, c) && c->window != NULL && *c->window != '\0')
        to = front_desk = g_strdup_printf ("window:%s", c->window);
    RoutingEffect *fx = effect_add (effects, DBN_MSG_RUNSHEET_ACKNOWLEDGED_WIRE);
    fx->handoff = TRUE;
    fx->from = g_strdup_printf ("station:%s", c->station);
    fx->to = g_strdup (to);
    fx->reason = g_strdup_printf ("run sheet %s", a->sheet);
    fx->sheet = g_strdup (a->sheet);
    c->location = ROUTING_LOCATION_CENTRE;
    dbn_text_set (&c->holder, to);
    return TRUE;
}

static gboolean
materials_missing (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next,
                   GPtrArray *effects, GError **error)
{
    /* D-INT-4: intake told the applicant; routing keeps the list to show it.
     * case.routed already carried the state, so no event of its own. */
    g_strfreev (c->missing);
    c->missing = g_strdupv ((char **) (a->missing ? a->missing : (char *const[]){ NULL }));
    return TRUE;
}

static gboolean
materials_supplied (RoutingMachine *self, RoutingCase *c, const RoutingArgs *a, RoutingState *next,
                    GPtrArray *effects, GError **error)
{
    /* D-INT-4: everything arrived; the case resumes where it waits to be
     * classified (the table's next state), with nothing missing. */
    RoutingEffect *fx = effect_add (effects, DBN_MSG_CASE_RESUMED_WIRE);
    fx->materials = g_strdupv ((char **) (a->materials ? a->materials : (char *const[]){ NULL }));
    g_strfreev (c->missing);
    c->missing = g_new0 (char *, 1);
    return TRUE;
}

/* ---- the table ---- */

typedef struct {
    RoutingAction action; /* NULL: no such transition */
    RoutingState next;    /* the state after a successful action */
} Transition;

#define T(next_, action_)                                                                                    \
    {                                                                                                        \
        action_, ROUTING_STATE_##next_                                                                       \
    }

/* Rows: the state a case is in. Columns: the input. An absent cell is an
 * illegal transition. Order within a row follows RoutingInput. */
static const Transition transitions[ROUTING_N_STATES][ROUTING_N_INPUTS] = {
    [ROUTING_STATE_RECEIVED] = {
        [ROUTING_INPUT_CLASSIFY] = T (CLASSIFIED, classify),
        [ROUTING_INPUT_RETURN] = T (RETURNED, return_case),
        [ROUTING_INPUT_ACCOMPANY] = T (RECEIVED, accompany),
        [ROUTING_INPUT_CARRY] = T (RECEIVED, carry),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (RECEIVED, acknowledge),
        [ROUTING_INPUT_MATERIALS_MISSING] = T (AWAITING_MATERIALS, materials_missing),
    },
    /* D-INT-4: it waits; it can only be returned or answered with the
     * reason, until intake has every material and it resumes. */
    [ROUTING_STATE_AWAITING_MATERIALS] = {
        [ROUTING_INPUT_RETURN] = T (RETURNED, return_case),
        [ROUTING_INPUT_REPLY] = T (REPLIED, reply),
        [ROUTING_INPUT_MATERIALS_MISSING] = T (AWAITING_MATERIALS, materials_missing),
        [ROUTING_INPUT_MATERIALS_SUPPLIED] = T (RECEIVED, materials_supplied),
    },
    [ROUTING_STATE_CLASSIFIED] = {
        [ROUTING_INPUT_CLASSIFY] = T (CLASSIFIED, classify),
        [ROUTING_INPUT_ASSIGN] = T (ASSIGNED, assign),
        [ROUTING_INPUT_HANDOFF] = T (CLASSIFIED, handoff),
        [ROUTING_INPUT_RETURN] = T (RETURNED, return_case),
        [ROUTING_INPUT_ACCOMPANY] = T (CLASSIFIED, accompany),
        [ROUTING_INPUT_CARRY] = T (CLASSIFIED, carry),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (CLASSIFIED, acknowledge),
    },
    [ROUTING_STATE_ASSIGNED] = {
        [ROUTING_INPUT_CLASSIFY] = T (ASSIGNED, classify),
        [ROUTING_INPUT_HANDOFF] = T (ASSIGNED, handoff),
        [ROUTING_INPUT_START] = T (IN_PROGRESS, start),
        [ROUTING_INPUT_ESCALATE] = T (ESCALATED, escalate),
        [ROUTING_INPUT_RETURN] = T (RETURNED, return_case),
        [ROUTING_INPUT_ACCOMPANY] = T (ASSIGNED, accompany),
        [ROUTING_INPUT_CARRY] = T (ASSIGNED, carry),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (ASSIGNED, acknowledge),
    },
    [ROUTING_STATE_IN_PROGRESS] = {
        [ROUTING_INPUT_CLASSIFY] = T (IN_PROGRESS, classify),
        [ROUTING_INPUT_HANDOFF] = T (IN_PROGRESS, handoff),
        [ROUTING_INPUT_COMPLETE] = T (COMPLETED, complete),
        [ROUTING_INPUT_ESCALATE] = T (ESCALATED, escalate),
        [ROUTING_INPUT_RETURN] = T (RETURNED, return_case),
        [ROUTING_INPUT_ACCOMPANY] = T (IN_PROGRESS, accompany),
        [ROUTING_INPUT_CARRY] = T (IN_PROGRESS, carry),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (IN_PROGRESS, acknowledge),
    },
    /* Tracked until the county answers (D-RTE-2 上报件). */
    [ROUTING_STATE_ESCALATED] = {
        [ROUTING_INPUT_HANDOFF] = T (ESCALATED, handoff),
        [ROUTING_INPUT_COUNTY_ANSWER] = T (COUNTY_ANSWERED, county_answer),
        [ROUTING_INPUT_ACCOMPANY] = T (ESCALATED, accompany),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (ESCALATED, acknowledge),
    },
    /* Completed when approved and done; a refusal is replied with its reason (D-RPL-2). */
    [ROUTING_STATE_COUNTY_ANSWERED] = {
        [ROUTING_INPUT_HANDOFF] = T (COUNTY_ANSWERED, handoff),
        [ROUTING_INPUT_COMPLETE] = T (COMPLETED, complete),
        [ROUTING_INPUT_REPLY] = T (REPLIED, reply),
        [ROUTING_INPUT_ACCOMPANY] = T (COUNTY_ANSWERED, accompany),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (COUNTY_ANSWERED, acknowledge),
    },
    [ROUTING_STATE_COMPLETED] = {
        [ROUTING_INPUT_REPLY] = T (REPLIED, reply),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (COMPLETED, acknowledge),
    },
    /* D-INT-5: answered in writing. */
    [ROUTING_STATE_RETURNED] = {
        [ROUTING_INPUT_REPLY] = T (REPLIED, reply),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (RETURNED, acknowledge),
    },
    [ROUTING_STATE_REPLIED] = {
        [ROUTING_INPUT_ARCHIVE] = T (ARCHIVED, archive),
        [ROUTING_INPUT_ACKNOWLEDGE] = T (REPLIED, acknowledge),
    },
    /* D-RPL-4: read-only. */
    [ROUTING_STATE_ARCHIVED] = { { NULL } },
};

#undef T

gboolean
routing_machine_allows (RoutingState state, RoutingInput input)
{
    g_return_val_if_fail ((guint) state < ROUTING_N_STATES && (guint) input < ROUTING_N_INPUTS, FALSE);
    return transitions[state][input].action != NULL;
}

RoutingState
routing_machine_next (RoutingState state, RoutingInput input)
{
    g_return_val_if_fail (routing_machine_allows (state, input), state);
    return transitions[state][input].next;
}

gboolean
routing_machine_step (RoutingMachine *self, RoutingCase *c, const RoutingArgs *args, GPtrArray *effects,
                      GError **error)
{
    g_return_val_if_fail (self != NULL && c != NULL && args != NULL && effects != NULL, FALSE);
    g_return_val_if_fail ((guint) c->state < ROUTING_N_STATES && (guint) args->input < ROUTING_N_INPUTS,
                          FALSE);
    const Transition *t = &transitions[c->state][args->input];
    if (t->action == NULL) {
        if (c->state == ROUTING_STATE_ARCHIVED)
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_ARCHIVED,
                         "%s is archived: it cannot %s (D-RPL-4)", c->case_no,
                         routing_input_to_string (args->input));
        else
            g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION, "%s is %s: it cannot %s",
                         c->case_no, routing_state_to_string (c->state),
                         routing_input_to_string (args->input));
        return FALSE;
    }
    g_autoptr (RoutingCase) work = routing_case_copy (c);
    g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    RoutingState next = t->next;
    if (!t->action (self, work, args, &next, added, error))
        return FALSE;
    work->state = next;
    /* Swap the changed copy in; the caller's pointer stays valid. */
    RoutingCase tmp = *c;
    *c = *work;
    *work = tmp;
    for (guint i = 0; i < added->len; i++)
        g_ptr_array_add (effects, g_steal_pointer (&added->pdata[i]));
    return TRUE;
}

RoutingCase *
routing_machine_route (RoutingMachine *self, const DbnMsgCaseAccepted *accepted, GPtrArray *effects,
                       GError **error)
{
    if (!dbn_org_check_village (self->org, accepted->village, error))
        return NULL;
    RoutingCase *c = routing_case_new ();
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, accepted->matter);
    const DbnVillage *village = dbn_org_lookup_village (self->org, accepted->village);
    c->case_no = g_strdup (accepted->env.case_no);
    c->matter = g_strdup (accepted->matter);
    /* A matter the catalog lost since intake took it (a reload) still gets
     * routed, without a window: a clerk assigns it by hand. */
    c->level = matter ? matter->level : DBN_LEVEL_TOWNSHIP;
    c->kind = matter ? matter->kind : DBN_KIND_COMMITTED;
    c->window = g_strdup (matter ? matter->window : "");
    /* The station is the village's (by convention the same id); the area
     * is the village's area. */
    c->village = g_strdup (accepted->village);
    c->station = g_strdup (village->station);
    c->area = g_strdup (village->area);
    c->channel = g_strdup (accepted->channel);
    /* D-INT-8: fixed at routing; a later catalog edit does not expose a
     * petition already in the system. */
    c->restricted = matter != NULL && matter->restricted;
    c->applicant = g_strdup (accepted->applicant);
    /* D-INT-6: the first acceptor stays responsible through every handoff. */
    c->responsible = g_strdup (accepted->env.actor);
    c->accepted_at = accepted->env.ts;
    c->state = g_strcmp0 (accepted->state, "awaiting_materials") == 0 ? ROUTING_STATE_AWAITING_MATERIALS
                                                                      : ROUTING_STATE_RECEIVED;
    /* D-INT-7: walk-in and phone requests start at the centre's window; a
     * station's request waits at the station for the next run sheet. */
    gboolean at_station =
        g_strcmp0 (accepted->channel, "walk-in") != 0 && g_strcmp0 (accepted->channel, "phone") != 0;
    c->location = at_station ? ROUTING_LOCATION_STATION : ROUTING_LOCATION_CENTRE;
    /* D-INT-8: a station's petition is held by the village's mediation
     * officer (治保调解主任, org.ini petitions = true) from the start; at the
     * centre its window (xinfang) holds it. A station without one keeps it
     * in the station's hands, as before. */
    const DbnAgent *officer =
        at_station && c->restricted ? dbn_org_lookup_petition_agent (self->org, c->station) : NULL;
    if (officer != NULL)
        c->holder = g_strdup_printf ("agent:%s", officer->id);
    else if (at_station || *c->window == '\0')
        c->holder = g_strdup_printf ("station:%s", c->station);
    else
        c->holder = g_strdup_printf ("window:%s", c->window);
    effect_add (effects, DBN_MSG_CASE_ROUTED_WIRE);
    return c;
}
