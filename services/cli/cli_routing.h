/* cli_routing.h: the `daiban` commands of daiban-routing (issue 4):
 *   daiban case classify|assign|handoff|start|complete|escalate|county-answer|
 *               return|reply|archive|accompany|timeline NUMBER ...
 *   daiban runsheet new STATION | ack SHEET CASE...
 *   daiban queue window|station|area ID
 */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

/* TRUE when name is a `daiban case` subcommand of routing. */
gboolean cli_routing_is_case_command (const char *name);
/* `daiban case <name> ...`: argv[0] is the subcommand's name. */
int cli_routing_case (int argc, char **argv, const char *data_option);
/* Appends routing's state and timeline to `daiban case show` (text form);
 * prints one line instead when routing is unreachable or lacks the case. */
void cli_routing_print_case (CliContext *ctx, const char *case_no);
/* The case subcommands' lines of `daiban case --help`. Static. */
const char *cli_routing_case_usage (void);

int cli_runsheet (int argc, char **argv, const char *data_option);
int cli_queue (int argc, char **argv, const char *data_option);

G_END_DECLS
