/* fuzz_replay_main.c: the fuzz targets as an ordinary test, without libFuzzer.
 *
 *   fuzz_replay CORPUS_DIR [MUTATIONS [EXTRA_DIR...]]
 *
 * For every decoder of the registry, in order: every valid-* seed of its own
 * folder CORPUS_DIR/<name>/ must be accepted (the seeds come from an
 * independent MessagePack writer, make_seeds.py); every strict prefix of
 * them must be refused; every file of every folder (other decoders' seeds and
 * hostile/) goes through the target; then MUTATIONS (default 3000) mutants of
 * its seeds, from a GRand with a fixed seed, so a failure reproduces exactly.
 * Every file of each EXTRA_DIR (tests/fuzz/regressions: inputs that once
 * broke a decoder) goes through every target too.
 * The target itself aborts when a decoder breaks its contract.
 *
 * This is what gcc builds and ctest runs in a few seconds; the clang
 * libFuzzer build (-DDBN_FUZZ=ON) explores far more (docs/codec.md).
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_decoder.h"

#define REPLAY_SEED 20250101
#define MAX_MUTANT  (256 * 1024)

typedef struct {
    char *name;   /* file name, for messages */
    GBytes *data; /* its content */
} Seed;

static void
seed_free (gpointer p)
{
    Seed *seed = p;
    g_free (seed->name);
    g_bytes_unref (seed->data);
    g_free (seed);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
    return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Every regular file of dir, sorted by name; an absent dir gives none. */
static GPtrArray *
load_dir (const char *dir)
{
    GPtrArray *seeds = g_ptr_array_new_with_free_func (seed_free);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
    g_ptr_array_sort (names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
        char *content = NULL;
        gsize len = 0;
        if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &content, &len, NULL))
            continue;
        Seed *seed = g_new0 (Seed, 1);
        seed->name = g_strdup (g_ptr_array_index (names, i));
        seed->data = g_bytes_new_take (content, len);
        g_ptr_array_add (seeds, seed);
    }
    return seeds;
}

/* The prefix length after n of a seed of len bytes: every one up to
 * PREFIX_ALL bytes and within PREFIX_ALL of the end; between, PREFIX_STEPS
 * evenly spaced lengths. Checking each prefix costs its length, so every
 * prefix of the 1 MiB "valid-limits" seeds of the list replies would cost
 * minutes; a truncation is refused at the cut, and the cuts near both ends
 * and across the middle are where a decoder can go wrong. */
#define PREFIX_ALL   4096
#define PREFIX_STEPS 4096

static gsize
next_prefix (gsize n, gsize len)
{
    if (len <= 3 * PREFIX_ALL || n < PREFIX_ALL || n + PREFIX_ALL >= len)
        return n + 1;
    gsize step = MAX ((len - 2 * PREFIX_ALL) / PREFIX_STEPS, 1);
    return MIN (n + step, len - PREFIX_ALL);
}

static void
run (const guint8 *data, gsize len)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    g_autofree guint8 *copy = g_memdup2 (data, len);
    LLVMFuzzerTestOneInput (copy, len);
}

static const guint8 interesting[] = {
    0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc6,
    0xc7, 0xcb, 0xcc, 0xcf, 0xd0, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff,
};

/* One to four random edits of a seed, sometimes spliced with another. */
static GByteArray *
mutate (GRand *rand, GBytes *seed, GBytes *other)
{
    GByteArray *b = g_byte_array_new ();
    g_byte_array_append (b, g_bytes_get_data (seed, NULL), (guint) g_bytes_get_size (seed));

    guint edits = (guint) g_rand_int_range (rand, 1, 5);
    for (guint e = 0; e < edits; e++) {
        guint len = b->len;
        guint at = len > 0 ? (guint) g_rand_int_range (rand, 0, (gint32) len) : 0;
        switch (g_rand_int_range (rand, 0, 9)) {
        case 0: /* flip a bit */
            if (len > 0)
                b->data[at] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
            break;
        case 1: /* a byte that means something to MessagePack */
            if (len > 0)
                b->data[at] = interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))];
            break;
        case 2: /* cut */ g_byte_array_set_size (b, at); break;
        case 3: { /* insert a random byte */
            guint8 byte = (guint8) g_rand_int_range (rand, 0, 256);
            g_byte_array_set_size (b, len + 1);
            memmove (b->data + at + 1, b->data + at, len - at);
            b->data[at] = byte;
            break;
        }
        case 4: /* delete a byte */
            if (len > 0)
                g_byte_array_remove_index (b, at);
            break;
        case 5: /* a huge length or count */
            for (guint i = at; i < len && i < at + 4; i++)
                b->data[i] = 0xff;
            break;
        case 6: {                                                /* repeat a slice */
            guint want = (guint) g_rand_int_range (rand, 1, 33); /* MIN evaluates twice */
            guint n = len > at ? MIN (want, len - at) : 0;
            g_autofree guint8 *slice = g_memdup2 (b->data + at, n);
            if (b->len + n <= MAX_MUTANT)
                g_byte_array_append (b, slice, n);
            break;
        }
        case 7: { /* splice: our head, the other seed's tail */
            gsize olen = g_bytes_get_size (other);
            guint from = olen > 0 ? (guint) g_rand_int_range (rand, 0, (gint32) olen) : 0;
            g_byte_array_set_size (b, at);
            g_byte_array_append (b, (const guint8 *) g_bytes_get_data (other, NULL) + from,
                                 (guint) (olen - from));
            break;
        }
        default: /* nudge a byte, as in off-by-one lengths */
            if (len > 0)
                b->data[at] += g_rand_boolean (rand) ? 1 : 0xff;
            break;
        }
    }
    return b;
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: %s CORPUS_DIR [MUTATIONS [EXTRA_DIR...]]\n", argv[0]);
        return 2;
    }
    const char *corpus = argv[1];
    guint mutations = argc >= 3 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3000;
    g_autoptr (GRand) rand = g_rand_new_with_seed (REPLAY_SEED);
    g_autoptr (GPtrArray) everything = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
    g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GDir) dir = g_dir_open (corpus, 0, NULL);
    const char *name;
    guint64 inputs = 0;
    int failures = 0;

    if (dir == NULL) {
        fprintf (stderr, "fuzz_replay: cannot open %s\n", corpus);
        return 1;
    }
    while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (folders, g_strdup (name));
    g_ptr_array_sort (folders, compare_names);
    for (guint i = 0; i < folders->len; i++) {
        g_autofree char *path = g_build_filename (corpus, g_ptr_array_index (folders, i), NULL);
        if (g_file_test (path, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (everything, load_dir (path));
    }
    for (int a = 3; a < argc; a++)
        g_ptr_array_add (everything, load_dir (argv[a]));

    for (gsize d = 0; d < dbn_msg_n_infos; d++) {
        const DbnMsgInfo *info = &dbn_msg_infos[d];
        g_autofree char *own_dir = g_build_filename (corpus, info->name, NULL);
        g_autoptr (GPtrArray) own = load_dir (own_dir);
        guint valid = 0;

        dbn_fuzz_select (info);
        for (guint i = 0; i < own->len; i++) {
            Seed *seed = g_ptr_array_index (own, i);
            gsize len = 0;
            const guint8 *data = g_bytes_get_data (seed->data, &len);
            if (!g_str_has_prefix (seed->name, "valid-"))
                continue;
            valid++;
            g_autoptr (GError) error = NULL;
            if (!info->check (data, len, &error)) {
                fprintf (stderr, "fuzz_replay: %s refused its seed %s: %s\n", info->name, seed->name,
                         error->message);
                failures++;
            }
            for (gsize n = 0; n < len; n = next_prefix (n, len)) {
                g_autofree guint8 *prefix = g_memdup2 (data, n);
                if (info->check (prefix, n, NULL)) {
                    fprintf (stderr, "fuzz_replay: %s accepted %" G_GSIZE_FORMAT " bytes of %s\n", info->name,
                             n, seed->name);
                    failures++;
                }
                inputs++;
            }
        }
        if (valid == 0) {
            fprintf (stderr, "fuzz_replay: no valid-* seed in %s\n", own_dir);
            failures++;
            continue;
        }

        for (guint f = 0; f < everything->len; f++) {
            GPtrArray *seeds = g_ptr_array_index (everything, f);
            for (guint i = 0; i < seeds->len; i++) {
                Seed *seed = g_ptr_array_index (seeds, i);
                run (g_bytes_get_data (seed->data, NULL), g_bytes_get_size (seed->data));
                inputs++;
            }
        }

        for (guint m = 0; m < mutations; m++) {
            Seed *seed = g_ptr_array_index (own, g_rand_int_range (rand, 0, (gint32) own->len));
            Seed *other = g_ptr_array_index (own, g_rand_int_range (rand, 0, (gint32) own->len));
            g_autoptr (GByteArray) mutant = mutate (rand, seed->data, other->data);
            run (mutant->data, mutant->len);
            inputs++;
        }
    }

    printf ("fuzz_replay: %" G_GSIZE_FORMAT " decoders, %" G_GUINT64_FORMAT " inputs, %d failures\n",
            dbn_msg_n_infos, inputs, failures);
    return failures == 0 ? 0 : 1;
}
