"""The route table: one entry per URL pattern (by its namespaced name) and per API operation (by
method and path under /api/v1). A route missing here fails `test_every_route_is_in_the_table`:
register each new route with the capability it takes and the object it acts on.

An entry says WHAT the route needs, never what it answers; `policy.expected()` derives the status
for each persona from it:

- `cap`     the capability the route needs (for an object route: over the object's org);
- `obj`     the kind of world object in the URL (`world.py`), or None for lists and "new" forms;
- `access`  "cap" (the default), "login" (any signed-in user), "public" (anyone), or "own"
            (only the object's owner, e.g. a worker's own application: 404 for everyone else);
- `read`    the capability that makes the object visible when it is not `cap.read_of`;
- `ok`      the answer when allowed: GET → 200; an empty POST → 400 (the form is invalid), or
            what the empty request does where it is complete (302/200 done; an empty PATCH
            is invalid: 400, as orgs answers), or the refusal the object's state in the world
            calls for (400 refused, 409 conflict — the same for the page and the API);
- `kw`      URL parameters from the object (default: its pk for the one parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.world import Obj


@dataclass(frozen=True)
class R:
    cap: C | None = None
    obj: str | None = None
    method: str = "GET"
    ok: int | None = None
    access: str = "cap"
    read: C | None = None
    kw: Callable[[Obj], dict[str, Any]] | None = None
    reach_up: bool = False        # the object is also visible from below its org (offered plans)
    anon_ok: int | None = None    # public routes: the answer to an anonymous visitor, if different
    owners: tuple[str, ...] = ()  # "own" routes without an object: the usernames that have one
    params: tuple[tuple[str, str], ...] = ()   # URL parameters of a route without an object
    query: Callable[[Obj | None], dict[str, Any]] | None = None   # required query parameters
    at_root: bool = False         # federation-wide objects only the root's holders may change
    # the answer for a named persona where the route answers it differently by design (a worker's
    # home page sends them on to the member portal: 302)
    by_persona: tuple[tuple[str, int], ...] = ()

    def allowed(self, api: bool) -> int:
        if self.ok is not None:
            return self.ok
        return 200 if self.method == "GET" else 400


Entry = tuple[R, ...]


def get(cap: C | None = None, obj: str | None = None, **kw: Any) -> Entry:
    return (R(cap, obj, "GET", **kw),)


def post(cap: C | None = None, obj: str | None = None, **kw: Any) -> Entry:
    return (R(cap, obj, "POST", **kw),)


def form(cap: C | None = None, obj: str | None = None, *, read_cap: C | None = None,
         get_ok: int | None = None, **kw: Any) -> Entry:
    """A page that shows a form (GET) and takes it (POST); `read_cap`: GET needs only that."""
    return (R(read_cap or cap, obj, "GET", ok=get_ok,
              **{k: v for k, v in kw.items() if k != "ok"}),
            R(cap, obj, "POST", **kw))


def op(cap: C | None = None, obj: str | None = None, **kw: Any) -> R:
    """An API operation; the method comes from the key."""
    return R(cap, obj, **kw)


def ids(**names: str) -> Callable[[Obj], dict[str, Any]]:
    """URL parameters: `pk` is the object's pk, others come from `obj.ids` (or a literal after
    '=')."""
    def kwargs(obj: Obj) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for param, source in names.items():
            if source == "pk":
                out[param] = obj.pk
            elif source.startswith("="):
                out[param] = source[1:]
            else:
                out[param] = obj.ids[source]
        return out
    return kwargs


def pk_as(param: str) -> Callable[[Obj], dict[str, Any]]:
    return ids(**{param: "pk"})


# --- pages ----------------------------------------------------------------------------------

PAGES: dict[str, Entry] = {
    "home": get(access="login", by_persona=(("member", 302),)),
    "set_language": post(access="public", ok=302),
    # accounts
    # a signed-in user is sent on to the home page
    "accounts:login": (R(access="public", method="GET", ok=302, anon_ok=200),
                       R(access="public", method="POST", ok=302, anon_ok=400)),
    "accounts:logout": post(access="public", ok=302),
    "accounts:password_change": form(access="login"),
    "accounts:profile": get(access="login"),
    "accounts:totp": form(access="login"),
    "accounts:roles": form(C.ROLE_ASSIGN),
    "accounts:user_new": form(C.ROLE_ASSIGN),
    "accounts:role_revoke": post(C.ROLE_ASSIGN, "role", ok=302),
    # orgs
    "orgs:tree": get(C.ORG_READ),
    "orgs:list": get(C.ORG_READ),
    "orgs:detail": get(C.ORG_READ, "org"),
    "orgs:children": get(C.ORG_READ, "org"),
    "orgs:create": form(C.ORG_WRITE, "org", kw=pk_as("parent_pk")),
    "orgs:edit": form(C.ORG_WRITE, "org"),
    "orgs:move": form(C.ORG_WRITE, "org"),
    "orgs:merge": form(C.ORG_WRITE, "org"),
    # an empty POST dissolves (the note is optional): refused, the union has members
    "orgs:dissolve": post(C.ORG_WRITE, "org"),
    # audit
    "audit:list": get(C.AUDIT_READ),
    "audit:reads": get(C.AUDIT_READ),
    # roster: imports are a writer's tool (the job, its preview and report included)
    "roster:home": get(C.MEMBER_READ),
    "roster:upload": post(C.MEMBER_WRITE),
    "roster:template": get(C.MEMBER_WRITE),
    "roster:job": get(C.MEMBER_WRITE, "import_job"),
    # the job failed: it has no preview; the page sends the cadre to the job
    "roster:preview": form(C.MEMBER_WRITE, "import_job", ok=302, get_ok=302),
    "roster:progress": get(C.MEMBER_WRITE, "import_job"),
    # the job failed: it can be resumed or cancelled; it has no report (refused: 400)
    "roster:resume": post(C.MEMBER_WRITE, "import_job", ok=302),
    "roster:cancel": post(C.MEMBER_WRITE, "import_job", ok=302),
    "roster:report": get(C.MEMBER_WRITE, "import_job", ok=400),
    "roster:sync": form(C.MEMBER_WRITE, "import_job"),   # POST without ticked members: 400
    "roster:sync_detect": post(C.MEMBER_WRITE, "import_job"),   # the job is not done: 400
    "roster:export_create": post(C.MEMBER_READ),
    # an export file is its creator's (personal data): 404 for anyone else
    "roster:export": get(access="own", obj="export_job"),
    "roster:export_download": get(access="own", obj="export_job", ok=400),  # failed: no file
    # members (cadres)
    "members:list": get(C.MEMBER_READ),
    "members:add": form(C.MEMBER_WRITE),
    "members:detail": get(C.MEMBER_READ, "membership"),
    "members:edit": form(C.MEMBER_WRITE, "membership"),
    "members:status": post(C.MEMBER_WRITE, "membership"),
    "members:reveal": post(C.MEMBER_REVEAL, "membership"),   # no purpose → 400
    "members:transfer_start": form(C.MEMBER_WRITE, "membership"),
    "members:lapse_action": post(C.MEMBER_WRITE, "membership",
                                 kw=ids(pk="pk", action="=contact")),
    "members:lapse": get(C.MEMBER_READ),
    "members:transfers": get(C.MEMBER_READ),
    # accepting is the receiving union's act; the transfer is visible from both unions
    "members:transfer_decide": post(C.MEMBER_WRITE, "transfer",
                                    kw=ids(pk="pk", action="=decline")),
    "members:applications": get(C.MEMBER_READ),
    "members:application": get(C.MEMBER_READ, "application"),
    "members:application_decide": post(C.MEMBER_WRITE, "application",
                                       kw=ids(pk="pk", action="=reject")),  # no reason → 400
    "members:bulk_start": post(C.MEMBER_WRITE),   # nothing chosen → 400
    "members:bulk_job": get(access="own", obj="bulk_job"),
    "members:overdue": get(C.MEMBER_READ),
    "members:selfservice_requests": get(C.MEMBER_READ),
    "members:export": get(C.MEMBER_READ),
    "members:saved_filter_save": post(C.MEMBER_READ, ok=302),   # no name: back to the list, a message
    # someone else's (or no) saved filter: 404 for everyone
    "members:saved_filter_delete": post(access="login", params=(("pk", "999999"),), ok=404),
    "members:selfservice_decide": post(C.MEMBER_WRITE, "selfservice_request",
                                       kw=ids(pk="pk", action="=reject")),  # no reason → 400
    "members:portal_selfservice": form(access="own", owners=("worker",)),
    "members:org_stats": get(C.STATS_READ, "org", kw=pk_as("org_pk")),
    # a cadre's scanner: without a code it sends the cadre back to the list
    "members:card_verify": get(C.MEMBER_READ, ok=302),
    # members (the workers' portal)
    "members:portal": get(access="public"),
    "members:portal_register": (R(access="public", method="GET", ok=302, anon_ok=200),
                                R(access="public", method="POST", ok=302, anon_ok=400)),
    "members:portal_apply": get(access="login"),
    "members:portal_apply_form": form(access="login", obj="org", kw=ids(code="code")),
    "members:portal_application": get(access="own", obj="own_application"),
    "members:portal_application_withdraw": post(access="own", obj="own_application", ok=302),
    "members:portal_application_appeal": post(access="own", obj="own_application", ok=400),  # not declined
    "members:portal_card": get(access="own", owners=("worker",)),
    "members:portal_card_pdf": get(access="own", owners=("worker",)),
    "members:portal_transfer": form(access="own", owners=("worker",)),
    "members:portal_my_data": get(access="login"),  # 我的数据: whatever the account holds
    "members:portal_my_data_export": get(access="login"),
    # funds
    "funds:home": get(C.FUNDS_READ),
    "funds:union": get(C.FUNDS_READ, "org"),
    "funds:remittance": get(C.FUNDS_READ, "org"),
    "funds:dunning": get(C.FUNDS_READ, "org"),
    "funds:dunning_letters": get(C.FUNDS_READ, "org"),
    "funds:remittance_declare": post(C.FUNDS_WRITE, "org"),
    "funds:remittance_import": post(C.FUNDS_WRITE, "org"),
    "funds:remittance_pay": post(C.FUNDS_WRITE, "org"),
    "funds:journal": get(C.FUNDS_READ, "org"),
    "funds:income_new": form(C.FUNDS_WRITE, "org"),
    "funds:expense_new": form(C.FUNDS_WRITE, "org"),
    "funds:policy_check": get(C.FUNDS_READ, "org"),
    "funds:allocation_new": form(C.FUNDS_WRITE, "org"),
    "funds:remit_new": post(C.FUNDS_WRITE, "org"),
    "funds:dues": get(C.FUNDS_READ, "org"),
    "funds:dues_generate": post(C.FUNDS_WRITE, "org", ok=302),   # this month's list
    "funds:dues_pay": post(C.FUNDS_WRITE, "dues_list", kw=ids(pk="union", list_pk="pk")),
    "funds:dues_unmark": post(C.FUNDS_WRITE, "dues_list", kw=ids(pk="entry")),
    "funds:budget": form(C.FUNDS_WRITE, "org", read_cap=C.FUNDS_READ,
                         kw=ids(pk="pk", year="=2026")),
    "funds:close": form(C.FUNDS_WRITE, "org", read_cap=C.FUNDS_READ),
    "funds:limits": form(C.POLICY_WRITE, "org", read_cap=C.FUNDS_READ, read=C.FUNDS_READ),
    "funds:report": get(C.FUNDS_READ, "org", kw=ids(pk="pk", kind="=balance")),
    "funds:findings": get(C.FUNDS_READ, "org"),
    "funds:finding_add": post(C.FUNDS_AUDIT, "org"),
    "funds:finding_move": post(C.FUNDS_WRITE, "finding", kw=ids(pk="pk", action="=answer")),
    "funds:limit_deactivate": post(C.POLICY_WRITE, "limit", read=C.FUNDS_READ, ok=302),
    "funds:tx": get(C.FUNDS_READ, "tx"),
    "funds:tx_reverse": post(C.FUNDS_WRITE, "tx"),
    "funds:evidence_add": post(C.FUNDS_WRITE, "tx"),
    "funds:evidence": get(C.FUNDS_READ, "tx", kw=ids(pk="evidence")),
    # workplan
    "workplan:home": get(C.WORKPLAN_READ),
    "workplan:import": form(C.WORKPLAN_WRITE),
    "workplan:preview": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="draft")),
    "workplan:plan": get(C.WORKPLAN_READ, "wp_plan"),
    "workplan:plan_edit": form(C.WORKPLAN_WRITE, "wp_plan"),
    "workplan:plan_xlsx": get(C.WORKPLAN_READ, "wp_plan"),
    "workplan:plan_pdf": get(C.WORKPLAN_READ, "wp_plan"),
    "workplan:department_xlsx": get(C.WORKPLAN_READ, "wp_plan",
                                    kw=ids(pk="pk", dept="department")),
    "workplan:department_pdf": get(C.WORKPLAN_READ, "wp_plan",
                                   kw=ids(pk="pk", dept="department")),
    "workplan:supervision": get(C.WORKPLAN_READ, "wp_plan"),
    "workplan:remind": post(C.WORKPLAN_WRITE, "wp_plan", ok=302),
    "workplan:rollup": get(C.WORKPLAN_READ),
    "workplan:item": get(C.WORKPLAN_READ, "wp_plan", kw=ids(pk="item")),
    "workplan:item_edit": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="item")),
    "workplan:item_departments": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="item")),
    "workplan:milestone_new": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="item")),
    "workplan:milestone": get(C.WORKPLAN_READ, "wp_plan", kw=ids(pk="milestone")),
    "workplan:milestone_edit": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="milestone")),
    "workplan:report_new": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="milestone")),
    "workplan:milestone_status": post(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="milestone")),
    "workplan:subtask_new": form(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="milestone")),
    "workplan:remind_milestone": post(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="milestone"),
                                      ok=302),
    # no action → completes the subtask
    "workplan:subtask_status": post(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="subtask"), ok=302),
    "workplan:attachment": get(C.WORKPLAN_READ, "wp_plan", kw=ids(pk="attachment")),
    "workplan:departments": form(C.WORKPLAN_WRITE, read_cap=C.WORKPLAN_READ),
    "workplan:department": get(C.WORKPLAN_READ, "wp_plan", kw=ids(pk="department")),
    "workplan:department_edit": post(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="department")),
    "workplan:member_add": post(C.WORKPLAN_WRITE, "wp_plan", kw=ids(pk="department")),
    "workplan:member_remove": post(C.WORKPLAN_WRITE, "wp_plan",
                                   kw=ids(pk="department", mid="department_member"), ok=302),
    "workplan:my_tasks": get(C.WORKPLAN_READ),
    "workplan:notifications": get(C.WORKPLAN_READ),
    "workplan:notification_open": post(access="own", obj="wp_notification", ok=302),
    "workplan:notifications_read_all": post(access="login", ok=302),
    # aid
    "aid:home": get(C.AID_READ),
    "aid:file_new": form(C.AID_WRITE),
    "aid:file": get(C.AID_READ, "aid_file"),
    "aid:file_edit": form(C.AID_WRITE, "aid_file"),
    "aid:reveal": post(C.AID_REVEAL, "aid_file"),   # no purpose → 400
    "aid:member_new": form(C.AID_WRITE, "aid_file"),
    "aid:member_edit": form(C.AID_WRITE, "aid_file", kw=ids(pk="pk", mid="member")),
    "aid:member_remove": post(C.AID_WRITE, "aid_file", kw=ids(pk="pk", mid="member"),
                              ok=302),
    "aid:income_new": form(C.AID_WRITE, "aid_file"),
    "aid:income_remove": post(C.AID_WRITE, "aid_file", kw=ids(pk="pk", iid="income"), ok=302),
    "aid:document_new": form(C.AID_WRITE, "aid_file"),
    "aid:document": get(C.AID_READ, "aid_file", kw=ids(pk="pk", did="document")),
    "aid:submit": form(C.AID_WRITE, "aid_file"),
    "aid:verify": post(C.AID_WRITE, "aid_file", ok=400),   # a draft cannot be verified
    "aid:return": form(C.AID_WRITE, "aid_file"),
    "aid:reject": form(C.AID_WRITE, "aid_file"),
    "aid:close": form(C.AID_WRITE, "aid_file"),
    "aid:visit": form(C.AID_WRITE, "aid_file"),
    "aid:review": form(C.AID_WRITE, "aid_file"),
    "aid:exit": form(C.AID_WRITE, "aid_file"),
    "aid:followup": form(C.AID_WRITE, "aid_file"),
    "aid:reopen": post(C.AID_WRITE, "aid_file", ok=400),   # a draft is not closed
    "aid:assistance_new": form(C.AID_WRITE, "aid_file"),
    "aid:reviews_due": get(C.AID_READ),
    "aid:followups_due": get(C.AID_READ),
    "aid:programmes": get(C.AID_READ),
    "aid:programme_new": form(C.AID_WRITE),
    "aid:programme": get(C.AID_READ, "programme", reach_up=True),
    "aid:programme_edit": form(C.AID_WRITE, "programme", reach_up=True),
    "aid:programme_generate": post(C.AID_WRITE, "programme", ok=302, reach_up=True),
    "aid:programme_add": post(C.AID_WRITE, "programme", reach_up=True),
    "aid:programme_approve": post(C.AID_WRITE, "programme", ok=302, reach_up=True),
    "aid:programme_close": post(C.AID_WRITE, "programme", ok=409,   # not approved yet
                                 reach_up=True),
    "aid:programme_pay_all": post(C.AID_WRITE, "programme", ok=302,   # problems listed
                                   reach_up=True),
    "aid:beneficiary_pay": post(C.AID_WRITE, "beneficiary", kw=ids(pk="pk", bid="beneficiary"),
                                ok=400),   # not approved
    "aid:beneficiary_remove": post(C.AID_WRITE, "beneficiary",
                                   kw=ids(pk="pk", bid="beneficiary"), reach_up=True),
    "aid:dashboard": get(C.AID_READ),
    "aid:standards": get(C.AID_READ),
    "aid:standard_new": form(C.POLICY_WRITE, read=C.AID_READ),
    "aid:standard_edit": form(C.POLICY_WRITE, "standard", read=C.AID_READ),
    "aid:standard_import": form(C.POLICY_WRITE, read=C.AID_READ),
    "aid:policy": form(C.POLICY_WRITE, read=C.AID_READ),
    # mutual aid
    # a worker without a role sees their own page there
    "mutualaid:home": get(access="login"),
    "mutualaid:portal": get(access="login"),
    "mutualaid:plans": get(C.MUTUALAID_READ),
    "mutualaid:plan_create": form(C.POLICY_WRITE, read=C.MUTUALAID_READ),
    "mutualaid:plan": get(C.MUTUALAID_READ, "ma_plan", reach_up=True),
    "mutualaid:version_create": form(C.POLICY_WRITE, "ma_plan", read=C.MUTUALAID_READ,
                                     reach_up=True),
    "mutualaid:enrol": form(C.MUTUALAID_WRITE, "ma_enrol", kw=ids(pk="pk", org_id="union")),
    "mutualaid:imports": form(C.MUTUALAID_WRITE, read_cap=C.MUTUALAID_READ),
    "mutualaid:import": get(C.MUTUALAID_READ, "settlement_import"),
    "mutualaid:import_progress": get(C.MUTUALAID_READ, "settlement_import"),
    "mutualaid:payouts": get(C.MUTUALAID_READ),
    "mutualaid:payout": get(C.MUTUALAID_READ, "payout"),
    "mutualaid:payout_approve": post(C.MUTUALAID_WRITE, "payout", ok=409),   # already approved
    "mutualaid:payout_reject": post(C.MUTUALAID_WRITE, "payout"),
    "mutualaid:payout_requeue": post(C.MUTUALAID_WRITE, "payout", ok=409),   # not failed
    "mutualaid:payee_account": post(C.MUTUALAID_WRITE, "payout"),
    "mutualaid:account_reveal": post(C.MUTUALAID_REVEAL, "payout"),   # no purpose → 400
    "mutualaid:batches": form(C.MUTUALAID_WRITE, read_cap=C.MUTUALAID_READ),
    "mutualaid:batch": get(C.MUTUALAID_READ, "batch"),
    "mutualaid:batch_progress": get(C.MUTUALAID_READ, "batch"),
    "mutualaid:batch_export": post(C.MUTUALAID_WRITE, "batch", ok=400),   # an empty batch
    "mutualaid:batch_results": post(C.MUTUALAID_WRITE, "batch"),
    "mutualaid:batch_cancel": post(C.MUTUALAID_WRITE, "batch"),
    # notifications (each user's own inbox)
    "notifications:inbox": get(access="login"),
    "notifications:read_all": post(access="login", ok=302),
    "notifications:open": post(access="own", obj="notification", ok=302),
    "notifications:read": post(access="own", obj="notification", ok=302),
    # notices (公示): anyone signed in reads and objects; managers hold the notice's capability
    # (org.write for a general notice) over its org
    "notices:list": get(access="login"),
    "notices:detail": form(access="login", obj="notice"),
    "notices:manage": get(C.ORG_READ),
    "notices:publish": form(C.ORG_WRITE),
    "notices:manage_detail": get(C.ORG_READ, "notice"),
    "notices:decide": post(C.ORG_WRITE, "notice", kw=ids(pk="pk", objection_id="objection")),
    "notices:close": post(C.ORG_WRITE, "notice", ok=409),   # the period has not ended
    "notices:withdraw": post(C.ORG_WRITE, "notice"),          # no reason → 400
    # working days: the federation's calendar
    "workdays:calendar": get(C.POLICY_WRITE),
    "workdays:import": post(C.POLICY_WRITE, at_root=True),
    "workdays:delete": post(C.POLICY_WRITE, "workday", kw=ids(day="day"), ok=302, at_root=True),
    # the API's own pages: its description is public, its data is not
    "api:api-root": get(access="public", ok=404, anon_ok=404),   # no index page
    "api:openapi-json": get(access="public"),
    "api:openapi-view": get(access="public"),
}

# --- API operations (/api/v1) ----------------------------------------------------------------

MEMBER_ID = pk_as("member_id")

API: dict[str, R] = {
    "POST /auth/token": op(access="public", anon_ok=400),
    # orgs
    "GET /orgs": op(C.ORG_READ),
    "POST /orgs": op(C.ORG_WRITE),
    "GET /orgs/{org_id}": op(C.ORG_READ, "org"),
    "PATCH /orgs/{org_id}": op(C.ORG_WRITE, "org"),
    "GET /orgs/{org_id}/children": op(C.ORG_READ, "org"),
    "POST /orgs/{org_id}/move": op(C.ORG_WRITE, "org"),
    "POST /orgs/{org_id}/merge": op(C.ORG_WRITE, "org"),
    "POST /orgs/{org_id}/dissolve": op(C.ORG_WRITE, "org"),   # it has members: refused
    # members
    "GET /members": op(C.MEMBER_READ),
    "POST /members/search": op(C.MEMBER_READ),
    "GET /members/selfservice": op(C.MEMBER_READ),
    "POST /members/selfservice/{request_id}/confirm": op(C.MEMBER_WRITE, "selfservice_request",
                                                         ok=200),
    "POST /members/selfservice/{request_id}/decline": op(C.MEMBER_WRITE, "selfservice_request"),
    "GET /members/me/requests": op(access="login"),
    "POST /members/me/requests": op(access="login"),
    "GET /roster/imports/{job_id}/sync/candidates": op(C.MEMBER_WRITE, "import_job"),
    "POST /roster/imports/{job_id}/sync": op(C.MEMBER_WRITE, "import_job"),
    "POST /roster/imports/{job_id}/sync/decide": op(C.MEMBER_WRITE, "import_job"),
    "POST /members/bulk": op(C.MEMBER_WRITE),   # empty body → 400
    "GET /members/bulk/{job_id}": op(access="own", obj="bulk_job"),
    "GET /members/overdue": op(C.MEMBER_READ),
    "POST /members": op(C.MEMBER_WRITE),
    "GET /members/stats": op(C.STATS_READ, "org", query=lambda o: {"org": o.ids["code"]}),
    "GET /members/{member_id}": op(C.MEMBER_READ, "membership"),
    "PATCH /members/{member_id}": op(C.MEMBER_WRITE, "membership"),
    "POST /members/{member_id}/status": op(C.MEMBER_WRITE, "membership"),
    "POST /members/{member_id}/reveal": op(C.MEMBER_REVEAL, "membership"),
    "GET /applications": op(C.MEMBER_READ),
    # a worker applies for themself (portal) or a cadre for them: any signed-in user
    "POST /applications": op(access="login"),
    "GET /applications/{application_id}": op(C.MEMBER_READ, "application"),
    "POST /applications/{application_id}/approve": op(C.MEMBER_WRITE, "application", ok=200),
    "POST /applications/{application_id}/reject": op(C.MEMBER_WRITE, "application"),
    "GET /transfers": op(C.MEMBER_READ),
    "POST /transfers": op(C.MEMBER_WRITE),
    "GET /transfers/{transfer_id}": op(C.MEMBER_READ, "transfer"),
    "POST /transfers/{transfer_id}/accept": op(C.MEMBER_WRITE, "transfer", ok=200),
    "POST /transfers/{transfer_id}/decline": op(C.MEMBER_WRITE, "transfer"),
    "POST /transfers/{transfer_id}/cancel": op(C.MEMBER_WRITE, "transfer_out", ok=200),
    # funds
    "GET /funds/unions/{org_id}/accounts": op(C.FUNDS_READ, "org"),
    "GET /funds/unions/{org_id}/remittance": op(C.FUNDS_READ, "org"),
    "GET /funds/unions/{org_id}/remittance/dunning": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/remittance/declarations": op(C.FUNDS_WRITE, "org"),
    "POST /funds/unions/{org_id}/remittance/declarations/import": op(C.FUNDS_WRITE, "org"),
    "POST /funds/unions/{org_id}/remittance/payments": op(C.FUNDS_WRITE, "org"),
    "GET /funds/unions/{org_id}/transactions": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/transactions": op(C.FUNDS_WRITE, "org"),
    "GET /funds/transactions/{tx_id}": op(C.FUNDS_READ, "tx"),
    "POST /funds/unions/{org_id}/expenses": op(C.FUNDS_WRITE, "org"),
    "POST /funds/transactions/{tx_id}/reverse": op(C.FUNDS_WRITE, "tx"),
    "POST /funds/unions/{org_id}/close": op(C.FUNDS_WRITE, "org"),
    "GET /funds/unions/{org_id}/reports/{kind}": op(C.FUNDS_READ, "org",
                                                    kw=ids(org_id="pk", kind="=balance"),
                                                    query=lambda o: {"year": 2026}),
    "GET /funds/unions/{org_id}/findings": op(C.FUNDS_READ, "org"),
    "POST /funds/unions/{org_id}/findings": op(C.FUNDS_AUDIT, "org"),
    # workplan
    "GET /workplan/plans": op(C.WORKPLAN_READ),
    "POST /workplan/plans": op(C.WORKPLAN_WRITE),
    "POST /workplan/plans/parse": op(C.WORKPLAN_WRITE),
    "GET /workplan/plans/{plan_id}": op(C.WORKPLAN_READ, "wp_plan"),
    "PATCH /workplan/plans/{plan_id}": op(C.WORKPLAN_WRITE, "wp_plan"),
    "GET /workplan/plans/{plan_id}/supervision": op(C.WORKPLAN_READ, "wp_plan"),
    "POST /workplan/plans/{plan_id}/remind": op(C.WORKPLAN_WRITE, "wp_plan", ok=200),
    "GET /workplan/items/{item_id}": op(C.WORKPLAN_READ, "wp_plan", kw=ids(item_id="item")),
    "PUT /workplan/items/{item_id}/departments": op(C.WORKPLAN_WRITE, "wp_plan",
                                                    kw=ids(item_id="item")),
    "GET /workplan/items/{item_id}/milestones": op(C.WORKPLAN_READ, "wp_plan",
                                                   kw=ids(item_id="item")),
    "POST /workplan/items/{item_id}/milestones": op(C.WORKPLAN_WRITE, "wp_plan",
                                                    kw=ids(item_id="item")),
    "GET /workplan/milestones/{milestone_id}": op(C.WORKPLAN_READ, "wp_plan",
                                                  kw=ids(milestone_id="milestone")),
    "POST /workplan/milestones/{milestone_id}/transition": op(
        C.WORKPLAN_WRITE, "wp_plan", kw=ids(milestone_id="milestone")),
    "GET /workplan/milestones/{milestone_id}/reports": op(C.WORKPLAN_READ, "wp_plan",
                                                          kw=ids(milestone_id="milestone")),
    "POST /workplan/milestones/{milestone_id}/reports": op(C.WORKPLAN_WRITE, "wp_plan",
                                                           kw=ids(milestone_id="milestone")),
    "GET /workplan/notifications": op(C.WORKPLAN_READ),
    "POST /workplan/notifications/{notification_id}/read": op(access="own", obj="wp_notification",
                                                              ok=200),
    # aid
    "GET /aid/files": op(C.AID_READ),
    "POST /aid/files": op(C.AID_WRITE),
    "GET /aid/files/{file_id}": op(C.AID_READ, "aid_file"),
    "PATCH /aid/files/{file_id}": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/members": op(C.AID_WRITE, "aid_file"),
    "DELETE /aid/files/{file_id}/members/{member_id}": op(
        C.AID_WRITE, "aid_file", kw=ids(file_id="pk", member_id="member"), ok=200),
    "POST /aid/files/{file_id}/incomes": op(C.AID_WRITE, "aid_file"),
    "DELETE /aid/files/{file_id}/incomes/{income_id}": op(
        C.AID_WRITE, "aid_file", kw=ids(file_id="pk", income_id="income"), ok=200),
    "POST /aid/files/{file_id}/submit": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/verify": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/return": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/reject": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/close": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/visits": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/review": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/exit": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/followups": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/reopen": op(C.AID_WRITE, "aid_file"),
    "POST /aid/files/{file_id}/reveal": op(C.AID_REVEAL, "aid_file"),
    "POST /aid/files/{file_id}/assistance": op(C.AID_WRITE, "aid_file"),
    "GET /aid/due/reviews": op(C.AID_READ),
    "GET /aid/due/followups": op(C.AID_READ),
    "GET /aid/programmes": op(C.AID_READ),
    "POST /aid/programmes": op(C.AID_WRITE),
    "GET /aid/programmes/{programme_id}": op(C.AID_READ, "programme", reach_up=True),
    "POST /aid/programmes/{programme_id}/generate": op(C.AID_WRITE, "programme", ok=200,
                                                         reach_up=True),
    "POST /aid/programmes/{programme_id}/beneficiaries": op(C.AID_WRITE, "programme",
                                                             reach_up=True),
    "POST /aid/programmes/{programme_id}/approve": op(C.AID_WRITE, "programme", ok=200,
                                                        reach_up=True),
    "POST /aid/programmes/{programme_id}/close": op(C.AID_WRITE, "programme", ok=409,
                                                      reach_up=True),
    "POST /aid/programmes/{programme_id}/beneficiaries/{beneficiary_id}/pay": op(
        C.AID_WRITE, "beneficiary", kw=ids(programme_id="pk", beneficiary_id="beneficiary")),
    "POST /aid/programmes/{programme_id}/pay-all": op(C.AID_WRITE, "programme", ok=200,
                                                        reach_up=True),
    "GET /aid/standards": op(C.AID_READ),
    "PUT /aid/standards": op(C.POLICY_WRITE, read=C.AID_READ),
    "GET /aid/dashboard": op(C.AID_READ),
    # mutual aid
    "GET /mutualaid/plans": op(C.MUTUALAID_READ),
    "GET /mutualaid/plans/{plan_id}": op(C.MUTUALAID_READ, "ma_plan", reach_up=True),
    "POST /mutualaid/plans/{plan_id}/enrol": op(C.MUTUALAID_WRITE, "ma_enrol",
                                                kw=ids(plan_id="pk")),
    "GET /mutualaid/payouts": op(C.MUTUALAID_READ),
    "GET /mutualaid/payouts/{payout_id}": op(C.MUTUALAID_READ, "payout"),
    "POST /mutualaid/payouts/{payout_id}/approve": op(C.MUTUALAID_WRITE, "payout", ok=409),
    "POST /mutualaid/payouts/{payout_id}/reject": op(C.MUTUALAID_WRITE, "payout"),
    "POST /mutualaid/payouts/{payout_id}/requeue": op(C.MUTUALAID_WRITE, "payout", ok=409),
    "GET /mutualaid/imports": op(C.MUTUALAID_READ),
    "POST /mutualaid/imports": op(C.MUTUALAID_WRITE),
    "GET /mutualaid/imports/{import_id}": op(C.MUTUALAID_READ, "settlement_import"),
    "GET /mutualaid/batches": op(C.MUTUALAID_READ),
    "POST /mutualaid/batches": op(C.MUTUALAID_WRITE),
    "GET /mutualaid/batches/{batch_id}": op(C.MUTUALAID_READ, "batch"),
    "POST /mutualaid/batches/{batch_id}/export": op(C.MUTUALAID_WRITE, "batch"),
    "POST /mutualaid/batches/{batch_id}/results": op(C.MUTUALAID_WRITE, "batch"),
    "POST /mutualaid/batches/{batch_id}/cancel": op(C.MUTUALAID_WRITE, "batch"),
    "GET /mutualaid/dashboard": op(C.MUTUALAID_READ, "org",
                                   query=lambda o: {"org": o.ids["code"], "year": 2026}),
    "GET /mutualaid/my/payouts": op(access="login"),
    # notices
    "GET /notices": op(access="login"),
    "GET /notices/manage": op(C.ORG_READ),
    "POST /notices": op(C.ORG_WRITE),
    "GET /notices/{notice_id}": op(access="login", obj="notice"),
    "GET /notices/{notice_id}/items": op(access="login", obj="notice"),
    "GET /notices/{notice_id}/objections/mine": op(access="login", obj="notice"),
    "POST /notices/{notice_id}/objections": op(access="login", obj="notice"),
    "GET /notices/{notice_id}/objections": op(C.ORG_READ, "notice"),
    "POST /notices/{notice_id}/objections/{objection_id}/decide": op(
        C.ORG_WRITE, "notice", kw=ids(notice_id="pk", objection_id="objection")),
    "POST /notices/{notice_id}/close": op(C.ORG_WRITE, "notice", ok=409),
    "POST /notices/{notice_id}/withdraw": op(C.ORG_WRITE, "notice"),
    # working days: anyone signed in asks the calendar; the overrides are policy.write's
    "GET /workdays/period-end": op(access="login", query=lambda o: {
        "start": "2026-12-01", "working_days": 5}),
    "GET /workdays/overrides": op(C.POLICY_WRITE),
    "POST /workdays/overrides": op(C.POLICY_WRITE, at_root=True),
    "DELETE /workdays/overrides/{day}": op(C.POLICY_WRITE, "workday", kw=ids(day="day"),
                                           ok=204, at_root=True),
    "GET /workdays/{year}": op(access="login", params=(("year", "2026"),)),
    # notifications (each user's own inbox) and the to-do list
    "GET /notifications": op(access="login"),
    "GET /notifications/unread-count": op(access="login"),
    "POST /notifications/read-all": op(access="login", ok=200),
    "POST /notifications/{notification_id}/read": op(access="own", obj="notification", ok=200),
    "GET /todo": op(access="login"),
    "GET /todo/counts": op(access="login"),
}


def api_entry(key: str) -> R:
    method = key.split(" ", 1)[0]
    return replace(API[key], method=method)


def _merge_app_tables() -> None:
    """Merge each `tests/matrix/apps/<app>.py` (its PAGES, API and world builders)."""
    # Imported here, after the helpers above exist: the app modules import them from this module.
    import importlib
    import pkgutil

    import tests.matrix.apps as apps

    for info in sorted(pkgutil.iter_modules(apps.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"tests.matrix.apps.{info.name}")
        for table, extra in ((PAGES, getattr(module, "PAGES", {})), (API, getattr(module, "API", {}))):
            clash = set(table) & set(extra)
            assert not clash, f"tests/matrix/apps/{info.name}.py repeats entries: {sorted(clash)}"
            table.update(extra)


_merge_app_tables()
