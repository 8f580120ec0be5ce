from __future__ import annotations

from django.core.management.base import BaseCommand

from gonghui.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Load the demo federation (上海市总工会 and its 16 districts) and demo users. Idempotent."

    def handle(self, *args, **options):
        orgs, _users = seed_demo(self.stdout)  # type: ignore[arg-type]  # OutputWrapper writes text
        self.stdout.write(f"Demo federation: {len(orgs)} orgs.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  {'username':<10} {'role':<10} org")
        for username, display, role, code in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role:<10} {code} {orgs[code].name} ({display})")
