/* dbn_catalog.h: the matter catalog (代办事项清单, D-CAT-1..3), loaded from
 * the key file in schemas/data/catalog.ini (format described there).
 *
 * A catalog is immutable once loaded: a reload builds a new one and swaps it
 * in only when it validates, so a broken file never replaces a good one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DBN_CATALOG_ERROR (dbn_catalog_error_quark ())
GQuark dbn_catalog_error_quark (void);

/* The codes (DbnCatalogError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

typedef enum {
    DBN_LEVEL_VILLAGE,
    DBN_LEVEL_TOWNSHIP,
    DBN_LEVEL_COUNTY,
} DbnDecidingLevel;

/* D-RTE-2 */
typedef enum {
    DBN_KIND_IMMEDIATE, /* 即办件 */
    DBN_KIND_COMMITTED, /* 承办件 */
    DBN_KIND_JOINT,     /* 联办件 */
    DBN_KIND_ESCALATED, /* 上报件 */
    DBN_KIND_RETURNED,  /* 退回件 */
} DbnHandlingKind;

typedef struct {
    char *code;             /* e.g. MZ-DIBAO */
    char *category;         /* category id */
    char *name_zh;          /* Chinese name */
    char *name_en;          /* English name */
    char **materials;       /* required materials (材料清单), NULL-terminated */
    DbnDecidingLevel level; /* who can decide it */
    char **departments;     /* handling department(s), NULL-terminated, at least one */
    char *window;           /* owning window of the township centre */
    DbnHandlingKind kind;   /* default handling kind */
    int limit_days;         /* statutory limit in working days, > 0 */
    gboolean presence;      /* the applicant must be present */
    gint64 fee_fen;         /* statutory fee in fen, 0 = free */
    gboolean restricted;    /* D-INT-8: stricter confidentiality (petitions); default FALSE */
} DbnMatter;

typedef struct _DbnCatalog DbnCatalog;

/* Loads and validates path. NULL with DBN_CATALOG_ERROR on any problem
 * (including a repeated group or key and a key the format does not know); the
 * message names the file, the line and the reason. Caller owns the result. */
DbnCatalog *dbn_catalog_load (const char *path, GError **error);
void dbn_catalog_free (DbnCatalog *self);

/* Borrowed; NULL when code is not in the catalog. */
const DbnMatter *dbn_catalog_lookup (DbnCatalog *self, const char *code);
guint dbn_catalog_get_n_matters (DbnCatalog *self);
/* Matters in file order. Borrowed. */
const DbnMatter *dbn_catalog_get_matter (DbnCatalog *self, guint index);
/* Borrowed category names; NULL for an unknown id. */
const char *dbn_catalog_get_category_name (DbnCatalog *self, const char *id, gboolean chinese);

/* D-INT-4: every required material of matter not in handed_in, in catalog
 * order. Caller owns the NULL-terminated result (empty vector when complete). */
char **dbn_matter_dup_missing (const DbnMatter *matter, const char *const *handed_in);

const char *dbn_handling_kind_to_string (DbnHandlingKind kind);
const char *dbn_deciding_level_to_string (DbnDecidingLevel level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnCatalog, dbn_catalog_free)

G_END_DECLS
