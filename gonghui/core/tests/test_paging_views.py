"""core.paging (the one API page) and core.views (the one way a page calls a service)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.core.paging import PageParams, paginate
from gonghui.core.views import form_status, run_service


def _request(path: str = "/api/v1/things"):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_pages_by_page_number_with_next_link():
    rows = list(range(1, 121))
    request = _request("/api/v1/things?q=x&page=2&page_size=50")
    body = paginate(request, rows, PageParams(page=2, page_size=50))
    assert body["items"] == list(range(51, 101))
    assert (body["count"], body["page"], body["page_size"], body["offset"]) == (120, 2, 50, 50)
    assert body["next"] == "/api/v1/things?q=x&offset=100&limit=50"
    last = paginate(request, rows, PageParams(page=3, page_size=50))
    assert last["items"] == list(range(101, 121))
    assert last["next"] is None


def test_limit_and_offset_win_and_count_can_be_skipped():
    rows = list(range(10))
    body = paginate(_request(), rows, PageParams(limit=3, offset=4), item=lambda n: {"n": n},
                    count=False)
    assert body["items"] == [{"n": 4}, {"n": 5}, {"n": 6}]
    assert body["count"] is None
    assert body["next"] == "/api/v1/things?offset=7&limit=3"
    assert paginate(_request(), rows, PageParams(limit=3, offset=9), count=False)["next"] is None


def test_page_size_is_capped_by_validation_not_by_silent_truncation():
    with pytest.raises(ValueError, match="less than or equal to 200"):
        PageParams(page_size=500)


def test_paginate_on_a_queryset(tree):
    from gonghui.orgs.models import Org

    body = paginate(_request(), Org.objects.order_by("code"), PageParams(limit=3),
                    item=lambda org: org.code)
    assert body["items"] == ["SH", "SH-A", "SH-A-1"]
    assert body["count"] == 8


class NameForm(forms.Form):
    name = forms.CharField()


def test_run_service_success_flashes_and_returns_the_value():
    request = _request()
    outcome = run_service(request, lambda: 42, success="已保存。")
    assert (outcome.ok, outcome.value, outcome.status) == (True, 42, 200)
    assert [str(m) for m in get_messages(request)] == ["已保存。"]


def test_a_refusal_goes_onto_the_form_field_named_by_the_error():
    def refuse():
        raise ApplicationError("名称已被使用。", code="taken", extra={"field": "name"})

    form = NameForm(data={"name": "工会"})
    assert form.is_valid()
    outcome = run_service(_request(), refuse, form=form)
    assert (outcome.ok, outcome.status) == (False, 400)
    assert form.errors == {"name": ["名称已被使用。"]}
    assert form_status(form, outcome) == 400


def test_a_conflict_without_a_form_is_flashed_with_409():
    request = _request()

    def conflict():
        raise Conflict("该会员已在其他工会入会。")

    outcome = run_service(request, conflict)
    assert outcome.status == 409
    assert [str(m) for m in get_messages(request)] == ["该会员已在其他工会入会。"]


@pytest.mark.parametrize("error", [NotFound(), Forbidden()])
def test_not_found_and_forbidden_go_to_the_error_pages(error):
    def deny():
        raise error

    with pytest.raises(type(error)):
        run_service(_request(), deny, form=NameForm(data={}))


def test_form_status():
    assert form_status(NameForm()) == 200
    invalid = NameForm(data={})
    assert not invalid.is_valid()
    assert form_status(invalid) == 400
