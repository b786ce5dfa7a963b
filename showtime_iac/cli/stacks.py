"""Stack commands: ``up``, ``destroy``, ``drift``, ``list``, ``status``, ``doctor``.

Engine output streams to stderr (a rich status line on a terminal, plain lines when piped);
stdout carries the result, or one JSON document with ``--json``. pulumi, rich and boto3 are
imported inside the commands only.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from showtime_iac.core.labels import parse_state
from showtime_iac.core.model import (
    BASELINE_PR,
    SIZES,
    EnvConfig,
    InputError,
    PrInfo,
    ShowtimeError,
    Status,
    Ttl,
    short_sha,
)

if TYPE_CHECKING:
    from showtime_iac.adapters.aws import AwsLive, FargatePrices
    from showtime_iac.adapters.stacks import PulumiDriver, StackInfo
    from showtime_iac.core.model import Policy
    from showtime_iac.settings import Settings

__all__ = [
    "Check",
    "DriftFound",
    "LiveView",
    "SizedStack",
    "doctor_checks",
    "format_cost",
    "format_duration",
    "look_live",
    "read_stack_size",
    "register",
    "size_of",
]

EXIT_DRIFT = 3


class DriftFound(ShowtimeError):
    """Drift was found (exit code 3); the drifted resources were printed."""

    exit_code = EXIT_DRIFT


_ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir", help="Directory of Pulumi.yaml; default $SHOWTIME_PROJECT_DIR or the repo."
    ),
]
_Json = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
_PolicyFile = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (default size); default ./showtime.toml."),
]


def format_duration(d: timedelta | None) -> str:
    """``timedelta(hours=26)`` → ``1d2h``; negative → ``expired``; None → ``-``."""
    if d is None:
        return "-"
    secs = int(d.total_seconds())
    if secs < 0:
        return "expired"
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{rem // 60}m" if rem // 60 else f"{hours}h"
    return f"{max(rem // 60, 0)}m"


def _ttl_left(info: StackInfo, now: datetime) -> str:
    if info.ttl is not None and info.ttl.value in ("close", "manual"):
        return info.ttl.value
    return format_duration(info.ttl_left(now)) if info.expires_at else "-"


@contextmanager
def _engine_display(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A sink for engine output lines: a rich status line on a TTY, plain lines otherwise."""
    from showtime_iac.cli.output import err_console, is_tty

    if quiet:
        yield lambda _line: None
        return
    if not is_tty(sys.stderr):

        def plain(line: str) -> None:
            text = line.rstrip("\n")
            if text.strip():
                sys.stderr.write(text + "\n")

        yield plain
        return
    con = err_console()
    with con.status("pulumi: starting", spinner="dots") as status:

        def live(line: str) -> None:
            text = line.rstrip("\n")
            if not text.strip():
                return
            stripped = text.strip()
            if stripped[:1] in "+-~" or "error" in stripped.lower():
                con.print(text, markup=False, highlight=False)
            status.update(f"pulumi: {stripped[:100]}")

        yield live


def _open(
    project_dir: Path | None, on_output: Callable[[str], None] | None = None, unlock: bool = False
) -> PulumiDriver:
    from showtime_iac.adapters.stacks import open_driver

    return open_driver(project_dir=project_dir, on_output=on_output, unlock=unlock)


def _notes(driver: PulumiDriver) -> None:
    for note in driver.notes:
        sys.stderr.write(f"showtime-iac: {note}\n")


def _pr_stacks(driver: PulumiDriver, pr: int) -> list[StackInfo]:
    return [s for s in driver.list() if s.pr == pr]


def _env_config(
    pr: int, sha: str | None, image: str | None, ttl: str | None, requester: str | None
) -> EnvConfig:
    if not sha:
        raise InputError(
            f"pass --sha SHA (the commit of PR #{pr} to deploy); `sync` reads it from GitHub"
        )
    repo = os.environ.get("GITHUB_REPOSITORY") or "apache/superset"
    who = requester or os.environ.get("GITHUB_ACTOR") or "unknown"
    return EnvConfig(
        pr=pr,
        sha=sha.strip().lower(),
        repo=repo,
        image=image,
        ttl=Ttl.parse(ttl) if ttl else Ttl("24h"),
        requester=who,
    )


def _offline(cfg: EnvConfig, as_json: bool, reason: str) -> None:
    from showtime_iac.cli.output import emit_json
    from showtime_iac.program import format_render, render_offline

    if cfg.created is None:  # so the tags show the real expiry, as a deploy now would
        from datetime import UTC, datetime

        cfg = replace(cfg, created=datetime.now(UTC).replace(second=0, microsecond=0))
    resources = render_offline(cfg)
    claim, final = _label_changes(cfg)
    if as_json:
        emit_json(
            {
                "stack": cfg.stack,
                "mode": "offline",
                "reason": reason,
                "resources": [asdict(r) for r in resources],
                "labels": {
                    "claim": {"add": list(claim.add), "remove": list(claim.remove)},
                    "after_healthy": {"add": list(final.add), "remove": list(final.remove)},
                },
            }
        )
        return
    sys.stderr.write(f"showtime-iac: {reason}\n")
    sys.stdout.write(format_render(resources, stack=cfg.stack) + "\n")
    sys.stdout.write("\nlabels on a PR without an environment (written by `sync`):\n")
    sys.stdout.write("".join(f"  + {n}   (claim)\n" for n in claim.add))
    sys.stdout.write("".join(f"  - {n}   (once healthy)\n" for n in final.remove))
    sys.stdout.write("".join(f"  + {n}   (once healthy)\n" for n in final.add))
    sys.stdout.write(
        "  + 🎪 {sha7} 🌐 {task public IP}:8080   (once healthy)\n".replace("{sha7}", cfg.sha7)
    )


_REF_RE = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,200}(?<![/.])$")


def resolve_ref(ref: str, env: Mapping[str, str]) -> str:
    """The SHA at the tip of branch ``ref``: Actions' own variables, the API, or git."""
    if not _REF_RE.match(ref):
        raise InputError(f"--ref {ref[:60]!r} is not a branch name")
    if env.get("GITHUB_SHA") and env.get("GITHUB_REF_NAME") == ref:
        return env["GITHUB_SHA"]
    if env.get("GITHUB_TOKEN") and env.get("GITHUB_REPOSITORY"):
        from showtime_iac.adapters.github import GitHubClient
        from showtime_iac.settings import Settings

        return GitHubClient.from_settings(Settings.from_env(env)).branch_head(ref)
    import shutil
    import subprocess

    git = shutil.which("git")
    for rev in (f"refs/remotes/origin/{ref}", f"refs/heads/{ref}") if git else ():
        try:  # ref is validated above; no shell
            done = subprocess.run(  # noqa: S603
                [git or "git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            break
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    raise InputError(
        f"cannot find the tip of branch {ref!r}: pass --sha SHA (or set GITHUB_TOKEN and"
        " GITHUB_REPOSITORY, or run inside a clone that has the branch)"
    )


def _retire_old_baselines(driver: PulumiDriver, cfg: EnvConfig) -> list[str]:
    """Destroy the baseline stacks of older SHAs, now that ``cfg``'s is up."""
    old = [s for s in driver.list() if s.pr == BASELINE_PR and s.name != cfg.stack]
    for info in old:
        driver.destroy(BASELINE_PR, info.sha7)
    return [info.name for info in old]


def _label_changes(cfg: EnvConfig) -> tuple[Any, Any]:
    """The claim and final label diffs the planner gives for this config on a bare PR."""
    from datetime import UTC, datetime

    from showtime_iac.core import labels as L
    from showtime_iac.core.model import Event, PrInfo
    from showtime_iac.core.planner import decide, on_success

    if cfg.pr == BASELINE_PR:  # the baseline has no PR, so no labels
        return L.LabelDiff(), L.LabelDiff()
    now = cfg.created or datetime.now(UTC)
    actor = cfg.requester if cfg.requester != "unknown" else ""
    event = Event(name="cli", action="start", actor=actor)
    pr = PrInfo(number=cfg.pr, state="open", head_sha=cfg.sha, labels=())
    plan = decide(event, pr, now)
    claim = plan.label_diff
    after_claim = L.apply_diff((), claim)
    final = on_success(after_claim, cfg.sha7, None)
    return claim, final


# --------------------------------------------------------------------------- size and cost

_SIZE_KEY = "showtime-iac:size"
# AWS error codes that mean "these credentials cannot be used here": no point in asking AWS
# about the next stack either.
_AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
# One look at /health, not a wait: `status` must answer quickly.
PROBE_TIMEOUT = 3.0


def format_cost(usd: float) -> str:
    """``0.10374`` → ``$0.104``."""
    return f"${usd:.3f}"


def read_stack_size(path: Path) -> str | None:
    """``showtime-iac:size`` of a stack config file (``stacks/Pulumi.<stack>.yaml``); None
    when the file or the key is missing, or the value is not a known size."""
    import yaml  # type: ignore[import-untyped]

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    config = data.get("config") if isinstance(data, dict) else None
    size = config.get(_SIZE_KEY) if isinstance(config, dict) else None
    return size if isinstance(size, str) and size in SIZES else None


@dataclass(frozen=True)
class SizedStack:
    """A listed stack with its size (``assumed`` when no config says it) and hourly cost."""

    info: StackInfo
    size: str
    assumed: bool
    hourly_cost: float

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            **self.info.to_json(now),
            "size": self.size,
            "size_assumed": self.assumed,
            "hourly_cost": self.hourly_cost,
        }


def size_of(
    infos: list[StackInfo],
    config_dir: Path | None,
    default_size: str,
    prices: FargatePrices,
) -> list[SizedStack]:
    """Size and cost of each stack from its local ``stacks/Pulumi.<stack>.yaml`` (written by
    ``up``), else the policy's default size, marked as assumed. No engine or AWS call:
    ``pulumi stack ls`` carries no config, and ``list`` stays one listing call."""
    from showtime_iac.adapters.aws import hourly_cost

    out = []
    for info in infos:
        found = None
        if config_dir is not None:
            found = read_stack_size(config_dir / f"Pulumi.{info.name}.yaml")
        size = found or default_size
        out.append(SizedStack(info, size, found is None, hourly_cost(size, prices)))
    return out


def _config_dir(project_dir: Path | None) -> Path | None:
    """Where ``up`` writes the stack config files (``stackConfigDir`` of Pulumi.yaml)."""
    from showtime_iac.adapters.stacks import find_project_dir

    try:
        return find_project_dir(project_dir) / "stacks"
    except InputError:
        return None


def _sized(
    infos: list[StackInfo], project_dir: Path | None, policy: Policy
) -> tuple[list[SizedStack], FargatePrices]:
    from showtime_iac.adapters.aws import FargatePrices

    prices = FargatePrices.from_env()
    return size_of(infos, _config_dir(project_dir), policy.default_size, prices), prices


# --------------------------------------------------------------------------- live state


@dataclass(frozen=True)
class LiveView:
    """What AWS says about one environment right now (one look, no waiting)."""

    address: str | None = None
    task_arn: str | None = None
    last_status: str | None = None
    stopped_reason: str | None = None
    healthy: bool | None = None
    health: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "task_arn": self.task_arn,
            "last_status": self.last_status,
            "stopped_reason": self.stopped_reason,
            "healthy": self.healthy,
            "health": self.health,
            "error": self.error,
        }


def look_live(
    live: AwsLive, cluster: str, service: str, port: int, probe_timeout: float = PROBE_TIMEOUT
) -> LiveView:
    """The service's task, its address and one ``/health`` probe.

    A stopped task, a task without a public IP and a service without tasks are answers
    (in the view); an ``AwsError`` is raised for the caller to judge.
    """
    from showtime_iac.adapters.aws import (
        NoPublicIpError,
        TaskNotRunningError,
        TaskStoppedError,
        probe_health,
    )

    try:
        addr = live.task_address(cluster, service)
    except TaskStoppedError as exc:
        a = exc.address
        return LiveView(None, a.task_arn, a.last_status, exc.reason, error=str(exc))
    except NoPublicIpError as exc:
        a = exc.address
        return LiveView(None, a.task_arn, a.last_status, error=str(exc))
    except TaskNotRunningError as exc:
        return LiveView(error=str(exc))
    url = addr.url(port)
    if url is None:
        return LiveView(None, addr.task_arn, addr.last_status, health="not probed: no address yet")
    probe = probe_health(f"{url}/health", get=live.http_get, timeout=probe_timeout)
    return LiveView(url, addr.task_arn, addr.last_status, None, probe.ok, probe.detail)


def _open_live(settings: Settings, policy: Policy) -> AwsLive:
    """The AWS adapter for ``status``: few retries, short timeouts (a seam for tests)."""
    from showtime_iac.adapters.aws import AwsLive, client_config

    quick = client_config(2, connect_timeout=3, read_timeout=10)
    return AwsLive.from_settings(settings, policy, config=quick)


def _live_views(
    stacks: list[tuple[StackInfo, Mapping[str, Any]]], policy: Policy
) -> tuple[list[LiveView | None], str | None]:
    """One :class:`LiveView` per stack, or None with the reason live data is unavailable.

    Missing credentials, an unreachable endpoint or refused credentials stop the look for
    every stack (one clear reason); any other AWS error is that stack's own.
    """
    from showtime_iac.adapters.aws import AwsError
    from showtime_iac.core.model import resource_names
    from showtime_iac.settings import Settings

    views: list[LiveView | None] = [None] * len(stacks)
    try:
        live = _open_live(Settings.from_env(), policy)
    except ShowtimeError as exc:
        return views, str(exc)
    for n, (info, outputs) in enumerate(stacks):
        service = str(outputs.get("serviceName") or resource_names(info.pr, info.sha7).service)
        cluster = str(outputs.get("clusterName") or live.cluster)
        try:
            views[n] = look_live(live, cluster, service, policy.port)
        except AwsError as exc:
            if exc.code is None or exc.code in _AUTH_CODES:
                return [None] * len(stacks), str(exc)
            views[n] = LiveView(error=str(exc))
    return views, None


# --------------------------------------------------------------------------- doctor


class Check:
    """One doctor check: what was looked at, whether it is fine, and the fix when not."""

    def __init__(self, name: str, ok: bool, detail: str, fix: str | None = None) -> None:
        self.name, self.ok, self.detail, self.fix = name, ok, detail, fix

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def _aws_check(env: Mapping[str, str]) -> Check:
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        cfg = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 1})
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-west-2"
        sts = boto3.client("sts", region_name=region, config=cfg)
        ident = sts.get_caller_identity()
        return Check("aws", True, f"account {ident['Account']} as {ident['Arn']}")
    except (BotoCoreError, ClientError) as exc:
        return Check(
            "aws",
            False,
            f"no usable AWS credentials: {str(exc).splitlines()[0][:160]}",
            "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or use "
            "aws-actions/configure-aws-credentials in the workflow",
        )


def doctor_checks(env: Mapping[str, str], *, aws: bool = True) -> list[Check]:
    """Engine and version, backend, passphrase, AWS credentials, GitHub token; each with a fix."""
    from showtime_iac.adapters import stacks as S

    checks: list[Check] = []
    exe = S.find_engine(env)
    url = S.backend_url(env)
    version: tuple[int, int, int] | None = None
    if exe is None:
        checks.append(
            Check(
                "engine",
                False,
                "pulumi CLI not found",
                "install it: `curl -fsSL https://get.pulumi.com | sh` (or `brew install "
                "pulumi/tap/pulumi`) and put ~/.pulumi/bin on PATH",
            )
        )
    else:
        import subprocess

        try:
            out = subprocess.run(  # noqa: S603 (our resolved pulumi executable)
                [str(exe), "version"], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            out = f"error: {exc}"
        version = S.parse_version(out)
        vtext = ".".join(map(str, version)) if version else out.strip()[:40] or "unknown"
        checks.append(Check("engine", version is not None, f"pulumi {vtext} at {exe}"))
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
    local = S.local_backend_dir(url)
    if local is not None:
        probe = local
        while not probe.exists() and probe.parent != probe:
            probe = probe.parent
        ok = os.access(probe, os.W_OK)
        where = "exists" if local.exists() else "created on first use"
        checks.append(
            Check(
                "backend",
                ok,
                f"{url} ({where})",
                None if ok else "set PULUMI_BACKEND_URL to a writable file:// directory or s3://",
            )
        )
    elif S.is_cloud_backend(url):
        ok = bool(env.get("PULUMI_ACCESS_TOKEN"))
        checks.append(
            Check(
                "backend",
                ok,
                f"{url} (Pulumi Cloud)",
                None if ok else "export PULUMI_ACCESS_TOKEN (a Pulumi Cloud access token)",
            )
        )
    else:
        checks.append(Check("backend", True, f"{url} (reachability checked by the engine)"))
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
        checks.append(_aws_check(env))
    token = bool(env.get("GITHUB_TOKEN"))
    checks.append(
        Check(
            "github",
            token,
            "GITHUB_TOKEN is " + ("set" if token else "not set"),
            None if token else "export GITHUB_TOKEN (pull-requests:write, issues:write)",
        )
    )
    return checks


# --------------------------------------------------------------------------- commands


def register(app: typer.Typer) -> None:
    @app.command()
    def up(
        pr: Annotated[
            int | None, typer.Argument(help="Pull request number (or --ref BRANCH).", min=1)
        ] = None,
        sha: Annotated[str | None, typer.Option("--sha", help="Commit SHA to deploy.")] = None,
        ref: Annotated[
            str | None,
            typer.Option(
                "--ref",
                help="Deploy the tip of this branch as the baseline environment (stack"
                " pr-0-<sha7>) instead of a PR.",
            ),
        ] = None,
        image: Annotated[
            str | None, typer.Option("--image", help="Prebuilt image URI (no build).")
        ] = None,
        ttl: Annotated[
            str | None, typer.Option("--ttl", help="24h, 48h, 7d, close or manual (default 24h).")
        ] = None,
        requester: Annotated[
            str | None,
            typer.Option("--requester", help="GitHub login (default $GITHUB_ACTOR)."),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show what would be deployed; change nothing.")
        ] = False,
        unlock: Annotated[
            bool,
            typer.Option("--unlock", help="Cancel a lock left by a killed run after the retries."),
        ] = False,
        project_dir: _ProjectDir = None,
        as_json: _Json = False,
    ) -> None:
        """Create or update the stack of one PR SHA (pr-{PR}-{sha7}) and print its outputs.

        --ref BRANCH deploys the branch's tip as the baseline environment, "PR 0" (stack
        pr-0-<sha7>), so reviewers can compare a PR with master; the SHA is --sha, else
        $GITHUB_SHA when $GITHUB_REF_NAME is BRANCH, else the GitHub API (with GITHUB_TOKEN),
        else `git rev-parse`. Older baseline stacks are destroyed once the new one is up.

        --dry-run: `pulumi preview` of the existing stack, or, without a pulumi CLI or for a
        stack that does not exist yet, the offline render of the program under Pulumi mocks.

        Example:  showtime-iac up 1234 --sha abc1234def --ttl 48h --dry-run
        """
        from showtime_iac.adapters.stacks import EngineMissingError, find_engine

        if (pr is None) == (ref is None):
            raise InputError("give a PR number or --ref BRANCH (the baseline), not both")
        if ref is not None:
            if not _REF_RE.match(ref):
                raise InputError(f"--ref {ref[:60]!r} is not a branch name")
            sha = sha or resolve_ref(ref, os.environ)
            pr = BASELINE_PR
        assert pr is not None
        cfg = _env_config(pr, sha, image, ttl, requester)
        if dry_run:
            if find_engine() is None:
                _offline(cfg, as_json, "pulumi CLI not on PATH: offline render, nothing deployed")
                return
            with _engine_display(quiet=as_json) as sink:
                driver = _open(project_dir, sink)
                found = driver.preview(cfg, on_output=sink)
            _notes(driver)
            if not found:
                _offline(cfg, as_json, f"stack {cfg.stack} does not exist yet: offline render")
            elif as_json:
                from showtime_iac.cli.output import emit_json

                emit_json({"stack": cfg.stack, "mode": "preview", "ok": True})
            return
        if find_engine() is None:
            raise EngineMissingError
        with _engine_display(quiet=as_json) as sink:
            driver = _open(project_dir, sink, unlock)
            outputs = driver.up(cfg)
            replaced = _retire_old_baselines(driver, cfg) if ref is not None else []
        _notes(driver)
        for name in replaced:
            sys.stderr.write(f"showtime-iac: destroyed the previous baseline {name}\n")
        overhead = driver.stats.overhead_s
        if as_json:
            from showtime_iac.cli.output import emit_json

            emit_json(
                {
                    "stack": cfg.stack,
                    "outputs": outputs,
                    "notes": driver.notes,
                    "overhead_seconds": round(overhead, 3),
                }
            )
            return
        sys.stdout.write(f"stack {cfg.stack} is up\n")
        for k in sorted(outputs):
            sys.stdout.write(f"  {k}: {outputs[k]}\n")

    @app.command()
    def destroy(
        pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
        sha: Annotated[
            str | None, typer.Option("--sha", help="Only this SHA's stack; default: all of the PR.")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="List what would be destroyed; change nothing.")
        ] = False,
        unlock: Annotated[
            bool,
            typer.Option("--unlock", help="Cancel a lock left by a killed run after the retries."),
        ] = False,
        project_dir: _ProjectDir = None,
        as_json: _Json = False,
    ) -> None:
        """Destroy a PR's stacks (resources first, then the stack; never forced).

        Refuses a stack whose showtime:pr/showtime:sha tags name another PR or SHA.

        Example:  showtime-iac destroy 1234 --sha abc1234
        """
        from showtime_iac.adapters.stacks import EngineMissingError, find_engine
        from showtime_iac.cli.output import emit_json

        sha7 = short_sha(sha) if sha else None
        if find_engine() is None:
            if dry_run and sha7:
                name = f"pr-{pr}-{sha7}"
                if as_json:
                    emit_json({"pr": pr, "dry_run": True, "stacks": [name], "checked": False})
                else:
                    sys.stdout.write(f"would destroy stack {name} (not checked: no pulumi CLI)\n")
                return
            raise EngineMissingError
        with _engine_display(quiet=as_json) as sink:
            driver = _open(project_dir, sink, unlock)
            targets = [s.name for s in _pr_stacks(driver, pr) if sha7 is None or s.sha7 == sha7]
            if sha7 is not None and not targets:
                targets = [f"pr-{pr}-{sha7}"]  # destroy() reports a missing stack itself
            if not dry_run:
                for name in targets:
                    driver.destroy(pr, name.rsplit("-", 1)[1])
        _notes(driver)
        if as_json:
            emit_json({"pr": pr, "dry_run": dry_run, "stacks": targets})
            return
        verb = "would destroy" if dry_run else "destroyed"
        if not targets:
            sys.stdout.write(f"PR #{pr} has no stacks\n")
        for name in targets:
            sys.stdout.write(f"{verb} stack {name}\n")

    @app.command("list")
    def list_(
        status: Annotated[
            str | None,
            typer.Option(
                "--status",
                help="Only stacks whose 🚦 label says this (running, building, failed, ...);"
                " reads the PRs' labels from GitHub (GITHUB_TOKEN).",
            ),
        ] = None,
        project_dir: _ProjectDir = None,
        policy: _PolicyFile = None,
        as_json: _Json = False,
    ) -> None:
        """List this project's PR stacks: PR, SHA, requester, age, TTL left, size and hourly
        cost, with the total.

        One backend listing (`pulumi stack ls --json`) plus the stacks' tags; no AWS call.
        With --status, one listing of the open PRs on GitHub too (the 🚦 labels hold the
        status; a stack has none). Size comes from the local stacks/Pulumi.<stack>.yaml that
        `up` writes, else the policy's default size (marked as assumed). Prices:
        SHOWTIME_PRICE_VCPU_HOUR, SHOWTIME_PRICE_GB_HOUR, SHOWTIME_PRICE_IPV4_HOUR (USD,
        Fargate on-demand defaults).

        Example:  showtime-iac list --status running --json
        """
        from showtime_iac.adapters.aws import total_hourly_cost
        from showtime_iac.app.inputs import load_policy
        from showtime_iac.cli.output import emit_json

        wanted = _parse_status(status)
        pol = load_policy(policy)
        if wanted is not None:
            from showtime_iac.adapters.github import GitHubClient
            from showtime_iac.settings import Settings

            prs = GitHubClient.from_settings(Settings.from_env()).list_showtime_prs()
        driver = _open(project_dir)
        infos = driver.list()
        if wanted is not None:
            infos = with_status(infos, prs, wanted)
        sized, prices = _sized(infos, project_dir, pol)
        total = total_hourly_cost([s.size for s in sized], prices)
        now = datetime.now(UTC)
        if as_json:
            emit_json(
                {
                    "stacks": [s.to_json(now) for s in sized],
                    "total_hourly_cost": total,
                    "currency": prices.currency,
                }
            )
            return
        from showtime_iac.cli.output import is_tty

        if is_tty() and sized:
            _rich_table(sized, now, total, pol.default_size)
        else:
            sys.stdout.write(_table(sized, now, total, pol.default_size))

    @app.command()
    def status(
        pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
        no_live: Annotated[
            bool, typer.Option("--no-live", help="Skip AWS: the stack data only.")
        ] = False,
        project_dir: _ProjectDir = None,
        policy: _PolicyFile = None,
        as_json: _Json = False,
    ) -> None:
        """Show a PR's stacks: SHA, requester, age, TTL left, size, hourly cost, outputs, and,
        live from AWS, the task's address, its status (a stopped task's reason) and health.

        Health is one quick look at http://IP:8080/health (3 s), not a wait. Without AWS
        credentials, or when AWS does not answer, the stack data is shown with the reason
        live data is unavailable (exit 0).

        Example:  showtime-iac status 1234 --json
        """
        from showtime_iac.adapters.aws import total_hourly_cost
        from showtime_iac.app.inputs import load_policy
        from showtime_iac.cli.output import emit_json

        pol = load_policy(policy)
        driver = _open(project_dir)
        now = datetime.now(UTC)
        infos = _pr_stacks(driver, pr)
        sized, prices = _sized(infos, project_dir, pol)
        outputs = [driver.outputs(i.pr, i.sha7) for i in infos]
        views: list[LiveView | None] = [None] * len(infos)
        reason: str | None = "skipped (--no-live)" if no_live else None
        if infos and not no_live:
            views, reason = _live_views(list(zip(infos, outputs, strict=True)), pol)
        total = total_hourly_cost([s.size for s in sized], prices)
        if as_json:
            stacks = []
            for s, out, view in zip(sized, outputs, views, strict=True):
                data = s.to_json(now)
                data["outputs"] = out
                data["live"] = view.to_json() if view is not None else None
                stacks.append(data)
            emit_json(
                {
                    "pr": pr,
                    "live": {"available": reason is None, "reason": reason},
                    "stacks": stacks,
                    "total_hourly_cost": total,
                    "currency": prices.currency,
                }
            )
            return
        if not infos:
            sys.stdout.write(f"PR #{pr} has no stacks\n")
            return
        sys.stdout.write(_status_text(pr, sized, outputs, views, reason, total, now))

    @app.command()
    def drift(
        pr: Annotated[
            int | None, typer.Argument(help="Pull request number; default: every stack.", min=1)
        ] = None,
        project_dir: _ProjectDir = None,
        as_json: _Json = False,
    ) -> None:
        """Detect drift: resources changed outside Pulumi, or a program/config that differs.

        One line per drifted resource; exit code 3 when any drift is found. Writes nothing.

        Example:  showtime-iac drift 1234
        """
        from showtime_iac.cli.output import emit_json

        with _engine_display(quiet=True):
            driver = _open(project_dir)
            infos = [s for s in driver.list() if pr is None or s.pr == pr]
            reports = [driver.drift(s.pr, s.sha7) for s in infos]
        _notes(driver)
        found = any(r.drifted for r in reports)
        if as_json:
            emit_json({"drifted": found, "stacks": [r.to_json() for r in reports]})
        else:
            for r in reports:
                lines = r.lines()
                for line in lines:
                    sys.stdout.write(line + "\n")
                if not lines:
                    sys.stdout.write(f"{r.stack}: no drift\n")
            if not reports:
                sys.stdout.write("no stacks to check\n")
        if found:
            n = sum(r.drifted for r in reports)
            raise DriftFound(f"drift found in {n} stack(s): see the lines above")

    @app.command()
    def doctor(
        no_aws: Annotated[
            bool, typer.Option("--no-aws", help="Skip the AWS credentials check (no network).")
        ] = False,
        as_json: _Json = False,
    ) -> None:
        """Check what deploying needs: pulumi CLI and version, backend, passphrase, AWS
        credentials, GitHub token. Each failed check comes with its fix; exit 1 if any fails.

        Example:  showtime-iac doctor --json
        """
        from showtime_iac.cli.output import emit_json

        checks = doctor_checks(os.environ, aws=not no_aws)
        ok = all(c.ok for c in checks)
        if as_json:
            emit_json({"ok": ok, "checks": [c.to_json() for c in checks]})
        else:
            for c in checks:
                mark = "ok  " if c.ok else "FAIL"
                sys.stdout.write(f"{mark} {c.name:<10} {c.detail}\n")
                if c.fix:
                    sys.stdout.write(f"     {'':<10} fix: {c.fix}\n")
        if not ok:
            failed = ", ".join(c.name for c in checks if not c.ok)
            raise ShowtimeError(f"doctor: {failed} not ready (each fix is printed above)")


def _parse_status(text: str | None) -> Status | None:
    if text is None:
        return None
    try:
        return Status(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InputError(f"--status {text[:40]!r} is not a status: one of {known}") from None


def with_status(infos: list[StackInfo], prs: Iterable[PrInfo], status: Status) -> list[StackInfo]:
    """The stacks whose SHA's 🚦 label (on its open PR) says ``status``."""
    said = {
        (pr.number, sha): show.status
        for pr in prs
        for sha, show in parse_state(pr.labels).shows.items()
    }
    return [i for i in infos if said.get((i.pr, i.sha7)) == status]


_HEADER = ("STACK", "PR", "SHA", "REQUESTER", "AGE", "TTL LEFT", "SIZE", "$/HOUR", "RESOURCES")


def _rows(sized: list[SizedStack], now: datetime) -> list[tuple[str, ...]]:
    return [
        (
            i.name,
            str(i.pr),
            i.sha7,
            i.requester or "-",
            format_duration(i.age(now)),
            _ttl_left(i, now),
            s.size + ("*" if s.assumed else ""),
            format_cost(s.hourly_cost),
            "-" if i.resource_count is None else str(i.resource_count),
        )
        for s in sized
        for i in [s.info]
    ]


def _footer(n: int, total: float) -> tuple[str, ...]:
    return (f"TOTAL ({n} stack{'s' if n != 1 else ''})", *[""] * 6, format_cost(total), "")


def _assumed_note(sized: list[SizedStack], default_size: str) -> str | None:
    if not any(s.assumed for s in sized):
        return None
    return (
        f"* size assumed: no local stacks/Pulumi.<stack>.yaml, so the policy default "
        f"({default_size})"
    )


def _rich_table(sized: list[SizedStack], now: datetime, total: float, default_size: str) -> None:
    """The same rows as :func:`_table`, as a rich table (on a terminal)."""
    from rich.table import Table

    from showtime_iac.cli.output import console

    table = Table(show_footer=True, footer_style="bold")
    footer = _footer(len(sized), total)
    for col, foot in zip(_HEADER, footer, strict=True):
        right = col in ("PR", "$/HOUR", "RESOURCES")
        table.add_column(col, footer=foot, justify="right" if right else "left", no_wrap=True)
    for row in _rows(sized, now):
        table.add_row(*row)
    console().print(table)
    if note := _assumed_note(sized, default_size):
        console().print(note)


def _table(sized: list[SizedStack], now: datetime, total: float, default_size: str) -> str:
    """Plain aligned columns (pipes, logs): the rows of ``list``, then the total."""
    if not sized:
        return "no PR stacks\n"
    rows = _rows(sized, now)
    header, footer = _HEADER, _footer(len(rows), total)
    table = [header, *rows, footer]
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    lines = ["  ".join(v.ljust(widths[c]) for c, v in enumerate(r)).rstrip() for r in table]
    if note := _assumed_note(sized, default_size):
        lines.append(note)
    return "\n".join(lines) + "\n"


def _status_text(
    pr: int,
    sized: list[SizedStack],
    outputs: list[dict[str, Any]],
    views: list[LiveView | None],
    reason: str | None,
    total: float,
    now: datetime,
) -> str:
    n = len(sized)
    lines = [f"PR #{pr}: {n} stack{'s' if n != 1 else ''}, {format_cost(total)}/hour in all"]
    if reason is not None:
        lines.append(f"live data from AWS unavailable: {reason}")
    for s, out, view in zip(sized, outputs, views, strict=True):
        i = s.info
        ttl = f" (ttl {i.ttl})" if i.ttl is not None else ""
        size = s.size + (" (assumed: no local stack config)" if s.assumed else "")
        rows = [
            ("sha", i.sha7),
            ("requester", i.requester or "-"),
            ("age", format_duration(i.age(now))),
            ("ttl left", _ttl_left(i, now) + ttl),
            ("size", size),
            ("cost", f"{format_cost(s.hourly_cost)}/hour"),
            ("resources", "-" if i.resource_count is None else str(i.resource_count)),
        ]
        if view is not None:
            rows.append(("address", view.address or "-"))
            rows.append(("task", view.last_status or "-"))
            if view.stopped_reason:
                rows.append(("stopped", view.stopped_reason))
            if view.health is not None:
                rows.append(("health", view.health))
            if view.error and not view.stopped_reason:
                rows.append(("live", view.error))
        lines.append(i.name)
        lines.extend(f"  {k + ':':<11}{v}" for k, v in rows)
        if out:
            lines.append("  outputs:")
            lines.extend(f"    {k}: {out[k]}" for k in sorted(out))
    return "\n".join(lines) + "\n"
