"""An environment's logs (CloudWatch, moto): which streams are read, how events become lines,
the JSON and text a user sees, the ``--tail`` bounds, and which log group is "the newest"
when no SHA is given (botocore's Stubber for faults moto cannot make)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from showtime_iac.adapters.aws.errors import AwsError, LogsNotFoundError
from showtime_iac.adapters.aws.logs import latest_sha, tail_logs
from showtime_iac.core.model import InputError
from tests.adapters.aws.support import SHA1, SHA2, SHA3
from tests.adapters.aws.test_logs import now_ms, put_logs
from tests.doubles import World


def _iso(ms: int) -> str:
    return f"{datetime.fromtimestamp(ms / 1000, tz=UTC):%Y-%m-%dT%H:%M:%S}Z"


def _clock(ms: int) -> str:
    return f"{datetime.fromtimestamp(ms / 1000, tz=UTC):%Y-%m-%d %H:%M:%S}"


def test_the_json_and_the_text_of_a_tail(world: World) -> None:
    t0 = now_ms() // 1000 * 1000
    messages = [
        "Traceback (most recent call last):\n  File app.py\n\n",  # one event, two lines
        "\n",  # a blank line stays a blank line
        "worker ready  ",  # trailing spaces are the line's own
        "platform: LINUX",
    ]
    put_logs(world, 7, SHA1, messages, "superset/superset/0123456789abcdef", t0)
    tail = tail_logs(world.c.logs, 7, SHA1, 10)
    stream = "superset/superset/0123456789abcdef"
    at = [_iso(t0 + i * 1000) for i in range(4)]
    assert tail.as_dict() == {
        "pr": 7,
        "sha": "aaaaaaa",
        "log_group": "/showtime/pr-7-aaaaaaa",
        "lines": [
            {"timestamp": at[0], "stream": stream, "message": "Traceback (most recent call last):"},
            {"timestamp": at[0], "stream": stream, "message": "  File app.py"},
            {"timestamp": at[1], "stream": stream, "message": ""},
            {"timestamp": at[2], "stream": stream, "message": "worker ready  "},
            {"timestamp": at[3], "stream": stream, "message": "platform: LINUX"},
        ],
    }
    c = [_clock(t0 + i * 1000) for i in range(4)]
    assert tail.text() == (
        f"{c[0]} 01234567 Traceback (most recent call last):\n"
        f"{c[0]} 01234567   File app.py\n"
        f"{c[1]} 01234567 \n"
        f"{c[2]} 01234567 worker ready  \n"
        f"{c[3]} 01234567 platform: LINUX"
    )


def test_a_stream_named_without_a_slash_is_shown_whole(world: World) -> None:
    t0 = now_ms() // 1000 * 1000
    put_logs(world, 7, SHA1, ["by hand"], "manual", t0)
    assert tail_logs(world.c.logs, 7, SHA1, 5).text() == f"{_clock(t0)} manual by hand"


def test_only_the_five_most_recently_written_streams_are_read(world: World) -> None:
    """Six streams: the one written longest ago (also the last by name) is left out."""
    t0 = now_ms() - 600_000
    ages = {"task1": 5, "task2": 4, "task3": 3, "task4": 2, "task5": 1, "task6": 9}
    for name, age in ages.items():
        put_logs(world, 7, SHA1, [f"from {name}"], f"superset/superset/{name}", t0 - age * 1000)
    tail = tail_logs(world.c.logs, 7, SHA1, 100)
    assert [line.message for line in tail.lines] == [
        "from task1",
        "from task2",
        "from task3",
        "from task4",
        "from task5",
    ]


def test_tail_bounds_are_1_and_10000(world: World) -> None:
    t0 = now_ms()
    put_logs(world, 7, SHA1, ["one", "two"], "superset/superset/a", t0)
    assert [x.message for x in tail_logs(world.c.logs, 7, SHA1, 1).lines] == ["two"]
    assert [x.message for x in tail_logs(world.c.logs, 7, SHA1, 10_000).lines] == ["one", "two"]
    for n in (0, 10_001):
        with pytest.raises(InputError) as caught:
            tail_logs(world.c.logs, 7, SHA1, n)
        assert str(caught.value) == f"--tail {n}: expected 1 to 10000 lines"


def test_a_missing_log_group_names_the_pr_and_sha(world: World) -> None:
    with pytest.raises(LogsNotFoundError) as caught:
        tail_logs(world.c.logs, 8, SHA2, 10)
    assert str(caught.value) == (
        "no log group /showtime/pr-8-bbbbbbb: PR #8 at bbbbbbb was never deployed or is "
        "already destroyed"
    )


def test_the_newest_log_group_is_the_most_recently_written(world: World) -> None:
    """aaaaaaa: created first, written last (its newest stream is not the last by name);
    bbbbbbb: created after it, written earlier; a group whose suffix is no SHA, listed first,
    is skipped."""
    now = now_ms()
    world.c.logs.create_log_group(logGroupName="/showtime/pr-7-0-not-a-sha")
    put_logs(world, 7, SHA1, ["recent"], "superset/superset/a", now)
    put_logs(world, 7, SHA1, ["long ago"], "superset/superset/z", now - 1_200_000)
    put_logs(world, 7, SHA2, ["a while ago"], "superset/superset/b", now - 600_000)
    assert latest_sha(world.c.logs, 7) == "aaaaaaa"


def test_a_log_group_without_streams_counts_from_its_creation(world: World) -> None:
    put_logs(world, 7, SHA1, ["a while ago"], "superset/superset/a", now_ms() - 600_000)
    world.c.logs.create_log_group(logGroupName="/showtime/pr-7-ccccccc")  # SHA3, just created
    assert SHA3.startswith("ccccccc")
    assert latest_sha(world.c.logs, 7) == "ccccccc"
    assert latest_sha(world.c.logs, 8) is None


def _client() -> Any:
    return boto3.client(
        "logs", region_name="us-west-2", aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )  # fmt: skip


def test_refused_calls_are_named_and_empty_answers_are_empty() -> None:
    """Faults moto cannot make (botocore's Stubber)."""
    from botocore.stub import Stubber

    logs = _client()
    group = "/showtime/pr-7-aaaaaaa"
    with Stubber(logs) as stub:
        stub.add_client_error("describe_log_streams", "AccessDeniedException", "no")
        with pytest.raises(AwsError) as caught:
            tail_logs(logs, 7, SHA1, 5)
        assert str(caught.value) == (
            "DescribeLogStreams /showtime/pr-7-aaaaaaa failed: AccessDeniedException: no"
        )
        stub.add_response("describe_log_streams", {"logStreams": [{"logStreamName": "s/t/u"}]})
        stub.add_client_error("get_log_events", "AccessDeniedException", "no events")
        with pytest.raises(AwsError) as caught:
            tail_logs(logs, 7, SHA1, 5)
        assert str(caught.value) == (
            f"GetLogEvents {group}/s/t/u failed: AccessDeniedException: no events"
        )
        stub.add_response("describe_log_streams", {})
        assert tail_logs(logs, 7, SHA1, 5).lines == ()
        stub.add_response("describe_log_streams", {"logStreams": [{"logStreamName": "s/t/u"}]})
        stub.add_response("get_log_events", {})
        assert tail_logs(logs, 7, SHA1, 5).lines == ()

        stub.add_client_error("describe_log_groups", "AccessDeniedException", "no groups")
        with pytest.raises(AwsError) as caught:
            latest_sha(logs, 7)
        assert str(caught.value) == (
            "DescribeLogGroups /showtime/pr-7- failed: AccessDeniedException: no groups"
        )
        stub.add_response("describe_log_groups", {})
        assert latest_sha(logs, 7) is None
        stub.add_response(
            "describe_log_groups",
            {"logGroups": [{"logGroupName": "/showtime/pr-7-ccccccc", "creationTime": 5}]},
        )
        stub.add_response("describe_log_streams", {})
        assert latest_sha(logs, 7) == "ccccccc"
        stub.assert_no_pending_responses()
