/* cli_county.h: `daiban county` (issue 16 item 3, the county committee's
 * check of its townships' audit records, docs/county.md):
 *   daiban [--data TOWNSHIP_DIR] [--key K] county keep --store FILE --township ID
 *   daiban county check --store FILE --township ID --db COPY
 *   daiban [--data TOWNSHIP_DIR] [--key K] county prove --store FILE --township ID
 *   daiban county status --store FILE
 *   daiban --data COUNTY_DIR [--key K] county follow --store FILE [--interval S]
 *   daiban county table --store FILE --month YYYY-MM [--json]
 */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

int cli_county (int argc, char **argv, const char *data_option);
/* daiban county follow (cli_county_follow.c). */
int cli_county_follow (int argc, char **argv, const char *data_option);

G_END_DECLS
