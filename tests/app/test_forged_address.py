"""The dashboard's link is not the 🌐 label's word alone (issue 26, item 6). Attack: anyone
who may label the PR writes ``🎪 <sha> 🌐 pr-42.elsewhere.example``; the dashboard linked it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.cli import main
from showtime_iac.core.comment import vouched_address
from showtime_iac.core.labels import parse_label
from showtime_iac.core.model import pr_host
from tests.github_api_server import GitHubServer

FORGED = "pr-42.elsewhere.example"


def live_dashboard(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    domain: str | None,
) -> dict[str, object]:
    labels = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", f"🎪 abc1234 🌐 {FORGED}"]
    ghserver.add_pr(42, head_sha="abc1234" + "0" * 33, labels=labels)
    for k, v in ghserver.env().items():
        monkeypatch.setenv(k, v)
    if domain:
        monkeypatch.setenv("SHOWTIME_DOMAIN", domain)
    else:
        monkeypatch.delenv("SHOWTIME_DOMAIN", raising=False)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    monkeypatch.chdir(tmp_path)
    rc = main(["dashboard", "--out", str(tmp_path / "site"), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    (env,) = json.loads(out.out)["environments"]
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert FORGED not in json.dumps(env) and f"https://{FORGED}" not in page
    return env  # type: ignore[no-any-return]


def test_https_mode_links_the_prs_own_host(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = live_dashboard(ghserver, monkeypatch, tmp_path, capsys, "previews.example.org")
    assert env["url"] == "https://pr-42.previews.example.org"


def test_public_ip_mode_links_no_host(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = live_dashboard(ghserver, monkeypatch, tmp_path, capsys, None)
    assert env["url"] is None


hosts = st.from_regex(
    r"pr-(0|[1-9][0-9]{0,3})(\.[a-z][a-z0-9-]{0,6}[a-z0-9]){1,2}\.[a-z]{2,6}", fullmatch=True
)
domains = st.one_of(st.none(), st.sampled_from(["previews.example.org", "x.io"]))


@given(st.integers(1, 9999), hosts, domains)
def test_a_labelled_host_is_never_shown_unless_it_is_the_prs_own(
    pr: int, host: str, domain: str | None
) -> None:
    label = parse_label(f"🎪 abc1234 🌐 {host}")
    assert label is not None and not isinstance(label, str)  # the grammar accepts the host
    shown = vouched_address(pr, host, domain)
    assert shown == (pr_host(pr, domain) if domain else None)
