"""``GitHubClient`` (PyGithub) against the local GitHub API server: one behaviour per test."""

from __future__ import annotations

import json
from typing import Any

import github
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac.adapters.github import GitHubClient, GitHubError, label_url_name
from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

SHA7 = HEAD[:7]


@pytest.fixture
def client(ghserver: GitHubServer) -> GitHubClient:
    c = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    c.sleep = lambda _s: None
    return c


@pytest.fixture
def env(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> GitHubServer:
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    return ghserver


def _pygithub_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(github.Requester.time, "sleep", slept.append)  # type: ignore[attr-defined]
    return slept


def test_pygithub_default_idles_between_writes_and_ours_does_not(
    ghserver: GitHubServer, client: GitHubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    slept = _pygithub_sleeps(monkeypatch)
    default = github.Github(
        auth=github.Auth.Token(ghserver.token), base_url=ghserver.url, lazy=True
    )
    issue = default.get_repo(ghserver.repo).get_issue(7)
    for i in range(3):
        issue.add_to_labels(f"🎪 x{i}")
    assert slept and max(slept) > 0.5  # PyGithub's default: about a second per write
    slept.clear()
    for i in range(3):
        client.apply_label_diff(7, [f"🎪 {SHA7} ⌛ {i + 1}h"], [])
        client.remove_label(7, f"🎪 {SHA7} ⌛ {i + 1}h")
    assert slept == []


def test_pygithub_default_retry_posts_a_comment_twice_and_ours_once(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)

    def land_then_502() -> None:
        ghserver.on(
            "POST", r"/issues/7/comments$", lambda r: ghserver.add_comment(7, r.body["body"])
        )
        ghserver.fail("POST", r"/issues/7/comments$", 502)

    land_then_502()
    default = github.Github(
        auth=github.Auth.Token(ghserver.token),
        base_url=ghserver.url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=github.GithubRetry(total=2, backoff_factor=0),
        lazy=True,
    )
    default.get_repo(ghserver.repo).get_issue(7).create_comment("hello")
    assert [c["body"] for c in ghserver.comments_of(7)] == ["hello", "hello"]

    land_then_502()
    client.post_comment(7, "bonjour")
    assert [c["body"] for c in ghserver.comments_of(7)].count("bonjour") == 1


def test_get_pr_reads_labels_state_and_head_in_one_request(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(
        5, head_sha=HEAD, labels=[L.START, "bug"], author="bob", title="T", body="FEATURE_X=true"
    )
    ghserver.reset_log()
    pr = client.get_pr(5)
    assert (pr.number, pr.state, pr.head_sha, pr.author, pr.title) == (5, "open", HEAD, "bob", "T")
    assert pr.labels == (L.START, "bug") and pr.body == "FEATURE_X=true"
    assert len(ghserver.requests) == 1


def test_a_fork_pr_is_seen_as_a_fork(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(6, head_sha=HEAD, fork=True)
    assert client.get_pr(6).is_fork is True


def test_label_names_are_one_escaped_path_segment(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    assert label_url_name("🎪 a/b c") == "%F0%9F%8E%AA%20a%2Fb%20c"
    part = f"🎪 {SHA7} ⚙️ 1/2 large,debug"
    ghserver.add_pr(8, head_sha=HEAD, labels=[part, L.START])
    assert client.remove_label(8, part) is True
    assert ghserver.labels_of(8) == [L.START]
    assert client.remove_label(8, part) is False  # gone: another run took it


def test_labels_outside_showtime_are_never_touched(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(9, head_sha=HEAD, labels=["bug", "size/M"])
    ghserver.reset_log()
    client.apply_label_diff(9, ["wontfix"], ["bug", "size/M"])
    assert ghserver.requests == []
    assert ghserver.labels_of(9) == ["bug", "size/M"]
    assert client.warnings and "bug" in client.warnings[0]
    with pytest.raises(Exception, match="not a showtime label"):
        client.remove_label(9, "bug")


def test_label_diff_is_minimal_and_styles_new_definitions_at_finish(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(10, head_sha=HEAD, labels=[f"🎪 {SHA7} 🚦 building"])
    ghserver.add_label_definition(f"🎪 {SHA7} 🚦 running", "fbca04", "kept as is")
    ghserver.reset_log()
    client.apply_label_diff(
        10, [f"🎪 {SHA7} 🚦 running", f"🎪 🎯 {SHA7}"], [f"🎪 {SHA7} 🚦 building"]
    )
    assert [(r.method, r.status) for r in ghserver.requests] == [("DELETE", 200), ("POST", 200)]
    client.finish()
    defs = ghserver.label_definitions()
    assert defs[f"🎪 🎯 {SHA7}"]["color"] == "0e8a16"
    assert defs[f"🎪 {SHA7} 🚦 running"]["description"] == "kept as is"
    assert ghserver.count("PATCH") == 1


def test_list_of_300_showtime_prs_takes_at_most_5_requests(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    for n in range(1, 301):
        ghserver.add_pr(n, head_sha=HEAD, labels=[f"🎪 {SHA7} 🚦 running", "bug"])
    for n in range(301, 351):
        ghserver.add_pr(n, head_sha=HEAD, labels=["bug"])
    ghserver.add_pr(400, head_sha=HEAD, labels=["testenv-up"])
    ghserver.reset_log()
    prs = client.list_showtime_prs()
    assert sorted(p.number for p in prs) == [*range(1, 301), 400]
    assert len(ghserver.requests) <= 5


def test_permission_lookup(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.collaborators.update({"ann": "admin", "wes": "write", "rea": "read"})
    assert [client.permission(u) for u in ("ann", "wes", "rea", "stranger")] == [
        "admin",
        "write",
        "read",
        "none",
    ]
    ghserver.reset_log()
    assert client.permission("dependabot[bot]") == "none"
    assert ghserver.requests == []


def test_branch_head(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.branches["master"] = "b" * 40
    assert client.branch_head("master") == "b" * 40


def test_deployment_statuses_and_inactive_without_a_deployment(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(11, "c" * 40, "inactive")  # nothing to mark: no error, nothing created
    assert ghserver.deployments() == []
    client.deployment(11, HEAD, "in_progress")
    client.deployment(11, HEAD, "success", "http://10.0.0.1:8080")
    fresh = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    fresh.deployment(11, HEAD, "inactive")  # a later run finds the deployment by environment
    [dep] = ghserver.deployments()
    assert dep["ref"] == HEAD and dep["environment"] == "pr-11"
    assert [s["state"] for s in dep["statuses"]] == ["in_progress", "success", "inactive"]


def test_a_deployment_failure_is_a_warning_not_an_error(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("POST", r"/deployments$", 403, times=3, body={"message": "no deployments"})
    client.deployment(12, HEAD, "in_progress")
    assert client.warnings and "deployment" in client.warnings[0]


def test_ensure_label_creates_keeps_and_restyles(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    assert client.ensure_label(L.START) == "created"
    assert client.ensure_label(L.START) == "unchanged"
    ghserver.add_label_definition(L.STOP, "000000", "old")
    assert client.ensure_label(L.STOP) == "updated"
    assert ghserver.label_definitions()[L.STOP]["color"] == L.label_style(L.STOP)[0]
    # another run creates it between our check and our create: GitHub's 422 is fine
    exists = {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
    ghserver.fail(
        "POST", r"/labels$", 422, body=exists, after=lambda: ghserver.add_label_definition(L.FREEZE)
    )
    assert client.ensure_label(L.FREEZE) == "updated"


def test_prune_deletes_only_unused_per_sha_definitions(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    for i in range(150):
        ghserver.add_label_definition(f"🎪 {i:07x} 🚦 running")
    ghserver.add_label_definition(L.START)
    ghserver.add_label_definition("bug")
    ghserver.add_pr(1, head_sha=HEAD, labels=["🎪 0000001 🚦 running"])
    in_use = {n for p in client.list_showtime_prs() for n in p.labels}
    planned = client.prune_label_definitions(in_use, dry_run=True)
    assert len(planned) == 149 and len(ghserver.label_definitions()) == 152
    deleted = client.prune_label_definitions(in_use)
    assert sorted(deleted) == sorted(planned)
    assert set(ghserver.label_definitions()) == {"🎪 0000001 🚦 running", L.START, "bug"}


def test_labels_setup_cli(env: GitHubServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["labels", "setup", "--dry-run", "--json"]) == 0
    assert env.requests == []
    doc = json.loads(capsys.readouterr().out)
    assert [x["name"] for x in doc["labels"]] == list(L.TRIGGER_LABELS)
    assert main(["labels", "setup", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {x["result"] for x in doc["labels"]} == {"created"}
    assert set(env.label_definitions()) == set(L.TRIGGER_LABELS)
    assert main(["labels", "setup"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_labels_prune_cli(env: GitHubServer, capsys: pytest.CaptureFixture[str]) -> None:
    env.add_label_definition("🎪 abcdef1 🚦 failed")
    assert main(["labels", "prune", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "dry_run": True,
        "deleted": ["🎪 abcdef1 🚦 failed"],
    }
    assert "🎪 abcdef1 🚦 failed" in env.label_definitions()
    assert main(["labels", "prune"]) == 0
    assert "🎪 abcdef1 🚦 failed" not in env.label_definitions()


def test_labels_explain_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["labels", "explain", "--json"]) == 0
    doc: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert {"label": L.START, "meaning": dict(L.VOCABULARY)[L.START]} in doc


def test_server_down_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    c = GitHubClient.connect("t", "o/r", base_url="http://127.0.0.1:9", timeout=2)
    c.sleep = lambda _s: None
    with pytest.raises(GitHubError, match="did not answer"):
        c.get_pr(1)


_NAME_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rest=st.text(_NAME_CHARS, min_size=1, max_size=20).filter(lambda t: t.strip() == t))
def test_any_label_name_round_trips_through_the_url(
    ghserver: GitHubServer, client: GitHubClient, rest: str
) -> None:
    """Emoji, spaces, `/`, `%`, `?`, `#`: added, seen, and removed exactly."""
    name = f"{L.PREFIX}{rest}"
    ghserver.add_pr(77, head_sha=HEAD, labels=["bug"])
    client.apply_label_diff(77, [name], [])
    assert ghserver.labels_of(77) == ["bug", name]
    assert client.get_pr(77).labels == ("bug", name)
    assert client.remove_label(77, name) is True
    assert ghserver.labels_of(77) == ["bug"]
