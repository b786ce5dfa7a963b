"""The environments dashboard: rendering (content, escaping, totals), cards from labels and
from JSON, and the ``dashboard`` command."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from showtime_iac.adapters.aws import hourly_cost
from showtime_iac.app.dashboard import (
    REQUESTED,
    EnvCard,
    cards_from_json,
    cards_from_prs,
    cards_to_json,
    format_duration,
    render,
    totals,
    ttl_left,
)
from showtime_iac.cli import main
from showtime_iac.core.labels import render_pointer, render_show
from showtime_iac.core.model import InputError, PrInfo, Show, Status, Ttl
from tests.github_api_server import GitHubServer

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dashboard" / "environments.json"
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def fixture_cards() -> list[EnvCard]:
    return cards_from_json(json.loads(FIXTURE.read_text(encoding="utf-8")))


class _Cards(HTMLParser):
    """Collects each card's text and links, by PR number (a real parse, not a regex)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: dict[int, list[str]] = {}
        self.links: dict[int, list[str]] = {}
        self.totals: list[str] = []
        self._pr: int | None = None
        self._depth = 0
        self._in_totals = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article" and a.get("data-pr"):
            self._pr = int(a["data-pr"] or 0)
            self.cards[self._pr], self.links[self._pr] = [], []
        if tag == "ul" and a.get("id") == "totals":
            self._in_totals = True
        if tag == "a" and self._pr is not None:
            self.links[self._pr].append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._pr = None
        if tag == "ul":
            self._in_totals = False

    def handle_data(self, data: str) -> None:
        if self._pr is not None:
            self.cards[self._pr].append(data)
        if self._in_totals:
            self.totals.append(data)


def parse(page: str) -> _Cards:
    p = _Cards()
    p.feed(page)
    return p


def test_every_field_of_every_card_is_on_the_page() -> None:
    cards = fixture_cards()
    page = parse(render(cards, NOW, repo="apache/superset"))
    assert sorted(page.cards) == sorted(c.pr for c in cards)
    for c in cards:
        text = " ".join(page.cards[c.pr])
        assert f"#{c.pr}" in text
        assert c.title in text  # unescaped by the parser: the page escaped it
        assert c.status in text
        for sha in (c.active_sha, c.building_sha):
            if sha:
                assert sha[:7] in text
        if c.url:
            assert c.url in text and c.url in page.links[c.pr]
        assert c.pr_url in page.links[c.pr]
        assert f"@{c.requester}" in text
        for item in c.config:
            assert item in text
        assert f"${c.hourly_cost:.3f}/h" in text
        assert ttl_left(c, NOW) in text
        assert c.created is not None
        assert format_duration(NOW - c.created) in text


def test_fixture_values_are_the_real_estimates() -> None:
    """The fixture's prices are today's estimates (compute, IPv4, image, secret, logs),
    written out: a change of the cost model shows here and in the docs' outputs."""
    by_pr = {c.pr: c for c in fixture_cards()}
    expected = {35012: ("large", 0.10699), 35020: ("medium", 0.05762), 34990: ("small", 0.03738)}
    for pr, (size, price) in expected.items():
        assert by_pr[pr].hourly_cost == price
        assert hourly_cost(size) == price


def test_age_and_ttl_left_in_words() -> None:
    by_pr = {c.pr: c for c in fixture_cards()}
    text = {pr: " ".join(t) for pr, t in parse(render(list(by_pr.values()), NOW)).cards.items()}
    assert "5h" in text[35012] and "19h" in text[35012]  # created 09:30, 24h
    assert "22h 30m" in text[35020] and "1d 1h" in text[35020]  # created yesterday 16:00, 48h
    assert "until the PR closes" in text[35031]
    assert "pinned (no idle expiry; the max age still applies)" in text[34990]
    assert "3d 4h" in text[34990] and "manual" not in text[34990]  # said once, in words


def test_totals_count_statuses_and_sum_costs() -> None:
    cards = fixture_cards()
    t = totals(cards)
    assert t.environments == 4
    assert t.by_status == {"failed": 1, "running": 2, "updating": 1}
    expected = sum(c.hourly_cost or 0 for c in cards)
    assert t.hourly_cost == pytest.approx(expected)
    assert t.daily_cost == pytest.approx(round(expected * 24, 2))
    shown = " ".join(parse(render(cards, NOW)).totals)
    assert f"${expected:.3f}/h" in shown and f"${expected * 24:.2f}" in shown
    assert re.search(r"Environments\s+4", shown)
    assert re.search(r"running\s+2", shown)


def test_content_is_escaped_and_only_http_links_are_links() -> None:
    evil = EnvCard(
        pr=7,
        title='<script>alert("x")</script> & <b>bold</b>',
        pr_url="javascript:alert(1)",
        status="running",
        url='http://1.2.3.4:8080/"><img src=x onerror=alert(1)>',
        requester="mallory",
        config=("<i>X</i>",),
        hourly_cost=0.1,
    )
    page = render([evil], NOW)
    assert "<script>" not in page and "<img" not in page and "<i>X" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert 'href="javascript:' not in page
    parsed = parse(page)
    assert parsed.links[7] == ['http://1.2.3.4:8080/"><img src=x onerror=alert(1)>']
    assert "<script>" in " ".join(parsed.cards[7])  # shown as text


def test_empty_page_says_how_to_start_one() -> None:
    page = render([], NOW)
    assert "showtime-trigger-start" in page
    assert parse(page).cards == {}
    assert "$0.000/h" in page


def test_render_is_deterministic_and_phone_ready() -> None:
    cards = fixture_cards()
    a, b = render(cards, NOW), render(cards, NOW)
    assert a == b
    assert 'name="viewport" content="width=device-width' in a
    assert "<script" not in a  # no JavaScript at all
    assert "@media (max-width:40em)" in a
    assert render(cards, NOW + timedelta(hours=1)) != a


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "0m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(hours=2), "2h"),
        (timedelta(hours=2, minutes=5), "2h 5m"),
        (timedelta(days=1), "1d"),
        (timedelta(days=3, hours=4, minutes=59), "3d 4h"),
        (timedelta(minutes=-5), "0m"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


def test_ttl_left_expired_and_unknown() -> None:
    created = NOW - timedelta(hours=30)
    assert ttl_left(EnvCard(pr=1, created=created, ttl=Ttl("24h")), NOW) == "expired 6h ago"
    assert ttl_left(EnvCard(pr=1, created=created), NOW) == "unknown"
    assert ttl_left(EnvCard(pr=1, ttl=Ttl("24h")), NOW) == "unknown"


def test_cards_from_pr_labels() -> None:
    created = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    running = Show(
        sha="abc1234",
        status=Status.RUNNING,
        ip="52.1.2.3",
        created=created,
        ttl=Ttl("48h"),
        requester="octocat",
        config=("large", "ALERTS"),
    )
    building = Show(sha="def5678", status=Status.BUILDING, created=NOW, requester="octocat")
    labels = (
        *render_show(running),
        *render_show(building),
        render_pointer("active", "abc1234"),
        render_pointer("building", "def5678"),
        "bug",
    )
    prs = [
        PrInfo(1, "open", "def5678" + "0" * 33, labels, "octocat", "Feature", "", "https://x/1"),
        PrInfo(2, "open", "1" * 40, ("bug",), "a", "No showtime labels"),
        PrInfo(3, "open", "2" * 40, ("🎪 ⚡ showtime-trigger-start",), "b", "Just asked"),
    ]
    cards = cards_from_prs(prs, port=9000)
    assert [c.pr for c in cards] == [3, 1]
    asked, env = cards
    assert asked.status == REQUESTED and asked.hourly_cost is None and asked.url is None
    assert env.status == "running"
    assert (env.active_sha, env.building_sha) == ("abc1234", "def5678")
    assert env.url == "http://52.1.2.3:9000"
    assert (env.created, env.ttl, env.requester) == (created, Ttl("48h"), "octocat")
    assert env.config == ("large", "ALERTS")
    assert env.hourly_cost == hourly_cost("large")
    assert (env.title, env.pr_url) == ("Feature", "https://x/1")


def test_a_sleeping_environment_is_priced_asleep_and_totalled_under_its_state() -> None:
    def env(n: int, status: Status) -> PrInfo:
        sha = f"{n:07x}"
        show = Show(sha, status, "52.1.2.3:8080", NOW, Ttl("24h"), "octocat", ("large",))
        return PrInfo(
            n, "open", sha + "0" * 33, (*render_show(show), render_pointer("active", sha))
        )

    cards = cards_from_prs([env(1, Status.RUNNING), env(2, Status.SLEEPING)])
    cost = {c.status: c.hourly_cost for c in cards}
    assert cost == {
        "running": hourly_cost("large"),
        "sleeping": hourly_cost("large", sleeping=True),
    }
    assert 0 < cost["sleeping"] < cost["running"] / 100  # type: ignore[operator]
    doc = cards_to_json(cards, NOW)
    assert doc["totals"]["hourly_cost"] == round(sum(cost.values()), 5)  # type: ignore[arg-type]


def test_every_status_a_label_can_carry_has_a_card() -> None:
    for status in Status:
        assert EnvCard(pr=1, status=status.value).status == status.value


def test_cards_from_legacy_label_and_custom_cost() -> None:
    pr = PrInfo(5, "open", "3" * 40, ("testenv-up",), "c", "Legacy")
    (card,) = cards_from_prs([pr], cost_of=lambda cfg: 1.5)
    assert card.status == REQUESTED and card.hourly_cost is None  # no environment yet


def test_json_round_trip() -> None:
    cards = fixture_cards()
    doc = json.loads(json.dumps(cards_to_json(cards, NOW)))
    assert doc["generated_at"] == "2026-01-15T14:30:00Z"
    assert doc["totals"]["environments"] == 4
    assert cards_from_json(doc) == cards
    assert cards_from_json(doc["environments"]) == cards  # a bare list works too


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"environments": "x"}, "JSON list of cards"),
        ([1], "is not a JSON object"),
        ([{"pr": "12"}], "'pr' must be a positive integer"),
        ([{"pr": 0}], "invalid PR number"),
        ([{"pr": 1, "colour": "red"}], "unknown key(s) colour"),
        ([{"pr": 1, "status": "exploded"}], "unknown status"),
        ([{"pr": 1, "active_sha": "xyz"}], "invalid commit SHA"),
        ([{"pr": 1, "created": "yesterday"}], "'created' is not ISO 8601"),
        ([{"pr": 1, "ttl": "forever"}], "invalid TTL"),
        ([{"pr": 1, "config": "large"}], "'config' must be a list"),
        ([{"pr": 1, "hourly_cost": "cheap"}], "'hourly_cost' must be a number"),
        ([{"pr": 1, "title": 5}], "'title' must be a string"),
    ],
)
def test_bad_input_is_one_clear_error(doc: object, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        cards_from_json(doc)


def test_naive_created_is_read_as_utc() -> None:
    (card,) = cards_from_json([{"pr": 1, "created": "2026-01-15T12:30:00"}])
    assert card.created == datetime(2026, 1, 15, 12, 30, tzinfo=UTC)


# ------------------------------------------------------------------------------------ CLI


def test_command_writes_page_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    rc = main(
        ["dashboard", "--out", str(out), "--input", str(FIXTURE), "--now", "2026-01-15T14:30:00Z"]
    )
    assert rc == 0
    assert "4 environments" in capsys.readouterr().out
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page == render(fixture_cards(), NOW)
    doc = json.loads((out / "environments.json").read_text(encoding="utf-8"))
    assert cards_from_json(doc) == fixture_cards()
    # the JSON it writes is an input it reads: the same page again
    again = tmp_path / "again"
    assert main(["dashboard", "--out", str(again), "--input", str(out / "environments.json"),
                 "--now", "2026-01-15T14:30:00Z"]) == 0  # fmt: skip
    assert (again / "index.html").read_text(encoding="utf-8") == page


def test_command_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["dashboard", "--out", str(tmp_path), "--input", str(FIXTURE), "--json",
         "--now", "2026-01-15T14:30:00Z", "--repo", "apache/superset"]
    )  # fmt: skip
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["index"] == str(tmp_path / "index.html")
    assert doc["totals"]["by_status"] == {"failed": 1, "running": 2, "updating": 1}
    assert [e["pr"] for e in doc["environments"]] == [35012, 35020, 35031, 34990]
    assert "apache/superset" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("{not json", [], "is not JSON"),
        ('[{"pr": -1}]', [], "invalid PR number"),
        ("[]", ["--now", "noon"], "is not ISO 8601"),
    ],
)
def test_command_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    src = tmp_path / "in.json"
    src.write_text(content, encoding="utf-8")
    rc = main(["dashboard", "--out", str(tmp_path / "o"), "--input", str(src), *args])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "index.html").exists()


def test_command_unwritable_out_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    rc = main(["dashboard", "--out", str(blocker / "sub"), "--input", str(FIXTURE)])
    assert rc == 1
    assert "cannot write the dashboard" in capsys.readouterr().err


# ------------------------------------------------------------------- live path (GitHub)


@pytest.fixture
def live_repo(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> GitHubServer:
    """The GitHub test server with two PRs with environments and one without."""
    show = Show(sha="abc1234", status=Status.RUNNING, ip="10.0.0.9", requester="octocat")
    labels = [*render_show(show), render_pointer("active", "abc1234"), "bug"]
    ghserver.add_pr(42, head_sha="abc1234" + "0" * 33, labels=labels, title="Live <PR>")
    building = Show(sha="def5678", status=Status.BUILDING, requester="ann")
    ghserver.add_pr(43, head_sha="def5678" + "0" * 33, labels=render_show(building))
    ghserver.add_pr(44, head_sha="1" * 40, labels=["bug"])
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./showtime.toml policy here
    return ghserver


def test_live_page_from_the_github_test_server(
    live_repo: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["dashboard", "--out", str(tmp_path / "site"), "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    by_pr = {e["pr"]: e for e in doc["environments"]}
    assert sorted(by_pr) == [42, 43]
    env = by_pr[42]
    assert env["status"] == "running" and env["url"] == "http://10.0.0.9:8080"
    assert by_pr[43]["status"] == "building"
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Live &lt;PR&gt;" in page and "apache/superset" in page
    assert live_repo.token not in out + page
    assert live_repo.count("GET", r"/pulls$") == 1 and len(live_repo.requests) == 1


def test_live_page_needs_a_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    rc = main(["dashboard", "--out", str(tmp_path / "site"), "--repo", "a/b"])
    assert rc == 2
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err
