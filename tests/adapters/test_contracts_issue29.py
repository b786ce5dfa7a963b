"""Contracts of the adapters that no test pinned down (issue 29); each was checked by changing
the behaviour and watching the test fail.

The GitHub ones run PyGithub against the GitHub test server; the stacks ones run the driver
over the engine double (``tests/doubles.py``); ``pid_alive`` meets real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.adapters.github import GitHubClient
from showtime_iac.adapters.stacks.locks import pid_alive, with_lock_retry
from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from tests.adapters.stacks.support import NOW, SHA, driver
from tests.doubles import FakeEngine, cmd_error
from tests.github_api_server import GitHubServer

HEAD = "abc1234" + "0" * 33
STACK = "pr-1234-abc1234"


@pytest.fixture
def client(ghserver: GitHubServer) -> GitHubClient:
    c = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    c.sleep = lambda _s: None
    return c


# -- destroy checks the SHA tag, not only the PR --------------------------------------------------


@pytest.mark.parametrize(
    ("where", "record"),
    [
        ("tags", {"showtime:pr": "1234", "showtime:sha": "def5678"}),
        ("config", {"showtime-iac:pr": "1234", "showtime-iac:sha": "def5678" + "0" * 33}),
        ("tags", {"showtime:pr": "4321", "showtime:sha": "abc1234"}),
    ],
)
def test_destroy_refuses_a_stack_whose_record_names_another_commit_or_pr(
    where: str, record: dict[str, str]
) -> None:
    e = FakeEngine()
    if where == "tags":
        e.add(STACK, tags=record)
    else:
        e.add(STACK, config=dict(record))
    d = driver(e)
    with pytest.raises(S.TagMismatchError, match=r"refusing to destroy it"):
        d.destroy(1234, SHA)
    assert STACK in e.stacks and e.ops("destroy") == 0 and e.ops("remove") == 0


def test_destroy_goes_ahead_when_the_record_names_this_pr_and_commit() -> None:
    e = FakeEngine()
    e.add(STACK, tags={"showtime:pr": "1234", "showtime:sha": "abc1234"})
    driver(e).destroy(1234, SHA)
    assert STACK not in e.stacks and e.ops("destroy") == 1


# -- a lock with one live holder among stale ones is never cancelled ------------------------------

HOST = "ci-host"


def _held_by(*holders: tuple[str, int, timedelta]) -> Exception:
    from pulumi.automation import ConcurrentUpdateError

    lines = [
        f"  file:///state/.pulumi/locks/o/p/{STACK}/{i}.json: created by runner@{host} "
        f"(pid {pid}) at {(NOW - age).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        for i, (host, pid, age) in enumerate(holders)
    ]
    text = "error: the stack is currently locked by 2 lock(s).\n" + "\n".join(lines)
    return cmd_error(text, ConcurrentUpdateError)


def _attempt(
    holders: list[tuple[str, int, timedelta]], alive: set[int]
) -> tuple[FakeEngine, list[str], list[int]]:
    e = FakeEngine()
    tries: list[int] = []

    def op() -> str:
        tries.append(1)
        if len(tries) == 1 or e.ops("cancel") == 0:
            raise _held_by(*holders)
        return "done"

    notes: list[str] = []
    policy = S.LockPolicy(stale_after=timedelta(hours=1), host=HOST, alive=lambda p: p in alive)
    try:
        with_lock_retry(
            e,
            STACK,
            "up",
            op,
            retries=2,
            retry_delay=1.0,
            unlock=False,
            sleep=lambda _s: None,
            notes=notes,
            policy=policy,
            clock=lambda: NOW,
        )
    except S.StackBusyError as exc:
        notes.append(f"busy: {exc}")
    return e, notes, tries


@pytest.mark.parametrize(
    "live",
    [
        ("runner-7", 77, timedelta(minutes=5)),  # another machine's, fresh
        (HOST, 4242, timedelta(minutes=5)),  # this machine's, its process alive
    ],
)
def test_one_live_holder_among_stale_ones_keeps_the_lock(live: tuple[str, int, timedelta]) -> None:
    stale = [(HOST, 31337, timedelta(minutes=5)), ("runner-9", 9, timedelta(minutes=90))]
    e, notes, tries = _attempt([*stale, live], alive={4242})
    assert e.ops("cancel") == 0
    assert len(tries) == 3  # the first try and two retries, then it gives up
    assert notes[-1].startswith(f"busy: stack {STACK} is locked by another update")
    # every holder stale: cancelled at once, and the operation runs
    e, notes, tries = _attempt(stale, alive={4242})
    assert e.ops("cancel") == 1 and len(tries) == 2
    assert any("cancelled the lock left by another run" in n for n in notes)


# -- pid_alive meets real processes ------------------------------------------------------------


def test_pid_alive_of_real_processes() -> None:
    assert pid_alive(os.getpid()) is True
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert pid_alive(child.pid) is True
    finally:
        child.kill()
    # killed but not yet reaped: a zombie is gone
    deadline = time.monotonic() + 10
    while pid_alive(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid_alive(child.pid) is False
    child.wait()
    assert pid_alive(child.pid) is False  # reaped: no such process
    assert pid_alive(2**22 + 1) is False  # beyond Linux's largest pid (pid_max ≤ 2**22)
    assert pid_alive(2**70) is False  # not even a C int: no process, not an error


# -- the sticky comment is only one carrying the marker ----------------------------------------


def test_the_tokens_own_earlier_comments_without_the_marker_are_never_edited(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    ghserver.fail("GET", r"^/user$", 200, body={"login": "alice"})  # a personal token
    earlier = ghserver.add_comment(7, "LGTM, let's try it on a preview", author="alice")
    notice = ghserver.add_comment(7, "🎪 **Environment expiring**", author="alice")
    assert client.status_comment_body(7) is None
    status = client.upsert_status_comment(7, f"{MARKER}\nrunning")
    assert status not in (earlier, notice)
    assert {c["id"]: c["body"] for c in ghserver.comments_of(7)} == {
        earlier: "LGTM, let's try it on a preview",
        notice: "🎪 **Environment expiring**",
        status: f"{MARKER}\nrunning",
    }


# -- a label both added and removed in one diff --------------------------------------------------


def test_a_label_both_added_and_removed_in_one_diff_ends_up_on(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    both = f"🎪 {HEAD[:7]} 🚦 running"
    gone = f"🎪 {HEAD[:7]} 🚦 building"
    ghserver.add_pr(7, head_sha=HEAD, labels=[gone])
    ghserver.reset_log()
    client.apply_label_diff(7, [both, L.START], [both, gone])
    assert sorted(ghserver.labels_of(7)) == sorted([both, L.START])
    deletes = [r.path for r in ghserver.requests if r.method == "DELETE"]
    assert deletes == [f"/repos/apache/superset/issues/7/labels/{gone}"]
