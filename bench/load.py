"""Load benchmark of the web application: N concurrent users against a uvicorn server.

    .venv/bin/python bench/load.py --data data/siegen-wittgenstein [--users 50] [--seconds 60]

Prepares the data folder like ``zielwerk demo`` (dataset, example agreement, results), creates one
benchmark account (role controlling), starts ``uvicorn`` as a subprocess on 127.0.0.1, then runs
``--users`` concurrent simulated users (asyncio + httpx): each logs in once, then repeatedly opens
one of the main pages, waiting ``--think`` seconds (uniformly 0.5×–1.5×) between requests, until
``--seconds`` have passed or ``--max-requests`` were sent. Reports p50/p95/max per page and overall,
the error count, and writes the figures as JSON (``--out``). Exit code 1 if there were errors or the
p95 goal (``--goal-ms``, default 100) was missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH_USER, BENCH_PASSWORD = "bench-controlling", "bench-passwort-2016"


def prepare(data_dir: Path) -> str:
    """Dataset, example agreement, results and the benchmark user; returns the agreement key."""
    from zielwerk.store import agreements, default_url, open_store, users
    from zielwerk.web import provision

    if not any(data_dir.glob("persons.*")):
        from zielwerk.synth import generate

        print(f"generating Siegen-Wittgenstein into {data_dir} …", flush=True)
        generate("siegen-wittgenstein", data_dir, seed=1)
    engine, sessions = open_store(default_url(data_dir))
    provision.load_agreement_file(sessions, provision.EXAMPLE_AGREEMENT, provision.EXAMPLE_KEY)
    with sessions.begin() as s:
        jcs = tuple(sorted({a.jobcenter_id for a in agreements.all_agreements(s)}))
        if users.by_name(s, BENCH_USER) is None:
            users.create_user(s, BENCH_USER, BENCH_PASSWORD, "controlling")
    if not provision.results_current(data_dir, jcs):
        print("computing results …", flush=True)
        provision.compute_now(data_dir, jcs, lambda m: print(m, flush=True))
    engine.dispose()
    return provision.EXAMPLE_KEY


def pages(key: str, jobcenter: str) -> list[tuple[str, str]]:
    return [
        ("Überblick", "/"),
        ("Kennzahlen K2", f"/kennzahlen?k=K2&einheit=jobcenter:{jobcenter}"),
        ("Kennzahlen K3 Frauen", f"/kennzahlen?k=K3&einheit=jobcenter:{jobcenter}&geschlecht=f"),
        ("Zielvereinbarung", f"/zielvereinbarung/{key}"),
        ("Berichte", "/berichte"),
        ("API Kennzahlen", f"/api/kennzahlen?k=K2&einheit=jobcenter:{jobcenter}"),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen:
    """uvicorn in a subprocess. Cookies without ``Secure``: httpx (unlike browsers) does not send
    Secure cookies to http://127.0.0.1; everything else is the production configuration."""
    env = {**os.environ, "ZIELWERK_DATA_DIR": str(data_dir), "ZIELWERK_INSECURE_COOKIES": "1"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "zielwerk.web.app:create_app_from_env",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
           "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not answer within 60 s")


async def user(base: str, plan: list[tuple[str, str]], duration: float, think: float, budget: list[int],
               samples: dict[str, list[float]], errors: list[str], logins: list[float],
               ready: asyncio.Barrier) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True) as c:
        await asyncio.sleep(random.uniform(0, think))  # ramp-up
        t0 = time.perf_counter()
        form = (await c.get("/anmelden")).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        r = await c.post("/anmelden", data={"username": BENCH_USER, "password": BENCH_PASSWORD,
                                           "csrf_token": token})
        logins.append((time.perf_counter() - t0) * 1000)
        logged_in = r.status_code == 200 and "Abmelden" in r.text
        if not logged_in:
            errors.append(f"login: HTTP {r.status_code}")
        await ready.wait()  # measure pages only once every user is logged in
        if not logged_in:
            return
        stop_at = time.time() + duration
        await asyncio.sleep(random.uniform(0, think))
        while time.time() < stop_at and budget[0] > 0:
            budget[0] -= 1
            name, path = random.choice(plan)
            t = time.perf_counter()
            try:
                r = await c.get(path)
                ms = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    errors.append(f"{path}: HTTP {r.status_code}")
                else:
                    samples.setdefault(name, []).append(ms)
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
            await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


async def run(args: argparse.Namespace) -> dict:
    key = prepare(args.data)
    load_before = list(os.getloadavg())
    jobcenter = json.loads((args.data / ".zielwerk" / "results" / "meta.json").read_text())["unit_names"]
    jc = min(k.split(":")[1] for k in jobcenter if k.startswith("jobcenter:"))
    port = free_port()
    proc = start_server(args.data, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        samples: dict[str, list[float]] = {}
        errors: list[str] = []
        logins: list[float] = []
        budget = [args.max_requests]
        plan = pages(key, jc)
        ready = asyncio.Barrier(args.users + 1)
        tasks = [asyncio.create_task(user(base, plan, args.seconds, args.think, budget, samples, errors, logins,
                                          ready)) for _ in range(args.users)]
        await ready.wait()
        started = time.time()
        await asyncio.gather(*tasks)
        elapsed = time.time() - started
    finally:
        proc.terminate()
        proc.wait(10)
    everything = [v for vs in samples.values() for v in vs]
    result = {
        "users": args.users, "workers": args.workers, "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()), "seconds": round(elapsed, 1), "think_s": args.think,
        "requests": len(everything), "errors": len(errors), "error_examples": errors[:5],
        "throughput_rps": round(len(everything) / elapsed, 1),
        "login_ms_p95": round(pct(logins, 95), 1),
        "overall": {"p50_ms": round(pct(everything, 50), 1), "p95_ms": round(pct(everything, 95), 1),
                    "max_ms": round(max(everything), 1) if everything else None},
        "pages": {name: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
                         "max_ms": round(max(v), 1)} for name, v in sorted(samples.items())},
        "goal_p95_ms": args.goal_ms,
    }
    return result


def everything_ok(result: dict) -> bool:
    return result["errors"] == 0 and result["requests"] > 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "siegen-wittgenstein")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=20000)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between requests (s)")
    ap.add_argument("--goal-ms", type=float, default=100.0)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "load_results.json")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    print(f"Last der Maschine vorher/nachher: {result['load_average_before'][0]:.1f} / "
          f"{result['load_average_after'][0]:.1f} (1-min-Mittel)")
    print(f"{result['users']} Benutzer, {result['workers']} Worker, {result['seconds']} s, {result['requests']} Anfragen "
          f"({result['throughput_rps']}/s), Fehler: {result['errors']}")
    print(f"{'Seite':<24}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, s in result["pages"].items():
        print(f"{name:<24}{s['n']:>7}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}{s['max_ms']:>10.1f}")
    o = result["overall"]
    if not everything_ok(result):
        print("Fehlerbeispiele:", result["error_examples"])
    print(f"{'gesamt':<24}{result['requests']:>7}{o['p50_ms']:>10.1f}{o['p95_ms']:>10.1f}{o['max_ms'] or 0:>10.1f}")
    print(f"Anmeldung p95: {result['login_ms_p95']} ms (argon2, nicht im Seitenwert)")
    ok = everything_ok(result) and o["p95_ms"] <= args.goal_ms
    print("Ziel p95 ≤ {:.0f} ms und keine Fehler: {}".format(args.goal_ms, "erreicht" if ok else "VERFEHLT"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
