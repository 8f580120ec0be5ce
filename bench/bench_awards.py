"""A city's honour round at scale on PostgreSQL (issue 15): N nominations across 16 districts.

    flock /tmp/gonghui-bench.lock .venv/bin/python bench/bench_awards.py
        [--districts 16] [--nominations 20000] [--pdf-names 2000] [--runs 3] [--keep]

Builds the tree (city → districts → 4 streets → 5 grassroots unions each), one individual
scheme with a quota per district and share rules, and the nominations already at their
district (persons and nominations with bulk_create, the quota rows counted). Then measures:

- a district forwarding its whole list to the city with every check (lock, shares, bulk
  transition and history)                                                   target < 1 s
- the city's nomination list over HTTP (scheme + status filter, page 1 with count)
                                                                            target < 300 ms
- the 公示 PDF of `--pdf-names` names                                       target < 10 s

Creates (and drops, unless --keep) the database `gh_bench_awards`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BenchDatabase, log, median, timed

DATABASE = BenchDatabase("gh_bench_awards")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=16)
    parser.add_argument("--nominations", type=int, default=20000)
    parser.add_argument("--pdf-names", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    DATABASE.create()
    DATABASE.setup_django(migrate=True)
    try:
        run(args)
    finally:
        if not args.keep:
            DATABASE.drop()


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from conftest import make_org
    from gonghui.accounts.models import User
    from gonghui.awards import exports
    from gonghui.awards.models import Nomination, NominationStatus, Quota
    from gonghui.awards.services import honours as svc
    from gonghui.awards.views.honours import _public_rows
    from gonghui.core import clock
    from gonghui.core.actor import system_actor
    from gonghui.members.models import Person
    from gonghui.orgs.models import Org

    rng = random.Random(15)
    actor = system_actor("bench")
    with clock.frozen(dt.datetime(2026, 4, 1, 9)):
        city = make_org(None, "SH", "上海市总工会", "city", "federation")
        districts, unions = [], {}
        for d in range(args.districts):
            district = make_org(Org.objects.get(pk=city.pk), f"SH-{d:02d}", f"第{d + 1}区总工会",
                                "district", "federation")
            districts.append(district)
            unions[district.pk] = []
            for s in range(4):
                street = make_org(Org.objects.get(pk=district.pk), f"SH-{d:02d}-{s}",
                                  f"第{d + 1}区{s + 1}街道工会", "street", "street")
                for g in range(5):
                    unions[district.pk].append(make_org(
                        Org.objects.get(pk=street.pk), f"SH-{d:02d}-{s}-{g}",
                        f"第{d + 1}区{s + 1}街道{g + 1}公司工会", "grassroots", "grassroots"))
        city = Org.objects.get(pk=city.pk)
        districts = [Org.objects.get(pk=d.pk) for d in districts]
        scheme = svc.scheme_create(org=city, kind="labour_medal", year=2026,
                                   title="2026年度上海市五一劳动奖章", actor=actor,
                                   min_frontline_pct=40, max_manager_pct=20,
                                   notice_working_days=5)
        per = args.nominations // args.districts
        now = clock.now()
        for district in districts:
            quota = svc.quota_set(scheme=scheme, org=district, quota=per, actor=actor)
            people = Person.objects.bulk_create([
                Person(name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                       gender=rng.choice("MF"), id_number=f"bench{district.pk}-{i}",
                       id_hash=hashlib.sha256(f"{district.pk}-{i}".encode()).hexdigest(),
                       birth_date=dt.date(1980, 1, 1)) for i in range(per)], batch_size=2000)
            rows = []
            for i, person in enumerate(people):
                union = unions[district.pk][i % len(unions[district.pk])]
                category = ("frontline" if i % 10 < 6 else "technical" if i % 10 < 9
                            else "manager")
                rows.append(Nomination(
                    scheme=scheme, org=scheme.org, union=union, union_path=union.path, at_org=district,
                    at_path=district.path, quota=quota, nominee_type="individual",
                    person=person, nominee_key=f"p{person.pk}", name=person.name,
                    unit_name=union.name, gender=person.gender, category=category,
                    deeds="长期扎根一线，技术革新成果显著。", deeds_summary="技术革新骨干",
                    status=NominationStatus.SUBMITTED, created_at=now))
            Nomination.objects.bulk_create(rows, batch_size=2000)
            Quota.objects.filter(pk=quota.pk).update(used=per)
        log(f"built: {len(districts)} districts, {Nomination.objects.count()} nominations")

        # 1. forwarding a district's list (each run a different district)
        times = []
        for district in districts[: max(1, min(args.runs, len(districts) - 1))]:
            ids = list(Nomination.objects.filter(scheme=scheme, at_org=district)
                       .values_list("pk", flat=True))
            times.append(timed(lambda ids=ids, d=district: svc.list_forward(
                scheme=scheme, org=d, nomination_ids=ids, actor=actor)))
        log(f"forward a district list of {per}: median {median(times):.0f} ms "
            f"(runs {', '.join(f'{t:.0f}' for t in times)}; target < 1000)")

        # 2. the city's list page over HTTP
        admin = User.objects.create_superuser("bench_admin", password="x")
        client = Client()
        client.force_login(admin)
        url = f"/awards/nominations/?scheme={scheme.pk}&status=submitted"
        client.get(url)
        times = [timed(lambda: client.get(url)) for _ in range(args.runs)]
        log(f"city nomination list page: median {median(times):.0f} ms (target < 300)")

        # 3. shortlist the names of the 公示, publish, render its PDF
        ids = list(Nomination.objects.filter(scheme=scheme, at_org=city)
                   .values_list("pk", flat=True)[: args.pdf_names])
        svc.list_forward(scheme=scheme, org=city, nomination_ids=ids, actor=actor)
        notice = svc.scheme_notice_publish(scheme=scheme, actor=actor)
        rows = _public_rows(notice)
        ms = timed(lambda: exports.publicity_pdf(notice, rows))
        log(f"公示 PDF of {len(rows)} names: {ms:.0f} ms (target < 10000)")


if __name__ == "__main__":
    main()
