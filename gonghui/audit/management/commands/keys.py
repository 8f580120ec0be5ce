from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gonghui.audit import keys
from gonghui.core import crypto
from gonghui.core.actor import system_actor


class Command(BaseCommand):
    help = ("Field key rotation (docs/security.md). `gonghui keys status` counts the values under "
            "each key; `new` adds a key; `reencrypt [--chunk N] [--enqueue]` rewrites the values "
            "under older keys (resumable); `retire <id>` takes an unused key out of the ring; "
            "`rotate [--retire]` = new + reencrypt (+ retire the keys left unused).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="values per key and column")
        sub.add_parser("new", help="add the next key; restart the servers afterwards")
        again = sub.add_parser("reencrypt", help="rewrite values under older keys, in chunks")
        again.add_argument("--chunk", type=int, default=keys.CHUNK)
        again.add_argument("--enqueue", action="store_true",
                           help="run it as a background task (the task worker)")
        old = sub.add_parser("retire", help="take an unused key out of the ring")
        old.add_argument("key_id", type=int)
        both = sub.add_parser("rotate", help="new key, then re-encrypt everything")
        both.add_argument("--chunk", type=int, default=keys.CHUNK)
        both.add_argument("--retire", action="store_true",
                          help="afterwards retire every older key no value uses")

    def handle(self, *args, **options):
        actor = system_actor("cli:keys")
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "new":
            self.stdout.write(f"new field key {keys.key_new(actor=actor)}; restart the servers "
                              f"and task workers, then run `gonghui keys reencrypt`")
        elif action == "reencrypt":
            self._reencrypt(options["chunk"], enqueue=options["enqueue"])
        elif action == "retire":
            self._retire(options["key_id"])
        elif action == "rotate":
            new_id = keys.key_new(actor=actor)
            self.stdout.write(f"new field key {new_id}")
            self._reencrypt(options["chunk"], enqueue=False)
            if options["retire"]:
                for key_id in sorted(crypto.keyring()):
                    if key_id != new_id:
                        self._retire(key_id)
            self.stdout.write("restart the servers and task workers: they still hold the old "
                              "keyring in memory")

    def _status(self) -> None:
        crypto.reload_keys()
        self.stdout.write(f"keys in the ring: {sorted(crypto.keyring())}; current: "
                          f"{crypto.current_key_id()}; index key pinned: "
                          f"{crypto.index_key_file().exists()}")
        for target, per_key in keys.status().items():
            shown = ", ".join(f"key {k}: {n}" for k, n in sorted(per_key.items())) or "empty"
            self.stdout.write(f"  {target}: {shown}")

    def _reencrypt(self, chunk: int, *, enqueue: bool) -> None:
        if enqueue:
            # the task module imports django_tasks' backend: only when a task is enqueued
            from gonghui.audit.tasks import reencrypt_fields_task

            result = reencrypt_fields_task.enqueue(chunk=chunk)
            self.stdout.write(f"re-encryption enqueued (task {result.id})")
            return
        done = keys.reencrypt(actor=system_actor("cli:keys"), chunk=chunk,
                              progress=lambda t, pk, n: self.stdout.write(
                                  f"  {t}: up to #{pk}, {n} rewritten"))
        self.stdout.write(f"re-encrypted under key {crypto.current_key_id()}: "
                          f"{sum(done.values())} value(s) in {len(done)} column(s)")

    def _retire(self, key_id: int) -> None:
        try:
            where = keys.retire(key_id=key_id, actor=system_actor("cli:keys"))
        except keys.KeyInUse as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"key {key_id} retired: moved to {where} (shred it once no backup "
                          f"needs it)")
