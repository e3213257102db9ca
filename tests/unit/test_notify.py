"""Desktop notifications: shown through notify-send when there is one, quiet failure otherwise."""

from __future__ import annotations

import logging
import subprocess

import pytest

from confide.voice.notify import DesktopNotifier, notify_send_command

pytestmark = pytest.mark.unit


def test_notification_goes_through_notify_send():
    calls: list[list[str]] = []

    def runner(command, timeout):
        calls.append(list(command))
        return 0, ""

    notifier = DesktopNotifier(runner=runner, which=lambda name: f"/usr/bin/{name}")
    assert notifier("Time for your reflection", "-- say yes") is True
    (command,) = calls
    assert command[0] == "/usr/bin/notify-send"
    assert "--app-name=Confide" in command
    assert command[-3:] == ["--", "Time for your reflection", "-- say yes"]


def test_no_binary_fails_quietly_with_one_log_line(caplog):
    notifier = DesktopNotifier(runner=lambda c, t: pytest.fail("must not run"),
                               which=lambda _: None)
    with caplog.at_level(logging.DEBUG, logger="confide.voice.notify"):
        assert notifier("a", "b") is False
        assert notifier("a", "b") is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "libnotify-bin" in warnings[0].getMessage()


@pytest.mark.parametrize(
    "outcome",
    [(1, "Could not connect: No such file or directory"), OSError("exec format error"),
     subprocess.TimeoutExpired(["notify-send"], 5)],
)
def test_no_notification_service_fails_quietly(caplog, outcome):
    def runner(command, timeout):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    notifier = DesktopNotifier(runner=runner, which=lambda name: f"/usr/bin/{name}")
    with caplog.at_level(logging.WARNING, logger="confide.voice.notify"):
        assert notifier("a", "b") is False
    assert [r.name for r in caplog.records] == ["confide.voice.notify"]
    assert "no desktop notification" in caplog.records[0].getMessage()


def test_command_can_ask_for_an_expiry():
    assert "--expire-time=5000" in notify_send_command("notify-send", "t", "b", expire_ms=5000)
