"""Protected fields (PIPL): AES-GCM encryption at rest and an HMAC blind index for exact search.

The master key comes from settings.FIELD_KEY (base64) or a key file outside the database
(settings.FIELD_KEY_FILE, created with mode 600 on first use). Two sub-keys are derived with
HKDF: one encrypts, one computes blind indexes, so a leaked index key reveals no plaintext.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

_VERSION = b"\x01"


def _master_key() -> bytes:
    if settings.FIELD_KEY:
        key = base64.b64decode(settings.FIELD_KEY)
    else:
        path = Path(settings.FIELD_KEY_FILE)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(base64.b64encode(os.urandom(32)))
            tmp.chmod(0o600)
            # atomic "create if absent": two processes starting at once agree on one key
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
            tmp.unlink()
        key = base64.b64decode(path.read_bytes().strip())
    if len(key) != 32:
        raise RuntimeError("the field master key must be 32 bytes (base64-encoded)")
    return key


@functools.cache
def _subkey(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        _master_key()
    )


@functools.cache
def _aead() -> AESGCM:
    return AESGCM(_subkey(b"gonghui field encryption v1"))


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + _aead().encrypt(nonce, plaintext.encode(), None)


def decrypt(token: bytes) -> str:
    token = bytes(token)
    if token[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return _aead().decrypt(token[1:13], token[13:], None).decode()


def blind_index(value: str, *, purpose: str = "id") -> str:
    """A keyed hash for exact-match search (64 hex chars). Same input, same index; no plaintext."""
    key = _subkey(b"gonghui blind index v1")
    return hmac.digest(key, f"{purpose}:{value}".encode(), "sha256").hex()


def blind_indexes(values: list[str], *, purpose: str = "id") -> list[str]:
    """`blind_index` of each value (an importer's chunk: one key lookup, one-shot HMACs)."""
    key = _subkey(b"gonghui blind index v1")
    return [hmac.digest(key, f"{purpose}:{v}".encode(), "sha256").hex() for v in values]


class EncryptedTextField(models.BinaryField):
    """Stores AES-GCM ciphertext; Python sees the plaintext string.

    Never display the value directly: go through the masking helper, and reveal only through the
    function that logs the read (audit.services.sensitive_read_record).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decrypt(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, str):
            value = encrypt(value)
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj):
        return "<encrypted>"

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, "gonghui.core.crypto.EncryptedTextField", args, kwargs
