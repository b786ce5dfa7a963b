"""A new user's first steps (issue 24): the order of ``--help``, usage errors for empty or
missing inputs, one exit code for a missing prerequisite, the labels a run writes once
healthy in ``plan`` and ``up --dry-run``, and the max age a direct ``up`` records."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import app, main
from tests.cli.test_cli_stacks import engine, no_engine  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]

#: the order a user meets the commands in: the offline tour, one environment by hand, the
#: workflows' commands, then operating the fleet and the tool
USER_ORDER = [
    "plan",
    "up",
    "status",
    "list",
    "logs",
    "credentials",
    "destroy",
    "image",
    "sync",
    "cleanup",
    "drift",
    "labels",
    "dashboard",
    "doctor",
    "migrate",
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("showtime-iac: error: ") and "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- --help


def test_help_lists_the_commands_in_the_order_a_user_meets_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import typer

    rc, out, _ = run(["--help"], capsys)
    assert rc == 0
    section = out.split("\nCommands:\n", 1)[1]
    listed = [line.split()[0] for line in section.splitlines() if line.startswith("  ")]
    group = typer.main.get_command(app)
    visible = {n for n, c in group.commands.items() if not c.hidden}  # type: ignore[attr-defined]
    assert visible <= set(USER_ORDER)  # a new command must be given its place
    assert listed == [name for name in USER_ORDER if name in visible]


# --------------------------------------------------------------------------- empty or missing inputs


def _commands() -> list[tuple[list[str], Any]]:
    """Every command of the CLI (sub-groups' too), as the words that name it and its Click
    command."""
    import typer

    found: list[tuple[list[str], Any]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            found.append((path, cmd))
            return
        for name, sub in subs.items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def _invocation(path: list[str], cmd: Any) -> list[str]:
    """The command with its required arguments (a PR number) filled in."""
    required = [p for p in cmd.params if p.param_type_name == "argument" and p.required]
    return [*path, *("1" for _ in required)]


VALUED_OPTIONS = [
    (path, cmd, opt)
    for path, cmd in _commands()
    for p in cmd.params
    if p.param_type_name == "option" and not p.is_flag
    for opt in p.opts[:1]
    if opt.startswith("--")
]


@pytest.mark.parametrize(
    ("path", "cmd", "opt"),
    VALUED_OPTIONS,
    ids=[f"{' '.join(p)} {o}" for p, _, o in VALUED_OPTIONS],
)
@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_option_value_is_a_usage_error_on_every_command(
    path: list[str],
    cmd: Any,
    opt: str,
    empty: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--ttl ""` is not the default TTL, `--repo ""` not $GITHUB_REPOSITORY, `--event ""`
    not the current directory: exit 2, one line naming the option, before anything runs."""
    monkeypatch.setenv("GITHUB_TOKEN", "t")  # nothing may get as far as using it
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # and nothing may answer
    args = [*_invocation(path, cmd), f"{opt}={empty}"]
    if "--dry-run" in [o for p in cmd.params for o in p.opts]:
        args.append("--dry-run")
    rc, out, err = run(args, capsys)
    assert rc == 2 and out == ""
    line = one_error_line(err)
    assert f"'{opt}'" in line and "an empty value" in line


def test_the_ttl_and_requester_of_up_are_never_empty() -> None:
    """Below the CLI too: an empty TTL or requester given to the application is refused."""
    from showtime_iac.app.environments import up_request
    from showtime_iac.errors import InputError

    with pytest.raises(InputError, match="invalid TTL ''"):
        up_request(1, None, "abc1234", None, "", None, {})
    with pytest.raises(InputError, match="invalid GitHub login ''"):
        up_request(1, None, "abc1234", None, None, "", {"GITHUB_ACTOR": "octocat"})


PROJECT_DIR_COMMANDS = [
    _invocation(path, cmd)
    for path, cmd in _commands()
    if any("--project-dir" in p.opts for p in cmd.params)
]


@pytest.mark.parametrize(
    "args", PROJECT_DIR_COMMANDS, ids=[" ".join(a) for a in PROJECT_DIR_COMMANDS]
)
def test_a_project_dir_without_pulumi_yaml_is_a_usage_error_on_every_command(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even where the command would not open the project (`up --dry-run` without a pulumi
    CLI renders offline): a directory that is not there, or holds no Pulumi.yaml, is named."""
    assert {"up", "destroy", "list", "status", "drift"} <= {a[0] for a in PROJECT_DIR_COMMANDS}
    monkeypatch.chdir(tmp_path)
    extra = ["--sha", "abc1234", "--dry-run"] if args[0] in ("up", "destroy") else []
    for where, what in (("nonexistent", "is not a directory"), (".", "holds no Pulumi.yaml")):
        rc, out, err = run([*args, *extra, "--project-dir", where], capsys)
        assert rc == 2 and out == ""
        line = one_error_line(err)
        assert f"'--project-dir': '{where}' {what}" in line


# --------------------------------------------------------------------------- missing prerequisites


@pytest.fixture
def bare_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with nothing set up: no pulumi CLI (PATH and HOME empty), no AWS
    credentials anywhere, no GitHub token; a repository named, so only the prerequisites
    are missing."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PULUMI_HOME", raising=False)
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{tmp_path / 'state'}")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "apache/superset")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing may be asked
    return tmp_path


SHA = "abc1234def5678abc1234def5678abc1234def56"
MISSING = [
    # (command, what its message must name)
    (["up", "1234", "--sha", SHA], "get.pulumi.com"),
    (["destroy", "1234"], "get.pulumi.com"),
    (["list"], "get.pulumi.com"),
    (["status", "1234"], "get.pulumi.com"),
    (["drift"], "get.pulumi.com"),
    (["logs", "1234", "--sha", "abc1234"], "AWS credentials"),
    (["credentials", "1234", "--sha", "abc1234"], "AWS credentials"),
    (["sync", "1234"], "GITHUB_TOKEN"),
    (["cleanup"], "GITHUB_TOKEN"),
    (["labels", "setup"], "GITHUB_TOKEN"),
    (["migrate", "--dry-run"], "GITHUB_TOKEN"),
    (["doctor", "--no-aws"], "engine, passphrase, github not ready"),
]


@pytest.mark.parametrize(("args", "named"), MISSING, ids=[" ".join(a) for a, _ in MISSING])
def test_a_missing_prerequisite_exits_2_whatever_it_is(
    args: list[str], named: str, bare_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule: the pulumi CLI, AWS credentials and a GitHub token, missing, all exit 2 (as
    bad input: nothing was attempted, nothing changed), one line naming what to provide;
    `doctor`, which looks for all of them, exits with the same code."""
    rc, _, err = run(args, capsys)
    assert rc == 2
    assert named in one_error_line(err)
    assert not (bare_machine / "state").exists()  # nothing written, not even the backend


def test_the_pulumi_cli_message_gives_both_ways_to_get_it(
    bare_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The official installer for whoever may download it, and the build from Go modules
    (`.ci/install-pulumi`, what CI does) for a machine that only reaches module proxies;
    `doctor` gives the same two."""
    rc, _, err = run(["up", "1234", "--sha", SHA], capsys)
    assert rc == 2
    line = one_error_line(err)
    assert "`curl -fsSL https://get.pulumi.com | sh`" in line
    assert '`export PATH="$(bash .ci/install-pulumi | tail -n1):$PATH"`' in line
    assert (ROOT / ".ci" / "install-pulumi").is_file()  # the command names a real script
    rc, out, _ = run(["doctor", "--no-aws", "--json"], capsys)
    assert rc == 2
    check = next(c for c in json.loads(out)["checks"] if c["check"] == "engine")
    assert "get.pulumi.com" in check["fix"] and "bash .ci/install-pulumi" in check["fix"]


# --------------------------------------------------------------------------- pinned (TTL manual)

#: what no text may say of a pinned environment: the max age ends it too
UNTRUE = re.compile(r"never expire|\bno expiry|never auto|skips `close` and `manual`", re.I)


def _pinned_texts(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Every place that tells a user what TTL `manual` means."""
    from datetime import UTC, datetime

    from showtime_iac.app.dashboard import EnvCard, render
    from showtime_iac.core.commands import HELP, parse_comment
    from showtime_iac.core.comment import lifetime_text
    from showtime_iac.core.model import Show, Ttl

    texts = {}
    for args in (["labels", "explain"], ["up", "--help"], ["cleanup", "--help"]):
        rc, out, _ = run(args, capsys)
        assert rc == 0
        texts[" ".join(args)] = out
    rc, _, err = run(["up", "1234", "--sha", SHA, "--ttl", "forever", "--dry-run"], capsys)
    assert rc == 2
    texts["--ttl forever"] = err
    now = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    pinned = Show(
        "abc1234", created=now, ttl=Ttl("manual"), max_at=datetime(2026, 1, 22, tzinfo=UTC)
    )
    texts["status comment"] = lifetime_text(pinned, now)
    card = EnvCard(pr=1, status="running", active_sha="abc1234", created=now, ttl=Ttl("manual"))
    texts["dashboard"] = re.sub(r"<[^>]+>", " ", render([card], now))
    texts["/showtime help"] = HELP
    texts["/showtime extend manual"] = str(parse_comment("/showtime extend manual"))
    for page in (
        "concepts/labels.md",
        "concepts/lifecycle.md",
        "commands/cleanup.md",
        "operations.md",
    ):
        texts[page] = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return texts


def test_pinned_is_said_one_way_and_the_max_age_still_applies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--ttl manual` and `/showtime keep-alive` write `⌛ pinned · max …`: no idle expiry,
    but the max age ends the environment like any other. No text may promise more, and the
    vocabulary (`labels explain`, the labels page) shows the form that is written."""
    from showtime_iac.core.model import PINNED

    texts = _pinned_texts(capsys)
    for where, text in texts.items():
        assert not UNTRUE.search(text), f"{where}: {UNTRUE.search(text)}"
    assert "no idle expiry" in PINNED and "max age" in PINNED
    for where in ("labels explain", "--ttl forever", "status comment", "dashboard"):
        assert PINNED in " ".join(texts[where].split()), where
    assert "max 2026-01-22" in texts["status comment"]  # the max age a pin keeps, shown
    assert "manual" not in texts["dashboard"]  # said once, in words (not "… (manual)")
    for where in ("labels explain", "concepts/labels.md"):
        assert "⌛ pinned · max {YYYY-MM-DDTHH-MM}" in texts[where], where
    for where in ("up --help", "cleanup --help", "/showtime help", "concepts/lifecycle.md"):
        assert "no idle expiry" in " ".join(texts[where].split()), where


# --------------------------------------------------------------------------- up: the max age it records

NEW = "def5678abc1234def5678abc1234def5678abc12"


def _label_max(labels: list[str]) -> str:
    """The max age the ⌛ label of a claim says, as a tag would say it."""
    from showtime_iac.core import labels as L
    from showtime_iac.core.model import tag_time

    [value] = [
        v.value for n in labels if isinstance(v := L.parse_label(n), L.Attr) and v.kind == "ttl"
    ]
    lifetime = L.parse_lifetime(value)
    assert lifetime is not None and lifetime[1] is not None
    return tag_time(lifetime[1])


@pytest.mark.parametrize("ttl", ["24h", "manual"])
def test_a_direct_up_records_the_max_age_its_labels_show(
    ttl: str,
    engine: Any,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`up --dry-run` shows the ⌛ label `sync` would write (`idle 24h · max …` or `pinned ·
    max …`) next to the stack's tags; the tags must say the same max age (the policy's, 3
    days here, not a default), and a real `up` must record it in the tags and the config,
    and keep it on a later `up`."""
    from datetime import datetime, timedelta

    from showtime_iac.core.model import tag_time

    policy = tmp_path / "showtime.toml"
    policy.write_text('max_age = "3d"\n', encoding="utf-8")
    monkeypatch.setenv("SHOWTIME_POLICY", str(policy))
    now = "2026-01-15T14:30:00Z"
    args = ["up", "1234", "--sha", NEW, "--ttl", ttl]
    rc, out, err = run([*args, "--dry-run", "--now", now, "--json"], capsys)
    assert rc == 0, err
    doc = json.loads(out)
    shown = _label_max(doc["labels"]["claim"]["add"])
    assert shown == "2026-01-18T14:30:00Z"
    for resource in doc["resources"]:
        if resource["tags"]:
            assert resource["tags"]["showtime:max-age-at"] == shown, resource["name"]

    rc, _, err = run([*args, "--json"], capsys)
    assert rc == 0, err
    stack = engine.stacks["pr-1234-def5678"]
    created = datetime.fromisoformat(stack["config"]["showtime-iac:created"][0])
    recorded = datetime.fromisoformat(stack["config"]["showtime-iac:maxAgeAt"][0])
    assert recorded == created + timedelta(days=3)
    assert stack["tags"]["showtime:max-age-at"] == tag_time(recorded)

    earlier = created - timedelta(days=1)  # what the stack recorded stays: a re-up never moves it
    stack["config"]["showtime-iac:maxAgeAt"] = (earlier.isoformat(), False)
    rc, _, err = run([*args, "--json"], capsys)
    assert rc == 0, err
    assert stack["tags"]["showtime:max-age-at"] == tag_time(earlier)


def test_the_baseline_records_no_max_age(
    engine: Any,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No max age ends the baseline (the next one replaces it), and it shows no labels."""
    args = ["up", "--ref", "master", "--sha", NEW]
    rc, out, err = run([*args, "--dry-run", "--json"], capsys)
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["labels"]["claim"]["add"] == []
    assert {r["tags"]["showtime:max-age-at"] for r in doc["resources"] if r["tags"]} == {"never"}
    rc, _, err = run([*args, "--json"], capsys)
    assert rc == 0, err
    assert engine.stacks["pr-0-def5678"]["tags"]["showtime:max-age-at"] == "never"


# --------------------------------------------------------------------------- up --dry-run: the labels


def test_dry_run_json_and_text_show_the_same_labels(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The 🌐 label the text shows once healthy is in `labels.after_healthy` too, and so is
    every other line: the text and the JSON are two views of one list."""
    args = ["up", "1234", "--sha", NEW, "--dry-run", "--now", "2026-01-15T14:30:00Z"]
    rc, text, _ = run(args, capsys)
    assert rc == 0
    rc, out, _ = run([*args, "--json"], capsys)
    assert rc == 0
    labels = json.loads(out)["labels"]
    address = "🎪 def5678 🌐 {task public IP}:8080"
    assert address in labels["after_healthy"]["add"]
    lines = text.split("labels on a PR without an environment", 1)[1].splitlines()[1:]
    shown = [(line.split()[0], line.split("   (")[0][4:], line.rsplit("(", 1)[1]) for line in lines]
    as_json = [("+", n, "claim)") for n in labels["claim"]["add"]]
    as_json += [("-", n, "once healthy)") for n in labels["after_healthy"]["remove"]]
    as_json += [("+", n, "once healthy)") for n in labels["after_healthy"]["add"]]
    assert sorted(shown) == sorted(as_json)


def test_the_preview_of_an_existing_stack_keeps_what_it_recorded(
    engine: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`up --dry-run` of a stack that exists is `pulumi preview` with the config `up` would
    write: the creation time and max age the stack recorded, not none (which the program
    would tag `never`, a change the preview would show) and not new ones."""
    stack = engine.stacks["pr-1234-abc1234"]
    stack["config"]["showtime-iac:created"] = ("2026-01-10T09:00:00+00:00", False)
    stack["config"]["showtime-iac:maxAgeAt"] = ("2026-01-17T09:00:00+00:00", False)
    seen: list[dict[str, str]] = []
    preview = engine.preview

    def recording(name: str, on_event: Any, *, config: Any = None, **kw: Any) -> None:
        seen.append(dict(config or {}))
        preview(name, on_event, config=config, **kw)

    monkeypatch.setattr(engine, "preview", recording)
    rc, _, err = run(["up", "1234", "--sha", SHA, "--dry-run", "--json"], capsys)
    assert rc == 0, err
    [config] = seen
    assert config["showtime-iac:created"] == "2026-01-10T09:00:00+00:00"
    assert config["showtime-iac:maxAgeAt"] == "2026-01-17T09:00:00+00:00"
