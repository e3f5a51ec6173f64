/* dbn_org.h: the organisation as configuration (组织机构): the township
 * centre's windows, its villages with their stations and agents, the areas
 * supervisors oversee, each station's run-sheet days and the county
 * departments reached through township agents. Loaded from the key file in
 * schemas/data/org.ini (format described there).
 *
 * Like the catalog, an org is immutable once loaded: a reload builds a new
 * one and swaps it in only when it validates. Every record is a plain struct
 * owned by the org and borrowed by callers while it lives.
 */
#pragma once

#include <glib.h>

#include "dbn_catalog.h"

G_BEGIN_DECLS

#define DBN_ORG_ERROR (dbn_org_error_quark ())
GQuark dbn_org_error_quark (void);

/* The codes (DbnOrgError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

typedef enum {
    DBN_AGENT_LEVEL_GROUP,    /* 组代办员: a villagers' group */
    DBN_AGENT_LEVEL_VILLAGE,  /* 村代办员: a village station */
    DBN_AGENT_LEVEL_TOWNSHIP, /* 乡级代办员: carries county matters (D-RTE-1) */
} DbnAgentLevel;

/* Run-sheet days (D-RTE-3) are a set of GDateWeekday: bit (1 << day). */
#define DBN_RUN_DAY(day)     (1u << (day))
#define DBN_RUN_DAYS_DEFAULT (DBN_RUN_DAY (G_DATE_SUNDAY) | DBN_RUN_DAY (G_DATE_WEDNESDAY))

typedef struct {
    char *id;           /* e.g. minzheng; the queue topic is q/<id> */
    char *name_zh;      /* Chinese name, e.g. 民政优抚 */
    char *name_en;      /* English name */
    char **departments; /* township departments it fronts, NULL-terminated, at least one */
    gboolean split_desks; /* D-RTE-6: front:<id> and back:<id> keys, not only window:<id> */
} DbnWindow;

typedef struct {
    char *id;      /* county department id */
    char *name_zh; /* the name catalog matters use in departments */
    char *name_en; /* English name */
    char **agents; /* ids of the township agents who carry its matters, at least one */
} DbnCountyDepartment;

typedef struct {
    char *id;         /* e.g. east; the queue topic is a/<id> */
    char *name_zh;    /* Chinese name, e.g. 东片 */
    char *name_en;    /* English name */
    char *supervisor; /* id of the township agent who oversees it (包片干部) */
    char **villages;  /* ids of its villages in file order, NULL-terminated, at least one */
} DbnArea;

typedef struct {
    char *id;      /* e.g. qingshui */
    char *name_zh; /* Chinese name, e.g. 清水村 */
    char *name_en; /* English name */
    char *area;    /* id of its area */
    char *station; /* id of its station (exactly one per village) */
} DbnVillage;

typedef struct {
    char *id;      /* by convention the village id; the queue topic is s/<id> */
    char *village; /* id of its village */
    char *name_zh; /* Chinese name, e.g. 清水村代办站 */
    char *name_en; /* English name */
    char *phone;   /* the station's duty phone */
    char *head;    /* id of the station head (站长), an agent of this station */
    guint days;    /* run-sheet days, DBN_RUN_DAY bits; never empty */
} DbnStation;

typedef struct {
    char *id;            /* e.g. qs-li */
    char *name;          /* the person's name */
    DbnAgentLevel level; /* group, village or township */
    char *phone;         /* contact phone (联系卡) */
    char *station;       /* group and village agents: their station; NULL for township */
    char *group;         /* group agents: their villagers' group (村民小组); else NULL */
    char *window;        /* township agents: the window they sit at, or NULL */
    char *title;         /* the post they hold (职务), or NULL */
    gboolean petitions;  /* takes petitions (信访代办员, D-INT-8) */
} DbnAgent;

typedef struct _DbnOrg DbnOrg;

/* The org.ini to use when none is configured: the one in the source tree
 * when it exists (tests, a checkout), else the installed one. Static string. */
const char *dbn_org_default_path (void);

/* Loads and validates path: every id well-formed, every reference resolved,
 * no group or key repeated or unknown. NULL with DBN_ORG_ERROR on any
 * problem; the message names the file, the line, the group, the key and the
 * reason. Caller owns the result. */
DbnOrg *dbn_org_load (const char *path, GError **error);
void dbn_org_free (DbnOrg *self);

/* FALSE with DBN_ORG_ERROR_CATALOG naming the first matter, and its key,
 * whose window is not a window of self, whose department is not fronted by
 * a window, a county department or a village body, or which is decided at
 * county level without naming a county department (D-RTE-1: no agent could
 * carry it). TRUE when they agree. */
gboolean dbn_org_check_catalog (DbnOrg *self, DbnCatalog *catalog, GError **error);

/* The centre's name. Borrowed. */
const char *dbn_org_get_name (DbnOrg *self, gboolean chinese);
/* TRUE when name is one of the village bodies (村委会, 村党支部, ...). */
gboolean dbn_org_is_village_body (DbnOrg *self, const char *name);

/* Lookups by id return borrowed records, NULL when absent (or id NULL).
 * The get_n/get pairs list records in file order. */
const DbnWindow *dbn_org_lookup_window (DbnOrg *self, const char *id);
guint dbn_org_get_n_windows (DbnOrg *self);
const DbnWindow *dbn_org_get_window (DbnOrg *self, guint index);
/* The window fronting a township department, NULL when none does. */
const DbnWindow *dbn_org_lookup_window_for_department (DbnOrg *self, const char *department);

/* By the Chinese name catalog matters use, e.g. 县民政局. */
const DbnCountyDepartment *dbn_org_lookup_county_department (DbnOrg *self, const char *name_zh);
guint dbn_org_get_n_county_departments (DbnOrg *self);
const DbnCountyDepartment *dbn_org_get_county_department (DbnOrg *self, guint index);

const DbnArea *dbn_org_lookup_area (DbnOrg *self, const char *id);
guint dbn_org_get_n_areas (DbnOrg *self);
const DbnArea *dbn_org_get_area (DbnOrg *self, guint index);
/* The area a station's village belongs to (for the a/<area> queue). */
const DbnArea *dbn_org_lookup_area_for_station (DbnOrg *self, const char *station_id);

const DbnVillage *dbn_org_lookup_village (DbnOrg *self, const char *id);
guint dbn_org_get_n_villages (DbnOrg *self);
const DbnVillage *dbn_org_get_village (DbnOrg *self, guint index);

const DbnStation *dbn_org_lookup_station (DbnOrg *self, const char *id);
guint dbn_org_get_n_stations (DbnOrg *self);
const DbnStation *dbn_org_get_station (DbnOrg *self, guint index);

const DbnAgent *dbn_org_lookup_agent (DbnOrg *self, const char *id);
guint dbn_org_get_n_agents (DbnOrg *self);
const DbnAgent *dbn_org_get_agent (DbnOrg *self, guint index);
/* The agents of a station (group and village levels) in file order.
 * Caller owns the array (free with g_ptr_array_unref); the DbnAgent
 * pointers in it are borrowed. Empty for an unknown station. */
GPtrArray *dbn_org_dup_station_agents (DbnOrg *self, const char *station_id);
/* D-INT-8: the first agent of a station who takes petitions, or NULL. */
const DbnAgent *dbn_org_lookup_petition_agent (DbnOrg *self, const char *station_id);

/* Issue 11: every id that becomes part of a topic is an id of org.ini.
 * FALSE with DBN_ORG_ERROR_UNKNOWN_ID (org.unknown-id), quoting id escaped
 * and cut, when id is NULL, empty or no village of self. */
gboolean dbn_org_check_village (DbnOrg *self, const char *id, GError **error);
/* The same for a principal that is to get a key (`daiban keys add`):
 * window:<a window>, station:<a station>, supervisor:<an area>,
 * service:<a service of dbn_config_service_names>, committee and operator.
 * FALSE with DBN_ORG_ERROR_UNKNOWN_ID for an id org.ini lacks, or with
 * DBN_KEYS_ERROR_INVALID_PRINCIPAL for a malformed principal. */
gboolean dbn_org_check_principal (DbnOrg *self, const char *principal, GError **error);

/* Parses a list of days such as "sun,wed" (mon tue wed thu fri sat sun,
 * ',' or ';' between, case and blanks ignored) into DBN_RUN_DAY bits.
 * FALSE with DBN_ORG_ERROR_INVALID for an unknown or missing day. */
gboolean dbn_org_parse_days (const char *text, guint *days, GError **error);
/* The days as "wed,sun" (Monday first). Caller owns the result. */
char *dbn_org_days_to_string (guint days);
/* TRUE when the station's agent makes the trip on day (D-RTE-3). */
gboolean dbn_station_runs_on (const DbnStation *station, GDateWeekday day);

const char *dbn_agent_level_to_string (DbnAgentLevel level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnOrg, dbn_org_free)

G_END_DECLS
