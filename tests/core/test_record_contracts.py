"""The record's contracts (docs/concepts/stacks.md "Tags", the module's docstrings), written out
against what mutation testing found unpinned (issue 29). Pure: no fakes."""

from __future__ import annotations

from showtime_iac.core.record import reconcile, record_of

PR = 1234
SHA = "abc1234"
ROUTER = f"pr-{PR}-router"
RUNNING = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", "🎪 abc1234 🌐 10.0.0.9:8080"]


def test_an_address_no_label_can_carry_leaves_the_labels_address_standing() -> None:
    """``reconcile`` is total: a recorded address too long for a per-SHA 🌐 label (GitHub's
    50 characters; 40 here would fit only the SHA-less form) or not of the label's form is
    treated as absent, like any value that does not parse; the label's address stands."""
    for address in ("pr-1234.a-rather-long-domain.example.org", "HOST.Example.COM", "a b"):
        tags = {"showtime:status": "running", "showtime:address": address}
        seen = reconcile(RUNNING, record_of(PR, {f"pr-{PR}-{SHA}": tags}))
        assert seen.labels == tuple(RUNNING) and not seen.repair and seen.notes == ()


def test_a_router_that_names_no_valid_sha_routes_nothing() -> None:
    """The router's ``showtime:sha`` is believed only when it is a commit SHA (it is the one
    a 🎯 label could name)."""
    stack = {f"pr-{PR}-{SHA}": {"showtime:status": "running"}}
    assert record_of(PR, stack | {ROUTER: {"showtime:sha": SHA}}).routed == SHA
    assert record_of(PR, stack).routed is None
    for sha in (None, "", "not a sha", "zzzzzzz", "abc123"):
        router = {} if sha is None else {"showtime:sha": sha}
        assert record_of(PR, stack | {ROUTER: router}).routed is None, router
