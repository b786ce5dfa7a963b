"""A real DNS server on localhost (UDP, dnspython's wire format) for the DNS adapter's tests:
zone data is a dict of ``name → ("CNAME", target)`` or ``("A", [addresses])``; a name under a
``*.`` entry matches it, as a wildcard record does; anything else is NXDOMAIN."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Records = Mapping[str, tuple[str, object]]


def _lookup(records: Records, name: str) -> tuple[str, object] | None:
    name = name.rstrip(".").lower()
    if name in records:
        return records[name]
    parent = name.split(".", 1)[1] if "." in name else ""
    return records.get(f"*.{parent}")


def _answer(records: Records, query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    name = str(query.question[0].name)
    for _ in range(8):  # follow CNAMEs inside the zone, as an authoritative server does
        found = _lookup(records, name)
        if found is None:
            if not response.answer:
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        kind, value = found
        owner = dns.name.from_text(name)
        if kind == "CNAME":
            target = str(value).rstrip(".") + "."
            response.answer.append(
                dns.rrset.from_text(owner, 60, dns.rdataclass.IN, dns.rdatatype.CNAME, target)
            )
            name = target
            continue
        addresses = [str(a) for a in value]  # type: ignore[attr-defined]
        response.answer.append(
            dns.rrset.from_text_list(owner, 60, dns.rdataclass.IN, dns.rdatatype.A, addresses)
        )
        return response
    return response


@contextmanager
def dns_server(records: Records) -> Iterator[str]:
    """Serve ``records`` on 127.0.0.1; yields ``host:port`` (``$SHOWTIME_DNS_SERVER``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = _answer(records, dns.message.from_wire(data))
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()
