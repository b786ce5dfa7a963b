"""Contracts of the dashboard's input file (``--input``, schema in docs/commands/dashboard.md),
pinned for issue 29: every key of a card is read into the card (compared with cards written
out here, not with what the reader itself produced), the defaults of a card with only its
``pr``, and each error names the card by its place in the list and the key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from showtime_iac.app.dashboard import EnvCard, cards_from_json
from showtime_iac.core.model import InputError, Ttl

FULL = {
    "pr": 35020,
    "title": "fix(sqllab): keep the <tab> order",
    "pr_url": "https://github.com/apache/superset/pull/35020",
    "status": "updating",
    "active_sha": "9f8e7d6",
    "building_sha": "1234abc",
    "url": "http://34.210.5.6:8080",
    "created": "2026-01-14T16:00:00Z",
    "ttl": "48h",
    "requester": "ann",
    "config": ["medium", "-DASHBOARD_RBAC"],
    "hourly_cost": 0.05762,
    "picture": "https://example.org/login.png",
    "phase": "deployed",
}


def test_every_key_of_a_card_is_read() -> None:
    assert cards_from_json({"environments": [FULL, {"pr": 7}]}) == [
        EnvCard(
            pr=35020,
            title="fix(sqllab): keep the <tab> order",
            pr_url="https://github.com/apache/superset/pull/35020",
            status="updating",
            active_sha="9f8e7d6",
            building_sha="1234abc",
            url="http://34.210.5.6:8080",
            created=datetime(2026, 1, 14, 16, 0, tzinfo=UTC),
            ttl=Ttl("48h"),
            requester="ann",
            config=("medium", "-DASHBOARD_RBAC"),
            hourly_cost=0.05762,
            picture="https://example.org/login.png",
            phase="deployed",
        ),
        EnvCard(pr=7),
    ]


def test_a_card_with_only_its_pr_has_no_title_no_link_and_is_requested() -> None:
    (card,) = cards_from_json([{"pr": 7}])
    assert (card.title, card.pr_url, card.status, card.building_sha, card.url) == (
        "",
        "",
        "requested",
        None,
        None,
    )


STRING_KEYS = [
    "title",
    "pr_url",
    "status",
    "active_sha",
    "building_sha",
    "url",
    "created",
    "ttl",
    "requester",
    "picture",
    "phase",
]


@pytest.mark.parametrize("key", STRING_KEYS)
def test_a_key_of_the_wrong_type_names_the_card_and_the_key(key: str) -> None:
    with pytest.raises(InputError) as err:
        cards_from_json([{"pr": 1}, {"pr": 2, key: 5}])
    assert str(err.value) == f"environment #2: '{key}' must be a string or null"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"environments": {"pr": 1}},
            'the input must be a JSON list of cards or {"environments": [...]}',
        ),
        (
            [{"pr": 1}, {"pr": 2, "size": "large", "colour": "red"}],
            "environment #2: unknown key(s) colour, size",
        ),
        ([{"pr": 1}, {"pr": 2}, "x"], "environment #3 is not a JSON object"),
    ],
)
def test_a_malformed_input_is_one_error_that_says_where(doc: Any, message: str) -> None:
    with pytest.raises(InputError) as err:
        cards_from_json(doc)
    assert str(err.value) == message
