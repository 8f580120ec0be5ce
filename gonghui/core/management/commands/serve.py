from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGHUI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GONGHUI_PORT", 8000)))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGHUI_WORKERS", 2)))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GONGHUI_THREADS", 1)),
                            help="threads per worker (gthread workers when > 1)")
        parser.add_argument("--no-migrate", action="store_true", help="skip `migrate` at start")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "gonghui.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--config", "python:gonghui.core.gunicorn_conf",
            "--workers", str(options["workers"]), "--threads", str(options["threads"]),
            "--access-logfile", "-",
            "--logger-class", "gonghui.core.middleware.MaskedAccessLogger",
            "--timeout", "120",
        ]
        self.stdout.write(f"Gonghui at http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)
