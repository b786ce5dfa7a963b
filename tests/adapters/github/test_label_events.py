"""The PR's label events over HTTP, and the guarded labels verified from them (issue 26, 3)."""

from __future__ import annotations

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.guarded import unverified_labels
from showtime_iac.core import labels as L
from showtime_iac.core.guarded import LabelEvent
from showtime_iac.core.model import Event
from tests.github_api_server import BOT, GitHubServer
from tests.payloads import HEAD

SCHEDULE = Event(name="schedule", actor="showtime-cleanup")


def test_label_events_are_read_oldest_first_with_their_actor(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(5, head_sha=HEAD, labels=["bug"], labels_by="alice")
    ghserver.add_labels(5, L.STOP, by="triager")
    ghserver.remove_labels(5, "bug", by="bob")
    client.apply_label_diff(5, (L.FREEZE,), (L.STOP,))
    assert client.label_events(5) == [
        LabelEvent("labeled", "bug", "alice"),
        LabelEvent("labeled", L.STOP, "triager"),
        LabelEvent("unlabeled", "bug", "bob"),
        LabelEvent("labeled", L.FREEZE, BOT),  # the tool's own writes: additions first
        LabelEvent("unlabeled", L.STOP, BOT),
    ]


def test_250_events_are_read_in_3_requests(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(6, head_sha=HEAD)
    for i in range(125):
        ghserver.add_labels(6, f"l{i}", by="alice")
        ghserver.remove_labels(6, f"l{i}", by="alice")
    ghserver.reset_log()
    assert len(client.label_events(6)) == 250
    assert ghserver.count("GET", r"/issues/6/events") == 3


def test_a_triage_users_stop_is_not_verified_a_writers_is(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.collaborators.update({"triager": "triage", "maintainer": "maintain"})
    ghserver.add_pr(7, head_sha=HEAD)
    ghserver.add_labels(7, L.STOP, by="triager")
    ghserver.add_labels(7, L.FREEZE, by="maintainer")
    labels = client.get_pr(7).labels
    assert unverified_labels(client, SCHEDULE, 7, labels) == (L.STOP,)
    # the run of 🛑's own event checks its actor itself: no events are read for it
    ghserver.reset_log()
    own = Event(name="pull_request", action="labeled", label=L.STOP, actor="triager")
    assert unverified_labels(client, own, 7, [L.STOP]) == ()
    assert ghserver.count("GET", r"/issues/7/events") == 0


def test_an_org_member_with_read_permission_is_not_a_writer(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.collaborators["member"] = "read"
    ghserver.add_pr(8, head_sha=HEAD)
    ghserver.add_labels(8, L.BLOCKED, by="member")
    assert unverified_labels(client, SCHEDULE, 8, [L.BLOCKED]) == (L.BLOCKED,)


def test_an_error_reading_events_means_not_verified(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(9, head_sha=HEAD)
    ghserver.add_labels(9, L.STOP)  # a writer's
    assert unverified_labels(client, SCHEDULE, 9, [L.STOP]) == ()
    ghserver.fail("GET", r"/issues/9/events", 500, times=10)
    assert unverified_labels(client, SCHEDULE, 9, [L.STOP]) == (L.STOP,)


def test_no_guarded_label_no_request(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(10, head_sha=HEAD, labels=["bug", "🎪 🎯 abcdef1"])
    ghserver.reset_log()
    assert unverified_labels(client, SCHEDULE, 10, client.get_pr(10).labels) == ()
    assert len(ghserver.requests) == 1  # the PR's read only
