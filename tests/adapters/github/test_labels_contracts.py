"""🎪 label writes as their docstrings state them (issue 29), against the local GitHub API
server: the claim's verdict after a lost answer, the minimal diff's requests written out, which
new definitions are styled at ``finish`` and how, ``ensure_label``'s three answers, pruning.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import re

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.github_api_server import GitHubServer, Recorded
from tests.payloads import HEAD

SHA7 = HEAD[:7]
ACTIVE = f"🎪 🎯 {SHA7}"  # styled 0e8a16
RUNNING = f"🎪 {SHA7} 🚦 running"
PLAIN = "🎪 something else"  # a 🎪 label with no style of its own (ededed)


def _writes(ghserver: GitHubServer) -> list[tuple[str, str, object]]:
    return [(r.method, r.path, r.body) for r in ghserver.requests if r.method != "GET"]


def test_a_claim_whose_delete_landed_before_a_502_is_ours(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=[L.START])

    def land(_r: Recorded) -> None:
        ghserver.remove_labels(7, L.START)

    ghserver.on("DELETE", r"/issues/7/labels/", land)
    ghserver.fail("DELETE", r"/issues/7/labels/", 502)
    assert client.remove_label(7, L.START) is True  # the retry's 404 is our own delete
    assert ghserver.count("DELETE") == 2


def test_refusing_to_remove_a_label_that_is_not_ours(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    with pytest.raises(ShowtimeError) as err:
        client.remove_label(7, "bug")
    assert str(err.value) == "refusing to remove 'bug': not a showtime label"
    assert ghserver.requests == []


def test_the_legacy_label_is_ours(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=[L.LEGACY, "bug"])
    assert client.remove_label(7, L.LEGACY) is True
    client.apply_label_diff(7, [L.LEGACY], [])
    assert ghserver.labels_of(7) == ["bug", L.LEGACY]
    assert client.warnings == []


def test_the_diff_is_one_post_of_the_new_labels_then_one_delete_each(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=["bug", L.START, L.STOP])
    ghserver.reset_log()
    client.apply_label_diff(
        7, [RUNNING, ACTIVE, RUNNING, "size/M"], [L.START, RUNNING, "bug", L.STOP, L.START]
    )
    base = "/repos/apache/superset/issues/7/labels"
    assert _writes(ghserver) == [
        ("POST", base, {"labels": [RUNNING, ACTIVE]}),
        ("DELETE", f"{base}/{L.START}", None),
        ("DELETE", f"{base}/{L.STOP}", None),
    ]
    assert client.warnings == ["not touching non-showtime labels: size/M, bug"]
    assert ghserver.labels_of(7) == ["bug", RUNNING, ACTIVE]


def test_removing_a_label_already_gone_is_fine(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    client.apply_label_diff(7, [], [L.START])
    assert client.warnings == [] and ghserver.count("DELETE") == 1


def test_only_removals_make_no_post(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=[L.START])
    client.apply_label_diff(7, [], [L.START])
    assert ghserver.count("POST") == 0 and ghserver.labels_of(7) == []


def test_a_definition_created_by_a_concurrent_run_is_added_again(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    exists = {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
    ghserver.fail("POST", r"/issues/7/labels$", 422, body=exists)
    client.apply_label_diff(7, [ACTIVE], [])
    assert ghserver.labels_of(7) == [ACTIVE]
    assert ghserver.count("POST", r"/issues/7/labels$") == 2


def test_another_422_is_an_error(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    ghserver.fail("POST", r"/issues/7/labels$", 422, body={"message": "Validation Failed"})
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(7, [ACTIVE], [])
    assert str(err.value) == "GitHub failed to add labels to PR #7 (422: Validation Failed)"
    assert ghserver.count("POST", r"/issues/7/labels$") == 1


def test_finish_styles_only_new_grey_definitions_that_have_a_style(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=[L.START])  # on the PR before: not ours to style
    ghserver.add_label_definition(RUNNING, "EDEDED")  # grey in capitals: still grey
    ghserver.add_label_definition(f"🎪 {SHA7} 👤 alice", "ededed", "someone's words")
    ghserver.add_label_definition(L.STOP)
    client.apply_label_diff(7, [RUNNING, ACTIVE, PLAIN, f"🎪 {SHA7} 👤 alice"], [])
    ghserver.reset_log()
    client.finish()
    styled = {r.path.rsplit("/", 1)[1]: r.body for r in ghserver.requests if r.method == "PATCH"}
    assert styled == {
        ACTIVE: {"color": "0e8a16", "description": "showtime-iac: the SHA serving the environment"},
        RUNNING: {"color": "fbca04", "description": "showtime-iac: environment status"},
    }
    assert [r.path.rsplit("/", 1)[1] for r in ghserver.requests] == sorted([ACTIVE, RUNNING])
    ghserver.reset_log()
    client.finish()  # done once: nothing left to style
    assert ghserver.requests == []


def test_a_style_that_fails_is_a_warning_and_a_gone_definition_is_fine(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    client.apply_label_diff(7, [ACTIVE, RUNNING], [])
    ghserver.fail("PATCH", r"/labels/" + re.escape(ACTIVE), 404)
    ghserver.fail("PATCH", r"/labels/" + re.escape(RUNNING), 403, body={"message": "no"})
    client.finish()
    assert len(client.warnings) == 1
    assert client.warnings[0].startswith(f"GitHub refused to style label {RUNNING!r} (403: no)")


def test_ensure_label_sends_its_style(ghserver: GitHubServer, client: GitHubClient) -> None:
    assert client.ensure_label(L.STOP) == "created"
    stop = {"color": "b60205", "description": "Tear down this PR's preview environment"}
    assert _writes(ghserver) == [
        ("POST", "/repos/apache/superset/labels", {"name": L.STOP, **stop})
    ]
    freeze = {
        "color": "1d76db",
        "description": "Keep the environment but stop auto-updates on push",
    }
    ghserver.add_label_definition(L.FREEZE, "1d76db", "")
    ghserver.reset_log()
    assert client.ensure_label(L.FREEZE) == "updated"  # right colour, no description
    assert _writes(ghserver)[-1] == ("PATCH", f"/repos/apache/superset/labels/{L.FREEZE}", freeze)
    blocked = "Maintenance: showtime-iac does nothing on this PR"
    ghserver.add_label_definition(L.BLOCKED, "000000", blocked)
    assert client.ensure_label(L.BLOCKED) == "updated"  # right description, wrong colour
    assert client.ensure_label(L.BLOCKED) == "unchanged"


def test_label_definitions_are_the_showtime_ones(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    for name in ("bug", L.LEGACY, L.START, RUNNING, "x🎪 y"):
        ghserver.add_label_definition(name)
    assert sorted(client.label_definitions()) == sorted([L.LEGACY, L.START, RUNNING])


def test_prune_keeps_triggers_legacy_and_those_in_use(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    for name in (*L.TRIGGER_LABELS, L.LEGACY, RUNNING, ACTIVE, PLAIN, "bug"):
        ghserver.add_label_definition(name)
    assert sorted(client.prune_label_definitions([ACTIVE], dry_run=True)) == sorted(
        [RUNNING, PLAIN]
    )
    assert ghserver.count("DELETE") == 0
    assert sorted(client.prune_label_definitions([ACTIVE])) == sorted([RUNNING, PLAIN])
    assert set(ghserver.label_definitions()) == {*L.TRIGGER_LABELS, L.LEGACY, ACTIVE, "bug"}


@pytest.mark.parametrize(
    ("method", "path", "status", "what"),
    [
        ("POST", r"/labels$", 400, f"create label {L.STOP!r}"),  # 422: it exists, fine
        ("GET", r"/labels/", 422, f"read label {L.STOP!r}"),
        ("PATCH", r"/labels/", 422, f"update label {L.STOP!r}"),
    ],
)
def test_ensure_label_failures_name_the_step(
    ghserver: GitHubServer, client: GitHubClient, method: str, path: str, status: int, what: str
) -> None:
    ghserver.add_label_definition(L.STOP, "000000", "old")
    ghserver.fail(method, path, status, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.ensure_label(L.STOP)
    assert str(err.value) == f"GitHub failed to {what} ({status}: odd)"


def test_listing_and_pruning_failures_name_the_step(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_label_definition(RUNNING)
    ghserver.fail("GET", r"/labels$", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as listing:
        client.label_definitions()
    assert str(listing.value) == "GitHub failed to list the repository's labels (422: odd)"
    ghserver.fail("DELETE", r"/labels/", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as pruning:
        client.prune_label_definitions([])
    assert str(pruning.value) == f"GitHub failed to delete label definition {RUNNING!r} (422: odd)"
    ghserver.add_pr(7, head_sha=HEAD, labels=[RUNNING])
    ghserver.fail("DELETE", r"/issues/7/labels/", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as removing:
        client.apply_label_diff(7, [], [RUNNING])
    assert str(removing.value) == f"GitHub failed to remove label {RUNNING!r} from PR #7 (422: odd)"


def test_a_failed_claim_names_the_label_and_pr(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD, labels=[L.START])
    ghserver.fail("DELETE", r"/issues/7/labels/", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.remove_label(7, L.START)
    assert str(err.value) == f"GitHub failed to remove label {L.START!r} from PR #7 (422: odd)"
