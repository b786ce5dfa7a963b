"""The dashboard shows what the status comment shows (issue 28): the picture and the phase the
stack's record holds, for the card's active SHA; a picture link is only ever http(s)."""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.app.dashboard import EnvCard, cards_from_json, cards_to_json, render, with_records

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
RAW = (
    "https://raw.githubusercontent.com/apache/superset/showtime-previews/previews/pr-7/abc1234.png"
)


def test_the_record_of_the_active_sha_gives_the_card_its_picture_and_phase() -> None:
    cards = [EnvCard(pr=7, status="running", active_sha="abc1234"), EnvCard(pr=8)]
    records = {
        "pr-7-abc1234": {"showtime:picture": RAW, "showtime:phase": "ready"},
        "pr-7-0000000": {"showtime:picture": "https://elsewhere.example/x.png"},
    }
    got = with_records(cards, records)
    assert (got[0].picture, got[0].phase) == (RAW, "ready")
    assert (got[1].picture, got[1].phase) == (None, None)
    page = render(got, NOW)
    assert f'<a href="{RAW}" rel="noopener noreferrer">logged in (screenshot)</a>' in page
    assert "<dt>Phase</dt><dd>ready</dd>" in page
    # the JSON the command writes carries them, and reads back the same
    again = cards_from_json(cards_to_json(got, NOW))
    assert (again[0].picture, again[0].phase) == (RAW, "ready")


def test_a_picture_that_is_not_http_is_text_not_a_link() -> None:
    card = EnvCard(pr=7, active_sha="abc1234", picture="javascript:alert(1)", phase="<b>x</b>")
    page = render([card], NOW)
    assert 'href="javascript' not in page and "<b>x</b>" not in page
