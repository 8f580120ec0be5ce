"""What every rights page shares: the action page over the actions table, the form page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded
from gonghui.rights.actions import action_for


def action_page(request: HttpRequest, obj: Any, name: str, back: str) -> HttpResponse:
    """GET shows the action's form; POST runs the action's service and goes back to `back`."""
    action = action_for(obj, name)
    form = action.form(obj, posted(request), uploaded(request))
    outcome: Outcome[Any] | None = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: action.run(obj, form.cleaned_data, request.user),
                              form=form, success=str(action.done or _("已保存。")))
        if outcome.ok:
            return redirect(back)
    return form_page(request, form, title=str(action.label), back=back, subject=str(obj),
                     outcome=outcome)


def form_page(request: HttpRequest, form: Any, *, title: str, back: str, subject: str = "",
              outcome: Outcome[Any] | None = None, multipart: bool = False,
              intro: str = "") -> HttpResponse:
    return render(request, "rights/form.html", {
        "form": form, "title": title, "back": back, "subject": subject, "multipart": multipart,
        "intro": intro}, status=form_status(form, outcome))
