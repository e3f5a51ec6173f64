/* test_log.c: the log writer (dbn_log.c): one line per record naming the
 * program, its pid, the level and the domain; dbn_log_once. Each case runs
 * in a subprocess, whose stderr is the writer's output. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <daiban/daiban.h>

/* g_test_init makes warnings fatal; the writer's own behaviour is under
 * test here, so a subprocess logs them like a program does. */
static void
as_a_program (void)
{
    g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

static void
test_line (void)
{
    if (g_test_subprocess ()) {
        as_a_program ();
        dbn_log_init ("test-log");
        g_log_structured ("test-domain", G_LOG_LEVEL_MESSAGE, "MESSAGE", "hello %d", 42);
        g_log_structured ("test-domain", G_LOG_LEVEL_WARNING, "MESSAGE", "careful");
        g_log_structured (NULL, G_LOG_LEVEL_MESSAGE, "MESSAGE", "no domain");
        return;
    }
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed ();
    /* "HH:MM:SS.ffffff"[:12] program[pid] LEVEL domain: message */
    g_test_trap_assert_stderr ("??:??:??.??? test-log[*] MESSAGE test-domain: hello 42\n"
                               "??:??:??.??? test-log[*] WARNING test-domain: careful\n"
                               "??:??:??.??? test-log[*] MESSAGE daiban: no domain\n");
}

/* The pid in the line is the process's own: the subprocess reads back its
 * own stderr (sent to a file) and compares. */
static void
test_line_pid (void)
{
    if (g_test_subprocess ()) {
        g_autoptr (GError) error = NULL;
        g_autofree char *path = NULL;
        int fd = g_file_open_tmp ("test-log-XXXXXX", &path, &error);
        g_assert_no_error (error);
        close (fd);
        g_assert_nonnull (freopen (path, "w", stderr));
        dbn_log_init ("test-log");
        g_log_structured ("test-domain", G_LOG_LEVEL_MESSAGE, "MESSAGE", "x");
        fflush (stderr);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (path, &text, NULL, &error));
        g_unlink (path);
        g_autofree char *want = g_strdup_printf (" test-log[%d] MESSAGE test-domain: x\n", (int) getpid ());
        g_assert_true (g_str_has_suffix (text, want));
        g_assert_cmpuint (strlen (text), ==, 12 + strlen (want));
        return;
    }
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed ();
}

/* Safe to call twice; the first name stays. */
static void
test_init_twice (void)
{
    if (g_test_subprocess ()) {
        dbn_init ("first");
        dbn_log_init ("second");
        dbn_init ("third");
        g_log_structured ("d", G_LOG_LEVEL_MESSAGE, "MESSAGE", "m");
        return;
    }
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed ();
    g_test_trap_assert_stderr ("* first[*] MESSAGE d: m\n");
    g_test_trap_assert_stderr_unmatched ("*second*");
    g_test_trap_assert_stderr_unmatched ("*third*");
}

/* At most once per key per process; TRUE only for the call that logged. */
static void
test_once (void)
{
    if (g_test_subprocess ()) {
        as_a_program ();
        dbn_log_init ("test-log");
        g_assert_true (dbn_log_once ("peer:a", "refused key %s", "a"));
        g_assert_false (dbn_log_once ("peer:a", "refused key %s", "a again"));
        g_assert_true (dbn_log_once ("peer:b", "refused key %s", "b"));
        g_assert_false (dbn_log_once ("peer:b", "refused key %s", "b again"));
        return;
    }
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed ();
    g_test_trap_assert_stderr ("* WARNING daiban: refused key a\n* WARNING daiban: refused key b\n");
    g_test_trap_assert_stderr_unmatched ("*again*");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/log/line", test_line);
    g_test_add_func ("/log/line-pid", test_line_pid);
    g_test_add_func ("/log/init-twice-keeps-first-name", test_init_twice);
    g_test_add_func ("/log/once", test_once);
    return g_test_run ();
}
