from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.roles import Role
from gonghui.accounts.selectors import grant_org
from gonghui.accounts.services import user_create_with_role
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError, NotFound


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
        try:
            grant_org(options["org"])  # fail before asking for the password
        except NotFound as exc:
            raise CommandError(f"no org with code {options['org']!r}") from exc
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("give the password on standard input")
        try:
            user, assignment = user_create_with_role(
                username=options["username"], password=password, org_code=options["org"],
                role=options["role"], actor=system_actor("cli"), display_name=options["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        org = assignment.org
        self.stdout.write(f"created {user.username}: {options['role']} at {org.code} {org.name}")
