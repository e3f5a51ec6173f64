/* net_station.c: a village station's PC for tests/net (issue 16 item 6).
 *
 * What it is: the station side of daiban-client without the widgets. It
 * acts as station:<id> through the client's own DbnConnection and sends
 * every request through the client's own DbnOutbox (a SQLite file under
 * --client-dir), built the way the station view's 受理并发送 builds it
 * (dbn_station_view.c, action_submit: a fresh UUID key, channel station,
 * consent). So a line that drops packets or is cut is met by exactly the
 * code a station runs: rows wait in the outbox, go out one at a time in
 * order, are resent with the same key after a timeout, and each reply is
 * the service's first answer. Rejected: the CLI in a loop (it has no outbox:
 * a request taken while the line is down would be lost or retried by the
 * test, which is not what a station does).
 *
 * It is driven by lines on stdin and reports on stdout, one line each, with
 * CLOCK_MONOTONIC microseconds (shared by every network namespace):
 *   take I KEY       take request I with idempotency key KEY ("-": a new UUID)
 *   auto MS          from now on take the next request every MS ms
 *   pause            stop taking requests (the outbox goes on sending)
 *   quit             exit
 * and prints
 *   taken I KEY T    stored in the outbox
 *   ack I KEY CASE T the service's reply (the case number)
 *   refused I KEY T MESSAGE
 *   pending N T      rows not yet answered
 *
 * Request I of station S is always the same request (applicant, ID number,
 * matter, materials), so the test can give the same input to an undisturbed
 * system and compare the queues.
 */
#include "dbn_commands.h"
#include "dbn_outbox.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    DbnConnection *connection;
    DbnOutbox *outbox;
    char *station;    /* station id, its village id too (org.ini convention) */
    guint number;     /* --number: distinguishes the stations' ID numbers */
    guint next;       /* the next request auto takes */
    guint auto_id;    /* auto timer */
    GHashTable *rows; /* outbox row id (gint64*) → "I KEY" */
    GMainLoop *loop;
} Station;

static gint64
now_us (void)
{
    return g_get_monotonic_time ();
}

/* An ID number that passes the check digit, distinct per (station, i). */
static char *
id_number (guint n)
{
    char first17[18];
    g_snprintf (first17, sizeof first17, "110105%04u%02u%02u%03u", 1950 + n % 60, 1 + (n / 60) % 12,
                1 + (n / 720) % 28, (n / 20160) % 1000);
    return g_strdup_printf ("%s%c", first17, dbn_idnumber_check_char (first17));
}

/* Request i: two matters of two windows (jisheng, minzheng); every fourth
 * lacks a material, so some cases wait for materials (D-INT-4). */
static DbnMsgIntakeSubmit *
request_new (Station *self, guint i, const char *key)
{
    static const char *const zhunsheng[] = { "夫妻双方身份证", "户口簿", "结婚证", NULL };
    static const char *const linshi[] = { "申请书", "身份证", "困难情况说明", NULL };
    gboolean second = i % 3 == 2;
    const char *const *all = second ? linshi : zhunsheng;
    DbnMsgIntakeSubmit *m = dbn_msg_intake_submit_new ();
    m->env.key = g_strdup (key);
    m->applicant = g_strdup_printf ("%s申办人%u", self->station, i);
    m->id_number = id_number (self->number * 100000 + i);
    m->phone = g_strdup_printf ("139%08u", self->number * 100000 + i);
    m->village = g_strdup (self->station);
    m->matter = g_strdup (second ? "MZ-LINSHI" : "JS-ZHUNSHENG");
    m->consent = TRUE;
    m->channel = g_strdup ("station");
    GStrvBuilder *handed = g_strv_builder_new ();
    for (guint k = 0; all[k] != NULL; k++)
        if (i % 4 != 3 || k != 1)
            g_strv_builder_add (handed, all[k]);
    m->materials = g_strv_builder_end (handed);
    g_strv_builder_unref (handed);
    return m;
}

static void
take (Station *self, guint i, const char *key_arg)
{
    g_autofree char *key = g_strcmp0 (key_arg, "-") == 0 ? dbn_command_new_key () : g_strdup (key_arg);
    g_autoptr (DbnMsgIntakeSubmit) m = request_new (self, i, key);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, &error);
    g_autofree char *label = g_strdup_printf ("%u", i);
    gint64 id =
        body ? dbn_outbox_enqueue (self->outbox, "intake", "intake.submit", key, body, label, &error) : 0;
    if (id == 0) {
        /* The station could not even store it: the test fails on this line. */
        printf ("refused %u %s %" G_GINT64_FORMAT " store: %s\n", i, key, now_us (), error->message);
        return;
    }
    g_hash_table_insert (self->rows, g_memdup2 (&id, sizeof id), g_strdup_printf ("%u %s", i, key));
    printf ("taken %u %s %" G_GINT64_FORMAT "\n", i, key, now_us ());
}

static gboolean
auto_take (gpointer user_data)
{
    Station *self = user_data;
    take (self, self->next++, "-");
    return G_SOURCE_CONTINUE;
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    Station *self = user_data;
    const char *row = g_hash_table_lookup (self->rows, &id);
    if (row == NULL)
        return;
    if (reply == NULL) {
        printf ("refused %s %" G_GINT64_FORMAT " %s\n", row, now_us (), error ? error->message : "?");
        return;
    }
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    printf ("ack %s %s %" G_GINT64_FORMAT "\n", row, r ? r->case_no : "?", now_us ());
}

static void
on_pending (GObject *outbox, GParamSpec *pspec, gpointer user_data)
{
    printf ("pending %u %" G_GINT64_FORMAT "\n", dbn_outbox_get_n_pending (DBN_OUTBOX (outbox)), now_us ());
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
    Station *self = user_data;
    g_autofree char *line = NULL;
    GIOStatus status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);
    if (status == G_IO_STATUS_AGAIN)
        return G_SOURCE_CONTINUE;
    if (status != G_IO_STATUS_NORMAL) {
        g_main_loop_quit (self->loop); /* the test went away */
        return G_SOURCE_REMOVE;
    }
    g_strchomp (line);
    g_auto (GStrv) words = g_strsplit (line, " ", 3);
    guint n = g_strv_length (words);
    if (n == 3 && strcmp (words[0], "take") == 0) {
        take (self, (guint) g_ascii_strtoull (words[1], NULL, 10), words[2]);
    } else if (n == 2 && strcmp (words[0], "auto") == 0) {
        g_clear_handle_id (&self->auto_id, g_source_remove);
        self->auto_id = g_timeout_add ((guint) g_ascii_strtoull (words[1], NULL, 10), auto_take, self);
    } else if (n == 1 && strcmp (words[0], "pause") == 0) {
        g_clear_handle_id (&self->auto_id, g_source_remove);
    } else if (n == 1 && strcmp (words[0], "quit") == 0) {
        g_main_loop_quit (self->loop);
        return G_SOURCE_REMOVE;
    } else {
        printf ("error unknown line: %s\n", line);
    }
    return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
    g_autofree char *data = NULL, *key_file = NULL, *client_dir = NULL, *station = NULL;
    int number = 1;
    GOptionEntry entries[] = {
        { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Data folder (daiban.conf, keys/registry)", "DIR" },
        { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "The station's secret key file", "FILE" },
        { "client-dir", 0, 0, G_OPTION_ARG_FILENAME, &client_dir, "Where the outbox lives", "DIR" },
        { "station", 0, 0, G_OPTION_ARG_STRING, &station, "Station (and village) id", "ID" },
        { "number", 0, 0, G_OPTION_ARG_INT, &number, "1, 2, ...: keeps ID numbers apart", "N" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— a station for the network test");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || data == NULL || key_file == NULL
        || client_dir == NULL || station == NULL) {
        fprintf (stderr, "net-station: %s\n",
                 error ? error->message : "--data, --key-file, --client-dir and --station");
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);
    Station self = { 0 };
    self.station = station;
    self.number = (guint) number;
    self.rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
    self.loop = g_main_loop_new (NULL, FALSE);
    self.connection = dbn_connection_new (data, key_file, &error);
    g_autofree char *path = g_build_filename (client_dir, "outbox.db", NULL);
    if (self.connection != NULL)
        self.outbox = dbn_outbox_new (self.connection, path, &error);
    if (self.outbox == NULL) {
        fprintf (stderr, "net-station: %s\n", error->message);
        return 1;
    }
    g_signal_connect (self.outbox, "replied", G_CALLBACK (on_replied), &self);
    g_signal_connect (self.outbox, "notify::n-pending", G_CALLBACK (on_pending), &self);
    GIOChannel *in = g_io_channel_unix_new (0);
    g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &self);
    printf ("ready %" G_GINT64_FORMAT "\n", now_us ());
    g_main_loop_run (self.loop);
    g_clear_handle_id (&self.auto_id, g_source_remove);
    g_io_channel_unref (in);
    g_clear_object (&self.outbox);
    g_clear_object (&self.connection);
    g_hash_table_unref (self.rows);
    g_main_loop_unref (self.loop);
    return 0;
}
