"""The DNS record HTTPS mode needs, and whether DNS answers it. Pure.

With a Route 53 zone (``showtime-iac:hostedZoneId``) the shared stack writes ``*.<domain>`` as
an alias of the load balancer itself. With only a certificate it writes no record: someone must
create ``*.<domain> CNAME <the load balancer's DNS name>`` where the domain's DNS lives, and
until then every ``https://pr-N.<domain>`` fails to resolve while the status comment links it.
``doctor`` prints the record and asks DNS whether a host under the wildcard reaches the load
balancer (:func:`judge_dns`).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

__all__ = ["PROBE_LABEL", "Answer", "DnsVerdict", "judge_dns", "probe_host", "wildcard_record"]

#: the host asked for: any name under the wildcard (no environment uses it)
PROBE_LABEL = "showtime-doctor-probe"


def probe_host(domain: str) -> str:
    return f"{PROBE_LABEL}.{domain}"


def wildcard_record(domain: str, alb_dns: str) -> str:
    """The record to create, in zone-file form."""
    return f"*.{domain}. CNAME {alb_dns.rstrip('.')}."


@dataclass(frozen=True)
class Answer:
    """What DNS said for one name: the last name of its CNAME chain and its addresses, or
    the error (NXDOMAIN, no answer, a timeout)."""

    canonical: str = ""
    addresses: Set[str] = frozenset()
    error: str | None = None


@dataclass(frozen=True)
class DnsVerdict:
    ok: bool
    detail: str
    fix: str | None = None


def _same(a: str, b: str) -> bool:
    return a.rstrip(".").lower() == b.rstrip(".").lower()


def judge_dns(
    domain: str, alb_dns: str, zone: str | None, probe: Answer, alb: Answer
) -> DnsVerdict:
    """Does ``*.<domain>`` reach the load balancer ``alb_dns``? It does when the probe host's
    CNAME chain ends at the load balancer's name, or when both resolve to a shared address
    (an alias record has no CNAME to follow)."""
    record = wildcard_record(domain, alb_dns)
    host = probe_host(domain)
    where = (
        f"the shared stack's alias record in Route 53 zone {zone}"
        if zone
        else "no Route 53 zone configured, so the shared stack writes no record"
    )
    fix = (
        f"create `{record}` where {domain}'s DNS is served"
        if not zone
        else f"check that zone {zone} serves {domain} (its NS records at the registrar)"
    )
    if probe.error is not None:
        return DnsVerdict(False, f"{host} does not resolve ({probe.error}); {where}", fix)
    if _same(probe.canonical, alb_dns):
        return DnsVerdict(True, f"*.{domain} → {alb_dns} (CNAME)")
    if alb.error is None and set(probe.addresses) & set(alb.addresses):
        return DnsVerdict(True, f"*.{domain} → the addresses of {alb_dns}")
    shown = ", ".join(sorted(probe.addresses)[:4]) or "no address"
    return DnsVerdict(
        False,
        f"{host} resolves to {shown}, not to the load balancer {alb_dns}; {where}",
        fix,
    )
