"""A screenshot check that fails is recorded as one (issue 29): the audit log has a
`screenshot failed` line with the reason, the outcome says so, and the stack's phase still
ends at `ready` (the environment serves; only its picture was refused)."""

from __future__ import annotations

import pytest

import showtime_iac.app.proof as proof
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_sync import HEAD, PR, STACK, Scenario
from tests.payloads import pull_request

__all__: list[str] = []

WHY = "the picture shows the login form: the admin login was not accepted"


class RefusedPicture:
    """A proof step whose picture is never proof."""

    def picture(self, pr: int, sha: str, url: str) -> object:
        raise ShowtimeError(WHY)

    def remove(self, pr: int, sha: str) -> bool:
        return False


def test_a_failed_screenshot_check_is_audited_and_the_phase_ends_ready(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proof, "open_proof", lambda files, env=None: RefusedPicture())
    monkeypatch.setenv("SHOWTIME_PROGRESS", "on")
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0 and doc is not None, doc
    assert f"screenshot check failed: {WHY}" in doc["outcome"]["actions"]
    shots = [
        (a["action"], a["result"], a["reason"]) for a in doc["audit"] if "creen" in a["action"]
    ]
    assert shots == [("screenshot", "failed", WHY)]
    assert run.stacks.tags[STACK]["showtime:phase"] == "ready"
