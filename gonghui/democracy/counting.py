"""The counting rules of one election round (选举计票), pure: no database, no clock.

One function, `count_round`, serves the pages, the API and `gonghui elections count`. Rules
(工会基层组织选举工作条例, ACFTU 2016, as summarised in SPEC §2.9 and issue 16; cited by
subject, not article number, in docs/democracy.md — no checked text of the articles was at hand):

- the vote may start only when at least two thirds of those entitled to attend (应到会人数)
  are present;
- the candidates exceed the seats by at least 5 % (差额率), rounded up to a whole candidate;
  a chair / vice-chair vote may be single-candidate (等额, `equal_allowed`);
- a ballot naming more candidates than seats is void; fewer or as many is valid;
- more ballots returned than issued voids the whole round;
- a candidate is elected with "yes" votes from MORE than half of those ENTITLED (not of
  those present, not of the valid ballots); more such candidates than seats → the most votes
  win; a tie at the last seat → a new vote among the tied only; fewer winners than seats →
  a further round for the remaining seats (`seats_left`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import ApplicationError

# 差额率: candidates exceed the seats by at least this share (percent), rounded up.
MIN_MARGIN_PERCENT = 5


class RoundError(ApplicationError):
    """The description of a round is malformed or contradicts itself; nothing was counted."""


@dataclass(frozen=True)
class Round:
    """One round as described by the count committee (or built from stored ballots)."""

    entitled: int
    present: int
    seats: int
    candidates: tuple[str, ...] | int
    equal_allowed: bool = False
    issued: int | None = None
    returned: int | None = None
    tally: Mapping[str, int] | None = None
    ballots: Sequence[Sequence[str]] | None = None
    void: int | None = None  # void ballots counted on paper, when only a tally is entered

    @property
    def voted(self) -> bool:
        return self.issued is not None


@dataclass
class Result:
    may_start: bool
    candidates_ok: bool
    min_candidates: int
    round_valid: bool | None = None
    void_ballots: int | None = None
    tally: dict[str, int] | None = None
    elected: list[str] | None = None
    runoff: list[str] | None = None
    seats_left: int | None = None
    threshold: int = 0  # the fewest "yes" votes that elect: more than half of the entitled
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The CLI / API shape: exactly the documented keys."""
        return {
            "may_start": self.may_start,
            "candidates_ok": self.candidates_ok,
            "min_candidates": self.min_candidates,
            "round_valid": self.round_valid,
            "void_ballots": self.void_ballots,
            "tally": self.tally,
            "elected": self.elected,
            "runoff": self.runoff,
            "seats_left": self.seats_left,
        }


def quorum(entitled: int) -> int:
    """The fewest present for the vote to start: two thirds of the entitled, rounded up."""
    return -(-2 * entitled // 3)


def may_start(entitled: int, present: int) -> bool:
    return present * 3 >= entitled * 2


def min_candidates(seats: int, *, equal_allowed: bool = False) -> int:
    """Seats plus 5 % of the seats rounded up (integer arithmetic: no float edge)."""
    if equal_allowed:
        return seats
    return seats + -(-seats * MIN_MARGIN_PERCENT // 100)


def election_threshold(entitled: int) -> int:
    """The fewest "yes" votes that elect: more than half of those entitled."""
    return entitled // 2 + 1


def ballots_digest(ballots: Iterable[Iterable[str]]) -> str:
    """A hash of a round's ballots that does not depend on their order: anyone with the
    round's stored ballots recomputes it and checks it against the published one."""
    canonical = sorted(json.dumps(sorted(b), ensure_ascii=False) for b in ballots)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def count_round(r: Round) -> Result:
    """Check and count one round. Raises `RoundError` when the round contradicts itself."""
    _validate(r)
    names = r.candidates if isinstance(r.candidates, tuple) else ()
    n_candidates = len(names) if isinstance(r.candidates, tuple) else r.candidates
    needed = min_candidates(r.seats, equal_allowed=r.equal_allowed)
    result = Result(
        may_start=may_start(r.entitled, r.present),
        candidates_ok=n_candidates >= needed,
        min_candidates=needed,
        threshold=election_threshold(r.entitled),
    )
    if not r.voted:
        return result
    assert r.returned is not None
    result.round_valid = result.may_start and r.returned <= r.issued  # type: ignore[operator]
    if not result.round_valid:
        result.notes.append(_("实到人数不足应到会人数的三分之二，不能进行选举。")
                            if not result.may_start else
                            _("收回选票多于发出选票，本轮选举无效。"))
        return result
    votes: dict[str, int] = dict.fromkeys(names, 0)
    if r.ballots is not None:
        void = 0
        for ballot in r.ballots:
            if len(ballot) > r.seats:
                void += 1
                continue
            for name in ballot:
                votes[name] = votes.get(name, 0) + 1
        result.void_ballots = void
    else:
        assert r.tally is not None
        for name, yes in r.tally.items():
            votes[name] = yes
        result.void_ballots = r.void
    order = {name: i for i, name in enumerate(votes)}
    ranked = sorted(votes, key=lambda n: (-votes[n], order[n]))
    result.tally = {name: votes[name] for name in ranked}
    qualified = [n for n in ranked if votes[n] >= result.threshold]
    if len(qualified) <= r.seats:
        result.elected = qualified
        result.runoff = []
    else:
        last = votes[qualified[r.seats - 1]]
        first_out = votes[qualified[r.seats]]
        if last == first_out:
            result.elected = [n for n in qualified if votes[n] > last]
            result.runoff = [n for n in qualified if votes[n] == last]
        else:
            result.elected = qualified[: r.seats]
            result.runoff = []
    result.seats_left = r.seats - len(result.elected)
    return result


def _validate(r: Round) -> None:
    if r.entitled < 1:
        raise RoundError(_("应到会人数必须大于零。"), extra={"field": "entitled"})
    if r.present < 0:
        raise RoundError(_("实到人数不能为负数。"), extra={"field": "present"})
    if r.present > r.entitled:
        raise RoundError(_("实到人数（{present}）不能多于应到会人数（{entitled}）。").format(
            present=r.present, entitled=r.entitled), extra={"field": "present"})
    if r.seats < 1:
        raise RoundError(_("应选名额必须大于零。"), extra={"field": "seats"})
    if isinstance(r.candidates, int):
        if r.candidates < 0:
            raise RoundError(_("候选人数不能为负数。"), extra={"field": "candidates"})
    else:
        if any(not n.strip() for n in r.candidates):
            raise RoundError(_("候选人姓名不能为空。"), extra={"field": "candidates"})
        if len(set(r.candidates)) != len(r.candidates):
            raise RoundError(_("候选人名单中有重复的姓名。"), extra={"field": "candidates"})
    if not r.voted:
        if r.returned is not None or r.tally is not None or r.ballots is not None:
            raise RoundError(_("录入投票结果时必须同时填写发出选票数和收回选票数。"),
                             extra={"field": "issued"})
        return
    if r.issued is None or r.returned is None:
        raise RoundError(_("录入投票结果时必须同时填写发出选票数和收回选票数。"),
                         extra={"field": "issued"})
    if r.issued < 0 or r.returned < 0:
        raise RoundError(_("选票数不能为负数。"), extra={"field": "issued"})
    if r.issued > r.present:
        raise RoundError(_("发出选票（{issued}）不能多于实到人数（{present}）。").format(
            issued=r.issued, present=r.present), extra={"field": "issued"})
    if (r.tally is None) == (r.ballots is None):
        raise RoundError(_("请录入计票结果（tally）或逐张选票（ballots），二者选一。"),
                         extra={"field": "tally"})
    known = set(r.candidates) if isinstance(r.candidates, tuple) else None
    named: set[str] = set()
    if r.tally is not None:
        for name, yes in r.tally.items():
            _check_name(name, known)
            named.add(name)
            if yes < 0:
                raise RoundError(_("候选人“{name}”的得票数不能为负数。").format(name=name),
                                 extra={"field": "tally"})
            if yes > r.returned:
                raise RoundError(_("候选人“{name}”的得票数（{yes}）多于收回选票数（{returned}）。")
                                 .format(name=name, yes=yes, returned=r.returned),
                                 extra={"field": "tally"})
        if r.void is not None and not 0 <= r.void <= r.returned:
            raise RoundError(_("废票数必须在 0 与收回选票数之间。"), extra={"field": "void"})
    if r.ballots is not None:
        if len(r.ballots) != r.returned:
            raise RoundError(_("逐张录入的选票数（{n}）与收回选票数（{returned}）不一致。").format(
                n=len(r.ballots), returned=r.returned), extra={"field": "ballots"})
        for ballot in r.ballots:
            if len(set(ballot)) != len(ballot):
                raise RoundError(_("同一张选票上不能重复选择同一候选人。"),
                                 extra={"field": "ballots"})
            for name in ballot:
                _check_name(name, known)
                named.add(name)
    if known is None and len(named) > int(r.candidates):  # type: ignore[arg-type]
        raise RoundError(_("得票人数多于候选人数。"), extra={"field": "candidates"})


def _check_name(name: str, known: set[str] | None) -> None:
    if known is not None and name not in known:
        raise RoundError(_("“{name}”不在候选人名单中。").format(name=name),
                         extra={"field": "tally"})


def _int(data: Mapping[str, Any], key: str, *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise RoundError(_("缺少“{key}”。").format(key=key), extra={"field": key})
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RoundError(_("“{key}”必须是整数。").format(key=key), extra={"field": key})
    return value


def round_from_data(data: Any) -> Round:
    """Parse the documented JSON description of a round (CLI file, API body)."""
    if not isinstance(data, dict):
        raise RoundError(_("文件内容必须是一个 JSON 对象。"))
    raw_candidates = data.get("candidates")
    candidates: tuple[str, ...] | int
    if isinstance(raw_candidates, list):
        if not all(isinstance(n, str) for n in raw_candidates):
            raise RoundError(_("候选人名单必须是姓名列表。"), extra={"field": "candidates"})
        candidates = tuple(n.strip() for n in raw_candidates)
    elif isinstance(raw_candidates, int) and not isinstance(raw_candidates, bool):
        candidates = raw_candidates
    else:
        raise RoundError(_("“candidates”必须是姓名列表或候选人数。"), extra={"field": "candidates"})
    tally = data.get("tally")
    if tally is not None:
        if not isinstance(tally, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in tally.values()):
            raise RoundError(_("“tally”必须是 {姓名: 赞成票数} 的对象。"), extra={"field": "tally"})
        tally = {str(k).strip(): v for k, v in tally.items()}
    ballots = data.get("ballots")
    if ballots is not None:
        if not isinstance(ballots, list) or not all(
                isinstance(b, list) and all(isinstance(n, str) for n in b) for b in ballots):
            raise RoundError(_("“ballots”必须是选票列表，每张选票是所选姓名的列表。"),
                             extra={"field": "ballots"})
        ballots = [[n.strip() for n in b] for b in ballots]
    equal_allowed = data.get("equal_allowed", False)
    if not isinstance(equal_allowed, bool):
        raise RoundError(_("“equal_allowed”必须是 true 或 false。"), extra={"field": "equal_allowed"})
    return Round(
        entitled=_int(data, "entitled", required=True),  # type: ignore[arg-type]
        present=_int(data, "present", required=True),  # type: ignore[arg-type]
        seats=_int(data, "seats", required=True),  # type: ignore[arg-type]
        candidates=candidates,
        equal_allowed=equal_allowed,
        issued=_int(data, "issued", required=False),
        returned=_int(data, "returned", required=False),
        tally=tally,
        ballots=ballots,
        void=_int(data, "void", required=False),
    )
