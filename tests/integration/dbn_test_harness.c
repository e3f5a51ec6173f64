/* dbn_test_harness.c: see the header. */
#include "dbn_test_harness.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

struct _DbnHarness {
    char *dir;         /* temporary data folder */
    DbnConfig *config; /* its daiban.conf */
    DbnBus *bus;       /* for test clients */
    char *stderr_path; /* where spawned programs write stderr, or NULL: inherited */
};

static int
free_port (void)
{
    /* Bind port 0 and give it back: the kernel hands out ports in sequence, so
     * a port just released is not given to the next bind for a long while. */
    g_autoptr (GSocket) s =
        g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
    g_assert_true (g_socket_bind (s, addr, FALSE, NULL));
    g_autoptr (GSocketAddress) bound = g_socket_get_local_address (s, NULL);
    return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

DbnHarness *
dbn_harness_new (gboolean tcp)
{
    g_autoptr (GError) error = NULL;
    DbnHarness *self = g_new0 (DbnHarness, 1);
    self->dir = g_dir_make_tmp ("daiban-test-XXXXXX", &error);
    g_assert_no_error (error);
    GString *conf = g_string_new ("[daiban]\ntownship = T01\n");
    /* Benchmarks compare durability settings: DAIBAN_TEST_SYNCHRONOUS=normal. */
    if (g_getenv ("DAIBAN_TEST_SYNCHRONOUS") != NULL)
        g_string_append_printf (conf, "synchronous = %s\n", g_getenv ("DAIBAN_TEST_SYNCHRONOUS"));
    g_string_append_printf (conf, "catalog = %s/schemas/data/catalog.ini\n", DBN_SOURCE_DIR);
    const char *const *services = dbn_config_service_names ();
    for (int i = 0; services[i] != NULL; i++) {
        if (tcp)
            g_string_append_printf (
                conf, "[service:%s]\ncommand = tcp://127.0.0.1:%d\npublish = tcp://127.0.0.1:%d\n",
                services[i], free_port (), free_port ());
        else
            g_string_append_printf (
                conf, "[service:%s]\ncommand = ipc://%s/%s-cmd.ipc\npublish = ipc://%s/%s-pub.ipc\n",
                services[i], self->dir, services[i], self->dir, services[i]);
    }
    g_autofree char *path = g_build_filename (self->dir, "daiban.conf", NULL);
    g_file_set_contents (path, conf->str, -1, &error);
    g_assert_no_error (error);
    g_string_free (conf, TRUE);
    self->config = dbn_config_load (self->dir, &error);
    g_assert_no_error (error);
    /* As `daiban up` does on first start: services and operator get keys. */
    if (g_strcmp0 (g_getenv (DBN_AUTH_PLAINTEXT_ENV), "1") != 0) {
        g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
        g_assert_true (dbn_keys_init (self->dir, clock, &error));
        g_assert_no_error (error);
    }
    g_autofree char *operator_key = dbn_keys_dup_secret_path (self->dir, "operator");
    self->bus = dbn_harness_new_bus (self, operator_key);
    return self;
}

static void
remove_tree (const char *dir)
{
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            remove_tree (path);
        else
            g_unlink (path);
    }
    g_rmdir (dir);
}

void
dbn_harness_free (DbnHarness *self)
{
    if (self == NULL)
        return;
    dbn_bus_free (self->bus);
    dbn_config_free (self->config);
    if (g_getenv ("DAIBAN_KEEP_TEST_DATA") == NULL)
        remove_tree (self->dir);
    else
        g_printerr ("# test data kept in %s\n", self->dir);
    g_free (self->dir);
    g_free (self->stderr_path);
    g_free (self);
}

char *
dbn_harness_add_key (DbnHarness *self, const char *principal)
{
    g_autoptr (GError) error = NULL;
    char *path = NULL;
    /* As the CLI: the registry's times on this process's clock. */
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_assert_true (dbn_keys_add (self->dir, principal, clock, &path, &error));
    g_assert_no_error (error);
    return path;
}

DbnBus *
dbn_harness_new_bus (DbnHarness *self, const char *key_path)
{
    g_autoptr (GError) error = NULL;
    DbnBus *bus = dbn_bus_new ();
    g_assert_true (dbn_auth_setup_bus (bus, self->config, key_path, &error));
    g_assert_no_error (error);
    return bus;
}

const char *
dbn_harness_get_data_dir (DbnHarness *self)
{
    return self->dir;
}
DbnConfig *
dbn_harness_get_config (DbnHarness *self)
{
    return self->config;
}
DbnBus *
dbn_harness_get_bus (DbnHarness *self)
{
    return self->bus;
}

char *
dbn_harness_dup_program (const char *program)
{
    /* ctest sets DAIBAN_BUILD_DIR; run by hand, the programs sit beside this one. */
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");
    if (build != NULL)
        return g_build_filename (build, "bin", program, NULL);
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    g_assert_nonnull (self);
    g_autofree char *dir = g_path_get_dirname (self);
    return g_build_filename (dir, program, NULL);
}

static void
die_with_parent (gpointer user_data)
{
    prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
dbn_harness_spawn (DbnHarness *self, const char *program, const char *const *args)
{
    g_autofree char *path = dbn_harness_dup_program (program);
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, path);
    for (int i = 0; args != NULL && args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    /* A test that fails an assertion aborts: its services must not outlive it
     * (they would hold ctest's output pipe open until the timeout). */
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    if (self->stderr_path != NULL)
        g_subprocess_launcher_set_stderr_file_path (launcher, self->stderr_path);
    GSubprocess *p = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
    g_assert_no_error (error);
    return p;
}

void
dbn_harness_set_stderr_file (DbnHarness *self, const char *path)
{
    g_free (self->stderr_path);
    self->stderr_path = g_strdup (path);
}

GBytes *
dbn_harness_call (DbnHarness *self, const char *service, GBytes *command, guint timeout_ms, GError **error)
{
    return dbn_harness_call_on (self, self->bus, service, command, timeout_ms, error);
}

GBytes *
dbn_harness_call_on (DbnHarness *self, DbnBus *bus, const char *service, GBytes *command, guint timeout_ms,
                     GError **error)
{
    g_autoptr (DbnClient) client =
        dbn_client_new (bus, dbn_config_get_command_endpoint (self->config, service), error);
    if (client == NULL)
        return NULL;
    g_autoptr (GBytes) reply = dbn_client_call (client, command, timeout_ms, error);
    if (reply == NULL)
        return NULL;
    if (!dbn_reply_check (reply, error))
        return NULL;
    return g_steal_pointer (&reply);
}

gboolean
dbn_harness_wait_ready (DbnHarness *self, const char *service, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    while (g_get_monotonic_time () < deadline) {
        g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
        cmd->env.key = g_strdup ("status");
        g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
        g_autoptr (GBytes) reply = dbn_harness_call (self, service, body, 200, NULL);
        if (reply != NULL)
            return TRUE;
    }
    return FALSE;
}

GSubprocess *
dbn_harness_start_service (DbnHarness *self, const char *service)
{
    g_autofree char *program = g_strdup_printf ("daiban-%s", service);
    const char *args[] = { "--data", self->dir, NULL };
    GSubprocess *p = dbn_harness_spawn (self, program, args);
    g_assert_true (dbn_harness_wait_ready (self, service, 20000));
    return p;
}

void
dbn_harness_kill (GSubprocess *process)
{
    g_subprocess_force_exit (process);
    g_subprocess_wait (process, NULL, NULL);
}

static gboolean
on_timeout (gpointer loop)
{
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer loop)
{
    g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
    g_main_loop_quit (loop);
}

gboolean
dbn_harness_stop (GSubprocess *process, guint timeout_ms)
{
    g_subprocess_send_signal (process, SIGTERM);
    g_autoptr (GMainContext) context = g_main_context_new ();
    g_main_context_push_thread_default (context);
    g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
    g_autoptr (GSource) timer = g_timeout_source_new (timeout_ms);
    g_source_set_callback (timer, on_timeout, loop, NULL);
    g_source_attach (timer, context);
    g_subprocess_wait_async (process, NULL, on_exited, loop);
    g_main_loop_run (loop);
    g_source_destroy (timer);
    gboolean exited = g_subprocess_get_identifier (process) == NULL;
    if (!exited)
        dbn_harness_kill (process);
    /* Let the cancelled wait finish inside this context before it goes. */
    while (g_main_context_iteration (context, FALSE))
        ;
    g_main_context_pop_thread_default (context);
    return exited;
}

char *
dbn_test_id_number (guint n)
{
    /* Region 110105, birth dates spread over 1950-2009, sequence from n. */
    int year = 1950 + (int) (n % 60);
    int month = 1 + (int) ((n / 60) % 12);
    int day = 1 + (int) ((n / 720) % 28);
    char first17[18];
    g_snprintf (first17, sizeof first17, "110105%04d%02d%02d%03u", year, month, day, (n / 20160) % 1000);
    return g_strdup_printf ("%s%c", first17, dbn_idnumber_check_char (first17));
}

DbnMsgIntakeSubmit *
dbn_test_submit_new (const char *key, guint n, gboolean complete)
{
    DbnMsgIntakeSubmit *m = dbn_msg_intake_submit_new ();
    m->env.key = g_strdup (key);
    m->env.actor = g_strdup ("station:test");
    m->applicant = g_strdup_printf ("测试申办人%u", n);
    m->id_number = dbn_test_id_number (n);
    m->phone = g_strdup_printf ("138%08u", n % 100000000);
    m->village = g_strdup ("qingshui");
    m->matter = g_strdup ("JS-ZHUNSHENG");
    const char *all[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    const char *part[] = { "夫妻双方身份证", "户口簿", NULL };
    m->materials = g_strdupv ((char **) (complete ? all : part));
    m->consent = TRUE;
    return m;
}

/* The CLI's language is gettext's choice: a test names it instead of
 * inheriting the shell's. LC_ALL=C.UTF-8 without LANGUAGE gives the
 * strings as written (Chinese); LANGUAGE=en the build tree's en.po. */
static char **
cli_environ (const char *program, gboolean english)
{
    char **env = g_get_environ ();
    env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
    env = english ? g_environ_setenv (env, "LANGUAGE", "en", TRUE) : g_environ_unsetenv (env, "LANGUAGE");
    g_autofree char *bin = g_path_get_dirname (program);
    g_autofree char *locale = g_build_filename (bin, "..", "client", "locale", NULL);
    return g_environ_setenv (env, "DAIBAN_LOCALE_DIR", locale, TRUE);
}

static DbnCliRun
run_cli (const char *const *args, gboolean english)
{
    g_autofree char *program = dbn_harness_dup_program ("daiban");
    g_auto (GStrv) env = cli_environ (program, english);
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, program);
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    DbnCliRun r = { 0 };
    int wait_status = 0;
    g_autoptr (GError) error = NULL;
    gint64 t0 = g_get_monotonic_time ();
    g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err, &wait_status,
                  &error);
    g_assert_no_error (error);
    r.secs = (g_get_monotonic_time () - t0) / 1e6;
    r.status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
    return r;
}

DbnCliRun
dbn_harness_run_cli (const char *const *args)
{
    return run_cli (args, FALSE);
}

DbnCliRun
dbn_harness_run_cli_english (const char *const *args)
{
    return run_cli (args, TRUE);
}

void
dbn_cli_run_clear (DbnCliRun *run)
{
    g_clear_pointer (&run->out, g_free);
    g_clear_pointer (&run->err, g_free);
}

char *
dbn_test_submit (DbnHarness *self, DbnBus *bus, const char *key, guint n, gboolean complete, guint timeout_ms)
{
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, complete);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = bus == NULL ? dbn_harness_call (self, "intake", body, timeout_ms, &error)
                                           : dbn_harness_call_on (self, bus, "intake", body, timeout_ms, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

#define ROUTING_CALL_MS 5000

gboolean
dbn_test_wait_routed (DbnHarness *self, const char *case_no, const char *key_prefix, guint *n)
{
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end) {
        g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
        g_autoptr (GBytes) reply = dbn_harness_call (self, "routing", body, ROUTING_CALL_MS, NULL);
        if (reply != NULL)
            return TRUE;
        g_usleep (10 * 1000); /* across processes: routing has not read intake's event yet */
    }
    return FALSE;
}

/* One routing command, answered (any refusal fails the test). */
static void
routing_ok (DbnHarness *self, GBytes *body)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (self, "routing", body, ROUTING_CALL_MS, &error);
    g_assert_no_error (error);
}

void
dbn_test_complete_case (DbnHarness *self, const char *case_no, const char *kind, const char *key_prefix,
                        guint *n)
{
    g_assert_true (dbn_test_wait_routed (self, case_no, key_prefix, n));
    {
        g_autoptr (DbnMsgCaseClassify) m = dbn_msg_case_classify_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        m->kind = g_strdup (kind);
        m->reason = g_strdup ("材料齐全");
        g_autoptr (GBytes) body = dbn_msg_case_classify_encode (m, NULL);
        routing_ok (self, body);
    }
    {
        g_autoptr (DbnMsgCaseAssign) m = dbn_msg_case_assign_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        g_autoptr (GBytes) body = dbn_msg_case_assign_encode (m, NULL);
        routing_ok (self, body);
    }
    {
        g_autoptr (DbnMsgCaseStart) m = dbn_msg_case_start_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        g_autoptr (GBytes) body = dbn_msg_case_start_encode (m, NULL);
        routing_ok (self, body);
    }
    {
        g_autoptr (DbnMsgCaseComplete) m = dbn_msg_case_complete_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        m->result = g_strdup ("已办结");
        g_autoptr (GBytes) body = dbn_msg_case_complete_encode (m, NULL);
        routing_ok (self, body);
    }
}

gint64
dbn_test_audit_int (const char *data_dir, const char *sql)
{
    g_autofree char *path = g_build_filename (data_dir, "audit.db", NULL);
    sqlite3 *db = NULL;
    gint64 value = -1;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
            value = sqlite3_column_int64 (st, 0);
        sqlite3_finalize (st);
    }
    sqlite3_close (db);
    return value;
}

JsonObject *
dbn_test_json_row (JsonNode *root, const char *array, const char *key, const char *value)
{
    JsonArray *rows = json_object_get_array_member (json_node_get_object (root), array);
    for (guint i = 0; i < json_array_get_length (rows); i++) {
        JsonObject *row = json_array_get_object_element (rows, i);
        if (g_strcmp0 (json_object_get_string_member (row, key), value) == 0)
            return row;
    }
    return NULL;
}

void
dbn_test_rate (DbnHarness *self, DbnBus *station, const char *case_no, const char *level,
               const char *key_prefix, guint *n)
{
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (DbnMsgEvalRate) m = dbn_msg_eval_rate_new ();
        m->env.key = g_strdup_printf ("%s-%u", key_prefix, ++*n);
        m->case_no = g_strdup (case_no);
        m->stage = g_strdup ("reply");
        m->level = g_strdup (level);
        g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (m, NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) reply =
            dbn_harness_call_on (self, station, "evaluation", body, ROUTING_CALL_MS, &error);
        if (reply != NULL)
            return;
        g_assert_cmpstr (dbn_error_wire_code (error), ==, "eval.unknown-case");
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (10 * 1000); /* evaluation has not read routing's case.routed yet */
    }
}
