/* fuzz_decoder.c: the fuzz target of one decoder of the message registry.
 *
 * Built twice from this one source:
 * - with -DDBN_FUZZ=ON (clang), once per registry entry with
 *   -DDBN_FUZZ_MESSAGE="case_accepted" and linked with libFuzzer into
 *   fuzz_case_accepted and so on;
 * - in normal builds, once, without DBN_FUZZ_MESSAGE, into fuzz_replay,
 *   whose main (fuzz_replay_main.c) picks the decoder with
 *   dbn_fuzz_select() and feeds it the corpus and seeded mutations.
 *
 * Besides "never crash, never leak", each input checks the decoder's
 * contract: TRUE exactly when no error is set, errors from the codec domain
 * only, with a readable message, and whatever a decoder accepts is a single
 * well-formed object that dbn_codec_to_json() renders too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "daiban/dbn_codec.h"
#include "dbn_msg.h"
#include "fuzz_decoder.h"

static const DbnMsgInfo *target;

void
dbn_fuzz_select (const DbnMsgInfo *info)
{
    target = info;
}

static const DbnMsgInfo *
current_target (void)
{
#ifdef DBN_FUZZ_MESSAGE
    if (target == NULL) {
        target = dbn_msg_info_lookup (DBN_FUZZ_MESSAGE);
        if (target == NULL) {
            fprintf (stderr, "fuzz_decoder: no decoder called %s\n", DBN_FUZZ_MESSAGE);
            abort ();
        }
    }
#endif
    if (target == NULL) {
        fprintf (stderr, "fuzz_decoder: no decoder selected\n");
        abort ();
    }
    return target;
}

static void
broken (const DbnMsgInfo *info, const char *what)
{
    fprintf (stderr, "fuzz_decoder: %s: %s\n", info->name, what);
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const DbnMsgInfo *info = current_target ();
    GError *error = NULL;
    gboolean ok = info->check (data, size, &error);

    if (ok && error != NULL)
        broken (info, "accepted the frame but set an error");
    if (!ok && error == NULL)
        broken (info, "refused the frame without an error");
    if (!ok
        && (error->domain != DBN_CODEC_ERROR || error->code < DBN_CODEC_ERROR_MALFORMED
            || error->code > DBN_CODEC_ERROR_UNKNOWN_TYPE))
        broken (info, "refused the frame with an error outside DBN_CODEC_ERROR");
    if (!ok && (error->message == NULL || !g_utf8_validate (error->message, -1, NULL)))
        broken (info, "error message is not valid UTF-8: it would poison a log line");
    g_clear_error (&error);

    char *json = dbn_codec_to_json (data, size, &error);
    if (ok && json == NULL)
        broken (info, "accepted a frame dbn_codec_to_json() refuses");
    g_free (json);
    g_clear_error (&error);
    return 0;
}
