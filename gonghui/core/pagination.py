from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE_CHOICES = (25, 50, 100)


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = 25) -> Page:
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
