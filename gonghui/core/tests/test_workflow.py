"""core.workflow: the transition table, the row lock, the history row written by default, the
bulk variant, and nothing changed on a refused transition."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models, transaction

from gonghui.core.actor import system_actor
from gonghui.core.errors import InvalidTransition
from gonghui.core.workflow import (
    HistoryBase,
    can_transition,
    initial_status,
    transition,
    transition_many,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


TRANSITIONS = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.APPROVED, Status.REJECTED},
}


@pytest.fixture
def case_models():
    # Registered in the global registry for the test only (the history's actor foreign key must
    # resolve the real user model), then removed again with its tables.
    class Case(models.Model):
        status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
        note = models.CharField(max_length=50, blank=True)

        class Meta:
            app_label = "core"

    class CaseHistory(HistoryBase):
        case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
        history_subject_field = "case"

        class Meta(HistoryBase.Meta):
            app_label = "core"

    Case.history_model = CaseHistory  # type: ignore[attr-defined]
    with connection.schema_editor() as editor:
        editor.create_model(Case)
        editor.create_model(CaseHistory)
    try:
        yield Case, CaseHistory
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(CaseHistory)
            editor.delete_model(Case)
        apps.all_models["core"].pop("case", None)
        apps.all_models["core"].pop("casehistory", None)
        apps.clear_cache()


def test_transition_sets_status_and_writes_history(case_models, city_admin):
    case_model, history = case_models
    case = case_model.objects.create()
    with transaction.atomic():
        locked = transition(case, Status.SUBMITTED, transitions=TRANSITIONS, actor=city_admin,
                            reason="材料齐全", extra_fields={"note": "已交"})
    assert locked.status == Status.SUBMITTED
    assert case.status == Status.SUBMITTED  # the caller's instance follows
    assert case_model.objects.get().note == "已交"
    row = history.objects.get()
    assert (row.from_status, row.to_status, row.actor_id, row.actor_name, row.reason) == (
        "draft", "submitted", city_admin.pk, "city_admin", "材料齐全")


def test_system_actor_is_named_in_history(case_models):
    case_model, history = case_models
    case = case_model.objects.create()
    with transaction.atomic():
        transition(case, Status.SUBMITTED, transitions=TRANSITIONS, actor=system_actor("cli"))
    row = history.objects.get()
    assert (row.actor_id, row.actor_name) == (None, "cli")


def test_a_refused_transition_changes_nothing(case_models):
    case_model, history = case_models
    case = case_model.objects.create()
    with pytest.raises(InvalidTransition) as caught, transaction.atomic():
        transition(case, Status.APPROVED, transitions=TRANSITIONS, actor=None)
    assert caught.value.message == "当前状态“草稿”不能变为“已批准”。"
    assert case_model.objects.get().status == Status.DRAFT
    assert history.objects.count() == 0


def test_history_can_be_skipped_for_job_rows(case_models):
    case_model, history = case_models
    case = case_model.objects.create()
    with transaction.atomic():
        transition(case, Status.SUBMITTED, transitions=TRANSITIONS, history=False)
    assert history.objects.count() == 0


def test_transition_many_moves_only_rows_allowed_by_the_table(case_models):
    case_model, _history = case_models
    case_model.objects.create(status=Status.DRAFT)
    case_model.objects.create(status=Status.SUBMITTED)
    case_model.objects.create(status=Status.SUBMITTED)
    case_model.objects.create(status=Status.REJECTED)
    moved = transition_many(case_model.objects.all(), Status.APPROVED, transitions=TRANSITIONS)
    assert moved == 2
    assert sorted(case_model.objects.values_list("status", flat=True)) == [
        "approved", "approved", "draft", "rejected"]


def test_table_helpers(case_models):
    case_model, _history = case_models
    assert can_transition(TRANSITIONS, Status.DRAFT, Status.SUBMITTED)
    assert not can_transition(TRANSITIONS, Status.APPROVED, Status.DRAFT)
    assert initial_status(case_model, Status.DRAFT, initial={Status.DRAFT}) == Status.DRAFT
    with pytest.raises(InvalidTransition) as caught:
        initial_status(case_model, Status.APPROVED, initial={Status.DRAFT})
    assert caught.value.message == "当前状态“”不能变为“已批准”。"
