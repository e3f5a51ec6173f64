/* test_kept_heads: the committee client's file of kept heads
 * (client/dbn_kept_heads.h): none before the first, the newest by size,
 * the first head and the newest 255 kept across a reload, and a damaged
 * file refused rather than silently replaced. */
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "dbn_kept_heads.h"

static void
make_head (gint64 size, const guint8 *sk, AuditHead *h)
{
    memset (h, 0, sizeof *h);
    h->size = size;
    h->time_ms = 1764637299963 + size;
    for (int i = 0; i < AUDIT_HASH_SIZE; i++)
        h->root[i] = h->chain[i] = (guint8) (size + i);
    audit_head_sign (h, sk);
}

static void
test_keep_reload_bound (void)
{
    g_assert_cmpint (sodium_init (), >=, 0);
    guint8 pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];
    crypto_sign_keypair (pk, sk);
    g_autofree char *dir = g_dir_make_tmp ("kept-heads-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "sub", "kept-heads", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnKeptHeads) kept = dbn_kept_heads_load (path, &error);
    g_assert_no_error (error);
    AuditHead h, got;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    g_assert_false (dbn_kept_heads_get_latest (kept, &got, key));
    for (gint64 size = 1; size <= 260; size++) {
        make_head (size * 10, sk, &h);
        g_assert_true (dbn_kept_heads_add (kept, &h, pk, &error));
        g_assert_no_error (error);
    }
    g_assert_cmpuint (dbn_kept_heads_get_count (kept), ==, 256);
    g_clear_pointer (&kept, dbn_kept_heads_free);

    kept = dbn_kept_heads_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (dbn_kept_heads_get_count (kept), ==, 256);
    g_assert_true (dbn_kept_heads_get_latest (kept, &got, key));
    g_assert_cmpint (got.size, ==, 2600);
    g_assert_cmpmem (key, sizeof key, pk, sizeof pk);
    g_assert_true (audit_head_check_signature (&got, key));
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_true (g_str_has_prefix (text, "{\"format\":\"daiban-audit-head-1\",\"size\":10,"));
    g_clear_pointer (&kept, dbn_kept_heads_free);

    /* A damaged line: refused, naming the file and the line. */
    g_autofree char *bad = g_strconcat (text, "{\"format\":\"daiban-audit-head-1\",\"size\":\n", NULL);
    g_assert_true (g_file_set_contents (path, bad, -1, NULL));
    kept = dbn_kept_heads_load (path, &error);
    g_assert_null (kept);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, ":257:"));
    g_remove (path);
    g_autofree char *sub = g_path_get_dirname (path);
    g_rmdir (sub);
    g_rmdir (dir);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/client/kept-heads/keep-reload-bound", test_keep_reload_bound);
    return g_test_run ();
}
