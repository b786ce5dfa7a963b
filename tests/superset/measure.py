"""Measure a real Superset's start and memory the way the image starts it (FINDINGS.md's numbers).

    export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"
    python -m tests.superset.measure --workers 2 --examples

Prints one line per start step (wall and CPU seconds, peak RSS/PSS of its process tree), then
exercises the server — every dataset's rows through /api/v1/chart/data and every dashboard's
chart list, 8 requests at a time (the image's threads), bounded to --max-requests — and prints the server's peak RSS/PSS, then a JSON summary.
Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.superset.harness import SupersetServer, _http, start_steps

MIB = 1 << 20


def _token(server: SupersetServer, password: str) -> str:
    status, body = _http(
        "POST",
        server.base_url + "/api/v1/security/login",
        {"username": "admin", "password": password, "provider": "db", "refresh": False},
    )
    if status != 200:
        raise RuntimeError(f"login answered {status}")
    return str(json.loads(body)["access_token"])


def _exercise(server: SupersetServer, password: str, max_requests: int) -> dict[str, int]:
    """Query every dataset's rows (up to 10,000, every column) through /api/v1/chart/data —
    the data path a chart takes — and list every dashboard's charts, 8 requests at a time."""
    auth = {"Authorization": f"Bearer {_token(server, password)}"}
    _, body = _http("GET", f"{server.base_url}/api/v1/dataset/?q=(page_size:100)", headers=auth)
    datasets = [d["id"] for d in json.loads(body).get("result", [])]
    _, body = _http("GET", f"{server.base_url}/api/v1/dashboard/?q=(page_size:100)", headers=auth)
    dashboards = [d["id"] for d in json.loads(body).get("result", [])]
    queries: list[dict[str, Any]] = []
    for ds in datasets:
        _, body = _http("GET", f"{server.base_url}/api/v1/dataset/{ds}", headers=auth)
        columns = [c["column_name"] for c in json.loads(body)["result"].get("columns", [])]
        queries.append(
            {
                "datasource": {"id": ds, "type": "table"},
                "force": True,
                "queries": [{"columns": columns, "metrics": [], "row_limit": 10000, "orderby": []}],
                "result_format": "json",
                "result_type": "full",
            }
        )
    work: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/api/v1/chart/data", q) for q in queries
    ]
    work += [("GET", f"/api/v1/dashboard/{d}/charts", None) for d in dashboards]
    work = (work * 2)[:max_requests]  # twice: the second round runs warm code paths
    codes: dict[str, int] = {}

    def call(item: tuple[str, str, dict[str, Any] | None]) -> None:
        method, path, payload = item
        try:
            status, _ = _http(method, server.base_url + path, payload, headers=auth, timeout=120)
        except OSError:
            status = 0
        codes[str(status)] = codes.get(str(status), 0) + 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(call, work))
    return {"datasets": len(datasets), "dashboards": len(dashboards), **codes}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", default="1", help="SERVER_WORKER_AMOUNT")
    p.add_argument("--examples", action="store_true", help="SUPERSET_LOAD_EXAMPLES=yes")
    p.add_argument("--max-requests", type=int, default=400)
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args(argv)
    password = "pw-" + secrets.token_urlsafe(12)
    env = {
        "SERVER_WORKER_AMOUNT": args.workers,
        "SERVER_THREADS_AMOUNT": "20",
        "SUPERSET_PORT": "8080",
        "SUPERSET_LOAD_EXAMPLES": "yes" if args.examples else "no",
        "SUPERSET_LOG_LEVEL": "INFO",
        "FLASK_DEBUG": "False",
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(42),
        "ADMIN_PASSWORD": password,
    }
    with start_steps(env, step_timeout=1800, keep_workdir=args.keep) as server:
        summary: dict[str, Any] = {"workers": args.workers, "examples": args.examples}
        summary["startup_s"] = round(server.startup_seconds, 1)
        for s in server.steps:
            cpu = "-" if s.cpu_seconds is None else f"{s.cpu_seconds:.1f}"
            print(
                f"{s.name:14s} {s.seconds:7.1f} s wall {cpu:>7s} s cpu "
                f"peak rss {s.peak_rss_bytes / MIB:6.0f} MiB pss {s.peak_pss_bytes / MIB:6.0f} MiB"
            )
            summary[s.name] = {
                "wall_s": round(s.seconds, 1),
                "cpu_s": None if s.cpu_seconds is None else round(s.cpu_seconds, 1),
                "peak_rss_mib": round(s.peak_rss_bytes / MIB),
                "peak_pss_mib": round(s.peak_pss_bytes / MIB),
            }
        idle = server.memory()
        t0 = time.monotonic()
        summary["requests"] = _exercise(server, password, args.max_requests)
        summary["exercise_s"] = round(time.monotonic() - t0, 1)
        summary["server_idle_rss_mib"] = round(idle.rss_bytes / MIB)
        summary["server_idle_pss_mib"] = round(idle.pss_bytes / MIB)
        summary["server_peak_rss_mib"] = round(server.peak_rss_bytes() / MIB)
        summary["server_peak_pss_mib"] = round(server.peak_pss_bytes() / MIB)
        print(
            f"server: idle rss {idle.rss_bytes / MIB:.0f} MiB, after exercising peak rss "
            f"{summary['server_peak_rss_mib']} MiB pss {summary['server_peak_pss_mib']} MiB"
        )
        summary["workdir"] = str(server.workdir) if args.keep else None
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
