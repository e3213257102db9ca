"""A real PulseAudio server with a virtual speaker and microphone, for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from confide.voice.virtual_sound import VirtualSoundServer


@pytest.fixture(scope="session")
def sound_server() -> Iterator[VirtualSoundServer]:
    server = VirtualSoundServer().start()
    try:
        from confide.voice.devices import refresh

        refresh()
        yield server
    finally:
        server.stop()
