"""``doctor``'s checks, each written out whole: the name, whether it passes, what it says and
the fix it prints (issue 29). The engine is the ``fake_pulumi`` of tests/cli (a ``pulumi`` that
only answers ``pulumi version``), or the real CLI where the shared stack has to be read; the
backend is a directory of the test's own. tests/app/test_doctor.py holds the AWS check against
moto and the first fragments of the sdk and program checks; tests/adapters/dns the DNS verdicts
against a local DNS server."""

from __future__ import annotations

import importlib.metadata
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from showtime_iac.app import doctor
from showtime_iac.app.doctor import Check, dns_check, doctor_checks
from showtime_iac.errors import ShowtimeError
from tests.adapters.stacks.engine_support import World, make_world, requires_engine
from tests.cli.test_cli_stacks import fake_pulumi  # noqa: F401  (fixture)
from tests.dns_server import dns_server

INSTALL_WAYS = (
    "install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install "
    "pulumi/tap/pulumi`) and put ~/.pulumi/bin on PATH, or build it from Go modules in a "
    'showtime-iac checkout: `export PATH="$(bash .ci/install-pulumi | tail -n1):$PATH"`'
)
TAGS_FIX = (
    "upgrade: `curl -fsSL https://get.pulumi.com | sh -s -- --version 3.211.0` (or newer); "
    "until then the AWS resources carry the tags"
)
GITHUB_FIX = (
    "export GITHUB_TOKEN (with contents: read, pull-requests: write, issues: write, "
    "deployments: write)"
)
PASSPHRASE_FIX = "export PULUMI_CONFIG_PASSPHRASE (keep it: existing stacks need the same one)"
PROGRAM_OK = "showtime_iac.program.main, run inline: no language host needed"
REINSTALL = "reinstall showtime-iac from its lock: `.venv/bin/uv sync --locked` (it pins pulumi)"
#: the pulumi Python SDK installed from the lock (the CLI is compared with it)
SDK = importlib.metadata.version("pulumi")


def env_of(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A whole environment: ``PATH`` as the fake_pulumi fixture set it, a file backend of the
    test's own whose directory exists, a passphrase and a GitHub token (every check passes);
    ``extra`` overrides, the value ``<unset>`` leaves a variable out."""
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": "p",
        "GITHUB_TOKEN": "t",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v != "<unset>"}


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def version_says(fake: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Check]:
    monkeypatch.setenv("FAKE_PULUMI_VERSION", text)
    return by_name(doctor_checks(env_of(fake.parent.parent), aws=False))


# ---- engine -----------------------------------------------------------------------------


def test_no_pulumi_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    env = env_of(tmp_path, PATH=str(tmp_path / "bin"))
    checks = doctor_checks(env, aws=False)
    assert checks[0] == Check("engine", False, "pulumi CLI not found", INSTALL_WAYS)
    # nothing else is asked of a CLI that is not there
    assert [c.name for c in checks] == [
        "engine",
        "program",
        "backend",
        "passphrase",
        "github",
    ]


def test_a_parsed_version_names_the_cli_and_where_it_is(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = version_says(fake_pulumi, f"v{SDK}", monkeypatch)
    assert checks["engine"] == Check("engine", True, f"pulumi {SDK} at {fake_pulumi}")
    assert "stack tags" not in checks
    # the version is found in whatever the CLI prints around it
    checks = version_says(fake_pulumi, f"pulumi version v{SDK} (linux/amd64)", monkeypatch)
    assert checks["engine"] == Check("engine", True, f"pulumi {SDK} at {fake_pulumi}")


def test_an_unreadable_version_shows_the_first_40_characters_of_the_output(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = "   warning: the plugin cache is corrupt; run pulumi plugin rm --all"
    checks = version_says(fake_pulumi, output, monkeypatch)
    first_40 = "warning: the plugin cache is corrupt; ru"
    assert checks["engine"] == Check("engine", False, f"pulumi {first_40} at {fake_pulumi}")
    assert "sdk" not in checks
    assert checks["stack tags"] == Check(
        "stack tags",
        False,
        f"pulumi {first_40} keeps no stack tags on a file/S3 backend (needs 3.211.0+)",
        TAGS_FIX,
    )


def test_a_version_command_printing_nothing_is_unknown(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = version_says(fake_pulumi, "  ", monkeypatch)
    assert checks["engine"] == Check("engine", False, f"pulumi unknown at {fake_pulumi}")
    assert checks["stack tags"].detail == (
        "pulumi unknown keeps no stack tags on a file/S3 backend (needs 3.211.0+)"
    )


def test_a_version_command_that_fails_still_reports_what_it_printed(tmp_path: Path) -> None:
    """``pulumi version`` exiting non-zero is not an error of doctor's: its output is read."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "pulumi"
    exe.write_text(f'#!/bin/sh\necho "v{SDK}"\nexit 3\n')
    exe.chmod(0o755)
    checks = by_name(doctor_checks(env_of(tmp_path, PATH=str(bin_dir)), aws=False))
    assert checks["engine"] == Check("engine", True, f"pulumi {SDK} at {exe}")


def test_a_version_command_that_cannot_run_is_reported_not_raised(tmp_path: Path) -> None:
    """``$PULUMI_HOME/bin/pulumi`` is found as a file; not executable, running it fails."""
    exe = tmp_path / "pulumi-home" / "bin" / "pulumi"
    exe.parent.mkdir(parents=True)
    exe.write_text("not a program\n")
    exe.chmod(0o644)
    env = env_of(tmp_path, PATH=str(tmp_path), PULUMI_HOME=str(exe.parent.parent))
    checks = by_name(doctor_checks(env, aws=False))
    said = f"error: [Errno 13] Permission denied: '{exe}'"[:40]
    assert checks["engine"] == Check("engine", False, f"pulumi {said} at {exe}")
    assert "sdk" not in checks


def test_a_cli_too_old_for_stack_tags_on_a_file_backend(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = version_says(fake_pulumi, "v3.210.9", monkeypatch)
    assert checks["engine"] == Check("engine", True, f"pulumi 3.210.9 at {fake_pulumi}")
    assert checks["stack tags"] == Check(
        "stack tags",
        False,
        "pulumi 3.210.9 keeps no stack tags on a file/S3 backend (needs 3.211.0+)",
        TAGS_FIX,
    )
    # 3.211.0 is the first that keeps them
    assert "stack tags" not in version_says(fake_pulumi, "v3.211.0", monkeypatch)
    # on an S3 backend too; Pulumi Cloud keeps them with any version
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "v3.210.9")
    env = env_of(fake_pulumi.parent.parent, PULUMI_BACKEND_URL="s3://bucket/state")
    assert "stack tags" in by_name(doctor_checks(env, aws=False))
    env["PULUMI_BACKEND_URL"] = "https://api.pulumi.com"
    assert "stack tags" not in by_name(doctor_checks(env, aws=False))


# ---- sdk ----------------------------------------------------------------------------------


def test_the_cli_against_the_sdk_whole(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    major, minor, patch = (int(x) for x in SDK.split(".")[:3])
    same = version_says(fake_pulumi, f"v{SDK}", monkeypatch)["sdk"]
    assert same == Check("sdk", True, f"pulumi SDK {SDK}: the same release as the CLI")
    newer = f"{major}.{minor}.{patch + 1}"
    assert version_says(fake_pulumi, f"v{newer}", monkeypatch)["sdk"] == Check(
        "sdk", True, f"pulumi SDK {SDK}, CLI {newer} (newer: works)"
    )
    older = f"{major}.{minor - 1}.{patch + 5}"
    assert version_says(fake_pulumi, f"v{older}", monkeypatch)["sdk"] == Check(
        "sdk",
        False,
        f"pulumi SDK {SDK} is newer than the CLI {older}",
        f"install pulumi {SDK}: `bash .ci/install-pulumi` in a checkout (builds it), or "
        f"`curl -fsSL https://get.pulumi.com | sh -s -- --version {SDK}`",
    )


def test_an_sdk_that_is_missing_or_has_no_version(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.metadata.version
    answer: dict[str, str | None] = {"pulumi": None}

    def version(name: str) -> str:
        if name != "pulumi":
            return real(name)
        if answer["pulumi"] is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return answer["pulumi"]

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert version_says(fake_pulumi, "v3.272.0", monkeypatch)["sdk"] == Check(
        "sdk", False, "the pulumi Python SDK is not installed", REINSTALL
    )
    # a version that is not X.Y.Z (a development build) is not held against the CLI
    answer["pulumi"] = "dev"
    assert version_says(fake_pulumi, "v3.272.0", monkeypatch)["sdk"] == Check(
        "sdk", True, "pulumi SDK dev: the same release as the CLI"
    )


# ---- program ------------------------------------------------------------------------------


def test_the_program_check_whole(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    tmp = fake_pulumi.parent.parent
    assert by_name(doctor_checks(env_of(tmp), aws=False))["program"] == Check(
        "program", True, PROGRAM_OK
    )
    # blank is unset
    env = env_of(tmp, SHOWTIME_PROGRAM="  ")
    assert by_name(doctor_checks(env, aws=False))["program"] == Check("program", True, PROGRAM_OK)
    env = env_of(tmp, SHOWTIME_PROGRAM=" tests.adapters.stacks.engine_program:program ")
    assert by_name(doctor_checks(env, aws=False))["program"] == Check(
        "program",
        True,
        "tests.adapters.stacks.engine_program:program ($SHOWTIME_PROGRAM, a test program), "
        "run inline: no language host needed",
    )
    env = env_of(tmp, SHOWTIME_PROGRAM="no_such_module:main")
    assert by_name(doctor_checks(env, aws=False))["program"] == Check(
        "program",
        False,
        "$SHOWTIME_PROGRAM='no_such_module:main' cannot be loaded: "
        "No module named 'no_such_module'",
        "unset SHOWTIME_PROGRAM (tests only)",
    )


# ---- backend ------------------------------------------------------------------------------


def test_a_file_backend_that_exists_or_is_created_on_first_use(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    tmp = fake_pulumi.parent.parent
    env = env_of(tmp)
    url = env["PULUMI_BACKEND_URL"]
    assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
        "backend", True, f"{url} (exists)"
    )
    url = f"file://{tmp}/new/deeper/state"
    env = env_of(tmp, PULUMI_BACKEND_URL=url)
    assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
        "backend", True, f"{url} (created on first use)"
    )
    assert not (tmp / "new").exists()  # doctor creates nothing


def test_a_file_backend_that_cannot_be_written(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What must be writable is the nearest directory that exists (the rest is created under
    it). Whether it is writable is ``os.access``'s answer, held here to "no" for that one
    directory (the tests may run as root, to whom every directory is writable)."""
    tmp = fake_pulumi.parent.parent
    locked = tmp / "locked"
    locked.mkdir()
    asked: list[tuple[Path, int]] = []
    real = os.access

    def access(path: Path, mode: int, **kw: object) -> bool:
        if Path(path) == locked:
            asked.append((Path(path), mode))
            return False
        return real(path, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)  # the module doctor asks
    for under in ("state", "a/b/state"):
        url = f"file://{locked}/{under}"
        env = env_of(tmp, PULUMI_BACKEND_URL=url)
        assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
            "backend",
            False,
            f"{url} (created on first use)",
            "set PULUMI_BACKEND_URL to a writable file:// directory or s3://",
        )
        assert asked == [(locked, os.W_OK)]
        asked.clear()
    url = f"file://{locked}"
    env = env_of(tmp, PULUMI_BACKEND_URL=url)
    assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
        "backend",
        False,
        f"{url} (exists)",
        "set PULUMI_BACKEND_URL to a writable file:// directory or s3://",
    )


def test_pulumi_cloud_needs_an_access_token_and_no_passphrase(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    tmp = fake_pulumi.parent.parent
    url = "https://api.pulumi.com"
    env = env_of(tmp, PULUMI_BACKEND_URL=url, PULUMI_CONFIG_PASSPHRASE="<unset>")
    checks = by_name(doctor_checks(env, aws=False))
    assert checks["backend"] == Check(
        "backend",
        False,
        "https://api.pulumi.com (Pulumi Cloud)",
        "export PULUMI_ACCESS_TOKEN (a Pulumi Cloud access token)",
    )
    assert "passphrase" not in checks
    env["PULUMI_ACCESS_TOKEN"] = ""
    assert not by_name(doctor_checks(env, aws=False))["backend"].ok
    env["PULUMI_ACCESS_TOKEN"] = "pul-123"
    assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
        "backend", True, "https://api.pulumi.com (Pulumi Cloud)"
    )


def test_any_other_backend_is_left_to_the_engine(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    env = env_of(fake_pulumi.parent.parent, PULUMI_BACKEND_URL="s3://bucket/showtime?region=x")
    assert by_name(doctor_checks(env, aws=False))["backend"] == Check(
        "backend", True, "s3://bucket/showtime?region=x (reachability checked by the engine)"
    )


# ---- passphrase ---------------------------------------------------------------------------


def test_the_passphrase_check_whole(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    tmp = fake_pulumi.parent.parent
    is_set = Check("passphrase", True, "PULUMI_CONFIG_PASSPHRASE is set")
    # an empty passphrase is one (pulumi encrypts with it)
    env = env_of(tmp, PULUMI_CONFIG_PASSPHRASE="")
    assert by_name(doctor_checks(env, aws=False))["passphrase"] == is_set
    env = env_of(
        tmp, PULUMI_CONFIG_PASSPHRASE="<unset>", PULUMI_CONFIG_PASSPHRASE_FILE=str(tmp / "pw")
    )
    assert by_name(doctor_checks(env, aws=False))["passphrase"] == is_set
    env = env_of(tmp, PULUMI_CONFIG_PASSPHRASE="<unset>")
    assert by_name(doctor_checks(env, aws=False))["passphrase"] == Check(
        "passphrase", False, "PULUMI_CONFIG_PASSPHRASE is not set", PASSPHRASE_FIX
    )
    # the passphrase provider named explicitly needs it as the default does
    env = env_of(tmp, PULUMI_CONFIG_PASSPHRASE="<unset>", SHOWTIME_SECRETS_PROVIDER="passphrase")
    assert not by_name(doctor_checks(env, aws=False))["passphrase"].ok
    # a KMS key encrypts the secrets: no passphrase, no check
    env = env_of(
        tmp,
        PULUMI_CONFIG_PASSPHRASE="<unset>",
        SHOWTIME_SECRETS_PROVIDER="awskms://alias/showtime?region=us-west-2",
    )
    assert "passphrase" not in by_name(doctor_checks(env, aws=False))


# ---- github, to_json, order ---------------------------------------------------------------


def test_the_github_check_whole(
    fake_pulumi: Path,  # noqa: F811
) -> None:
    tmp = fake_pulumi.parent.parent
    assert doctor_checks(env_of(tmp), aws=False)[-1] == Check("github", True, "GITHUB_TOKEN is set")
    for unset in ("<unset>", ""):
        checks = doctor_checks(env_of(tmp, GITHUB_TOKEN=unset), aws=False)
        assert checks[-1] == Check("github", False, "GITHUB_TOKEN is not set", GITHUB_FIX)


def test_check_to_json() -> None:
    assert Check("backend", True, "s3://b (reachability checked by the engine)").to_json() == {
        "check": "backend",
        "ok": True,
        "detail": "s3://b (reachability checked by the engine)",
        "fix": None,
    }
    assert Check("github", False, "GITHUB_TOKEN is not set", GITHUB_FIX).to_json() == {
        "check": "github",
        "ok": False,
        "detail": "GITHUB_TOKEN is not set",
        "fix": GITHUB_FIX,
    }


def test_the_order_of_the_checks(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "v3.200.0")
    names = [c.name for c in doctor_checks(env_of(fake_pulumi.parent.parent), aws=False)]
    assert names == [
        "engine",
        "sdk",
        "stack tags",
        "program",
        "backend",
        "passphrase",
        "github",
    ]


def test_the_aws_check_comes_after_the_passphrase(
    moto_env: str,
    fake_pulumi: Path,  # noqa: F811
) -> None:
    checks = doctor_checks(env_of(fake_pulumi.parent.parent))
    assert [c.name for c in checks] == [
        "engine",
        "sdk",
        "program",
        "backend",
        "passphrase",
        "aws",
        "github",
    ]
    assert checks[5] == Check(
        "aws", True, "account 123456789012 as arn:aws:sts::123456789012:user/moto"
    )


def test_the_aws_check_without_credentials_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    # boto3's default session keeps the credentials it found first (another test's moto ones)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert doctor.aws_check({}) == Check(
        "aws",
        False,
        "no usable AWS credentials: Unable to locate credentials",
        "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or use "
        "aws-actions/configure-aws-credentials in the workflow",
    )


# ---- dns ----------------------------------------------------------------------------------


def test_dns_check_without_the_shared_stack_says_to_bring_it_up() -> None:
    def shared(_env: Mapping[str, str]) -> tuple[str, str | None]:
        raise ShowtimeError("no shared stack shared: run its `up` first")

    assert dns_check("preview.example.org", {}, shared) == Check(
        "dns",
        False,
        "*.preview.example.org: no shared stack shared: run its `up` first",
        "bring the shared stack up first",
    )


ALB = "showtime-iac-0123456789.us-west-2.elb.amazonaws.com"
DOMAIN = "preview.example.org"


def shared_stack_with(world: World, outputs: dict[str, str]) -> None:
    """The stack ``shared`` holding ``outputs`` as a shared stack ``up`` leaves them (its
    state imported: the real program needs the AWS plugin)."""
    deployment = json.loads(world.pulumi("stack", "export", "--stack", "shared").stdout)
    deployment["deployment"]["resources"] = [
        {
            "urn": "urn:pulumi:shared::showtime-iac::pulumi:pulumi:Stack::showtime-iac-shared",
            "custom": False,
            "type": "pulumi:pulumi:Stack",
            "outputs": outputs,
        }
    ]
    state = world.root / "shared.json"
    state.write_text(json.dumps(deployment))
    world.pulumi("stack", "import", "--stack", "shared", "--file", str(state))


@requires_engine
@pytest.mark.engine
def test_https_mode_reads_the_shared_stack_when_the_engine_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``$SHOWTIME_DOMAIN`` and a working engine, backend and passphrase, doctor reads the
    shared stack (the real CLI, a backend of the test's own) for the DNS check, and asks DNS
    (a local server) for the record."""
    world = make_world(tmp_path, monkeypatch, SHOWTIME_DOMAIN=f" {DOMAIN} ", GITHUB_TOKEN="t")
    for key in ("SHOWTIME_SECRETS_PROVIDER", "SHOWTIME_SHARED_STACK"):
        monkeypatch.delenv(key, raising=False)

    def dns() -> Check:
        checks = doctor_checks(dict(os.environ), aws=False)
        assert [c.name for c in checks][-2:] == ["dns", "github"]
        return checks[-2]

    up_first = "bring the shared stack up first"
    assert dns() == Check(
        "dns", False, f"*.{DOMAIN}: no shared stack shared: run its `up` first", up_first
    )
    monkeypatch.setenv("SHOWTIME_SHARED_STACK", "shared-staging")
    assert dns().detail == f"*.{DOMAIN}: no shared stack shared-staging: run its `up` first"
    monkeypatch.delenv("SHOWTIME_SHARED_STACK")
    world.pulumi("stack", "init", "shared")
    assert dns() == Check(
        "dns",
        False,
        f"*.{DOMAIN}: the shared stack shared has no albDnsName output (HTTPS mode?)",
        up_first,
    )
    shared_stack_with(world, {"albDnsName": ""})
    assert dns().detail == (
        f"*.{DOMAIN}: the shared stack shared has no albDnsName output (HTTPS mode?)"
    )
    shared_stack_with(world, {"albDnsName": ALB})
    with dns_server({f"*.{DOMAIN}": ("CNAME", ALB), ALB: ("A", ["192.0.2.10"])}) as server:
        monkeypatch.setenv("SHOWTIME_DNS_SERVER", server)
        assert dns() == Check("dns", True, f"*.{DOMAIN} → {ALB} (CNAME)")
    # the record missing: no zone configured, so the record to create is printed
    with dns_server({ALB: ("A", ["192.0.2.10"])}) as server:
        monkeypatch.setenv("SHOWTIME_DNS_SERVER", server)
        assert dns() == Check(
            "dns",
            False,
            f"showtime-doctor-probe.{DOMAIN} does not resolve (no such name); no Route 53 "
            f"zone configured, so the shared stack writes no record; needs *.{DOMAIN}. "
            f"CNAME {ALB}.",
            f"create `*.{DOMAIN}. CNAME {ALB}.` where {DOMAIN}'s DNS is served",
        )
        # the shared stack's zone is where to look
        world.pulumi("config", "set", "--stack", "shared", "showtime-iac:hostedZoneId", "Z0123ABC")
        assert dns().fix == (
            f"check that zone Z0123ABC serves {DOMAIN} (its NS records at the registrar)"
        )
    # Route 53's alias record: the load balancer's own addresses, asked of the same server
    records = {f"*.{DOMAIN}": ("A", ["192.0.2.10"]), ALB: ("A", ["192.0.2.10"])}
    with dns_server(records) as server:
        monkeypatch.setenv("SHOWTIME_DNS_SERVER", server)
        assert dns() == Check("dns", True, f"*.{DOMAIN} → the addresses of {ALB}")


def test_no_dns_check_without_a_domain_or_a_working_engine_backend_and_passphrase(
    fake_pulumi: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each case would reach the shared stack if it made the DNS check: the fake pulumi
    cannot answer that, so a check made where none should be fails the test."""
    domain = "preview.example.org"
    # no domain (blank is none): no DNS check though everything else passes
    for blank in ("<unset>", "  "):
        names = [c.name for c in doctor_checks(env_of(tmp_path, SHOWTIME_DOMAIN=blank), aws=False)]
        assert "dns" not in names and names[-1] == "github"
    # the engine's version unreadable
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "garbage")
    assert "dns" not in by_name(doctor_checks(env_of(tmp_path, SHOWTIME_DOMAIN=domain), aws=False))
    monkeypatch.delenv("FAKE_PULUMI_VERSION")
    # the passphrase missing
    env = env_of(tmp_path, SHOWTIME_DOMAIN=domain, PULUMI_CONFIG_PASSPHRASE="<unset>")
    assert "dns" not in by_name(doctor_checks(env, aws=False))
    # the backend unusable (Pulumi Cloud without a token)
    env = env_of(tmp_path, SHOWTIME_DOMAIN=domain, PULUMI_BACKEND_URL="https://api.pulumi.com")
    assert "dns" not in by_name(doctor_checks(env, aws=False))
