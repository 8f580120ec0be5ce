from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.roles import Role
from gonghui.accounts.services import role_assign, user_create
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = "User administration. `gonghui users add USERNAME --org CODE --role ROLE` (password from stdin)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a user and give a role at an org; password on stdin")
        add.add_argument("username")
        add.add_argument("--org", required=True, help="org code")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--name", default="", help="display name")

    def handle(self, *args, **options):
        org = Org.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"no org with code {options['org']!r}")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("give the password on standard input")
        try:
            user = user_create(username=options["username"], password=password, actor="system",
                               display_name=options["name"])
            role_assign(user=user, org=org, role=options["role"], actor="system")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {user.username}: {options['role']} at {org.code} {org.name}")
