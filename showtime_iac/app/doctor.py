"""``doctor``: what deploying needs, checked one by one, each failure with its fix.

The pulumi CLI and its version against the Python SDK's (stack tags on a file/S3 backend need
3.211+), the program (run inline: no language host), the backend, the passphrase, AWS
credentials (one STS call, skippable), in HTTPS mode the ``*.<domain>`` record, and the GitHub
token.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from showtime_iac.settings import token_permissions

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Check", "aws_check", "doctor_checks"]


@dataclass(frozen=True)
class Check:
    """One doctor check: what was looked at, whether it is fine, and the fix when not."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def aws_check(env: Mapping[str, str]) -> Check:
    """The account and identity of the AWS credentials, or why they cannot be used."""
    from showtime_iac.adapters.aws.identity import IdentityError, caller_identity

    try:
        ident = caller_identity(env)
    except IdentityError as exc:
        return Check(
            "aws",
            False,
            f"no usable AWS credentials: {str(exc).splitlines()[0][:160]}",
            "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or use "
            "aws-actions/configure-aws-credentials in the workflow",
        )
    return Check("aws", True, f"account {ident.account} as {ident.arn}")


def _engine_checks(exe: Path | None, url: str) -> list[Check]:
    from showtime_iac.adapters import stacks as S

    if exe is None:
        return [
            Check(
                "engine",
                False,
                "pulumi CLI not found",
                S.INSTALL_WAYS,
            )
        ]
    import subprocess

    try:
        out = subprocess.run(  # noqa: S603 (our resolved pulumi executable)
            [str(exe), "version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        out = f"error: {exc}"
    version = S.parse_version(out)
    vtext = ".".join(map(str, version)) if version else out.strip()[:40] or "unknown"
    checks = [Check("engine", version is not None, f"pulumi {vtext} at {exe}")]
    if version is not None:
        checks.append(_sdk_check(version))
    if not S.tags_supported(url, version):
        need = ".".join(map(str, S.MIN_VERSION_DIY_TAGS))
        checks.append(
            Check(
                "stack tags",
                False,
                f"pulumi {vtext} keeps no stack tags on a file/S3 backend (needs {need}+)",
                f"upgrade: `curl -fsSL https://get.pulumi.com | sh -s -- --version {need}`"
                " (or newer); until then the AWS resources carry the tags",
            )
        )
    return checks


def _sdk_check(cli: tuple[int, int, int]) -> Check:
    """The CLI against the pulumi Python SDK it drives: the same release is what is tested;
    a newer CLI works; an older one may lack what the SDK asks of it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        sdk_text = version("pulumi")
    except PackageNotFoundError:
        return Check("sdk", False, "the pulumi Python SDK is not installed", _REINSTALL)
    from showtime_iac.adapters import stacks as S

    sdk = S.parse_version(sdk_text)
    cli_text = ".".join(map(str, cli))
    if sdk is None or sdk == cli:
        return Check("sdk", True, f"pulumi SDK {sdk_text}: the same release as the CLI")
    if cli > sdk:
        return Check("sdk", True, f"pulumi SDK {sdk_text}, CLI {cli_text} (newer: works)")
    return Check(
        "sdk",
        False,
        f"pulumi SDK {sdk_text} is newer than the CLI {cli_text}",
        f"install pulumi {sdk_text}: `bash .ci/install-pulumi` in a checkout (builds it), or "
        f"`curl -fsSL https://get.pulumi.com | sh -s -- --version {sdk_text}`",
    )


_REINSTALL = "reinstall showtime-iac from its lock: `.venv/bin/uv sync --locked` (it pins pulumi)"


def _program_check(env: Mapping[str, str]) -> Check:
    """Which program the driver runs, inline (so no ``pulumi-language-python`` host)."""
    from showtime_iac.app.wiring import ENV_PROGRAM, stack_program
    from showtime_iac.errors import ShowtimeError

    spec = env.get(ENV_PROGRAM, "").strip()
    try:
        stack_program(env)
    except ShowtimeError as exc:
        return Check("program", False, str(exc), f"unset {ENV_PROGRAM} (tests only)")
    which = f"{spec} (${ENV_PROGRAM}, a test program)" if spec else "showtime_iac.program.main"
    return Check("program", True, f"{which}, run inline: no language host needed")


def _backend_check(env: Mapping[str, str], url: str) -> Check:
    from showtime_iac.adapters import stacks as S

    local = S.local_backend_dir(url)
    if local is not None:
        probe = local
        while not probe.exists() and probe.parent != probe:
            probe = probe.parent
        ok = os.access(probe, os.W_OK)
        where = "exists" if local.exists() else "created on first use"
        return Check(
            "backend",
            ok,
            f"{url} ({where})",
            None if ok else "set PULUMI_BACKEND_URL to a writable file:// directory or s3://",
        )
    if S.is_cloud_backend(url):
        ok = bool(env.get("PULUMI_ACCESS_TOKEN"))
        return Check(
            "backend",
            ok,
            f"{url} (Pulumi Cloud)",
            None if ok else "export PULUMI_ACCESS_TOKEN (a Pulumi Cloud access token)",
        )
    return Check("backend", True, f"{url} (reachability checked by the engine)")


def _shared_https(env: Mapping[str, str]) -> tuple[str, str | None]:
    """The shared stack's load balancer DNS name (shard 0's, where ``*.<domain>`` points) and
    its Route 53 zone; raises ShowtimeError when they cannot be read."""
    from showtime_iac.adapters.stacks.backend import ENV_SHARED_STACK
    from showtime_iac.app.wiring import open_stacks
    from showtime_iac.errors import ShowtimeError

    name = env.get(ENV_SHARED_STACK) or "shared"
    engine = open_stacks(None).engine
    if not engine.select(name):
        raise ShowtimeError(f"no shared stack {name}: run its `up` first")
    alb = engine.outputs(name).get("albDnsName")
    if not isinstance(alb, str) or not alb:
        raise ShowtimeError(f"the shared stack {name} has no albDnsName output (HTTPS mode?)")
    zone = engine.get_config(name).get("showtime-iac:hostedZoneId") or None
    return alb, zone


def dns_check(
    domain: str,
    env: Mapping[str, str],
    shared: Callable[[Mapping[str, str]], tuple[str, str | None]] = _shared_https,
) -> Check:
    """HTTPS mode: the record ``*.<domain>`` needs, and whether DNS answers it with the load
    balancer (:mod:`showtime_iac.core.dns_record`)."""
    from showtime_iac.adapters.dns import resolve
    from showtime_iac.core.dns_record import judge_dns, probe_host, wildcard_record
    from showtime_iac.errors import ShowtimeError

    try:
        alb, zone = shared(env)
    except ShowtimeError as exc:
        return Check("dns", False, f"*.{domain}: {exc}", "bring the shared stack up first")
    verdict = judge_dns(domain, alb, zone, resolve(probe_host(domain), env), resolve(alb, env))
    detail = (
        verdict.detail if verdict.ok else f"{verdict.detail}; needs {wildcard_record(domain, alb)}"
    )
    return Check("dns", verdict.ok, detail, verdict.fix)


def doctor_checks(env: Mapping[str, str], *, aws: bool = True) -> list[Check]:
    """Engine and version, backend, passphrase, AWS credentials, GitHub token; each with a fix."""
    from showtime_iac.adapters import stacks as S

    url = S.backend_url(env)
    checks = _engine_checks(S.find_engine(env), url)
    checks.append(_program_check(env))
    checks.append(_backend_check(env, url))
    if S.needs_passphrase(url, env.get("SHOWTIME_SECRETS_PROVIDER")):
        ok = "PULUMI_CONFIG_PASSPHRASE" in env or "PULUMI_CONFIG_PASSPHRASE_FILE" in env
        checks.append(
            Check(
                "passphrase",
                ok,
                "PULUMI_CONFIG_PASSPHRASE is " + ("set" if ok else "not set"),
                None
                if ok
                else "export PULUMI_CONFIG_PASSPHRASE (keep it: existing stacks need the same one)",
            )
        )
    if aws:
        checks.append(aws_check(env))
    domain = env.get("SHOWTIME_DOMAIN", "").strip()
    engine = all(c.ok for c in checks if c.name in ("engine", "backend", "passphrase"))
    if domain and engine:  # HTTPS mode, with an engine to read the shared stack
        checks.append(dns_check(domain, env))
    token = bool(env.get("GITHUB_TOKEN"))
    checks.append(
        Check(
            "github",
            token,
            "GITHUB_TOKEN is " + ("set" if token else "not set"),
            None if token else f"export GITHUB_TOKEN (with {token_permissions()})",
        )
    )
    return checks
