/* fuzz_decoder.h: what fuzz_replay_main.c needs from fuzz_decoder.c. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "dbn_msg.h"

/* libFuzzer's entry point: runs one input through the selected decoder and
 * aborts when the decoder breaks its contract. Always returns 0. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Picks the decoder LLVMFuzzerTestOneInput() runs (replay builds only; a
 * libFuzzer build is fixed to DBN_FUZZ_MESSAGE). info is static. */
void dbn_fuzz_select (const DbnMsgInfo *info);
