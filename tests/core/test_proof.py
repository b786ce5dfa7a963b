"""The pure half of issue 28: the judge of a picture, redaction, the failure section and its
size bound (GitHub refuses a comment over 65,536 characters)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core.proof import (
    COMMENT_LIMIT,
    MASK,
    Diagnostic,
    Failure,
    PageSignals,
    Verdict,
    comment_length,
    failure_section,
    fit_comment,
    judge,
    redact,
)

WELCOME = PageSignals(
    url="https://pr-1.example.org/superset/welcome/",
    status=200,
    title="Superset",
    text="Home Recents Dashboards Favorite Mine All Charts Saved queries " * 3,
    user="admin",
    png_bytes=30_000,
)


def signals(**kw: object) -> PageSignals:
    return PageSignals(**{**WELCOME.__dict__, **kw})  # type: ignore[arg-type]


def test_the_welcome_page_logged_in_as_the_admin_is_proof() -> None:
    assert judge(WELCOME, "admin").ok


def test_each_sign_of_a_bad_page_rejects_it() -> None:
    cases = {
        "the page answered HTTP 500": signals(status=500),
        "the page answered HTTP 404": signals(status=404),
        "an error page ('internal server error' on the page)": signals(
            text="Internal Server Error " * 5
        ),
        "the login form: the admin login was not accepted": signals(password_field=True),
        "a blank page (no visible text)": signals(text="  \n "),
        "the page says nobody is logged in, not 'admin'": signals(user=None),
        "the page says 'eve' is logged in, not 'admin'": signals(user="eve"),
        "the picture is empty (100 bytes)": signals(png_bytes=100),
    }
    for reason, page in cases.items():
        assert judge(page, "admin") == Verdict(False, reason)
    login = signals(url="https://pr-1.example.org/login/?next=/", password_field=False)
    assert judge(login, "admin").reason.startswith("the login form")


def test_known_secret_values_are_masked_wherever_they_appear() -> None:
    line = "boot: admin hunter2-secret-pw created; token ghp_x; plain hunter2-secret-pw"
    out = redact(line, ["hunter2-secret-pw", "abc"])
    assert "hunter2-secret-pw" not in out and out.count(MASK) >= 2
    assert redact("abc def", ["abc"]) == "abc def"  # too short to be masked by value
    assert redact("postgresql://u:pw123456@db/x") == f"postgresql://u:{MASK}@db/x"
    assert "SECRET_KEY=" + MASK in redact("SECRET_KEY=abcdefgh1234")


def test_a_log_line_cannot_close_the_code_block_it_is_shown_in() -> None:
    hostile = ("```", "</details>", "``````` @maintainers ![x](https://evil.example/p.png)")
    text = failure_section(Failure("healthy", "no answer", log_lines=hostile))
    fence = next(ln for ln in text.splitlines() if ln.startswith("`"))
    assert len(fence) == 8 and text.count("\n" + fence) == 2


lines = st.lists(st.text(min_size=0, max_size=5_000), max_size=60)


@settings(max_examples=60, deadline=None)
@given(logs=lines, diag=st.text(max_size=20_000), err=st.text(max_size=10_000))
def test_the_failure_section_fits_its_budget_whatever_the_logs_hold(
    logs: list[str], diag: str, err: str
) -> None:
    f = Failure(
        "up",
        err,
        diagnostics=tuple(Diagnostic(f"urn:pulumi:s::p::t::r{i}", diag) for i in range(12)),
        log_lines=tuple(logs),
        run_url="https://github.com/o/r/actions/runs/1",
    )
    for budget in (2_000, 20_000):
        assert comment_length(failure_section(f, budget)) <= budget


@given(st.text(max_size=70_000) | st.just("🎪" * 40_000))
def test_fit_comment_never_exceeds_githubs_limit(body: str) -> None:
    out = fit_comment(body)
    assert comment_length(out) <= COMMENT_LIMIT
    if comment_length(body) <= COMMENT_LIMIT:
        assert out == body
