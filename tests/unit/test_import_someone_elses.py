"""An export is one person's journal: imported by someone else (a partner trying to take
theirs in as their own, at the same computer or another), it is refused with one line and
nothing is written; its own author brings it in anywhere, under a new name too when they
say which name they had. SQLite, and PostgreSQL when CONFIDE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.unit.entries_seed import BACKENDS, cleanup, invoker, listed, make_env, ok, seed

pytestmark = pytest.mark.unit


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def _export(tmp_path: Path, fmt: str, who: str = "Alex") -> Path:
    target = tmp_path / f"{who}.{fmt}"
    result = invoker("export")(str(target), "--format", fmt, who=who)
    assert result.exit_code == 0, result.output
    return target


def _without_exporter(export: Path) -> Path:
    """The same Day One export as Confide wrote it before exports named their exporter."""
    with zipfile.ZipFile(export) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    doc = json.loads(members["Journal.json"])
    del doc["metadata"]["confide"]
    members["Journal.json"] = json.dumps(doc).encode()
    older = export.with_name("older.zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    older.write_bytes(buf.getvalue())
    return older


def test_a_partners_export_is_refused_on_the_same_computer(tmp_path, monkeypatch, backend):
    settings = make_env(tmp_path, monkeypatch, backend)
    seed(settings)
    dayone, jrnl = _export(tmp_path, "dayone"), _export(tmp_path, "jrnl")
    entries_cli = invoker("entries")
    sams_before = listed(entries_cli, who="Sam")
    for who, args in [("Sam", ["dayone", str(dayone)]), ("Sam", ["jrnl", str(jrnl)]),
                      ("Sam", ["dayone", str(dayone), "--renamed-from", "Alex"]),
                      ("Lee", ["dayone", str(dayone)])]:
        refused = invoker("import")(*args, who=who)
        assert refused.exit_code == 1, (who, args, refused.output)
        assert "This export is Alex's journal, not yours: nothing was imported." in \
            refused.stderr.replace("\n", " ")
    assert listed(entries_cli, who="Sam") == sams_before
    assert listed(entries_cli, who="Lee") == []
    cleanup(settings)


def test_elsewhere_only_the_exporter_brings_it_in(tmp_path, monkeypatch, backend):
    source = make_env(tmp_path / "source", monkeypatch, backend)
    seed(source)
    dayone, jrnl = _export(tmp_path, "dayone"), _export(tmp_path, "jrnl")
    older = _without_exporter(dayone)
    cleanup(source)

    target = make_env(tmp_path / "target", monkeypatch, backend)
    from confide.models.accounts import register
    from confide.wiring import cli_session

    with cli_session(target) as s:
        register(s, "Sam", "correct horse 2")
        register(s, "Alexandra", "a new passphrase")
    entries_cli = invoker("entries")
    for args in (["dayone", str(dayone)], ["jrnl", str(jrnl)], ["dayone", str(older)]):
        refused = invoker("import")(*args, who="Sam")
        assert refused.exit_code == 1, (args, refused.output)
        message = " ".join(refused.stderr.split())
        assert "This export is Alex's journal, and you are Sam: nothing was imported." in message
        assert '--renamed-from "Alex"' in message
    assert listed(entries_cli, who="Sam") == []
    assert invoker("import")("dayone", str(dayone), who="Alexandra").exit_code == 1
    taken = invoker("import")("dayone", str(dayone), "--renamed-from", "alex", "--json",
                              who="Alexandra", passphrase="a new passphrase")
    assert taken.exit_code == 0, taken.output
    report = json.loads(taken.stdout)
    assert sum(len(i["entry_ids"]) for i in report["imported"]) == 1, report
    mine = json.loads(ok(entries_cli("list", "--json", who="Alexandra",
                                     passphrase="a new passphrase")).stdout)
    assert [(e["author"], e["transcript"]) for e in mine] == [
        ("Alexandra", "Über-honest talk 💬 about trust.\n\nWe *listened*, [really].")]
    cleanup(target)
