"""🎪 labels: the claim (one DELETE), the minimal diff, styles, definitions and their pruning.

Only 🎪 labels (and the legacy ``testenv-up``) are ever written or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from github import GithubException

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport, label_url_name
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError

__all__ = ["LabelsMixin"]

_DEFAULT_COLOUR = "ededed"  # what GitHub gives a label it creates on the fly


@dataclass
class LabelsMixin(GitHubTransport):
    """The label writes of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

    _unstyled: set[str] = field(default_factory=set)

    def remove_label(self, number: int, name: str) -> bool:
        """Remove one label; False when it was not there (another run took it first).

        This DELETE is the claim of a start: GitHub answers 404 to all but one of concurrent
        deletes. It is not retried blindly: after a 5xx, a 404 on the retry means the first
        attempt went through, so the claim is ours (the Pulumi stack lock covers the rest).
        """
        if not self._ours(name):
            raise ShowtimeError(f"refusing to remove {name!r}: not a showtime label")
        url = f"{self._url}/issues/{number}/labels/{label_url_name(name)}"

        def delete() -> bool:
            self._request("DELETE", url)
            return True

        took = self._write(f"remove label {name!r} from PR #{number}", delete, ok_statuses=(404,))
        return bool(took) or self.retried

    def apply_label_diff(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Write the minimal diff: one POST for all added labels, then one DELETE per removed.

        Additions go first: a write that fails half-way leaves the PR with too many labels
        (the old 🎯 and the new one, both environments described), never with too few (no 🎯,
        a running stack that no label names); the next run reconciles the surplus. Labels
        GitHub did not know are created by the POST (grey); they get their colour and
        description in :meth:`finish`, after the deploy has begun, to keep a start within its
        request budget. Non-🎪 labels are never touched.
        """
        adds = [n for n in dict.fromkeys(add) if self._ours(n)]
        dels = [n for n in dict.fromkeys(remove) if self._ours(n) and n not in adds]
        skipped = [n for n in (*add, *remove) if not self._ours(n)]
        if skipped:
            self.warnings.append(f"not touching non-showtime labels: {', '.join(skipped)}")
        if adds:
            self._add_labels(number, adds)
        for name in dels:
            self._delete(
                f"remove label {name!r} from PR #{number}",
                f"{self._url}/issues/{number}/labels/{label_url_name(name)}",
            )

    def _add_labels(self, number: int, adds: list[str]) -> None:
        url = f"{self._url}/issues/{number}/labels"

        def post() -> list[dict[str, Any]]:
            try:
                return list(self._request("POST", url, {"labels": adds}))
            except GithubException as exc:
                if exc.status == 422 and "already" in str(exc.data).lower():
                    # two runs created the same definition at once: it exists now, add again
                    return list(self._request("POST", url, {"labels": adds}))
                raise

        result = self._write(f"add labels to PR #{number}", post)
        for item in result or []:
            name = str(item.get("name", ""))
            grey = str(item.get("color", "")).lower() == _DEFAULT_COLOUR
            wanted = L.label_style(name)[0] != _DEFAULT_COLOUR
            if name in adds and grey and wanted and not item.get("description"):
                self._unstyled.add(name)

    def finish(self) -> None:
        """Give label definitions GitHub created on the fly their colour and description."""
        for name in sorted(self._unstyled):
            colour, description = L.label_style(name)
            url = f"{self._url}/labels/{label_url_name(name)}"
            try:
                self._write(
                    f"style label {name!r}",
                    lambda url=url, c=colour, d=description: self._request(  # type: ignore[misc]
                        "PATCH", url, {"color": c, "description": d}
                    ),
                    ok_statuses=(404,),
                )
            except GitHubError as exc:  # cosmetic: never fail a run for a colour
                self.warnings.append(str(exc))
        self._unstyled.clear()

    def ensure_label(self, name: str) -> str:
        """Create (or restyle) one label definition; ``created``/``updated``/``unchanged``."""
        colour, description = L.label_style(name)
        body = {"name": name, "color": colour, "description": description}
        created = self._write(
            f"create label {name!r}",
            lambda: self._request("POST", f"{self._url}/labels", body),
            ok_statuses=(422,),  # already exists (maybe a concurrent run): fine
        )
        if created is not None:
            return "created"
        url = f"{self._url}/labels/{label_url_name(name)}"
        with self._errors(f"read label {name!r}"):
            current = self._request("GET", url)
        if (current.get("color"), current.get("description") or "") == (colour, description):
            return "unchanged"
        self._write(
            f"update label {name!r}",
            lambda: self._request("PATCH", url, {"color": colour, "description": description}),
        )
        return "updated"

    def label_definitions(self) -> list[str]:
        """Names of the repository's 🎪 label definitions (paginated, 100 per request)."""
        with self._errors("list the repository's labels"):
            repo = self.gh.get_repo(self.repo_name)
            return [lab.name for lab in repo.get_labels() if self._ours(lab.name)]

    def prune_label_definitions(self, in_use: Iterable[str], *, dry_run: bool = False) -> list[str]:
        """Delete per-SHA 🎪 definitions no open PR uses (they pile up by the hundreds).

        Trigger labels and ``testenv-up`` are kept. Returns the names (to be) deleted.
        """
        keep = set(in_use) | set(L.TRIGGER_LABELS) | {L.LEGACY}
        stale = [n for n in self.label_definitions() if n not in keep and L.is_showtime_label(n)]
        if dry_run:
            return stale
        for name in stale:
            self._delete(
                f"delete label definition {name!r}", f"{self._url}/labels/{label_url_name(name)}"
            )
        return stale
