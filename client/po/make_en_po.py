#!/usr/bin/env python3
"""Writes client/po/en.po from a POT (xgettext over client/po/POTFILES) and
the English below. Run after changing UI strings:
  xgettext --from-code=UTF-8 -k_ -kN_ --files-from=client/po/POTFILES -o /tmp/daiban.pot
  python3 client/po/make_en_po.py /tmp/daiban.pot > client/po/en.po
A string without an English entry stays Chinese."""
import re, sys

EN = {
 "共 %u 件，显示 %u 件": "%u cases, %u shown",
 "命令无法编码（字段过长？）": "The command cannot be encoded (a field too long?)",
 "已提交：%s": "Queued: %s",
 "请先选择一个案件": "Select a case first",
 "退回须写明理由和改向何处申请": "A return needs a written reason and where to apply instead",
 "该案件不在交接清单上": "This case is not on a run sheet",
 "%s：完成": "%s: done",
 "搜索案件编号、事项、申办人、状态": "Search case number, matter, applicant, state",
 "选择一个案件": "Select a case",
 "办理时间线": "Timeline",
 "分类": "Classify", "理由": "Reason", "分类、移交、退回的理由": "Reason for classifying, handing off or returning",
 "移交给": "Hand off to", "办理结果": "Result", "改向何处申请": "Apply instead at",
 "退回时必填": "Required for a return", "分派": "Assign", "开始办理": "Start", "移交": "Hand off",
 "办结": "Complete", "退回": "Return", "签收交接件": "Acknowledge run-sheet item",
 "流转登记": "Routed", "部分办结": "Part completed", "上报": "Escalated", "县级答复": "County answered",
 "答复申办人": "Reply to applicant", "归档": "Archived", "陪同办理": "Accompanied",
 "列入交接清单": "On a run sheet", "中心签收": "Received at the centre",
 "服务无应答，命令已存入待发箱，恢复后自动发送": "No answer from the service; the command waits in the outbox and goes out when it is back",
 "受理": "Intake", "流转": "Routing",
 "群众事务代办承办单": "Acceptance form", "一次性告知书": "One-time notification of missing materials",
 "代办事项交接清单": "Run sheet", "编号：": "No.:",
 "以上材料一次性告知，补齐后即可办理；补正期间不计入办理时限。": "These are all the missing materials, told at once; the case is handled once they are in, and the time limit stops meanwhile.",
 "申办人签字（捺印）：________": "Applicant's signature (thumbprint): ________",
 "代办员签字：________": "Agent's signature: ________",
 "未发送": "Not yet sent",
 "%s（超期 %d 个工作日）": "%s (%d working days overdue)",
 "%s（剩 %d 个工作日）": "%s (%d working days left)",
 "在站点": "At the station", "在途（未签收）": "In transit (not received)", "中心已签收": "Received at the centre",
 "编号": "Number", "事项": "Matter", "申办人": "Applicant", "类别": "Kind", "状态": "State", "期限": "Due",
 "首问责任人": "Responsible", "窗口": "Window", "材料位置": "Papers",
 "已接收": "Received", "待补材料": "Awaiting materials", "已分类": "Classified", "已分派": "Assigned",
 "办理中": "In progress", "已上报": "Escalated", "县级已答复": "County answered", "已办结": "Completed",
 "已退回": "Returned", "已答复": "Replied", "已归档": "Archived",
 "即办件": "Immediate", "承办件": "Committed", "联办件": "Joint", "上报件": "Escalated", "退回件": "Returned",
 "未选择事项": "No matter chosen",
 "%s（%s，时限 %d 个工作日）": "%s (%s, limit %d working days)",
 "已输入 %zu 位，共 18 位": "%zu of 18 characters",
 "身份证号校验不通过，请核对": "The ID number's check digit is wrong; please check it",
 "身份证号校验通过": "ID number checked",
 "答复：%s  %s（%s）": "Reply: %s  %s (%s)",
 "请先选择事项": "Choose a matter first",
 "请填写申办人和联系电话": "Fill in the applicant and the phone",
 "须申办人本人自愿委托后方可受理": "Only a request the applicant entrusted can be taken",
 "已存入待发箱（未发送）：%s": "In the outbox (not yet sent): %s",
 "已受理，案件编号 %s": "Accepted, case number %s",
 "\n一次性告知：尚缺 %s（补齐后办理）": "\nOne-time notification: missing %s (handled once complete)",
 "受理时间": "Accepted at", "受理站点": "Station", "代办事项": "Matter", "%d 个工作日": "%d working days",
 "办理时限": "Time limit", "缺少材料": "Missing materials", "无": "None", "需补材料 %d": "Missing material %d",
 "告知时间": "Told at", "（无）": "(none)", "交接清单 %s（%s）：%s": "Run sheet %s (%s): %s",
 "站点": "Station", "送达日期": "Delivery date", "交接清单已存入待发箱（未发送）": "Run sheet in the outbox (not yet sent)",
 "请先在“本站案件”中选择案件": "Select a case under Cases first",
 "请填写办理结果": "Fill in the result", "未办结的案件须告知理由": "A case not completed needs the reason",
 "答复已存入待发箱（未发送）": "Reply in the outbox (not yet sent)",
 "尚无已受理的案件": "No accepted case yet", "本案材料齐全，无需一次性告知": "Nothing is missing: no notification needed",
 "请先新建交接清单": "Create a run sheet first", "已导出：%s%s%s": "Exported: %s%s%s",
 "满意": "Satisfied", "基本满意": "Basically satisfied", "不满意": "Unsatisfied",
 "事项（名称或拼音首字母）": "Matter (name or pinyin initials)", "如：准生证、zsz、dibao": "e.g. 准生证, zsz, dibao",
 "材料清单（勾选已交材料）": "Materials (tick those handed in)", "身份证号": "ID number", "联系电话": "Phone",
 "住址": "Address", "诉求": "Request", "申办人本人自愿委托代办（已签委托书）": "The applicant entrusts this request (signed)",
 "受理并发送": "Accept and send", "打印承办单": "Print acceptance form", "打印一次性告知书": "Print notification",
 "导出 PDF": "Export PDF", "本站案件": "Cases", "新建交接清单": "New run sheet", "打印交接清单": "Print run sheet",
 "在“本站案件”中选择要答复的案件": "Select the case to reply to under Cases",
 "已办结的案件：告知的结果": "Completed case: the result told", "未办结理由": "Reason not completed",
 "其他案件：告知的理由": "Other cases: the reason told", "申办人评价": "Applicant's rating",
 "申办人签字或捺印": "Applicant's signature or thumbprint", "清除签名": "Clear signature", "答复并发送": "Reply and send",
 "未发送 %u": "Not yet sent: %u", "请填写密钥文件和数据目录": "Fill in the key file and the data folder",
 "代办 · %s": "Daiban · %s", "选择密钥文件": "Choose the key file", "选择数据目录": "Choose the data folder",
 "选择": "Choose", "取消": "Cancel", "代办": "Daiban", "代办 · 未连接": "Daiban · not connected",
 "待发箱中尚未被服务确认的命令": "Commands in the outbox the services have not confirmed yet",
 "离线：服务无法连接。新受理的事项存入待发箱（未发送），恢复连接后按顺序自动发送一次。":
   "Offline: the services cannot be reached. New requests wait in the outbox (not yet sent) and go out once, in order, when the line is back.",
 "首次使用：请选择本机的密钥文件和配置": "First start: choose this PC's key file and configuration",
 "密钥文件": "Key file", "由 daiban keys add 生成的 .secret 文件": "The .secret file from `daiban keys add`",
 "建档归档": "Archive", "已答复的案件建档，此后只读": "File the replied case; read-only afterwards",
 "本中心的窗口、经乡级代办员转县直部门、村代办站": "The centre's windows, county departments through township agents, village stations",
 "agent:%s  %s（转%s）": "agent:%s  %s (to %s)",
 "选择…": "Choose…", "数据目录": "Data folder", "含 daiban.conf 的目录": "The folder with daiban.conf", "连接": "Connect",
 "状态：%s　类别：%s\n申办人：%s　村：%s\n现由：%s　首问责任人：%s\n材料位置：%s%s%s\n缺少材料：%s":
   "State: %s  Kind: %s\nApplicant: %s  Village: %s\nHeld by: %s  Responsible: %s\nPapers: %s%s%s\nMissing: %s",
}

def unquote(lines):
    return "".join(re.match(r'^\s*(?:msgid |msgstr )?"(.*)"\s*$', l).group(1) for l in lines) \
        .encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

text = open(sys.argv[1], encoding="utf-8").read()
out = ['msgid ""', 'msgstr ""', '"Project-Id-Version: daiban\\n"', '"PO-Revision-Date: 2026-11-27 22:00+0000\\n"', '"Last-Translator: daiban\\n"', '"Language-Team: English\\n"', '"Language: en\\n"',
       '"MIME-Version: 1.0\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
       '"Content-Transfer-Encoding: 8bit\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', '']
for block in text.split("\n\n")[1:]:
    lines = block.strip().split("\n")
    comments = [l for l in lines if l.startswith("#")]
    body = [l for l in lines if not l.startswith("#")]
    i = body.index([l for l in body if l.startswith("msgstr")][0])
    msgid = unquote(body[:i])
    en = EN.get(msgid, "")
    out += [c for c in comments if c.startswith("#,")]
    out.append("msgid " + quote(msgid))
    out.append("msgstr " + quote(en))
    out.append("")
print("\n".join(out))
