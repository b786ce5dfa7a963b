"""`/showtime` and `/circus` comment commands and PR-description feature flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.commands import (
    MAX_COMMENT,
    Command,
    CommandError,
    parse_body_flags,
    parse_comment,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/showtime refresh", Command("refresh")),
        ("/circus refresh", Command("refresh")),
        ("/showtime refresh ABC1234", Command("refresh", "abc1234")),
        (f"/showtime refresh {'f' * 40}", Command("refresh", "f" * 40)),
        ("/CIRCUS Status", Command("status")),
        ("thanks!\n/showtime extend 48h\n", Command("extend", "48h")),
        ("/showtime extend 2D", Command("extend", "2d")),
        ("/showtime keep-alive", Command("keep-alive")),
        ("/showtime destroy", Command("destroy")),
        ("/showtime enable alerts", Command("enable", "ALERTS")),
        ("/showtime enable FEATURE_ALERTS", Command("enable", "ALERTS")),
        ("/showtime disable SUPERSET_FEATURE_DASHBOARD_RBAC", Command("disable", "DASHBOARD_RBAC")),
        ("/showtime debug ON", Command("debug", "on")),
        ("/showtime size large", Command("size", "large")),
        ("/showtime help", Command("help")),
        ("  /showtime status  ", Command("status")),
        ("/showtime status\n/showtime destroy", Command("status")),  # only the first command
    ],
)
def test_commands_parse(body: str, expected: Command) -> None:
    assert parse_comment(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "> /circus destroy",  # quoted
        "```\n/circus destroy\n```",  # fenced code
        "~~~\n/circus destroy\n~~~",
        "    /circus destroy",  # indented code
        "please run /circus destroy",  # not at the start of a line
        "/сircus destroy",  # Cyrillic с
        "/ｃｉｒｃｕｓ destroy",  # fullwidth
        "/showtimes destroy",
        "/\u0280howtime destroy",
        "/showtime destroy".replace("s", "ſ"),  # long s folds to s without re.ASCII
        "x" * (MAX_COMMENT + 1) + "\n/circus destroy",  # too long to read
        "",
    ],
)
def test_quoted_code_lookalike_and_huge_comments_are_ignored(body: str) -> None:
    assert parse_comment(body) is None


@pytest.mark.parametrize(
    "body",
    [
        "/showtime",
        "/showtime dance",
        "/showtime extend forever",
        "/showtime extend -1h",
        "/showtime extend 99999999h",
        "/showtime extend close",
        "/showtime enable $(rm -rf /)",
        "/showtime enable lower-case",
        "/showtime size huge",
        "/showtime debug maybe",
        "/showtime refresh now",
        "/showtime refresh abc123",
        f"/showtime refresh {'a' * 41}",
        "/showtime refresh abc1234 now",
        "/showtime extend",
    ],
)
def test_bad_commands_are_errors(body: str) -> None:
    assert isinstance(parse_comment(body), CommandError)


@given(st.text(max_size=500))
def test_parse_comment_never_raises(body: str) -> None:
    parse_comment(body)
    parse_comment("/showtime " + body)


def test_body_flags() -> None:
    body = "Adds a thing.\n\nFEATURE_ALERTS=true\nSUPERSET_FEATURE_DASHBOARD_RBAC = false\n> FEATURE_QUOTED=true\n```\nFEATURE_CODE=true\n```\nfeature_lower=1\nFEATURE_ALERTS=false\n"
    assert parse_body_flags(body) == (("ALERTS", False), ("DASHBOARD_RBAC", False), ("LOWER", True))
