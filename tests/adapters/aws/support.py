"""What the AWS adapter tests share: the SHAs of the moto world's PRs, a live view from the
environment (moto's endpoint), and PR 1234's config in the Stubber tests."""

from __future__ import annotations

from showtime_iac.adapters.aws import AwsLive
from showtime_iac.core.model import EnvConfig
from showtime_iac.settings import Settings
from tests.doubles import STUB_SHA

SHA1 = "aaaaaaa1111111111111111111111111111111aa"
SHA2 = "bbbbbbb2222222222222222222222222222222bb"
SHA3 = "ccccccc3333333333333333333333333333333cc"
CFG = EnvConfig(pr=1234, sha=STUB_SHA)


def live_from_env() -> AwsLive:
    return AwsLive.from_settings(Settings.from_env(), sleep=lambda _s: None, poll_interval=0.01)
