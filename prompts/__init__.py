"""The prompt library (data files) and how tonight's prompt is chosen.

Everything here is pure or reads only the bundled data; it imports neither ``api`` nor
``voice``, so both can call it, and the database layer passes in the facts it stores.
"""

from confide.prompts.custom import as_prompt, custom_prompt_id, validate_custom_prompt
from confide.prompts.library import (
    ARTICLE_THEMES,
    Audience,
    Context,
    Depth,
    Library,
    LibraryError,
    Messages,
    Program,
    Prompt,
    Theme,
    UnknownProgramError,
    UnknownPromptError,
    allowed_in,
    load_library,
    load_messages,
)
from confide.prompts.programs import (
    ProgramState,
    ProgramStatus,
    completes_day,
    is_complete,
    natural_context,
    program_intro,
    program_state,
)
from confide.prompts.safety import crisis_message, help_message, is_crisis
from confide.prompts.selector import (
    REPEAT_WINDOW_DAYS,
    Choice,
    HistoryItem,
    NoPromptAvailableError,
    Reason,
    first_sentence,
    follow_up,
    next_prompt,
    revisit_text,
)

__all__ = [
    "ARTICLE_THEMES",
    "REPEAT_WINDOW_DAYS",
    "Audience",
    "Choice",
    "Context",
    "Depth",
    "HistoryItem",
    "Library",
    "LibraryError",
    "Messages",
    "NoPromptAvailableError",
    "Program",
    "ProgramState",
    "ProgramStatus",
    "Prompt",
    "Reason",
    "Theme",
    "UnknownProgramError",
    "UnknownPromptError",
    "allowed_in",
    "as_prompt",
    "completes_day",
    "crisis_message",
    "custom_prompt_id",
    "first_sentence",
    "follow_up",
    "help_message",
    "is_complete",
    "is_crisis",
    "load_library",
    "load_messages",
    "natural_context",
    "next_prompt",
    "program_intro",
    "program_state",
    "revisit_text",
    "validate_custom_prompt",
]
