"""The browser tier: a real ``uvicorn`` serving the whole app on loopback, a seeded journal,
and Debian's headless Chromium driven by Playwright (never a downloaded browser build).

axe-core comes from the npm registry (``tests/browser/package.json``; ``npm ci`` there)
and is injected into pages from that local file. Screenshots of every page visited go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from confide.settings import Settings
from tests.browser.seed import PASSPHRASES, Seeded, seed_journal

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    # A fake microphone (a tone), granted without a prompt, for recording in the browser.
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
]


@dataclass(frozen=True)
class Server:
    base_url: str
    seeded: Seeded
    data_dir: Path


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/signin", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")  # torn down after the browser tests: Playwright keeps an event loop running
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``uvicorn --factory api.web.testing:app_from_env`` on a socket bound here (no race
    for the port), with its own data folder and no config file from the developer."""
    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is needed to synthesize the test recording (scripts/setup)")
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    seeded = seed_journal(Settings(data_dir=data))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_")}
    env.update({
        "CONFIDE_DATA_DIR": str(data),
        "CONFIDE_CONFIG": str(root / "none.toml"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "xdg-data"),
        "PYTHONPATH": str(REPO),
    })
    log = root / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "confide.api.web.testing:app_from_env",
             "--fd", str(sock.fileno()), "--log-level", "warning", "--no-access-log"],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log)
        yield Server(base, seeded, data)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        problems = [line for line in log.read_text(errors="replace").splitlines()
                    if re.search(r"Traceback|ERROR", line)]
        if problems:
            pytest.fail("the server logged errors:\n" + "\n".join(problems[:20]))


@pytest.fixture(scope="package")  # torn down after the browser tests: Playwright keeps an event loop running
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless; skipped never — a missing browser is a failure."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (scripts/setup does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser: Any, server: Server, *, width: int = 1280, height: int = 900,
             color_scheme: str = "light", state: dict[str, Any] | None = None) -> Any:
    """A fresh context (its own cookies, or ``state``'s); CSP is bypassed only so axe can
    be injected."""
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": width, "height": height},
        color_scheme=color_scheme, bypass_csp=True, reduced_motion="reduce",
        storage_state=state,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Any, name: str) -> None:
    page.goto("/signin")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Passphrase").fill(PASSPHRASES[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/journal")


@pytest.fixture(scope="package")  # torn down after the browser tests: Playwright keeps an event loop running
def sam_state(browser: Any, server: Server) -> dict[str, Any]:
    """Sam's signed-in cookies, made once through the sign-in form and reused (a test that
    signs out signs in on its own, so this session stays valid)."""
    page = new_page(browser, server)
    sign_in(page, "Sam")
    state: dict[str, Any] = page.context.storage_state()
    page.context.close()
    return state


@pytest.fixture
def sam_page(browser: Any, server: Server, sam_state: dict[str, Any]) -> Iterator[Any]:
    """Sam, the partner away from the voice station, signed in, on the shared journal."""
    page = new_page(browser, server, state=sam_state)
    page.goto("/journal")
    yield page
    page.context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.0–2.2 A and AA rules)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/browser")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'wcag22aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)
