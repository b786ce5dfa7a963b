"""DNS lookups (dnspython): a name's CNAME chain and its IPv4 addresses.

The system's resolver by default; ``$SHOWTIME_DNS_SERVER`` (``host`` or ``host:port``) asks
one server instead (a private resolver, or a test's local server).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from showtime_iac.core.dns_record import Answer

if TYPE_CHECKING:
    import dns.resolver

__all__ = ["ENV_DNS_SERVER", "resolve"]

ENV_DNS_SERVER = "SHOWTIME_DNS_SERVER"


def _resolver(env: Mapping[str, str]) -> dns.resolver.Resolver:
    import dns.resolver

    server = env.get(ENV_DNS_SERVER, "").strip()
    if not server:
        return dns.resolver.Resolver()
    host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [host or server]
    if port:
        res.port = int(port)
    return res


def resolve(name: str, env: Mapping[str, str], timeout: float = 5.0) -> Answer:
    """``name``'s A records, following CNAMEs; an error is an :class:`Answer` too."""
    import dns.exception
    import dns.resolver

    res = _resolver(env)
    res.lifetime = timeout
    try:
        answer = res.resolve(name, "A")
    except dns.resolver.NXDOMAIN:
        return Answer(error="no such name")
    except dns.resolver.NoAnswer:
        return Answer(error="no address record")
    except dns.exception.Timeout:
        return Answer(error=f"no answer within {timeout:.0f} s")
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return Answer(error=f"{type(exc).__name__}: {str(exc)[:120]}")
    canonical = str(answer.canonical_name).rstrip(".")
    return Answer(canonical=canonical, addresses=frozenset(r.to_text() for r in answer))
