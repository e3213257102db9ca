"""Archive paths in imports (zip-slip): a Day One zip's member names are looked up inside the
archive and read into memory, never joined to a folder on disk, so a member called
``../../x`` or ``/etc/x`` can neither be written outside nor read from outside the archive."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from confide.models.import_dayone import parse_dayone

EVIL = ["../../outside.m4a", "/etc/absolute.m4a", "audios/../../../escape.m4a"]


def test_member_names_with_dot_dot_or_a_root_stay_inside_the_archive(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "outside.m4a").write_bytes(b"a file outside the archive")
    entry = {"uuid": "A", "creationDate": "2024-03-05T17:22:00Z", "text": "",
             "audios": [{"identifier": "A1", "md5": "d41d8cd98f00b204e9800998ecf8427e",
                         "format": "m4a"}]}
    path = work / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../Journal.json", json.dumps({"entries": [entry]}))
        archive.writestr("../audios/d41d8cd98f00b204e9800998ecf8427e.m4a", b"member bytes")
        for name in EVIL:
            archive.writestr(name, b"evil")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    parsed = parse_dayone(path, ZoneInfo("UTC"))
    (recording,) = parsed.candidates
    assert recording.audio is not None
    loaded = recording.audio.load()
    assert loaded == b"member bytes", "read from the archive, not from a path it names"
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "nothing was written"
    assert not Path("/etc/absolute.m4a").exists()
