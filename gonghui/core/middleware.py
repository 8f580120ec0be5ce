from __future__ import annotations

import base64
import logging
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.core import idnumber
from gonghui.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Domain errors that escape a page view become a clear page with the right status.

    THE page-side mapping: the status is the error class's `status_code` (NotFound 404,
    Forbidden 403, Conflict 409, other refusals 400), the same the API answers
    (`gonghui.api.application_error`). Pages that show a form catch refusals earlier through
    `core.views.run_service`; NotFound and Forbidden always arrive here."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
        return render(
            request, template, {"error": exception}, status=exception.status_code
        )


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie set by
    /i18n/setlang/). The browser's Accept-Language is ignored on purpose: the product's default
    is Chinese, whatever language the office PC's browser was installed in."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override, not activate: the thread's language is restored afterwards, so nothing
        # rendered outside a request (tasks, tests, CLI) inherits a visitor's choice
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# An 18-character resident ID number (GB 11643: 17 digits and a check digit 0-9 or X) standing
# alone — in a path, a query string or a message. Access logs, proxies' logs and error reports
# must not carry them (issue 13 item 4; PIPL Art. 51: technical measures against leaks).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{3})[0-9]{11}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """Every ID number in `text` as the masked form lists show (310***********123X)."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)


def _masked(value: Any) -> Any:
    return mask_id_numbers(value) if isinstance(value, str) else value


class MaskIdNumbersFilter(logging.Filter):
    """A logging filter (settings.LOGGING) that masks ID numbers in a record's message and
    arguments, e.g. Django's request lines and "Not Found: /…" warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_id_numbers(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(v) for v in record.args)
        return True


def _gunicorn_logger_base() -> type:
    from gunicorn.glogging import Logger  # the server's own module: only where it runs

    return Logger


class MaskedAccessLogger(_gunicorn_logger_base()):  # type: ignore[misc]
    """gunicorn's logger (`gonghui serve` passes --logger-class) with ID numbers masked in every
    access-log atom: request line, path, query string, referer."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        values = super().atoms(resp, req, environ, request_time)
        return {key: _masked(value) for key, value in values.items()}


# --- ID numbers never in a URL (issue 13 item 4) ----------------------------------------------
# A search by ID number is sent as POST (the search forms do so through static/js/gh-id-search.js,
# any GET form with `data-gh-post-ids` or the global search), answered with 303 to the list's
# URL in which the number is sealed: `idq.` + AES-GCM under the field key. Browser history,
# proxies and access logs see only the sealed form; the view sees the number as typed.

SEALED = "idq."
_BARE_ID = re.compile(r"\s*[0-9]{17}[0-9Xx]\s*")
ID_SEARCH_FIELD = "_id_search"


def seal_id(value: str) -> str:
    from gonghui.core.crypto import encrypt  # the field key is loaded on first use only

    return SEALED + base64.urlsafe_b64encode(encrypt(value.strip())).decode().rstrip("=")


def unseal_id(token: str) -> str | None:
    from gonghui.core.crypto import decrypt  # the field key is loaded on first use only

    raw = token[len(SEALED):]
    try:
        return decrypt(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except Exception:  # a damaged or foreign token (bad base64, wrong key): no search
        return None


def _sealed_query(items: list[tuple[str, str]]) -> str:
    return urlencode([(k, seal_id(v) if _BARE_ID.fullmatch(v) else v) for k, v in items])


def _is_id_number(value: str) -> bool:
    """A real resident ID number (check digit and birth date), not any 18 digits: the API
    refuses those in a URL, while an 18-digit page number is out of range (400 invalid)."""
    if not _BARE_ID.fullmatch(value):
        return False
    try:
        idnumber.parse(value)
    except idnumber.IDNumberError:
        return False
    return True


class IdNumberQueryMiddleware:
    """POST-redirect-GET for searches that carry an ID number, and the unsealing of sealed
    values in query strings (pages and API alike: an API client sends the sealed value it got
    from a page's URL, or the number in a POST body)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if request.method == "POST" and not api and request.POST.get(ID_SEARCH_FIELD) == "1":
            items = [(k, str(v)) for k, vs in request.POST.lists() for v in vs
                     if k not in (ID_SEARCH_FIELD, "csrfmiddlewaretoken")]
            return HttpResponseRedirect(f"{request.path}?{_sealed_query(items)}", status=303)
        if request.method in ("GET", "HEAD") and request.GET:
            items = [(k, str(v)) for k, vs in request.GET.lists() for v in vs]
            if api and any(_is_id_number(v) for _k, v in items):
                # an API client is a program: tell it once, plainly, instead of redirecting —
                # the number has already reached this log line masked, and must not again
                return JsonResponse({"detail": _("请勿在网址中传送身份证号码：按身份证号码查询请用 "
                                                 "POST /api/v1/members/search，号码放在请求正文中。"),
                                     "code": "id_number_in_url"}, status=400)
            if not api and any(_BARE_ID.fullmatch(v) for _k, v in items):
                # a link or bookmark with a bare number: one hop to the sealed URL, so that the
                # number stays out of history and of the next request's Referer
                response = HttpResponseRedirect(f"{request.path}?{_sealed_query(items)}")
                response.status_code = 303
                return response
            if any(v.startswith(SEALED) for _k, v in items):
                clear = QueryDict(mutable=True)
                for key, values in request.GET.lists():
                    clear.setlist(key, [(unseal_id(v) or "") if str(v).startswith(SEALED)
                                        else v for v in values])
                clear._mutable = False
                request.GET = clear  # type: ignore[assignment]
        return self.get_response(request)
