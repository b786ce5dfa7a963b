"""Repositories for the docs' ``github=NAME`` markers, on the local GitHub API test server.

Each function fills a :class:`~tests.github_api_server.GitHubServer` (``apache/superset``);
the docs command then runs with ``GITHUB_API_URL`` pointing at it, ``GITHUB_TOKEN`` set to the
server's token and ``GITHUB_REPOSITORY=apache/superset``.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.github_api_server import GitHubServer

__all__ = ["SCENARIOS"]


def three_prs(gh: GitHubServer) -> None:
    """PR 1234 runs abc1234 (and someone added the start label again), PR 1240 is building,
    PR 1250's deploy failed; two label definitions of long-gone environments remain."""
    gh.add_pr(
        1234,
        head_sha="abc1234def5678901234567890abcdef12345678",
        title="feat(dashboard): add a native filter for time grain",
        author="contributor",
        labels=[
            "🎪 abc1234 🚦 running",
            "🎪 🎯 abc1234",
            "🎪 abc1234 🌐 52.1.2.3:8080",
            "🎪 abc1234 📅 2026-01-15T10-00",
            "🎪 abc1234 ⌛ 24h",
            "🎪 abc1234 👤 maintainer",
            "🎪 abc1234 ⚙️ large,ALERTS",
            "🎪 ⚡ showtime-trigger-start",
        ],
    )
    gh.add_pr(
        1240,
        head_sha="1240aaa" + "0" * 33,
        title="fix(sqllab): keep the tab order when a query fails",
        author="rusackas",
        labels=[
            "🎪 1240aaa 🚦 building",
            "🎪 🏗️ 1240aaa",
            "🎪 1240aaa 📅 2026-01-15T14-20",
            "🎪 1240aaa ⌛ 48h",
            "🎪 1240aaa 👤 rusackas",
        ],
    )
    gh.add_pr(
        1250,
        head_sha="1250bbb" + "0" * 33,
        title="chore(deps): bump a dependency",
        author="dependabot",
        labels=[
            "🎪 1250bbb 🚦 failed",
            "🎪 1250bbb 📅 2026-01-15T12-00",
            "🎪 1250bbb ⌛ 24h",
            "🎪 1250bbb 👤 maintainer",
        ],
    )
    gh.add_pr(1300, head_sha="1300ccc" + "0" * 33, title="docs: typo", labels=["docs"])
    gh.add_label_definition("🎪 0ld0000 🚦 running")
    gh.add_label_definition("🎪 0ld0000 🌐 34.1.2.3:8080")


SCENARIOS: dict[str, Callable[[GitHubServer], None]] = {"three-prs": three_prs}
