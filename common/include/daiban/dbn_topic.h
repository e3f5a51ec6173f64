/* dbn_topic.h: the one place that builds queue topics (q/<window>,
 * s/<station>, a/<area>) and the last check before one is used.
 *
 * Subscriptions are prefix matches, and a station is granted "s/<id>/"
 * (dbn_auth_grant_subscription). An id holding '/' would make a topic such
 * as "s/qingshui/x/" that the grant of station qingshui matches (issue 11).
 * Ids are checked against org.ini where they enter (intake, routing's
 * targets, `daiban keys add`); this is the second wall behind that one: an
 * id that no principal could carry never becomes a topic.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest id a queue topic may carry (org.ini's and a principal's limit). */
#define DBN_TOPIC_ID_MAX 32

/* TRUE when id is 1 to DBN_TOPIC_ID_MAX characters of A-Z a-z 0-9 '_' '-'
 * (the characters a principal's id may have; org.ini allows fewer). */
gboolean dbn_topic_id_is_valid (const char *id);

/* "<kind>/<id>" for kind 'q', 's' or 'a' (dbn_publisher_send adds the final
 * '/'). NULL with DBN_ERROR_INVALID, naming the id escaped, when id is not
 * valid. Caller owns the result. */
char *dbn_topic_dup_queue (char kind, const char *id, GError **error);

/* TRUE when topic may be published: a topic beginning "q/", "s/" or "a/"
 * must be exactly that and a valid id; other topics (hb, audit, a test's own)
 * pass. FALSE with DBN_ERROR_INVALID otherwise. */
gboolean dbn_topic_check (const char *topic, GError **error);

G_END_DECLS
