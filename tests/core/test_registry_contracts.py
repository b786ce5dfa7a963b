"""Reusing another CI's image (docs/images.md): the contracts the mutation run (issue 29) found
no test pinning down. Each test was checked by making the change and watching it fail.

Pure: the parsers and checks of ``core/registry`` over literal inputs, expected values written
out, errors as the one line a user reads (a bad source names the key and echoes the value,
cut to a readable length).
"""

from __future__ import annotations

import json

import pytest

from showtime_iac.core.model import ImageMismatchError, InputError
from showtime_iac.core.registry import (
    REVISION_LABEL,
    BearerChallenge,
    Descriptor,
    FoundImage,
    ImageRefusedError,
    ImageSource,
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
D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
D3 = "sha256:" + "3" * 64
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
KEY = "policy image_sources"


def _refused(text: str) -> str:
    with pytest.raises(InputError) as err:
        parse_image_source(text)
    return str(err.value)


# --- rendering a source's tag ---------------------------------------------------------------


def test_a_prefix_of_the_commit_is_refused_with_the_value_cut_to_60() -> None:
    source = parse_image_source("ghcr.io/o/r:{sha}")
    with pytest.raises(InputError) as err:
        source.render(1, "abc1234")
    assert str(err.value) == "invalid commit 'abc1234': expected the full 40-hex SHA"
    with pytest.raises(InputError) as err:
        source.render(1, "g" * 100)
    assert str(err.value) == f"invalid commit '{'g' * 59}…': expected the full 40-hex SHA"


def test_each_placeholder_renders_exactly() -> None:
    source = parse_image_source("ghcr.io/o/r:pr-{pr}-{sha7}-{sha}")
    ref = source.render(42, SHA)
    assert ref.tag == f"pr-42-4f1e2d3-{SHA}"
    assert str(ref) == f"ghcr.io/o/r:pr-42-4f1e2d3-{SHA}"
    assert ref.pinned(D1) == f"ghcr.io/o/r@{D1}"
    # the baseline is PR 0; the largest PR number is ten digits
    assert parse_image_source("ghcr.io/o/r:{pr}.{sha7}").render(0, SHA).tag == "0.4f1e2d3"
    assert source.render(9_999_999_999, SHA).tag == f"pr-9999999999-4f1e2d3-{SHA}"


@pytest.mark.parametrize("pr", [-1, 10_000_000_000, True, False, "12", 1.0])
def test_a_pr_number_that_is_not_a_whole_number_in_range_is_refused(pr: object) -> None:
    source = parse_image_source("ghcr.io/o/r:{sha}")
    with pytest.raises(InputError) as err:
        source.render(pr, SHA)  # type: ignore[arg-type]
    assert str(err.value) == f"invalid PR number {pr!r}"


# --- reading a source ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "registry", "repository"),
    [
        ("registry-1.docker.io/apache/superset:{sha}", "docker.io", "apache/superset"),
        ("registry-1.docker.io/superset:{sha}", "docker.io", "library/superset"),
        ("Index.Docker.IO/apache/superset:{sha}", "docker.io", "apache/superset"),
    ],
)
def test_docker_hubs_other_names_are_docker_hub(text: str, registry: str, repository: str) -> None:
    source = parse_image_source(text)
    assert (source.registry, source.repository) == (registry, repository)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "superset",
            "policy image_sources 'superset': the tag is missing (e.g. ':{sha}-ci')",
        ),
        # a colon before the last slash is a port, not a tag
        (
            "ghcr.io/a:{sha}/b",
            "policy image_sources 'ghcr.io/a:{sha}/b': the tag is missing (e.g. ':{sha}-ci')",
        ),
        (
            "ghcr.io/o/r@sha256:0:{sha}",
            "policy image_sources 'ghcr.io/o/r@sha256:0:{sha}': give "
            "registry/repository:tag-template, no scheme or digest",
        ),
        (
            "bad_host.io/a:{sha}",
            "policy image_sources 'bad_host.io/a:{sha}': 'bad_host.io' is not a registry host",
        ),
        (
            "ghcr.io/Apache/r:{sha}",
            "policy image_sources 'ghcr.io/Apache/r:{sha}': 'Apache/r' is not a repository "
            "name (lower-case letters, digits and . _ - separated by /)",
        ),
        (
            "ghcr.io/o/r:{abcdefghijklmnopqrstuvwxyz}-{sha}",
            "policy image_sources 'ghcr.io/o/r:{abcdefghijklmnopqrstuvwxyz}-{sha}': unknown "
            "placeholder {abcdefghijklmnopqrst}; use {sha}, {sha7} or {pr}",
        ),
        (
            "ghcr.io/o/r:pr-{pr}",
            "policy image_sources 'ghcr.io/o/r:pr-{pr}': the tag must name the commit with "
            "{sha} or {sha7}",
        ),
        (
            "ghcr.io/o/r:.{sha}",
            "policy image_sources 'ghcr.io/o/r:.{sha}': the tag it renders is not a valid tag "
            "(letters, digits, _ . -, at most 128 characters, not starting with . or -)",
        ),
        (
            "",
            "policy image_sources: each source is an image reference such as 'ghcr.io/o/r:{sha}'",
        ),
    ],
)
def test_a_bad_source_is_one_line_naming_the_key_and_the_value(text: str, message: str) -> None:
    assert _refused(text) == message


def test_a_long_source_is_echoed_cut_to_80() -> None:
    text = "ghcr.io/" + "x" * 100 + "/Y:{sha}"
    repo = "x" * 100 + "/Y"
    assert _refused(text) == (
        f"policy image_sources '{text[:79]}…': '{repo[:79]}…' is not a repository name "
        "(lower-case letters, digits and . _ - separated by /)"
    )


def test_a_repository_name_is_at_most_255_characters() -> None:
    assert parse_image_source("ghcr.io/" + "a" * 255 + ":{sha}").repository == "a" * 255
    assert "is not a repository name" in _refused("ghcr.io/" + "a" * 256 + ":{sha}")


@pytest.mark.parametrize(
    ("template", "longest"),
    [
        ("{sha}" + "x" * 88, 128),  # 40 + 88
        ("{sha7}" + "x" * 121, 128),  # 7 + 121
        ("{sha}" + "x" * 78 + "{pr}", 128),  # 40 + 78 + the ten digits of the largest PR
    ],
)
def test_the_tag_fits_128_characters_for_every_commit_and_pr(template: str, longest: int) -> None:
    """The template is checked at its widest (the full SHA, a ten-digit PR): 128 characters
    pass, one more is refused when the policy is read, not at deploy time."""
    source = parse_image_source("ghcr.io/o/r:" + template)
    assert len(source.render(9_999_999_999, SHA).tag) == longest
    too_long = "ghcr.io/o/r:" + template.replace("x", "xx", 1)
    assert "the tag it renders is not a valid tag" in _refused(too_long)


def test_a_bad_revision_label_is_named() -> None:
    with pytest.raises(InputError) as err:
        parse_image_source("ghcr.io/o/r:{sha}", "a b")
    assert str(err.value) == (
        "policy image_sources 'ghcr.io/o/r:{sha}': revision_label 'a b' is not a label key"
    )


def test_the_policy_list_holds_at_most_ten_tables_or_strings() -> None:
    ten = image_sources_from(["ghcr.io/o/r:{sha}"] * 10)
    assert ten == (ImageSource("ghcr.io", "o/r", "{sha}", REVISION_LABEL),) * 10
    with pytest.raises(InputError) as err:
        image_sources_from(["ghcr.io/o/r:{sha}"] * 11)
    assert str(err.value) == "policy image_sources must be a list of at most 10 image references"
    # a table without revision_label takes the default label
    assert image_sources_from([{"image": "ghcr.io/o/r:{sha}"}]) == (
        ImageSource("ghcr.io", "o/r", "{sha}", REVISION_LABEL),
    )
    assert image_sources_from([{"image": "ghcr.io/o/r:{sha}", "revision_label": "sha"}]) == (
        ImageSource("ghcr.io", "o/r", "{sha}", "sha"),
    )


def test_a_table_without_an_image_or_with_an_unknown_key_is_named() -> None:
    with pytest.raises(InputError) as err:
        image_sources_from([{"revision_label": "sha"}])
    assert str(err.value) == (
        "policy image_sources: each source is an image reference such as 'ghcr.io/o/r:{sha}'"
    )
    with pytest.raises(InputError) as err:
        image_sources_from([{"image": "ghcr.io/o/r:{sha}", "a" * 40: 1}])
    assert str(err.value) == (
        f"policy image_sources: unknown key '{'a' * 29}…' (known: image, revision_label)"
    )


def test_plain_http_only_for_localhost_itself() -> None:
    """Anything that is not exactly ``localhost``/``127.0.0.1`` (with a port) gets HTTPS: a
    token never travels in plain text to a host that only starts like a local one."""
    assert registry_base_url("localhost") == "http://localhost"
    assert registry_base_url("127.0.0.1") == "http://127.0.0.1"
    assert registry_base_url("localhost:5000:1") == "https://localhost:5000:1"
    assert registry_base_url("127.0.0.1:1:2") == "https://127.0.0.1:1:2"


# --- the token challenge ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        # token values (unquoted) are values too (RFC 9110 §11.2: token / quoted-string)
        ("Bearer realm=abc, service=def", BearerChallenge("abc", "def")),
        # a complete Bearer challenge followed by another scheme's
        ('Bearer realm="a", Basic realm="b"', BearerChallenge("a")),
        ('Bearer realm="a",scope="s", Basic realm="b"', BearerChallenge("a", None, "s")),
        # an empty list element first (RFC 9110 §5.6.1 allows them)
        (', Bearer realm="x"', BearerChallenge("x")),
        # a token68 right before the comma
        ('Negotiate abc==,Bearer realm="x"', BearerChallenge("x")),
        # trailing junk does not undo a complete challenge
        ('Bearer realm="x", =junk', BearerChallenge("x")),
    ],
)
def test_challenges_in_a_list(header: str, challenge: BearerChallenge) -> None:
    assert parse_bearer_challenge(header) == challenge


@pytest.mark.parametrize(
    "header",
    [
        'x="a, Bearer realm=evil, b"',
        'realm="a, Bearer realm=evil, b", Basic realm="r"',
    ],
)
def test_a_quoted_string_is_one_value_even_before_any_scheme(header: str) -> None:
    """A header that opens with a parameter is malformed; its quoted string is still one
    value (RFC 9110 §5.6.4), so a scheme written inside it is not a challenge."""
    assert parse_bearer_challenge(header) is None
    assert parse_bearer_challenge(header + ', Bearer realm="good"') == BearerChallenge("good")


def test_a_bad_realm_is_echoed() -> None:
    with pytest.raises(RegistryError) as err:
        token_query(BearerChallenge("ftp://x"), "a", "http://localhost:1")
    assert str(err.value) == "the registry's token realm 'ftp://x' is not an HTTP(S) URL"
    with pytest.raises(RegistryError) as err:
        token_query(BearerChallenge("http://t"), "a", "https://ghcr.io")
    assert str(err.value) == "the registry's token realm 'http://t' is not HTTPS: refused"


def test_only_sha256_digests_are_checked() -> None:
    with pytest.raises(RegistryError) as err:
        check_digest(b"", "md5:abc", "img")
    assert str(err.value) == "img: unsupported digest 'md5:abc' (sha256 only)"


# --- manifests ---------------------------------------------------------------------------------


def _entry(digest: str, platform: dict[str, str] | None, **extra: object) -> dict[str, object]:
    e: dict[str, object] = {"mediaType": OCI_MANIFEST, "digest": digest, "size": 528, **extra}
    if platform is not None:
        e["platform"] = platform
    return e


def test_an_index_is_read_with_its_platforms_and_attestations() -> None:
    doc = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            _entry(D1, {"os": "linux", "architecture": "arm64", "variant": "v8"}),
            _entry(D2, {"os": "linux", "architecture": "amd64"}),
            _entry(
                D3,
                {"os": "unknown", "architecture": "unknown"},
                annotations={"vnd.docker.reference.type": "attestation-manifest"},
            ),
            _entry(D1, None, size=0, annotations={"org.opencontainers.image.title": "x"}),
            _entry(D2, {"architecture": "amd64"}),
            _entry(D3, {"os": "linux"}),
            _entry(D3, {}),
        ],
    }
    assert parse_manifest(json.dumps(doc).encode(), OCI_INDEX, "img") == Index(
        (
            Descriptor(OCI_MANIFEST, D1, 528, ("linux", "arm64", "v8"), False),
            Descriptor(OCI_MANIFEST, D2, 528, ("linux", "amd64", ""), False),
            Descriptor(OCI_MANIFEST, D3, 528, ("unknown", "unknown", ""), True),
            Descriptor(OCI_MANIFEST, D1, 0, None, False),
            Descriptor(OCI_MANIFEST, D2, 528, ("", "amd64", ""), False),
            Descriptor(OCI_MANIFEST, D3, 528, ("linux", "", ""), False),
            Descriptor(OCI_MANIFEST, D3, 528, ("", "", ""), False),
        )
    )


def test_the_media_type_may_be_left_to_the_document_or_the_content_type() -> None:
    """``mediaType`` is optional in a document: then the ``Content-Type`` (its parameters
    dropped) names it, and when that names neither, an index is what has ``manifests``, a
    manifest what has ``config``."""
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": D1, "size": 7}
    manifest = json.dumps({"schemaVersion": 2, "config": config}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [_entry(D2, None)]}).encode()
    want_manifest = Manifest(Descriptor(config["mediaType"], D1, 7))  # type: ignore[arg-type]
    for content_type in ("", "application/octet-stream", "application/json; charset=utf-8"):
        assert parse_manifest(manifest, content_type, "img") == want_manifest
        assert parse_manifest(index, content_type, "img") == Index(
            (Descriptor(OCI_MANIFEST, D2, 528),)
        )
    empty = b'{"schemaVersion": 2}'
    for content_type in (OCI_INDEX, f"{OCI_INDEX}; charset=utf-8", f"{OCI_INDEX};q=1"):
        with pytest.raises(RegistryError) as err:
            parse_manifest(empty, content_type, "img")
        assert str(err.value) == "img: an index without a manifests list"
    with pytest.raises(RegistryError) as err:
        parse_manifest(empty, f"{DOCKER_MANIFEST}; x=y", "img")
    assert str(err.value) == "img: a descriptor is not an object"
    with pytest.raises(RegistryError) as err:
        parse_manifest(empty, "", "img")
    assert str(err.value) == "img: '' is not an image manifest or index"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("x", "img: a descriptor is not an object"),
        ({"digest": D1, "size": 1}, "img: a descriptor without a media type or a sha256 digest"),
        (
            {"mediaType": OCI_MANIFEST, "size": 1},
            "img: a descriptor without a media type or a sha256 digest",
        ),
        ({"mediaType": OCI_MANIFEST, "digest": D1, "size": -1}, "img: a descriptor without a size"),
        (
            {"mediaType": OCI_MANIFEST, "digest": D1, "size": True},
            "img: a descriptor without a size",
        ),
        (
            {"mediaType": OCI_MANIFEST, "digest": D1, "size": "1"},
            "img: a descriptor without a size",
        ),
    ],
)
def test_a_bad_descriptor_is_named(entry: object, message: str) -> None:
    doc = {"mediaType": OCI_INDEX, "manifests": [entry]}
    with pytest.raises(RegistryError) as err:
        parse_manifest(json.dumps(doc).encode(), "", "img")
    assert str(err.value) == message
    bad_config = {"mediaType": OCI_MANIFEST, "config": entry}
    with pytest.raises(RegistryError) as err:
        parse_manifest(json.dumps(bad_config).encode(), "", "img")
    assert str(err.value) == message


def test_a_stated_media_type_wins_over_the_documents_keys() -> None:
    """Only a document without ``mediaType`` is read by its keys: a schema 1 manifest (or an
    artifact) that also has ``config`` or ``manifests`` is still refused, and a manifest
    that also carries a ``manifests`` key is still a manifest."""
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": D1, "size": 7}
    schema1 = "application/vnd.docker.distribution.manifest.v1+json"
    extras: list[dict[str, object]] = [{"config": config}, {"manifests": []}]
    for extra in extras:
        doc = {"schemaVersion": 1, "mediaType": schema1, **extra}
        with pytest.raises(RegistryError) as err:
            parse_manifest(json.dumps(doc).encode(), "", "img")
        assert str(err.value) == f"img: '{schema1}' is not an image manifest or index"
    doc = {"mediaType": OCI_MANIFEST, "config": config, "manifests": []}
    assert parse_manifest(json.dumps(doc).encode(), OCI_INDEX, "img") == Manifest(
        Descriptor(config["mediaType"], D1, 7)  # type: ignore[arg-type]
    )


def test_what_is_not_a_manifest_is_named() -> None:
    with pytest.raises(RegistryError) as err:
        parse_manifest(b"[]", "", "img")
    assert str(err.value) == "img: the manifest is not a JSON object"
    long = "application/" + "x" * 100
    with pytest.raises(RegistryError) as err:
        parse_manifest(json.dumps({"mediaType": long}).encode(), "", "img")
    assert str(err.value) == f"img: '{long[:59]}…' is not an image manifest or index"


def test_the_refusal_lists_the_platforms_the_index_has() -> None:
    def d(os: str, arch: str, variant: str = "") -> Descriptor:
        return Descriptor(OCI_MANIFEST, D1, 1, (os, arch, variant))

    index = Index((d("windows", "amd64"), d("linux", "arm64", "v8"), d("linux", "arm64", "v8")))
    with pytest.raises(ImageRefusedError) as err:
        choose_platform(index, "img")
    assert str(err.value) == (
        "img has no linux/amd64 image (it has: linux/arm64/v8, windows/amd64); Fargate runs "
        "X86_64 here: refused"
    )
    with pytest.raises(ImageRefusedError) as err:
        choose_platform(Index(()), "img")
    assert str(err.value) == (
        "img has no linux/amd64 image (it has: none); Fargate runs X86_64 here: refused"
    )
    many = Index(tuple(d("linux", "arm64", f"v{i}") for i in range(10, 30)))
    with pytest.raises(ImageRefusedError) as err:
        choose_platform(many, "img")
    listed = ", ".join(f"linux/arm64/v{i}" for i in range(10, 30))[:200]
    assert len(listed) == 200
    assert str(err.value) == (
        f"img has no linux/amd64 image (it has: {listed}); Fargate runs X86_64 here: refused"
    )


# --- the trust check -----------------------------------------------------------------------------


def _config(cfg: object) -> bytes:
    return json.dumps(cfg).encode()


def test_a_config_that_is_not_a_json_object_is_a_registry_fault() -> None:
    with pytest.raises(RegistryError) as err:
        verify_config(b"<html>", SHA, REVISION_LABEL, "img")
    assert str(err.value) == "img: the image config is not JSON"
    with pytest.raises(RegistryError) as err:
        verify_config(b"[]", SHA, REVISION_LABEL, "img")
    assert str(err.value) == "img: the image config is not a JSON object"


def test_the_platform_refusal_says_what_it_is_built_for() -> None:
    with pytest.raises(ImageRefusedError) as err:
        verify_config(_config({}), SHA, REVISION_LABEL, "img")
    assert str(err.value) == (
        "img is built for 'no platform', not linux/amd64 (Fargate X86_64): refused"
    )
    with pytest.raises(ImageRefusedError) as err:
        verify_config(_config({"os": "o" * 50, "architecture": "amd64"}), SHA, REVISION_LABEL, "i")
    assert str(err.value) == (
        f"i is built for '{'o' * 39}…', not linux/amd64 (Fargate X86_64): refused"
    )


@pytest.mark.parametrize("inner", ["x", ["Labels"], None, 1])
def test_a_config_without_a_config_object_has_no_label(inner: object) -> None:
    body = _config({"os": "linux", "architecture": "amd64", "config": inner})
    with pytest.raises(ImageMismatchError) as err:
        verify_config(body, SHA, REVISION_LABEL, "img")
    assert str(err.value) == (
        f"img has no {REVISION_LABEL} label, so nothing says which commit it was built from: "
        f"refused for {SHA} (build it from source, or label the image)"
    )


def test_another_commit_is_echoed_cut_to_60() -> None:
    value = "z" * 100
    body = _config({"os": "linux", "architecture": "amd64", "config": {"Labels": {"sha": value}}})
    with pytest.raises(ImageMismatchError) as err:
        verify_config(body, SHA, "sha", "img")
    assert str(err.value) == (
        f"img was built from '{'z' * 59}…' (its sha label), not from {SHA}: refused"
    )


def test_a_found_image_as_json() -> None:
    found = FoundImage(
        source=f"ghcr.io/o/r:{SHA}-ci",
        image=f"ghcr.io/o/r@{D2}",
        digest=D2,
        index_digest=D1,
        revision_label="sha",
    )
    assert found.to_json(1234, SHA) == {
        "pr": 1234,
        "sha": SHA,
        "found": True,
        "source": f"ghcr.io/o/r:{SHA}-ci",
        "image": f"ghcr.io/o/r@{D2}",
        "digest": D2,
        "index_digest": D1,
        "platform": "linux/amd64",
        "revision_label": "sha",
    }
