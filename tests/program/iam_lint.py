"""The IAM policy linter (parliament, from PyPI) over every policy the program renders and the
repository ships, and the committed list of the findings we accept (``docs/iam/lint-ignores.yaml``,
one reason each). Used by ``tests/program/test_iam_lint.py``.

parliament reads every document as an identity policy. A role's trust policy has no
``Resource`` (IAM refuses one there): it is linted with ``Resource`` set to the role itself,
which is what the trust policy governs, so that its actions, principals and conditions are
checked instead of the whole document being reported as malformed.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from showtime_iac.program import MOCK_ACCOUNT, RenderedResource

ROOT = Path(__file__).resolve().parents[2]
IAM_DIR = ROOT / "docs" / "iam"
IGNORES_FILE = IAM_DIR / "lint-ignores.yaml"

#: (resource type, input holding a policy document, a trust policy?)
POLICY_INPUTS = (
    ("aws:iam/role:Role", "assumeRolePolicy", True),
    ("aws:iam/rolePolicy:RolePolicy", "policy", False),
    ("aws:iam/policy:Policy", "policy", False),
)


@dataclass(frozen=True)
class PolicyDoc:
    """One policy document: where it comes from, its JSON, and for a trust policy its role."""

    name: str
    text: str
    trust_of: str | None = None


@dataclass(frozen=True)
class LintFinding:
    policy: str
    issue: str
    severity: str
    detail: str

    def __str__(self) -> str:
        return f"{self.policy}: {self.issue} ({self.severity}) {self.detail}"


@dataclass(frozen=True)
class Ignore:
    issue: str
    policy: str  # a glob over PolicyDoc.name
    detail: str  # a substring of the finding's detail ("" for any)
    reason: str

    def matches(self, f: LintFinding) -> bool:
        return (
            f.issue == self.issue and fnmatchcase(f.policy, self.policy) and self.detail in f.detail
        )


def load_ignores(path: Path = IGNORES_FILE) -> list[Ignore]:
    """The committed ignore list; an entry without a reason (or with an unknown key) is refused."""
    import yaml  # type: ignore[import-untyped]  # a dependency of pulumi

    entries = yaml.safe_load(path.read_text()) or []
    out = []
    for i, e in enumerate(entries):
        if set(e) - {"issue", "policy", "detail", "reason"}:
            raise ValueError(f"{path.name} entry {i}: unknown keys {sorted(e)}")
        if not str(e.get("reason", "")).strip() or not e.get("issue") or not e.get("policy"):
            raise ValueError(f"{path.name} entry {i}: issue, policy and a reason are required")
        out.append(Ignore(e["issue"], e["policy"], str(e.get("detail", "")), e["reason"]))
    return out


@functools.cache
def _parliament() -> Any:
    import parliament

    # what `parliament --include-community-auditors` loads: their findings' severities
    parliament.override_config(
        os.path.join(
            os.path.dirname(parliament.__file__), "community_auditors", "config_override.yaml"
        )
    )
    return parliament


def _as_identity_policy(doc: PolicyDoc) -> str:
    if doc.trust_of is None:
        return doc.text
    policy = copy.deepcopy(json.loads(doc.text))
    statements = policy["Statement"]
    for s in statements if isinstance(statements, list) else [statements]:
        s.setdefault("Resource", doc.trust_of)
    return json.dumps(policy, indent=2)


def lint(doc: PolicyDoc) -> list[LintFinding]:
    """parliament's findings on one document, community auditors included."""
    p = _parliament()
    policy = p.analyze_policy_string(_as_identity_policy(doc), include_community_auditors=True)
    out = []
    for raw in policy.findings:
        f = p.enhance_finding(raw)
        detail = f.detail if isinstance(f.detail, str) else json.dumps(f.detail, sort_keys=True)
        actions = f.location.get("actions") if isinstance(f.location, dict) else None
        if not detail and actions:  # the community auditors name the actions there
            detail = json.dumps(sorted(actions))
        out.append(LintFinding(doc.name, f.issue, str(f.severity), detail))
    return out


def rendered_policies(case: str, resources: Iterable[RenderedResource]) -> list[PolicyDoc]:
    """Every policy document among rendered resources, named ``<case>: <Type> <name>.<input>``."""
    out = []
    for r in resources:
        for typ, field, trust in POLICY_INPUTS:
            if r.type != typ or not isinstance(r.inputs.get(field), str):
                continue
            role = f"arn:aws:iam::{MOCK_ACCOUNT}:role/{r.inputs.get('name') or r.name}"
            name = f"{case}: {typ.rsplit(':', 1)[-1]} {r.name}.{field}"
            out.append(PolicyDoc(name, r.inputs[field], role if trust else None))
    return out


def shipped_policies() -> list[PolicyDoc]:
    """The policies in the repository (``docs/iam/*.json``), named by their path."""
    return [
        PolicyDoc(str(p.relative_to(ROOT)), p.read_text()) for p in sorted(IAM_DIR.glob("*.json"))
    ]


def unignored(
    findings: Sequence[LintFinding], ignores: Sequence[Ignore]
) -> tuple[list[LintFinding], set[Ignore]]:
    """(the findings no ignore accepts, the ignores that accepted one)."""
    left, used = [], set()
    for f in findings:
        hit = [i for i in ignores if i.matches(f)]
        used.update(hit)
        if not hit:
            left.append(f)
    return left, used
