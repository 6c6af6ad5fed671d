"""Event-loop benchmark (issue 10 item 3): light pages and static files while report PDFs render.

    .venv/bin/python -m bench.eventloop --data DIR [--pdfs 5] [--samples 30] [--max-seconds 240]

``DIR`` is a data folder as ``zielwerk demo --nur-vorbereiten --data DIR`` leaves it (dataset, live
results generation, example agreement); if it has no live generation yet, that command is run first.
The benchmark creates its own account (role controlling, random password, reset at every run), starts
the real server (``uvicorn --factory zielwerk.web.app:create_app_from_env``, one process, render pool
as in production) on a free 127.0.0.1 port, and measures, in one run:

1. **idle**: ``--samples`` sequential requests to each light target (a static file, the Berichte page,
   an indicator page, the API's meta data) — p50/p95;
2. **under load**: the report cache is cleared, ``--pdfs`` monthly report PDFs of distinct months are
   requested at the same time (each uncached: it renders), and while they run the same light targets
   are requested one after another — p50/p95, and the ratio to idle;
3. after the server stopped: the wall and CPU time of rendering three monthly report PDFs in this
   process, as a render worker does (goal ≤ 5 s).

Loopback only; bounded by ``--max-seconds`` and ``--max-requests``. Exit code 1 if the goal (p95 of
the light requests under load ≤ ``--goal-ms``, default 100) is missed or a request failed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.load import free_port

ROOT = Path(__file__).resolve().parents[1]
BENCH_USER = "bench-eventloop"


def prepare(data_dir: Path) -> str:
    """Live results and the agreement (via ``zielwerk demo --nur-vorbereiten`` if there are no results
    yet) and the benchmark account; returns its password."""
    if not (data_dir / ".zielwerk" / "live").exists():
        cli = Path(sys.executable).with_name("zielwerk")
        cmd = [str(cli)] if cli.exists() else [sys.executable, "-c", "from zielwerk.cli import main; main()"]
        print(f"preparing {data_dir} (zielwerk demo --nur-vorbereiten) …", flush=True)
        subprocess.run([*cmd, "demo", "--nur-vorbereiten", "--data", str(data_dir)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    from zielwerk.store import default_url, open_store, users

    password = "Bench-" + secrets.token_urlsafe(18)
    engine, sessions = open_store(default_url(data_dir))
    try:
        with sessions.begin() as s:
            user = users.by_name(s, BENCH_USER)
            if user is None:
                users.create_user(s, BENCH_USER, password, "controlling", full_name="Benchmark Event-Loop")
            else:
                users.set_password(s, user, password)
                user.active = True
    finally:
        engine.dispose()
    return password


def render_times(data_dir: Path, months: list[str]) -> list[tuple[str, float, float]]:
    """(month, wall s, CPU s) of rendering the monthly report PDF in this process, as a render worker does
    (``zielwerk.reports.render.render_monitoring`` on the monitoring of the live generation)."""
    from datetime import date

    from zielwerk.domain.calendar import Month
    from zielwerk.reports.render import render_monitoring, warm_up
    from zielwerk.store import agreements, default_url, open_store
    from zielwerk.web.monitoring import monitoring_for
    from zielwerk.web.results import Results

    engine, sessions = open_store(default_url(data_dir))
    try:
        with sessions() as s:
            version = agreements.all_agreements(s)[0].versions[-1]
            vid, doc = version.id, version.document
    finally:
        engine.dispose()
    results = Results(data_dir)
    as_of = date.fromisoformat(results.meta()["as_of"])
    warm_up()
    out = []
    for m in months:
        mon, why = monitoring_for(results, vid, doc, Month.parse(m))
        if mon is None:
            raise SystemExit(why)
        t, c = time.perf_counter(), time.process_time()
        render_monitoring(mon, as_of, "pdf")
        out.append((m, time.perf_counter() - t, time.process_time() - c))
    return out


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    """uvicorn in a subprocess, one worker process, the production render pool (worker processes).
    Cookies without ``Secure``: httpx does not send Secure cookies to http://127.0.0.1."""
    env = {**os.environ, "ZIELWERK_DATA_DIR": str(data_dir), "ZIELWERK_INSECURE_COOKIES": "1"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "zielwerk.web.app:create_app_from_env",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
           "--no-proxy-headers"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server did not start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/anmelden", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit("server did not answer within 90 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def login(base: str, password: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=300, follow_redirects=False)
    form = c.get("/anmelden").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = c.post("/anmelden", data={"username": BENCH_USER, "password": password, "csrf_token": token})
    if r.status_code != 303:
        raise SystemExit(f"login failed: HTTP {r.status_code}")
    return c


def targets(c: httpx.Client) -> tuple[list[tuple[str, str]], list[str]]:
    """(light targets, report months of the agreement's year)."""
    agreements = c.get("/api/zielvereinbarungen").json()
    if not agreements:
        raise SystemExit("no agreement in the store (run zielwerk demo --nur-vorbereiten)")
    year = agreements[0]["year"]
    meta = c.get("/api/meta").json()
    months = [m for m in (f"{year}-{k:02d}" for k in range(1, 13)) if meta["first_month"] <= m <= meta["last_month"]]
    kennzahlen = c.get("/kennzahlen").text
    unit = re.search(r'<option value="(jobcenter:[^"]+)"', kennzahlen)
    light = [("static /static/style.css", "/static/style.css"), ("page /berichte", "/berichte"),
             ("page /kennzahlen K2", f"/kennzahlen?k=K2&einheit={unit.group(1)}" if unit else "/kennzahlen"),
             ("api /api/meta", "/api/meta")]
    return light, months


def sample(c: httpx.Client, light: list[tuple[str, str]], until, budget: list[int], errors: list[str],
           pause: float = 0.0) -> dict[str, list[float]]:
    """Round-robin over the light targets, one request at a time, while ``until()`` is true."""
    out: dict[str, list[float]] = {name: [] for name, _ in light}
    i = 0
    while until() and budget[0] > 0:
        name, path = light[i % len(light)]
        i += 1
        budget[0] -= 1
        t = time.perf_counter()
        r = c.get(path)
        ms = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            errors.append(f"{path}: HTTP {r.status_code}")
        out[name].append(ms)
        if pause:
            time.sleep(pause)
    return out


def countdown(k: int):
    left = [k]

    def more() -> bool:
        left[0] -= 1
        return left[0] >= 0

    return more


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="data folder (zielwerk demo --nur-vorbereiten)")
    ap.add_argument("--pdfs", type=int, default=5, help="report PDFs requested at the same time")
    ap.add_argument("--samples", type=int, default=30, help="idle requests per light target")
    ap.add_argument("--max-seconds", type=float, default=240, help="bound of the loaded phase")
    ap.add_argument("--max-requests", type=int, default=2000, help="bound of all light requests")
    ap.add_argument("--goal-ms", type=float, default=100, help="p95 goal of light requests under load")
    args = ap.parse_args(argv)
    data_dir = args.data.resolve()
    password = prepare(data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data_dir, port)
    errors: list[str] = []
    budget = [args.max_requests]
    try:
        c = login(base, password)
        light, months = targets(c)
        if len(months) < args.pdfs + 1:
            raise SystemExit(f"only {len(months)} report months, need {args.pdfs + 1}")
        warm, loaded = months[-1], months[:args.pdfs]
        # warm-up: the render workers start with the server; one report so both phases see them running
        t = time.perf_counter()
        first = c.get(f"/berichte/{warm}?format=pdf")
        first_ms = (time.perf_counter() - t) * 1000
        if first.status_code != 200:
            raise SystemExit(f"warm-up report {warm}: HTTP {first.status_code}")
        for _name, path in light:  # first-request effects (template compilation, result readers)
            c.get(path)
        idle = sample(c, light, countdown(args.samples * len(light)), budget, errors)
        shutil.rmtree(data_dir / ".zielwerk" / "report-cache", ignore_errors=True)  # the PDFs render
        durations: dict[str, float] = {}
        statuses: dict[str, int] = {}

        clients = [login(base, password) for _ in loaded]  # logged in before: argon2 is not part of the load

        def pdf(own: httpx.Client, month: str) -> None:
            t0 = time.perf_counter()
            r = own.get(f"/berichte/{month}?format=pdf")
            durations[month] = time.perf_counter() - t0
            statuses[month] = r.status_code
            own.close()

        threads = [threading.Thread(target=pdf, args=(own, m)) for own, m in zip(clients, loaded)]
        load_avg = os.getloadavg()
        t_load = time.perf_counter()
        for th in threads:
            th.start()
        time.sleep(0.05)
        stop_at = time.time() + args.max_seconds
        busy = sample(c, light, lambda: any(th.is_alive() for th in threads) and time.time() < stop_at, budget,
                      errors, pause=0.02)
        for th in threads:
            th.join(timeout=max(1.0, stop_at - time.time()))
        loaded_s = time.perf_counter() - t_load
        errors += [f"report {m}: HTTP {s}" for m, s in statuses.items() if s != 200]
        if len(statuses) < len(loaded):
            errors.append("not every report answered within --max-seconds")
    finally:
        stop(proc)
    renders = render_times(data_dir, months[6:9])

    print(f"\nEvent-loop benchmark (issue 10) – {data_dir.name}, {os.cpu_count()} CPUs, load average before the "
          f"loaded phase {load_avg[0]:.1f} (shared machine)")
    print(f"warm-up report {warm}: {first_ms / 1000:.1f} s; {args.pdfs} uncached report PDFs ({', '.join(loaded)}) "
          f"at once: {loaded_s:.1f} s in all, each {', '.join(f'{durations[m]:.1f}' for m in loaded if m in durations)} s")
    print("monthly report PDF, rendered in this process (warm, as in a render worker): " + "; ".join(
        f"{m} {wall:.1f} s (CPU {cpu:.1f} s)" for m, wall, cpu in renders) + " – goal ≤ 5 s")
    print(f"\n{'light request':<24}{'idle p50':>10}{'idle p95':>10}{'load p50':>10}{'load p95':>10}"
          f"{'p95 ratio':>11}{'n idle/load':>13}")
    rows = [(name, idle[name], busy[name]) for name, _ in light]
    rows.append(("all light requests", [v for _, i, _ in rows for v in i], [v for _, _, b in rows for v in b]))
    for name, i, b in rows:
        ratio = pct(b, 95) / pct(i, 95) if i and b else float("nan")
        print(f"{name:<24}{pct(i, 50):>8.1f}ms{pct(i, 95):>8.1f}ms{pct(b, 50):>8.1f}ms{pct(b, 95):>8.1f}ms"
              f"{ratio:>10.1f}×{len(i):>6}/{len(b):<6}")
    p95 = pct(rows[-1][2], 95)
    met = p95 <= args.goal_ms
    print(f"\ngoal: p95 of light requests while {args.pdfs} PDFs render ≤ {args.goal_ms:.0f} ms: "
          f"{'met' if met else 'MISSED'} ({p95:.1f} ms)")
    if errors:
        print(f"errors ({len(errors)}): " + "; ".join(errors[:10]))
    return 0 if met and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
