/* eval_sample.c: the return-visit draw (see eval_sample.h).
 *
 * Why a hash rank and not a PRNG over the list: a PRNG's output depends on
 * its algorithm and on the list's order, so a supervisor redoing the draw
 * needs this program. SHA-256(seed "\n" case number) needs only sha256sum
 * and sort: each case's chance is independent of the others, a case number
 * cannot be placed to be drawn without knowing the seed, and the seed is
 * fixed and recorded before anyone can see who would be drawn (D-EV-2).
 * The "\n" keeps (seed "a1", case "2") apart from (seed "a", case "12").
 *
 * Cost: one hash per case and a sort of n keys, O(n log n); a month of a
 * township is a few hundred cases.
 */
#include "eval_sample.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;     /* hex SHA-256, 64 characters */
    char *case_no; /* borrowed from the caller */
} Ranked;

guint
eval_sample_size (guint n, guint percent)
{
    g_return_val_if_fail (percent <= 100, 0);
    return (guint) (((guint64) n * percent + 50) / 100);
}

char *
eval_sample_key (const char *seed, const char *case_no)
{
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_checksum_update (sum, (const guchar *) seed, (gssize) strlen (seed));
    g_checksum_update (sum, (const guchar *) "\n", 1);
    g_checksum_update (sum, (const guchar *) case_no, (gssize) strlen (case_no));
    return g_strdup (g_checksum_get_string (sum));
}

static int
compare_ranked (gconstpointer a, gconstpointer b)
{
    const Ranked *x = a, *y = b;
    int c = strcmp (x->key, y->key);
    return c != 0 ? c : strcmp (x->case_no, y->case_no);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
eval_sample_draw (const char *seed, const char *const *case_nos, guint n, guint percent)
{
    g_return_val_if_fail (seed != NULL && (case_nos != NULL || n == 0), NULL);
    /* Sorted and unique first, so a case listed twice is one case. */
    g_autofree const char **sorted = g_new (const char *, n + 1);
    if (n > 0)
        memcpy (sorted, case_nos, n * sizeof *sorted);
    qsort (sorted, n, sizeof *sorted, compare_strings);
    guint unique = 0;
    for (guint i = 0; i < n; i++)
        if (unique == 0 || strcmp (sorted[unique - 1], sorted[i]) != 0)
            sorted[unique++] = sorted[i];
    g_autofree Ranked *ranked = g_new (Ranked, unique + 1);
    for (guint i = 0; i < unique; i++)
        ranked[i] = (Ranked){ eval_sample_key (seed, sorted[i]), (char *) sorted[i] };
    qsort (ranked, unique, sizeof *ranked, compare_ranked);
    guint k = eval_sample_size (unique, percent);
    GPtrArray *drawn = g_ptr_array_new_full (k, g_free);
    for (guint i = 0; i < unique; i++) {
        if (i < k)
            g_ptr_array_add (drawn, g_strdup (ranked[i].case_no));
        g_free (ranked[i].key);
    }
    return drawn;
}
