/* dbn_commands.h: what the views share to send commands and read replies. */
#pragma once

#include "dbn_outbox.h"

G_BEGIN_DECLS

/* A fresh idempotency key for a command (a UUID). Caller owns it. */
char *dbn_command_new_key (void);

/* One line of a case's timeline for people: "2026-11-27 10:05 已分类 window:jisheng 材料齐全".
 * NULL when event does not decode. Caller owns it. */
char *dbn_timeline_line (GBytes *event);

/* Chinese name of an event type (case.classified → 分类). Static. */
const char *dbn_event_display (const char *type);

/* A one-line message for people from an error: "[code] sentence" in the
 * UI's language (the service's sentences, dbn_error_dup_line). Caller owns it. */
char *dbn_error_line (const GError *error);
/* TRUE when gettext shows the UI in English (LANGUAGE=en), FALSE for Chinese. */
gboolean dbn_ui_is_english (void);

G_END_DECLS
