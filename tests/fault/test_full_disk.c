/* test_full_disk: issue 17 item 4. A service runs with its store on a small
 * ext4 filesystem (a loop-mounted image) until it fills:
 *   - it stops acknowledging with store.full (磁盘已满，未保存), never a false ack;
 *   - it keeps serving reads (sys.status, intake.case.get) while full;
 *   - it loses nothing it acknowledged, and resumes by itself when space
 *     returns: the test frees the space, new writes succeed, and every
 *     acknowledged case is there, with its own number, once.
 *
 * Needs root (mount, losetup): CI runs as root; otherwise it skips (exit 77).
 * Why a loop image and not a tmpfs: SQLite maps the WAL index (-shm); on a
 * full tmpfs a write to a mapped page is a SIGBUS, which is a tmpfs trait, not
 * the disk a township's server has. The image is made with no reserved
 * blocks (-m 0): the service runs as root here and would otherwise write into
 * the 5 % kept for root.
 *
 * How the store gets there: <data>/small is the mount point and <data>/<svc>.db
 * a symlink into it; SQLite resolves the link, so the -wal and -shm files sit
 * beside the database on the small filesystem. A ballast file takes all but
 * ~300 KiB, so the test fills the disk in a few hundred cases, not hundreds of
 * thousands.
 *
 * Other services (evaluation, audit) join by one line in main (). */
#define _GNU_SOURCE /* symlink, posix_fallocate, sync */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "dbn_test_harness.h"
#ifdef DBN_TEST_OUTBOX
#include "dbn_outbox.h"
#endif

#define IMAGE_MB    16
#define HEADROOM_KB 300
#define MAX_SUBMITS 200000

typedef struct {
    DbnHarness *h;
    char *image;
    char *mount;
    char *ballast;
    gboolean mounted;
} SmallDisk;

static gboolean
run (const char *const *argv)
{
    g_autoptr (GError) error = NULL;
    int status = 0;
    g_autofree char *err = NULL;
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                       NULL, NULL, &err, &status, &error)) {
        g_test_message ("%s: %s", argv[0], error->message);
        return FALSE;
    }
    if (!g_spawn_check_wait_status (status, NULL)) {
        g_test_message ("%s failed: %s", argv[0], err);
        return FALSE;
    }
    return TRUE;
}

/* Mounts a fresh image at <data>/small and points <data>/<service>.db into it. */
static gboolean
small_disk_setup (SmallDisk *d, DbnHarness *h, const char *service)
{
    d->h = h;
    const char *dir = dbn_harness_get_data_dir (h);
    d->image = g_build_filename (dir, "small.ext4", NULL);
    d->mount = g_build_filename (dir, "small", NULL);
    d->ballast = g_build_filename (d->mount, "ballast", NULL);
    g_assert_cmpint (g_mkdir (d->mount, 0700), ==, 0);
    int fd = open (d->image, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, (off_t) IMAGE_MB << 20), ==, 0);
    close (fd);
    const char *mkfs[] = { "mkfs.ext4", "-q", "-F", "-m", "0", d->image, NULL };
    if (!run (mkfs))
        return FALSE;
    const char *mount[] = { "mount", "-o", "loop", d->image, d->mount, NULL };
    if (!run (mount))
        return FALSE;
    d->mounted = TRUE;
    g_autofree char *name = g_strconcat (service, ".db", NULL);
    g_autofree char *target = g_build_filename (d->mount, name, NULL);
    g_autofree char *link = g_build_filename (dir, name, NULL);
    g_assert_cmpint (symlink (target, link), ==, 0);
    return TRUE;
}

/* Takes all the free space but HEADROOM_KB with the ballast file. */
static void
small_disk_fill (SmallDisk *d)
{
    struct statvfs s;
    g_assert_cmpint (statvfs (d->mount, &s), ==, 0);
    guint64 free_bytes = (guint64) s.f_bavail * s.f_frsize;
    g_assert_cmpuint (free_bytes, >, HEADROOM_KB * 1024);
    int fd = open (d->ballast, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (posix_fallocate (fd, 0, (off_t) (free_bytes - HEADROOM_KB * 1024)), ==, 0);
    g_assert_cmpint (fsync (fd), ==, 0);
    close (fd);
}

static void
small_disk_free_space (SmallDisk *d)
{
    g_assert_cmpint (unlink (d->ballast), ==, 0);
    sync ();
}

static void
small_disk_teardown (SmallDisk *d)
{
    if (d->mounted) {
        const char *umount[] = { "umount", "-l", d->mount, NULL };
        run (umount);
    }
    g_free (d->image);
    g_free (d->mount);
    g_free (d->ballast);
}

#define OUTBOX_ROWS 10

/* The summary lines, written to $DBN_FAULT_SUMMARY at the end. */
static GString *summary_text;

static void
summary_add (const char *line)
{
    if (summary_text == NULL)
        summary_text = g_string_new (NULL);
    g_string_append_printf (summary_text, "%s\n", line);
}

static guint
count_lines (const char *text, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
        n++;
    return n;
}

#ifdef DBN_TEST_OUTBOX
static gboolean
tick_cb (gpointer user_data)
{
    return G_SOURCE_CONTINUE;
}

typedef struct {
    GPtrArray *cases; /* case numbers the outbox got back */
    guint errors;     /* rows answered with an error */
} OutboxSeen;

static void
on_outbox_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, const GError *error,
                   gpointer user_data)
{
    OutboxSeen *seen = user_data;
    if (reply == NULL) {
        g_test_message ("outbox row %" G_GINT64_FORMAT ": %s", id, error ? error->message : "?");
        seen->errors++;
        return;
    }
    g_autoptr (DbnMsgIntakeSubmitReply) ok =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    g_assert_nonnull (ok);
    g_ptr_array_add (seen->cases, g_strdup (ok->case_no));
}
#endif

static gboolean
status_answers (DbnHarness *h, const char *service)
{
    g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
    cmd->env.key = g_strdup ("status-full");
    g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, service, body, 5000, &error);
    g_assert_no_error (error);
    return reply != NULL;
}

/* intake.case.get: TRUE when case_no is stored. */
static gboolean
intake_has_case (DbnHarness *h, const char *case_no)
{
    g_autoptr (DbnMsgIntakeCaseGet) m = dbn_msg_intake_case_get_new ();
    m->env.key = g_strdup_printf ("get-%s", case_no);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_intake_case_get_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 5000, &error);
    if (reply == NULL)
        g_test_message ("case %s: %s", case_no, error->message);
    return reply != NULL;
}

/* One submit with key "full-<n>": its case number (caller owns), or NULL and
 * the error. */
static char *
submit (DbnHarness *h, guint n, GError **error)
{
    g_autofree char *key = g_strdup_printf ("full-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 10000, error);
    if (reply == NULL)
        return NULL;
    g_autoptr (DbnMsgIntakeSubmitReply) ok =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    g_assert_nonnull (ok);
    return g_strdup (ok->case_no);
}

static void
test_intake_full_disk (void)
{
    if (geteuid () != 0) {
        g_test_skip ("needs root to mount a small filesystem");
        return;
    }
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    SmallDisk d = { 0 };
    if (!small_disk_setup (&d, h, "intake")) {
        small_disk_teardown (&d);
        g_test_skip ("cannot make or mount a loop image here");
        return;
    }
    g_autofree char *log = g_build_filename (dbn_harness_get_data_dir (h), "intake.log", NULL);
    dbn_harness_set_stderr_file (h, log);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    small_disk_fill (&d);

    /* Submit until the disk refuses. Every ack is kept; the first refusal
     * must be store.full with both sentences, not another code. */
    g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GError) full = NULL;
    guint n = 1;
    for (; n <= MAX_SUBMITS; n++) {
        g_autoptr (GError) error = NULL;
        char *case_no = submit (h, n, &error);
        if (case_no == NULL) {
            full = g_steal_pointer (&error);
            break;
        }
        g_ptr_array_add (acked, case_no);
    }
    g_assert_nonnull (full);
    g_test_message ("disk full after %u acknowledged submits: %s", acked->len, full->message);
    g_assert_error (full, DBN_STORE_ERROR, DBN_STORE_ERROR_FULL);
    g_assert_nonnull (strstr (full->message, "磁盘已满"));
    g_assert_cmpuint (acked->len, >, 0);

    /* While full: more writes are refused the same way (a retry with the
     * same key too: errors are not stored), and reads still answer. */
    for (guint i = 0; i < 20; i++) {
        g_autoptr (GError) error = NULL;
        g_autofree char *case_no = submit (h, n + (i % 2 == 0 ? 0 : i), &error);
        g_assert_null (case_no);
        g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_FULL);
    }
    g_assert_true (status_answers (h, "intake"));
    g_assert_true (intake_has_case (h, g_ptr_array_index (acked, 0)));
    g_assert_true (intake_has_case (h, g_ptr_array_index (acked, acked->len - 1)));

#ifdef DBN_TEST_OUTBOX
    /* A client's outbox (the station's own code, headless as
     * tests/net/net_station.c drives it): what the full disk refused stays
     * pending with its key, and goes when space returns. */
    g_autofree char *operator_key = dbn_keys_dup_secret_path (dbn_harness_get_data_dir (h), "operator");
    g_autoptr (GError) oerror = NULL;
    g_autoptr (DbnConnection) connection =
        dbn_connection_new (dbn_harness_get_data_dir (h), operator_key, &oerror);
    g_assert_no_error (oerror);
    g_autofree char *outbox_path = g_build_filename (dbn_harness_get_data_dir (h), "outbox.db", NULL);
    g_autoptr (DbnOutbox) outbox = dbn_outbox_new (connection, outbox_path, &oerror);
    g_assert_no_error (oerror);
    OutboxSeen seen_replies = { g_ptr_array_new_with_free_func (g_free), 0 };
    g_signal_connect (outbox, "replied", G_CALLBACK (on_outbox_replied), &seen_replies);
    g_autofree char *log_before = NULL;
    g_assert_true (g_file_get_contents (log, &log_before, NULL, NULL));
    guint failures_before = count_lines (log_before, "commit of");
    for (guint i = 0; i < OUTBOX_ROWS; i++) {
        g_autofree char *key = g_strdup_printf ("outbox-%u", i);
        g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, 500000 + i, TRUE);
        g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
        g_assert_cmpint (dbn_outbox_enqueue (outbox, "intake", "intake.submit", key, body, key, &oerror), >,
                         0);
        g_assert_no_error (oerror);
    }
    /* Its head has been refused twice by the full disk (two failed commits
     * in intake's log: the first try and one retry), and nothing left. */
    gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint tick = g_timeout_add (20, tick_cb, NULL); /* wakes the loop to re-read the log */
    while (g_get_monotonic_time () < until) {
        g_main_context_iteration (NULL, TRUE);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
        if (count_lines (text, "commit of") >= failures_before + 2)
            break;
    }
    g_source_remove (tick);
    g_assert_cmpuint (seen_replies.errors, ==, 0);
    g_assert_cmpuint (seen_replies.cases->len, ==, 0);
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox), ==, OUTBOX_ROWS);
#endif

    /* Space returns: the same process takes writes again by itself,
     * the refused key first (it was never stored, so it runs now). */
    small_disk_free_space (&d);
    for (guint i = 0; i < 50; i++, n++) {
        g_autoptr (GError) error = NULL;
        char *case_no = submit (h, n, &error);
        g_assert_no_error (error);
        g_ptr_array_add (acked, case_no);
    }

#ifdef DBN_TEST_OUTBOX
    /* The outbox empties by itself (its retry timer), every row answered ok. */
    until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (dbn_outbox_get_n_pending (outbox) > 0 && g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox), ==, 0);
    g_assert_cmpuint (seen_replies.errors, ==, 0);
    g_assert_cmpuint (seen_replies.cases->len, ==, OUTBOX_ROWS);
    for (guint i = 0; i < seen_replies.cases->len; i++)
        g_ptr_array_add (acked, g_strdup (g_ptr_array_index (seen_replies.cases, i)));
    g_clear_object (&outbox);
    g_clear_object (&connection);
    g_ptr_array_unref (seen_replies.cases);
    guint outbox_rows = OUTBOX_ROWS;
#else
    guint outbox_rows = 0;
#endif

    /* Nothing acknowledged is lost, each number once; and it survives a restart. */
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
    intake = dbn_harness_start_service (h, "intake");
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < acked->len; i++) {
        const char *case_no = g_ptr_array_index (acked, i);
        g_assert_true (g_hash_table_add (seen, (gpointer) case_no));
        g_assert_true (intake_has_case (h, case_no));
    }
    g_autofree char *line = g_strdup_printf (
        "full-disk intake: %u acked (%u before full, %u held by the outbox while full), 0 lost, 0 duplicated",
        acked->len, acked->len - 50 - outbox_rows, outbox_rows);
    g_printerr ("%s\n", line);
    summary_add (line);
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
    small_disk_teardown (&d);
}

/* A follower's read of one case: routing.case.get, deadline.case.due. TRUE
 * when the service knows case_no. */
static gboolean
follower_has_case (DbnHarness *h, const char *service, const char *case_no)
{
    g_autoptr (GBytes) body = NULL;
    g_autofree char *key = g_strdup_printf ("get-%s", case_no);
    if (g_str_equal (service, "routing")) {
        g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
        m->env.key = g_strdup (key);
        m->case_no = g_strdup (case_no);
        body = dbn_msg_routing_case_get_encode (m, NULL);
    } else {
        g_autoptr (DbnMsgDeadlineCaseDue) m = dbn_msg_deadline_case_due_new ();
        m->env.key = g_strdup (key);
        m->case_no = g_strdup (case_no);
        body = dbn_msg_deadline_case_due_encode (m, NULL);
    }
    g_autoptr (GBytes) reply = dbn_harness_call (h, service, body, 5000, NULL);
    return reply != NULL;
}

/* Waits up to timeout_s for service to know case_no; FALSE as soon as its
 * log (path) says its disk is full and it still does not. */
static gboolean
follower_wait_case (DbnHarness *h, const char *service, const char *case_no, const char *log, guint timeout_s,
                    gboolean *full)
{
    gint64 until = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < until) {
        if (follower_has_case (h, service, case_no))
            return TRUE;
        g_autofree char *text = NULL;
        if (full != NULL && g_file_get_contents (log, &text, NULL, NULL)
            && strstr (text, "database or disk is full") != NULL) {
            *full = TRUE;
            return FALSE;
        }
    }
    return FALSE;
}

/* routing and deadline write what they follow: intake's (and routing's)
 * events. With the follower's disk full, intake goes on taking cases; the
 * follower answers sys.status and its reads, and when space returns it
 * catches up by itself (its subscriber syncs again after the failed apply):
 * every case intake acknowledged is then known to it. */
static void
test_follower_full_disk (gconstpointer data)
{
    const char *service = data;
    if (geteuid () != 0) {
        g_test_skip ("needs root to mount a small filesystem");
        return;
    }
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    SmallDisk d = { 0 };
    if (!small_disk_setup (&d, h, service)) {
        small_disk_teardown (&d);
        g_test_skip ("cannot make or mount a loop image here");
        return;
    }
    g_autofree char *log_name = g_strconcat (service, ".log", NULL);
    g_autofree char *log = g_build_filename (dbn_harness_get_data_dir (h), log_name, NULL);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = NULL, *deadline = NULL;
    if (g_str_equal (service, "routing"))
        dbn_harness_set_stderr_file (h, log);
    routing = dbn_harness_start_service (h, "routing");
    dbn_harness_set_stderr_file (h, NULL);
    if (g_str_equal (service, "deadline")) {
        dbn_harness_set_stderr_file (h, log);
        deadline = dbn_harness_start_service (h, "deadline");
        dbn_harness_set_stderr_file (h, NULL);
    }
    small_disk_fill (&d);

    /* Cases in batches of 10 until the follower's disk refuses them. */
    g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
    gboolean full = FALSE;
    guint n = 1;
    while (!full && n < 20000) {
        for (guint i = 0; i < 10; i++, n++) {
            g_autoptr (GError) error = NULL;
            char *case_no = submit (h, n, &error);
            g_assert_no_error (error);
            g_ptr_array_add (acked, case_no);
        }
        const char *last = g_ptr_array_index (acked, acked->len - 1);
        if (!follower_wait_case (h, service, last, log, 20, &full))
            g_assert_true (full);
    }
    g_assert_true (full);
    g_test_message ("%s's disk full after %u cases", service, acked->len);
    /* While full: it still answers, and reads what it stored. */
    g_assert_true (status_answers (h, service));
    g_assert_true (follower_has_case (h, service, g_ptr_array_index (acked, 0)));
    /* Intake, on its own disk, takes more meanwhile. */
    for (guint i = 0; i < 10; i++, n++) {
        g_autoptr (GError) error = NULL;
        g_ptr_array_add (acked, submit (h, n, &error));
        g_assert_no_error (error);
    }

    /* Space returns: it catches up by itself, and knows every case. */
    small_disk_free_space (&d);
    g_assert_true (follower_wait_case (h, service, g_ptr_array_index (acked, acked->len - 1), log, 30, NULL));
    for (guint i = 0; i < acked->len; i++)
        g_assert_true (follower_has_case (h, service, g_ptr_array_index (acked, i)));
    g_autofree char *line = g_strdup_printf ("full-disk %s: %u cases followed through a full disk, 0 missing",
                                             service, acked->len);
    g_printerr ("%s\n", line);
    summary_add (line);
    if (deadline != NULL) {
        g_assert_true (dbn_harness_stop (deadline, 10000));
        g_object_unref (deadline);
    }
    g_assert_true (dbn_harness_stop (routing, 10000));
    g_object_unref (routing);
    g_assert_true (dbn_harness_stop (intake, 10000));
    g_object_unref (intake);
    small_disk_teardown (&d);
}

int
main (int argc, char **argv)
{
    /* As root, run in a private mount namespace of our own (unshare -m), so
     * a run that aborts on a failed assertion takes its mounts with it
     * instead of leaving loop devices on the CI machine. */
    if (geteuid () == 0 && g_getenv ("DBN_FULL_DISK_NS") == NULL
        && g_find_program_in_path ("unshare") != NULL) {
        g_setenv ("DBN_FULL_DISK_NS", "1", TRUE);
        g_autoptr (GPtrArray) args = g_ptr_array_new ();
        g_ptr_array_add (args, "unshare");
        g_ptr_array_add (args, "-m");
        g_ptr_array_add (args, "--propagation");
        g_ptr_array_add (args, "private");
        for (int i = 0; i < argc; i++)
            g_ptr_array_add (args, argv[i]);
        g_ptr_array_add (args, NULL);
        execvp ("unshare", (char **) args->pdata);
        /* Not there after all: go on without it. */
    }
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-full-disk");
    g_test_add_func ("/fault/full-disk/intake", test_intake_full_disk);
    g_test_add_data_func ("/fault/full-disk/routing", "routing", test_follower_full_disk);
    g_test_add_data_func ("/fault/full-disk/deadline", "deadline", test_follower_full_disk);
    int status = g_test_run ();
    const char *path = g_getenv ("DBN_FAULT_SUMMARY");
    if (path != NULL && summary_text != NULL)
        g_file_set_contents (path, summary_text->str, -1, NULL);
    return status;
}
