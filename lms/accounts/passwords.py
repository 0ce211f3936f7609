"""Passwords: Argon2id hashing, easy first passwords for children, and their short-lived encryption."""
from __future__ import annotations

import base64
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from lms.accounts.errors import AccountError

MIN_PASSWORD_LENGTH = 8

# RFC 9106's second recommended option (64 MiB, 3 passes); tests may lower it through the config.
DEFAULT_HASH_SETTINGS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

# Pronounceable syllables from letters children cannot confuse (no i/l/o/0/1), typed without accents.
_CONSONANTS = "bdghkmnprstv"
_VOWELS = "aeu"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("PASSWORD_HASH_TIME_COST", DEFAULT_HASH_SETTINGS["time_cost"]),
        memory_cost=config.get("PASSWORD_HASH_MEMORY_KIB", DEFAULT_HASH_SETTINGS["memory_cost"]),
        parallelism=config.get("PASSWORD_HASH_PARALLELISM", DEFAULT_HASH_SETTINGS["parallelism"]),
    )


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` with the configured parameters."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Check ``password``; returns (ok, new hash when the stored one uses old parameters)."""
    hasher = _hasher()
    try:
        hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(password_hash):
        return True, hasher.hash(password)
    return True, None


def spend_verification_time() -> None:
    """Hash once so that an unknown user name takes as long to refuse as a wrong password."""
    _hasher().hash(secrets.token_hex(8))


def generate_first_password() -> str:
    """Four consonant+vowel syllables and two digits, e.g. ``bekutama47`` (about 27 bits).

    Easy for a child to read from a card and type; online guessing is stopped by the
    per-account throttle, and the password must be changed at the first login.
    """
    syllables = "".join(secrets.choice(_CONSONANTS) + secrets.choice(_VOWELS) for _ in range(4))
    return f"{syllables}{secrets.randbelow(100):02d}"


def check_new_password(password: str, username: str) -> None:
    """Raise AccountError when ``password`` is not acceptable as a chosen password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("The password must have at least 8 characters.")
    if len(password) > 200:
        raise AccountError("The password is too long.")
    if password.strip().lower() == username.lower():
        raise AccountError("The password must not be your username.")


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"congdanso first passwords").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_first_password(password: str) -> str:
    return _fernet().encrypt(password.encode("utf-8")).decode("ascii")


def decrypt_first_password(token: str | None) -> str | None:
    """The first password, or None when there is none or the secret key has changed since."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return None
