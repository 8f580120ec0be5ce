"""Security headers on every response (issue 13 item 11), in one place.

- Content-Security-Policy: scripts only from the site itself — no inline script, no eval (page
  behaviour lives in static/js, declared with data- attributes); nothing may frame the site
  (frame-ancestors, with X-Frame-Options for old browsers); forms post only to the site. Inline
  *styles* stay allowed: templates and htmx set style attributes, and CSS cannot run code.
- Cache-Control: no-store on every response to a signed-in user and on every API answer: they
  can carry personal data (ID numbers, payouts, health), which must not stay in a shared office
  PC's browser cache or a proxy. Static files are served before this (WhiteNoise) and stay
  cacheable.
- X-Content-Type-Options, Referrer-Policy and HSTS come from Django's SecurityMiddleware
  (settings: SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, SECURE_HSTS_SECONDS).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def content_security_policy(response: HttpResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)


def no_store_for_personal_data(request: HttpRequest, response: HttpResponse) -> None:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if signed_in or request.path.startswith("/api/"):
        # a view's own no-store (a served document: "private, no-store") is kept as it is
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_security_policy(response)
        no_store_for_personal_data(request, response)
        return response
