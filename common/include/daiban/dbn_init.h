/* dbn_init.h: the one call a program makes before anything else of libdaiban.
 *
 * It is the only place that ties the leaves together: the error table
 * (dbn_error.c) and the log writer (dbn_log.c) know nothing of each other.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the built-in error codes (schemas/errors.xml, every domain's)
 * and installs the log writer naming program in every line. Safe to call
 * twice; the first program name stays. */
void dbn_init (const char *program);

G_END_DECLS
