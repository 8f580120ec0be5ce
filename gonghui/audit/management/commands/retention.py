from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gonghui.audit import retention
from gonghui.core.actor import system_actor


class Command(BaseCommand):
    help = ("The retention rule for closed cases (docs/security.md): pseudonymise the personal "
            "data of cases closed more than N years ago (default GONGHUI_CASE_RETENTION_YEARS, "
            "10). `--dry-run` counts them and changes nothing; every run leaves an audit row.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            results = retention.run(actor=system_actor("cli:retention"), years=options["years"],
                                    dry_run=options["dry_run"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would pseudonymise" if options["dry_run"] else "pseudonymised"
        for result in results:
            self.stdout.write(f"{result.rule}: {verb} {result.count} case(s)")
