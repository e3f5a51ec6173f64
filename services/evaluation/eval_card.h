/* eval_card.h: the completion card (《代办事项落实卡》, D-RPL-1) in the
 * evaluation service. The applicant's signature or thumbprint (a PNG) comes
 * with the reply's rating (eval.rate, stage reply) together with its SHA-256;
 * the service checks the hash, stores the card once beside the rating (the
 * same transaction, so the outbox's exactly-once holds for both) and answers
 * eval.card, so any station or window PC can reprint it.
 *
 *   ev_card   one per case: rating, result text, signature PNG and its
 *             SHA-256, who recorded it and when; append-only (a card once
 *             signed is never changed).
 */
#pragma once

#include "eval_card_table.h"
#include "evaluation_actions.h"

G_BEGIN_DECLS

/* Checks what eval.rate carries for the card before anything is written:
 * a signature only with stage reply, a PNG (its 8-byte magic), at most
 * EVAL_CARD_MAX_SIGNATURE bytes, with a 64-hex-digit SHA-256 equal to the
 * one computed here (GChecksum). A hash without a signature is refused too.
 * EVAL_ERROR_SIGNATURE_MISMATCH or EVAL_ERROR_INVALID. */
gboolean eval_card_check (const DbnMsgEvalRate *req, EvalStage stage, GError **error);

/* Records the card of a reply rating (stage reply) in the caller's
 * transaction: req's level, result and signature, actor, at (ms).
 * EVAL_ERROR_ALREADY_RATED when the case has its card (never replaced). */
gboolean eval_card_record (DbnStore *store, const DbnMsgEvalRate *req, EvalLevel level, const char *actor,
                           gint64 at, GError **error);

/* The eval.card command (evaluation_commands): user_data is the
 * EvaluationActions. */
GBytes *eval_card_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

G_END_DECLS
