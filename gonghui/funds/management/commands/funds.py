from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.funds.selectors_integrity import ledger_integrity
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = ("Union funds operations. `gonghui funds check [--union CODE]`: verify that every "
            "transaction balances and the month balances equal the lines; exit 1 on a problem. "
            "A read-only operator's check over the whole database: no actor, nothing written.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="verify the ledger's integrity")
        check.add_argument("--union", default="", help="only this union (org code)")

    def handle(self, *args: Any, **options: Any) -> None:
        union_id = None
        if options["union"]:
            org = Org.objects.filter(code=options["union"]).first()
            if org is None:
                raise CommandError(f"no org with code {options['union']}")
            union_id = org.pk
        report = ledger_integrity(union_id=union_id)
        self.stdout.write(f"{report.transactions} transactions checked")
        for label, items in (("unbalanced", report.unbalanced),
                             ("fewer than two lines", report.too_few_lines),
                             ("lines of another union", report.foreign_lines),
                             ("month balances differing from the lines",
                              report.balance_mismatches)):
            self.stdout.write(f"{label}: {len(items)}" + (f" (e.g. {items[:5]})" if items else ""))
        if not report.ok:
            raise CommandError("ledger integrity check failed")
        self.stdout.write("ledger OK")
