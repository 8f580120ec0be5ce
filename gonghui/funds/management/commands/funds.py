from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.funds.selectors_integrity import ledger_integrity
from gonghui.funds.services import opening_balances_import, year_close, year_close_subtree
from gonghui.funds.services.bank import auto_match, statement_import
from gonghui.orgs.models import Org


def _org(code: str) -> Org:
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise CommandError(f"no org with code {code}")
    return org


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = ("Union funds operations. `check [--union CODE]`: verify that every transaction "
            "balances and the month balances equal the lines (exit 1 on a problem). "
            "`import-opening FILE --union CODE --date D`: post opening balances from .xlsx. "
            "`close-year --union CODE --year Y [--subtree]`: year-end closing. "
            "`import-statement FILE --union CODE [--opening-balance A] [--match]`: import a bank "
            "statement (.csv/.xlsx) and match it. "
            "`import-payroll FILE --union CODE`: employers' monthly payroll declarations "
            "(.xlsx: 统一社会信用代码 or 单位名称, 月份, 工资总额). "
            "`dunning-letters --union CODE --out FILE [--end YYYY-MM]`: the 催缴函 of every "
            "employer in arrears as one PDF. The operator acts as the system actor 'cli'.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="verify the ledger's integrity")
        check.add_argument("--union", default="", help="only this union (org code)")
        opening = sub.add_parser("import-opening", help="opening balances from an .xlsx file")
        opening.add_argument("file")
        opening.add_argument("--union", required=True)
        opening.add_argument("--date", required=True, help="start date, YYYY-MM-DD")
        close = sub.add_parser("close-year", help="year-end closing")
        close.add_argument("--union", required=True)
        close.add_argument("--year", required=True, type=int)
        close.add_argument("--subtree", action="store_true",
                           help="every union of the subtree, one by one")
        statement = sub.add_parser("import-statement", help="bank statement (.csv/.xlsx)")
        statement.add_argument("file")
        statement.add_argument("--union", required=True)
        statement.add_argument("--opening-balance", default="0")
        statement.add_argument("--match", action="store_true", help="auto-match after import")
        payroll = sub.add_parser("import-payroll", help="payroll declarations from .xlsx")
        payroll.add_argument("file")
        payroll.add_argument("--union", required=True)
        letters = sub.add_parser("dunning-letters", help="催缴函 of the employers in arrears")
        letters.add_argument("--union", required=True)
        letters.add_argument("--out", required=True, help="the PDF file to write")
        letters.add_argument("--end", default="", help="leave out months after YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "import-opening":
                self._import_opening(options)
            elif action == "close-year":
                self._close_year(options)
            elif action == "import-statement":
                self._import_statement(options)
            elif action == "import-payroll":
                self._import_payroll(options)
            elif action == "dunning-letters":
                self._dunning_letters(options)
            else:
                self._check(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _check(self, options: dict[str, Any]) -> None:
        union_id = _org(options["union"]).pk if options["union"] else None
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

    def _import_opening(self, options: dict[str, Any]) -> None:

        with open(options["file"], "rb") as handle:
            tx = opening_balances_import(union=_org(options["union"]),
                                         date=_date(options["date"]), upload=handle,
                                         actor=system_actor("cli"))
        self.stdout.write(f"opening entry {tx.voucher_label} posted ({tx.lines.count()} lines)")

    def _close_year(self, options: dict[str, Any]) -> None:

        org, year, actor = _org(options["union"]), options["year"], system_actor("cli")
        if options["subtree"]:
            def progress(done: int, outcome: Any) -> None:
                if done == outcome.total or done % 100 == 0:
                    self.stdout.write(f"{done}/{outcome.total}")

            outcome = year_close_subtree(root=org, year=year, actor=actor, progress=progress)
            closed, already, failures = outcome.closed, outcome.already, outcome.failures
        else:
            result = year_close(union=org, year=year, actor=actor)
            closed, already, failures = int(result.created), int(not result.created), []
        self.stdout.write(f"closed: {closed}, already closed: {already}, "
                          f"cannot close: {len(failures)}")
        for failure in failures:
            self.stdout.write(f"  {failure['code']} {failure['name']}: "
                              + "；".join(str(r) for r in failure["reasons"]))  # type: ignore[attr-defined]
        if failures:
            raise CommandError(f"{len(failures)} union(s) cannot close")

    def _import_statement(self, options: dict[str, Any]) -> None:


        union = _org(options["union"])
        with open(options["file"], "rb") as handle:
            statement = statement_import(union=union, upload=handle,
                                         file_name=options["file"].rsplit("/", 1)[-1],
                                         opening_balance=Decimal(options["opening_balance"]),
                                         actor=system_actor("cli"))
        self.stdout.write(f"statement {statement.pk}: {statement.lines.count()} lines, "
                          f"{statement.date_from} – {statement.date_to}")
        if options["match"]:
            matched = auto_match(union=union, statement=statement, actor=system_actor("cli"))
            self.stdout.write(f"matched: {matched}")

    def _import_payroll(self, options: dict[str, Any]) -> None:
        # the command's sub-commands load their services only when run (start-up of the others)
        from gonghui.funds.services.remittance import declarations_import

        with open(options["file"], "rb") as handle:
            count = declarations_import(union=_org(options["union"]), upload=handle,
                                        actor=system_actor("cli"))
        self.stdout.write(f"declarations entered or corrected: {count}")

    def _dunning_letters(self, options: dict[str, Any]) -> None:
        # WeasyPrint and the letter template load only when letters are asked for
        from gonghui.audit.services import audit_record
        from gonghui.funds.remittance_letters import dunning_letters_pdf
        from gonghui.funds.selectors_remittance import dunning_list
        from gonghui.funds.services.remittance import parse_period

        union, actor = _org(options["union"]), system_actor("cli")
        end = parse_period(options["end"]) if options["end"] else None
        items = dunning_list(viewer=actor, union=union, end=end)
        with open(options["out"], "wb") as handle:
            handle.write(dunning_letters_pdf(items))
        total = sum((item.total for item in items), Decimal("0.00"))
        audit_record(actor=actor, action="funds.dunning_letters", obj=None,
                     object_type="funds.union", object_id=str(union.pk),
                     object_repr=union.name, org_path=union.path,
                     after={"employers": [item.employer.pk for item in items],
                            "total": str(total)})
        self.stdout.write(f"{len(items)} letter(s), arrears {total} → {options['out']}")
