"""Domain errors. Services raise these; one place (core.middleware / gonghui.api) maps them to HTTP."""

from __future__ import annotations

from django.utils.translation import gettext


class ApplicationError(Exception):
    """A rule said no. `message` is shown to the user as is (already translated)."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Missing, or not visible to this user: the two are indistinguishable on purpose."""

    status_code = 404

    def __init__(self, message: str = "", *, code: str = "not_found") -> None:
        super().__init__(message or gettext("未找到，或您无权查看。"), code=code)


class Forbidden(ApplicationError):
    """Visible, but this user may not change it."""

    status_code = 403

    def __init__(self, message: str = "", *, code: str = "forbidden") -> None:
        super().__init__(message or gettext("您没有执行此操作的权限。"), code=code)


class Conflict(ApplicationError):
    status_code = 409


class InvalidTransition(Conflict):
    def __init__(self, message: str, *, code: str = "invalid_transition") -> None:
        super().__init__(message, code=code)


class Unprocessable(ApplicationError):
    """Well-formed, but not the kind of request the operation takes (a JSON body that is not an
    object)."""

    status_code = 422
