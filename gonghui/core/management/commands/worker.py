from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (Django Tasks, database backend) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", dest="queues")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args, **options):
        kwargs = {"interval": options["interval"]}
        if options["queues"]:
            kwargs["queue_name"] = ",".join(options["queues"])
        if options["batch"]:
            kwargs["batch"] = True
        call_command("db_worker", **kwargs)
