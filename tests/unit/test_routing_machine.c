/* test_routing_machine: the case state machine of daiban-routing, cell by
 * cell, without a process.
 *
 * The table test walks every (state, input): an empty cell must refuse with
 * routing.illegal-transition (routing.case-archived for an archived case)
 * and leave the case and the effects untouched; a filled cell, given
 * arguments its guards accept, must reach the table's next state. The
 * other tests pin the guards to their rules (D-RTE-*, D-INT-5/6, D-RPL-*).
 */
#include "routing_machine.h"

typedef struct {
    DbnCatalog *catalog;
    DbnOrg *org;
    RoutingMachine *machine;
    GPtrArray *effects; /* RoutingEffect* of the last step */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->catalog = dbn_catalog_load (DBN_SOURCE_DIR "/schemas/data/catalog.ini", &error);
    g_assert_no_error (error);
    f->org = dbn_org_load (dbn_org_default_path (), &error);
    g_assert_no_error (error);
    f->machine = routing_machine_new (f->catalog, f->org);
    f->effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_ptr_array_unref (f->effects);
    routing_machine_free (f->machine);
    dbn_org_free (f->org);
    dbn_catalog_free (f->catalog);
}

/* A case as routing_machine_route makes it from intake's case.accepted. */
static RoutingCase *
route (Fixture *f, const char *matter, const char *channel, const char *state)
{
    g_autoptr (DbnMsgCaseAccepted) ev = dbn_msg_case_accepted_new ();
    ev->env.case_no = g_strdup ("T01-2026-000042");
    ev->env.actor = g_strdup ("station:qs-li");
    ev->env.ts = 1764000000000;
    ev->matter = g_strdup (matter);
    ev->village = g_strdup ("qingshui");
    ev->applicant = g_strdup ("张三");
    ev->channel = g_strdup (channel);
    ev->state = g_strdup (state);
    g_ptr_array_set_size (f->effects, 0);
    g_autoptr (GError) error = NULL;
    RoutingCase *c = routing_machine_route (f->machine, ev, f->effects, &error);
    g_assert_no_error (error);
    return c;
}

static const char *
effect_type (Fixture *f, guint i)
{
    g_assert_cmpuint (i, <, f->effects->len);
    return ((RoutingEffect *) g_ptr_array_index (f->effects, i))->type;
}

static gboolean
step (Fixture *f, RoutingCase *c, const RoutingArgs *args, GError **error)
{
    g_ptr_array_set_size (f->effects, 0);
    return routing_machine_step (f->machine, c, args, f->effects, error);
}

/* Arguments every guard of input accepts, and the case shaped so that the
 * action's own conditions hold (a 上报件 to escalate, papers in transit to
 * acknowledge). Only fields no table cell looks at are changed. */
static RoutingArgs
valid_args (RoutingInput input, RoutingCase *c)
{
    static char *const missing[] = { "户口簿", NULL };
    RoutingArgs a = { .input = input, .actor = "window:minzheng" };
    switch (input) {
    case ROUTING_INPUT_CLASSIFY:
        a.kind = c->kind == DBN_KIND_COMMITTED ? "immediate" : "committed";
        a.reason = "材料齐全";
        break;
    case ROUTING_INPUT_ASSIGN: a.window = "minzheng"; break;
    case ROUTING_INPUT_HANDOFF:
        a.to = "window:shebao";
        a.reason = "属社保事项";
        break;
    case ROUTING_INPUT_COMPLETE: a.result = "已办结"; break;
    case ROUTING_INPUT_ESCALATE:
        c->kind = DBN_KIND_ESCALATED;
        a.county = "minzheng";
        break;
    case ROUTING_INPUT_COUNTY_ANSWER:
        a.answer = "同意";
        a.approved = TRUE;
        break;
    case ROUTING_INPUT_RETURN:
        a.reason = "不属于代办范围";
        a.apply_to = "县信访局";
        break;
    case ROUTING_INPUT_REPLY:
        a.result = "已办结";
        a.reason = "材料未补齐";
        break;
    case ROUTING_INPUT_ACCOMPANY: a.note = "陪同到县医院"; break;
    case ROUTING_INPUT_CARRY:
        c->location = ROUTING_LOCATION_STATION;
        a.sheet = "RS-20261129-qingshui-1";
        break;
    case ROUTING_INPUT_ACKNOWLEDGE:
        c->location = ROUTING_LOCATION_IN_TRANSIT;
        g_free (c->sheet);
        c->sheet = g_strdup ("RS-20261129-qingshui-1");
        a.sheet = "RS-20261129-qingshui-1";
        break;
    case ROUTING_INPUT_MATERIALS_MISSING: a.missing = missing; break;
    case ROUTING_INPUT_MATERIALS_SUPPLIED: a.materials = missing; break;
    default: break;
    }
    return a;
}

static void
test_every_cell (Fixture *f, gconstpointer data)
{
    guint illegal = 0, legal = 0;
    for (guint s = 0; s < ROUTING_N_STATES; s++) {
        for (guint i = 0; i < ROUTING_N_INPUTS; i++) {
            /* A committed township matter: no parts, a window, at the station. */
            g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "accepted");
            c->state = s;
            RoutingArgs args = valid_args (i, c);
            g_autoptr (RoutingCase) before = routing_case_copy (c);
            g_autoptr (GError) error = NULL;
            gboolean ok = step (f, c, &args, &error);
            if (!routing_machine_allows (s, i)) {
                illegal++;
                g_assert_false (ok);
                if (s == ROUTING_STATE_ARCHIVED)
                    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_ARCHIVED);
                else
                    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
                /* Changes nothing. */
                g_assert_true (routing_case_equal (c, before));
                g_assert_cmpuint (f->effects->len, ==, 0);
                continue;
            }
            legal++;
            if (!ok)
                g_error ("%s × %s refused: %s", routing_state_to_string (s), routing_input_to_string (i),
                         error->message);
            g_assert_cmpint (c->state, ==, routing_machine_next (s, i));
            /* Carrying and the materials list are reported by other events. */
            if (i != ROUTING_INPUT_CARRY && i != ROUTING_INPUT_MATERIALS_MISSING)
                g_assert_cmpuint (f->effects->len, >=, 1);
            g_assert_cmpstr (c->responsible, ==, "station:qs-li");
        }
    }
    /* The table is not trivially empty or full. */
    g_assert_cmpuint (legal, ==, 48);
    g_assert_cmpuint (illegal, ==, ROUTING_N_STATES * ROUTING_N_INPUTS - 48);
}

/* D-RPL-4: nothing is allowed on an archived case, by name. */
static void
test_archived_is_read_only (Fixture *f, gconstpointer data)
{
    for (guint i = 0; i < ROUTING_N_INPUTS; i++)
        g_assert_false (routing_machine_allows (ROUTING_STATE_ARCHIVED, i));
    g_autoptr (RoutingCase) c = route (f, "JS-ZHUNSHENG", "station", "accepted");
    c->state = ROUTING_STATE_ARCHIVED;
    RoutingArgs args = valid_args (ROUTING_INPUT_HANDOFF, c);
    g_autoptr (GError) error = NULL;
    g_assert_false (step (f, c, &args, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_ARCHIVED);
}

static void
test_route_from_catalog_and_org (Fixture *f, gconstpointer data)
{
    g_autoptr (RoutingCase) c = route (f, "SB-ZHENGDI", "station", "accepted");
    g_assert_cmpuint (f->effects->len, ==, 1);
    g_assert_cmpstr (effect_type (f, 0), ==, "case.routed");
    g_assert_cmpint (c->state, ==, ROUTING_STATE_RECEIVED);
    g_assert_cmpint (c->kind, ==, DBN_KIND_JOINT);
    g_assert_cmpint (c->level, ==, DBN_LEVEL_COUNTY);
    g_assert_cmpstr (c->window, ==, "shebao");
    g_assert_cmpstr (c->station, ==, "qingshui");
    g_assert_cmpstr (c->area, ==, "east");
    g_assert_cmpstr (c->holder, ==, "station:qingshui");
    g_assert_cmpint (c->location, ==, ROUTING_LOCATION_STATION);
    g_assert_cmpstr (c->responsible, ==, "station:qs-li");

    /* D-INT-7: a walk-in starts at the window; D-INT-4: incomplete waits. */
    g_autoptr (RoutingCase) walk_in = route (f, "JS-ZHUNSHENG", "walk-in", "awaiting_materials");
    g_assert_cmpint (walk_in->state, ==, ROUTING_STATE_AWAITING_MATERIALS);
    g_assert_cmpint (walk_in->location, ==, ROUTING_LOCATION_CENTRE);
    g_assert_cmpstr (walk_in->holder, ==, "window:jisheng");

    /* A matter the catalog lacks still gets a case, without a window. */
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) ev = dbn_msg_case_accepted_new ();
    ev->env.case_no = g_strdup ("T01-2026-000043");
    ev->env.actor = g_strdup ("cli");
    ev->matter = g_strdup ("NO-SUCH");
    ev->village = g_strdup ("shiqiao");
    ev->applicant = g_strdup ("李四");
    ev->channel = g_strdup ("station");
    ev->state = g_strdup ("accepted");
    g_autoptr (RoutingCase) odd = routing_machine_route (f->machine, ev, f->effects, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (odd->station, ==, "shiqiao");
    g_assert_cmpstr (odd->window, ==, "");

    /* Issue 11: a village org.ini lacks gets no case: its id would become
     * the station's topic (s/qingshui/x/ reaches station qingshui). */
    const char *const hostile[] = { "nowhere", "qingshui/x", "shiqiao/zz", "../../etc",
                                    "",        "qing shui",  "qingshui\n", NULL };
    for (guint i = 0; hostile[i] != NULL; i++) {
        g_free (ev->village);
        ev->village = g_strdup (hostile[i]);
        guint effects_before = f->effects->len;
        RoutingCase *none = routing_machine_route (f->machine, ev, f->effects, &error);
        g_assert_null (none);
        g_assert_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_UNKNOWN_ID);
        g_assert_cmpuint (f->effects->len, ==, effects_before);
        g_clear_error (&error);
    }
}

static void
test_joint_waits_for_all_parts (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (RoutingCase) c = route (f, "SB-ZHENGDI", "walk-in", "accepted");
    RoutingArgs classify = { .input = ROUTING_INPUT_CLASSIFY, .kind = "joint", .reason = "三个部门会办" };
    g_assert_true (step (f, c, &classify, &error));
    g_assert_cmpuint (g_strv_length (c->parts), ==, 3);
    RoutingArgs assign = { .input = ROUTING_INPUT_ASSIGN };
    g_assert_true (step (f, c, &assign, &error));
    /* D-RTE-1: a county matter goes to a township agent by default. */
    g_assert_cmpstr (c->holder, ==, "agent:ts-zhao");
    RoutingArgs start = { .input = ROUTING_INPUT_START };
    g_assert_true (step (f, c, &start, &error));

    /* A joint case names its part. */
    RoutingArgs no_part = { .input = ROUTING_INPUT_COMPLETE };
    g_assert_false (step (f, c, &no_part, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_PART);
    g_clear_error (&error);

    const char *parts[] = { "县财政局", "县自然资源局", "县人力资源和社会保障局" };
    for (int i = 0; i < 3; i++) {
        RoutingArgs done = { .input = ROUTING_INPUT_COMPLETE, .part = parts[i], .result = "已办" };
        g_assert_true (step (f, c, &done, &error));
        g_assert_cmpstr (effect_type (f, 0), ==, "case.part_completed");
        g_assert_cmpint (((RoutingEffect *) g_ptr_array_index (f->effects, 0))->parts_done, ==, i + 1);
        if (i < 2) {
            g_assert_cmpint (c->state, ==, ROUTING_STATE_IN_PROGRESS);
            g_assert_cmpuint (f->effects->len, ==, 1);
            /* The same part twice is refused and changes nothing. */
            g_autoptr (RoutingCase) before = routing_case_copy (c);
            g_assert_false (step (f, c, &done, &error));
            g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_PART);
            g_clear_error (&error);
            g_assert_true (routing_case_equal (c, before));
        } else {
            g_assert_cmpint (c->state, ==, ROUTING_STATE_COMPLETED);
            g_assert_cmpuint (f->effects->len, ==, 2);
            g_assert_cmpstr (effect_type (f, 1), ==, "case.completed");
        }
    }
}

static void
test_kind_change_needs_reason (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "accepted");
    RoutingArgs no_reason = { .input = ROUTING_INPUT_CLASSIFY, .kind = "escalated" };
    g_assert_false (step (f, c, &no_reason, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    g_clear_error (&error);
    RoutingArgs bad_kind = { .input = ROUTING_INPUT_CLASSIFY, .kind = "urgent", .reason = "x" };
    g_assert_false (step (f, c, &bad_kind, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    g_clear_error (&error);
    /* Joint needs two departments: MZ-LINSHI has one. */
    RoutingArgs joint = { .input = ROUTING_INPUT_CLASSIFY, .kind = "joint", .reason = "x" };
    g_assert_false (step (f, c, &joint, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_WRONG_KIND);
    g_clear_error (&error);
    g_assert_cmpint (c->state, ==, ROUTING_STATE_RECEIVED);

    RoutingArgs ok = { .input = ROUTING_INPUT_CLASSIFY, .kind = "escalated", .reason = "需县民政局审批" };
    g_assert_true (step (f, c, &ok, &error));
    RoutingEffect *fx = g_ptr_array_index (f->effects, 0);
    g_assert_cmpstr (fx->type, ==, "case.classified");
    g_assert_cmpstr (fx->previous, ==, "committed");
    g_assert_cmpstr (fx->reason, ==, "需县民政局审批");
    /* The same kind again is no change. */
    g_assert_false (step (f, c, &ok, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
}

static void
test_escalate_needs_escalated_kind (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "walk-in", "accepted");
    c->state = ROUTING_STATE_ASSIGNED;
    RoutingArgs escalate = { .input = ROUTING_INPUT_ESCALATE };
    g_assert_false (step (f, c, &escalate, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_WRONG_KIND);
    g_clear_error (&error);

    g_autoptr (RoutingCase) dibao = route (f, "MZ-DIBAO", "walk-in", "accepted");
    RoutingArgs classify = { .input = ROUTING_INPUT_CLASSIFY, .kind = "escalated", .reason = "县级审批" };
    RoutingArgs assign = { .input = ROUTING_INPUT_ASSIGN };
    g_assert_true (step (f, dibao, &classify, &error));
    g_assert_true (step (f, dibao, &assign, &error));
    g_assert_cmpstr (dibao->holder, ==, "agent:ts-li");
    g_assert_true (step (f, dibao, &escalate, &error));
    g_assert_cmpint (dibao->state, ==, ROUTING_STATE_ESCALATED);
    g_assert_cmpstr (dibao->holder, ==, "county:minzheng");
    RoutingEffect *fx = g_ptr_array_index (f->effects, 0);
    g_assert_true (fx->handoff);
    g_assert_cmpstr (fx->from, ==, "agent:ts-li");
    /* The answer comes back to the agent who carried it. */
    RoutingArgs answer = { .input = ROUTING_INPUT_COUNTY_ANSWER, .answer = "同意纳入低保", .approved = TRUE };
    g_assert_true (step (f, dibao, &answer, &error));
    g_assert_cmpint (dibao->state, ==, ROUTING_STATE_COUNTY_ANSWERED);
    g_assert_cmpstr (dibao->holder, ==, "agent:ts-li");
}

static void
test_handoff_is_registered (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "accepted");
    c->state = ROUTING_STATE_ASSIGNED;
    RoutingArgs silent = { .input = ROUTING_INPUT_HANDOFF, .to = "window:shebao" };
    g_assert_false (step (f, c, &silent, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    g_clear_error (&error);
    const char *unknown[] = { "window:nope", "agent:nobody", "county:x", "station:y", "shebao", "", NULL };
    for (int i = 0; unknown[i] != NULL; i++) {
        RoutingArgs bad = { .input = ROUTING_INPUT_HANDOFF, .to = unknown[i], .reason = "x" };
        g_assert_false (step (f, c, &bad, &error));
        g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET);
        g_clear_error (&error);
    }
    /* D-INT-6: the responsible person survives every handoff. */
    const char *chain[] = { "window:shebao", "agent:ts-chen", "county:minzheng", "station:shiqiao", NULL };
    for (int i = 0; chain[i] != NULL; i++) {
        RoutingArgs h = { .input = ROUTING_INPUT_HANDOFF, .to = chain[i], .reason = "转办" };
        g_assert_true (step (f, c, &h, &error));
        RoutingEffect *fx = g_ptr_array_index (f->effects, 0);
        g_assert_true (fx->handoff);
        g_assert_cmpstr (fx->to, ==, chain[i]);
        g_assert_cmpstr (fx->reason, ==, "转办");
        g_assert_cmpstr (c->holder, ==, chain[i]);
        g_assert_cmpstr (c->responsible, ==, "station:qs-li");
    }
    /* A window's queue follows the case. */
    g_assert_cmpstr (c->window, ==, "shebao");
}

static void
test_return_needs_reason_and_where (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (RoutingCase) c = route (f, "QT-XINFANG", "station", "accepted");
    RoutingArgs no_where = { .input = ROUTING_INPUT_RETURN, .reason = "涉法涉诉" };
    g_assert_false (step (f, c, &no_where, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    g_clear_error (&error);
    RoutingArgs ok = { .input = ROUTING_INPUT_RETURN, .reason = "涉法涉诉", .apply_to = "县人民法院" };
    g_assert_true (step (f, c, &ok, &error));
    g_assert_cmpint (c->state, ==, ROUTING_STATE_RETURNED);
    g_assert_cmpint (c->kind, ==, DBN_KIND_RETURNED);
    /* D-RPL-2: answered with the reason, outcome not_done. */
    RoutingArgs result_only = { .input = ROUTING_INPUT_REPLY, .result = "办好了" };
    g_assert_false (step (f, c, &result_only, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_REASON_REQUIRED);
    g_clear_error (&error);
    RoutingArgs reply = { .input = ROUTING_INPUT_REPLY, .reason = "已书面告知退回理由" };
    g_assert_true (step (f, c, &reply, &error));
    g_assert_cmpstr (c->outcome, ==, "not_done");
}

static void
test_run_sheet_moves (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    /* A village matter is decided at the station: it does not travel. */
    g_autoptr (RoutingCase) village = route (f, "QT-RUDANG", "station", "accepted");
    RoutingArgs carry = { .input = ROUTING_INPUT_CARRY, .sheet = "RS-20261129-qingshui-1" };
    g_assert_false (step (f, village, &carry, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY);
    g_clear_error (&error);

    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "accepted");
    g_assert_true (step (f, c, &carry, &error));
    g_assert_cmpint (c->location, ==, ROUTING_LOCATION_IN_TRANSIT);
    /* Not twice, and not acknowledged on another sheet. */
    g_assert_false (step (f, c, &carry, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY);
    g_clear_error (&error);
    RoutingArgs wrong = { .input = ROUTING_INPUT_ACKNOWLEDGE, .sheet = "RS-20261129-qingshui-2" };
    g_assert_false (step (f, c, &wrong, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_NOT_ON_SHEET);
    g_clear_error (&error);
    RoutingArgs ack = { .input = ROUTING_INPUT_ACKNOWLEDGE, .sheet = "RS-20261129-qingshui-1" };
    g_assert_true (step (f, c, &ack, &error));
    g_assert_cmpint (c->location, ==, ROUTING_LOCATION_CENTRE);
    /* D-RTE-5: receipt is a handoff from the station to the front desk. */
    RoutingEffect *fx = g_ptr_array_index (f->effects, 0);
    g_assert_cmpstr (fx->type, ==, "runsheet.acknowledged");
    g_assert_true (fx->handoff);
    g_assert_cmpstr (fx->from, ==, "station:qingshui");
    g_assert_cmpstr (fx->to, ==, "window:minzheng");
}

static void
test_names_round_trip (void)
{
    for (guint s = 0; s < ROUTING_N_STATES; s++) {
        RoutingState back;
        g_assert_true (routing_state_from_string (routing_state_to_string (s), &back));
        g_assert_cmpint (back, ==, s);
    }
    RoutingState state;
    g_assert_false (routing_state_from_string ("closed", &state));
    g_assert_false (routing_state_from_string (NULL, &state));
    for (guint k = DBN_KIND_IMMEDIATE; k <= DBN_KIND_RETURNED; k++) {
        DbnHandlingKind back;
        g_assert_true (routing_kind_from_string (dbn_handling_kind_to_string (k), &back));
        g_assert_cmpint (back, ==, k);
    }
}

/* D-INT-4: a case waiting for materials resumes only from
 * awaiting_materials, and then waits for nothing. */
static void
test_materials_supplied_resumes (Fixture *f, gconstpointer data)
{
    static char *const missing[] = { "户口簿", NULL };
    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "awaiting_materials");
    g_assert_cmpint (c->state, ==, ROUTING_STATE_AWAITING_MATERIALS);
    RoutingArgs told = { .input = ROUTING_INPUT_MATERIALS_MISSING, .missing = missing };
    g_assert_true (step (f, c, &told, NULL));
    g_assert_cmpuint (g_strv_length (c->missing), ==, 1);
    /* Not before it is told to wait, nor twice. */
    RoutingArgs supplied = { .input = ROUTING_INPUT_MATERIALS_SUPPLIED, .materials = missing };
    g_autoptr (GError) error = NULL;
    g_assert_true (step (f, c, &supplied, &error));
    g_assert_cmpint (c->state, ==, ROUTING_STATE_RECEIVED);
    g_assert_cmpuint (g_strv_length (c->missing), ==, 0);
    g_assert_cmpuint (f->effects->len, ==, 1);
    g_assert_cmpstr (effect_type (f, 0), ==, "case.resumed");
    g_assert_cmpstr (((RoutingEffect *) g_ptr_array_index (f->effects, 0))->materials[0], ==, "户口簿");
    g_autoptr (RoutingCase) before = routing_case_copy (c);
    g_assert_false (step (f, c, &supplied, &error));
    g_assert_error (error, ROUTING_ERROR, ROUTING_ERROR_ILLEGAL_TRANSITION);
    g_assert_true (routing_case_equal (c, before));
}

/* D-INT-8: a petition is routed restricted, from the catalog. */
static void
test_petition_is_restricted (Fixture *f, gconstpointer data)
{
    g_autoptr (RoutingCase) p = route (f, "QT-XINFANG", "station", "accepted");
    g_assert_true (p->restricted);
    g_assert_cmpstr (p->window, ==, "xinfang");
    g_autoptr (RoutingCase) c = route (f, "MZ-LINSHI", "station", "accepted");
    g_assert_false (c->restricted);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/routing/machine/every-cell-of-the-table", test_every_cell);
    ADD ("/routing/D-RPL-4/archived-is-read-only", test_archived_is_read_only);
    ADD ("/routing/D-RTE-1/route-from-catalog-and-org", test_route_from_catalog_and_org);
    ADD ("/routing/D-RTE-2/joint-waits-for-all-parts", test_joint_waits_for_all_parts);
    ADD ("/routing/D-RTE-2/kind-change-needs-reason", test_kind_change_needs_reason);
    ADD ("/routing/D-RTE-1/escalate-needs-escalated-kind", test_escalate_needs_escalated_kind);
    ADD ("/routing/D-RTE-5/handoff-is-registered-and-keeps-responsible", test_handoff_is_registered);
    ADD ("/routing/D-INT-5/return-needs-reason-and-where", test_return_needs_reason_and_where);
    ADD ("/routing/D-RTE-3/run-sheet-moves", test_run_sheet_moves);
    ADD ("/routing/D-INT-4/materials-supplied-resumes", test_materials_supplied_resumes);
    ADD ("/routing/D-INT-8/petition-is-restricted", test_petition_is_restricted);
#undef ADD
    g_test_add_func ("/routing/machine/names-round-trip", test_names_round_trip);
    return g_test_run ();
}
