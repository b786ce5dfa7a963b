"""``doctor``'s DNS check of HTTPS mode (issue 27): with a certificate but no Route 53 zone the
shared stack writes no ``*.<domain>`` record, and every PR link fails to resolve. The check
asks a real DNS server (tests/dns_server.py, on localhost) through the adapter (dnspython)."""

from __future__ import annotations

from collections.abc import Mapping

from showtime_iac.adapters.dns import resolve
from showtime_iac.app.doctor import dns_check
from tests.dns_server import Records, dns_server

DOMAIN = "preview.example.org"
ALB = "showtime-iac-0123456789.us-west-2.elb.amazonaws.com"
ALB_A = ("A", ["192.0.2.10", "192.0.2.11"])


def shared(zone: str | None = None) -> object:
    def read(_env: Mapping[str, str]) -> tuple[str, str | None]:
        return ALB, zone

    return read


def check(records: Records, zone: str | None = None) -> tuple[bool, str, str | None]:
    with dns_server(records) as server:
        c = dns_check(DOMAIN, {"SHOWTIME_DNS_SERVER": server}, shared(zone))  # type: ignore[arg-type]
    return c.ok, c.detail, c.fix


def test_the_adapter_follows_the_wildcard_cname_to_the_addresses() -> None:
    records = {f"*.{DOMAIN}": ("CNAME", ALB), ALB: ALB_A}
    with dns_server(records) as server:
        answer = resolve(f"pr-1234.{DOMAIN}", {"SHOWTIME_DNS_SERVER": server})
        missing = resolve("nothing.example.net", {"SHOWTIME_DNS_SERVER": server})
    assert answer.canonical == ALB and set(answer.addresses) == {"192.0.2.10", "192.0.2.11"}
    assert answer.error is None
    assert missing.error == "no such name" and not missing.addresses


def test_a_wildcard_cname_to_the_load_balancer_passes() -> None:
    ok, detail, fix = check({f"*.{DOMAIN}": ("CNAME", ALB), ALB: ALB_A})
    assert (ok, detail, fix) == (True, f"*.{DOMAIN} → {ALB} (CNAME)", None)


def test_an_alias_record_passes_by_its_addresses() -> None:
    """Route 53's alias answers with the load balancer's addresses directly: no CNAME."""
    ok, detail, _ = check({f"*.{DOMAIN}": ("A", ["192.0.2.11"]), ALB: ALB_A}, zone="Z0123ABC")
    assert ok and detail == f"*.{DOMAIN} → the addresses of {ALB}"


def test_no_record_and_no_zone_prints_the_record_to_create() -> None:
    ok, detail, fix = check({ALB: ALB_A})
    assert not ok
    assert detail == (
        f"showtime-doctor-probe.{DOMAIN} does not resolve (no such name); no Route 53 zone "
        f"configured, so the shared stack writes no record; needs *.{DOMAIN}. CNAME {ALB}."
    )
    assert fix == f"create `*.{DOMAIN}. CNAME {ALB}.` where {DOMAIN}'s DNS is served"


def test_a_record_pointing_elsewhere_fails() -> None:
    ok, detail, _ = check({f"*.{DOMAIN}": ("A", ["198.51.100.7"]), ALB: ALB_A})
    assert not ok and "resolves to 198.51.100.7, not to the load balancer" in detail


def test_a_zone_that_does_not_answer_says_where_to_look() -> None:
    ok, _detail, fix = check({ALB: ALB_A}, zone="Z0123ABC")
    assert (
        not ok
        and fix == f"check that zone Z0123ABC serves {DOMAIN} (its NS records at the registrar)"
    )
