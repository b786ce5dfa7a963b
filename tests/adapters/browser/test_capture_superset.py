"""The screenshot step against a real Superset 6.1.0 from PyPI, started as the contract test
starts it (tests/superset/harness.py: the official image's start steps, the admin password
from the environment's secret), pictured by the real headless Chromium.

The right password lands on the welcome page, which the judge takes as proof; a wrong one
leaves the login form on the picture, which the judge rejects. Needs the Superset venv
(`export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"`) and Chromium.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from showtime_iac.adapters.browser import capture
from showtime_iac.core.proof import judge
from tests.adapters.browser.support import CHROMIUM, requires_chromium
from tests.superset.harness import INSTALL_COMMAND, VENV_ENV_VAR, SupersetServer, venv_from_env
from tests.superset.test_contract_harness import (
    ADMIN_PASSWORD_ARN,
    SECRET_KEY_ARN,
    superset_container,
)

pytestmark = [
    pytest.mark.superset,
    pytest.mark.browser,
    requires_chromium,
    pytest.mark.skipif(
        venv_from_env() is None,
        reason=f"no Superset venv (${VENV_ENV_VAR} unset or not a venv): "
        f'export {VENV_ENV_VAR}="$({INSTALL_COMMAND} | tail -n 1)"',
    ),
]


@pytest.fixture(scope="module")
def admin_password() -> str:
    return "pw-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def server(admin_password: str) -> Iterator[SupersetServer]:
    from tests.superset.harness import start_container

    values = {SECRET_KEY_ARN: secrets.token_urlsafe(42), ADMIN_PASSWORD_ARN: admin_password}
    with start_container(superset_container(), values) as started:
        yield started


def test_the_secret_password_logs_in_and_the_welcome_page_is_taken_a_wrong_one_is_not(
    server: SupersetServer, admin_password: str
) -> None:
    """One test on the one server (about a minute to start on an idle 2-core machine)."""
    shot = capture(server.base_url, "admin", admin_password, exe=CHROMIUM)
    verdict = judge(shot.signals, "admin")
    assert verdict.ok, (verdict, shot.signals)
    assert verdict.reason == "logged in as admin at /superset/welcome/"
    assert shot.signals.status == 200 and shot.signals.user == "admin"
    assert not shot.signals.password_field
    assert shot.png.startswith(b"\x89PNG") and len(shot.png) > 8_000
    assert admin_password not in shot.signals.text

    wrong = capture(server.base_url, "admin", admin_password + "x", exe=CHROMIUM)
    refused = judge(wrong.signals, "admin")
    assert not refused.ok
    assert refused.reason == "the login form: the admin login was not accepted"
    assert wrong.signals.user is None and wrong.signals.password_field
    # nor does the image's default password get in (the secret's is the only one)
    default = capture(server.base_url, "admin", "admin", exe=CHROMIUM)
    assert not judge(default.signals, "admin").ok
