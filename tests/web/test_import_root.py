"""The Daten page imports folders only from the import root (issue 12, point 9): default ``<data>/import``
(created), ``ZIELWERK_IMPORT_ROOT`` or ``WebConfig.import_root``; ``..`` escapes, absolute paths elsewhere,
the data folder's parent (the former default), symbolic links (folder or table file, e.g. to
``/etc/passwd``) and FIFOs are refused with HTTP 422 and a German message; nothing is copied or started."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import audit_rows, build_app, csrf_of, login

from zielwerk.pipeline import generations as gen
from zielwerk.web.config import IMPORT_ROOT_ENV, WebConfig

BASE = Path(__file__).resolve().parents[1] / "data_io" / "corpus" / "base"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.delenv(IMPORT_ROOT_ENV, raising=False)
    data = tmp_path / "daten"
    app = build_app(data)
    c = TestClient(app, base_url="https://testserver")
    assert login(c, "controlling").status_code == 303
    yield app, c, data
    c.close()
    app.state.engine.dispose()


def _post(c: TestClient, folder: str):
    return c.post("/daten/ordner", data={"folder": folder, "csrf_token": csrf_of(c, "/daten")})


def _tree(data: Path) -> dict[str, bytes]:
    """Everything in the data folder except the import root and the database (sessions, audit)."""
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(data).parts[0] != "import"
            and not p.name.startswith("zielwerk.db")}


def _untouched(app, data: Path, before: dict[str, bytes]) -> bool:
    """Nothing started, nothing copied (no dataset store), no generation or file changed, nothing audited."""
    return (not app.state.batch.running and _tree(data) == before and not gen.datasets_dir(data).exists()
            and audit_rows(app, action="data.import") == [])


def test_default_root_is_data_import_created_and_shown(site):
    app, c, data = site
    assert app.state.config.import_root is None
    root = app.state.config.import_root_dir()
    assert root == (data / "import").resolve() and root.is_dir()
    assert str(root) in c.get("/daten").text


def test_root_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(IMPORT_ROOT_ENV, str(tmp_path / "eingang"))
    cfg = WebConfig(data_dir=tmp_path / "daten")
    assert cfg.import_root_dir() == (tmp_path / "eingang").resolve()
    monkeypatch.delenv(IMPORT_ROOT_ENV)
    assert WebConfig(data_dir=tmp_path / "daten").import_root_dir() == (tmp_path / "daten" / "import").resolve()


def test_the_former_default_the_data_folders_parent_is_refused(site, tmp_path):
    app, c, data = site
    before = _tree(data)
    shutil.copytree(BASE, tmp_path / "quelle")  # beside the data folder: allowed before issue 12
    for folder in (str(tmp_path / "quelle"), "../../quelle", "../quelle", "/etc", "/", "..",
                   "sub/../../../quelle"):
        r = _post(c, folder)
        assert r.status_code == 422, folder
        assert "Importe sind nur aus Ordnern unterhalb von" in r.text, folder
    assert _untouched(app, data, before)


def test_symlinked_table_file_to_etc_passwd_is_refused(site):
    app, c, data = site
    before = _tree(data)
    src = app.state.config.import_root_dir() / "mit-link"
    shutil.copytree(BASE, src)
    (src / "persons.csv").unlink()
    (src / "persons.csv").symlink_to("/etc/passwd")
    r = _post(c, "mit-link")
    assert r.status_code == 422
    assert "persons.csv: Die Datei ist ein symbolischer Link" in r.text and "Nichts wurde übernommen" in r.text
    assert _untouched(app, data, before)


def test_symlinked_folder_is_refused_even_when_it_points_inside_the_root(site, tmp_path):
    app, c, data = site
    before = _tree(data)
    root = app.state.config.import_root_dir()
    shutil.copytree(BASE, root / "echt")
    shutil.copytree(BASE, tmp_path / "draussen")
    (root / "nach-draussen").symlink_to(tmp_path / "draussen", target_is_directory=True)
    (root / "nach-innen").symlink_to(root / "echt", target_is_directory=True)
    for folder in ("nach-draussen", "nach-innen", str(root / "nach-innen")):
        r = _post(c, folder)
        assert r.status_code == 422 and "ist ein symbolischer Link" in r.text, folder
    assert _untouched(app, data, before)


def test_fifo_is_refused(site):
    app, c, data = site
    before = _tree(data)
    src = app.state.config.import_root_dir() / "mit-fifo"
    shutil.copytree(BASE, src)
    (src / "households.csv").unlink()
    os.mkfifo(src / "households.csv")
    r = _post(c, "mit-fifo")
    assert r.status_code == 422 and "households.csv: Die Datei ist eine benannte Pipe (FIFO)" in r.text
    assert _untouched(app, data, before)


def test_missing_or_empty_folder_inside_the_root_is_refused(site):
    app, c, data = site
    before = _tree(data)
    (app.state.config.import_root_dir() / "leer").mkdir()
    r = _post(c, "fehlt")
    assert r.status_code == 422 and "gibt es unterhalb von" in r.text
    r = _post(c, "leer")
    assert r.status_code == 422 and "keine Tabellen des Datenvertrags" in r.text
    assert _untouched(app, data, before)


def test_upload_refuses_file_names_with_path_parts(site):
    app, c, data = site
    before = _tree(data)
    for name in ("../persons.csv", "sub/persons.csv", "/tmp/persons.csv", "..\\persons.csv"):
        r = c.post("/daten/hochladen", files=[("files", (name, b"person_id\n", "text/csv"))],
                   data={"csrf_token": csrf_of(c, "/daten")})
        assert r.status_code == 422 and "Unbekannte Dateinamen" in r.text, name
    assert not (gen.state_dir(data) / gen.IMPORTS).exists() or not any((gen.state_dir(data) / gen.IMPORTS).iterdir())
    assert _untouched(app, data, before)


def test_a_real_folder_inside_the_root_is_imported(site):
    app, c, data = site
    src = app.state.config.import_root_dir() / "2017" / "dezember"
    shutil.copytree(BASE, src)
    r = _post(c, "2017/../2017/dezember")
    assert r.status_code == 202, r.text
    deadline = time.time() + 600
    while app.state.batch.running and time.time() < deadline:
        time.sleep(0.2)
    assert app.state.batch.error is None, (app.state.batch.error, app.state.batch.problems[:5])
    manifest = gen.live_generation(data).manifest()
    assert manifest["source"] == str(src.resolve())
    copy = gen.state_dir(data) / manifest["dataset"]["path"]
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == {p.name: p.read_bytes() for p in BASE.iterdir()}
