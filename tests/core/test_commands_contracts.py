"""The comment-command contract of ``core.commands`` (issue 29): which lines are commands
(not in a fence, an HTML comment, a code span, an indented block or a quote), the reply each
malformed command gets (word for word: the commenter reads it, and only 20 safe characters of
their text come back), and the ``FEATURE_X=...`` lines of a PR description. Pure.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.commands import (
    MAX_COMMENT,
    Command,
    CommandError,
    parse_body_flags,
    parse_comment,
)

# -- what is a command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "```\n/circus destroy",  # a fence left open runs to the end
        "````python\n/circus destroy\n```",  # a shorter run does not close it
        "~~~ a`b\n/circus destroy\n~~~",  # a tilde fence's info string may hold backticks
        "``\n`\n/circus destroy\n`",  # an unmatched `` is literal; the ` span still hides
        "\t/circus destroy",  # indented code block (tab)
        "    /circus destroy",  # indented code block (spaces)
        "> /circus destroy",
        "  > /circus destroy",
        "<!-- /circus destroy -->",
    ],
)
def test_commands_in_code_quotes_and_html_comments_are_not_read(body: str) -> None:
    assert parse_comment(body) is None


@pytest.mark.parametrize(
    ("body", "command"),
    [
        # three backticks with one in the info string: no fence, an inline code span
        ("```a`b```\n/circus destroy", Command("destroy")),
        # an indented block ends at the first line that is not indented
        ("    code\n/circus status\n    more", Command("status")),
        # a code span after the command is blanked, not an argument
        ("/circus status `now`", Command("status")),
        # an HTML comment reads as a space; one over lines keeps its line breaks
        ("/showtime <!-- note -->status", Command("status")),
        ("see <!-- a note\nover lines -->/showtime status", Command("status")),
    ],
)
def test_command_lines_around_code_and_comments(body: str, command: Command) -> None:
    assert parse_comment(body) == command


def test_a_comment_up_to_the_limit_is_read() -> None:
    assert MAX_COMMENT == 65_536
    body = "/circus status\n" + "x" * (MAX_COMMENT - 15)
    assert len(body) == MAX_COMMENT
    assert parse_comment(body) == Command("status")
    assert parse_comment(body + "x") is None


def test_debug_takes_on_and_off_in_any_case() -> None:
    assert parse_comment("/showtime debug OFF") == Command("debug", "off")
    assert parse_comment("/showtime debug on") == Command("debug", "on")


# -- replies to malformed commands, word for word -----------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("/showtime", "no command given"),
        ("/circus   ", "no command given"),
        ("/circus <@x>", "unknown command `x`"),
        ("/circus <>", "unknown command `?`"),
        ("/circus " + "abcdefghij" * 3, "unknown command `abcdefghijabcdefghij`"),
        ("/circus refresh xyz", "`refresh xyz`: name a commit by 7 to 40 hex digits"),
        ("/circus status now", "`status` takes no argument"),
        ("/circus destroy it all", "`destroy` takes no argument"),
        ("/circus extend", "`extend` takes exactly one argument"),
        ("/circus size small now", "`size` takes exactly one argument"),
        ("/circus extend forever", "`extend forever`: use a duration such as 24h, 3d or 1w"),
        (
            "/circus extend manual",
            "`extend` takes a duration; use `keep-alive` to pin it (no idle expiry)",
        ),
        ("/circus enable x-y", "`enable x-y`: a flag is A-Z, 0-9 and _ (e.g. ALERTS)"),
        ("/circus disable ALÉRTS", "`disable ALRTS`: a flag is A-Z, 0-9 and _ (e.g. ALERTS)"),
        ("/circus debug maybe", "`debug` takes `on` or `off`"),
        ("/circus size [huge](http://x)", "`size hugehttp:x`: choose small, medium or large"),
    ],
)
def test_malformed_commands_get_these_replies(body: str, message: str) -> None:
    assert parse_comment(body) == CommandError(message)


# -- FEATURE_X=... lines of a PR description ----------------------------------------------------


def test_body_flags_read_every_spelling_of_on_and_off() -> None:
    body = "\n".join(
        [
            "FEATURE_A=yes",
            "FEATURE_B=on",
            "FEATURE_C=YES",
            "FEATURE_D=ON",
            "FEATURE_E=true",
            "FEATURE_F=1",
            "FEATURE_G=no",
            "SUPERSET_FEATURE_H=off",
        ]
    )
    assert parse_body_flags(body) == (
        ("A", True),
        ("B", True),
        ("C", True),
        ("D", True),
        ("E", True),
        ("F", True),
        ("G", False),
        ("H", False),
    )


def test_body_flags_are_read_up_to_four_times_the_comment_limit() -> None:
    limit = MAX_COMMENT * 4
    body = "FEATURE_ALERTS=true\n" + "x" * (limit - 20)
    assert len(body) == limit
    assert parse_body_flags(body) == (("ALERTS", True),)
    assert parse_body_flags(body + "x") == ()
