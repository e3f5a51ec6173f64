/* dbn_error_private.h: the shape of the generated error table
 * (build/gen/dbn_error_table.c, from schemas/errors.xml). */
#pragma once

#include <glib.h>

typedef struct {
    const char *quark;      /* the GError domain's quark string, as G_DEFINE_QUARK names it */
    int code;               /* the code within that domain */
    const char *wire_code;  /* stable string sent in replies */
    const char *message_zh; /* sentence for a person, Chinese */
    const char *message_en; /* the same in English */
} DbnErrorSpec;

extern const DbnErrorSpec dbn_error_specs[];
extern const guint dbn_error_n_specs;
