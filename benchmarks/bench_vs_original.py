"""GitHub requests to list every environment: the original Superset Showtime against us.

Run on demand (needs the original in a scratch venv):

    python3 -m venv /tmp/orig && /tmp/orig/bin/pip install superset-showtime
    ORIGINAL_VENV=/tmp/orig .venv/bin/python benchmarks/bench_vs_original.py [--prs 300]

Both run against the same local GitHub API test server (``tests/github_api_server.py``) holding
N open PRs with 🎪 labels. The original hard-codes ``https://api.github.com``, so its process
gets a ``sitecustomize`` that points its ``GitHubInterface.base_url`` at the server; AWS is
pointed at a closed port, so its AWS step fails fast and only GitHub is compared. Ours is
``showtime-iac dashboard --json`` (every environment, from GitHub alone).

Target: ours lists 300 PRs in at most 5 requests (3 pages of 100) and exits 0; exit 1 if not.
The original's row has no target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _targets import Target, load_average, verdict  # noqa: E402

from tests.github_api_server import GitHubServer  # noqa: E402

#: the most GitHub requests our listing of every environment may make (pages of 100)
MAX_REQUESTS = 5

SITE = """
import os
import showtime.core.github as g
_init = g.GitHubInterface.__init__
def _patched(self, *a, **k):
    _init(self, *a, **k)
    self.base_url = os.environ["BENCH_GITHUB_URL"]
g.GitHubInterface.__init__ = _patched
"""


def populate(gh: GitHubServer, n: int) -> None:
    for pr in range(1, n + 1):
        sha = f"{pr:07x}"
        gh.add_pr(
            pr,
            head_sha=sha + "a" * 33,
            labels=[f"🎪 {sha} 🚦 running", f"🎪 🎯 {sha}", f"🎪 {sha} ⌛ 24h", "bug"],
        )


def run(cmd: list[str], env: dict[str, str], gh: GitHubServer) -> tuple[int, float, int]:
    gh.reset_log()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    return len(gh.requests), time.perf_counter() - t0, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prs", type=int, default=300)
    args = parser.parse_args()
    original = Path(os.environ.get("ORIGINAL_VENV", "/tmp/orig")) / "bin" / "showtime"
    gh = GitHubServer()
    gh.start()
    populate(gh, args.prs)
    base = {
        **os.environ,
        "GITHUB_TOKEN": gh.token,
        "GITHUB_API_URL": gh.url,
        "GITHUB_REPOSITORY": gh.repo,
        "BENCH_GITHUB_URL": gh.url,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_MAX_ATTEMPTS": "1",
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(sys.executable).parent / "showtime-iac"
        ours = [str(exe), "dashboard", "--out", str(Path(tmp) / "site"), "--json"]
        rows.append(("showtime-iac dashboard --json", *run(ours, base, gh)))
        if original.exists():
            (Path(tmp) / "sitecustomize.py").write_text(SITE)
            env = {**base, "PYTHONPATH": tmp}
            rows.append(("original: showtime list", *run([str(original), "list"], env, gh)))
        else:
            print(f"(original not found at {original}: only ours is measured)")
    gh.stop()
    print(f"every environment of {args.prs} open PRs with 🎪 labels; {load_average()}")
    print(f"{'command':<34} {'GitHub requests':>15} {'wall s':>8} {'exit':>5}")
    print("-" * 66)
    for name, n, seconds, rc in rows:
        print(f"{name:<34} {n:>15} {seconds:>8.2f} {rc:>5}")
    _, n, _, rc = rows[0]  # ours
    limit = max(MAX_REQUESTS, -(-args.prs // 100) + 2)
    return verdict(
        [
            Target("showtime-iac dashboard: GitHub requests", n, limit, "requests"),
            Target("showtime-iac dashboard: exit code", rc, 0, ""),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
