"""`gonghui demo`: migrate, seed, then run the web server and the task worker as children.

Stopping the demo stops both children however it is stopped: Ctrl-C (SIGINT), `kill <pid>`
(SIGTERM) or a closed terminal (SIGHUP) — each sends SIGTERM to the server and the worker, waits
up to 10 s, kills what is left and exits (issue 12 item 8: a SIGTERM used to leave gunicorn and
the worker serving the port)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from types import FrameType

from django.core.management import call_command
from django.core.management.base import BaseCommand

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0


class Stop(Exception):
    """Raised in the main thread by the signal handler: leave the wait, stop the children."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


def stop_children(children: list[subprocess.Popen], *, grace: float = GRACE_SECONDS) -> None:
    """SIGTERM every child still running, wait up to `grace` seconds for all, SIGKILL the rest."""
    alive = [c for c in children if c.poll() is None]
    for child in alive:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in alive:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


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
        previous = {s: signal.signal(s, _raise_stop) for s in STOP_SIGNALS}
        children: list[subprocess.Popen] = []
        try:
            worker = subprocess.Popen([sys.executable, "-m", "gonghui.cli", "worker"])
            children.append(worker)
            self.stdout.write(f"Worker started (pid {worker.pid}).")
            server = subprocess.Popen([
                sys.executable, "-m", "gonghui.cli", "serve", "--no-migrate",
                "--host", options["host"], "--port", str(options["port"]),
            ])
            children.append(server)
            self.stdout.write(f"Server started (pid {server.pid}).")
            self.stdout.write(f"Open http://{options['host']}:{options['port']}/ and sign in.")
            self.stdout.flush()
            # Wait in short steps, not one blocking wait: a signal may be delivered to another
            # thread of this process (a native library's worker pool, e.g. Polars'), and Python
            # runs its handler only when the main thread returns to the interpreter.
            while server.poll() is None:
                time.sleep(0.2)
        except Stop as stop:
            self.stdout.write(f"Stopping (signal {stop.signum}).")
        except KeyboardInterrupt:
            self.stdout.write("Stopping (Ctrl-C).")
        finally:
            for signum in STOP_SIGNALS:  # a second signal must not interrupt the clean-up
                signal.signal(signum, signal.SIG_IGN)
            stop_children(children)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Server and worker stopped.")
