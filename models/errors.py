"""Domain errors: every failure the product reports, as one small hierarchy.

    ConfideError                 base; ``str(err)`` is a sentence fit for a person to read;
    │                            raised as itself only for a fault of this installation (500)
    ├── NotFound                 no such thing, or the caller may not know it exists (404)
    │   ├── NoPromptAvailableError  no prompt at all fits a session (prompts.selector)
    │   ├── UnknownPromptError   no prompt with this id (prompts.library)
    │   └── UnknownProgramError  no program with this id (prompts.library)
    ├── InvalidInput             the request can never succeed as given (422)
    │   ├── InvalidAudio         not decodable audio, empty, too short, or too long
    │   ├── TooLarge             over a configured size limit (413)
    │   ├── UnsupportedMediaType  neither JSON nor multipart where one is needed (415, api.errors)
    │   └── UsageError           a command line that cannot work as typed (exit 2)
    ├── Conflict                 valid, but clashes with the current state (409)
    │   └── Expired              an invite code or token past its time (410)
    ├── NotAuthenticated         missing, wrong, expired or revoked credentials (401)
    │   └── Locked               the content is sealed and the reader has not unlocked (401)
    ├── Forbidden                known to the caller but not theirs to change (403)
    │   └── SealError            sealed bytes that do not open: not sealed for this key, or changed
    ├── RateLimited              too many attempts; ``retry_after`` seconds (429)
    ├── Unavailable              a local engine (speech in or out, a device) cannot work now (503)
    ├── SettingsError            the settings cannot work; says what to change (confide.settings, exit 2)
    ├── LibraryError             the prompt library's data breaks a rule (prompts.library)
    └── PlainTextLeak            journal content about to be written unsealed: a bug (models.sealing)

Operations raise these; the API maps them to status codes in one table (``_STATUS`` in
``api/errors.py``) and the CLI to exit codes in another (``EXIT_CODES`` in
``confide/cli_support.py``), printing the sentence. The engines below the domain
(``voice.audio_file``, ``voice.whisper``, the devices) import nothing of ours and raise their
own errors; the product's edge turns those into these (``voice.decoding`` for audio,
``confide.cli_support.engine_errors`` for the commands that start an engine). A private
entry is always ``NotFound`` for anyone but its author, so its id does not leak.

This module imports nothing, and importing it loads nothing else (``models/__init__.py``
is empty of imports), so the settings loader, the prompt library and the quick search raise
the same tree without loading SQLAlchemy (tests/unit/test_error_tree.py keeps it so).
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
    "Unavailable",
    "UsageError",
]


class ConfideError(Exception):
    """Base of every error the product raises."""


class NotFound(ConfideError):
    pass


class InvalidInput(ConfideError):
    pass


class InvalidAudio(InvalidInput):
    pass


class TooLarge(InvalidInput):
    pass


class UsageError(InvalidInput):
    """Options that cannot go together or a value out of range, as typed (the CLI's exit 2,
    as Click answers its own usage errors)."""


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


class Unavailable(ConfideError):
    pass


class RateLimited(ConfideError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
