from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gonghui.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Export the member roster of a subtree, streaming, to .xlsx or .csv: "
        "`gonghui export-members --union CODE --out FILE.xlsx|.csv [--reveal --as USERNAME] "
        "[--all]`. ID numbers are masked unless --reveal is given by a user (--as) whose role "
        "allows member.reveal there; a revealed export is logged as a sensitive read."
    )

    def add_arguments(self, parser):
        parser.add_argument("--union", required=True, help="org code: the subtree to export")
        parser.add_argument("--out", required=True, help="output file, .xlsx or .csv")
        parser.add_argument("--reveal", action="store_true", help="full ID numbers (logged)")
        parser.add_argument("--as", dest="as_user", default="",
                            help="the acting user (required with --reveal)")
        parser.add_argument("--all", dest="include_ended", action="store_true",
                            help="also withdrawn, lapsed, transferred-out and deceased members")
        parser.add_argument("--json", action="store_true", help="print {rows, file} as JSON")

    def handle(self, *args, **options):
        from gonghui.accounts.models import User
        from gonghui.accounts.scoping import can
        from gonghui.orgs.models import Org
        from gonghui.roster.exporter import export_members

        out = Path(options["out"])
        if out.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("--out 必须是 .xlsx 或 .csv 文件")
        org = Org.objects.filter(code=options["union"].strip().upper()).first()
        if org is None:
            raise CommandError(f"找不到组织代码 {options['union']}")
        actor = None
        if options["as_user"]:
            actor = User.objects.filter(username=options["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到用户 {options['as_user']}")
            if not can(actor, org, "member.read"):
                raise CommandError(f"用户 {actor.username} 无权查看 {org.code} 的会员")
        if options["reveal"]:
            if actor is None:
                raise CommandError("--reveal 需要用 --as 指明操作人（其角色须有查看完整身份证号码的权限）")
            if not can(actor, org, "member.reveal"):
                raise CommandError(f"用户 {actor.username} 无权导出完整身份证号码")
        bar = tqdm(unit="行", file=self.stderr._out, mininterval=0.5, desc=org.code)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            count = export_members(org=org, actor=actor or "cli", out=out,
                                   reveal=options["reveal"],
                                   include_ended=options["include_ended"], on_progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        finally:
            bar.close()
        if options["json"]:
            self.stdout.write(json.dumps({"rows": count, "file": str(out)}, ensure_ascii=False))
        else:
            self.stdout.write(f"已导出 {count} 人到 {out}")
