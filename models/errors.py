"""Domain errors: every failure a journal operation can report, as a small hierarchy.

    ConfideError                 base; ``str(err)`` is a sentence fit for a person to read
    ├── NotFound                 no such thing, or the caller may not know it exists (404)
    ├── InvalidInput             the request can never succeed as given (422 / 400)
    │   ├── InvalidAudio         not decodable audio, empty, too short, or too long
    │   └── TooLarge             over a configured size limit (413)
    ├── Conflict                 valid, but clashes with the current state (409)
    │   └── Expired              an invite code or token past its time (410)
    ├── NotAuthenticated         missing, wrong, expired or revoked credentials (401)
    │   └── Locked               the content is sealed and the reader has not unlocked (401)
    ├── Forbidden                known to the caller but not theirs to change (403)
    │   └── SealError            sealed bytes that do not open: not sealed for this key, or changed
    └── RateLimited              too many attempts; ``retry_after`` seconds (429)

Operations raise these; the API maps them to status codes in one handler and the CLI
prints the message. A private entry is always ``NotFound`` for anyone but its author, so
its id does not leak.
"""

from __future__ import annotations

__all__ = [
    "ConfideError",
    "Conflict",
    "Expired",
    "Forbidden",
    "InvalidAudio",
    "InvalidInput",
    "Locked",
    "NotAuthenticated",
    "NotFound",
    "RateLimited",
    "SealError",
    "TooLarge",
]


class ConfideError(Exception):
    """Base of every domain error."""


class NotFound(ConfideError):
    pass


class InvalidInput(ConfideError):
    pass


class InvalidAudio(InvalidInput):
    pass


class TooLarge(InvalidInput):
    pass


class Conflict(ConfideError):
    pass


class Expired(Conflict):
    pass


class NotAuthenticated(ConfideError):
    pass


class Locked(NotAuthenticated):
    pass


class Forbidden(ConfideError):
    pass


class SealError(Forbidden):
    pass


class RateLimited(ConfideError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
