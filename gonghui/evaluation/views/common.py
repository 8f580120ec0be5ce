"""Helpers shared by the evaluation pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() else None


def scores_from(post: Any, prefix: str = "score", note: str = "note") -> dict[int, tuple[str, str]]:
    """{item id: (score text, note)} from fields `score_<id>` / `note_<id>` of a POST."""
    out: dict[int, tuple[str, str]] = {}
    for key, value in post.items():
        if key.startswith(prefix + "_") and key[len(prefix) + 1:].isdigit():
            item_id = int(key[len(prefix) + 1:])
            out[item_id] = (value.strip(), post.get(f"{note}_{item_id}", ""))
    return out


def answers_from(request: HttpRequest, questions: list[Any]) -> dict[int, Any]:
    """{question id: value} from an answer form (`q<id>`; a multiple choice gives a list)."""
    return {q.pk: (request.POST.getlist(f"q{q.pk}") if q.kind == "multiple"
                   else request.POST.get(f"q{q.pk}", "")) for q in questions}
