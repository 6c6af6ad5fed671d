"""Import sources never follow symbolic links (issue 12, point 9): a table file that is a link (to
``/etc/passwd``), a FIFO or a folder is refused with a German message naming it, nothing is copied;
the copy itself opens files with ``O_NOFOLLOW``, so a file swapped for a link after the check is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pipeline_helpers import BASE, cli, make_source

from zielwerk.pipeline import generations as gen
from zielwerk.pipeline import run as pipeline_run
from zielwerk.pipeline.run import DatasetRejected, copy_fingerprint, copy_source, run_import
from zielwerk.pipeline.sources import SourceRefused, check_source, resolve_in_root

PASSWD = Path("/etc/passwd")


def _link_passwd(src: Path, name: str = "persons.csv") -> None:
    (src / name).unlink()
    (src / name).symlink_to(PASSWD)


def _nothing_written(data: Path) -> bool:
    datasets = gen.datasets_dir(data)
    return gen.live_id(data) is None and (not datasets.exists() or not any(datasets.iterdir()))


def test_a_regular_folder_lists_exactly_the_contract_files(tmp_path):
    src = make_source(tmp_path / "quelle")
    (src / "notizen.txt").write_text("nicht Teil des Vertrags")
    assert check_source(src) == sorted(p.name for p in BASE.iterdir())


def test_symlink_to_etc_passwd_is_refused_by_the_check_and_the_copy(tmp_path):
    src = make_source(tmp_path / "quelle")
    _link_passwd(src)
    with pytest.raises(SourceRefused) as exc:
        check_source(src)
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith("persons.csv: Die Datei ist ein symbolischer Link")
    data = tmp_path / "daten"
    with pytest.raises(SourceRefused):
        copy_source(src, data)
    assert _nothing_written(data)
    assert copy_fingerprint(src) is None


def test_fifo_among_the_table_files_is_refused_without_blocking(tmp_path):
    src = make_source(tmp_path / "quelle")
    (src / "payments.csv").unlink()
    os.mkfifo(src / "payments.csv")  # opening it for reading would wait for a writer
    with pytest.raises(SourceRefused) as exc:
        check_source(src)
    assert exc.value.problems[0].startswith("payments.csv: Die Datei ist eine benannte Pipe (FIFO)")
    data = tmp_path / "daten"
    with pytest.raises(DatasetRejected) as rej:
        run_import(src, data)
    assert "payments.csv" in rej.value.message and rej.value.message.startswith("Der Datensatz wurde abgelehnt")
    assert _nothing_written(data)


def test_every_refused_file_is_named(tmp_path):
    src = make_source(tmp_path / "quelle")
    _link_passwd(src, "persons.csv")
    (src / "children.csv").unlink()
    (src / "children.csv").mkdir()
    with pytest.raises(SourceRefused) as exc:
        check_source(src)
    assert [p.split(":")[0] for p in exc.value.problems] == ["children.csv", "persons.csv"]
    assert "ein Ordner" in exc.value.problems[0]


def test_link_swapped_in_after_the_check_is_not_followed_by_the_copy(tmp_path, monkeypatch):
    """The race: the check saw a regular file, then it became a link. The copy opens it with O_NOFOLLOW."""
    src = make_source(tmp_path / "quelle")
    names = check_source(src)
    _link_passwd(src)
    monkeypatch.setattr(pipeline_run, "checked_names", lambda _fd: names)  # the check "already passed"
    data = tmp_path / "daten"
    with pytest.raises(SourceRefused) as exc:
        copy_source(src, data)
    assert "persons.csv" in exc.value.problems[0] and "symbolischer Link" in exc.value.problems[0]
    assert _nothing_written(data)


def test_cli_refuses_a_symlinked_table_file_with_a_german_message(tmp_path):
    src = make_source(tmp_path / "quelle")
    _link_passwd(src)
    data = tmp_path / "daten"
    r = cli("einlesen", str(src), "--data", str(data), "--kein-fortschritt")
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "persons.csv" in out and "symbolischer Link" in out and "Traceback" not in out
    assert _nothing_written(data)


def test_a_folder_link_is_followed_only_when_the_caller_allows_it(tmp_path):
    """The CLI follows a folder link the operator names (its files are still checked); the web does not."""
    src = make_source(tmp_path / "quelle")
    link = tmp_path / "verweis"
    link.symlink_to(src, target_is_directory=True)
    assert check_source(link) == sorted(p.name for p in BASE.iterdir())
    with pytest.raises(SourceRefused) as exc:
        check_source(link, follow_folder=False)
    assert "ist ein symbolischer Link" in exc.value.problems[0] and "verweis" in exc.value.problems[0]
    _link_passwd(src)
    with pytest.raises(SourceRefused) as exc:
        check_source(link)
    assert exc.value.problems[0].startswith("persons.csv:")


def test_resolve_in_root_accepts_only_real_folders_below_the_root(tmp_path):
    root = tmp_path / "import"
    (root / "2024" / "maerz").mkdir(parents=True)
    (tmp_path / "draussen").mkdir()
    assert resolve_in_root(root, "2024/maerz") == root / "2024" / "maerz"
    assert resolve_in_root(root, str(root / "2024")) == root / "2024"
    assert resolve_in_root(root, "2024/../2024/maerz") == root / "2024" / "maerz"
    for outside in ("../draussen", "2024/../../draussen", str(tmp_path / "draussen"), "/etc", "..", "/"):
        with pytest.raises(SourceRefused) as exc:
            resolve_in_root(root, outside)
        assert "nur aus Ordnern unterhalb von" in exc.value.problems[0], outside
    (root / "verweis").symlink_to(tmp_path / "draussen", target_is_directory=True)
    (root / "2024" / "innen").symlink_to(root / "2024" / "maerz", target_is_directory=True)
    for linked in ("verweis", "2024/innen", "./verweis/"):
        with pytest.raises(SourceRefused) as exc:
            resolve_in_root(root, linked)
        assert "symbolischer Link" in exc.value.problems[0], linked
    # ``..`` is resolved textually before anything is looked at: the link is never entered
    assert resolve_in_root(root, "verweis/../2024") == root / "2024"
    with pytest.raises(SourceRefused) as exc:
        resolve_in_root(root, "fehlt")
    assert "gibt es unterhalb von" in exc.value.problems[0]


def test_resolve_in_root_refuses_a_link_on_the_way_even_to_a_folder_inside(tmp_path):
    root = tmp_path / "import"
    (root / "echt" / "daten").mkdir(parents=True)
    (root / "abkuerzung").symlink_to(root / "echt", target_is_directory=True)
    with pytest.raises(SourceRefused) as exc:
        resolve_in_root(root, "abkuerzung/daten")
    assert "„abkuerzung“ ist ein symbolischer Link" in exc.value.problems[0]
