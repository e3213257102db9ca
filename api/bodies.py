"""Endpoints that take either a written answer (JSON) or a spoken one (multipart with a
``file``), as the issue asks of responses, mutual answers and goal check-ins.

FastAPI cannot declare "JSON or multipart" for one operation by itself, so these read the
body here and describe both media types in the OpenAPI schema with ``openapi_extra``.
Validation errors go through the same handler as everywhere else (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from confide.api.errors import UnsupportedMediaType
from confide.api.media import decode_upload, read_limited
from confide.models.errors import InvalidAudio

__all__ = ["Spoken", "read_json", "read_text_or_audio", "text_or_audio_body", "without_null"]

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Spoken:
    """A validated spoken upload: 16 kHz mono samples plus the form's other fields."""

    samples: np.ndarray
    rate: int


def _invalid(exc: ValidationError, where: str) -> RequestValidationError:
    errors: list[dict[str, Any]] = []
    for err in exc.errors(include_input=False, include_url=False):
        errors.append({**err, "loc": (where, *err.get("loc", ()))})
    return RequestValidationError(errors)


async def read_json(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


async def read_text_or_audio(
    request: Request, json_model: type[M], form_model: type[F], max_bytes: int,
) -> tuple[M, None] | tuple[F, Spoken]:
    """The JSON body as ``json_model``, or the multipart form as ``form_model`` plus its
    decoded ``file`` (refused unless it decodes as audio)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        return await read_json(request, json_model), None
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType(
            "Send JSON for a written answer, or multipart/form-data with a 'file' to speak it."
        )
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        fields: dict[str, Any] = {k: v for k, v in form.items()
                                  if k != "file" and isinstance(v, str)}
        if not isinstance(upload, UploadFile):
            raise InvalidAudio("Attach the recording as the form field 'file'.")
        data = await run_in_threadpool(read_limited, upload.file, max_bytes)
    try:
        parsed = form_model.model_validate(fields, strict=False)
    except ValidationError as exc:
        raise _invalid(exc, "body") from None
    samples, rate = await run_in_threadpool(decode_upload, data, max_bytes)
    return parsed, Spoken(samples, rate)


def without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A form field's schema without its ``null`` branch: a multipart form cannot send a
    null (it would arrive as the text "null"); leaving the field out is how it says none."""
    options = prop.get("anyOf")
    if not isinstance(options, list):
        return prop
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) != 1:
        return {**prop, "anyOf": kept}
    rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
    return {**kept[0], **rest}


def text_or_audio_body(json_model: type[BaseModel], form_model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` describing both request media types."""
    form_schema = form_model.model_json_schema()
    for name, prop in list(form_schema.get("properties", {}).items()):
        form_schema["properties"][name] = without_null(prop)
    form_schema.setdefault("properties", {})["file"] = {
        "type": "string", "format": "binary",
        "description": "The recording (WAV, FLAC, OGG, MP3, ...); checked by decoding.",
    }
    form_schema["required"] = ["file", *form_schema.get("required", [])]
    form_schema["additionalProperties"] = False
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_model.model_json_schema()},
                "multipart/form-data": {"schema": form_schema},
            },
        }
    }
