"""The shared config's AWS names and the strict key reader (core/aws_ids, core/config_keys):
the contracts the mutation run (issue 29) found no test pinning down: each refusal is one line
naming the value, cut to a readable length. Each test was checked by making the change and
watching it fail.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.config_keys import bool_value
from showtime_iac.core.stack_config import SharedConfig, StackConfigError, from_stack_config


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"domain": "D" * 70},
            f"invalid domain '{'D' * 60}': lowercase DNS name of at most 25 characters (the 🌐 "
            "label must fit GitHub's 50), e.g. preview.example.org",
        ),
        ({"load_balancer_name": "x" * 70 + " "}, f"invalid load balancer name '{'x' * 60}'"),
        (
            {"domain": "preview.example.org", "certificate_arn": "a" * 110},
            f"invalid ARN '{'a' * 100}'",
        ),
        ({"hosted_zone_id": "z" * 50}, f"invalid hosted zone id '{'z' * 40}'"),
        ({"alb_security_group_id": "g" * 70}, f"invalid security group id '{'g' * 60}'"),
        ({"permissions_boundary_name": "p" * 90 + " "}, f"invalid IAM policy name '{'p' * 80}'"),
        (
            {"permissions_boundary_arn": "b" * 110},
            f"invalid permissions boundary '{'b' * 100}': the ARN of a managed policy of this "
            "account, arn:aws:iam::<account>:policy/<name>",
        ),
        ({"alb_access_logs_bucket": "B" * 90}, f"invalid S3 bucket name '{'B' * 80}'"),
        (
            {"alb_access_logs_prefix": "alb"},
            "showtime-iac:albAccessLogsPrefix needs showtime-iac:albAccessLogsBucket",
        ),
        (
            {"alb_access_logs_bucket": "my-logs", "alb_access_logs_prefix": "/" + "q" * 90},
            f"invalid access log prefix '/{'q' * 79}': no leading or trailing /, never AWSLogs",
        ),
    ],
)
def test_a_bad_shared_name_is_one_line_cut_to_length(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_an_unknown_key_is_named_with_every_known_one() -> None:
    typo = "showtime-iac:" + "k" * 90
    with pytest.raises(StackConfigError) as err:
        from_stack_config({"showtime-iac:pr": "1", "showtime-iac:sha": "abcdef0", typo: "x"})
    head, sep, known = str(err.value).partition(": known keys are ")
    assert head == f"unknown config key {typo[:80]!r}" and sep
    names = known.split(", ")
    assert names == sorted(names)
    assert {"pr", "sha", "albShard", "targetGroupArn", "adminPassword"} <= set(names)
    assert all(":" not in n and " " not in n for n in names)


def test_a_bad_switch_is_echoed_cut_to_40() -> None:
    with pytest.raises(StackConfigError) as err:
        bool_value("debug", "y" * 50)
    assert str(err.value) == f"showtime-iac:debug must be true or false, not '{'y' * 40}'"
    assert (bool_value("x", " TRUE "), bool_value("x", "False")) == (True, False)
