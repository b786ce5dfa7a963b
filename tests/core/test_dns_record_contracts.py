"""``doctor``'s DNS verdict (core/dns_record.py): the record HTTPS mode needs, which host is
asked, and every wording the operator reads, written out."""

from __future__ import annotations

from showtime_iac.core.dns_record import (
    PROBE_LABEL,
    Answer,
    DnsVerdict,
    judge_dns,
    probe_host,
    wildcard_record,
)

ALB = "showtime-alb-123.us-west-2.elb.amazonaws.com"
DOMAIN = "preview.example.org"
HOST = "showtime-doctor-probe.preview.example.org"
NO_ZONE = "no Route 53 zone configured, so the shared stack writes no record"
CNAME_FIX = (
    "create `*.preview.example.org. CNAME showtime-alb-123.us-west-2.elb.amazonaws.com.` "
    "where preview.example.org's DNS is served"
)
ZONE_FIX = "check that zone Z123 serves preview.example.org (its NS records at the registrar)"
IN_ZONE = "the shared stack's alias record in Route 53 zone Z123"


def test_the_record_and_the_probe_host() -> None:
    assert PROBE_LABEL == "showtime-doctor-probe"
    assert probe_host(DOMAIN) == HOST
    assert wildcard_record(DOMAIN, ALB) == f"*.{DOMAIN}. CNAME {ALB}."
    # a name given fully qualified gets one trailing dot, not two
    assert wildcard_record(DOMAIN, ALB + ".") == f"*.{DOMAIN}. CNAME {ALB}."


def test_a_cname_chain_ending_at_the_load_balancer_is_ok_in_any_case_and_with_a_dot() -> None:
    for canonical in (ALB, ALB.upper(), ALB + ".", ALB.upper() + "."):
        verdict = judge_dns(DOMAIN, ALB, None, Answer(canonical=canonical), Answer())
        assert verdict == DnsVerdict(True, f"*.{DOMAIN} → {ALB} (CNAME)", None)
    # the load balancer's name given with a dot matches a chain without one
    verdict = judge_dns(DOMAIN, ALB + ".", None, Answer(canonical=ALB), Answer())
    assert verdict.ok


def test_an_alias_record_is_ok_when_one_address_is_shared() -> None:
    probe = Answer(canonical=HOST, addresses=frozenset({"10.0.0.1", "10.0.0.9"}))
    alb = Answer(canonical=ALB, addresses=frozenset({"10.0.0.9", "10.0.0.7"}))
    verdict = judge_dns(DOMAIN, ALB, "Z123", probe, alb)
    assert verdict == DnsVerdict(True, f"*.{DOMAIN} → the addresses of {ALB}", None)


def test_shared_addresses_do_not_count_when_the_load_balancer_did_not_resolve() -> None:
    probe = Answer(canonical=HOST, addresses=frozenset({"10.0.0.9"}))
    alb = Answer(addresses=frozenset({"10.0.0.9"}), error="timeout")
    verdict = judge_dns(DOMAIN, ALB, None, probe, alb)
    assert verdict == DnsVerdict(
        False,
        f"{HOST} resolves to 10.0.0.9, not to the load balancer {ALB}; {NO_ZONE}",
        CNAME_FIX,
    )


def test_a_probe_that_does_not_resolve_says_why_and_the_fix_without_a_zone() -> None:
    verdict = judge_dns(DOMAIN, ALB, None, Answer(error="NXDOMAIN"), Answer())
    assert verdict == DnsVerdict(False, f"{HOST} does not resolve (NXDOMAIN); {NO_ZONE}", CNAME_FIX)


def test_a_probe_that_does_not_resolve_with_a_zone_points_at_the_zone() -> None:
    verdict = judge_dns(DOMAIN, ALB, "Z123", Answer(error="no answer"), Answer())
    assert verdict == DnsVerdict(False, f"{HOST} does not resolve (no answer); {IN_ZONE}", ZONE_FIX)


def test_an_error_wins_over_a_matching_chain() -> None:
    verdict = judge_dns(DOMAIN, ALB, None, Answer(canonical=ALB, error="timeout"), Answer())
    assert not verdict.ok
    assert verdict.detail == f"{HOST} does not resolve (timeout); {NO_ZONE}"


def test_a_wrong_target_lists_at_most_four_addresses_sorted() -> None:
    addresses = frozenset({"10.0.0.5", "10.0.0.1", "10.0.0.4", "10.0.0.3", "10.0.0.2"})
    probe = Answer(canonical="elsewhere.example.net", addresses=addresses)
    alb = Answer(canonical=ALB, addresses=frozenset({"192.0.2.1"}))
    verdict = judge_dns(DOMAIN, ALB, "Z123", probe, alb)
    assert verdict == DnsVerdict(
        False,
        f"{HOST} resolves to 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, not to the load "
        f"balancer {ALB}; {IN_ZONE}",
        ZONE_FIX,
    )


def test_a_wrong_target_with_no_address_says_so() -> None:
    verdict = judge_dns(DOMAIN, ALB, None, Answer(canonical="elsewhere.example.net"), Answer())
    assert verdict == DnsVerdict(
        False,
        f"{HOST} resolves to no address, not to the load balancer {ALB}; {NO_ZONE}",
        CNAME_FIX,
    )


def test_an_empty_answer_has_no_name_no_address_and_no_error() -> None:
    assert Answer() == Answer("", frozenset(), None)
    assert DnsVerdict(True, "x").fix is None


def test_names_compare_without_case_and_trailing_dot_whatever_their_last_letter() -> None:
    """DNS answers may come in upper case; a name may end in any letter (``.MX``)."""
    for canonical, alb in (
        ("LB.EXAMPLE.MX.", "lb.example.mx"),
        ("lb.example.mx", "LB.EXAMPLE.MX."),
    ):
        verdict = judge_dns(DOMAIN, alb, None, Answer(canonical=canonical), Answer())
        assert verdict == DnsVerdict(True, f"*.{DOMAIN} → {alb} (CNAME)", None)
