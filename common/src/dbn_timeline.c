/* dbn_timeline.c: see dbn_timeline.h. */
#include "daiban/dbn_timeline.h"

#include "dbn_msg_envelope.h"

GBytes *
dbn_timeline_find_last (GPtrArray *timeline, const char *type)
{
    GBytes *found = NULL;
    for (guint i = 0; timeline != NULL && i < timeline->len; i++) {
        GBytes *frame = timeline->pdata[i];
        DbnEnvEvent env = { 0 };
        if (!dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env, NULL))
            continue;
        if (g_strcmp0 (env.type, type) == 0)
            found = frame;
        dbn_env_event_clear (&env);
    }
    return found;
}
