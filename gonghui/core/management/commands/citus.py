"""`gonghui citus distribute [--dry-run]`: turn a migrated database on a Citus coordinator into
the layout of docs/scale.md (core/citus.py). Idempotent: each run reads what the database
already is and issues only the missing steps."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gonghui.core import citus


class Command(BaseCommand):
    help = "Citus: distribute the schema (reference tables, union-distributed tables)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["distribute"])
        parser.add_argument("--dry-run", action="store_true",
                            help="print the DDL without running it")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            if not options["dry_run"]:
                raise CommandError("Citus needs PostgreSQL (DATABASE_URL=postgres://…).")
            tables = [m._meta.db_table for m in citus._all_models()]
            state = citus.empty_state(tables)
        else:
            with connection.cursor() as cursor:
                state = citus.read_state(cursor)
        statements = citus.distribution_ddl(state)
        if options["dry_run"]:
            for statement in statements:
                self.stdout.write(statement)
            return
        if not state.citus:
            raise CommandError("the database has no citus extension: run CREATE EXTENSION "
                               "citus on the coordinator and register the workers first.")
        self._run(statements)
        with connection.cursor() as cursor:
            after = citus.read_state(cursor)
        self.stdout.write(f"distributed tables: {len(after.distributed)}, "
                          f"reference tables: {len(after.reference)}")

    def _run(self, statements: list[str]) -> None:
        executable = [s for s in statements if not s.startswith("--")]
        if not executable:
            self.stdout.write("already distributed: nothing to do")
            return
        with connection.cursor() as cursor:
            # funds' ledger triggers (insert-only, balance, open period) run on the shards
            cursor.execute("SET citus.enable_unsafe_triggers TO on")
            for statement in executable:
                self.stdout.write(statement)
                cursor.execute(statement)
