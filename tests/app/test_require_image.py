"""``SHOWTIME_REQUIRE_IMAGE`` (issue 29): the action sets it so the deploy job never builds.
``1``, ``true`` or ``yes`` (any case, whitespace trimmed) turn it on; anything else, and
unset or empty, leave it off."""

from __future__ import annotations

import pytest

from showtime_iac.app.images import require_image


@pytest.mark.parametrize("value", ["1", "true", "yes", " TRUE ", "Yes\n", "YES"])
def test_these_values_require_an_image(value: str) -> None:
    assert require_image({"SHOWTIME_REQUIRE_IMAGE": value}) is True


@pytest.mark.parametrize("value", ["", " ", "0", "false", "no", "on", "y", "yes please", "11"])
def test_any_other_value_does_not(value: str) -> None:
    assert require_image({"SHOWTIME_REQUIRE_IMAGE": value}) is False


def test_unset_does_not() -> None:
    assert require_image({}) is False
