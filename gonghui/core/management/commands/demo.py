from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo federation if the database is empty, run server and worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Idempotent: loads the demo federation into an empty database, adds nothing otherwise,
        # and prints the demo accounts either way.
        call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = subprocess.Popen([sys.executable, "-m", "gonghui.cli", "worker"])
        self.stdout.write(f"Worker started (pid {worker.pid}).")
        self.stdout.write(f"Open http://{options['host']}:{options['port']}/ and sign in.")
        self.stdout.flush()
        try:
            subprocess.call([
                sys.executable, "-m", "gonghui.cli", "serve", "--no-migrate",
                "--host", options["host"], "--port", str(options["port"]),
            ])
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(worker.pid, signal.SIGKILL)
