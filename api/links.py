"""OpenAPI links: which operation's answer gives the id another operation takes.

A client generated from the schema (and a stateful test) learns from these that the ``id``
of ``POST /api/entries`` is the ``entry_id`` of ``GET /api/entries/{entry_id}``, that an
upload's ``job_id`` is polled at ``GET /api/jobs/{job_id}``, and so on. Kept in one table
and added to the generated document, so every link names its target by path and method
(``operationRef``) and a test checks each target exists.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LINKS", "add_links", "operation_ref"]

Target = tuple[str, str, dict[str, str]]
"""(method, path, {parameter: runtime expression})"""

_ENTRY = "/api/entries/{entry_id}"
_GOAL = "/api/goals/{goal_id}"
_REMINDER = "/api/reminders/{reminder_id}"


def _entry_ops(expression: str) -> dict[str, Target]:
    param = {"entry_id": expression}
    return {
        "ReadEntry": ("get", _ENTRY, param), "ChangeEntry": ("patch", _ENTRY, param),
        "DeleteEntry": ("delete", _ENTRY, param),
        "MarkEntryRead": ("post", f"{_ENTRY}/read", param),
        "EntryAudio": ("get", f"{_ENTRY}/audio", param),
        "EntrySpeech": ("get", f"{_ENTRY}/speech", param),
        "ReadThread": ("get", f"{_ENTRY}/responses", param),
        "AnswerEntry": ("post", f"{_ENTRY}/responses", param),
    }


def _goal_ops(expression: str) -> dict[str, Target]:
    param = {"goal_id": expression}
    return {"ChangeGoal": ("patch", _GOAL, param),
            "ReadCheckins": ("get", f"{_GOAL}/checkins", param),
            "CheckIn": ("post", f"{_GOAL}/checkins", param)}


def _reminder_ops(expression: str) -> dict[str, Target]:
    param = {"reminder_id": expression}
    return {"ChangeReminder": ("patch", _REMINDER, param),
            "RemoveReminder": ("delete", _REMINDER, param)}


def _mutual_ops(expression: str) -> dict[str, Target]:
    param = {"prompt_id": expression}
    return {"ReadMutual": ("get", "/api/mutual/{prompt_id}", param),
            "AnswerMutual": ("post", "/api/mutual/{prompt_id}/answer", param)}


LINKS: dict[tuple[str, str, str], dict[str, Target]] = {
    ("post", "/api/entries", "201"): _entry_ops("$response.body#/id"),
    ("get", _ENTRY, "200"): _entry_ops("$response.body#/id"),
    ("get", "/api/entries", "200"): _entry_ops("$response.body#/items/0/id"),
    ("post", "/api/recordings", "202"): {
        "ReadJob": ("get", "/api/jobs/{job_id}", {"job_id": "$response.body#/job_id"}),
        **_entry_ops("$response.body#/entry_id"),
    },
    ("post", f"{_ENTRY}/responses", "201"): {
        "ResponseAudio": ("get", "/api/responses/{response_id}/audio",
                          {"response_id": "$response.body#/id"}),
    },
    ("get", f"{_ENTRY}/responses", "200"): {
        "ResponseAudio": ("get", "/api/responses/{response_id}/audio",
                          {"response_id": "$response.body#/0/id"}),
    },
    ("post", "/api/goals", "201"): _goal_ops("$response.body#/id"),
    ("get", "/api/goals", "200"): _goal_ops("$response.body#/0/id"),
    ("post", "/api/reminders", "201"): _reminder_ops("$response.body#/id"),
    ("get", "/api/reminders", "200"): _reminder_ops("$response.body#/0/id"),
    ("get", "/api/prompts/next", "200"): _mutual_ops("$response.body#/prompt/id"),
    ("get", "/api/prompts", "200"): _mutual_ops("$response.body#/0/id"),
}
"""(method, path, status) of the answer → {link name: the operation it feeds}."""


def operation_ref(method: str, path: str) -> str:
    """A JSON pointer to an operation of this document (RFC 6901 escaping)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Put ``LINKS`` into a generated OpenAPI document; a link to nothing is an error."""
    paths = schema.get("paths", {})
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        out = response.setdefault("links", {})
        for name, (to_method, to_path, parameters) in links.items():
            if to_method not in paths.get(to_path, {}):
                raise KeyError(f"link {name} from {method} {path} to {to_method} {to_path}: "
                               "no such operation")
            out[name] = {"operationRef": operation_ref(to_method, to_path),
                         "parameters": dict(parameters)}
    return schema
