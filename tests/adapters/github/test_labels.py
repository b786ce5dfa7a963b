"""🎪 labels against the local GitHub API server: escaped names, the minimal diff, only our
labels touched, definitions created, restyled and pruned, and the ``labels`` commands."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac.adapters.github import GitHubClient, label_url_name
from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

SHA7 = HEAD[:7]


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
    # additions first (issue 15, finding 8): a half-done write leaves too many labels, not too few
    assert [(r.method, r.status) for r in ghserver.requests] == [("POST", 200), ("DELETE", 200)]
    client.finish()
    defs = ghserver.label_definitions()
    assert defs[f"🎪 🎯 {SHA7}"]["color"] == "0e8a16"
    assert defs[f"🎪 {SHA7} 🚦 running"]["description"] == "kept as is"
    assert ghserver.count("PATCH") == 1


def test_ensure_label_creates_keeps_and_restyles(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    assert client.ensure_label(L.START) == "created"
    assert client.ensure_label(L.START) == "unchanged"
    ghserver.add_label_definition(L.STOP, "000000", "old")
    assert client.ensure_label(L.STOP) == "updated"
    assert ghserver.label_definitions()[L.STOP]["color"] == "b60205"  # red, written out
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
