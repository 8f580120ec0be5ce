"""The JSON API at /api/v1/ (django-ninja). Same services and scoping as the pages; domain errors
map to HTTP status codes here and nowhere else.

The statuses every operation may answer (documented on each operation in the OpenAPI document
by `GonghuiAPI.get_openapi_schema`):

- 400 `invalid` (the input does not fit the schema, or a rule refused it), `out_of_range` (a
  number or date the database cannot hold);
- 401 no session or token (every operation that needs a user);
- 403 visible but not allowed, 404 not found or outside the caller's subtrees (the one gate);
- 409 a conflict with the object's state (writes);
- 422 `body_not_object`: a write whose JSON body is not an object (`[null, null]`, `1`),
  refused before the operation runs, whatever the operation does with its body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate
from django.db import DataError, IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, django_auth

from gonghui.accounts import second_factor
from gonghui.accounts.services import token_issue, token_user
from gonghui.core.errors import ApplicationError, Unprocessable


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


WRITES = frozenset({"post", "put", "patch", "delete"})

ERROR_BODY = {"type": "object", "required": ["detail", "code"], "properties": {
    "detail": {"type": "string"}, "code": {"type": "string"},
    "errors": {"type": "array", "items": {"type": "object"}}}}

ERROR_STATUSES = {
    "400": "请求数据无效，或被业务规则拒绝。",
    "401": "未登录或令牌无效。",
    "403": "可见，但无权执行此操作。",
    "404": "未找到，或不在您的管辖范围内。",
    "409": "与对象的当前状态冲突。",
    "422": "请求体须为 JSON 对象。",
}


class GonghuiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """The document, with the error statuses the mapping below answers documented on every
        operation that can answer them (an operation's own entries are kept)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                codes = {"400", "404"}   # 404: the path's object, or one the input names
                if operation.get("security"):
                    codes |= {"401", "403"}
                if method in WRITES:
                    codes |= {"409", "422"}
                responses = operation.setdefault("responses", {})
                for code in sorted(codes - responses.keys()):
                    responses[code] = {"description": ERROR_STATUSES[code], "content": {
                        "application/json": {"schema": ERROR_BODY}}}
        return schema


api = GonghuiAPI(
    title="Gonghui API",
    version="1",
    description="智慧工会平台 JSON API. Token (`Authorization: Bearer …`) or session auth.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError):
    # The same status as the page-side mapping (core.middleware.ApplicationErrorMiddleware):
    # the error class says it, nothing here re-decides it.
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code, **exc.extra}, status=exc.status_code
    )


@api.exception_handler(DataError)
def data_error(request: HttpRequest, exc: DataError):
    # PostgreSQL: a number or date the column cannot hold ("integer out of range", "date/time
    # field value out of range") — the input's fault, not the server's.
    return _out_of_range(request)


@api.exception_handler(OverflowError)
def overflow_error(request: HttpRequest, exc: OverflowError):
    # SQLite and Python: an integer beyond 64 bits, a date beyond year 9999
    return _out_of_range(request)


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, exc: IntegrityError):
    # SQLite reports an integer it cannot bind as "datatype mismatch"; every other integrity
    # error is a bug the service should have turned into a refusal: it stays a 500.
    if "datatype mismatch" in str(exc):
        return _out_of_range(request)
    raise exc


def _out_of_range(request: HttpRequest):
    return api.create_response(
        request, {"detail": _("数值或日期超出允许范围。"), "code": "out_of_range"}, status=400)


def _body_is_an_object(view: Callable[..., Any]) -> Callable[..., Any]:
    """A write's JSON body, when it has one, is an object: `[null, null]` is refused (422) before
    the operation runs, also by operations that read no body (an approval must not go through
    on a malformed request). The answer depends on nothing but the body, so answering it before
    the gate tells a caller nothing about the object."""
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if (request.method or "").lower() in WRITES and request.content_type in (
                "application/json", "text/plain", "") and request.body.strip():
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                data = {}   # not JSON at all: `parse_body` answers 400 after the gate
            if not isinstance(data, dict):
                raise Unprocessable(_("请求体须为 JSON 对象。"), code="body_not_object")
        return view(request, *args, **kwargs)
    return checked


api.add_decorator(_body_is_an_object)


# pydantic's error types in the user's language (its own `msg` is always English)
VALIDATION_MESSAGES = {
    "missing": gettext_lazy("必须填写。"),
    "int_parsing": gettext_lazy("须为整数。"),
    "int_type": gettext_lazy("须为整数。"),
    "float_parsing": gettext_lazy("须为数字。"),
    "decimal_parsing": gettext_lazy("须为数字。"),
    "decimal_type": gettext_lazy("须为数字。"),
    "bool_parsing": gettext_lazy("须为 true 或 false。"),
    "bool_type": gettext_lazy("须为 true 或 false。"),
    "string_type": gettext_lazy("须为文本。"),
    "string_too_long": gettext_lazy("内容过长。"),
    "string_too_short": gettext_lazy("内容过短。"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_type": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "datetime_parsing": gettext_lazy("时间格式应为 ISO 8601。"),
    "datetime_from_date_parsing": gettext_lazy("时间格式应为 ISO 8601。"),
    "greater_than": gettext_lazy("数值过小。"),
    "greater_than_equal": gettext_lazy("数值过小。"),
    "less_than": gettext_lazy("数值过大。"),
    "less_than_equal": gettext_lazy("数值过大。"),
    "enum": gettext_lazy("不是允许的取值。"),
    "literal_error": gettext_lazy("不是允许的取值。"),
    "list_type": gettext_lazy("须为列表。"),
    "dict_type": gettext_lazy("须为对象。"),
    "model_type": gettext_lazy("须为对象。"),
    "extra_forbidden": gettext_lazy("不允许的字段。"),
    "model_attributes_type": gettext_lazy("须为对象。"),
    "json_invalid": gettext_lazy("不是有效的 JSON。"),
    "value_error": gettext_lazy("取值无效。"),
}


def _error_in_words(error: dict) -> dict:
    """One pydantic error with `msg` in the user's language and the field it concerns."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path",
                                                                       "payload", "form")]
    message = VALIDATION_MESSAGES.get(error.get("type", ""))
    return {**error, "msg": str(message) if message is not None else _("取值无效。"),
            "field": ".".join(loc)}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    """A payload or query that does not fit the schema: 400, like an invalid form on a page;
    each error's message in the user's language (Chinese by default)."""
    errors = [_error_in_words(e) if isinstance(e, dict) else e for e in exc.errors]
    return api.create_response(
        request, {"detail": _("请求数据无效。"), "code": "invalid", "errors": errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": _("未登录或令牌无效。"), "code": "unauthorized"},
                               status=401)


class TokenIn(Schema):
    username: str
    password: str
    # the current code of the user's authenticator: required where TOTP is on for the user's
    # reveals (accounts.second_factor); a token issued with it may reveal personal data
    otp_token: str = ""


class TokenOut(Schema):
    token: str
    expires_at: str


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: dict, 429: dict},
          tags=["auth"])
def create_token(request: HttpRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": _("登录失败次数过多，该账户已被锁定 30 分钟。"),
                           "code": "locked_out"})
    if user is None:
        return Status(401, {"detail": _("用户名或密码不正确。"), "code": "invalid_login"})
    otp_verified = False
    if second_factor.has_device(user):
        otp_verified = second_factor.verify_code(user, payload.otp_token)
        if not otp_verified and (payload.otp_token or second_factor.required_for_reveal()):
            return Status(401, {"detail": _("该账户已启用两步验证：请在 otp_token 中提交正确的动态口令。"),
                               "code": "otp_required"})
    key, token = token_issue(user=user, otp_verified=otp_verified)
    return Status(200, {"token": key, "expires_at": token.expires_at.isoformat()})


def _register_routers() -> None:
    # each app's router is attached once the API object and its error handlers exist
    from gonghui.aid.api import router as aid_router
    from gonghui.awards.api import router as awards_router
    from gonghui.core.todo_api import router as todo_router
    from gonghui.democracy.api import router as democracy_router
    from gonghui.evaluation.api import router as evaluation_router
    from gonghui.funds.api import router as funds_router
    from gonghui.members.api import router as members_router
    from gonghui.members.api_bulk import router as members_bulk_router
    from gonghui.mutualaid.api import router as mutualaid_router
    from gonghui.notices.api import router as notices_router
    from gonghui.notices.api import workdays_router
    from gonghui.notifications.api import router as notifications_router
    from gonghui.orgs.api import router as orgs_router
    from gonghui.outreach.api import router as outreach_router
    from gonghui.rights.api import router as rights_router
    from gonghui.roster.api_sync import router as roster_sync_router
    from gonghui.stats.api import router as stats_router
    from gonghui.workbench.api import router as workbench_router
    from gonghui.workplan.api import router as workplan_router

    api.add_router("/orgs", orgs_router, tags=["orgs"])
    api.add_router("/", members_bulk_router, tags=["members"])
    api.add_router("/", members_router, tags=["members"])
    api.add_router("/roster", roster_sync_router, tags=["roster"])
    api.add_router("/funds", funds_router, tags=["funds"])
    api.add_router("/workplan", workplan_router, tags=["workplan"])
    api.add_router("/aid", aid_router, tags=["aid"])
    api.add_router("/mutualaid", mutualaid_router, tags=["mutualaid"])
    api.add_router("/notifications", notifications_router, tags=["notifications"])
    api.add_router("/notices", notices_router, tags=["notices"])
    api.add_router("/workdays", workdays_router, tags=["workdays"])
    api.add_router("/todo", todo_router, tags=["todo"])
    api.add_router("/rights", rights_router, tags=["rights"])
    api.add_router("/awards", awards_router, tags=["awards"])
    api.add_router("/democracy", democracy_router, tags=["democracy"])
    api.add_router("/evaluation", evaluation_router, tags=["evaluation"])
    api.add_router("/outreach", outreach_router, tags=["outreach"])
    api.add_router("/stats", stats_router, tags=["stats"])
    api.add_router("/workbench", workbench_router, tags=["workbench"])


_register_routers()
