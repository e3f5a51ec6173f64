/* dbn_error.c: the table from (domain, code) to wire code and sentences.
 *
 * A GHashTable keyed by "domain-quark:code" would work, but the table is
 * small (tens of entries), written once at start-up and read per error reply,
 * so a flat GArray searched linearly is simpler and fast enough. The registry
 * is guarded by a mutex only because tests may register from several threads.
 */
#include "daiban/dbn_error.h"
#include "daiban/dbn_keys.h"
#include "daiban/dbn_catalog.h"
#include "daiban/dbn_org.h"

#include "daiban/dbn_bus.h"
#include "daiban/dbn_codec.h"
#include "daiban/dbn_store.h"

G_DEFINE_QUARK (dbn-error-quark, dbn_error)

typedef struct {
    GQuark      domain;     /* GError domain */
    int         code;       /* GError code within it */
    const char *wire_code;  /* stable string sent in replies */
    const char *message_zh; /* sentence for a person, Chinese */
    const char *message_en; /* the same in English */
} ErrorEntry;

static GMutex registry_lock;
static GArray *registry; /* of ErrorEntry */

void
dbn_error_register (GQuark domain, int code, const char *wire_code,
                    const char *message_zh, const char *message_en)
{
    g_return_if_fail (wire_code != NULL);
    g_mutex_lock (&registry_lock);
    if (registry == NULL)
        registry = g_array_new (FALSE, FALSE, sizeof (ErrorEntry));
    ErrorEntry entry = { domain, code, wire_code, message_zh, message_en };
    for (guint i = 0; i < registry->len; i++) {
        ErrorEntry *e = &g_array_index (registry, ErrorEntry, i);
        if (e->domain == domain && e->code == code) {
            *e = entry;
            g_mutex_unlock (&registry_lock);
            return;
        }
    }
    g_array_append_val (registry, entry);
    g_mutex_unlock (&registry_lock);
}

static gboolean
lookup (GQuark domain, int code, ErrorEntry *out)
{
    gboolean found = FALSE;
    g_mutex_lock (&registry_lock);
    for (guint i = 0; registry != NULL && i < registry->len; i++) {
        ErrorEntry *e = &g_array_index (registry, ErrorEntry, i);
        if (e->domain == domain && e->code == code) {
            *out = *e;
            found = TRUE;
            break;
        }
    }
    g_mutex_unlock (&registry_lock);
    return found;
}

static gboolean
lookup_wire (const char *wire_code, ErrorEntry *out)
{
    gboolean found = FALSE;
    g_mutex_lock (&registry_lock);
    for (guint i = 0; registry != NULL && i < registry->len; i++) {
        ErrorEntry *e = &g_array_index (registry, ErrorEntry, i);
        if (g_strcmp0 (e->wire_code, wire_code) == 0) {
            *out = *e;
            found = TRUE;
            break;
        }
    }
    g_mutex_unlock (&registry_lock);
    return found;
}

void
dbn_error_register_builtin (void)
{
    static gsize done = 0;
    if (!g_once_init_enter (&done))
        return;

    GQuark e = DBN_ERROR;
    dbn_error_register (e, DBN_ERROR_INTERNAL, "internal", "系统内部错误", "internal error");
    dbn_error_register (e, DBN_ERROR_UNAVAILABLE, "unavailable", "服务暂时无法处理，请稍后重试", "service unavailable, try again later");
    dbn_error_register (e, DBN_ERROR_TIMEOUT, "timeout", "服务没有响应", "no answer from the service");
    dbn_error_register (e, DBN_ERROR_UNKNOWN_COMMAND, "unknown-command", "不支持的命令", "unknown command");
    dbn_error_register (e, DBN_ERROR_INVALID, "invalid", "填写的内容不符合要求", "invalid value");
    dbn_error_register (e, DBN_ERROR_NOT_FOUND, "not-found", "没有找到", "not found");
    dbn_error_register (e, DBN_ERROR_FORBIDDEN, "forbidden", "无权进行此操作", "not allowed");
    dbn_error_register (e, DBN_ERROR_CONFIG, "config", "配置文件有误", "configuration error");
    dbn_error_register (e, DBN_ERROR_KEY_REUSED, "key-reused",
                        "该幂等键已用于另一条命令或不同的内容，请换一个新键",
                        "the idempotency key was already used for another command or body: use a new key");
    dbn_error_register (e, DBN_ERROR_KEY_MISSING, "key-missing", "命令缺少幂等键",
                        "the command has an empty idempotency key");

    GQuark c = DBN_CODEC_ERROR;
    dbn_error_register (c, DBN_CODEC_ERROR_MALFORMED, "codec.malformed", "消息格式错误", "malformed message");
    dbn_error_register (c, DBN_CODEC_ERROR_WRONG_ROOT_TYPE, "codec.wrong-root-type", "消息不是键值表", "message is not a map");
    dbn_error_register (c, DBN_CODEC_ERROR_UNKNOWN_VERSION, "codec.unknown-version", "消息版本不受支持", "unknown message version");
    dbn_error_register (c, DBN_CODEC_ERROR_MISSING_FIELD, "codec.missing-field", "消息缺少必填项", "required field missing");
    dbn_error_register (c, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, "codec.wrong-field-type", "消息字段类型错误", "field has the wrong type");
    dbn_error_register (c, DBN_CODEC_ERROR_TOO_LARGE, "codec.too-large", "内容超过长度限制", "value over its size limit");
    dbn_error_register (c, DBN_CODEC_ERROR_TRAILING_BYTES, "codec.trailing-bytes", "消息末尾有多余数据", "trailing bytes after the message");
    dbn_error_register (c, DBN_CODEC_ERROR_UNKNOWN_TYPE, "codec.unknown-type", "未知的消息类型", "unknown message type");

    GQuark s = DBN_STORE_ERROR;
    dbn_error_register (s, DBN_STORE_ERROR_IO, "store.io", "数据读写失败，请联系管理员", "storage I/O error");
    dbn_error_register (s, DBN_STORE_ERROR_FULL, "store.full", "磁盘已满，未保存，请联系管理员", "disk full: nothing was saved");
    dbn_error_register (s, DBN_STORE_ERROR_BUSY, "store.busy", "数据库繁忙，请稍后重试", "storage busy, try again");
    dbn_error_register (s, DBN_STORE_ERROR_CORRUPT, "store.corrupt", "数据文件损坏，请联系管理员", "storage file corrupt");
    dbn_error_register (s, DBN_STORE_ERROR_CONSTRAINT, "store.constraint", "数据与已有记录冲突", "conflicts with a stored record");
    dbn_error_register (s, DBN_STORE_ERROR_MIGRATION, "store.migration", "数据文件版本不符", "storage schema version mismatch");
    dbn_error_register (s, DBN_STORE_ERROR_FAILED, "store.failed", "数据保存失败", "storage error");

    GQuark b = DBN_BUS_ERROR;
    dbn_error_register (b, DBN_BUS_ERROR_ENDPOINT, "bus.endpoint", "网络地址不可用", "endpoint unavailable");
    dbn_error_register (b, DBN_BUS_ERROR_SOCKET, "bus.socket", "网络通信错误", "network error");
    dbn_error_register (b, DBN_BUS_ERROR_INSECURE, "bus.insecure", "缺少加密密钥，拒绝明文通信",
                        "no CURVE key for this endpoint: refusing plain text");

    /* D-CAT-3: a reload refused over the wire names the file's line. */
    GQuark k = DBN_CATALOG_ERROR;
    dbn_error_register (k, DBN_CATALOG_ERROR_READ, "catalog.read", "事项清单文件无法读取", "the catalog file cannot be read");
    dbn_error_register (k, DBN_CATALOG_ERROR_PARSE, "catalog.parse", "事项清单文件格式有误", "the catalog file is not a key file");
    dbn_error_register (k, DBN_CATALOG_ERROR_INVALID, "catalog.invalid", "事项清单内容有误", "the catalog breaks a rule");
    GQuark o = DBN_ORG_ERROR;
    dbn_error_register (o, DBN_ORG_ERROR_CATALOG, "org.catalog", "事项清单与组织机构不符", "the catalog does not match the organisation");
    dbn_error_register (o, DBN_ORG_ERROR_UNKNOWN_ID, "org.unknown-id",
                        "组织机构（org.ini）中没有这个村、代办站、窗口或片区",
                        "not a village, station, window or area of the organisation (org.ini)");

    dbn_keys_register_errors ();

    g_once_init_leave (&done, 1);
}

const char *
dbn_error_wire_code (const GError *error)
{
    ErrorEntry entry;
    if (error != NULL && lookup (error->domain, error->code, &entry))
        return entry.wire_code;
    return "internal";
}

static char *
dup_message (const GError *error, gboolean zh)
{
    ErrorEntry entry;
    g_return_val_if_fail (error != NULL, NULL);
    if (!lookup (error->domain, error->code, &entry))
        return g_strdup_printf ("%s: %s", zh ? "系统内部错误" : "internal error", error->message);
    const char *base = zh ? entry.message_zh : entry.message_en;
    if (error->message == NULL || *error->message == '\0' || g_strcmp0 (error->message, base) == 0)
        return g_strdup (base);
    return g_strdup_printf ("%s: %s", base, error->message);
}

char *
dbn_error_dup_message_zh (const GError *error)
{
    return dup_message (error, TRUE);
}

char *
dbn_error_dup_message_en (const GError *error)
{
    return dup_message (error, FALSE);
}

GError *
dbn_error_new_from_wire (const char *wire_code, const char *message_zh, const char *message_en)
{
    ErrorEntry entry;
    const char *zh = message_zh ? message_zh : "";
    const char *en = message_en ? message_en : "";
    if (wire_code != NULL && lookup_wire (wire_code, &entry))
        return g_error_new (entry.domain, entry.code, "%s / %s", en, zh);
    return g_error_new (DBN_ERROR, DBN_ERROR_INTERNAL, "[%s] %s / %s",
                        wire_code ? wire_code : "?", en, zh);
}

gboolean
dbn_error_matches_wire (const GError *error, const char *wire_code)
{
    ErrorEntry entry;
    return error != NULL && lookup_wire (wire_code, &entry) &&
           error->domain == entry.domain && error->code == entry.code;
}
