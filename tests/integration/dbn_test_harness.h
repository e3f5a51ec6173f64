/* dbn_test_harness.h: real processes for integration tests and benchmarks.
 *
 * A harness is a fresh data folder with a daiban.conf whose endpoints are ipc
 * sockets inside it (no port collisions between parallel tests), its CURVE
 * keys (dbn_keys_init: services and operator), and helpers to start, kill and
 * restart the real service binaries from the build. Its own bus acts as the
 * operator. With DAIBAN_INSECURE_PLAINTEXT=1 in the environment (the
 * benchmark's --plain), everything runs in plain text instead. */
#pragma once

#include <gio/gio.h>

#include <daiban/daiban.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _DbnHarness DbnHarness;

/* Creates a temporary data folder, its daiban.conf and its keys. tcp: use
 * tcp://127.0.0.1 ports instead of ipc. Caller owns the result; free removes
 * the folder unless DAIBAN_KEEP_TEST_DATA is set. */
DbnHarness *dbn_harness_new (gboolean tcp);
void dbn_harness_free (DbnHarness *self);

const char *dbn_harness_get_data_dir (DbnHarness *self);
DbnConfig *dbn_harness_get_config (DbnHarness *self);
/* The operator's bus (full rights). Borrowed. */
DbnBus *dbn_harness_get_bus (DbnHarness *self);
/* dbn_keys_add: a key pair for principal. Returns its secret file's path;
 * caller owns it. Aborts the test on failure. */
char *dbn_harness_add_key (DbnHarness *self, const char *principal);
/* A new bus acting with the secret key file key_path and knowing every
 * service's public key. Caller owns it (free it after its sockets). */
DbnBus *dbn_harness_new_bus (DbnHarness *self, const char *key_path);
/* build/bin/<program>. Caller owns it. */
char *dbn_harness_dup_program (const char *program);

/* Starts build/bin/<program> with argv (NULL-terminated, without argv[0]).
 * Caller owns the process. Aborts the test when it cannot be spawned. */
GSubprocess *dbn_harness_spawn (DbnHarness *self, const char *program, const char *const *args);
/* Programs spawned from now on write their stderr to path (truncated at each spawn, as `2>`; NULL:
 * inherit the test's again), for tests that read a service's log. */
void dbn_harness_set_stderr_file (DbnHarness *self, const char *path);
/* Starts daiban-<service> --data DIR and waits until it answers sys.status. */
GSubprocess *dbn_harness_start_service (DbnHarness *self, const char *service);
/* Waits up to timeout_ms for service to answer sys.status. */
gboolean dbn_harness_wait_ready (DbnHarness *self, const char *service, guint timeout_ms);
/* SIGKILL and reap. */
void dbn_harness_kill (GSubprocess *process);
/* SIGTERM, wait up to timeout_ms; TRUE when it exited by itself. */
gboolean dbn_harness_stop (GSubprocess *process, guint timeout_ms);

/* A command and its reply through a fresh client; NULL + error on failure or
 * an error reply (as dbn_error_new_from_wire). Caller owns the reply. */
GBytes *dbn_harness_call (DbnHarness *self, const char *service, GBytes *command, guint timeout_ms,
                          GError **error);
/* The same through bus (dbn_harness_new_bus: another principal). */
GBytes *dbn_harness_call_on (DbnHarness *self, DbnBus *bus, const char *service, GBytes *command,
                             guint timeout_ms, GError **error);

/* One run of build/bin/daiban. */
typedef struct {
    int status;  /* exit status (128 + signal when killed) */
    char *out;   /* stdout */
    char *err;   /* stderr */
    double secs; /* how long it took */
} DbnCliRun;

/* Runs build/bin/daiban with args (NULL-terminated, without argv[0]) and
 * waits for it, in Chinese (the default language: LC_ALL=C.UTF-8, no
 * LANGUAGE). Free the output with dbn_cli_run_clear(). */
DbnCliRun dbn_harness_run_cli (const char *const *args);
/* The same with LANGUAGE=en (the build tree's translations). */
DbnCliRun dbn_harness_run_cli_english (const char *const *args);
void dbn_cli_run_clear (DbnCliRun *run);

/* A valid 18-character ID number derived from n (distinct n → distinct IDs). */
char *dbn_test_id_number (guint n);
/* A complete, valid intake.submit for matter JS-ZHUNSHENG (immediate, three
 * materials); complete=FALSE leaves one material out. Caller owns it. */
DbnMsgIntakeSubmit *dbn_test_submit_new (const char *key, guint n, gboolean complete);

/* The applicant's rating (eval.rate, stage reply) of case_no at level, sent
 * through station's bus as the station sends it, again while evaluation
 * answers eval.unknown-case (it knows the case once it has followed
 * routing's case.routed), asserted within 10 s. Keys as
 * dbn_test_wait_routed's. */
void dbn_test_rate (DbnHarness *self, DbnBus *station, const char *case_no, const char *level,
                    const char *key_prefix, guint *n);

/* In a `--json` answer: the first object of root's array member array
 * whose string member key is value (a township's row, a scope's figure),
 * or NULL. Borrowed from root. */
JsonObject *dbn_test_json_row (JsonNode *root, const char *array, const char *key, const char *value);

/* One query's integer on data_dir's audit.db, opened read-only (beside a
 * running audit service: WAL); -1 when there is none (no file yet, no row). */
gint64 dbn_test_audit_int (const char *data_dir, const char *sql);

/* dbn_test_submit_new (key, n, complete) sent to intake through bus (NULL:
 * the harness's operator), waiting up to timeout_ms; asserts it is
 * accepted. Its case number; caller owns it. */
char *dbn_test_submit (DbnHarness *self, DbnBus *bus, const char *key, guint n, gboolean complete,
                       guint timeout_ms);
/* Routing's case.get through the operator's bus until routing has case_no
 * (it follows intake's journal across processes); FALSE after 10 s. Each
 * call's key is "KEY_PREFIX-N" with ++*n, the test's own key counter. */
gboolean dbn_test_wait_routed (DbnHarness *self, const char *case_no, const char *key_prefix, guint *n);
/* The window's way to 已办结 through the operator's bus, once routing has
 * case_no (asserted): case.classify as kind (材料齐全), case.assign,
 * case.start, case.complete (已办结); asserts each is answered. Keys as
 * dbn_test_wait_routed's. */
void dbn_test_complete_case (DbnHarness *self, const char *case_no, const char *kind, const char *key_prefix,
                             guint *n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnHarness, dbn_harness_free)

G_END_DECLS
