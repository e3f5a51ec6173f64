/* cli_handover.h: `daiban handover` (issue 16 item 2, group agents):
 *   daiban handover submit ...        a group agent hands a request to its station
 *   daiban handover list STATION      the station's handovers (a group key: its own)
 *   daiban handover accept H --consent | return H --reason TEXT   (the station)
 */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

int cli_handover (int argc, char **argv, const char *data_option);

G_END_DECLS
