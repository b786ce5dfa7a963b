"""``image find`` end to end against a real OCI registry (crane's): an image of the exact
commit is found and reused without a build; another commit's image, an unlabelled image and
an image with no amd64 build are refused; a missing tag is "not found"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.app.images import image_from_env
from showtime_iac.cli.main import main
from showtime_iac.core.registry import REVISION_LABEL
from tests.registry_server import Images, TokenFront

SHA = "4f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4"
OTHER = "0123456789abcdef0123456789abcdef01234567"
PR = 1234


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def policy(tmp_path: Path, *sources: str | dict[str, str]) -> Path:
    f = tmp_path / "showtime.toml"
    items = []
    for s in sources:
        if isinstance(s, str):
            items.append(json.dumps(s))
        else:
            items.append("{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in s.items()) + " }")
    f.write_text(f"image_sources = [{', '.join(items)}]\n")
    return f


def find(
    capsys: pytest.CaptureFixture[str], pol: Path, sha: str = SHA, *extra: str
) -> tuple[int, dict[str, object] | None, str]:
    rc, out, err = run(
        ["image", "find", str(PR), "--sha", sha, "--policy", str(pol), "--json", *extra], capsys
    )
    return rc, (json.loads(out) if out else None), err


def one_line(err: str) -> str:
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.registry
def test_an_image_of_the_commit_is_found_and_reused_without_a_build(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    digest = images.push(repo, f"{SHA}-ci", labels={REVISION_LABEL: SHA})
    pol = policy(tmp_path, f"{images.registry}/{repo}:{{sha}}-ci")
    rc, doc, err = find(capsys, pol)
    assert rc == 0, err
    assert doc is not None
    assert doc["found"] is True and doc["sha"] == SHA and doc["pr"] == PR
    assert doc["image"] == f"{images.registry}/{repo}@{digest}"
    assert doc["digest"] == digest and doc["index_digest"] is None
    assert doc["source"] == f"{images.registry}/{repo}:{SHA}-ci"
    assert doc["platform"] == "linux/amd64"

    # the workflow's push job: a registry-to-registry copy by digest (no docker load) keeps
    # the digest, and sync binds the copy to the commit it was verified against
    ecr = f"{images.registry}/{images.repo()}:sti-pr-{PR}-{SHA[:7]}"
    images.copy(str(doc["image"]), ecr)
    assert images.digest(ecr) == digest
    record = image_from_env(
        {"SHOWTIME_IMAGE": f"{ecr.rsplit(':', 1)[0]}@{digest}", "SHOWTIME_IMAGE_SHA": SHA}
    )
    assert record is not None and record.sha == SHA

    rc, out, _ = run(["image", "find", str(PR), "--sha", SHA, "--policy", str(pol)], capsys)
    assert rc == 0 and out.splitlines()[0] == doc["image"]


@pytest.mark.registry
def test_an_image_of_another_commit_is_refused_naming_both(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    images.push(repo, f"{SHA}-ci", labels={REVISION_LABEL: OTHER})
    rc, doc, err = find(capsys, policy(tmp_path, f"{images.registry}/{repo}:{{sha}}-ci"))
    assert rc == 2 and doc is None
    line = one_line(err)
    assert OTHER in line and SHA in line and "refused" in line and REVISION_LABEL in line


@pytest.mark.registry
def test_an_image_without_the_label_is_refused_and_says_so(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    images.push(repo, SHA[:7], labels={"sha": SHA})  # the commit, but under another label
    rc, doc, err = find(capsys, policy(tmp_path, f"{images.registry}/{repo}:{{sha7}}"))
    assert rc == 2 and doc is None
    assert f"has no {REVISION_LABEL} label" in one_line(err)


@pytest.mark.registry
def test_a_source_may_name_the_label_its_builder_writes(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    digest = images.push(repo, f"{SHA}-dev", labels={"sha": SHA}, oci=False)  # Docker types
    src = {"image": f"{images.registry}/{repo}:{{sha}}-dev", "revision_label": "sha"}
    rc, doc, err = find(capsys, policy(tmp_path, src))
    assert rc == 0, err
    assert doc is not None and doc["found"] is True and doc["digest"] == digest
    assert doc["revision_label"] == "sha"


@pytest.mark.registry
def test_a_missing_tag_is_not_found_and_the_next_source_is_tried(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing, present = images.repo(), images.repo()
    pol = policy(tmp_path, f"{images.registry}/{missing}:{{sha}}")
    rc, doc, err = find(capsys, pol)
    assert rc == 0, err
    assert doc == {
        "pr": PR,
        "sha": SHA,
        "found": False,
        "image": None,
        "tried": [f"{images.registry}/{missing}:{SHA}"],
    }
    digest = images.push(present, f"pr-{PR}-{SHA[:7]}", labels={REVISION_LABEL: SHA})
    pol = policy(
        tmp_path,
        f"{images.registry}/{missing}:{{sha}}",
        f"{images.registry}/{present}:pr-{{pr}}-{{sha7}}",
    )
    rc, doc, err = find(capsys, pol)
    assert rc == 0 and doc is not None and doc["digest"] == digest
    assert doc["tried"] == [
        f"{images.registry}/{missing}:{SHA}",
        f"{images.registry}/{present}:pr-{PR}-{SHA[:7]}",
    ]


@pytest.mark.registry
def test_a_multi_platform_index_yields_its_verified_amd64_image(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    images.push(repo, "arm", labels={REVISION_LABEL: SHA}, platform="linux/arm64")
    amd = images.push(repo, "amd", labels={REVISION_LABEL: SHA})
    index = images.index(repo, SHA, ["arm", "amd"])
    rc, doc, err = find(capsys, policy(tmp_path, f"{images.registry}/{repo}:{{sha}}"))
    assert rc == 0, err
    assert doc is not None
    assert doc["digest"] == amd and doc["index_digest"] == index
    assert doc["image"] == f"{images.registry}/{repo}@{amd}"


@pytest.mark.registry
def test_the_amd64_image_of_an_index_is_the_one_verified(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The arm64 image names the commit, the amd64 one (the one that would run) does not."""
    repo = images.repo()
    images.push(repo, "arm", labels={REVISION_LABEL: SHA}, platform="linux/arm64")
    images.push(repo, "amd", labels={REVISION_LABEL: OTHER})
    images.index(repo, SHA, ["arm", "amd"])
    rc, _, err = find(capsys, policy(tmp_path, f"{images.registry}/{repo}:{{sha}}"))
    assert rc == 2 and OTHER in one_line(err)


@pytest.mark.registry
@pytest.mark.parametrize("as_index", [False, True])
def test_an_image_with_no_amd64_build_is_refused(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str], as_index: bool
) -> None:
    repo = images.repo()
    tag = "arm" if as_index else SHA
    images.push(repo, tag, labels={REVISION_LABEL: SHA}, platform="linux/arm64")
    if as_index:
        images.index(repo, SHA, ["arm"])
    rc, _, err = find(capsys, policy(tmp_path, f"{images.registry}/{repo}:{{sha}}"))
    assert rc == 2
    assert "linux/arm64" in one_line(err) and "linux/amd64" in err


@pytest.mark.registry
def test_a_bearer_token_protected_registry_works_anonymously(
    images: Images, token_registry: TokenFront, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    images.push(repo, "arm", labels={REVISION_LABEL: SHA}, platform="linux/arm64")
    amd = images.push(repo, "amd", labels={REVISION_LABEL: SHA})
    images.index(repo, f"{SHA}-ci", ["arm", "amd"])
    token_registry.redirect_blobs = True
    rc, doc, err = find(capsys, policy(tmp_path, f"{token_registry.address}/{repo}:{{sha}}-ci"))
    assert rc == 0, err
    assert doc is not None and doc["image"] == f"{token_registry.address}/{repo}@{amd}"
    assert [p for p, _ in token_registry.seen].count("/token") == 1
    assert all(a is None for p, a in token_registry.seen if p.startswith(("/token", "/cdn/")))


@pytest.mark.registry
def test_a_registry_that_lies_about_a_blob_is_caught(
    images: Images, token_registry: TokenFront, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror that rewrites another commit's image to claim this commit: every blob is
    checked against the digest that names it, so the forged label is never read."""
    repo = images.repo()
    images.push(repo, SHA, labels={REVISION_LABEL: OTHER})
    token_registry.tamper = lambda body: body.replace(OTHER.encode(), SHA.encode())
    rc, doc, err = find(capsys, policy(tmp_path, f"{token_registry.address}/{repo}:{{sha}}"))
    assert rc == 1 and doc is None
    assert "the registry sent content of sha256:" in one_line(err)


@pytest.mark.registry
def test_a_registry_that_fails_exits_1(
    images: Images, token_registry: TokenFront, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    token_registry.private.add(repo)
    rc, doc, err = find(capsys, policy(tmp_path, f"{token_registry.address}/{repo}:{{sha}}"))
    assert rc == 1 and doc is None
    assert "private or does not exist" in one_line(err)


@pytest.mark.registry
def test_source_option_overrides_the_policy(
    images: Images, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = images.repo()
    digest = images.push(repo, SHA, labels={REVISION_LABEL: SHA})
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    rc, doc, err = find(capsys, empty, SHA, "--source", f"{images.registry}/{repo}:{{sha}}")
    assert rc == 0, err
    assert doc is not None and doc["digest"] == digest


def test_no_sources_means_nothing_found_and_no_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    rc, doc, err = find(capsys, empty)
    assert rc == 0, err
    assert doc == {"pr": PR, "sha": SHA, "found": False, "image": None, "tried": []}
    rc, out, _ = run(["image", "find", "1", "--sha", SHA, "--policy", str(empty)], capsys)
    assert rc == 0 and "no image_sources in the policy" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sha", SHA[:7]], "full 40-hex"),
        (["--sha", SHA, "--source", "ghcr.io/o/r:latest"], "must name the commit"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    rc, out, err = run(["image", "find", "7", "--policy", str(empty), *args], capsys)
    assert rc == 2 and out == ""
    assert message in one_line(err)
