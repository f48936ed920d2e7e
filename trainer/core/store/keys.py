"""This workstation's signing key, and the keys of the workstations whose bundles it accepts.

Each workstation signs its results bundles with its own Ed25519 key pair, created on first use
beside the database: the private key in `workstation-key.pem`, readable only by its owner (file
0600 in a 0700 folder). A signature shows that a bundle was written by whoever can read that file
and has not been changed since: it protects a bundle edited in transit, or by someone without the
workstation's operating-system account. It does not protect against that account's holder, who
can read the private key.

The signatures are Ed25519 (RFC 8032) made by libsodium through PyNaCl; the key file is the
standard PKCS #8 PEM form of an Ed25519 key (RFC 8410), which `openssl pkey` reads.

A workstation accepts a bundle only from a key in its `trusted_keys` table. A key is trusted when
a supervisor accepts its fingerprint (the dashboard asks on the first bundle from it), or when the
person at the keyboard vouches for it (`trainer import --trust`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import nacl.exceptions
import nacl.signing

from trainer.core.errors import TrainerError
from trainer.core.store.files import FILE_MODE, os_problem, private_folder
from trainer.core.store.records import now, to_iso

KEY_NAME = "workstation-key.pem"
# PKCS #8 for an Ed25519 private key is this fixed DER prefix and the 32-byte seed (RFC 8410 s7).
_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_PEM_BEGIN, _PEM_END = "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"


class UntrustedKey(TrainerError):
    """A bundle signed by a key this workstation does not trust (yet)."""

    def __init__(self, message: str, fingerprint: str, workstation_id: str) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint
        self.workstation_id = workstation_id


def fingerprint(public_key: bytes) -> str:
    """The SHA-256 of the raw public key, as 16 groups of four hex digits (what people compare)."""
    digest = hashlib.sha256(public_key).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 64, 4))


def encode_key(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode("ascii")


def decode_key(text: object, where: str) -> bytes:
    """The raw 32-byte public key a bundle carries (base64); TrainerError when it is not one."""
    try:
        raw = base64.b64decode(str(text).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise TrainerError(f"{where}: public_key: not a base64 Ed25519 key") from exc
    if not isinstance(text, str) or len(raw) != 32:
        raise TrainerError(f"{where}: public_key: not an Ed25519 public key")
    return raw


@dataclass(frozen=True)
class SigningKey:
    private: nacl.signing.SigningKey

    @property
    def public(self) -> bytes:
        return bytes(self.private.verify_key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(nacl.signing.SigningKey.generate())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message).signature).decode("ascii")

    def pem(self) -> bytes:
        """The private key as a PKCS #8 PEM file holds it."""
        der = base64.b64encode(_PKCS8_PREFIX + bytes(self.private)).decode("ascii")
        return f"{_PEM_BEGIN}\n{der}\n{_PEM_END}\n".encode("ascii")

    @classmethod
    def from_pem(cls, data: bytes) -> SigningKey:
        """The key in a PKCS #8 PEM file; ValueError when it is not an Ed25519 private key."""
        text = data.decode("ascii").strip()
        if not (text.startswith(_PEM_BEGIN) and text.endswith(_PEM_END)):
            raise ValueError("not a PEM private key")
        body = "".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split())
        der = base64.b64decode(body.encode("ascii"), validate=True)
        if len(der) != len(_PKCS8_PREFIX) + 32 or not der.startswith(_PKCS8_PREFIX):
            raise ValueError("not an Ed25519 private key")
        return cls(nacl.signing.SigningKey(der[len(_PKCS8_PREFIX) :]))


def verify(public_key: bytes, signature: object, message: bytes, where: str) -> None:
    """TrainerError unless `signature` (base64) is the key's signature of `message`."""
    try:
        raw = base64.b64decode(str(signature).encode("ascii"), validate=True)
        nacl.signing.VerifyKey(public_key).verify(message, raw)
    except (binascii.Error, UnicodeEncodeError, nacl.exceptions.CryptoError, ValueError) as exc:
        raise TrainerError(
            f"{where}: signature: does not match the bundle; it was altered after signing"
        ) from exc


def signing_key(folder: Path) -> SigningKey:
    """This workstation's key, created on first use in `folder` (the database's folder)."""
    path = folder / KEY_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    except OSError as exc:
        raise TrainerError(os_problem(path, exc, "cannot read the workstation key")) from exc
    try:
        return SigningKey.from_pem(data)
    except (ValueError, binascii.Error) as exc:  # UnicodeDecodeError is a ValueError
        raise TrainerError(
            f"{path}: not an Ed25519 workstation key; move it away and a new one is made (other "
            "workstations must then accept the new key)"
        ) from exc


def _create(path: Path) -> SigningKey:
    key = SigningKey.generate()
    pem = key.pem()
    part = path.with_name(f".{path.name}.part")
    try:
        private_folder(path.parent)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)  # the umask may have narrowed it; never widened
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(part, path)  # two processes at once: the first key wins, never replaced
        except FileExistsError:
            return signing_key(path.parent)
    except OSError as exc:
        raise TrainerError(os_problem(path, exc, "cannot create the workstation key")) from exc
    finally:
        part.unlink(missing_ok=True)
    return key


# Trusted keys ------------------------------------------------------------------------------


def trusted_workstation(conn: sqlite3.Connection, print_: str) -> str | None:
    """The workstation id a trusted key (by fingerprint) was accepted for, or None."""
    row = conn.execute(
        "SELECT workstation_id FROM trusted_keys WHERE fingerprint = ?", [print_]
    ).fetchone()
    return None if row is None else str(row[0])


def trust_key(
    conn: sqlite3.Connection, public_key: bytes, workstation_id: str, accepted_by: str
) -> None:
    """Record the key as trusted (inside a write transaction); a known key is left as it was."""
    moment = now()
    conn.execute(
        "INSERT INTO trusted_keys (fingerprint, public_key, workstation_id, accepted_by, "
        "accepted_at, accepted_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [fingerprint(public_key), encode_key(public_key), workstation_id, accepted_by,
         to_iso(moment), moment.timestamp()],
    )  # fmt: skip
