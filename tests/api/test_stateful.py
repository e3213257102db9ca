"""The schemathesis command over every operation of the OpenAPI schema, as a client generated
from it would meet the API: every check it has, and the stateful phase, which follows the
schema's links (api/links.py) from what a write returns (an entry's id, an upload's job) to
the operations that take it. A real uvicorn server on loopback, seeded as the fuzz tests are.

Deterministic (``--generation-deterministic``, one worker), so a failure is the same failure
on the next run; bounded by ``--max-examples``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from confide.api.links import LINKS
from confide.api.security import RateLimiter
from tests.api.conftest import PASSPHRASE, Api, isolated_env, make_app, wav_bytes
from tests.api.server import serve_in_thread

pytestmark = [pytest.mark.api, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """\
[warnings]
fail-on = true

[auth.dynamic.openapi.HTTPBearer]
path = "/api/auth/token"
method = "post"
payload = {{ name = "Alex", passphrase = "{passphrase}" }}
extract_selector = "/access_token"
{operations}"""

# What a schema cannot say, each documented as the operation's 422 (api/errors.py NOT_AUDIO
# and the routes): whether an uploaded file decodes as audio, whether a cursor is one a page
# gave, whether a query has a word in it. Schema-valid data may get that 422 there.
ACCEPTED_422 = [("POST", "/api/recordings"), ("POST", "/api/entries/{entry_id}/responses"),
                ("POST", "/api/goals/{goal_id}/checkins"),
                ("POST", "/api/mutual/{prompt_id}/answer"), ("GET", "/api/entries"),
                ("GET", "/api/search")]
EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]


def _config() -> str:
    operations = "".join(
        f'\n[[operations]]\ninclude-path = "{path}"\ninclude-method = "{method}"\n'
        f"checks.positive_data_acceptance.expected-statuses = {EXPECTED!r}\n"
        for method, path in ACCEPTED_422).replace("'", '"')
    return CONFIG.format(passphrase=PASSPHRASE, operations=operations)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded server whose per-process limits on new accounts and uploads are lifted: the
    run makes thousands of requests from one address (the limits have their own tests)."""
    home = tmp_path_factory.mktemp("stateful")
    with isolated_env(home):
        app = make_app(home / "data")
        with TestClient(app) as client:
            api = Api(client, app)
            alex, sam = api.user("Alex"), api.user("Sam")
            api.pair(alex, sam)
            shared = api.write(alex, "We walked by the river and talked.", "shared")
            api.write(alex, "A private thought.")
            client.post(f"/api/entries/{shared['id']}/responses", headers=sam.headers,
                        files={"file": ("r.wav", wav_bytes(0.5), "audio/wav")})
            client.post("/api/recordings", headers=alex.headers, data={"journal": "shared"},
                        files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")})
            client.post("/api/goals", json={"title": "No phones at dinner"},
                        headers=alex.headers)
            client.post("/api/reminders", json={"days": [1], "local_time": "20:00"},
                        headers=alex.headers)
        runtime = app.state.runtime
        runtime.register_limiter = RateLimiter(limit=100_000, window_s=3600)
        runtime.upload_limiter = RateLimiter(limit=100_000, window_s=3600)
        with serve_in_thread(app) as url:
            yield url


def test_every_link_leads_to_an_operation_that_takes_its_parameters(base_url: str) -> None:
    schema = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    taking_ids = {(method, path) for path, ops in schema["paths"].items() for method in ops
                  if "{" in path}
    linked = {(m, p) for links in LINKS.values() for m, p, _ in links.values()}
    assert taking_ids <= linked, sorted(taking_ids - linked)
    for (method, path, status), links in LINKS.items():
        out = schema["paths"][path][method]["responses"][status]["links"]
        for name, (to_method, to_path, params) in links.items():
            target = schema["paths"][to_path][to_method]
            names = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
            assert set(params) <= names, (name, to_path)
            assert out[name]["parameters"] == params


def test_every_check_and_the_stateful_phase_find_nothing(base_url: str, tmp_path: Path) -> None:
    """0 failures and no warning: a "schema validation mismatch", an operation left untested
    for want of ids or behind 429s, each fails the run (``warnings.fail-on``)."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config())
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config),
               "--no-color", "run", f"{base_url}/openapi.json", "--checks", "all",
               "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", "10",
               "--generation-deterministic", "--workers", "1", "--request-timeout", "30"]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path,
                         env=env)
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    (tmp_path / "output.txt").write_text(output)
    assert run.returncode == 0, output[-20_000:]
    assert "warning" not in output.lower().split("summary")[-1], output[-20_000:]
    assert "mismatch" not in output.lower(), output[-20_000:]
    assert elapsed < 600, f"the run took {elapsed:.0f} s"
