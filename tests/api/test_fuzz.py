"""Property-based fuzzing of every operation in the OpenAPI schema with schemathesis, over
a real uvicorn server on loopback: no 5xx, and every response matches what the schema says
(status code, content type, body).

Each operation gets a bounded number of generated cases, as an anonymous client and as a
signed-in one whose couple has entries, responses and a goal, so ids the fuzzer picks
often exist.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import PASSPHRASE, Api, isolated_env, make_app, wav_bytes
from tests.api.server import serve_in_thread

pytestmark = [pytest.mark.api, pytest.mark.slow]

MAX_EXAMPLES = {"anonymous": 10, "signed-in": 25}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Signing out would end the signed-in client's session for every later case.
SKIP_SIGNED_IN = {("POST", "/api/auth/logout")}
# Operations whose JSON body the schema fully describes: whatever it allows is accepted (or
# refused for a state reason: 404, 409, 429), whatever it does not is refused.
BODY_CONTRACTS: list[Any] = [
    ("POST", "/api/auth/register"), ("POST", "/api/couples/join"), ("PATCH", "/api/me"),
    ("POST", "/api/reminders"), ("PATCH", "/api/reminders/{reminder_id}"),
    ("POST", "/api/entries"), ("PATCH", "/api/entries/{entry_id}"), ("POST", "/api/goals"),
    ("PATCH", "/api/goals/{goal_id}"),
]


@dataclass
class Target:
    base_url: str
    schema: Any
    token: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    home = tmp_path_factory.mktemp("fuzz")
    with isolated_env(home):
        app = make_app(home / "data")
        with TestClient(app) as client:  # seed through the API itself
            api = Api(client, app)
            alex, sam = api.user("Alex"), api.user("Sam")
            api.pair(alex, sam)
            shared = api.write(alex, "We walked by the river and talked.", "shared")
            api.write(alex, "A private thought.")
            client.post(f"/api/entries/{shared['id']}/responses", json={"text": "I hear you."},
                        headers=sam.headers)
            client.post("/api/recordings", headers=alex.headers, data={"journal": "shared"},
                        files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")})
            client.post("/api/goals", json={"title": "No phones at dinner"},
                        headers=alex.headers)
            client.post("/api/reminders", json={"days": [1], "local_time": "20:00"},
                        headers=alex.headers)
            schema_doc = client.get("/openapi.json").json()
        with serve_in_thread(app) as base_url:
            # A new start forgets every unlocked key: sign in again, as a client would.
            token = httpx.post(f"{base_url}/api/auth/token", timeout=30,
                               json={"name": "Alex", "passphrase": PASSPHRASE}
                               ).json()["access_token"]
            yield Target(base_url, schemathesis.openapi.from_dict(schema_doc), token)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("who", ["anonymous", "signed-in"])
def test_every_operation_survives_fuzzing(target: Target, who: str) -> None:
    headers = {"Authorization": f"Bearer {target.token}"} if who == "signed-in" else {}
    started = time.monotonic()
    checked = 0
    succeeded: set[str] = set()
    for operation in _operations(target.schema):
        if who == "signed-in" and (operation.method.upper(), operation.path) in SKIP_SIGNED_IN:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES[who], deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            response = case.call(base_url=target.base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS, headers=headers)
            if response.status_code < 300:
                succeeded.add(f"{case.operation.method.upper()} {case.operation.path}")

        fuzz()
        checked += 1
    assert checked >= 30
    assert time.monotonic() - started < 300
    # The fuzzer did reach the handlers, not only the sign-in check.
    if who == "signed-in":
        assert len(succeeded) >= 15, sorted(succeeded)
        assert {"GET /api/entries", "POST /api/entries", "GET /api/search"} <= succeeded
    else:
        assert succeeded <= {"POST /api/auth/register", "POST /api/auth/token", "GET /healthz",
                             "GET /readyz", "GET /metrics"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), BODY_CONTRACTS)
def test_the_schema_says_what_validation_enforces(target: Target, method: str, path: str,
                                                  mode: GenerationMode) -> None:
    headers = {"Authorization": f"Bearer {target.token}"}
    operation = next(op for op in _operations(target.schema)
                     if (op.method.upper(), op.path) == (method, path))
    media = "application/json"

    @given(case=operation.as_strategy(generation_mode=mode, media_type=media))
    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        response = case.call(base_url=target.base_url, headers=headers, timeout=30)
        case.validate_response(response, headers=headers, checks=[
            positive_data_acceptance if mode is GenerationMode.POSITIVE
            else negative_data_rejection])

    fuzz()

