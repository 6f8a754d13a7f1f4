"""Password hashing (Argon2id, PHC strings) and the rules a new password must meet."""

from __future__ import annotations

import functools
import gzip
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from chalicelib.errors import ValidationFailed
from chalicelib.i18n import t

MIN_LENGTH = 8
MAX_LENGTH = 128
# OWASP's floor for Argon2id; a stage may raise these, and hashes are redone at login.
FLOOR_MEMORY_KIB = 19 * 1024
FLOOR_ITERATIONS = 2
_COMMON = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
_PHC = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
# Temporary passwords avoid look-alike characters: they are read from an email and typed.
_TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Parameters:
    memory_kib: int
    iterations: int
    lanes: int = 1


def parameters() -> Parameters:
    memory = int(os.environ.get("ARGON2_MEMORY_KIB", FLOOR_MEMORY_KIB))
    iterations = int(os.environ.get("ARGON2_ITERATIONS", FLOOR_ITERATIONS))
    return Parameters(max(memory, FLOOR_MEMORY_KIB), max(iterations, FLOOR_ITERATIONS))


def hash_password(password: str, params: Parameters | None = None) -> str:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # heavy: only password work needs it

    p = params or parameters()
    kdf = Argon2id(
        salt=secrets.token_bytes(16), length=32, iterations=p.iterations, lanes=p.lanes, memory_cost=p.memory_kib
    )
    return kdf.derive_phc_encoded(password.encode("utf-8"))


def verify_password(password: str, phc: str) -> bool:
    from cryptography.exceptions import InvalidKey  # heavy (cryptography): only password work needs it
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    try:
        Argon2id.verify_phc_encoded(password.encode("utf-8"), phc)
    except (InvalidKey, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_verification_time(password: str) -> None:
    """Spend what a real check costs, so an unknown login answers as slowly as a wrong password."""
    verify_password(password, _dummy_hash())


def needs_rehash(phc: str) -> bool:
    match = _PHC.match(phc)
    if not match:
        return True
    memory, iterations, lanes = (int(g) for g in match.groups())
    wanted = parameters()
    return memory < wanted.memory_kib or iterations < wanted.iterations or lanes != wanted.lanes


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def check_new_password(password: str, login: str, field: str = "new_password") -> None:
    """Raise ValidationFailed with a Russian reason when `password` may not be used."""
    reason = None
    if len(password) < MIN_LENGTH:
        reason = t("passwords.too_short", min=MIN_LENGTH)
    elif len(password) > MAX_LENGTH:
        reason = t("passwords.too_long", max=MAX_LENGTH)
    elif password.strip().lower() == login.strip().lower():
        reason = t("passwords.same_as_login")
    elif password.lower() in common_passwords():
        reason = t("passwords.too_common")
    if reason:
        raise ValidationFailed("password rejected", fields={field: reason})


def temporary_password(length: int = 14) -> str:
    return "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(length))
