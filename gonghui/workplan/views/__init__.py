"""Workplan pages. A form is bound on every POST, even an empty one: an empty POST is an
invalid form (400), never the blank form again (200)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: the POST (however empty) on a POST, else None."""
    return request.POST if request.method == "POST" else None


def uploaded(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None
