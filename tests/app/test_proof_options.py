"""The executor's proof options for ``sync`` come from one environment (issue 29): the
mapping given, else the process's. Progress notes are on unless turned off; the values of the
job's secret variables are collected (unset and empty ones left out) so no comment shows them;
the picture step exists only when ``SHOWTIME_SCREENSHOT`` turns it on, on the branch
``SHOWTIME_PROOF_BRANCH`` names (``showtime-previews`` by default)."""

from __future__ import annotations

import pytest

from showtime_iac.app.proof import BrowserProof, proof_options, run_secrets


class Files:
    """Where pictures would be published (never called here)."""

    def put_file(self, branch: str, path: str, data: bytes, message: str) -> str:
        raise AssertionError("nothing is published")

    def delete_file(self, branch: str, path: str, message: str) -> bool:
        raise AssertionError("nothing is deleted")


@pytest.fixture
def process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's own environment says the opposite of each mapping below."""
    monkeypatch.setenv("SHOWTIME_PROGRESS", "on")
    monkeypatch.setenv("SHOWTIME_SCREENSHOT", "off")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_process_token")
    for var in ("GH_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.usefixtures("process_env")
def test_a_mapping_given_decides_every_option() -> None:
    env = {
        "SHOWTIME_PROGRESS": " OFF ",
        "SHOWTIME_SCREENSHOT": "yes",
        "SHOWTIME_PROOF_BRANCH": "pictures",
        "GITHUB_TOKEN": "ghs_given",
        "PULUMI_CONFIG_PASSPHRASE": "",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
    }
    files = Files()
    got = proof_options(files, env)
    assert got["progress"] is False
    assert got["secrets"] == ("ghs_given", "wJalrXUtnFEMI")
    proof = got["proof"]
    assert isinstance(proof, BrowserProof)
    assert (proof.files, proof.branch) == (files, "pictures")


@pytest.mark.usefixtures("process_env")
def test_without_a_mapping_the_process_environment_decides() -> None:
    got = proof_options(Files())
    assert (got["progress"], got["secrets"], got["proof"]) == (True, ("ghs_process_token",), None)
    assert run_secrets() == ("ghs_process_token",)
    assert run_secrets({}) == ()


def test_the_picture_branch_defaults_to_showtime_previews() -> None:
    proof = proof_options(Files(), {"SHOWTIME_SCREENSHOT": "on", "SHOWTIME_PROOF_BRANCH": ""})
    assert isinstance(proof["proof"], BrowserProof)
    assert proof["proof"].branch == "showtime-previews"
