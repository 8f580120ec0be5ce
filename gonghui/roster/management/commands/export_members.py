from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gonghui.accounts.models import User
from gonghui.core.actor import Actor, system_actor
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.orgs.models import Org
from gonghui.roster import services


class Command(BaseCommand):
    help = (
        "Export the member roster of a subtree, streaming, to .xlsx or .csv: "
        "`gonghui export-members --union CODE --out FILE.xlsx|.csv [--reveal --as USERNAME "
        "[--purpose TEXT]] [--all]`. ID numbers are masked unless --reveal is given by a user "
        "(--as) whose role allows member.reveal there; a revealed export is logged as a "
        "sensitive read with its purpose. The same service as the site's export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--union", required=True, help="org code: the subtree to export")
        parser.add_argument("--out", required=True, help="output file, .xlsx or .csv")
        parser.add_argument("--reveal", action="store_true", help="full ID numbers (logged)")
        parser.add_argument("--purpose", default="",
                            help="why the full ID numbers are needed (logged with --reveal)")
        parser.add_argument("--as", dest="as_user", default="",
                            help="the acting user (required with --reveal)")
        parser.add_argument("--all", dest="include_ended", action="store_true",
                            help="also withdrawn, lapsed, transferred-out and deceased members")
        parser.add_argument("--json", action="store_true", help="print {rows, file} as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("--out 必须是 .xlsx 或 .csv 文件")
        org = Org.objects.filter(code=options["union"].strip().upper()).first()
        if org is None:
            raise CommandError(f"找不到组织代码 {options['union']}")
        actor: Actor = system_actor("cli")
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"找不到用户 {options['as_user']}")
            actor = user
        bar = tqdm(unit="行", file=cast(TextIO, self.stderr._out), mininterval=0.5, desc=org.code)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            job = services.export_job_create(
                org=org, actor=actor, file_format=out.suffix.lower().lstrip("."),
                reveal=options["reveal"], include_ended=options["include_ended"],
                purpose=options["purpose"], enqueue=False)
            job = services.export_job_run(job=job, actor=actor, out=out, on_progress=progress)
        except NotFound as exc:
            raise CommandError(f"用户 {actor} 无权查看 {org.code} 的会员") from exc
        except ApplicationError as exc:
            if exc.code == "reveal_needs_user":
                raise CommandError(
                    "--reveal 需要用 --as 指明操作人（其角色须有查看完整身份证号码的权限）") from exc
            raise CommandError(exc.message) from exc
        finally:
            bar.close()
        if options["json"]:
            self.stdout.write(json.dumps({"rows": job.processed, "file": str(out)},
                                         ensure_ascii=False))
        else:
            self.stdout.write(f"已导出 {job.processed} 人到 {out}")
