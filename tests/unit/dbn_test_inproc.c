/* dbn_test_inproc.c: see dbn_test_inproc.h. */
#include "dbn_test_inproc.h"

#include "intake_actions.h"
#include "routing_actions.h"

#include <string.h>
#include <glib/gstdio.h>
#include <zmq.h>

#define GUARD_US (5 * G_USEC_PER_SEC)

static const char *const service_names[] = { "intake", "routing", "deadline" };

typedef struct {
    char *service;  /* who published it */
    char *topic;    /* without the trailing '/' */
    char *type;     /* envelope type */
    char *case_no;  /* envelope case, NULL without one */
    GBytes *body;   /* the event map */
    gboolean taken; /* returned by dbn_inproc_wait_event */
} Heard;

typedef struct {
    char *name;
    DbnService *service;
    void *sub;         /* SUB on everything it publishes, once started */
    DbnClient *client; /* on its command endpoint, made on first call */
} Entry;

typedef struct {
    gpointer data;
    GDestroyNotify free_func;
} Owned;

struct _DbnInproc {
    char *dir;
    DbnConfig *config;
    DbnClock *clock;
    DbnBus *bus;
    GPtrArray *entries; /* Entry* */
    GPtrArray *owned;   /* Owned* */
    GPtrArray *heard;   /* Heard* */
    guint keys;         /* keys handed out */
    guint applicants;   /* submits built */
};

static void
heard_free (Heard *h)
{
    g_free (h->service);
    g_free (h->topic);
    g_free (h->type);
    g_free (h->case_no);
    g_bytes_unref (h->body);
    g_free (h);
}

DbnInproc *
dbn_inproc_new (gint64 start_ms)
{
    g_autoptr (GError) error = NULL;
    DbnInproc *self = g_new0 (DbnInproc, 1);
    self->dir = g_dir_make_tmp ("daiban-inproc-XXXXXX", &error);
    g_assert_no_error (error);
    /* synchronous = normal: the same transactions, without an fsync per command. */
    GString *conf = g_string_new ("[daiban]\ntownship = T01\nsynchronous = normal\n");
    for (guint i = 0; i < G_N_ELEMENTS (service_names); i++)
        g_string_append_printf (conf, "[service:%s]\ncommand = inproc://%s-cmd\npublish = inproc://%s-pub\n",
                                service_names[i], service_names[i], service_names[i]);
    g_autofree char *path = g_build_filename (self->dir, "daiban.conf", NULL);
    g_file_set_contents (path, conf->str, -1, &error);
    g_assert_no_error (error);
    g_string_free (conf, TRUE);
    self->config = dbn_config_load (self->dir, &error);
    g_assert_no_error (error);
    self->clock = dbn_clock_new_manual (start_ms);
    self->bus = dbn_bus_new ();
    self->entries = g_ptr_array_new ();
    self->owned = g_ptr_array_new_with_free_func (g_free);
    self->heard = g_ptr_array_new_with_free_func ((GDestroyNotify) heard_free);
    return self;
}

void
dbn_inproc_free (DbnInproc *self)
{
    if (self == NULL)
        return;
    /* Actions (statements, subscribers) before services, sockets before the bus. */
    for (guint i = self->owned->len; i > 0; i--) {
        Owned *o = self->owned->pdata[i - 1];
        o->free_func (o->data);
    }
    g_ptr_array_unref (self->owned);
    for (guint i = 0; i < self->entries->len; i++) {
        Entry *e = self->entries->pdata[i];
        if (e->sub != NULL)
            zmq_close (e->sub);
        g_clear_pointer (&e->client, dbn_client_free);
        dbn_service_free (e->service);
        g_free (e->name);
        g_free (e);
    }
    g_ptr_array_unref (self->entries);
    g_ptr_array_unref (self->heard);
    dbn_bus_free (self->bus);
    dbn_clock_free (self->clock);
    dbn_config_free (self->config);
    g_autoptr (GDir) dir = g_dir_open (self->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *file = g_build_filename (self->dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (self->dir);
    g_free (self->dir);
    g_free (self);
}

DbnConfig *
dbn_inproc_get_config (DbnInproc *self)
{
    return self->config;
}

DbnClock *
dbn_inproc_get_clock (DbnInproc *self)
{
    return self->clock;
}

DbnBus *
dbn_inproc_get_bus (DbnInproc *self)
{
    return self->bus;
}

static Entry *
find_entry (DbnInproc *self, const char *name)
{
    for (guint i = 0; i < self->entries->len; i++) {
        Entry *e = self->entries->pdata[i];
        if (strcmp (e->name, name) == 0)
            return e;
    }
    g_error ("no service %s in this test", name);
}

DbnService *
dbn_inproc_service_new (DbnInproc *self, const char *name, const char *const *migrations)
{
    g_autoptr (GError) error = NULL;
    Entry *e = g_new0 (Entry, 1);
    e->name = g_strdup (name);
    e->service = dbn_service_new (name, self->config, self->clock, migrations, &error);
    g_assert_no_error (error);
    g_ptr_array_add (self->entries, e);
    return e->service;
}

void
dbn_inproc_own (DbnInproc *self, gpointer data, GDestroyNotify free_func)
{
    Owned *o = g_new0 (Owned, 1);
    o->data = data;
    o->free_func = free_func;
    g_ptr_array_add (self->owned, o);
}

/* Reads every event waiting on e's SUB into self->heard; heartbeats and
 * probes are dropped. Returns how many probes came. */
static guint
drain (DbnInproc *self, Entry *e)
{
    guint probes = 0;
    for (;;) {
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        if (zmq_msg_recv (&topic, e->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&topic);
            return probes;
        }
        g_assert_true (zmq_msg_more (&topic));
        zmq_msg_init (&body);
        g_assert_cmpint (zmq_msg_recv (&body, e->sub, ZMQ_DONTWAIT), >=, 0);
        gsize size = zmq_msg_size (&topic);
        g_autofree char *name = g_strndup (zmq_msg_data (&topic), size > 0 ? size - 1 : 0);
        g_autoptr (GBytes) bytes = g_bytes_new (zmq_msg_data (&body), zmq_msg_size (&body));
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
        if (strcmp (name, "probe") == 0) {
            probes++;
            continue;
        }
        if (strcmp (name, "hb") == 0)
            continue;
        DbnEnvEvent env = { 0 };
        g_autoptr (GError) error = NULL;
        g_assert_true (
            dbn_env_event_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &env, &error));
        g_assert_no_error (error);
        Heard *h = g_new0 (Heard, 1);
        h->service = g_strdup (e->name);
        h->topic = g_steal_pointer (&name);
        h->type = g_strdup (env.type);
        h->case_no = g_strdup (env.case_no);
        h->body = g_bytes_ref (bytes);
        g_ptr_array_add (self->heard, h);
        dbn_env_event_clear (&env);
    }
}

static void
drain_all (DbnInproc *self)
{
    for (guint i = 0; i < self->entries->len; i++) {
        Entry *e = self->entries->pdata[i];
        if (e->sub != NULL)
            drain (self, e);
    }
}

void
dbn_inproc_start (DbnInproc *self, DbnService *service)
{
    g_autoptr (GError) error = NULL;
    Entry *e = find_entry (self, dbn_service_get_name (service));
    g_assert_true (dbn_service_start (service, self->bus, &error));
    g_assert_no_error (error);
    e->sub = dbn_bus_socket_new (self->bus, ZMQ_SUB, &error);
    g_assert_no_error (error);
    g_assert_cmpint (zmq_setsockopt (e->sub, ZMQ_SUBSCRIBE, "", 0), ==, 0);
    g_assert_cmpint (zmq_connect (e->sub, dbn_config_get_publish_endpoint (self->config, e->name)), ==, 0);
    /* The SUB hears only what is published after the service's loop granted
     * its subscription (XPUB, manual): publish probes until one comes back. */
    g_autoptr (GBytes) probe = g_bytes_new_static ("x", 1);
    gint64 deadline = g_get_monotonic_time () + GUARD_US;
    for (;;) {
        while (g_main_context_iteration (NULL, FALSE))
            ;
        dbn_publisher_send (dbn_service_get_publisher (service), "probe", probe);
        zmq_pollitem_t item = { e->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 10) == 1 && drain (self, e) > 0)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

typedef struct {
    GBytes *reply;
    gboolean done;
} Pending;

static void
on_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    Pending *p = user_data;
    g_assert_no_error (error);
    p->reply = g_bytes_ref (reply);
    p->done = TRUE;
}

GBytes *
dbn_inproc_call (DbnInproc *self, const char *name, GBytes *body)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) owned = body;
    Entry *e = find_entry (self, name);
    if (e->client == NULL) {
        e->client = dbn_client_new (self->bus, dbn_config_get_command_endpoint (self->config, name), &error);
        g_assert_no_error (error);
    }
    Pending p = { NULL, FALSE };
    dbn_client_send_async (e->client, owned, GUARD_US / 1000, on_reply, &p);
    while (!p.done)
        g_main_context_iteration (NULL, TRUE);
    return p.reply;
}

GBytes *
dbn_inproc_call_ok (DbnInproc *self, const char *name, GBytes *body)
{
    g_autoptr (GError) error = NULL;
    GBytes *reply = dbn_inproc_call (self, name, body);
    g_assert_true (dbn_reply_check (reply, &error));
    g_assert_no_error (error);
    return reply;
}

void
dbn_inproc_call_fails (DbnInproc *self, const char *name, GBytes *body, const char *code)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_inproc_call (self, name, body);
    g_assert_false (dbn_reply_check (reply, &error));
    if (!dbn_error_matches_wire (error, code))
        g_error ("expected [%s], got: %s", code, error->message);
}

static Heard *
find_heard (DbnInproc *self, const char *name, const char *type, const char *case_no)
{
    for (guint i = 0; i < self->heard->len; i++) {
        Heard *h = self->heard->pdata[i];
        if (!h->taken && strcmp (h->service, name) == 0 && strcmp (h->type, type) == 0
            && (case_no == NULL || g_strcmp0 (h->case_no, case_no) == 0))
            return h;
    }
    return NULL;
}

GBytes *
dbn_inproc_wait_event (DbnInproc *self, const char *name, const char *type, const char *case_no, char **topic)
{
    gint64 deadline = g_get_monotonic_time () + GUARD_US;
    Heard *h;
    for (;;) {
        drain_all (self);
        if ((h = find_heard (self, name, type, case_no)) != NULL)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        /* Blocks until something happens: a publish, a reply, a heartbeat. */
        g_main_context_iteration (NULL, TRUE);
    }
    h->taken = TRUE;
    if (topic != NULL)
        *topic = g_strdup (h->topic);
    return g_bytes_ref (h->body);
}

guint
dbn_inproc_count_events (DbnInproc *self, const char *name, const char *type)
{
    guint n = 0;
    drain_all (self);
    for (guint i = 0; i < self->heard->len; i++) {
        Heard *h = self->heard->pdata[i];
        n += strcmp (h->service, name) == 0 && strcmp (h->type, type) == 0;
    }
    return n;
}

static void
load_configuration (DbnInproc *self, DbnCatalog **catalog, DbnOrg **org)
{
    g_autoptr (GError) error = NULL;
    *catalog = dbn_catalog_load (dbn_config_get_catalog_path (self->config), &error);
    g_assert_no_error (error);
    *org = dbn_org_load (dbn_org_default_path (), &error);
    g_assert_no_error (error);
}

gpointer
dbn_inproc_add_intake (DbnInproc *self)
{
    g_autoptr (GError) error = NULL;
    DbnCatalog *catalog = NULL;
    DbnOrg *org = NULL;
    load_configuration (self, &catalog, &org);
    DbnService *service = dbn_inproc_service_new (self, "intake", intake_migrations);
    IntakeActions *actions = intake_actions_new (service, catalog, org, &error);
    g_assert_no_error (error);
    dbn_inproc_own (self, actions, (GDestroyNotify) intake_actions_free);
    dbn_service_add_commands (service, intake_commands, actions);
    dbn_inproc_start (self, service);
    return actions;
}

gpointer
dbn_inproc_add_routing (DbnInproc *self)
{
    g_autoptr (GError) error = NULL;
    DbnCatalog *catalog = NULL;
    DbnOrg *org = NULL;
    load_configuration (self, &catalog, &org);
    DbnService *service = dbn_inproc_service_new (self, "routing", routing_migrations);
    RoutingActions *actions = routing_actions_new (service, catalog, org, &error);
    g_assert_no_error (error);
    dbn_inproc_own (self, actions, (GDestroyNotify) routing_actions_free);
    dbn_service_add_commands (service, routing_commands, actions);
    dbn_inproc_start (self, service);
    g_assert_true (routing_actions_follow_intake (actions, self->bus, &error));
    g_assert_no_error (error);
    return actions;
}

GBytes *
dbn_inproc_encoded (GBytes *body, GError **error)
{
    g_assert_no_error (*error);
    g_assert_nonnull (body);
    return body;
}

char *
dbn_inproc_next_key (DbnInproc *self)
{
    return g_strdup_printf ("inproc-%u", ++self->keys);
}

DbnMsgIntakeSubmit *
dbn_inproc_submit_new (DbnInproc *self, const char *materials)
{
    guint n = ++self->applicants;
    /* A valid resident ID number (GB 11643) of a person born in 1980. */
    char first17[18];
    g_snprintf (first17, sizeof first17, "11010519800101%03u", n % 1000);
    DbnMsgIntakeSubmit *m = dbn_msg_intake_submit_new ();
    m->env.key = dbn_inproc_next_key (self);
    m->applicant = g_strdup_printf ("申办人%u", n);
    m->id_number = g_strdup_printf ("%s%c", first17, dbn_idnumber_check_char (first17));
    m->phone = g_strdup ("13800000001");
    m->village = g_strdup ("qingshui");
    m->matter = g_strdup ("JS-ZHUNSHENG");
    m->materials = g_strsplit (materials, ";", -1);
    m->consent = TRUE;
    return m;
}
