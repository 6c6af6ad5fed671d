"""``zielwerk einlesen`` / ``zielwerk status`` and the pipeline's results on the small corpus dataset."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from pipeline_helpers import cli, leftovers, make_source, status, tree_hashes

from zielwerk.pipeline import generations as gen


def test_einlesen_publishes_one_generation_and_status_checks_it(tmp_path):
    src = make_source(tmp_path / "quelle")
    before = tree_hashes(src)
    data = tmp_path / "neu" / "daten"  # created by the command
    r = cli("einlesen", str(src), "--data", str(data), "--kein-fortschritt")
    assert r.returncode == 0, r.stderr + r.stdout
    assert "ist live" in r.stdout
    assert tree_hashes(src) == before  # the source is only read
    st = status(data)
    assert st["consistent"] is True and st["problems"] == []
    live = gen.live_generation(data)
    assert st["generation"] == live.id
    manifest = live.manifest()
    assert manifest["generation"] == live.id
    # the dataset copy is content-addressed and holds exactly the source's files
    copy = gen.state_dir(data) / manifest["dataset"]["path"]
    assert tree_hashes(copy) == before
    assert st["fingerprint"] == manifest["dataset"]["fingerprint"] == copy.name
    assert set(manifest["timings"]) >= {"kopieren", "pruefen", "kennzahlen", "monitoring", "listen", "falldaten"}
    for part in ("results/kennzahlen.parquet", "results/caseload.parquet", "results/meta.json",
                 "lists/meta.json", "caseview/status.parquet"):
        assert part in manifest["parts"]
    meta = json.loads((live.part("results") / "meta.json").read_text())
    lists_meta = json.loads((live.part("lists") / "meta.json").read_text())
    assert meta["generation"] == lists_meta["generation"] == live.id
    # as_of 31.12.2017: 36 months on the pages, the last three provisional (C11)
    assert (meta["first_month"], meta["last_month"]) == ("2015-01", "2017-12")
    assert meta["provisional_months"] == ["2017-12", "2017-11", "2017-10"]
    kz = pq.read_table(live.part("results") / "kennzahlen.parquet")
    assert min(kz["month"].to_pylist()) == "2015-01"
    # the caseload at 31.12.2017 (assignments.csv): P0001 with CW01 since 2014; P0004's ended 28.02.2017
    caseload = pq.read_table(live.part("results") / "caseload.parquet").to_pylist()
    assert [(r["person_id"], r["caseworker_id"]) for r in caseload] == [("P0001", "CW01")]
    text = cli("status", "--data", str(data))
    assert text.returncode == 0 and "Konsistent: ja" in text.stdout and live.id in text.stdout
    # tampering is found
    (live.part("results") / "meta.json").write_text("{}")
    r = cli("status", "--data", str(data), "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["consistent"] is False
    assert leftovers(data) == []


def test_an_invalid_source_is_refused_with_positions_and_nothing_changes(tmp_path):
    data = tmp_path / "daten"
    good = make_source(tmp_path / "gut")
    assert cli("einlesen", str(good), "--data", str(data), "--kein-fortschritt").returncode == 0
    live = gen.live_id(data)
    snapshot = tree_hashes(data / ".zielwerk")
    bad = make_source(tmp_path / "schlecht")
    rows = (bad / "persons.csv").read_text("utf-8").splitlines()
    header = rows[0].split(",")
    fields = rows[2].split(",")
    fields[header.index("birth_date")] = "1980-13-01"
    rows[2] = ",".join(fields)
    (bad / "persons.csv").write_text("\n".join(rows) + "\n", "utf-8")
    r = cli("einlesen", str(bad), "--data", str(data), "--kein-fortschritt")
    assert r.returncode == 1
    # line 3 of the file (header = line 1), column birth_date
    assert "persons:3:birth_date:" in r.stdout
    assert "abgelehnt" in r.stderr and "Nichts wurde übernommen" in r.stderr
    assert gen.live_id(data) == live
    after = tree_hashes(data / ".zielwerk")
    after.pop("import.lock", None)
    snapshot.pop("import.lock", None)
    assert after == snapshot  # no new dataset copy, generation, staging or temporary file
    assert status(data)["consistent"] is True


def test_status_of_an_empty_data_folder(tmp_path):
    st = status(tmp_path)
    assert st["generation"] is None and st["consistent"] is True


def test_the_worker_beyond_its_memory_limit_stops_with_a_german_message(tmp_path):
    from pipeline_helpers import worker

    src = make_source(tmp_path / "quelle")
    data = tmp_path / "daten"
    progress = tmp_path / "fortschritt.json"
    # 300 MB of address space do not even hold the engine's libraries
    p = worker(src, data, "--memory-mb", "300", "--progress", str(progress))
    _out, err = p.communicate(timeout=300)
    assert p.returncode == 2
    info = json.loads(progress.read_text("utf-8"))
    assert info["state"] == "error" and "mehr Arbeitsspeicher als erlaubt" in info["message"]
    assert "Nichts wurde übernommen" in err
    assert gen.live_id(data) is None and leftovers(data) == []
