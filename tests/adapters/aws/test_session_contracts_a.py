"""``aws_call``: an AWS error that carries no error code still reads as one."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from showtime_iac.adapters.aws.errors import AwsError
from showtime_iac.adapters.aws.session import aws_call


def test_an_error_without_a_code_is_called_error() -> None:
    with pytest.raises(AwsError) as caught, aws_call("DescribeThings x"):
        raise ClientError({"Error": {"Message": "it broke"}}, "DescribeThings")
    assert str(caught.value) == "DescribeThings x failed: Error: it broke"
    assert caught.value.code == "Error"
