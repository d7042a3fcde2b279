"""Real encryption of reasoning items (``encrypted_content``) with a server key: AES-GCM."""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE_BYTES = 12
_AAD = b"responses-conformance reasoning v1"


class InvalidEncryptedContent(Exception):
    """The token was not sealed by this key, or was altered, truncated or is not a token at all."""


class ReasoningSealer:
    """Seals a JSON object into an opaque url-safe token and opens it again; any change is detected."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)  # ValueError unless 16, 24 or 32 bytes

    @classmethod
    def from_secret(cls, secret: str) -> ReasoningSealer:
        """A sealer whose key is derived from a secret string with HKDF-SHA256."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AAD)
        return cls(hkdf.derive(secret.encode("utf-8")))

    def seal(self, payload: dict[str, Any]) -> str:
        """Encrypt ``payload`` (JSON-serialisable) under a fresh random nonce."""
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
        sealed = _VERSION + nonce + self._aead.encrypt(nonce, plain, _AAD)
        return base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")

    def unseal(self, token: str) -> dict[str, Any]:
        """Decrypt a token made by ``seal`` with the same key; InvalidEncryptedContent otherwise."""
        raw = _decode(token)
        if raw[:1] != _VERSION or len(raw) < 1 + _NONCE_BYTES + 16:
            raise InvalidEncryptedContent("the encrypted content is not a token of this server")
        nonce, ciphertext = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            payload = json.loads(self._aead.decrypt(nonce, ciphertext, _AAD))
        except InvalidTag:
            raise InvalidEncryptedContent(
                "the encrypted content was altered or sealed with another key"
            ) from None
        if not isinstance(payload, dict):
            raise InvalidEncryptedContent("the encrypted content does not hold an object")
        return payload


def _decode(token: str) -> bytes:
    """Strict url-safe base64: a token must be the canonical encoding of its bytes, so no character is slack."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidEncryptedContent("the encrypted content is not valid base64") from None
    if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != token:
        raise InvalidEncryptedContent("the encrypted content is not valid base64")
    return raw
