"""Evaluation at city scale on PostgreSQL: a city survey answered by 500,000 members (issue 17),
responses and answers generated with COPY (not the ORM), the result counters then rebuilt from
them (`services.surveys.counts_rebuild`, timed); then:

- the results figures for the whole city: per-question counts and means plus a cross-tab by
  district, gender, age band and employment form, with small-group suppression (selectors),
  and the results page itself over HTTP (Django test client, signed in as the city's admin;
  one page per cross-tab dimension)                                    target median < 1 s
- the response submission path (`services.surveys.response_submit`: once-only row from the
  invitation, response, answers, result counters, audit), one member's questionnaire of four
  questions (five answer rows) per submission, counted as one "answer" as in the issue; with 1
  client process and with several in parallel (separate processes, each its own connection,
  all on this machine's 2 cores with PostgreSQL)                       target ≥ 300 answers/s
- at the end, the counters are compared with a recount from the raw answers.

Each figure is measured in several runs; median and p95 (results) are printed. Run it alone:

    /tmp/k/bench .venv/bin/python bench/bench_evaluation.py [--responses N]
        [--submissions N] [--clients 1,2,4] [--orgs N] [--runs 5] [--keep]

It creates (and at the end drops, unless --keep) the database `gh_bench_evaluation`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_aid import gen_city
from bench.bench_members import copy_orgs
from bench.common import BenchDatabase, copy_rows, log, median, p95, timed

DATABASE = BenchDatabase("gh_bench_evaluation")
GENDERS = ["M", "F"]
BANDS = ["≤25", "26-35", "36-45", "46-55", "≥56"]
FORMS = ["contract", "dispatch", "part_time", "platform", "flexible", "other"]


def args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=500_000)
    parser.add_argument("--submissions", type=int, default=1_000,
                        help="submissions per run (3 runs per client count)")
    parser.add_argument("--clients", default="1,2,4",
                        help="client processes submitting in parallel, one figure each")
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build_survey(city):
    from gonghui.core.actor import system_actor
    from gonghui.evaluation.services import surveys as svc

    actor = system_actor("bench")
    survey = svc.survey_create(org=city, title="第九次职工队伍状况调查", year=dt.date.today().year,
                               closes_on=dt.date.today() + dt.timedelta(days=30), actor=actor)
    q1 = svc.question_add(survey=survey, kind="single", text="用工形式满意度",
                          options=["满意", "一般", "不满意"], actor=actor)
    svc.question_add(survey=survey, kind="multiple", text="希望的服务",
                     options=["培训", "法律", "托管", "体检", "文体"], actor=actor)
    svc.question_add(survey=survey, kind="scale", text="工会满意度", actor=actor)
    svc.question_add(survey=survey, kind="number", text="每周工作小时", actor=actor)
    svc.question_add(survey=survey, kind="text", text="建议", required=False, actor=actor,
                     show_if=q1, show_if_value="3")
    return survey


def load_responses(survey, orgs, n: int, rng: random.Random) -> None:
    from django.db import connection

    grassroots = [(oid, path) for oid, path, depth in orgs if depth == 4]
    questions = {q.position: q.pk for q in survey.questions.all()}
    responses, answers = [], []
    answer_id = 0
    for _ in range(n):
        rid = uuid.uuid4()
        oid, path = grassroots[rng.randrange(len(grassroots))]
        responses.append((rid, survey.pk, True, oid, path, rng.choice(GENDERS), rng.choice(BANDS),
                          rng.choice(FORMS)))
        choice = str(rng.choice([1, 1, 2, 3]))
        for row in ((questions[1], choice, None, ""),
                    (questions[2], str(rng.randint(1, 5)), None, ""),
                    (questions[3], str(rng.randint(1, 5)), None, ""),
                    (questions[4], "", 40 + rng.randint(0, 20), "")):
            answer_id += 1
            answers.append((answer_id, rid, oid, row[0], row[1], row[2], row[3]))
        if choice == "3":
            answer_id += 1
            answers.append((answer_id, rid, oid, questions[5], "", None, "加班多"))
    with connection.cursor() as c:
        raw = c.connection.cursor()
        copy_rows(raw, "evaluation_response",
                  ("id", "survey_id", "anonymous", "union_id", "union_path", "gender", "age_band",
                   "employment_form"), responses)
        copy_rows(raw, "evaluation_answer",
                  ("id", "response_id", "union_id", "question_id", "option", "number", "text"),
                  answers)
        c.execute("SELECT setval(pg_get_serial_sequence('evaluation_answer', 'id'), %s)",
                  (answer_id,))
        c.execute("ANALYZE evaluation_response; ANALYZE evaluation_answer")
    log(f"loaded {n:,} responses, {answer_id:,} answers")


def rebuild_counters(survey) -> None:
    from gonghui.evaluation.services import surveys as svc

    start = time.perf_counter()
    rows = svc.counts_rebuild(survey)
    log(f"result counters rebuilt from the raw answers: {rows:,} rows in "
        f"{time.perf_counter() - start:.1f} s")


def measure_results(survey, runs: int) -> None:
    from django.test import Client

    from gonghui.accounts.models import RoleAssignment, User
    from gonghui.evaluation import selectors

    question = survey.questions.get(position=1)

    def figures() -> None:
        selectors.survey_totals(survey)
        selectors.survey_results(survey, with_texts=True)
        for dimension in selectors.DIMENSIONS:
            selectors.crosstab(survey, question, dimension)

    times = [timed(figures) for _ in range(runs)]
    log(f"results figures (totals, 5 questions with texts, 4 cross-tabs), whole city, {runs} "
        f"runs: median {median(times):.0f} ms, p95 {p95(times):.0f} ms  (target median < 1000 ms)")
    admin = User.objects.create(username="bench_city", is_active=True)
    RoleAssignment.objects.create(user=admin, org_id=survey.org_id, role="admin")
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    pages = []
    for _ in range(runs):
        for dimension in selectors.DIMENSIONS:
            start = time.perf_counter()
            response = client.get(f"/evaluation/surveys/{survey.pk}/results/"
                                  f"?q={question.pk}&by={dimension}")
            pages.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    log(f"results page over HTTP (test client), whole city, {len(pages)} pages "
        f"({runs} runs × 4 cross-tab dimensions): median {median(pages):.0f} ms, "
        f"p95 {p95(pages):.0f} ms  (target median < 1000 ms)")


def _invite(survey, orgs, n: int, rng: random.Random) -> list[int]:
    """n new people invited to the survey; their ids."""
    from gonghui.evaluation.models import Invitation
    from gonghui.members.models import Person
    from gonghui.members.tests.factories import id_number

    grassroots = [(oid, path) for oid, path, depth in orgs if depth == 4]
    people = Person.objects.bulk_create([
        Person(name="职工", gender=rng.choice(GENDERS), id_number=id_number(),
               id_hash=uuid.uuid4().hex, birth_date=dt.date(1985, 1, 1), employment_form="contract")
        for _ in range(n)], batch_size=2000)
    invitations = []
    for p in people:
        oid, path = grassroots[rng.randrange(len(grassroots))]
        invitations.append(Invitation(survey=survey, person=p, union_id=oid, union_path=path))
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    return [p.pk for p in people]


def _client(survey_id: int, person_ids: list[int], barrier, done) -> None:
    """One client process: its own connection, its share of the members, after the barrier."""
    from django.db import connections

    from gonghui.core.actor import system_actor
    from gonghui.evaluation.models import Survey
    from gonghui.evaluation.services import surveys as svc
    from gonghui.members.models import Person

    connections.close_all()
    survey = Survey.objects.get(pk=survey_id)
    questions = {q.position: q.pk for q in survey.questions.all()}
    actor = system_actor("bench")
    slim = list(Person.objects.filter(pk__in=person_ids)
                .only("id", "gender", "birth_date", "employment_form"))
    svc.survey_questions(survey)            # as in a warm server process
    barrier.wait()
    for person in slim:
        svc.response_submit(survey=survey, person=person, actor=actor, answers={
            questions[1]: "1", questions[2]: ["2", "4"], questions[3]: "4", questions[4]: "44"})
    connections.close_all()
    done.put(len(slim))


def measure_submissions(survey, orgs, n: int, clients: list[int], rng: random.Random) -> None:
    import multiprocessing

    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    for c in clients:
        rates = []
        for _run in range(3):
            ids = _invite(survey, orgs, n, rng)
            connections.close_all()
            barrier, done = ctx.Barrier(c + 1), ctx.Queue()
            procs = [ctx.Process(target=_client, args=(survey.pk, ids[k::c], barrier, done))
                     for k in range(c)]
            for p in procs:
                p.start()
            barrier.wait()
            start = time.perf_counter()
            submitted = sum(done.get() for _ in procs)
            elapsed = time.perf_counter() - start
            for p in procs:
                p.join()
                assert p.exitcode == 0, p.exitcode
            assert submitted == n
            rates.append(n / elapsed)
        log(f"response submission, {c} client process(es) in parallel, 3 runs of {n:,}: "
            f"median {median(rates):.0f} answers/s (runs: "
            f"{', '.join(f'{r:.0f}' for r in rates)})  (target ≥ 300/s)")


def check_counters(survey) -> None:
    from gonghui.evaluation.services import surveys as svc

    survey.refresh_from_db()
    problems = svc.counts_check(survey)
    log(f"counters vs a recount from the raw answers after the submissions: "
        f"{'equal' if not problems else f'{len(problems)} differences, e.g. {problems[:3]}'}")


def main() -> None:
    options = args()
    rng = random.Random(17)
    DATABASE.create()
    DATABASE.setup_django(migrate=True)
    try:
        from django.db import connection

        from gonghui.core.actor import system_actor
        from gonghui.core.workflow import transition
        from gonghui.evaluation.models import SurveyStatus
        from gonghui.evaluation.models.surveys import SURVEY_TRANSITIONS
        from gonghui.orgs.models import Org

        orgs, children = gen_city(rng, options.orgs)
        with connection.cursor() as c:
            copy_orgs(c.connection.cursor(), orgs, children)
        city = Org.objects.get(pk=1)
        survey = build_survey(city)
        from django.db import transaction

        with transaction.atomic():
            transition(survey, SurveyStatus.OPEN, transitions=SURVEY_TRANSITIONS,
                       actor=system_actor("bench"), reason="bench")
        load_responses(survey, orgs, options.responses, rng)
        rebuild_counters(survey)
        measure_results(survey, options.runs)
        measure_submissions(survey, orgs, options.submissions,
                            [int(c) for c in options.clients.split(",")], rng)
        check_counters(survey)
    finally:
        if not options.keep:
            DATABASE.drop()


if __name__ == "__main__":
    main()
