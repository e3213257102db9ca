"""Keys unlocked by a sign-in, cached in this process's memory, bound to the token.

Signing in opens the person's keys (their passphrase proves itself by opening them) and
seals them with a key derived from the token itself, which the database never holds (it
keeps the token's hash). A request that reaches another process, or this one after a
restart, opens them again from its token; sign-out erases them. So the database and the
token table together open nothing, and every process of a deployment can serve a person.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime

from confide.models.keys import Keys
from confide.models.tables import utcnow

__all__ = ["UnlockedSessions"]


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnlockedSessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, tuple[Keys, datetime]] = {}

    def put(self, token: str, keys: Keys, expires_at: datetime) -> None:
        with self._lock:
            self._by_token[_key(token)] = (keys, expires_at)

    def get(self, token: str) -> Keys | None:
        with self._lock:
            found = self._by_token.get(_key(token))
            if found is None:
                return None
            if found[1] <= utcnow():
                del self._by_token[_key(token)]
                return None
            return found[0]

    def drop(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(_key(token), None)

    def people(self) -> dict[int, Keys]:
        """Everyone unlocked right now (the transcription worker opens their recordings)."""
        now = utcnow()
        with self._lock:
            return {keys.person_id: keys for keys, until in self._by_token.values() if until > now}

    def clear(self) -> None:
        with self._lock:
            for keys, _until in self._by_token.values():
                keys.forget()
            self._by_token.clear()
