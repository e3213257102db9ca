"""What goes in and out of the API: request bodies (``*Create`` / ``*Update``) and responses
(``*Public``).

Inputs forbid unknown fields and are strict about types, so a typo or a wrong type is a 422
instead of a silently ignored or coerced value. Outputs are always ``*Public`` models built
from the domain rows, never the rows themselves, so a new column cannot leak by accident.

One module per family of routes (``accounts``, ``entries``, ``together``, ``progress``), the
shared value types and base in ``common``; every schema is named from here, ``api.schemas``.
"""

from __future__ import annotations

from confide.api.schemas.accounts import (
    CoupleJoin,
    CouplePublic,
    InvitePublic,
    LoginRequest,
    PartnerPublic,
    PersonPublic,
    PreferencesUpdate,
    RegisterRequest,
    TokenPublic,
)
from confide.api.schemas.common import (
    ErrorPublic,
    HealthPublic,
)
from confide.api.schemas.entries import (
    EntryCreate,
    EntryDetailPublic,
    EntryListQuery,
    EntryPagePublic,
    EntryPublic,
    EntryUpdate,
    JobPublic,
    RecordingAccepted,
    ResponseAudioForm,
    ResponseCreate,
    ResponsePublic,
    SearchHitPublic,
    SearchResultsPublic,
    SegmentPublic,
)
from confide.api.schemas.progress import (
    ProgressPublic,
    PromptChoicePublic,
    PromptPublic,
)
from confide.api.schemas.together import (
    CheckInAudioForm,
    CheckInCreate,
    CheckInPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    MutualAnswerCreate,
    MutualAnswerCreated,
    MutualAudioForm,
    MutualStatusPublic,
    ReminderCreate,
    ReminderPublic,
    ReminderUpdate,
)

__all__ = [
    "CheckInAudioForm",
    "CheckInCreate",
    "CheckInPublic",
    "CoupleJoin",
    "CouplePublic",
    "EntryCreate",
    "EntryDetailPublic",
    "EntryListQuery",
    "EntryPagePublic",
    "EntryPublic",
    "EntryUpdate",
    "ErrorPublic",
    "GoalCreate",
    "GoalPublic",
    "GoalUpdate",
    "HealthPublic",
    "InvitePublic",
    "JobPublic",
    "LoginRequest",
    "MutualAnswerCreate",
    "MutualAnswerCreated",
    "MutualAudioForm",
    "MutualStatusPublic",
    "PartnerPublic",
    "PersonPublic",
    "PreferencesUpdate",
    "ProgressPublic",
    "PromptChoicePublic",
    "PromptPublic",
    "RecordingAccepted",
    "RegisterRequest",
    "ReminderCreate",
    "ReminderPublic",
    "ReminderUpdate",
    "ResponseAudioForm",
    "ResponseCreate",
    "ResponsePublic",
    "SearchHitPublic",
    "SearchResultsPublic",
    "SegmentPublic",
    "TokenPublic",
]
