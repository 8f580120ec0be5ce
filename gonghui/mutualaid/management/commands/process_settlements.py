"""`gonghui process-settlements`: a worker that turns queued settlement records into payouts.
Run as many as you like at once (each batch is claimed with SKIP LOCKED); kill one at any moment
and its batch is redone by the others."""

from __future__ import annotations

import json
import signal
from typing import Any

from django.core.management.base import BaseCommand

from gonghui.mutualaid.services.processing import BatchResult, process_queue


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a worker needs no URL or admin checks
    help = ("Process queued settlement records into payouts until the queue is empty (or keep "
            "waiting for more with --follow). Safe to run in several processes at once.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500,
                            help="records per transaction (default 500)")
        parser.add_argument("--follow", action="store_true",
                            help="keep running and poll for new records")
        parser.add_argument("--max-batches", type=int, default=None)
        parser.add_argument("--hold", type=float, default=0.0,
                            help="seconds to wait inside each batch before committing "
                                 "(crash-recovery drills)")
        parser.add_argument("--json", action="store_true", help="print one JSON summary")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = {"now": False}

        def stop(signum: int, frame: Any) -> None:  # finish the batch in hand, then exit
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def report(result: BatchResult) -> None:
            if not options["json"] and options["verbosity"] > 1:
                self.stdout.write(f"batch: {result.claimed} records, {result.payouts} payouts, "
                                  f"{result.amount} yuan")

        total = process_queue(batch_size=options["batch_size"], follow=options["follow"],
                              max_batches=options["max_batches"], hold=options["hold"],
                              on_batch=report, should_stop=lambda: stopping["now"])
        if options["json"]:
            self.stdout.write(json.dumps(total.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"processed {total.claimed} records into {total.payouts} payouts "
                              f"({total.amount} yuan)")
