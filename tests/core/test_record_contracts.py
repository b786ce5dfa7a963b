"""The record's contracts (docs/concepts/stacks.md "Tags", the module's docstrings), written out
against what mutation testing found unpinned (issue 29). Pure: no fakes."""

from __future__ import annotations

from showtime_iac.core.record import reconcile, record_of

PR = 1234
SHA = "abc1234"
RUNNING = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", "🎪 abc1234 🌐 10.0.0.9:8080"]


def test_an_address_no_label_can_carry_leaves_the_labels_address_standing() -> None:
    """``reconcile`` is total: a recorded address too long for a per-SHA 🌐 label (GitHub's
    50 characters; 40 here would fit only the SHA-less form) or not of the label's form is
    treated as absent, like any value that does not parse; the label's address stands."""
    for address in ("pr-1234.a-rather-long-domain.example.org", "HOST.Example.COM", "a b"):
        tags = {"showtime:status": "running", "showtime:address": address}
        seen = reconcile(RUNNING, record_of(PR, {f"pr-{PR}-{SHA}": tags}))
        assert seen.labels == tuple(RUNNING) and not seen.repair and seen.notes == ()
