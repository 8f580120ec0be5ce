"""Background work of audit (the field-key rotation: it writes audit rows) (Django Tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.actor import system_actor


@task()
def reencrypt_fields_task(chunk: int = 1000) -> dict[str, int]:
    """Re-encrypt every protected value under the current field key (`gonghui keys reencrypt
    --enqueue`); resumable: a stopped run continues from its saved progress."""
    from gonghui.audit import keys  # the keyring is read at run time

    return keys.reencrypt(actor=system_actor("task:keys-reencrypt"), chunk=chunk)
