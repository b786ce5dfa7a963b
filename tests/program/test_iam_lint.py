"""Every IAM policy the program renders and the repository ships passes the IAM policy linter
(parliament) with no finding beyond the committed ignore list (docs/iam/lint-ignores.yaml), and
the linter does find what it should: mutated policies fail."""

from __future__ import annotations

import dataclasses
import json
import re
from functools import cache
from pathlib import Path

import pytest

from showtime_iac.core.stack_config import SharedConfig, SharedStackRef
from showtime_iac.program import evaluate_offline, render_offline, render_shared_offline

from .helpers import DOMAIN, cfg_of
from .iam_lint import (
    ROOT,
    Ignore,
    LintFinding,
    PolicyDoc,
    lint,
    load_ignores,
    rendered_policies,
    shipped_policies,
    unignored,
)

BOUNDARY = "arn:aws:iam::123456789012:policy/org/showtime-boundary"
NET = {"subnet_ids": ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")}
CREATE_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,  # the legacy role: rendered, so linted too
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    **NET,  # type: ignore[arg-type]
)
HTTPS_ALL = dataclasses.replace(
    CREATE_ALL, domain=DOMAIN, hosted_zone_id="Z0123456789ABCDEFGHIJ", alb_deletion_protection=True
)
PREBUILT = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-1234-abc1234"


@cache
def rendered() -> tuple[PolicyDoc, ...]:
    """The policies of every kind of render: environments in both modes, with a configured
    boundary and a prebuilt image; the shared stack creating everything, in both modes, and
    with an existing boundary."""
    envs = {
        "env": render_offline(cfg_of()),
        "env-prebuilt": render_offline(cfg_of(image=PREBUILT)),
        "env-https": evaluate_offline(cfg_of(), SharedStackRef("shared", DOMAIN)).resources,
        "env-given-boundary": render_offline(
            cfg_of(),
            dataclasses.replace(SharedConfig.offline_default(), permissions_boundary_arn=BOUNDARY),
        ),
    }
    shared = {
        "shared": CREATE_ALL,
        "shared-https": HTTPS_ALL,
        "shared-given-boundary": dataclasses.replace(CREATE_ALL, permissions_boundary_arn=BOUNDARY),
    }
    out = [d for case, res in envs.items() for d in rendered_policies(case, res)]
    for case, cfg in shared.items():
        out += rendered_policies(case, render_shared_offline(cfg).resources)
    return tuple(out)


def docs_trust_policies() -> list[PolicyDoc]:
    """The OIDC trust policies docs/github-actions.md ships (one statement each)."""
    text = (ROOT / "docs" / "github-actions.md").read_text()
    found = re.findall(r"<!-- trust policy: (\S+) -->\s*```json\n(.*?)```", text, re.S)
    assert [role for role, _ in found] == ["deploy", "push"]
    return [
        PolicyDoc(
            f"docs/github-actions.md: trust policy {role}",
            json.dumps({"Version": "2012-10-17", "Statement": [json.loads(body)]}),
            f"arn:aws:iam::123456789012:role/showtime-{role}",
        )
        for role, body in found
    ]


def every_policy() -> list[PolicyDoc]:
    return [*rendered(), *shipped_policies(), *docs_trust_policies()]


def test_the_lint_covers_every_kind_of_policy() -> None:
    names = {d.name for d in every_policy()}
    assert {
        "env: Role execution-role.assumeRolePolicy",
        "env: RolePolicy execution-role-policy.policy",
        "env-https: Role execution-role.assumeRolePolicy",
        "shared: Policy permissions-boundary.policy",
        "shared: Role execution-role.assumeRolePolicy",
        "shared: RolePolicy execution-role-policy.policy",
        "docs/iam/deploy-policy.json",
        "docs/iam/task-boundary-policy.json",
        "docs/iam/push-policy.json",
        "docs/github-actions.md: trust policy deploy",
        "docs/github-actions.md: trust policy push",
    } <= names
    # an existing boundary is not created
    assert not any(n.startswith("shared-given-boundary: Policy") for n in names)


def test_every_policy_passes_the_linter_beyond_its_ignores() -> None:
    findings = [f for d in every_policy() for f in lint(d)]
    left, _ = unignored(findings, load_ignores())
    assert left == [], "\n".join(map(str, left))


def test_every_ignore_accepts_a_finding() -> None:
    """A stale ignore (its finding fixed) must go: it would hide the next one."""
    ignores = load_ignores()
    findings = [f for d in every_policy() for f in lint(d)]
    _, used = unignored(findings, ignores)
    assert [i for i in ignores if i not in used] == []


def test_what_the_program_renders_needs_only_the_credentials_ignores() -> None:
    """A rendered policy's only accepted findings: a trust policy's sts:AssumeRole and the
    ECR registry token of an execution role and its boundary."""
    findings = [f for d in rendered() for f in lint(d)]
    assert {(f.issue, f.detail) for f in findings} == {
        ("CREDENTIALS_EXPOSURE", '["sts:assumerole"]'),
        ("CREDENTIALS_EXPOSURE", '["ecr:getauthorizationtoken"]'),
    }


# --------------------------------------------------------------------------- the linter fails


def _mutated(doc: PolicyDoc, change: str, to: str) -> PolicyDoc:
    assert change in doc.text, change
    return dataclasses.replace(doc, text=doc.text.replace(change, to, 1))


def _by_name(name: str) -> PolicyDoc:
    return next(d for d in every_policy() if d.name == name)


@pytest.mark.parametrize(
    ("name", "change", "to", "issue"),
    [
        (
            "env: RolePolicy execution-role-policy.policy",
            '"logs:PutLogEvents"',
            '"logs:PutLogEvent"',
            "UNKNOWN_ACTION",
        ),
        (
            "env: RolePolicy execution-role-policy.policy",
            '"secretsmanager:GetSecretValue"',
            '"secretsmanager:*"',
            "RESOURCE_MISMATCH",  # e.g. ListSecrets cannot be scoped to one secret
        ),
        (
            "env: Role execution-role.assumeRolePolicy",
            '"aws:SourceAccount"',
            '"aws:SourceAccounts"',
            "UNKNOWN_CONDITION_FOR_ACTION",
        ),
        (
            "shared: Policy permissions-boundary.policy",
            '"logs:CreateLogStream"',
            '"iam:PassRole"',
            "RESOURCE_MISMATCH",
        ),
        (
            "docs/iam/deploy-policy.json",
            '"iam:PassedToService"',
            '"iam:PassedToServices"',
            "UNKNOWN_CONDITION_FOR_ACTION",
        ),
        (
            "docs/iam/deploy-policy.json",
            '"ecs:CreateService"',
            '"ecs:CreateServices"',
            "UNKNOWN_ACTION",
        ),
        (
            "docs/iam/deploy-policy.json",
            '"Resource": "arn:aws:ecs:us-west-2:123456789012:service/*/sti-*"',
            '"Resource": "*"',
            "RESOURCE_STAR",
        ),
    ],
)
def test_a_mutated_policy_fails_the_lint(name: str, change: str, to: str, issue: str) -> None:
    doc = _mutated(_by_name(name), change, to)
    left, _ = unignored(lint(doc), load_ignores())
    assert issue in {f.issue for f in left}, "\n".join(map(str, left))


def test_an_ignore_without_a_reason_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "ignores.yaml"
    bad.write_text("- issue: RESOURCE_STAR\n  policy: x.json\n  reason: ' '\n")
    with pytest.raises(ValueError, match="reason"):
        load_ignores(bad)


def test_an_ignore_matches_its_issue_policy_and_detail_only() -> None:
    ignore = Ignore("RESOURCE_STAR", "docs/iam/*.json", "ecs:ListTasks", "why")
    hit = LintFinding("docs/iam/deploy-policy.json", "RESOURCE_STAR", "LOW", '["ecs:ListTasks"]')
    assert ignore.matches(hit)
    assert not ignore.matches(dataclasses.replace(hit, detail='["ecs:ListServices"]'))
    assert not ignore.matches(dataclasses.replace(hit, issue="RESOURCE_MISMATCH"))
    assert not ignore.matches(dataclasses.replace(hit, policy="env: Role x.assumeRolePolicy"))
