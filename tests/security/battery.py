"""The attack battery's figures (issue 13): each part of the battery (IDOR sweep, route matrix,
schemathesis run, hostile files, formula injection) records how many requests it sent, how many
leaks it found (another district's object said or changed, a denied request answered or that
changed something, a formula that survived into an export) and how many 5xx it got; the
terminal summary prints the totals, e.g.

    security battery: 5,432 requests, 0 leaks, 0 5xx

This module is a pytest plugin (loaded from the root conftest.py), so the summary also appears
under xdist: each worker hands its counts to the controller through `workeroutput`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

# part -> [requests, leaks, 5xx], in this process
_COUNTS: dict[str, list[int]] = {}
# what the controller gathered from its workers (under xdist), same shape
_GATHERED: dict[str, list[int]] = {}
_KEY = "security_battery"
PARTS = ("IDOR sweep", "route matrix", "schemathesis", "hostile files", "formula injection")


def record(part: str, *, requests: int, leaks: int = 0, errors: int = 0) -> None:
    """Add one test's figures to the battery's part `part` (one of PARTS)."""
    if part not in PARTS:
        raise ValueError(f"unknown battery part {part!r}")
    counts = _COUNTS.setdefault(part, [0, 0, 0])
    counts[0] += requests
    counts[1] += leaks
    counts[2] += errors


def _merge(into: dict[str, list[int]], counts: dict[str, list[int]]) -> None:
    for part, (requests, leaks, errors) in counts.items():
        total = into.setdefault(part, [0, 0, 0])
        total[0] += requests
        total[1] += leaks
        total[2] += errors


def totals() -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    _merge(merged, _COUNTS)
    _merge(merged, _GATHERED)
    return merged


def summary_lines(counts: dict[str, list[int]]) -> list[str]:
    if not counts:
        return []
    requests = sum(c[0] for c in counts.values())
    leaks = sum(c[1] for c in counts.values())
    errors = sum(c[2] for c in counts.values())
    lines = [f"security battery: {requests:,} requests, {leaks} leaks, {errors} 5xx"]
    for part in sorted(counts, key=PARTS.index):
        r, lk, e = counts[part]
        lines.append(f"  {part}: {r:,} requests, {lk} leaks, {e} 5xx")
    return lines


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput[_KEY] = json.dumps(_COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller: a worker finished; gather its counts."""
    output = getattr(node, "workeroutput", None) or {}
    if _KEY in output:
        _merge(_GATHERED, json.loads(output[_KEY]))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = summary_lines(totals())
    if lines:
        terminalreporter.write_sep("=", "security battery")
        for line in lines:
            terminalreporter.write_line(line)
