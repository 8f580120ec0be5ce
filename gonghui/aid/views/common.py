"""What the aid pages share: the data a form is bound to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on GET. An empty POST still binds the form
    (`request.POST or None` would not), so it is shown again as invalid with status 400."""
    return request.POST if request.method == "POST" else None


def uploaded(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None
