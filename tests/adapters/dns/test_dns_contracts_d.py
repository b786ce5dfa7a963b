"""The DNS adapter's answers (issue 29): ``$SHOWTIME_DNS_SERVER`` as ``host`` or ``host:port``,
the system's resolver without it, and every failure an :class:`Answer` with the error the
doctor prints, never an exception."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from showtime_iac.adapters.dns import resolve
from tests.dns_server import dns_server

ALB = "showtime-iac-0123456789.us-west-2.elb.amazonaws.com"


@contextmanager
def silent_server() -> Iterator[str]:
    """A UDP port on localhost that takes queries and never answers them."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def test_a_cname_to_a_name_without_an_address_record_says_so() -> None:
    records = {"pr-1.preview.example.org": ("CNAME", "elsewhere.example.net")}
    with dns_server(records) as server:
        answer = resolve("pr-1.preview.example.org", {"SHOWTIME_DNS_SERVER": server})
    assert answer.error == "no address record" and not answer.addresses


def test_the_canonical_name_has_no_trailing_dot_and_the_addresses_are_all_given() -> None:
    records = {"x.preview.example.org": ("CNAME", ALB), ALB: ("A", ["192.0.2.10"])}
    with dns_server(records) as server:
        answer = resolve("x.preview.example.org.", {"SHOWTIME_DNS_SERVER": server})
    assert (answer.canonical, set(answer.addresses), answer.error) == (
        ALB,
        {"192.0.2.10"},
        None,
    )


def test_a_server_that_never_answers_is_a_timeout_of_5_s_by_default() -> None:
    with silent_server() as server:
        answer = resolve("pr-1.preview.example.org", {"SHOWTIME_DNS_SERVER": server})
    assert answer.error == "no answer within 5 s" and not answer.addresses


def test_a_name_dns_cannot_carry_is_an_error_naming_the_exception() -> None:
    with dns_server({}) as server:
        answer = resolve("a" * 64 + ".example.org", {"SHOWTIME_DNS_SERVER": server})
    assert answer.error == "LabelTooLong: A DNS label is > 63 octets long."


def test_a_long_error_is_cut_at_120_characters_of_its_text() -> None:
    """A CNAME loop: the server's chain never ends, dnspython gives up with a long message."""
    records = {
        "a.example.org": ("CNAME", "b.example.org"),
        "b.example.org": ("CNAME", "a.example.org"),
    }
    with dns_server(records) as server:
        answer = resolve("a.example.org", {"SHOWTIME_DNS_SERVER": server})
    port = server.rpartition(":")[2]
    text = (
        "All nameservers failed to answer the query a.example.org. IN A: "
        f"Server Do53:127.0.0.1@{port} answered The CNAME chain is too long."
    )
    assert len(text) > 120
    assert answer.error == "NoNameservers: " + text[:120]


def test_the_canonical_name_is_spelled_as_dns_gives_it_only_the_final_dot_removed() -> None:
    records = {
        "l.example.org": ("CNAME", "Preview-LB.Example.TAX"),
        "preview-lb.example.tax": ("A", ["192.0.2.1"]),
    }
    with dns_server(records) as server:
        answer = resolve("l.example.org", {"SHOWTIME_DNS_SERVER": server})
    assert (answer.canonical, set(answer.addresses)) == ("Preview-LB.Example.TAX", {"192.0.2.1"})


def test_a_server_given_without_a_port_is_asked_on_its_own_port_not_refused() -> None:
    """``host`` alone is a server (port 53); whatever it says, the answer is an Answer."""
    answer = resolve("showtime-probe.invalid", {"SHOWTIME_DNS_SERVER": "127.0.0.1"}, timeout=1.0)
    assert answer.error and not answer.addresses


def test_without_a_server_the_system_resolver_is_asked() -> None:
    """No ``$SHOWTIME_DNS_SERVER`` (or a blank one): the system's resolver; a ``.invalid``
    name (RFC 6761) never resolves, so the answer is an error, not an exception."""
    for env in ({}, {"SHOWTIME_DNS_SERVER": "  "}):
        answer = resolve("showtime-probe.invalid", env, timeout=1.0)
        assert answer.error and not answer.addresses


def test_a_named_server_needs_no_system_resolver_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A runner or container without ``/etc/resolv.conf``: with ``$SHOWTIME_DNS_SERVER`` set,
    the system's configuration is never read, so the check still answers."""
    import dns.resolver

    def no_configuration(self: dns.resolver.Resolver, f: object) -> None:
        raise dns.resolver.NoResolverConfiguration("no /etc/resolv.conf")

    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", no_configuration)
    with dns_server({"pr-1.example.org": ("A", ["192.0.2.7"])}) as server:
        answer = resolve("pr-1.example.org", {"SHOWTIME_DNS_SERVER": server})
    assert (answer.addresses, answer.error) == (frozenset({"192.0.2.7"}), None)
