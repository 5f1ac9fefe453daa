"""Protected fields: SM4-GCM encryption at rest and a keyed SM3 hash for exact lookup.

Sensitive values (citizen ID numbers, phone numbers, cadre reports) are never stored in plain
text. A stored value is `sm4gcm$<key id>$<base64(nonce | ciphertext | tag)>`; the field's name
is bound in as associated data, so a ciphertext copied into another column does not decrypt.
Exact search ("find the member with this ID number") uses `lookup_hash`, an HMAC-SM3 under a
separate key, which reveals nothing without the key.

Keys come from settings (`DANGJIAN_FIELD_KEYS` / `DANGJIAN_FIELD_KEY_FILE`, the first key
encrypts, all of them decrypt) so that rotation is: add a new first key, run the rotation, drop
the old key. Without configured keys, development derives them from the secret key; a
production system check refuses that.
"""

from __future__ import annotations

import base64
import hmac
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "sm4gcm"
NONCE_BYTES, TAG_BYTES, KEY_BYTES = 12, 16, 16


class CryptoError(ValueError):
    """A key configuration or a stored value that cannot be used."""


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id (the first encrypts) and the lookup-hash key."""

    keys: tuple[tuple[str, bytes], ...]
    lookup_key: bytes
    derived: bool

    @property
    def current(self) -> tuple[str, bytes]:
        return self.keys[0]

    def key(self, key_id: str) -> bytes:
        for known_id, key in self.keys:
            if known_id == key_id:
                return key
        raise CryptoError(f"密钥 {key_id} 未配置，无法解密（轮换时旧密钥须保留到轮换完成）。")


def _derive(label: bytes) -> bytes:
    return HKDF(hashes.SM3(), KEY_BYTES, b"dangjian", label).derive(settings.SECRET_KEY.encode())


def parse_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    """'id:hex,id:hex' (or one per line) → ((id, 16-byte key), …); bad input raises."""
    keys: list[tuple[str, bytes]] = []
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        key_id, _, hex_key = item.partition(":")
        try:
            key = bytes.fromhex(hex_key.strip())
        except ValueError:
            raise CryptoError(f"密钥 {key_id} 不是十六进制。")
        if not key_id.strip().isalnum() or len(key) != KEY_BYTES:
            raise CryptoError(f"密钥 {key_id} 须为“字母数字编号:32位十六进制”。")
        keys.append((key_id.strip(), key))
    if len({key_id for key_id, _ in keys}) != len(keys):
        raise CryptoError("密钥编号重复。")
    return tuple(keys)


@lru_cache(maxsize=4)
def _keyring(keys_text: str, key_file: str, lookup_hex: str, secret: str) -> Keyring:
    text = keys_text
    if key_file:
        with open(key_file, encoding="utf-8") as handle:
            text = handle.read()
    keys = parse_keys(text) if text.strip() else ()
    derived = not keys
    if derived:
        keys = (("dev", _derive(b"field-encryption")),)
    lookup = bytes.fromhex(lookup_hex) if lookup_hex else _derive(b"lookup-hash")
    return Keyring(keys, lookup, derived)


def keyring() -> Keyring:
    """The keys in force (cached per configuration)."""
    return _keyring(
        getattr(settings, "DANGJIAN_FIELD_KEYS", ""),
        getattr(settings, "DANGJIAN_FIELD_KEY_FILE", ""),
        getattr(settings, "DANGJIAN_LOOKUP_KEY", ""),
        settings.SECRET_KEY,
    )


def encrypt(text: str, field: str) -> str:
    """Encrypt `text` for the column named `field` (e.g. 'members.person.id_number')."""
    key_id, key = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(field.encode())
    body = encryptor.update(text.encode()) + encryptor.finalize()
    payload = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}${key_id}${payload}"


def decrypt(token: str, field: str) -> str:
    """The plain text of a stored value; tampering or the wrong field raises CryptoError."""
    try:
        prefix, key_id, payload = token.split("$", 2)
        raw = base64.urlsafe_b64decode(payload.encode())
    except (ValueError, TypeError):
        raise CryptoError("不是加密存储的值。")
    if prefix != PREFIX or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("不是加密存储的值。")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keyring().key(key_id)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(field.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag:
        raise CryptoError("密文校验失败：数据被改动，或不属于该字段。")


def needs_rotation(token: str) -> bool:
    """Whether a stored value is encrypted under a key other than the current one."""
    return not token.startswith(f"{PREFIX}${keyring().current[0]}$")


def rotate(token: str, field: str) -> str:
    """Re-encrypt a stored value under the current key (unchanged if already current)."""
    return encrypt(decrypt(token, field), field) if needs_rotation(token) else token


def lookup_hash(text: str, field: str) -> str:
    """Keyed SM3 of the normalized value, for exact search without storing the value."""
    normalized = unicodedata.normalize("NFKC", text).strip().upper()
    mac = crypto_hmac.HMAC(keyring().lookup_key, hashes.SM3())
    mac.update(field.encode() + b"\x00" + normalized.encode())
    return mac.finalize().hex()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two lookup hashes."""
    return hmac.compare_digest(a, b)
