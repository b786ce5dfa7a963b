"""What a run reads from its job's environment and event file, each pinned whole (issue 29):
``SHOWTIME_PROGRESS`` (progress notes, on unless turned off), ``SHOWTIME_SCREENSHOT`` (the
picture, off unless turned on), ``SHOWTIME_IMAGE`` with
``SHOWTIME_IMAGE_SHA`` (the image and the commit it was built from, refused when nobody could
tell which commit), and the event file (a UTF-8 JSON object, whatever the runner's locale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.images import image_from_env
from showtime_iac.app.inputs import load_payload
from showtime_iac.app.proof import progress_enabled, screenshot_enabled
from showtime_iac.errors import InputError

REGISTRY = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
SHA = "abc1234" + "d" * 33


# -- SHOWTIME_PROGRESS ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["off", "0", "false", "no", " OFF ", "False", "NO\n"])
def test_progress_is_turned_off_by_these(value: str) -> None:
    assert progress_enabled({"SHOWTIME_PROGRESS": value}) is False


@pytest.mark.parametrize("value", ["on", "1", "yes", "", "nope", "offline"])
def test_progress_stays_on_otherwise_and_when_unset(value: str) -> None:
    assert progress_enabled({"SHOWTIME_PROGRESS": value}) is True
    assert progress_enabled({}) is True


def test_progress_reads_the_process_environment_without_a_mapping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOWTIME_PROGRESS", "off")
    assert progress_enabled() is False
    assert progress_enabled({}) is True  # a mapping given is what counts


# -- SHOWTIME_SCREENSHOT -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["on", "1", "true", "yes", " ON ", "True", "YES\n"])
def test_the_screenshot_is_turned_on_by_these(value: str) -> None:
    assert screenshot_enabled({"SHOWTIME_SCREENSHOT": value}) is True


@pytest.mark.parametrize("value", ["off", "0", "", "nope", "online", "2"])
def test_the_screenshot_stays_off_otherwise_and_when_unset(value: str) -> None:
    assert screenshot_enabled({"SHOWTIME_SCREENSHOT": value}) is False
    assert screenshot_enabled({}) is False


def test_the_screenshot_reads_the_process_environment_without_a_mapping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOWTIME_SCREENSHOT", "on")
    assert screenshot_enabled() is True
    assert screenshot_enabled({}) is False  # a mapping given is what counts


# -- SHOWTIME_IMAGE ------------------------------------------------------------------------


def refused(env: dict[str, str]) -> str:
    with pytest.raises(InputError) as raised:
        image_from_env(env)
    return str(raised.value)


def test_no_image_is_none_and_a_commit_without_an_image_is_refused() -> None:
    assert image_from_env({}) is None and image_from_env({"SHOWTIME_IMAGE": "  "}) is None
    assert refused({"SHOWTIME_IMAGE_SHA": SHA}) == (
        "SHOWTIME_IMAGE_SHA is set but SHOWTIME_IMAGE is empty"
    )


def test_an_image_says_its_commit_by_the_variable_or_by_its_tag() -> None:
    given = image_from_env({"SHOWTIME_IMAGE": f"{REGISTRY}:latest", "SHOWTIME_IMAGE_SHA": SHA})
    assert given is not None and (given.uri, given.sha) == (f"{REGISTRY}:latest", SHA)
    tagged = image_from_env({"SHOWTIME_IMAGE": f"{REGISTRY}:sti-pr-7-abc1234"})
    assert tagged is not None and tagged.sha == "abc1234"


def test_an_image_that_does_not_say_its_commit_is_refused_by_name() -> None:
    uri = f"{REGISTRY}:{'v' * 100}"
    assert refused({"SHOWTIME_IMAGE": uri}) == (
        f"SHOWTIME_IMAGE {uri[:80]!r} does not say which commit it was built from: "
        "set SHOWTIME_IMAGE_SHA to that commit (the workflow's push job does)"
    )


def test_an_invalid_reference_is_refused_and_cut_to_80_characters() -> None:
    uri = "not a reference " + "x" * 100
    assert refused({"SHOWTIME_IMAGE": uri, "SHOWTIME_IMAGE_SHA": SHA}) == (
        f"invalid image reference {uri[:80]!r} in SHOWTIME_IMAGE"
    )


# -- the event file ------------------------------------------------------------------------


def test_an_event_file_is_read_as_utf8_under_any_locale(tmp_path: Path, ascii_locale: None) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"comment": {"body": "/showtime extend 48h 🎪 café"}}', encoding="utf-8")
    assert load_payload(path) == {"comment": {"body": "/showtime extend 48h 🎪 café"}}


@pytest.mark.parametrize(("text", "kind"), [("[1, 2]", "list"), ('"push"', "str"), ("3", "int")])
def test_an_event_file_must_hold_an_object(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "event.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_payload(path)
    assert str(raised.value).endswith(f"must hold a JSON object, not {kind}")
