/* eval_sample.h: the return-visit draw (回访, D-EV-2), a pure function of a
 * seed and a set of case numbers, so anyone holding both can redo it. The
 * procedure is in docs/evaluation.md ("The draw"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many of n cases a draw of percent takes: round(percent × n / 100),
 * halves up, so never more than half a case (hence ±1) off the share. */
guint eval_sample_size (guint n, guint percent);

/* The case's rank key: lowercase hex SHA-256 of seed, "\n", case_no (UTF-8).
 * Caller owns the result. */
char *eval_sample_key (const char *seed, const char *case_no);

/* D-EV-2: ranks every case in case_nos (n of them, duplicates ignored) by
 * its key, ties by case number, and returns the first eval_sample_size()
 * of them, in rank order. The input's order does not matter. Caller owns
 * the array and its strings. */
GPtrArray *eval_sample_draw (const char *seed, const char *const *case_nos, guint n, guint percent);

G_END_DECLS
