/* dbn_clock.c: the only place that reads the wall clock (style rule 9).
 *
 * Three kinds behind one opaque type, chosen by a tag rather than a vtable
 * because there will never be a fourth:
 *   wall    g_get_real_time();
 *   manual  a number the test sets and advances;
 *   file    the number in a file, so a test moves the clock of a service
 *           running as a separate process by rewriting that file.
 * The file clock re-reads its file at most once per 50 ms of monotonic time:
 * a service asks for the time on every command and timer, and a stat+read
 * each time would cost more than the command. A file that cannot be read or
 * does not hold a plain integer keeps the last good value and is reported
 * once (dbn_log_once), since the same fault would otherwise repeat 20 times
 * a second. Before the first good value the file clock follows the wall
 * clock, so a service started before its test wrote the file still runs.
 *
 * Manual and file clocks take a mutex: the bus and deadline threads may read
 * the time while the main thread moves it. The wall clock needs none.
 *
 * Local time is China Standard Time, a fixed UTC+8 offset. A fixed offset
 * (g_time_zone_new_offset) rather than "Asia/Shanghai" from tzdata: the
 * country has had no daylight saving since 1991, and the result must not
 * depend on the host's tzdata or TZ (containers often have neither).
 */
#define G_LOG_DOMAIN "daiban-clock"

#include "daiban/dbn_clock.h"

#include <string.h>

#include "daiban/dbn_log.h"

#define FILE_REREAD_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
/* Longer than any gint64 in decimal plus whitespace: anything bigger is not
 * a clock file. */
#define FILE_MAX_BYTES      64
#define OFFICE_UTC_OFFSET_S (8 * 3600)

typedef enum {
    CLOCK_WALL,
    CLOCK_MANUAL,
    CLOCK_FILE,
} ClockKind;

struct _DbnClock {
    ClockKind kind;      /* which of the three clocks this is */
    GMutex lock;         /* guards the fields below (manual and file clocks) */
    gint64 now_ms;       /* manual: the time; file: the last good value read */
    gboolean have_value; /* file: now_ms came from the file at least once */
    gint64 next_read_us; /* file: monotonic time before which the file is not re-read */
    char *path;          /* file: the file holding ms since the epoch */
};

static DbnClock *
clock_new (ClockKind kind)
{
    DbnClock *self = g_new0 (DbnClock, 1);
    self->kind = kind;
    g_mutex_init (&self->lock);
    return self;
}

DbnClock *
dbn_clock_new_wall (void)
{
    return clock_new (CLOCK_WALL);
}

DbnClock *
dbn_clock_new_manual (gint64 start_ms)
{
    DbnClock *self = clock_new (CLOCK_MANUAL);
    self->now_ms = start_ms;
    return self;
}

DbnClock *
dbn_clock_new_file (const char *path)
{
    if (path == NULL || *path == '\0')
        return dbn_clock_new_wall ();
    DbnClock *self = clock_new (CLOCK_FILE);
    self->path = g_strdup (path);
    return self;
}

DbnClock *
dbn_clock_new_from_env (void)
{
    return dbn_clock_new_file (g_getenv ("DAIBAN_CLOCK_FILE"));
}

void
dbn_clock_free (DbnClock *self)
{
    if (self == NULL)
        return;
    g_mutex_clear (&self->lock);
    g_free (self->path);
    g_free (self);
}

static gint64
wall_now_ms (void)
{
    return g_get_real_time () / 1000;
}

/* Parses the file: one decimal integer of milliseconds, surrounding
 * whitespace allowed. */
static gboolean
read_clock_file (const char *path, gint64 *ms, GError **error)
{
    g_autofree char *text = NULL;
    gsize length = 0;
    if (!g_file_get_contents (path, &text, &length, error))
        return FALSE;
    if (length > FILE_MAX_BYTES || strlen (text) != length) {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     "%s: not a clock file (expected milliseconds since the epoch)", path);
        return FALSE;
    }
    g_strstrip (text);
    gint64 value = 0;
    if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, error)) {
        g_prefix_error (error, "%s: ", path);
        return FALSE;
    }
    *ms = value;
    return TRUE;
}

/* Called with the lock held. */
static gint64
file_now_ms (DbnClock *self)
{
    gint64 mono = g_get_monotonic_time ();
    if (mono >= self->next_read_us) {
        self->next_read_us = mono + FILE_REREAD_INTERVAL_US;
        g_autoptr (GError) error = NULL;
        gint64 value = 0;
        if (read_clock_file (self->path, &value, &error)) {
            self->now_ms = value;
            self->have_value = TRUE;
        } else {
            g_autofree char *key = g_strdup_printf ("dbn-clock-file:%s", self->path);
            dbn_log_once (key, "clock file unusable, %s: %s",
                          self->have_value ? "keeping its last good time"
                                           : "following the wall clock until it is fixed",
                          error->message);
        }
    }
    return self->have_value ? self->now_ms : wall_now_ms ();
}

gint64
dbn_clock_now_ms (DbnClock *self)
{
    g_return_val_if_fail (self != NULL, 0);
    if (self->kind == CLOCK_WALL)
        return wall_now_ms ();
    g_mutex_lock (&self->lock);
    gint64 now = self->kind == CLOCK_MANUAL ? self->now_ms : file_now_ms (self);
    g_mutex_unlock (&self->lock);
    return now;
}

void
dbn_clock_set_ms (DbnClock *self, gint64 now_ms)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (self->kind == CLOCK_MANUAL);
    g_mutex_lock (&self->lock);
    self->now_ms = now_ms;
    g_mutex_unlock (&self->lock);
}

void
dbn_clock_advance_ms (DbnClock *self, gint64 delta_ms)
{
    g_return_if_fail (self != NULL);
    g_return_if_fail (self->kind == CLOCK_MANUAL);
    g_mutex_lock (&self->lock);
    self->now_ms += delta_ms;
    g_mutex_unlock (&self->lock);
}

/* TRUE for the file clock too: its time moves only when a test moves it,
 * which is what a caller asking this wants to know (e.g. to not trust real
 * timers). set/advance still accept only a manual clock. */
gboolean
dbn_clock_is_manual (DbnClock *self)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return self->kind != CLOCK_WALL;
}

static GTimeZone *
office_time_zone (void)
{
    static GTimeZone *zone = NULL;
    if (g_once_init_enter (&zone)) {
        GTimeZone *tz = g_time_zone_new_offset (OFFICE_UTC_OFFSET_S);
        g_once_init_leave (&zone, tz);
    }
    return zone;
}

GDateTime *
dbn_clock_local_from_ms (gint64 ms)
{
    /* Floor division, so instants before 1970 keep a non-negative
     * millisecond part. */
    gint64 seconds = ms / 1000;
    gint64 rest_ms = ms % 1000;
    if (rest_ms < 0) {
        seconds -= 1;
        rest_ms += 1000;
    }
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (seconds);
    if (utc == NULL)
        return NULL;
    g_autoptr (GDateTime) exact = g_date_time_add (utc, rest_ms * G_TIME_SPAN_MILLISECOND);
    if (exact == NULL)
        return NULL;
    return g_date_time_to_timezone (exact, office_time_zone ());
}

GDateTime *
dbn_clock_dup_local_now (DbnClock *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return dbn_clock_local_from_ms (dbn_clock_now_ms (self));
}
