"""``migrate --prune`` decides from the original's AWS state, not from labels (issue 26,
item 6). Attack: anyone who may label the PR strips the original's 🎪 labels from a PR
whose environment serves; ``--prune`` then deleted it as "left behind"."""

from __future__ import annotations

import pytest

from tests.app.test_migrate import World, by_sha, world  # noqa: F401
from tests.original_showtime import original  # noqa: F401


@pytest.mark.parametrize("forged", [(), ("🎪 a1a1a1a 🚦 failed",)])
def test_a_service_that_still_runs_is_never_pruned(
    world: World,  # noqa: F811
    forged: tuple[str, ...],
) -> None:
    stripped = [n for n in world.gh.labels_of(101) if n.startswith("🎪")]
    world.gh.remove_labels(101, *stripped)
    if forged:
        world.gh.add_labels(101, *forged)
    assert "pr-101-a1a1a1a-service" in world.o.services()

    rc, doc = world.migrate("--prune")

    a1 = by_sha(doc)["a1a1a1a"]
    assert a1["action"] == "leave" and "still runs in AWS" in a1["reasons"][0], a1
    assert world.o.services()["pr-101-a1a1a1a-service"] == "ACTIVE"
    assert rc == 0 and world.stacks.destroyed == []
    # what only closed PRs and gone commits argue for is still pruned
    assert "pr-103-c1c1c1c-service" not in world.o.services()
    assert "pr-104-d1d1d1d-service" not in world.o.services()
