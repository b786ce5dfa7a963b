"""Every command output in README.md and docs/ is the real CLI's: rerun and compared.

A block that is out of date fails with a diff; ``python -m tests.docs.regen`` rewrites it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.docs import markers as M

ALL = [mk for f in M.doc_files() for mk in M.markers(f)]


def test_the_docs_have_checked_outputs() -> None:
    # non-vacuous: the README tour and every command page show real output
    files = {mk.path.relative_to(M.ROOT).as_posix() for mk in ALL}
    assert "README.md" in files
    assert {f for f in files if f.startswith("docs/commands/")} >= {
        f"docs/commands/{name}.md"
        for name in ("plan", "stacks", "sync", "cleanup", "labels", "dashboard", "doctor", "logs")
    }


@pytest.mark.parametrize("marker", ALL, ids=[mk.where for mk in ALL])
def test_output_matches_the_real_cli(marker: M.Marker) -> None:
    result = M.run(marker)
    if marker.exit is not None:
        assert result.exit_code == marker.exit, (
            f"{marker.where}: `{marker.command}` exited {result.exit_code}, the marker says "
            f"{marker.exit}\n{result.output}"
        )
    if not M.matches(marker, result):
        diff = "\n".join(
            difflib.unified_diff(
                M.masked(marker.block.body, marker.masks),
                M.masked(M.render(marker, result), marker.masks),
                "in the docs",
                "real output",
                lineterm="",
            )
        )
        pytest.fail(
            f"{marker.where}: the block no longer matches the CLI "
            f"(run `python -m tests.docs.regen`):\n{diff}"
        )


def test_no_output_block_without_a_marker() -> None:
    bad = [where for f in M.doc_files() for where in M.unchecked(f)]
    assert not bad, (
        "output blocks without a `<!-- cli: COMMAND -->` marker (nothing would check them): "
        + ", ".join(bad)
    )


def test_readme_fits_on_a_few_screens() -> None:
    lines = (M.ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move detail into docs/"


# --- the mechanism itself, on planted files ------------------------------------------------


def _md(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_marker_options_are_parsed(tmp_path: Path) -> None:
    page = _md(
        tmp_path,
        "intro\n\n<!-- cli exit=2 stderr mask=clock,seconds cwd=tmp github=three-prs: showtime-iac plan -->\n"
        "```console\n$ showtime-iac plan\nshowtime-iac: error: no event\n```\n",
    )
    (mk,) = M.markers(page)
    assert (mk.command, mk.exit, mk.stderr, mk.masks, mk.tmp_cwd, mk.github) == (
        "showtime-iac plan",
        2,
        True,
        ("clock", "seconds"),
        True,
        "three-prs",
    )
    assert mk.block.body == ["$ showtime-iac plan", "showtime-iac: error: no event"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- cli: showtime-iac plan -->\n\n```console\n$ x\n```\n", "followed at once"),
        ("<!-- cli: showtime-iac plan -->\n```text\n$ x\n```\n", "followed at once"),
        ("<!-- cli bogus: showtime-iac plan -->\n```console\n```\n", "unknown marker option"),
        ("<!-- cli mask=moon: showtime-iac plan -->\n```console\n```\n", "unknown mask"),
        ("<!-- cli exit=x: showtime-iac plan -->\n```console\n```\n", "exit= takes"),
        ("<!-- cli github=moon: showtime-iac plan -->\n```console\n```\n", "unknown GitHub"),
        ("<!-- cli showtime-iac plan -->\n```console\n```\n", "malformed marker"),
        ("```console\n$ showtime-iac plan\n", "unclosed code fence"),
    ],
)
def test_bad_markers_are_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(M.MarkerError, match=message):
        M.markers(_md(tmp_path, text))


def test_output_blocks_without_a_marker_are_found(tmp_path: Path) -> None:
    page = _md(
        tmp_path,
        "```console\n$ showtime-iac plan\n```\n\n"  # console, no marker
        "```text\n$ showtime-iac list\nSTACK\n```\n\n"  # a prompt in another block
        "```bash\nshowtime-iac sync 1234   # a command to type: fine\n```\n\n"
        "````markdown\n<!-- cli: showtime-iac plan -->\n```console\n$ showtime-iac plan\n```\n````\n\n"
        "<!-- cli: showtime-iac --version -->\n```console\n$ showtime-iac --version\n```\n",
    )
    assert [w.rsplit(":", 1)[1] for w in M.unchecked(page)] == ["1", "5"]
    assert [mk.command for mk in M.markers(page)] == ["showtime-iac --version"]


def test_a_changed_output_is_caught_and_regenerated(tmp_path: Path) -> None:
    page = _md(
        tmp_path,
        "<!-- cli: showtime-iac labels explain | head -n 1 -->\n```console\n"
        "$ showtime-iac labels explain | head -n 1\n🎪 ⚡ showtime-trigger-go   request\n```\n",
    )
    (mk,) = M.markers(page)
    result = M.run(mk)
    assert result.exit_code == 0 and not M.matches(mk, result)
    assert M.rewrite(page, {mk.line: result})
    (fresh,) = M.markers(page)
    assert M.matches(fresh, M.run(fresh))
    assert fresh.block.body[1].startswith("🎪 ⚡ showtime-trigger-start")


def test_regen_rewrites_stale_blocks_and_check_reports_them(tmp_path: Path) -> None:
    from tests.docs import regen

    page = _md(
        tmp_path,
        "<!-- cli: showtime-iac --version -->\n```console\n$ showtime-iac --version\nold\n```\n",
    )
    assert regen.main(["--check", str(page)]) == 1
    assert "old" in page.read_text(encoding="utf-8")  # --check writes nothing
    assert regen.main([str(page)]) == 0
    assert "old" not in page.read_text(encoding="utf-8")
    assert regen.main(["--check", str(page)]) == 0


def test_the_environment_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_leaked")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIALEAKED")
    page = _md(
        tmp_path,
        "<!-- cli: env | sort -->\n```console\n$ env | sort\n```\n",
    )
    (mk,) = M.markers(page)
    names = {ln.split("=", 1)[0] for ln in M.run(mk).output.splitlines()}
    assert not {n for n in names if n.startswith(("GITHUB", "AWS", "PULUMI"))}
    assert {"NO_COLOR", "COLUMNS", "HOME", "PATH"} <= names


def test_github_scenarios_get_a_server_and_only_they(tmp_path: Path) -> None:
    page = _md(
        tmp_path,
        "<!-- cli github=three-prs: env | grep ^GITHUB_ | cut -d= -f1 | sort -->\n```console\n```\n"
        "\n<!-- cli: env | grep -c ^GITHUB_ || true -->\n```console\n```\n",
    )
    with_server, without = M.markers(page)
    assert M.run(with_server).output.splitlines() == [
        "GITHUB_API_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_TOKEN",
    ]
    assert M.run(without).output == "0"


@pytest.mark.parametrize(
    ("masks", "docs", "real", "same"),
    [
        ((), "📅 2026-01-15T14-30", "📅 2026-01-15T14-31", False),
        (("clock",), "📅 2026-01-15T14-30", "📅 2026-12-01T08-02", True),
        (("clock",), "expires-at=2026-01-16T14:30:00Z", "expires-at=never", False),
        (("seconds",), "help   0.080   0.15", "help  12.345   0.15", True),
        (("seconds",), "start  23  0.03", "start  24  0.03", False),
    ],
)
def test_masks_hide_only_what_they_name(
    tmp_path: Path, masks: tuple[str, ...], docs: str, real: str, same: bool
) -> None:
    opts = f" mask={','.join(masks)}" if masks else ""
    page = _md(tmp_path, f"<!-- cli{opts}: true -->\n```console\n$ true\n{docs}\n```\n")
    (mk,) = M.markers(page)
    assert M.matches(mk, M.Result(real, 0)) is same
