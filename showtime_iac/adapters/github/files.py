"""Files on a branch of the repository (the contents API): the pictures of the environments
(issue 28), published where a comment can embed them with no credential, and removed with
the environment. Only the named branch is ever written."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport

__all__ = ["CONTENTS_WRITE", "FilesMixin"]

#: what publishing or removing a picture takes (docs/proof.md), beyond sync's usual token
CONTENTS_WRITE = "contents: write"


@dataclass
class FilesMixin(GitHubTransport):
    """The files of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

    def _file_sha(self, branch: str, path: str) -> str | None:
        url = f"{self._url}/contents/{quote(path)}?ref={quote(branch, safe='')}"
        try:
            with self._errors(f"read {path} on branch {branch}"):
                data: Any = self._request("GET", url)
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        return str(data["sha"]) if isinstance(data, dict) and data.get("sha") else None

    def put_file(self, branch: str, path: str, data: bytes, message: str) -> str:
        """Create or replace ``path`` on ``branch`` (which must exist); its raw URL (the
        ``download_url`` GitHub answers, embeddable without a credential in a public repo)."""
        body: dict[str, Any] = {
            "message": message,
            "content": base64.b64encode(data).decode("ascii"),
            "branch": branch,
        }
        sha = self._file_sha(branch, path)
        if sha is not None:
            body["sha"] = sha
        url = f"{self._url}/contents/{quote(path)}"
        answer = self._write(
            f"publish {path} on branch {branch} (it must exist: docs/proof.md)",
            lambda: self._request("PUT", url, body),
            needs=CONTENTS_WRITE,
        )
        content = answer.get("content") if isinstance(answer, dict) else None
        link = content.get("download_url") if isinstance(content, dict) else None
        if not link:
            raise GitHubError(f"GitHub published {path} on {branch} but named no download URL")
        return str(link)

    def delete_file(self, branch: str, path: str, message: str) -> bool:
        """Remove ``path`` from ``branch``; False when it is not there."""
        sha = self._file_sha(branch, path)
        if sha is None:
            return False
        url = f"{self._url}/contents/{quote(path)}"
        self._write(
            f"remove {path} from branch {branch}",
            lambda: self._request(
                "DELETE", url, {"message": message, "sha": sha, "branch": branch}
            ),
            ok_statuses=(404,),
            needs=CONTENTS_WRITE,
        )
        return True
