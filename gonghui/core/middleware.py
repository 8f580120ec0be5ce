from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

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
