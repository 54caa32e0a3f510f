"""Pseudonymous user keys: an HMAC of the Telegram user id with a per-install secret.

The secret lives in the data directory (``install.secret``, created with 0600 permissions).
Without it a key cannot be turned back into a user id, not even by trying every id; deleting
the file makes all earlier keys unlinkable to new ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "install.secret"
KEY_HEX_CHARS = 32  # 128 bits: no collisions in any realistic number of users


class SecretFileError(OSError):
    """The secret file exists but is not one citebot wrote."""


def load_or_create_secret(data_dir: Path) -> bytes:
    """The install secret, created (0600, in a 0700 directory) on first use."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            secret = b""
        if len(secret) < 16:
            raise SecretFileError(
                f"{path} is not a citebot install secret; delete it to create a new one"
            ) from None
        return secret
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
    return secret


class UserKeys:
    """Turns Telegram user ids into stable pseudonymous keys."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def key(self, user_id: int) -> str:
        """The key for ``user_id``: the same for every call with the same secret."""
        digest = hmac.new(self._secret, str(user_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:KEY_HEX_CHARS]
