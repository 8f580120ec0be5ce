from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = "Org tree operations. `gonghui orgs list [--json]`: every org with code, name, level, type, parent code."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list every org")
        listing.add_argument("--json", action="store_true", help="one JSON array on stdout")
        listing.add_argument("--status", default="", help="only orgs with this status")

    def handle(self, *args, **options):
        queryset = Org.objects.order_by("path")
        if options["status"]:
            queryset = queryset.filter(status=options["status"])
        codes = dict(queryset.values_list("path", "code")) if not options["status"] else dict(
            Org.objects.values_list("path", "code")
        )
        rows = [
            {
                "code": o.code, "name": o.name, "level": o.level, "type": o.org_type,
                "status": o.status, "parent_code": codes.get(o.path[: -Org.steplen]),
            }
            for o in queryset.iterator()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for r in rows:
            self.stdout.write(
                f"{r['code']:<16} {r['level']:<11} {r['type']:<17} {r['parent_code'] or '-':<14} {r['name']}"
            )
        self.stdout.write(f"{len(rows)} orgs")
