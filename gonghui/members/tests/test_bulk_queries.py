"""The per-row cost of a bulk approval (issue 20: ≥ 200 approvals/s): one approval through
`application_approve` inside a bulk job reads and writes a fixed number of rows, and the
slice's shared rows (counters, audit chain head) are written once per slice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core import clock
from gonghui.members import services
from gonghui.members.models import Membership
from gonghui.members.services import bulk
from gonghui.members.tests.factories import person_fields

# One approval alone, in statements (the test's own transaction turns the service's
# transaction into a savepoint: SAVEPOINT/RELEASE are counted):
#   savepoint · the application moved from the status in hand (one UPDATE … RETURNING: lock,
#   check, write) · history row                                                               3
#   read the person · person's 会籍 union (compare-and-set) · INSERT membership · card
#   number's claim (members.CardNumberClaim) · card number · union counters · month
#   counters · membership event · application link                                          9
#   audit: savepoint, lock the chain head, INSERT, UPDATE head, release · release          6
PER_APPROVAL = 18
# The same approval as a row of a bulk job's slice (`_common.batched`): the counters, the
# history rows, the audit rows with the chain head and the membership ids are the slice's,
# written once per slice, so a row is
#   savepoint · the application's UPDATE … RETURNING (status, decision and the membership's
#   id taken ahead from the sequence on PostgreSQL) · read the person · compare-and-set ·
#   the card number's claim · INSERT membership (with its card number) · release
# elsewhere (no sequence to take ids from) the card number and the application's link to the
# membership are two more statements.
PER_BULK_ROW_POSTGRESQL = 7


def _per_bulk_row() -> int:
    return PER_BULK_ROW_POSTGRESQL + 2 * (connection.vendor != "postgresql")


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.date(2026, 5, 12)):
        yield


def _submit(union, actor, names):
    return [services.application_submit(union=union, fields=person_fields(name), actor=actor)
            for name in names]


def test_one_approval_in_a_bulk_job_costs_a_fixed_number_of_queries(tree, district_cadre,
                                                                     city_admin):
    union = tree["SH-A-1-1"]
    # the union's counter rows exist already (the first join of a month creates them)
    services.application_approve(application=_submit(union, city_admin, ["赵一"])[0],
                                 actor=city_admin)
    one = _submit(union, city_admin, ["张伟"])
    three = _submit(union, city_admin, ["李娜", "王芳", "刘洋"])

    def run(apps):
        job = bulk.bulk_decision_start(kind="application", action="approve",
                                       ids=[a.pk for a in apps], actor=district_cadre,
                                       enqueue=False)
        with CaptureQueriesContext(connection) as ctx:
            job = bulk.bulk_job_run(job=job, actor=district_cadre)
        assert (job.succeeded, job.failed) == (len(apps), 0)
        return len(ctx.captured_queries)

    single, triple = run(one), run(three)

    # each further row of a slice costs exactly this: no lookup per row grows with it
    assert triple - single == 2 * _per_bulk_row()
    assert Membership.objects.filter(union=union).count() == 5


def test_one_approval_alone_has_a_fixed_count(tree, city_admin, django_assert_num_queries):
    union = tree["SH-A-1-1"]
    services.application_approve(application=_submit(union, city_admin, ["赵一"])[0],
                                 actor=city_admin)
    app = _submit(union, city_admin, ["张伟"])[0]
    app = type(app).objects.select_related("person", "union").get(pk=app.pk)
    with django_assert_num_queries(PER_APPROVAL):
        services.application_approve(application=app, actor=city_admin)

