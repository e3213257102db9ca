"""The sealing primitives, all libsodium (PyNaCl): nothing here touches the database.

- A **data key** (32 random bytes) per entry, response or check-in seals its text
  (XSalsa20-Poly1305, ``SecretBox``) and its audio (XChaCha20-Poly1305 secretstream).
- A data key is **wrapped** for each reader: anonymously for a public key (``SealedBox``:
  X25519 + XSalsa20-Poly1305), so anyone may write and only the secret key's holder reads;
  or, once a reader has unlocked, with a symmetric key derived from their secret (faster to
  open, and only the reader could have made it).
- A person's secret key is wrapped with a key from their passphrase (Argon2id, random salt,
  parameters stored beside it) and with their recovery key (128 random bits, shown as words).
- Sealed audio is a stream of framed secretstream messages ending with a FINAL tag, so a file
  cut short by a crash opens up to its last whole frame and a truncated recording is detected.

Subkeys come from the data key through keyed BLAKE2b with a purpose label, so text, audio
and the search index never share a key.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox

from confide.models.errors import SealError

__all__ = [
    "KEY_BYTES",
    "KdfParams",
    "SealError",
    "StreamSealer",
    "derive",
    "index_term",
    "new_key",
    "new_keypair",
    "open_box",
    "open_stream",
    "passphrase_key",
    "public_of",
    "seal_box",
    "seal_stream",
    "unwrap_for",
    "wrap_for",
]

KEY_BYTES = 32
MAGIC = b"CFS1"
FRAME = 64 * 1024
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE


def new_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def new_keypair() -> tuple[bytes, bytes]:
    """(secret, public) X25519 keys as raw bytes."""
    sk = PrivateKey.generate()
    return bytes(sk), bytes(sk.public_key)


def public_of(secret: bytes) -> bytes:
    return bytes(PrivateKey(secret).public_key)


def derive(key: bytes, purpose: str) -> bytes:
    """A 32-byte subkey of ``key`` for one purpose (keyed BLAKE2b)."""
    return hashlib.blake2b(purpose.encode(), key=key, digest_size=KEY_BYTES).digest()


def seal_box(key: bytes, data: bytes) -> bytes:
    """Authenticated encryption with a random nonce (stored in front)."""
    return bytes(nacl.secret.SecretBox(key).encrypt(data))


def open_box(key: bytes, blob: bytes) -> bytes:
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(blob))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise SealError("These sealed bytes do not open with this key.") from exc


def wrap_for(public_key: bytes, data_key: bytes) -> bytes:
    """Seal a small key so only the holder of ``public_key``'s secret can open it."""
    return bytes(SealedBox(PublicKey(public_key)).encrypt(data_key))


def unwrap_for(secret_key: bytes, blob: bytes) -> bytes:
    try:
        return bytes(SealedBox(PrivateKey(secret_key)).decrypt(blob))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise SealError("This key was not sealed for you.") from exc


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost, stored with every passphrase wrap so it can be raised later."""

    ops: int = 3
    mem: int = 64 * 1024 * 1024

    @staticmethod
    def salt() -> bytes:
        return nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)


def passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The key a passphrase opens (Argon2id). NFC-normalised, so the same words typed on
    another keyboard or spoken and transcribed give the same key."""
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return bytes(nacl.pwhash.argon2id.kdf(KEY_BYTES, secret, salt, opslimit=params.ops,
                                          memlimit=params.mem))


def index_term(index_key: bytes, word: str) -> bytes:
    """A search term as the index stores it: a keyed hash of the normalised word, so the
    index answers "is this word in this journal" only for someone holding the key."""
    return hmac.new(index_key, word.encode(), hashlib.blake2b).digest()[:16]


class StreamSealer:
    """Writes a sealed stream frame by frame; each ``push`` is durable once flushed, so a
    crash loses at most the frame being written."""

    def __init__(self, key: bytes, out: BinaryIO) -> None:
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._out = out
        out.write(MAGIC + header)

    def push(self, data: bytes, *, final: bool = False) -> None:
        tag = _TAG_FINAL if final else _TAG_MESSAGE
        frame = sodium.crypto_secretstream_xchacha20poly1305_push(self._state, data, None, tag)
        self._out.write(struct.pack(">I", len(frame)) + frame)


def seal_stream(key: bytes, data: bytes, out: BinaryIO) -> None:
    """A whole file as a sealed stream ending with FINAL."""
    sealer = StreamSealer(key, out)
    chunks = [data[i:i + FRAME] for i in range(0, len(data), FRAME)] or [b""]
    for i, chunk in enumerate(chunks):
        sealer.push(chunk, final=i == len(chunks) - 1)


def _frames(blob: bytes) -> Iterator[bytes]:
    pos = len(MAGIC) + _HEADER
    while pos + 4 <= len(blob):
        (size,) = struct.unpack(">I", blob[pos:pos + 4])
        if pos + 4 + size > len(blob):
            return  # a frame cut short by a crash
        yield blob[pos + 4:pos + 4 + size]
        pos += 4 + size


def open_stream(key: bytes, blob: bytes, *, allow_truncated: bool = False) -> bytes:
    """The plaintext of a sealed stream. A stream without its FINAL frame is an error unless
    ``allow_truncated`` (a reply being recorded when the process died)."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _HEADER:
        raise SealError("This is not a sealed Confide file.")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            state, blob[len(MAGIC):len(MAGIC) + _HEADER], key)
        parts: list[bytes] = []
        final = False
        for frame in _frames(blob):
            message, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame, None)
            parts.append(message)
            if tag == _TAG_FINAL:
                final = True
                break
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise SealError("This sealed file does not open with this key, or was changed.") from exc
    if not final and not allow_truncated:
        raise SealError("This sealed file was cut short.")
    return b"".join(parts)
