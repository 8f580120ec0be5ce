"""A JSON body validated AFTER the route's capability gate.

django-ninja validates declared body parameters before the endpoint runs, so an empty or
malformed payload would answer 400 even to a caller who may not use the route at all — against
the one status policy (404 outside the caller's subtrees, 403 visible but not writable, 400 only
for someone allowed to try). Endpoints that write take the body through `parse_body()` after
their gate, and document the schema with `body_schema()`:

    @router.post("/{org_id}/move", response=OrgOut, openapi_extra=body_schema(TargetIn))
    def move_org(request, org_id: str):
        org = access_org(request.user, org_id, write=True)
        payload = parse_body(request, TargetIn)
        ...

A body that does not fit raises ninja's ValidationError, which `gonghui.api` answers with 400.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import ValidationError

from gonghui.core.errors import ApplicationError

S = TypeVar("S", bound=Schema)


def parse_body(request: HttpRequest, schema: type[S]) -> S:
    """The request's JSON body as `schema`, or ValidationError (400) when it does not fit."""
    try:
        data: Any = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError([{"type": "json_invalid", "loc": ["body"],
                                "msg": "Invalid JSON"}]) from None
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [{"type": e["type"], "loc": ["body", *e["loc"]], "msg": e["msg"]}
                  for e in exc.errors()]
        raise ValidationError(errors) from None


def _object(request: HttpRequest) -> dict[str, Any]:
    data = json.loads(request.body or b"{}")   # parse_body has read it already
    return data if isinstance(data, dict) else {}


def body_schema(schema: type[Schema]) -> dict[str, Any]:
    """`openapi_extra` that documents `schema` as the operation's JSON request body."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema.model_json_schema()}}}}


def parse_form(request: HttpRequest, schema: type[S], *, files: tuple[str, ...] = ()) -> S:
    """The multipart twin of `parse_body`: the form fields as `schema`, and each named file
    present, once the gate has passed; ValidationError (400) otherwise."""
    errors: list[dict[str, Any]] = [
        {"type": "missing", "loc": ["file", name], "msg": "Field required"}
        for name in files if name not in request.FILES]
    try:
        parsed = schema.model_validate(request.POST.dict())
    except pydantic.ValidationError as exc:
        errors += [{"type": e["type"], "loc": ["form", *e["loc"]], "msg": e["msg"]}
                   for e in exc.errors()]
    if errors:
        raise ValidationError(errors)
    return parsed


def parse_patch(request: HttpRequest, schema: type[S], *,
                exclude: tuple[str, ...] = ()) -> tuple[S, dict[str, Any]]:
    """A PATCH body: the parsed schema and the fields it sets (less `exclude`, e.g. a reason
    that accompanies the change). A patch that changes nothing is refused (400 `empty_patch`),
    never answered 200 as if something had been saved."""
    payload = parse_body(request, schema)
    # A key the schema does not know is refused, never dropped: a client that misspells a
    # field must not be told its change was saved.
    known = {name for name, f in schema.model_fields.items()} | {
        f.alias for f in schema.model_fields.values() if f.alias}
    unknown = sorted(set(_object(request)) - known)
    if unknown:
        raise ValidationError([{"type": "extra_forbidden", "loc": ["body", key],
                                "msg": "Extra inputs are not permitted"} for key in unknown])
    changes = payload.dict(exclude_unset=True, exclude=set(exclude))
    if not changes:
        raise ApplicationError(_("没有要修改的字段。"), code="empty_patch")
    return payload, changes
