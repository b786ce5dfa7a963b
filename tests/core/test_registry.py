"""Reusing another CI's image: source templates, the token challenge, platform choice, and the
trust check (only an image whose revision label is the exact commit is ever accepted)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.app.inputs import load_policy
from showtime_iac.core.model import ImageMismatchError, InputError
from showtime_iac.core.policy import policy_from_mapping
from showtime_iac.core.registry import (
    REVISION_LABEL,
    BearerChallenge,
    Descriptor,
    ImageRefusedError,
    Index,
    Manifest,
    RegistryError,
    check_digest,
    choose_platform,
    image_sources_from,
    parse_bearer_challenge,
    parse_image_source,
    parse_manifest,
    registry_base_url,
    token_query,
    verify_config,
)

SHA = "4f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4"
OTHER = "0123456789abcdef0123456789abcdef01234567"
TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

# --- sources ---------------------------------------------------------------------------------

component = st.from_regex(r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}", fullmatch=True)
host = st.one_of(
    st.from_regex(r"[a-z][a-z0-9]{0,10}\.(io|com|org)", fullmatch=True),
    st.builds(lambda p: f"localhost:{p}", st.integers(1, 65535)),
    st.just("ghcr.io"),
)
literal = st.from_regex(r"[A-Za-z0-9_.-]{0,8}", fullmatch=True)
placeholder = st.sampled_from(["{sha7}", "{pr}"])  # after the one {sha} or {sha7}: <= 128


@st.composite
def templates(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(["{sha}", "{sha7}"]))]
    parts += draw(st.lists(st.one_of(placeholder, literal), max_size=3))
    draw(st.randoms()).shuffle(parts)
    text = "".join(parts)
    return text if text[0] not in ".-" else "v" + text


@given(
    registry=host,
    path=st.lists(component, min_size=1, max_size=3),
    template=templates(),
    pr=st.integers(0, 9_999_999_999),
    sha=st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
)
def test_a_source_renders_a_valid_tag_that_names_the_commit(
    registry: str, path: list[str], template: str, pr: int, sha: str
) -> None:
    text = f"{registry}/{'/'.join(path)}:{template}"
    source = parse_image_source(text)
    assert str(source) == text
    ref = source.render(pr, sha)
    assert TAG_RE.match(ref.tag)
    assert sha[:7] in ref.tag  # the tag always names the commit
    assert str(ref) == f"{registry}/{'/'.join(path)}:{ref.tag}"
    assert ref.pinned("sha256:" + "0" * 64).endswith("@sha256:" + "0" * 64)


@pytest.mark.parametrize(
    ("text", "registry", "repository"),
    [
        ("apache/superset:{sha}-dev", "docker.io", "apache/superset"),
        ("superset:{sha}", "docker.io", "library/superset"),
        ("index.docker.io/apache/superset:{sha}", "docker.io", "apache/superset"),
        ("ghcr.io/apache/superset:{sha}-ci", "ghcr.io", "apache/superset"),
        ("localhost:5000/a/b:{sha7}", "localhost:5000", "a/b"),
        ("localhost/a:{sha7}", "localhost", "a"),
    ],
)
def test_references_are_read_as_docker_reads_them(
    text: str, registry: str, repository: str
) -> None:
    source = parse_image_source(text)
    assert (source.registry, source.repository) == (registry, repository)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ghcr.io/apache/superset", "the tag is missing"),
        ("ghcr.io/apache/superset:latest", "must name the commit"),
        ("ghcr.io/apache/superset:{pr}", "must name the commit"),
        ("ghcr.io/apache/superset:{branch}-{sha}", "unknown placeholder {branch}"),
        ("ghcr.io/apache/superset:{sha}@sha256:" + "0" * 64, "no scheme or digest"),
        ("https://ghcr.io/apache/superset:{sha}", "no scheme or digest"),
        ("ghcr.io/Apache/Superset:{sha}", "is not a repository name"),
        ("ghcr.io/apache/superset:-{sha}", "is not a valid tag"),
        ("ghcr.io/apache/superset:{sha}{sha}{sha}{sha}", "is not a valid tag"),
        ("bad_host.io/a:{sha}", "is not a registry host"),
        ("", "each source is an image reference"),
    ],
)
def test_bad_sources_are_refused_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(InputError, match="policy image_sources") as err:
        parse_image_source(text)
    assert message in str(err.value)


def test_render_needs_the_full_commit() -> None:
    source = parse_image_source("ghcr.io/o/r:{sha}")
    with pytest.raises(InputError, match="full 40-hex"):
        source.render(1, SHA[:7])
    assert source.render(7, SHA.upper()).tag == SHA


def test_the_policy_reads_sources_in_order_with_their_labels(tmp_path: Path) -> None:
    f = tmp_path / "showtime.toml"
    f.write_text(
        "image_sources = [\n"
        '  "ghcr.io/apache/superset:{sha}-ci",\n'
        '  { image = "apache/superset:{sha}-dev", revision_label = "sha" },\n'
        "]\n"
    )
    sources = load_policy(f).image_sources
    assert [str(s) for s in sources] == [
        "ghcr.io/apache/superset:{sha}-ci",
        "docker.io/apache/superset:{sha}-dev",
    ]
    assert [s.revision_label for s in sources] == [REVISION_LABEL, "sha"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ghcr.io/o/r:{sha}", "must be a list"),
        ([{"image": "ghcr.io/o/r:{sha}", "label": "x"}], "unknown key 'label'"),
        ([{"image": "ghcr.io/o/r:{sha}", "revision_label": "a b"}], "is not a label key"),
        (["ghcr.io/o/r:{sha}"] * 11, "at most 10"),
    ],
)
def test_bad_policy_values_are_refused(value: object, message: str) -> None:
    with pytest.raises(InputError, match="policy image_sources") as err:
        policy_from_mapping({"image_sources": value})
    assert message in str(err.value)
    with pytest.raises(InputError):
        image_sources_from(value)


@pytest.mark.parametrize(
    ("registry", "url"),
    [
        ("docker.io", "https://registry-1.docker.io"),
        ("ghcr.io", "https://ghcr.io"),
        ("localhost:5000", "http://localhost:5000"),
        ("127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("localhost.example.com", "https://localhost.example.com"),
    ],
)
def test_registry_base_url(registry: str, url: str) -> None:
    assert registry_base_url(registry) == url


# --- the token challenge ---------------------------------------------------------------------

value_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40)


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@given(
    realm=value_text,
    service=st.none() | value_text,
    scope=st.none() | value_text,
    before=st.sampled_from(["", 'Basic realm="registry", ', "Negotiate abc==, "]),
    extra=st.booleans(),
)
def test_a_bearer_challenge_round_trips(
    realm: str, service: str | None, scope: str | None, before: str, extra: bool
) -> None:
    params = [f"realm={_quoted(realm)}"]
    if service is not None:
        params.append(f"service={_quoted(service)}")
    if extra:
        params.append("error=insufficient_scope")
    if scope is not None:
        params.append(f"scope={_quoted(scope)}")
    header = before + "Bearer " + ",".join(params)
    assert parse_bearer_challenge(header) == BearerChallenge(realm, service, scope)


@given(st.text(max_size=200))
def test_any_header_parses_or_is_none(header: str) -> None:
    got = parse_bearer_challenge(header)
    assert got is None or got.realm


def test_challenges_without_a_bearer_realm_are_none() -> None:
    assert parse_bearer_challenge('Basic realm="x"') is None
    assert parse_bearer_challenge("Bearer") is None
    assert parse_bearer_challenge('Bearer service="s"') is None
    assert parse_bearer_challenge("") is None


def test_the_token_query_asks_for_pull_only_and_never_downgrades() -> None:
    ch = BearerChallenge("https://ghcr.io/token", "ghcr.io", "repository:x:push,pull")
    url, query = token_query(ch, "apache/superset", "https://ghcr.io")
    assert url == "https://ghcr.io/token"
    assert query == {"scope": "repository:apache/superset:pull", "service": "ghcr.io"}
    with pytest.raises(RegistryError, match="not HTTPS"):
        token_query(BearerChallenge("http://ghcr.io/token"), "a", "https://ghcr.io")
    with pytest.raises(RegistryError, match="not an HTTP"):
        token_query(BearerChallenge("file:///etc/passwd"), "a", "http://localhost:1")


# --- manifests and platforms ------------------------------------------------------------------

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
platforms = st.tuples(
    st.sampled_from(["linux", "windows", "unknown"]),
    st.sampled_from(["amd64", "arm64", "arm", "s390x", "unknown"]),
    st.sampled_from(["", "v1", "v8", "v7"]),
)


def _digest(n: int) -> str:
    return "sha256:" + hashlib.sha256(str(n).encode()).hexdigest()


@given(st.lists(st.tuples(platforms, st.booleans()), max_size=6))
def test_the_index_choice_is_linux_amd64_or_a_refusal(
    entries: list[tuple[tuple[str, str, str], bool]],
) -> None:
    index = Index(
        tuple(
            Descriptor(OCI_MANIFEST, _digest(i), 100, plat, attestation)
            for i, (plat, attestation) in enumerate(entries)
        )
    )
    runnable = [
        i
        for i, (plat, att) in enumerate(entries)
        if not att and plat[:2] == ("linux", "amd64") and plat[2] in ("", "v1")
    ]
    if runnable:
        assert choose_platform(index, "img").digest == _digest(runnable[0])
    else:
        with pytest.raises(ImageRefusedError, match="no linux/amd64 image"):
            choose_platform(index, "img")


def test_manifests_are_parsed_by_media_type() -> None:
    config = {
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "digest": _digest(1),
        "size": 10,
    }
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": []}
    assert isinstance(parse_manifest(json.dumps(doc).encode(), "", "x"), Manifest)
    docker_list = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [],
    }
    assert parse_manifest(json.dumps(docker_list).encode(), "", "x") == Index(())
    schema1 = {
        "schemaVersion": 1,
        "mediaType": "application/vnd.docker.distribution.manifest.v1+json",
    }
    with pytest.raises(RegistryError, match="is not an image manifest"):
        parse_manifest(json.dumps(schema1).encode(), "", "x")
    with pytest.raises(RegistryError, match="not JSON"):
        parse_manifest(b"<html>", "text/html", "x")
    bad = {**doc, "config": {**config, "digest": "md5:abc"}}
    with pytest.raises(RegistryError, match="sha256 digest"):
        parse_manifest(json.dumps(bad).encode(), "", "x")


@given(st.binary(max_size=64), st.binary(min_size=1, max_size=8))
def test_a_blob_is_accepted_only_under_its_own_digest(body: bytes, tamper: bytes) -> None:
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    check_digest(body, digest, "x")
    with pytest.raises(RegistryError, match="the registry sent content of"):
        check_digest(body + tamper, digest, "x")


# --- the trust check ---------------------------------------------------------------------------


def _config(labels: dict[str, str] | None, platform: tuple[str, str] = ("linux", "amd64")) -> bytes:
    cfg: dict[str, object] = {"os": platform[0], "architecture": platform[1], "config": {}}
    if labels is not None:
        cfg["config"] = {"Labels": labels}
    return json.dumps(cfg).encode()


def test_the_exact_commit_is_accepted() -> None:
    verify_config(_config({REVISION_LABEL: SHA}), SHA, REVISION_LABEL, "img")
    verify_config(_config({"sha": SHA.upper()}), SHA, "sha", "img")


def test_another_commit_is_refused_naming_both() -> None:
    with pytest.raises(ImageMismatchError) as err:
        verify_config(_config({REVISION_LABEL: OTHER}), SHA, REVISION_LABEL, "ghcr.io/o/r:t")
    assert OTHER in str(err.value) and SHA in str(err.value)
    assert "ghcr.io/o/r:t" in str(err.value) and REVISION_LABEL in str(err.value)


@pytest.mark.parametrize("labels", [None, {}, {"sha": SHA}])
def test_a_missing_label_is_refused_and_says_so(labels: dict[str, str] | None) -> None:
    with pytest.raises(ImageMismatchError, match=f"has no {REVISION_LABEL} label"):
        verify_config(_config(labels), SHA, REVISION_LABEL, "img")


@given(st.text(max_size=50) | st.from_regex(r"[0-9a-fA-F]{7,41}", fullmatch=True))
def test_only_the_full_commit_passes(label: str) -> None:
    """Whatever the label says (a prefix, the SHA with junk, another commit), the image is
    accepted only when it names exactly this commit."""
    body = _config({REVISION_LABEL: label})
    if label.strip().lower() == SHA:
        verify_config(body, SHA, REVISION_LABEL, "img")
    else:
        with pytest.raises(ImageMismatchError):
            verify_config(body, SHA, REVISION_LABEL, "img")


def test_another_platform_is_refused() -> None:
    with pytest.raises(ImageRefusedError, match="'linux/arm64', not linux/amd64"):
        verify_config(_config({REVISION_LABEL: SHA}, ("linux", "arm64")), SHA, REVISION_LABEL, "i")
