"""The listing: one backend call, tags from a file backend's tag files, StackInfo's TTL and age."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from showtime_iac.adapters import stacks as S
from tests.adapters.stacks.support import NOW, driver
from tests.doubles import FakeEngine


def test_read_diy_tags_reads_version_1_files_only(tmp_path: Path) -> None:
    d = tmp_path / ".pulumi" / "stacks" / "showtime-iac"
    d.mkdir(parents=True)
    (d / "pr-1-abc1234.pulumi-tags").write_text(
        json.dumps({"version": 1, "tags": {"showtime:pr": "1"}})
    )
    (d / "pr-2-abc1234.pulumi-tags").write_text(json.dumps({"version": 2, "tags": {}}))
    assert S.read_diy_tags(tmp_path, "pr-1-abc1234") == {"showtime:pr": "1"}
    assert S.read_diy_tags(tmp_path, "pr-2-abc1234") is None
    assert S.read_diy_tags(tmp_path, "pr-3-abc1234") is None


def test_stack_info_ttl_left_and_age() -> None:
    info = S.StackInfo(
        "pr-1-abc1234",
        1,
        "abc1234",
        NOW - timedelta(hours=3),
        4,
        False,
        {
            "showtime:ttl": "48h",
            "showtime:expires-at": "2026-01-16T14:30:00Z",
            "showtime:requested-by": "octocat",
        },
    )
    assert info.age(NOW) == timedelta(hours=3)
    assert info.ttl_left(NOW) == timedelta(days=1)
    j = info.to_json(NOW)
    assert (
        j["requester"] == "octocat" and j["ttl_left_seconds"] == 86400 and j["age_seconds"] == 10800
    )
    never = S.StackInfo(
        "pr-1-abc1234", 1, "abc1234", tags={"showtime:expires-at": "never", "showtime:ttl": "BAD"}
    )
    assert never.ttl_left(NOW) is None and never.ttl is None


def test_list_is_one_backend_call_for_200_stacks_with_file_backend_tags(tmp_path: Path) -> None:
    e = FakeEngine(backend_url=f"file://{tmp_path}")
    tagdir = tmp_path / ".pulumi" / "stacks" / "showtime-iac"
    tagdir.mkdir(parents=True)
    for pr in range(1, 201):
        name = f"pr-{pr}-abc1234"
        e.add(name)
        (tagdir / f"{name}.pulumi-tags").write_text(
            json.dumps({"version": 1, "tags": {"showtime:requested-by": f"user{pr}"}})
        )
    e.add("shared")
    infos = driver(e).list()
    assert len(infos) == 200 and infos[0].pr == 1 and infos[-1].pr == 200
    assert infos[41].requester == "user42"
    assert e.calls == [("list_stacks", "")]


def test_list_on_other_backends_reads_tags_per_stack() -> None:
    e = FakeEngine(backend_url="s3://bucket")
    e.add("pr-7-abc1234", tags={"showtime:requested-by": "octocat"})
    infos = driver(e).list()
    assert infos[0].requester == "octocat" and infos[0].name == "pr-7-abc1234"
    assert e.ops("list_stacks") == 1 and e.ops("list_tags") == 1
    assert driver(e).list_stacks() == ["pr-7-abc1234"]


def test_list_takes_the_tags_a_tag_reader_read_while_the_cli_listed() -> None:
    e = FakeEngine(backend_url="s3://state?region=us-west-2")
    for n in (1, 2, 3):
        e.add(f"pr-{n}-abc1234", tags={"showtime:pr": str(n), "showtime:requested-by": "cli"})
    asked: list[str] = []

    def reader(url: str) -> dict[str, dict[str, str]]:
        asked.append(url)
        return {f"pr-{n}-abc1234": {"showtime:requested-by": f"bucket{n}"} for n in (1, 2)}

    infos = driver(e, tag_reader=reader).list()
    assert asked == ["s3://state?region=us-west-2"]
    assert [i.requester for i in infos] == ["bucket1", "bucket2", "cli"]
    assert e.calls.count(("list_tags", "pr-3-abc1234")) == 1 and e.ops("list_tags") == 1
    # a reader that cannot read the bucket: the CLI is asked for every stack
    infos = driver(e, tag_reader=lambda _url: None).list()
    assert [i.requester for i in infos] == ["cli", "cli", "cli"] and e.ops("list_tags") == 4
