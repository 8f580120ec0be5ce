"""One way for a page to call a service and show what a rule said.

Status policy for pages (the API maps the same errors in `gonghui.api`):
- `NotFound` / `Forbidden` are re-raised: the middleware answers the 404 / 403 page.
- Any other `ApplicationError` (a rule said no, a conflict) becomes an error on the form — on
  the field named by `exc.extra["field"]` when the form has it — or a flash message without a
  form; the page is shown again with status 400 (409 for a conflict).
- An invalid form is shown again with status 400 (`form_status`).

    form = PlanForm(posted(request))
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.plan_create(
            org=form.cleaned_data["org"], title=form.cleaned_data["title"], actor=request.user),
            form=form, success=_("工作计划已创建。"))
        if outcome.ok:
            return redirect("workplan:plan", outcome.value.pk)
    return render(request, "workplan/plan_form.html", {"form": form},
                  status=form_status(form))

htmx requests get 4xx fragments swapped in like 200 ones (base.html's htmx-config).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    ok: bool
    value: T | None = None
    error: ApplicationError | None = None

    @property
    def status(self) -> int:
        """200 on success; 409 for a conflict, 400 for any other refusal."""
        if self.error is None:
            return 200
        return 409 if isinstance(self.error, Conflict) else 400


def run_service(request: HttpRequest, call: Callable[[], T], *, form: Any = None,
                success: str = "") -> Outcome[T]:
    """Call `call()`; on a domain refusal put its message on `form` (or flash it) and return a
    failed Outcome. NotFound and Forbidden propagate to the 404 / 403 pages."""
    try:
        value = call()
    except (NotFound, Forbidden):
        raise
    except ApplicationError as exc:
        field = exc.extra.get("field")
        if form is not None:
            form.add_error(field if field in getattr(form, "fields", {}) else None, exc.message)
        else:
            messages.error(request, exc.message)
        return Outcome(ok=False, error=exc)
    if success:
        messages.success(request, success)
    return Outcome(ok=True, value=value)


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: the POST on every POST — an empty one too, so it is shown
    again as invalid with 400 (`request.POST or None` would leave it unbound and answer 200) —
    else None."""
    return request.POST if request.method == "POST" else None


def uploaded(request: HttpRequest) -> Any:
    """The files to bind a form to, on the same terms as `posted`."""
    return request.FILES if request.method == "POST" else None


def form_status(form: Any = None, outcome: Outcome[Any] | None = None) -> int:
    """The status of a page that shows `form` again: the outcome's refusal status, 400 for a
    bound form with errors, else 200."""
    if outcome is not None and not outcome.ok:
        return outcome.status
    if form is not None and getattr(form, "is_bound", False) and form.errors:
        return 400
    return 200
