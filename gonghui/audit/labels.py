"""How the audit trail reads to a person: a label for each action code, the field names of the
object's model, values as the pages show them (choice labels, 是/否, the related object's name,
money with separators, local time).

The trail sits below the domain apps, so nothing here imports them: models are reached through
Django's app registry by the `object_type` each event stores ("funds.transaction"), and the
action codes are plain strings. A code missing from ACTIONS still reads as Chinese: the app's
name plus a verb (`create` → 新建) or, for a workflow move, the status it moved to.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.codes import code_label
from gonghui.core.templatetags.gh_numbers import grouped

L = gettext_lazy

ACTIONS: dict[str, Any] = {
    # accounts, core
    "user.create": L("新建用户"), "role.assign": L("授予角色"), "role.revoke": L("撤销角色"),
    "token.issue": L("签发接口令牌"), "totp.enable": L("启用两步验证"),
    "core.workday.set": L("设置工作日"), "core.workday.delete": L("删除工作日设置"),
    # orgs
    "org.create": L("新建组织"), "org.update": L("修改组织"), "org.move": L("调整隶属关系"),
    "org.merge": L("合并组织"), "org.dissolve": L("撤销组织"),
    # members
    "member.add": L("新增会员"), "member.update": L("修改会员信息"),
    "member.merge": L("合并重复会员"), "member.transfer_out": L("转出会员"),
    "member.lapse": L("会员失联"), "member.lapse_clear": L("解除失联标记"),
    "member.lapse_contact": L("记录失联联系"), "member.lapse_flag": L("标记疑似失联"),
    "application.submit": L("提交入会申请"), "application.approve": L("批准入会申请"),
    "application.reject": L("驳回入会申请"), "application.withdraw": L("撤回入会申请"),
    "transfer.request": L("申请会员转接"), "transfer.accept": L("接收会员转接"),
    "transfer.decline": L("拒绝会员转接"), "transfer.cancel": L("取消会员转接"),
    "roster.import": L("导入名册"), "roster.import.start": L("开始导入名册"),
    "roster.export": L("导出名册"),
    # funds
    "funds.post": L("记账"), "funds.evidence_attach": L("上传记账凭证附件"),
    "funds.export": L("导出报表"), "funds.close": L("月末结账"),
    "funds.budget_set": L("设置预算"), "funds.allocation_rule": L("设置拨缴比例"),
    "funds.dues_generate": L("生成会费应收"), "funds.dues_unmark": L("撤销会费收缴标记"),
    "funds.limit_create": L("新建支出限额"), "funds.limit_deactivate": L("停用支出限额"),
    "funds.limit_override": L("超限额放行"), "funds.finding_add": L("登记审查意见"),
    # aid
    "aid.file.open": L("建立帮扶档案"), "aid.files.merge": L("合并帮扶档案"),
    "aid.policy.save": L("保存帮扶政策"), "aid.standard.create": L("新建帮扶标准"),
    "aid.standard.update": L("修改帮扶标准"), "aid.programme.create": L("新建帮扶项目"),
    "aid.programme.update": L("修改帮扶项目"), "aid.programme.add": L("加入帮扶项目名单"),
    "aid.programme.remove": L("移出帮扶项目名单"),
    "aid.programme.generate": L("生成帮扶项目名单"),
    # mutual aid
    "mutualaid.plan.create": L("新建互助保障计划"), "mutualaid.plan.version": L("修订互助保障计划"),
    "mutualaid.plan.close": L("关闭互助保障计划"), "mutualaid.enrol": L("参加互助保障"),
    "mutualaid.import.create": L("上传参保导入文件"), "mutualaid.import.run": L("执行参保导入"),
    "mutualaid.process": L("计算互助金"), "mutualaid.account.set": L("设置收款银行账户"),
    "mutualaid.batch.create": L("生成银行代发批次"), "mutualaid.batch.export": L("导出银行代发文件"),
    "mutualaid.batch.results": L("导入银行回盘"), "mutualaid.batch.cancel": L("作废代发批次"),
    # notices, notifications
    "notices.publish": L("发布公示"), "notices.withdraw": L("撤回公示"),
    "notices.close": L("结束公示"), "notices.objection.submit": L("提出公示异议"),
    "notices.objection.decide": L("处理公示异议"),
    "notifications.send": L("发送通知"), "notifications.read": L("阅读通知"),
    "notifications.read_all": L("全部通知标为已读"),
    # work plan
    "workplan.plan.create": L("新建工作要点"), "workplan.plan_create": L("新建工作要点"),
    "workplan.plan_update": L("修改工作要点"), "workplan.item_update": L("修改工作要点条目"),
    "workplan.item_departments": L("调整条目责任部门"),
    "workplan.draft_create": L("新建草稿"), "workplan.draft_update": L("修改草稿"),
    "workplan.draft_discard": L("放弃草稿"), "workplan.department_create": L("新建部门"),
    "workplan.department_update": L("修改部门"), "workplan.membership_add": L("加入部门"),
    "workplan.membership_remove": L("移出部门"), "workplan.milestone_create": L("新建节点"),
    "workplan.milestone_update": L("修改节点"), "workplan.milestone_complete": L("完成节点"),
    "workplan.milestone_reopen": L("重新打开节点"), "workplan.milestone_cancel": L("取消节点"),
    "workplan.subtask_create": L("新建子任务"), "workplan.subtask_done": L("完成子任务"),
    "workplan.subtask_reopen": L("重新打开子任务"), "workplan.report_create": L("报送进展"),
    "workplan.remind": L("督办提醒"), "workplan.notification_read": L("阅读督办通知"),
    "workplan.notification_read_all": L("全部督办通知标为已读"),
}

# the last word of an action code the table above does not know
VERBS: dict[str, Any] = {
    "create": L("新建"), "add": L("新增"), "update": L("修改"), "edit": L("修改"),
    "delete": L("删除"), "remove": L("移除"), "submit": L("提交"), "approve": L("批准"),
    "approved": L("批准"), "reject": L("驳回"), "rejected": L("驳回"), "withdraw": L("撤回"),
    "cancel": L("取消"), "close": L("关闭"), "open": L("建立"), "publish": L("发布"),
    "import": L("导入"), "export": L("导出"), "merge": L("合并"), "move": L("移动"),
    "verify": L("审核"), "verified": L("审核通过"), "decide": L("处理"), "assign": L("分配"),
    "record": L("登记"), "set": L("设置"), "reopen": L("重新打开"), "complete": L("完成"),
    "done": L("完成"), "pay": L("支付"), "paid": L("已支付"), "score": L("评分"),
    "vote": L("投票"), "sign": L("签到"), "register": L("报名"), "nominate": L("推荐"),
}

# keys of before/after that are not model fields (counts and sums services record)
KEYS: dict[str, Any] = {
    "items": L("条数"), "total": L("合计金额"), "count": L("数量"), "rows": L("行数"),
    "accepted": L("成功行数"), "rejected": L("拒绝行数"), "created": L("新增"),
    "updated": L("更新"), "headings": L("部分数"), "status": L("状态"), "amount": L("金额"),
    "reason": L("原因"), "note": L("说明"), "purpose": L("用途"), "file": L("文件"),
    "filename": L("文件名"), "month": L("月份"), "year": L("年度"), "role": L("角色"),
    "org": L("组织"), "org_id": L("组织"), "union_id": L("所属工会"), "target": L("目标"),
    "parent": L("上级组织"), "parent_id": L("上级组织"), "members": L("会员数"),
    "format": L("格式"), "kind": L("类型"), "code": L("代码"), "name": L("名称"),
    "lines": L("分录"), "plan": L("计划"), "version": L("版本"), "photo": L("照片"),
    "caption": L("照片说明"), "size": L("大小（字节）"),
    "enrolled": L("参保人数"), "skipped": L("跳过"), "notice": L("公示"), "document": L("材料"),
    "file_id": L("档案"), "item_id": L("条目"), "milestone": L("节点"),
    "milestone_id": L("节点"), "person": L("人员"), "added": L("新增"), "from": L("原值"),
    "attachments": L("附件"), "evidence": L("凭证"), "date": L("日期"), "number": L("编号"),
    "causes": L("致困原因"), "categories": L("困难类别"), "income": L("收入"),
    "paid": L("已支付"), "received": L("已收到"), "sha256": L("文件校验值"),
    "kinds": L("保障类型"), "created_at": L("创建时间"), "created_by_id": L("创建人"),
    "updated_at": L("更新时间"), "voucher": L("凭证号"), "notifications": L("通知数"),
    "match": L("对账匹配"), "approval": L("批复"), "cosigner": L("附议人"),
    "credentials": L("投票凭证数"), "employers": L("覆盖企业数"), "ledger_line": L("账簿分录"),
    "statement_line": L("对账单行"), "scheme": L("方案"), "session": L("期次"),
    "targets": L("目标"), "thresholds": L("等级分数线"), "users": L("人数"),
    "vetoes": L("否决项数"),
}

# protected fields of the sensitive-read log
REVEALED: dict[str, Any] = {
    "id_number": L("身份证号"), "account_number": L("银行账号"), "bank_account": L("银行账号"),
    "phone": L("手机号"), "id_numbers": L("身份证号"),
}

# internal keys no page shows (the tree's materialised path; blind indexes of personal data,
# which mean nothing to a reader and must not leave the database)
HIDDEN = {"path", "org_path", "union_path", "key", "idempotency_key"}
HIDDEN_SUFFIXES = ("_hash", "_blind", "_cipher", "_encrypted")


def _hidden(key: str) -> bool:
    return key in HIDDEN or key.endswith(HIDDEN_SUFFIXES)

MONEY_HINTS = ("amount", "total", "sum", "balance", "wage", "payroll", "price", "fee")


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    found: dict[str, models.Field] = {}
    for field in model._meta.concrete_fields:
        found[field.name] = field
        found[field.attname] = field
    return found


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    head, _sep, last = action.rpartition(".")
    last_word = last.rsplit("_", 1)[-1]
    model = _model(object_type)
    subject = type_label(object_type) if model is not None or object_type in TYPES else ""
    if not subject:
        app = head.split(".", 1)[0] if head else ""
        try:
            # app names are plain strings in apps.py; the catalogue has their English
            subject = _(str(apps.get_app_config(app).verbose_name)) if app else ""
        except LookupError:
            subject = ""
    status = _fields(model).get("status")
    if status is not None and status.choices:
        shown = dict(status.flatchoices).get(last)
        if shown is not None:
            return _("{subject}：{status}").format(subject=subject, status=shown)
    verb = VERBS.get(last) or VERBS.get(last_word)
    if verb is not None and subject:
        return _("{verb}{subject}").format(verb=verb, subject=subject)
    return _("{subject}操作").format(subject=subject) if subject else action


# object types whose model has no Chinese name of its own (or that are not models)
TYPES: dict[str, Any] = {
    "outreach.announcement": L("通知公告"), "outreach.course": L("培训班"),
    "outreach.project": L("实事项目"), "outreach.signup": L("活动报名"),
    "outreach.enrolment": L("培训报名"), "outreach.inspection": L("阵地检查"),
    "outreach.receipt": L("通知回执"), "notifications.kind": L("通知"),
    "rights.referral": L("转介"), "rights.hearing": L("庭审"), "rights.delegate": L("职代会代表"),
    "rights.session": L("职代会会议"), "rights.resolution": L("职代会决议"),
    "rights.representative": L("协商代表"), "rights.coverage": L("合同覆盖企业"),
    "awards.criterion": L("评分标准"), "awards.score": L("评分"),
    "democracy.cosigner": L("附议"), "evaluation.question": L("问卷题目"),
    "evaluation.invitation": L("问卷邀请"), "evaluation.evidence": L("佐证材料"),
}


def type_label(object_type: str) -> str:
    if object_type in TYPES:
        return str(TYPES[object_type])
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("gonghui.")]


@functools.cache
def _any_field(key: str) -> models.Field | None:
    """A field of that name on any model, preferring one with choices (a nested value — a
    household member's relation, a plan version's rules — carries no model of its own)."""
    found: models.Field | None = None
    for model in _our_models():
        field = _fields(model).get(key)
        if field is None or str(field.verbose_name) == field.name.replace("_", " "):
            continue
        if field.choices:
            return field
        found = found or field
    return found


@functools.cache
def _choice_fields(key: str) -> tuple[models.Field, ...]:
    """Every field of that name with choices, on any model."""
    return tuple(field for model in _our_models()
                 if (field := _fields(model).get(key)) is not None and field.choices)


def _choice_word(key: str, value: Any) -> str | None:
    """The choice label of `value` under a field named `key` (or its singular, for a list:
    causes → cause, categories → category) on any model whose choices hold it."""
    names = [key]
    if key.endswith("ies"):
        names.append(key[:-3] + "y")
    elif key.endswith("s"):
        names.append(key[:-1])
    for name in names:
        for field in _choice_fields(name):
            word = dict(field.flatchoices).get(value)
            if word is not None:
                return str(word)
    return None


@functools.cache
def _any_choice_word(value: str) -> str | None:
    """A value that is a choice of some field of ours (a grade used as a dict key)."""
    for model in _our_models():
        for field in model._meta.concrete_fields:
            if field.choices:
                word = dict(field.flatchoices).get(value)
                if word is not None:
                    return str(word)
    return None


def _key_word(key: str) -> str:
    shown = field_label(key, None)
    if shown == key:
        return _any_choice_word(key) or key
    return shown


def field_label(key: str, field: models.Field | None) -> str:
    if field is None and key not in KEYS:
        field = _any_field(key)
    if field is not None and str(field.verbose_name) != field.name.replace("_", " "):
        return str(field.verbose_name)
    if key in KEYS:
        return str(KEYS[key])
    return key


def _local(text: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if "T" not in text and " " not in text:
        return text  # a date stays as the pages write it, 2026-03-05
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _money(value: Any) -> str | None:
    try:
        decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return None
    return grouped(value, 2)


def show_value(key: str, value: Any, field: models.Field | None,
               related: dict[tuple[str, Any], str]) -> str:
    """One before/after value as the pages show it."""
    if value is None or value == "":
        return "—"
    if (words := code_label(value)) is not None:
        return words
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        item_field = field if field is not None and field.choices else None
        return "、".join(show_value(key, v, item_field, related) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{_key_word(k)}: {show_value(k, v, _any_field(k), related)}"
                        for k, v in value.items() if not _hidden(k))
    if isinstance(value, str) and (field is None or not field.choices) \
            and (word := _choice_word(key, value)) is not None:
        return word
    if field is not None:
        if field.choices:
            word = dict(field.flatchoices).get(value)
            if word is None and isinstance(value, str):
                word = _choice_word(key, value)  # a nested row's own field of that name
            return str(value if word is None else word)
        target = field.related_model
        if field.is_relation and target is not None and not isinstance(target, str):
            return related.get((target._meta.label_lower, str(value)), f"#{value}")
        if isinstance(field, models.DecimalField):
            return _money(value) or str(value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            return _local(value) or value
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] in "T ":
        return _local(value) or value
    if any(h in key for h in MONEY_HINTS) and isinstance(value, str | int | float) \
            and not isinstance(value, bool):
        return _money(value) or str(value)
    return str(value)


def _related_names(wanted: dict[type[models.Model], set[str]]) -> dict[tuple[str, Any], str]:
    names: dict[tuple[str, Any], str] = {}
    for model, ids in wanted.items():
        label = model._meta.label_lower
        try:
            for obj in model._default_manager.filter(pk__in=list(ids))[:500]:
                names[(label, str(obj.pk))] = str(obj)
        except (ValueError, TypeError):
            continue
    return names


def decorate_reads(reads: Iterable[Any]) -> None:
    for read in reads:
        read.field_label = str(REVEALED.get(read.field, read.field))
        read.type_label = type_label(read.subject_type)


def action_codes(text: str) -> list[str]:
    """Action codes whose label contains `text` (a cadre types 记账, not funds.post)."""
    return [code for code, label in ACTIONS.items() if text in str(label)]


def decorate(events: Iterable[Any]) -> None:
    """Set `action_label`, `type_label`, `before_rows` and `after_rows` ([(label, shown)]) on
    each event of a page; related objects of the whole page are named in one query per model."""
    events = list(events)
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for event in events:
        fields = _fields(_model(event.object_type))
        for values in (event.before, event.after):
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                field = fields.get(key)
                target = field.related_model if field is not None else None
                if field is not None and field.is_relation and target is not None \
                        and not isinstance(target, str) and value not in (None, "") \
                        and not isinstance(value, list | dict):
                    wanted[target].add(str(value))
    related = _related_names(wanted)
    for event in events:
        model = _model(event.object_type)
        fields = _fields(model)
        event.action_label = action_label(event.action, event.object_type)
        event.type_label = type_label(event.object_type)
        event.object_id_shown = code_label(event.object_id) or event.object_id
        for side in ("before", "after"):
            values = getattr(event, side)
            rows = []
            if isinstance(values, dict):
                for key, value in values.items():
                    if _hidden(key):
                        continue
                    field = fields.get(key)
                    rows.append((field_label(key, field),
                                 show_value(key, value, field, related)))
            setattr(event, f"{side}_rows", rows)
