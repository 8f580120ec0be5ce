"""The counting rules at every edge, table-driven; the CLI on the same cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.democracy.counting import (
    Round,
    RoundError,
    ballots_digest,
    count_round,
    election_threshold,
    min_candidates,
    quorum,
    round_from_data,
)

ABC = ["甲", "乙", "丙"]

# (id, round description, expected subset of the result)
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("quorum exactly two thirds", {"entitled": 99, "present": 66, "seats": 1,
                                   "candidates": 2},
     {"may_start": True, "candidates_ok": True, "min_candidates": 2, "round_valid": None,
      "void_ballots": None, "tally": None, "elected": None, "runoff": None, "seats_left": None}),
    ("quorum one below", {"entitled": 99, "present": 65, "seats": 1, "candidates": 2},
     {"may_start": False}),
    ("quorum not a multiple of three", {"entitled": 100, "present": 67, "seats": 1,
                                        "candidates": 2}, {"may_start": True}),
    ("quorum 66 of 100 is short", {"entitled": 100, "present": 66, "seats": 1,
                                    "candidates": 2}, {"may_start": False}),
    ("差额 rounding 20 seats needs 21", {"entitled": 10, "present": 10, "seats": 20,
                                       "candidates": 21},
     {"candidates_ok": True, "min_candidates": 21}),
    ("差额 rounding 21 seats needs 23", {"entitled": 10, "present": 10, "seats": 21,
                                       "candidates": 22},
     {"candidates_ok": False, "min_candidates": 23}),
    ("差额 one seat needs two", {"entitled": 10, "present": 10, "seats": 1, "candidates": 1},
     {"candidates_ok": False, "min_candidates": 2}),
    ("chair may be single-candidate", {"entitled": 10, "present": 10, "seats": 1,
                                       "candidates": 1, "equal_allowed": True},
     {"candidates_ok": True, "min_candidates": 1}),
    ("差额 40 seats needs 42", {"entitled": 10, "present": 10, "seats": 40, "candidates": 42},
     {"candidates_ok": True, "min_candidates": 42}),
    ("exactly half the entitled is not elected",
     {"entitled": 10, "present": 9, "seats": 2, "candidates": ABC, "issued": 9, "returned": 9,
      "tally": {"甲": 6, "乙": 5, "丙": 3}},
     {"round_valid": True, "elected": ["甲"], "runoff": [], "seats_left": 1,
      "tally": {"甲": 6, "乙": 5, "丙": 3}, "void_ballots": None}),
    ("half of present is not enough: entitled counts",
     {"entitled": 12, "present": 8, "seats": 1, "candidates": ["甲", "乙"], "issued": 8,
      "returned": 8, "tally": {"甲": 6, "乙": 2}},
     {"round_valid": True, "elected": [], "seats_left": 1}),
    ("more qualified than seats: most votes win",
     {"entitled": 10, "present": 10, "seats": 2, "candidates": ABC, "issued": 10,
      "returned": 10, "tally": {"甲": 9, "乙": 7, "丙": 8}},
     {"elected": ["甲", "丙"], "runoff": [], "seats_left": 0,
      "tally": {"甲": 9, "丙": 8, "乙": 7}}),
    ("tie at the last seat: runoff among the tied",
     {"entitled": 10, "present": 10, "seats": 2, "candidates": ABC, "issued": 10,
      "returned": 10, "tally": {"甲": 9, "乙": 7, "丙": 7}},
     {"elected": ["甲"], "runoff": ["乙", "丙"], "seats_left": 1}),
    ("tie of all for one seat",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 10, "tally": {"甲": 6, "乙": 6}},
     {"elected": [], "runoff": ["甲", "乙"], "seats_left": 1}),
    ("tie above the last seat is no runoff",
     {"entitled": 10, "present": 10, "seats": 2, "candidates": ABC, "issued": 10,
      "returned": 10, "tally": {"甲": 8, "乙": 8, "丙": 6}},
     {"elected": ["甲", "乙"], "runoff": [], "seats_left": 0}),
    ("fewer winners than seats",
     {"entitled": 10, "present": 10, "seats": 3, "candidates": ["甲", "乙", "丙", "丁"],
      "issued": 10, "returned": 10, "tally": {"甲": 8, "乙": 3, "丙": 5, "丁": 2}},
     {"elected": ["甲"], "runoff": [], "seats_left": 2}),
    ("a void ballot (more names than seats)",
     {"entitled": 5, "present": 5, "seats": 1, "candidates": ["甲", "乙"], "issued": 5,
      "returned": 5, "ballots": [["甲"], ["甲"], ["甲", "乙"], ["甲"], []]},
     {"round_valid": True, "void_ballots": 1, "tally": {"甲": 3, "乙": 0}, "elected": ["甲"],
      "seats_left": 0}),
    ("a void ballot decides: 3 of 6 is exactly half",
     {"entitled": 6, "present": 6, "seats": 1, "candidates": ["甲", "乙"], "issued": 6,
      "returned": 6, "ballots": [["甲"], ["甲"], ["甲"], ["甲", "乙"], ["乙"], ["乙"]]},
     {"void_ballots": 1, "elected": [], "seats_left": 1}),
    ("returned more than issued voids the round",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 9,
      "returned": 10, "tally": {"甲": 8, "乙": 2}},
     {"round_valid": False, "tally": None, "elected": None, "runoff": None,
      "seats_left": None}),
    ("votes without a quorum are not a round",
     {"entitled": 10, "present": 6, "seats": 1, "candidates": ["甲", "乙"], "issued": 6,
      "returned": 6, "tally": {"甲": 6, "乙": 0}},
     {"may_start": False, "round_valid": False, "elected": None}),
    ("fewer returned than issued is valid",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 7, "tally": {"甲": 6}},
     {"round_valid": True, "elected": ["甲"], "tally": {"甲": 6, "乙": 0}}),
    ("paper void count carried",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 10, "tally": {"甲": 6, "乙": 2}, "void": 2},
     {"void_ballots": 2, "elected": ["甲"]}),
]

MALFORMED: list[tuple[str, Any, str]] = [
    ("not an object", [1, 2], "文件内容必须是一个 JSON 对象。"),
    ("missing entitled", {"present": 1, "seats": 1, "candidates": 2}, "缺少“entitled”。"),
    ("present over entitled", {"entitled": 10, "present": 11, "seats": 1, "candidates": 2},
     "实到人数（11）不能多于应到会人数（10）。"),
    ("tally for an unknown candidate",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 10, "tally": {"丙": 6}}, "“丙”不在候选人名单中。"),
    ("issued more than present",
     {"entitled": 10, "present": 8, "seats": 1, "candidates": ["甲", "乙"], "issued": 9,
      "returned": 9, "tally": {"甲": 6}}, "发出选票（9）不能多于实到人数（8）。"),
    ("votes without returned",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "tally": {"甲": 6}}, "录入投票结果时必须同时填写发出选票数和收回选票数。"),
    ("ballots count differs",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 2, "ballots": [["甲"]]}, "逐张录入的选票数（1）与收回选票数（2）不一致。"),
    ("duplicate candidate", {"entitled": 10, "present": 10, "seats": 1,
                             "candidates": ["甲", "甲"]}, "候选人名单中有重复的姓名。"),
    ("votes above returned",
     {"entitled": 10, "present": 10, "seats": 1, "candidates": ["甲", "乙"], "issued": 10,
      "returned": 5, "tally": {"甲": 6}}, "候选人“甲”的得票数（6）多于收回选票数（5）。"),
    ("a boolean count", {"entitled": True, "present": 1, "seats": 1, "candidates": 2},
     "“entitled”必须是整数。"),
    ("both tally and ballots",
     {"entitled": 2, "present": 2, "seats": 1, "candidates": ["甲", "乙"], "issued": 2,
      "returned": 2, "tally": {"甲": 1}, "ballots": [["甲"], []]},
     "请录入计票结果（tally）或逐张选票（ballots），二者选一。"),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_counting_rules(data: dict[str, Any], expected: dict[str, Any]) -> None:
    result = count_round(round_from_data(data)).as_dict()
    assert {k: result[k] for k in expected} == expected
    if "tally" in expected and expected["tally"] is not None:
        assert list(result["tally"]) == list(expected["tally"])  # in order of votes


@pytest.mark.parametrize(("data", "message"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_rounds_are_refused(data: Any, message: str) -> None:
    with pytest.raises(RoundError) as exc:
        count_round(round_from_data(data))
    assert exc.value.message == message


def test_helpers_exact_values() -> None:
    assert quorum(99) == 66
    assert quorum(100) == 67
    assert election_threshold(10) == 6
    assert election_threshold(11) == 6
    assert min_candidates(1) == 2
    assert min_candidates(20) == 21
    assert min_candidates(21) == 23
    assert min_candidates(7, equal_allowed=True) == 7


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*ABC, "丁"]), max_size=4, unique=True), max_size=40),
       st.randoms(use_true_random=False))
def test_ballots_digest_is_order_free(ballots: list[list[str]], rnd: Any) -> None:
    shuffled = [list(b) for b in ballots]
    rnd.shuffle(shuffled)
    for b in shuffled:
        rnd.shuffle(b)
    assert ballots_digest(shuffled) == ballots_digest(ballots)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(ABC), max_size=3, unique=True), min_size=1,
                max_size=30), st.integers(min_value=1, max_value=2))
def test_counting_ballots_equals_counting_their_tally(ballots: list[list[str]], seats: int
                                                      ) -> None:
    n = len(ballots)
    by_ballots = count_round(Round(entitled=n, present=n, seats=seats, candidates=tuple(ABC),
                                   issued=n, returned=n, ballots=ballots))
    valid = [b for b in ballots if len(b) <= seats]
    tally = {name: sum(name in b for b in valid) for name in ABC}
    by_tally = count_round(Round(entitled=n, present=n, seats=seats, candidates=tuple(ABC),
                                 issued=n, returned=n, tally=tally))
    assert by_ballots.tally == by_tally.tally
    assert by_ballots.elected == by_tally.elected
    assert by_ballots.runoff == by_tally.runoff
    assert by_ballots.void_ballots == n - len(valid)
    assert len(by_ballots.elected or []) + (by_ballots.seats_left or 0) == seats


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_count_prints_the_documented_keys(tmp_path: Path, capsys: Any) -> None:
    path = _write(tmp_path, CASES[12][1])  # tie at the last seat
    call_command("elections", "count", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"may_start": True, "candidates_ok": True, "min_candidates": 3,
                   "round_valid": True, "void_ballots": None,
                   "tally": {"甲": 9, "乙": 7, "丙": 7}, "elected": ["甲"],
                   "runoff": ["乙", "丙"], "seats_left": 1}


def test_cli_only_candidates_number(tmp_path: Path, capsys: Any) -> None:
    path = _write(tmp_path, {"entitled": 30, "present": 20, "seats": 21, "candidates": 22})
    call_command("elections", "count", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out == {"may_start": True, "candidates_ok": False, "min_candidates": 23,
                   "round_valid": None, "void_ballots": None, "tally": None, "elected": None,
                   "runoff": None, "seats_left": None}


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "选票数据有误：文件不是有效的 JSON（第 1 行）。"),
    (json.dumps({"entitled": 10, "present": 11, "seats": 1, "candidates": 2}),
     "选票数据有误：实到人数（11）不能多于应到会人数（10）。"),
])
def test_cli_malformed_exits_2_with_chinese_message(tmp_path: Path, content: str,
                                                     message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gonghui.cli", "elections", "count", str(path)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "LANGUAGE": "zh-hans"})
    assert done.returncode == 2
    assert done.stderr.strip() == message
    assert done.stdout == ""
