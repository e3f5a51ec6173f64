/* dbn_test_inproc.h: services of this tree in the test's own process.
 *
 * A temporary data folder whose daiban.conf puts every service on inproc://
 * endpoints (so no keys: inproc connections act with the operator's rights,
 * dbn_service.h), one bus, one manual clock, and helpers that send a command
 * and wait for its reply, or wait for an event, by iterating the main loop:
 * the services' handlers run in this thread, nothing sleeps. The unit tests
 * of intake's and routing's actions (tests/unit/test_*_actions.c) use it.
 */
#pragma once

#include "daiban/daiban.h"

G_BEGIN_DECLS

typedef struct _DbnInproc DbnInproc;

/* The folder, daiban.conf (township T01, the shipped catalog), the bus and a
 * manual clock at start_ms. Caller owns it. */
DbnInproc *dbn_inproc_new (gint64 start_ms);
/* Frees what was added, in order, then removes the folder. */
void dbn_inproc_free (DbnInproc *self);

DbnConfig *dbn_inproc_get_config (DbnInproc *self);
DbnClock *dbn_inproc_get_clock (DbnInproc *self);
DbnBus *dbn_inproc_get_bus (DbnInproc *self);

/* A service called name on its inproc endpoints, with its migrations.
 * Not started: add commands, then dbn_inproc_start. Borrowed (freed by
 * dbn_inproc_free, after every actions object given to _own). */
DbnService *dbn_inproc_service_new (DbnInproc *self, const char *name, const char *const *migrations);
/* Starts service and subscribes to all it publishes (dbn_inproc_wait_event). */
void dbn_inproc_start (DbnInproc *self, DbnService *service);
/* Frees data with free_func before every service (actions hold statements). */
void dbn_inproc_own (DbnInproc *self, gpointer data, GDestroyNotify free_func);

/* Sends body (taken) to service name's command endpoint and returns the
 * reply, whatever it says. Aborts the test when none comes within 5 s.
 * Caller owns it. */
GBytes *dbn_inproc_call (DbnInproc *self, const char *name, GBytes *body);
/* The same, asserting the reply is ok. */
GBytes *dbn_inproc_call_ok (DbnInproc *self, const char *name, GBytes *body);
/* The same, asserting the reply is an error with the given wire code. */
void dbn_inproc_call_fails (DbnInproc *self, const char *name, GBytes *body, const char *code);

/* Runs the loop until service name has published an event of type about
 * case_no (NULL: any case) since the last call that returned it, and
 * returns it (topic in *topic if not NULL). Events are kept in order of
 * arrival; one returned is not returned again. Aborts after 5 s. Caller
 * owns both. */
GBytes *dbn_inproc_wait_event (DbnInproc *self, const char *name, const char *type, const char *case_no,
                               char **topic);
/* How many events of type service name has published so far (read
 * without waiting). */
guint dbn_inproc_count_events (DbnInproc *self, const char *name, const char *type);

/* intake (intake_core) or routing (routing_core) with the shipped catalog
 * and org.ini, its commands added, started; routing also follows intake's
 * journal (add intake first). Returns the actions; borrowed. */
gpointer dbn_inproc_add_intake (DbnInproc *self);
gpointer dbn_inproc_add_routing (DbnInproc *self);

/* The body of a command: asserts that encoding worked. For
 * DBN_INPROC_ENCODE (name, m) in a function with a GError *error. */
GBytes *dbn_inproc_encoded (GBytes *body, GError **error);
#define DBN_INPROC_ENCODE(name, m) dbn_inproc_encoded (dbn_msg_##name##_encode ((m), &error), &error)

/* A fresh idempotency key for a command ("inproc-<n>"). Caller owns it. */
char *dbn_inproc_next_key (DbnInproc *self);
/* An intake.submit of JS-ZHUNSHENG (生育服务证) at qingshui for the n-th
 * applicant (name, valid ID number), with materials (';'-separated), consent
 * given and a fresh key. Caller owns it. */
DbnMsgIntakeSubmit *dbn_inproc_submit_new (DbnInproc *self, const char *materials);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnInproc, dbn_inproc_free)

G_END_DECLS
