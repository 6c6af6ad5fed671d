"""Benchmark of the supervision matrix (issue 14 item 6): ``/aufsicht`` for an ``aufsicht`` user over many
Jobcenters with agreements, against a light page measured in the same run.

    .venv/bin/python -m bench.aufsicht [--jobcenters 24] [--samples 30]

Set-up (a temporary data folder, nothing else touched): ``--jobcenters`` Jobcenters with synthetic
official figures (every official indicator and sex, 2012-01..2016-09, seasonal pattern plus noise,
deterministic) and one agreement each — the example agreement ``examples/siegen-wittgenstein-2016``
with its Jobcenter replaced and ``reihe = "amtlich"``, so every row is monitored on the official series
(:func:`zielwerk.official.series.official_series_set`, as for a Jobcenter without person-level data) —
and one ``aufsicht`` user assigned to all of them. The app runs in this process (Starlette's test
client: the full request path — session, permission, store queries, template — without the network).

Measured, one run:

1. baseline: ``/konto`` (a light page with the same session and layout) — p50/p95 over ``--samples``;
2. ``/aufsicht`` cold: the first request after start (every agreement monitored, then cached);
3. ``/aufsicht`` warm: ``--samples`` further requests (cache per store state: agreement versions,
   official figures, assignments, results generation) — p50/p95 and the ratio to the baseline;
4. ``/aufsicht`` after an official re-import of one month (cache invalidated): one request.

Goal: the warm p95 ≤ 300 ms (and the cold request reported beside it). Exit code 1 if it is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "siegen-wittgenstein-2016" / "ziele.toml"
PASSWORD = "Bench-Aufsicht-Passwort-91"


def official_rows(jobcenters: list[str], seed: int = 7) -> list[dict]:
    """Synthetic official figures: per Jobcenter a level, a seasonal wave and noise per indicator."""
    from zielwerk.indicators.definitions import CHANGE, INDICATORS, OFFICIAL_CODES

    rng = random.Random(seed)
    rows = []
    for i, jid in enumerate(jobcenters):
        elb = rng.uniform(3000, 30000)
        level = {c: rng.uniform(0.8, 1.2) for c in OFFICIAL_CODES}
        for year in range(2012, 2017):
            for m in range(1, 13 if year < 2016 else 10):
                month = f"{year}-{m:02d}"
                season = math.sin(2 * math.pi * (m - 1) / 12)
                for code in OFFICIAL_CODES:
                    ind = INDICATORS[code]
                    for sex, share in (("all", 1.0), ("f", 0.48), ("m", 0.52)):
                        if sex != "all" and not ind.by_sex:
                            continue
                        if ind.value == CHANGE:
                            value = level[code] * (-2.0 + 1.5 * season) + rng.gauss(0, 0.3)
                            den = elb * share
                            num = den * (1 + value / 100)
                        else:
                            value = level[code] * (20.0 + 3 * season + (year - 2012) * 0.3) + rng.gauss(0, 0.4)
                            den = elb * share
                            num = value * den / 100
                        rows.append({"jobcenter_id": jid, "jobcenter_name": f"Jobcenter Bank {i + 1:02d}",
                                     "vergleichstyp": "IIb" if i % 2 else "IIc", "month": month, "indicator": code,
                                     "sex": sex, "numerator": round(num), "denominator": round(den),
                                     "value": round(value, 1)})
    return rows


def build(folder: Path, n: int):
    from sqlalchemy import insert

    from zielwerk.store import agreements, users
    from zielwerk.store.models import OfficialFigure
    from zielwerk.store.peers import assign
    from zielwerk.web import WebConfig, create_app

    app = create_app(WebConfig(data_dir=folder))
    jcs = [f"B{i:04d}" for i in range(1, n + 1)]
    doc = EXAMPLE.read_text("utf-8")
    if "reihe =" not in doc:
        doc = doc.replace("version = 1\n", 'version = 1\nreihe = "amtlich"\n', 1)
    else:
        doc = re.sub(r'reihe = "[a-z]+"', 'reihe = "amtlich"', doc, count=1)
    with app.state.sessions.begin() as s:
        s.execute(insert(OfficialFigure), [{**r, "source": "bench", "imported_by": "bench"}
                                           for r in official_rows(jcs)])
        for jid in jcs:
            agreements.create(s, key=f"bank-{jid}-2016", title=f"Zielvereinbarung 2016 {jid}", jobcenter_id=jid,
                              year=2016, document=doc.replace('id = "05970"', f'id = "{jid}"', 1),
                              created_by="bench")
        user = users.create_user(s, "bench-aufsicht", PASSWORD, "aufsicht", full_name="Bench Aufsicht")
        assign(s, user, jcs)
    return app, jcs


def _times(client, path: str, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            sys.exit(f"{path}: {r.status_code}\n{r.text[:500]}")
    return out


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, math.ceil(0.95 * len(xs)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobcenters", type=int, default=24)
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--goal-ms", type=float, default=300.0)
    a = ap.parse_args()
    if a.jobcenters < 20:
        sys.exit("--jobcenters: at least 20 (issue 14 acceptance)")
    from fastapi.testclient import TestClient

    work = Path(tempfile.mkdtemp(prefix="zielwerk-bench-aufsicht-"))
    load0 = os.getloadavg()[0]
    try:
        t0 = time.perf_counter()
        app, _ = build(work / "data", a.jobcenters)
        setup = time.perf_counter() - t0
        client = TestClient(app, base_url="https://testserver")
        page = client.get("/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/anmelden", data={"username": "bench-aufsicht", "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
        if r.status_code != 303:
            sys.exit(f"login failed: {r.status_code}")
        if "/konto/passwort" in r.headers.get("location", ""):
            sys.exit("the bench user has a one-time password")
        base = _times(client, "/konto", a.samples)
        cold = _times(client, "/aufsicht", 1)[0]
        html = client.get("/aufsicht").text
        rows = html.count('<th scope="row">')
        statuses = len(re.findall(r'class="status (ok|warn|bad|info)"', html))
        warm = _times(client, "/aufsicht", a.samples)
        # a re-import of one month changes the official state: the next request recomputes
        from sqlalchemy import update

        from zielwerk.store.models import OfficialFigure

        with app.state.sessions.begin() as s:
            s.execute(update(OfficialFigure).where(OfficialFigure.month == "2016-09")
                      .values(imported_by="bench-reimport", id=OfficialFigure.id + 10_000_000))
        after = _times(client, "/aufsicht", 1)[0]
        client.close()
        app.state.engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()[0]
    print(f"{a.jobcenters} Jobcenters with agreements (official series), {rows} matrix rows, {statuses} status "
          f"cells; set-up {setup:.1f} s; load average {load0:.1f} → {load1:.1f}")
    print(f"baseline /konto            p50 {statistics.median(base):7.1f} ms   p95 {_p95(base):7.1f} ms")
    print(f"/aufsicht cold (1st)           {cold:7.1f} ms")
    print(f"/aufsicht warm             p50 {statistics.median(warm):7.1f} ms   p95 {_p95(warm):7.1f} ms   "
          f"{statistics.median(warm) / statistics.median(base):4.1f}× baseline (goal p95 ≤ {a.goal_ms:.0f} ms)")
    print(f"/aufsicht after re-import      {after:7.1f} ms")
    if rows != a.jobcenters:
        sys.exit(f"expected {a.jobcenters} rows, got {rows}")
    sys.exit(0 if _p95(warm) <= a.goal_ms else 1)


if __name__ == "__main__":
    main()
