"""``sync`` decides under the repository's policy file (issue 29): its ``default_ttl`` is the
TTL a start records, on the label and on the stack, and its ``max_ttl`` bounds an extend. The real CLI over PyGithub against the
GitHub test server, the stacks behind their port (``tests/doubles.py``)."""

from __future__ import annotations

from showtime_iac.core import labels as L
from tests.app.test_sync import PR, SHA7, STACK, Scenario, running
from tests.payloads import HEAD, issue_comment, pull_request

__all__ = ["Scenario"]


def test_a_start_takes_the_policy_files_default_ttl(run: Scenario) -> None:
    (run.tmp_path / "showtime.toml").write_text('default_ttl = "3h"\n', encoding="utf-8")
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    [cfg] = run.stacks.configs
    assert cfg.ttl is not None and str(cfg.ttl) == "3h"
    [ttl] = [n for n in run.gh.labels_of(PR) if "⌛" in n]
    assert ttl.startswith(f"🎪 {SHA7} ⌛ idle 3h · max ")
    assert run.stacks.tags[STACK]["showtime:ttl"] == "3h"


def test_an_extend_is_held_to_the_policy_files_max_ttl(run: Scenario) -> None:
    (run.tmp_path / "showtime.toml").write_text('max_ttl = "30h"\n', encoding="utf-8")
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(issue_comment("/showtime extend 100h", labels), name="issue_comment")
    assert rc == 0 and doc is not None
    assert doc["plan"]["reasons"] == ["extend 100h refused: above 30h"]
    [reply] = [c["body"] for c in run.gh.comments_of(PR)]
    assert reply == "🎪 `extend 100h` is above the maximum of 30h; nothing changed."
    assert sorted(run.gh.labels_of(PR)) == sorted(labels)
