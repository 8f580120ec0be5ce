"""The actions on a case, letter, contract, congress or alert: one form and one service call
each. Pages (`views/`) and the API (`api.py`) both go through this table, so an action is
parsed and run one way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.rights import forms, selectors
from gonghui.rights.models import Case, Congress, Contract, Letter, RiskAlert
from gonghui.rights.services import cases as case_svc
from gonghui.rights.services import congress as congress_svc
from gonghui.rights.services import contracts as contract_svc
from gonghui.rights.services import letters as letter_svc
from gonghui.rights.services import risk as risk_svc


@dataclass(frozen=True)
class Action:
    label: str | Promise
    form: Callable[..., forms.Styled]
    run: Callable[[Any, dict[str, Any], Any], Any]
    done: str | Promise = ""
    multipart: bool = False


def _lawyer_form(cls: type) -> Callable[..., forms.Styled]:
    def make(obj: Case, data: Any = None, files: Any = None) -> forms.Styled:
        return cls(data, files, lawyers=selectors.lawyers_for(obj))
    return make


def _plain(cls: type) -> Callable[..., forms.Styled]:
    def make(obj: Any, data: Any = None, files: Any = None) -> forms.Styled:
        return cls(data, files)
    return make


CASE_ACTIONS: dict[str, Action] = {
    "accept": Action(_("受理"), _lawyer_form(forms.AcceptForm), lambda c, d, a: case_svc.case_accept(
        case=c, kind=d["kind"], lawyer=d["lawyer"], note=d["note"], actor=a), _("已受理。")),
    "reject": Action(_("不予受理"), _plain(forms.ReasonForm), lambda c, d, a: case_svc.case_reject(
        case=c, reason=d["reason"], actor=a), _("已记录不予受理。")),
    "withdraw": Action(_("撤回"), _plain(forms.ReasonForm), lambda c, d, a: case_svc.case_withdraw(
        case=c, reason=d["reason"], actor=a), _("已撤回。")),
    "assign": Action(_("指派承办人"), _lawyer_form(forms.AssignForm),
                     lambda c, d, a: case_svc.case_assign(case=c, lawyer=d["lawyer"], actor=a),
                     _("已指派。")),
    "refer": Action(_("移交（四方联动）"), _plain(forms.ReferForm),
                    lambda c, d, a: case_svc.case_refer(
                        case=c, to_body=d["to_body"], on=d["on"], reason=d["reason"],
                        documents=d["documents"], actor=a), _("已移交。")),
    "extend": Action(_("延长仲裁期限"), _plain(forms.ReasonForm),
                     lambda c, d, a: case_svc.case_extend_arbitration(
                         case=c, reason=d["reason"], actor=a), _("已延长。")),
    "hearing": Action(_("记录开庭/调解"), _plain(forms.HearingForm),
                      lambda c, d, a: case_svc.case_hearing(case=c, on=d["on"], note=d["note"],
                                                            actor=a), _("已记录。")),
    "close": Action(_("结案"), _plain(forms.CloseForm), lambda c, d, a: case_svc.case_close(
        case=c, outcome=d["outcome"], amount_recovered=d["amount_recovered"] or Decimal("0"),
        closed_on=d["closed_on"], note=d["note"], actor=a), _("已结案。")),
}

LETTER_ACTIONS: dict[str, Action] = {
    "reply": Action(_("记录用人单位答复"), _plain(forms.ReplyForm),
                    lambda x, d, a: letter_svc.opinion_reply(
                        letter=x, reply_on=d["reply_on"], reply_text=d["reply_text"],
                        corrected=d["corrected"], actor=a), _("已记录答复。")),
    "escalate": Action(_("发出劳动法律监督建议书"), _plain(forms.EscalateForm),
                       lambda x, d, a: letter_svc.recommendation_issue(
                           opinion=x, authority=d["authority"], issued_on=d["issued_on"],
                           actor=a), _("已发出建议书。")),
    "close": Action(_("办结"), _plain(forms.ReasonForm), lambda x, d, a: letter_svc.letter_close(
        letter=x, note=d["reason"], actor=a), _("已办结。")),
}


def _delegates_form(obj: Congress, data: Any = None, files: Any = None) -> forms.Styled:
    return forms.SessionForm(data, files, delegates=obj.delegates.filter(active=True))


def _resolution(congress: Congress, d: dict[str, Any], actor: Any) -> Any:
    session = congress.sessions.filter(pk=d["session"]).first()
    if session is None:
        raise NotFound()
    return congress_svc.resolution_record(session=session, title=d["title"],
                                          votes_for=d["votes_for"],
                                          votes_against=d["votes_against"] or 0,
                                          abstained=d["abstained"] or 0, actor=actor)


CONGRESS_ACTIONS: dict[str, Action] = {
    "delegate": Action(_("登记代表"), _plain(forms.DelegateForm),
                       lambda x, d, a: congress_svc.delegate_add(
                           congress=x, name=d["name"], group=d["group"],
                           is_woman=d["is_woman"], actor=a), _("已登记。")),
    "session": Action(_("记录会议"), _delegates_form, lambda x, d, a: congress_svc.session_record(
        congress=x, held_on=d["held_on"], title=d["title"],
        attendee_ids=[p.pk for p in d["attendees"]], actor=a), _("已记录会议。")),
    "resolution": Action(_("记录决议表决"), _plain(forms.ResolutionForm), _resolution,
                         _("已记录表决结果。")),
    "open_affair": Action(_("厂务公开"), _plain(forms.OpenAffairForm),
                          lambda x, d, a: congress_svc.open_affair_publish(
                              congress=x, title=d["title"], content=d["content"],
                              published_on=d["published_on"], actor=a), _("已公开。")),
}

CONTRACT_ACTIONS: dict[str, Action] = {
    "answer": Action(_("记录对方答复"), _plain(forms.AnswerForm),
                     lambda x, d, a: contract_svc.contract_answer(
                         contract=x, answered_on=d["answered_on"], actor=a)),
    "representative": Action(_("登记协商代表"), _plain(forms.RepresentativeForm),
                             lambda x, d, a: contract_svc.representative_add(
                                 contract=x, side=d["side"], name=d["name"],
                                 is_chief=d["is_chief"], actor=a)),
    "adopt": Action(_("职代会审议通过"), _plain(forms.AdoptForm),
                    lambda x, d, a: contract_svc.contract_adopt(
                        contract=x, adopted_on=d["adopted_on"],
                        delegates_total=d["delegates_total"],
                        delegates_present=d["delegates_present"], votes_for=d["votes_for"],
                        actor=a), _("草案已通过。")),
    "sign": Action(_("签订"), _plain(forms.SignForm), lambda x, d, a: contract_svc.contract_sign(
        contract=x, signed_on=d["signed_on"], term_start=d["term_start"],
        term_end=d["term_end"], actor=a), _("已签订。")),
    "file": Action(_("报送备案"), _plain(forms.FilingForm),
                   lambda x, d, a: contract_svc.contract_file(
                       contract=x, filed_on=d["filed_on"], received_on=d["received_on"],
                       actor=a), _("已报送。")),
    "objection": Action(_("劳动部门异议"), _plain(forms.ObjectionForm),
                        lambda x, d, a: contract_svc.contract_objection(
                            contract=x, on=d["on"], reason=d["reason"], actor=a)),
    "renegotiate": Action(_("重新协商"), _plain(forms.ReasonForm),
                          lambda x, d, a: contract_svc.contract_renegotiate(
                              contract=x, reason=d["reason"], actor=a)),
    "abandon": Action(_("终止协商"), _plain(forms.ReasonForm),
                      lambda x, d, a: contract_svc.contract_abandon(
                          contract=x, reason=d["reason"], actor=a)),
}

ALERT_ACTIONS: dict[str, Action] = {
    "act": Action(_("记录处置"), _plain(forms.AlertActForm), lambda x, d, a: risk_svc.alert_act(
        alert=x, action=d["action"], note=d["note"], close=d["close"], actor=a),
        _("已记录处置。")),
}

TABLES: dict[type, dict[str, Action]] = {
    Case: CASE_ACTIONS, Letter: LETTER_ACTIONS, Contract: CONTRACT_ACTIONS,
    Congress: CONGRESS_ACTIONS, RiskAlert: ALERT_ACTIONS,
}


def action_for(obj: Any, name: str) -> Action:
    action = TABLES[type(obj)].get(name)
    if action is None:
        raise NotFound()
    return action
