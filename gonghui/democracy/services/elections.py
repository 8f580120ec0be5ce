"""Every write of the elections: one service per rule, each checking its own permission,
transactional and audited (except the ballot itself: see `ballot_cast`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.models import User
from gonghui.accounts.services import role_assign
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.colocated import same_union
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.core.retry import retrying
from gonghui.core.workflow import transition
from gonghui.democracy.counting import (
    Result,
    Round,
    ballots_digest,
    count_round,
    may_start,
    min_candidates,
)
from gonghui.democracy.models import (
    ELECTION_TRANSITIONS,
    ROUND_TRANSITIONS,
    Ballot,
    Body,
    Candidate,
    Credential,
    CredentialToken,
    Election,
    ElectionStatus,
    RoundMode,
    RoundStatus,
    Term,
    Voter,
    VotingRound,
)
from gonghui.orgs.models import Org

S = ElectionStatus
PREPARING = (S.DRAFT, S.PLAN_APPROVED)


def _require_write(actor: Actor, election: Election) -> None:
    require_capability(actor, Capability.DEMOCRACY_WRITE, election.org)


def _require_higher(actor: Actor, election: Election) -> None:
    """Approvals belong to the higher union (上级工会): democracy.write over the parent."""
    org = election.org
    higher = Org.objects.get_parent(org) if org.depth > 1 else org
    if has_capability(actor, Capability.DEMOCRACY_WRITE, higher):
        return
    if has_capability(actor, Capability.DEMOCRACY_READ, org):
        raise Forbidden(_("选举方案、候选人和选举结果须由上级工会批复。"))
    raise NotFound()


def _audit(actor: Actor, action: str, obj: Any, election: Election, **extra: Any) -> None:
    audit_record(actor=actor, action=f"democracy.{action}", obj=obj, org_path=election.org_path,
                 **extra)


def _nonblank(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, extra={"field": field})
    return value


# --- terms -------------------------------------------------------------------------------------

def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_set(*, org: Org, body: str, started_on: dt.date, years: int, actor: Actor) -> Term:
    """Record the current term of one body (a new election replaces it)."""
    require_capability(actor, Capability.DEMOCRACY_WRITE, org)
    if years not in (3, 5):
        raise ApplicationError(_("任期只能是 3 年或 5 年。"), extra={"field": "years"})
    if body not in Body.values:
        raise ApplicationError(_("未知的机构。"), extra={"field": "body"})
    with transaction.atomic():
        term, created = Term.objects.update_or_create(
            org=org, body=body,
            defaults={"org_path": org.path, "started_on": started_on, "years": years,
                      "ends_on": add_years(started_on, years)})
        audit_record(actor=actor, action="democracy.term.set", obj=term, org_path=org.path,
                     after={"body": body, "started_on": started_on, "years": years,
                            "created": created})
    return term


# --- preparing an election ----------------------------------------------------------------------

def election_create(*, org: Org, title: str, body: str, seats: int, meeting_on: dt.date,
                    term_years: int = 5, actor: Actor) -> Election:
    require_capability(actor, Capability.DEMOCRACY_WRITE, org)
    title = _nonblank(title, _("请填写选举名称。"), "title")
    if body not in Body.values:
        raise ApplicationError(_("未知的机构。"), extra={"field": "body"})
    if seats < 1:
        raise ApplicationError(_("应选名额必须大于零。"), extra={"field": "seats"})
    if term_years not in (3, 5):
        raise ApplicationError(_("任期只能是 3 年或 5 年。"), extra={"field": "term_years"})
    with transaction.atomic():
        election = Election.objects.create(
            org=org, org_path=org.path, title=title, body=body, seats=seats,
            meeting_on=meeting_on, term_years=term_years, created_by=actor_user(actor))
        _audit(actor, "election.create", election, election,
               after={"title": title, "body": body, "seats": seats})
    return election


def plan_approve(*, election: Election, approval: str, consultation: str = "",
                 actor: Actor) -> Election:
    """The higher union approves the election plan (选举工作方案)."""
    _require_higher(actor, election)
    approval = _nonblank(approval, _("请填写上级工会的批复文号或意见。"), "approval")
    with transaction.atomic():
        election = transition(election, S.PLAN_APPROVED, transitions=ELECTION_TRANSITIONS,
                              actor=actor, reason=approval,
                              extra_fields={"plan_approval": approval,
                                            "consultation": consultation.strip()})
        _audit(actor, "election.plan_approve", election, election, after={"approval": approval})
    return election


def candidate_add(*, election: Election, name: str, note: str = "", username: str = "",
                  actor: Actor) -> Candidate:
    _require_write(actor, election)
    name = _nonblank(name, _("请填写候选人姓名。"), "name")
    user = None
    if username.strip():
        user = User.objects.filter(username=username.strip(), is_active=True).first()
        if user is None:
            raise ApplicationError(_("账号“{u}”不存在。").format(u=username.strip()),
                                   extra={"field": "username"})
    if election.status not in PREPARING:
        raise Conflict(_("候选人名单已经批复，不能再修改。"))
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(election=election, name=name,
                                                 note=note.strip(), user=user)
            _audit(actor, "candidate.add", candidate, election, after={"name": name})
    except IntegrityError as exc:
        raise Conflict(_("候选人“{name}”已在名单中。").format(name=name),
                       extra={"field": "name"}) from exc
    return candidate


def candidate_remove(*, election: Election, candidate: Candidate, actor: Actor) -> None:
    _require_write(actor, election)
    if election.status not in PREPARING:
        raise Conflict(_("候选人名单已经批复，不能再修改。"))
    with transaction.atomic():
        _audit(actor, "candidate.remove", candidate, election, before={"name": candidate.name})
        candidate.delete()


def voters_add(*, election: Election, lines: Iterable[str], actor: Actor) -> int:
    """Add voters from lines "姓名" or "姓名,账号" (the account votes electronically)."""
    _require_write(actor, election)
    if election.status not in (*PREPARING, S.CANDIDATES_APPROVED):
        raise Conflict(_("选举大会已经开始，选举人名单不能再修改。"))
    rows: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for no, raw in enumerate(lines, start=1):
        line = raw.replace("，", ",").strip()
        if not line:
            continue
        name, _sep, username = (part.strip() for part in line.partition(","))
        if not name:
            raise ApplicationError(_("第 {no} 行缺少姓名。").format(no=no),
                                   extra={"field": "lines"})
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise ApplicationError(_("第 {no} 行：账号“{u}”不存在。").format(no=no, u=username),
                                       extra={"field": "lines"})
            if user.pk in seen or _voters(election).filter(user=user).exists():
                raise Conflict(_("第 {no} 行：账号“{u}”已在选举人名单中。").format(
                    no=no, u=username), extra={"field": "lines"})
            seen.add(user.pk)
        rows.append((name, user))
    if not rows:
        raise ApplicationError(_("请至少填写一名选举人。"), extra={"field": "lines"})
    with transaction.atomic():
        Voter.objects.bulk_create([Voter(election=election, org_id=election.org_id, name=n, user=u)
                                   for n, u in rows])
        _audit(actor, "voters.add", election, election, after={"added": len(rows)})
    return len(rows)


def candidates_approve(*, election: Election, approval: str, actor: Actor) -> Election:
    """The higher union approves the candidate list; the 差额 rate is checked here."""
    _require_higher(actor, election)
    approval = _nonblank(approval, _("请填写上级工会的批复文号或意见。"), "approval")
    count = election.candidates.count()
    needed = min_candidates(election.seats, equal_allowed=election.equal_allowed)
    if count < needed:
        raise ApplicationError(_("应选 {seats} 名，候选人至少需要 {needed} 名（差额率不低于 5%），"
                                 "目前只有 {count} 名。").format(seats=election.seats,
                                                               needed=needed, count=count))
    with transaction.atomic():
        election = transition(election, S.CANDIDATES_APPROVED, transitions=ELECTION_TRANSITIONS,
                              actor=actor, reason=approval,
                              extra_fields={"candidates_approval": approval})
        _audit(actor, "election.candidates_approve", election, election,
               after={"approval": approval, "candidates": count})
    return election


def meeting_open(*, election: Election, present_ids: Sequence[int], actor: Actor) -> Election:
    """Register attendance; the meeting may vote only with two thirds of the roll present."""
    _require_write(actor, election)
    entitled = _voters(election).count()
    ids = set(present_ids)
    if not ids <= set(_voters(election).values_list("pk", flat=True)):
        raise ApplicationError(_("到会名单中有不在选举人名单上的人。"), extra={"field": "present"})
    if not may_start(entitled, len(ids)):
        raise ApplicationError(_("应到会 {entitled} 人，实到 {present} 人，不足三分之二，"
                                 "不能进行选举。").format(entitled=entitled, present=len(ids)),
                               extra={"field": "present"})
    with transaction.atomic():
        election = transition(election, S.MEETING, transitions=ELECTION_TRANSITIONS,
                              actor=actor, reason=_("应到 {e} 人，实到 {p} 人").format(
                                  e=entitled, p=len(ids)),
                              extra_fields={"present": len(ids)})
        _voters(election).filter(pk__in=ids).update(present=True)
        _audit(actor, "election.meeting_open", election, election,
               after={"entitled": entitled, "present": len(ids)})
    return election


# --- rounds -------------------------------------------------------------------------------------

def _voters(election: Election) -> Any:
    """The election's roll, read in its union (on Citus one shard)."""
    return Voter.objects.filter(election=election, org_id=election.org_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def _next_round_plan(election: Election) -> tuple[int, int, list[str]]:
    """(number, seats, candidates) of the next round: the first round has everyone; after a
    tie a new vote among the tied; after too few winners a further round among the not-elected
    for the seats left."""
    last = election.rounds.order_by("-number").first()
    if last is None:
        return 1, election.seats, list(election.candidates.values_list("name", flat=True))
    if last.is_open:
        raise Conflict(_("上一轮投票尚未计票。"))
    result = last.result or {}
    if not result.get("round_valid"):
        return last.number + 1, last.seats, list(last.candidates)
    elected = set(election.candidates.filter(elected_in_round__isnull=False)
                  .values_list("name", flat=True))
    seats_left = election.seats - len(elected)
    if seats_left < 1:
        raise Conflict(_("应选名额已全部选出。"))
    pool = result.get("runoff") or [n for n in last.candidates if n not in elected]
    return last.number + 1, seats_left, pool


def round_open(*, election: Election, mode: str, actor: Actor) -> tuple[VotingRound,
                                                                        list[tuple[Voter, str]]]:
    """Open the next round. Electronic: one credential per present voter (a slip handed out in
    the hall; a voter with an account may also vote from their own page); the tokens are
    returned once, for the slips, and only their hashes are kept."""
    _require_write(actor, election)
    if mode not in RoundMode.values:
        raise ApplicationError(_("未知的投票方式。"), extra={"field": "mode"})
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.status != S.MEETING:
            raise Conflict(_("只有在选举大会进行中才能开始投票。"))
        number, seats, names = _next_round_plan(election)
        if not names:
            raise Conflict(_("没有可供投票的候选人。"))
        entitled = _voters(election).count()
        present = _voters(election).filter(present=True).count()
        voting = VotingRound.objects.create(
            election=election, number=number, mode=mode, seats=seats, candidates=names,
            entitled=entitled, present=present, opened_on=clock.today())
        tokens: list[tuple[Voter, str]] = []
        if mode == RoundMode.ELECTRONIC:
            voters = list(_voters(election).filter(present=True))
            creds = []
            for voter in voters:
                token = secrets.token_hex(5).upper()
                tokens.append((voter, token))
                creds.append(Credential(round=voting, voter=voter, org_id=election.org_id,
                                        token_hash=_token_hash(token)))
            Credential.objects.bulk_create(creds)
            # each token claimed by its hash (unique across unions on Citus too)
            CredentialToken.objects.bulk_create(
                [CredentialToken(token_hash=c.token_hash, org_id=c.org_id, credential_id=c.pk)
                 for c in creds])
        _audit(actor, "round.open", voting, election,
               after={"number": number, "mode": mode, "seats": seats, "candidates": names,
                      "credentials": len(tokens)})
    return voting, tokens


def _check_choices(voting: VotingRound, choices: Sequence[str]) -> list[str]:
    names = [str(c).strip() for c in choices]
    if len(set(names)) != len(names):
        raise ApplicationError(_("同一张选票上不能重复选择同一候选人。"),
                               extra={"field": "choices"})
    unknown = [n for n in names if n not in voting.candidates]
    if unknown:
        raise ApplicationError(_("“{name}”不是本轮候选人。").format(name=unknown[0]),
                               extra={"field": "choices"})
    return sorted(names)


def ballot_cast(*, token: str, choices: Sequence[str], round_id: int | None = None) -> None:
    """Cast one secret ballot with a one-time credential.

    The credential flips to used by a conditional UPDATE (`used = false` in the WHERE): of two
    requests with one token at the same moment exactly one updates a row, the other gets 0
    and is refused; the ballot is inserted in the same transaction. Not audited per ballot on
    purpose: an audit row (who, when) next to a ballot would break the secrecy; the round's
    close records the counts."""
    digest = _token_hash(token or "")
    # the token's claim row (keyed by the hash: one shard on Citus), then the credential in its
    # union
    claim = CredentialToken.objects.filter(token_hash=digest).first()
    credential = (None if claim is None else
                  Credential.objects.select_related("round")
                  .filter(pk=claim.credential_id, org_id=claim.org_id).first())
    if credential is None or (round_id is not None and credential.round_id != round_id):
        raise NotFound(_("投票凭证无效。"))
    _cast(credential, credential.round, choices)


def ballot_cast_as_voter(*, voting: VotingRound, user: Any, choices: Sequence[str]) -> None:
    """The signed-in voter's own credential for this round (the phone page)."""
    credential = Credential.objects.filter(same_union("voter", "org"), round=voting,
                                           voter__user=user).first()
    if credential is None:
        raise NotFound(_("您没有本轮的投票凭证。"))
    _cast(credential, voting, choices)


def _cast(credential: Credential, voting: VotingRound, choices: Sequence[str]) -> None:
    if voting.status != RoundStatus.OPEN:
        raise Conflict(_("本轮投票已经结束。"))
    names = _check_choices(voting, choices)

    def cast() -> None:
        with transaction.atomic():
            if not _round_still_open(voting.pk):
                raise Conflict(_("本轮投票已经结束。"))
            claimed = Credential.objects.filter(pk=credential.pk, org_id=credential.org_id,
                                                used=False).update(used=True)
            if claimed != 1:
                raise Conflict(_("该投票凭证已经使用过，每人只能投一票。"))
            # the ballot carries the election's union (every ballot of the round the same one)
            Ballot.objects.create(round=voting, org_id=credential.org_id, choices=names)

    # On Citus two ballots of one round at the same moment can deadlock on the shard locks of
    # the reference tables a ballot points at (its round); the server rolled the loser back
    # whole (credential unflipped, no ballot), so it is cast again (core.retry). One node: rare.
    retrying(cast)


def _round_still_open(round_id: int) -> bool:
    """Read the round's status under a SHARE lock (PostgreSQL): ballots share it with each
    other, but the close's FOR UPDATE waits for every ballot holding it (so the close counts
    them), and a ballot arriving during the close waits for it and then reads "closed". (The
    ballot's foreign key cannot do this: Django's foreign keys are DEFERRABLE, checked only at
    commit.) SQLite serialises writers, so a plain read is enough there."""
    sql = "SELECT status FROM democracy_votinground WHERE id = %s"
    if connection.vendor == "postgresql":
        sql += " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_id])
        row = cursor.fetchone()
    return row is not None and row[0] == RoundStatus.OPEN


def _apply_result(voting: VotingRound, result: Result, *, actor: Actor) -> VotingRound:
    election = voting.election
    if result.elected:
        votes = result.tally or {}
        for name in result.elected:
            election.candidates.filter(name=name).update(elected_in_round=voting.number,
                                                         votes=votes.get(name))
    voting = transition(voting, RoundStatus.CLOSED, transitions=ROUND_TRANSITIONS, actor=actor,
                        reason=_("计票完成"), extra_fields={
                            "result": result.as_dict(), "issued": voting.issued,
                            "returned": voting.returned, "paper_tally": voting.paper_tally,
                            "paper_void": voting.paper_void, "tally_hash": voting.tally_hash})
    filled = election.candidates.filter(elected_in_round__isnull=False).count()
    if filled >= election.seats:
        transition(election, S.COUNTED, transitions=ELECTION_TRANSITIONS, actor=actor,
                   reason=_("应选名额已全部选出"))
    _audit(actor, "round.close", voting, election,
           after={"result": result.as_dict(), "tally_hash": voting.tally_hash})
    return voting


def _round_input(voting: VotingRound, **votes: Any) -> Round:
    return Round(entitled=voting.entitled, present=voting.present, seats=voting.seats,
                 candidates=tuple(voting.candidates),
                 equal_allowed=voting.election.equal_allowed, **votes)


def round_close_paper(*, voting: VotingRound, issued: int, returned: int,
                      tally: dict[str, int] | None = None,
                      ballots: list[list[str]] | None = None, void: int | None = None,
                      actor: Actor) -> VotingRound:
    """The count committee enters the paper round: issued, returned and the tallies (or each
    ballot's choices); the same counting function decides."""
    _require_write(actor, voting.election)
    if voting.mode != RoundMode.PAPER:
        raise Conflict(_("电子投票轮次由系统计票。"))
    with transaction.atomic():
        voting = VotingRound.objects.select_for_update().select_related("election").get(
            pk=voting.pk)
        if voting.status != RoundStatus.OPEN:
            raise Conflict(_("本轮已经计票。"))
        result = count_round(_round_input(voting, issued=issued, returned=returned,
                                          tally=tally, ballots=ballots, void=void))
        voting.issued, voting.returned = issued, returned
        voting.paper_tally = tally if tally is not None else None
        voting.paper_void = result.void_ballots
        voting.tally_hash = (ballots_digest(ballots) if ballots is not None else
                             hashlib.sha256(json.dumps(result.tally, ensure_ascii=False,
                                                       sort_keys=True).encode()).hexdigest())
        return _apply_result(voting, result, actor=actor)


def _in_union(rows: Any, voting: VotingRound) -> Any:
    """A round's credentials or ballots read in the election's union (on Citus one shard: the
    close then writes reference tables, which Citus refuses after a read over every shard)."""
    return rows.filter(org_id=voting.election.org_id)


def stored_ballots(voting: VotingRound) -> list[list[str]]:
    return [list(c) for c in _in_union(voting.ballots, voting).values_list("choices", flat=True)]


def round_count_electronic(voting: VotingRound) -> tuple[Result, str]:
    """Count a round from its stored ballots (used to close it and by anyone to recount)."""
    ballots = stored_ballots(voting)
    issued = _in_union(voting.credentials, voting).count()
    result = count_round(_round_input(voting, issued=issued, returned=len(ballots),
                                      ballots=ballots))
    return result, ballots_digest(ballots)


def round_close_electronic(*, voting: VotingRound, actor: Actor) -> VotingRound:
    _require_write(actor, voting.election)
    if voting.mode != RoundMode.ELECTRONIC:
        raise Conflict(_("纸质投票轮次请录入计票结果。"))
    with transaction.atomic():
        voting = VotingRound.objects.select_for_update().select_related("election").get(
            pk=voting.pk)
        if voting.status != RoundStatus.OPEN:
            raise Conflict(_("本轮已经计票。"))
        # closing first under the row lock: a ballot racing the close re-checks the status
        result, digest = round_count_electronic(voting)
        voting.issued = _in_union(voting.credentials, voting).count()
        voting.returned = _in_union(voting.ballots, voting).count()
        voting.tally_hash = digest
        return _apply_result(voting, result, actor=actor)


def result_approve(*, election: Election, approval: str, actor: Actor) -> Election:
    """The higher union approves the result report; the body's new term starts."""
    _require_higher(actor, election)
    approval = _nonblank(approval, _("请填写上级工会的批复文号或意见。"), "approval")
    with transaction.atomic():
        election = transition(election, S.CLOSED, transitions=ELECTION_TRANSITIONS, actor=actor,
                              reason=approval, extra_fields={"result_approval": approval})
        body = Body.COMMITTEE if election.body == Body.CHAIR else election.body
        Term.objects.update_or_create(
            org=election.org, body=body,
            defaults={"org_path": election.org_path, "started_on": election.meeting_on,
                      "years": election.term_years,
                      "ends_on": add_years(election.meeting_on, election.term_years)})
        _audit(actor, "election.result_approve", election, election,
               after={"approval": approval})
    return election


def election_cancel(*, election: Election, reason: str, actor: Actor) -> Election:
    _require_write(actor, election)
    reason = _nonblank(reason, _("请填写撤销原因。"), "reason")
    with transaction.atomic():
        election = transition(election, S.CANCELLED, transitions=ELECTION_TRANSITIONS,
                              actor=actor, reason=reason)
        _audit(actor, "election.cancel", election, election, after={"reason": reason})
    return election


def elected_roles_grant(*, election: Election, candidate: Candidate, role: str,
                        actor: Actor) -> Any:
    """Make an elected member a role holder at the union, through the accounts service."""
    if election.status != S.CLOSED:
        raise Conflict(_("选举结果批复后才能授权。"))
    if candidate.election_id != election.pk or candidate.elected_in_round is None:
        raise NotFound()
    if candidate.user is None:
        raise ApplicationError(_("该当选人没有对应的系统账号。"), extra={"field": "user"})
    return role_assign(user=candidate.user, org=election.org, role=role, actor=actor)
