"""Contracts the core's mutation run found unpinned in modules otherwise covered (issue 29):
the image wait's words, a label date from a non-UTC clock, the linux/amd64/v1 variant, and the
safest of many conflicting lifetimes whatever order a set gives them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.image_wait import JobState, Verdict, judge
from showtime_iac.core.label_grammar import format_timestamp
from showtime_iac.core.registry import Descriptor, Index, choose_platform

DIGEST = "sha256:" + "2" * 64
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def test_the_image_wait_says_what_it_waits_for_and_what_was_pushed() -> None:
    assert judge(None, None) == Verdict("wait", "the push job has not started")
    done = JobState("push", "completed", "success")
    assert judge(done, DIGEST) == Verdict("ready", f"push pushed {DIGEST}", DIGEST)


@pytest.fixture
def new_york() -> Iterator[None]:
    """The process's local time zone set to one that is not UTC (restored afterwards)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("new_york")
def test_a_label_date_is_utc_whatever_the_machines_time_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 1, 15, 16, 30, tzinfo=plus_two)) == "2026-01-15T14-30"


def test_the_v1_variant_of_linux_amd64_is_the_amd64_image() -> None:
    arm = Descriptor(OCI_MANIFEST, "sha256:" + "1" * 64, 528, ("linux", "arm64", "v8"))
    v1 = Descriptor(OCI_MANIFEST, DIGEST, 528, ("linux", "amd64", "v1"))
    assert choose_platform(Index((arm, v1)), "img") == v1


def test_the_earliest_of_two_conflicting_creation_times_wins_in_every_case() -> None:
    # a set's order of two strings varies with the hash seed: with 24 pairs, a fold that took
    # the first in set order instead of the safest (the earliest: it expires first) would
    # pick the later one somewhere
    for hour in range(24):
        early, late = f"2026-01-15T{hour:02d}-00", f"2026-02-15T{hour:02d}-30"
        labels = ["🎪 abc1234 🚦 running", f"🎪 abc1234 📅 {late}", f"🎪 abc1234 📅 {early}"]
        st = L.parse_state(labels)
        assert st.shows["abc1234"].created == datetime(2026, 1, 15, hour, tzinfo=UTC), early
