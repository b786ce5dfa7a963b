"""The original Superset Showtime as ``core/original.py`` reads it, written out literally
(docs/migration.md "What the original creates"): its names, its label dialect with the quirks
of its own parser (``label.split(" ")``, 3-part labels, the first 🎯 value), which labels
describe one SHA, and what AWS holds grouped per environment.

``test_migration.py`` runs the original's own parser beside ours on random labels; these pin
the cases that random labels rarely reach."""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.original import (
    OriginalEnv,
    OriginalInventory,
    OriginalNames,
    OriginalService,
    OriginalShow,
    OriginalTaskDefinition,
    labels_of,
    original_names,
    parse_original,
)

SHA = "abc1234"
RUNNING = "🎪 abc1234 🚦 running"


def test_the_names_use_the_first_seven_characters_of_the_sha() -> None:
    names = original_names(1234, SHA + "d" * 33)
    assert names == OriginalNames(1234, "abc1234")
    assert (names.service, names.image_tag, names.image) == (
        "pr-1234-abc1234-service",
        "pr-1234-abc1234-ci",
        "apache/superset:pr-1234-abc1234-ci",
    )


def test_values_are_split_on_single_spaces_as_the_original_does() -> None:
    labels = [RUNNING, "🎪 abc1234 🤡 a  b", "🎪 abc1234 🌐 52.1.2.3:8080", "🎪x abc1234 ⌛ 1w"]
    # "🎪x …" is read for its values (the original checks only the 🎪 prefix) but is not ours
    assert parse_original(labels).shows == {
        SHA: OriginalShow(SHA, "running", ip="52.1.2.3", requester="a  b", ours=False)
    }


def test_a_label_without_a_value_counts() -> None:
    # "🎪 abc1234 🚦" is a status of "" for the original: two values, a conflict
    assert parse_original([RUNNING, "🎪 abc1234 🚦"]).shows == {
        SHA: OriginalShow(SHA, "running", conflicts=("status",))
    }
    # and a bare 👤 (an emoji only showtime-iac writes) marks the labels as ours
    assert parse_original([RUNNING, "🎪 abc1234 👤"]).shows == {
        SHA: OriginalShow(SHA, "running", ours=True)
    }
    assert parse_original([RUNNING, "🎪 abc1234 ⌛ 48h"]).shows[SHA].ours is True


def test_pointers_and_the_freeze_label() -> None:
    # the original takes the third space-separated part of a 🎯 label: here, nothing
    assert parse_original([RUNNING, "🎪 🎯 "]).active == ("",)
    assert parse_original([RUNNING, "🎪 🎯  abc1234"]).active == ("",)
    assert parse_original([RUNNING, L.FREEZE]).freeze is True
    assert parse_original([RUNNING]).freeze is False


def test_the_labels_of_one_sha_for_either_tool() -> None:
    labels = [
        "🎪 abc1234 🚦",  # a per-SHA label without a value
        "🎪 🎯\ufe0f abc1234",  # the pointer with a variation selector
        "🎪 🏗 abc1234",  # our building pointer
        "🎪 🎯X abc1234",  # not a pointer
        "🎪 🎯  abc1234",  # names "" for the original: not this SHA
        "🎪  abc1234 🚦 running",  # likewise: its SHA part is ""
        "🎪 def5678 🚦 running",
    ]
    assert labels_of(labels, SHA) == ["🎪 abc1234 🚦", "🎪 🎯\ufe0f abc1234", "🎪 🏗 abc1234"]


def td(rev: int, image: str | None) -> OriginalTaskDefinition:
    return OriginalTaskDefinition(
        f"arn:aws:ecs:us-west-2:1:task-definition/superset-ci:{rev}", "superset-ci", rev, image
    )


def test_aws_resources_are_grouped_per_environment() -> None:
    updated = td(7, "apache/superset:pr-1-def5678-ci")  # run by the abc1234 service
    stray = td(8, "apache/superset:pr-2-def5678-ci")  # run by nothing: its image names it
    svc = OriginalService(
        "pr-1-abc1234-service",
        "arn:aws:ecs:us-west-2:1:service/superset-ci/pr-1-abc1234-service",
        "ACTIVE",
        {},
        task_definition=updated.arn,
    )
    inv = OriginalInventory(
        (svc,),
        (updated, stray, td(9, None), td(10, "apache/superset:latest")),
        ("pr-1-abc1234-ci", "latest"),
    )
    assert inv.envs() == {
        (1, "abc1234"): OriginalEnv(1, "abc1234", svc, (updated,), ("pr-1-abc1234-ci",)),
        (2, "def5678"): OriginalEnv(2, "def5678", None, (stray,), ()),
    }
    assert inv.prs() == {1, 2}
