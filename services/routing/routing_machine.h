/* routing_machine.h: the case state machine of daiban-routing (D-RTE-*,
 * D-RPL-*, D-INT-6) as a table of (state × input) → next state + action.
 *
 * The machine is pure: it works on a RoutingCase in memory and appends the
 * changes it made as RoutingEffects (one per event to publish). It reads the
 * catalog and the organisation but never the store or the bus, so a unit
 * test drives every cell of the table without a process (routing_actions.c
 * loads, saves and publishes around it).
 */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

#define ROUTING_ERROR (routing_error_quark ())
GQuark routing_error_quark (void);

/* The codes (RoutingError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

typedef enum {
    ROUTING_STATE_RECEIVED,           /* routed from intake, not yet classified */
    ROUTING_STATE_AWAITING_MATERIALS, /* D-INT-4: intake waits for missing materials */
    ROUTING_STATE_CLASSIFIED,         /* has its kind (D-RTE-2) */
    ROUTING_STATE_ASSIGNED,           /* with a window or a township agent (D-RTE-1) */
    ROUTING_STATE_IN_PROGRESS,        /* being handled (joint: some parts may be done) */
    ROUTING_STATE_ESCALATED,          /* with a county department */
    ROUTING_STATE_COUNTY_ANSWERED,    /* the county answered; back with the township agent */
    ROUTING_STATE_COMPLETED,          /* handled (joint: every part) */
    ROUTING_STATE_RETURNED,           /* 退回件 with a written reason (D-INT-5) */
    ROUTING_STATE_REPLIED,            /* the applicant was told (D-RPL-1/2) */
    ROUTING_STATE_ARCHIVED,           /* read-only (D-RPL-4) */
    ROUTING_N_STATES
} RoutingState;

typedef enum {
    ROUTING_INPUT_CLASSIFY,           /* case.classify */
    ROUTING_INPUT_ASSIGN,             /* case.assign */
    ROUTING_INPUT_HANDOFF,            /* case.handoff */
    ROUTING_INPUT_START,              /* case.start */
    ROUTING_INPUT_COMPLETE,           /* case.complete */
    ROUTING_INPUT_ESCALATE,           /* case.escalate */
    ROUTING_INPUT_COUNTY_ANSWER,      /* case.county_answer */
    ROUTING_INPUT_RETURN,             /* case.return */
    ROUTING_INPUT_REPLY,              /* case.reply */
    ROUTING_INPUT_ARCHIVE,            /* case.archive */
    ROUTING_INPUT_ACCOMPANY,          /* case.accompany */
    ROUTING_INPUT_CARRY,              /* runsheet.new puts the case on a run sheet */
    ROUTING_INPUT_ACKNOWLEDGE,        /* runsheet.ack: the centre received it */
    ROUTING_INPUT_MATERIALS_MISSING,  /* intake's case.awaiting_materials */
    ROUTING_INPUT_MATERIALS_SUPPLIED, /* intake's case.materials_supplemented (D-INT-4) */
    ROUTING_N_INPUTS
} RoutingInput;

typedef enum {
    ROUTING_LOCATION_STATION,    /* the papers are at the village station */
    ROUTING_LOCATION_IN_TRANSIT, /* on a run sheet, not yet acknowledged (D-RTE-3) */
    ROUTING_LOCATION_CENTRE,     /* at the township centre */
} RoutingLocation;

/* A case as routing holds it. Strings are owned; vectors NULL-terminated. */
typedef struct {
    char *case_no;            /* <township>-<year>-<6 digits> */
    char *matter;             /* catalog code */
    DbnDecidingLevel level;   /* who decides it (catalog) */
    DbnHandlingKind kind;     /* D-RTE-2 */
    RoutingState state;       /* where it is in the table */
    char *window;             /* q/<window>; "" when the matter names none */
    char *station;            /* s/<station> */
    char *village;            /* the village it came from */
    char *area;               /* a/<area>; "" when the village is not in org.ini */
    char *channel;            /* station, walk-in or phone */
    char *applicant;          /* applicant's name */
    char *responsible;        /* D-INT-6: the acceptor; never changes */
    char *holder;             /* who has it: window:, agent:, county:, station:<id> */
    RoutingLocation location; /* where the papers are (D-RTE-3) */
    char *sheet;              /* run sheet it travels or travelled on, or NULL */
    char *county;             /* county department id once escalated, or NULL */
    char *escalated_from;     /* holder before escalation (gets the answer), or NULL */
    gint64 accepted_at;       /* intake's acceptance, ms */
    gboolean accompanied;     /* D-RTE-4 */
    char **parts;             /* joint: departments, one part each; else empty */
    char **parts_done;        /* joint: departments whose part is done */
    char **missing;           /* D-INT-4: materials intake waits for */
    char *outcome;            /* done / not_done once replied, or NULL */
    gboolean restricted;      /* D-INT-8: a petition; no area topic, narrow reads */
    gint64 updated_at;        /* last change, ms (kept by the store) */
    gint64 updated_seq;       /* journal seq of the last change (kept by the store) */
} RoutingCase;

RoutingCase *routing_case_new (void);
/* A deep copy. Caller owns it. */
RoutingCase *routing_case_copy (const RoutingCase *c);
void routing_case_free (RoutingCase *c);
/* TRUE when every field is equal (tests: "changes nothing"). */
gboolean routing_case_equal (const RoutingCase *a, const RoutingCase *b);

/* What one input asks; only the fields its command has are read. Borrowed. */
typedef struct {
    RoutingInput input;
    const char *actor;                 /* who acts (the principal) */
    const char *kind;                  /* classify */
    const char *reason;                /* classify, assign, handoff, escalate, return, reply */
    char *const *parts;                /* classify: joint parts, NULL for the catalog's */
    const char *window;                /* assign */
    const char *agent;                 /* assign */
    const char *to;                    /* handoff: window:|agent:|county:|station:<id> */
    const char *part;                  /* complete (joint) */
    const char *result;                /* complete, reply */
    const char *unaccompanied;         /* complete: D-RTE-4, why not accompanied */
    const char *county;                /* escalate: county department id */
    const char *answer;                /* county_answer */
    gboolean approved;                 /* county_answer */
    const char *apply_to;              /* return */
    gboolean has_satisfied, satisfied; /* reply */
    gboolean has_confirmed, confirmed; /* reply */
    gboolean has_fee_charged;          /* reply: D-AUD-3, fee_charged was stated */
    gint64 fee_charged;                /* reply: in fen */
    const char *note;                  /* accompany */
    const char *sheet;                 /* carry, acknowledge */
    char *const *missing;              /* materials_missing */
    char *const *materials;            /* materials_supplied: what completed the case */
} RoutingArgs;

/* One change to publish as an event; the event's queue row comes from the
 * case after the step. Owned strings, NULL when the event lacks them. */
typedef struct {
    const char *type;    /* event wire name (DBN_MSG_*_WIRE), static */
    gboolean handoff;    /* D-RTE-5: register from → to in the handoff book */
    char *from, *to;     /* holders before and after */
    char *reason;        /* why */
    char *previous;      /* classified: the kind before */
    char *part;          /* part_completed */
    char *result;        /* part_completed, completed */
    char *unaccompanied; /* completed: D-RTE-4 */
    gint64 parts_done, parts_total;
    char *county;      /* escalated, county_answered */
    char *answer;      /* county_answered */
    gboolean approved; /* county_answered */
    char *apply_to;    /* returned */
    char *outcome;     /* replied: done / not_done */
    char *text;        /* replied: the result or the reason */
    gboolean has_satisfied, satisfied, has_confirmed, confirmed;
    gboolean has_fee_charged; /* replied: D-AUD-3 */
    gint64 fee_charged;       /* replied: in fen */
    char *note;       /* accompanied */
    char *sheet;      /* acknowledged */
    char **materials; /* resumed: the materials that completed the case */
    gint64 remaining; /* acknowledged: set by the caller, who knows the sheet */
    char *field, *value; /* correction (D-AUD-5); previous and reason as above */
} RoutingEffect;

void routing_effect_free (RoutingEffect *fx);

typedef struct _RoutingMachine RoutingMachine;

/* catalog and org are borrowed and must outlive the machine. Caller owns it. */
RoutingMachine *routing_machine_new (DbnCatalog *catalog, DbnOrg *org);
void routing_machine_free (RoutingMachine *self);

/* The table: TRUE when state has a cell for input, and its next state
 * (an action may hold a joint case in its state until its last part). */
gboolean routing_machine_allows (RoutingState state, RoutingInput input);
RoutingState routing_machine_next (RoutingState state, RoutingInput input);

/* Applies args to c. On success c is the changed case and effects (of
 * RoutingEffect*, the caller's array) got one entry per event, in order.
 * On failure c and effects are untouched and error is ROUTING_ERROR (or
 * DBN_ERROR_INVALID for a malformed value). */
gboolean routing_machine_step (RoutingMachine *self, RoutingCase *c, const RoutingArgs *args,
                               GPtrArray *effects, GError **error);

/* A new case from intake's case.accepted (state received, or
 * awaiting_materials): kind, level, window and departments from the
 * catalog, station and area from org.ini; the event's actor stays
 * responsible (D-INT-6). Appends the case.routed effect. A matter the
 * catalog lacks gets no window; a village org.ini lacks gets no case: NULL
 * with DBN_ORG_ERROR_UNKNOWN_ID (issue 11: its id would become the station's
 * topic, and "qingshui/x" would reach station qingshui's subscription). */
RoutingCase *routing_machine_route (RoutingMachine *self, const DbnMsgCaseAccepted *accepted,
                                    GPtrArray *effects, GError **error);

/* D-CAT-3: the catalog to route with from now on (borrowed; it must outlive
 * the machine or the next call). */
void routing_machine_set_catalog (RoutingMachine *self, DbnCatalog *catalog);

/* The matter's departments (catalog), borrowed; an empty vector when the
 * matter is unknown. */
const char *const *routing_machine_get_departments (RoutingMachine *self, const char *matter);

const char *routing_state_to_string (RoutingState state);
gboolean routing_state_from_string (const char *text, RoutingState *state);
const char *routing_input_to_string (RoutingInput input);
const char *routing_location_to_string (RoutingLocation location);
gboolean routing_location_from_string (const char *text, RoutingLocation *location);
gboolean routing_kind_from_string (const char *text, DbnHandlingKind *kind);
gboolean routing_level_from_string (const char *text, DbnDecidingLevel *level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RoutingCase, routing_case_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RoutingMachine, routing_machine_free)

G_END_DECLS
