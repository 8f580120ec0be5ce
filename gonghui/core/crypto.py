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

_VERSION = b"\x01"    # the first format: key id 1 implied (bytes: 01 | nonce | ciphertext)
_VERSION_KEYED = b"\x02"  # with its key id (bytes: 02 | key id | nonce | ciphertext)

# --- the keyring (`gonghui keys`, audit/keys.py; docs/security.md "Key rotation") ----------
# Key 1 is the first master key: settings.FIELD_KEY or the key file (created on first use when
# there is no key at all). Later keys: files `field.<n>.key` beside the key file, or
# settings.FIELD_KEYS ("2:<base64>,3:<base64>"). New values are encrypted under the highest key
# id (or settings.FIELD_KEY_ID); every key still in the ring decrypts. The blind-index sub-key
# (which the audit chain uses too) does not rotate with the field key: it is derived from key 1
# until the first rotation writes it to `index.key`, after which key 1 can be retired.


def _keys_dir() -> Path:
    return Path(settings.FIELD_KEY_FILE).parent


def _decode_key(text: str | bytes) -> bytes:
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise RuntimeError("the field master key must be 32 bytes (base64-encoded)")
    return key


def key_file(key_id: int) -> Path:
    """Where key `key_id` is kept as a file (key 1: settings.FIELD_KEY_FILE)."""
    return Path(settings.FIELD_KEY_FILE) if key_id == 1 else _keys_dir() / f"field.{key_id}.key"


def index_key_file() -> Path:
    return _keys_dir() / "index.key"


def write_key_file(path: Path, key: bytes) -> None:
    """Create a key file (mode 600), atomically and never over an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(base64.b64encode(key))
    tmp.chmod(0o600)
    # atomic "create if absent": two processes starting at once agree on one key
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)
    tmp.unlink()


@functools.cache
def keyring() -> dict[int, bytes]:
    """Every master key in the ring, by key id."""
    ring: dict[int, bytes] = {}
    if settings.FIELD_KEY:
        ring[1] = _decode_key(settings.FIELD_KEY)
    elif key_file(1).exists():
        ring[1] = _decode_key(key_file(1).read_bytes())
    for entry in (getattr(settings, "FIELD_KEYS", "") or "").split(","):
        if entry.strip():
            kid, _sep, value = entry.partition(":")
            ring[int(kid)] = _decode_key(value)
    if _keys_dir().is_dir():
        for path in _keys_dir().glob("field.*.key"):
            kid_text = path.name.split(".")[1]
            if kid_text.isdigit() and 1 < int(kid_text) < 256:
                ring.setdefault(int(kid_text), _decode_key(path.read_bytes()))
    if not ring and not index_key_file().exists():
        write_key_file(key_file(1), os.urandom(32))   # a new installation
        ring[1] = _decode_key(key_file(1).read_bytes())
    return ring


@functools.cache
def current_key_id() -> int:
    chosen = int(getattr(settings, "FIELD_KEY_ID", 0) or 0)
    ring = keyring()
    if chosen:
        if chosen not in ring:
            raise RuntimeError(f"FIELD_KEY_ID {chosen} is not in the keyring")
        return chosen
    if not ring:
        raise RuntimeError("no field key: the keyring is empty")
    return max(ring)


def reload_keys() -> None:
    """Forget the keys read so far (after `gonghui keys` changed the ring; tests)."""
    keyring.cache_clear()
    current_key_id.cache_clear()
    _subkey.cache_clear()
    _aead.cache_clear()
    _aead_for.cache_clear()
    _index_key.cache_clear()


def _master_key() -> bytes:
    """Key 1 (the first master key)."""
    ring = keyring()
    if 1 not in ring:
        raise RuntimeError("field key 1 has been retired")
    return ring[1]


@functools.cache
def _subkey(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        _master_key()
    )


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@functools.cache
def _aead() -> AESGCM:
    return _aead_for(1)


@functools.cache
def _aead_for(key_id: int) -> AESGCM:
    ring = keyring()
    if key_id not in ring:
        raise ValueError(f"field key {key_id} is not in the keyring (retired?)")
    return AESGCM(_derive(ring[key_id], b"gonghui field encryption v1"))


@functools.cache
def _index_key() -> bytes:
    """The blind-index (and audit-chain) key: `index.key` once a rotation wrote it, else
    derived from key 1 (the same bytes either way)."""
    if index_key_file().exists():
        return _decode_key(index_key_file().read_bytes())
    return _subkey(b"gonghui blind index v1")


def pin_index_key() -> bool:
    """Write the blind-index key to its own file (before key 1 may be retired). True if
    written now, False if it was there already."""
    if index_key_file().exists():
        return False
    write_key_file(index_key_file(), _subkey(b"gonghui blind index v1"))
    _index_key.cache_clear()
    return True


def key_id_of(token: bytes) -> int:
    """The key id a ciphertext was made with."""
    token = bytes(token)
    if token[:1] == _VERSION:
        return 1
    if token[:1] == _VERSION_KEYED and len(token) > 1:
        return token[1]
    raise ValueError("unknown ciphertext version")


def key_prefix(key_id: int) -> bytes:
    """The leading bytes of every ciphertext under `key_id` (SQL: substr(col, 1, len))."""
    return _VERSION if key_id == 1 else _VERSION_KEYED + bytes([key_id])


def encrypt(plaintext: str) -> bytes:
    key_id = current_key_id()
    nonce = os.urandom(12)
    return key_prefix(key_id) + nonce + _aead_for(key_id).encrypt(nonce, plaintext.encode(), None)


def decrypt(token: bytes) -> str:
    token = bytes(token)
    key_id = key_id_of(token)
    start = len(key_prefix(key_id))
    return _aead_for(key_id).decrypt(token[start:start + 12], token[start + 12:], None).decode()


def blind_index(value: str, *, purpose: str = "id") -> str:
    """A keyed hash for exact-match search (64 hex chars). Same input, same index; no plaintext."""
    key = _index_key()
    return hmac.digest(key, f"{purpose}:{value}".encode(), "sha256").hex()


def blind_indexes(values: list[str], *, purpose: str = "id") -> list[str]:
    """`blind_index` of each value (an importer's chunk: one key lookup, one-shot HMACs)."""
    key = _index_key()
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
