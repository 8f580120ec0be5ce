"""The portal's privacy notice (个人信息处理规则). A self-registration stores the version and the
exact text the worker agreed to (members.services.identity.register_record): PIPL Art. 14 and
17 ask for informed consent that can be shown later. Change the text → raise the version."""

from __future__ import annotations

from django.utils.translation import gettext as _

NOTICE_VERSION = "2026-12"


def notice_text() -> str:
    return _(
        "智慧工会会员服务个人信息处理规则（{version}）：工会为办理入会、会籍管理、转会、"
        "互助保障和困难帮扶，处理您提供的姓名、身份证号码、手机号、工作单位等信息；"
        "身份证号码和银行账号加密保存，工作人员查看完整信息须说明用途并被记录；"
        "健康和财务信息属于敏感个人信息，仅用于您申请的事项；"
        "信息不向工会以外的组织提供，法律法规另有规定的除外。"
        "您可以在“我的数据”中查阅和导出工会保存的您的信息，并可联系所在工会更正或删除。"
    ).format(version=NOTICE_VERSION)
