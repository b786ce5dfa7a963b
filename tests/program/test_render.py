"""program.render: the offline render (text, repeatability, event loops)."""

from __future__ import annotations

from showtime_iac import program
from showtime_iac.core.model import EnvConfig
from showtime_iac.program import (
    OFFLINE_HEADER,
    evaluate_offline,
    format_render,
    render_offline,
)
from tests.program.helpers import (
    cfg_of,
)

# --------------------------------------------------------------------------- render text


def test_render_offline_can_run_many_times_with_the_same_result() -> None:
    cfg = cfg_of(cache_redis=True)
    first = render_offline(cfg)
    other = render_offline(cfg_of(pr=1, size="small"))
    again = render_offline(cfg)
    assert first == again
    assert first != other


def test_format_render_lists_everything_and_never_a_secret() -> None:
    cfg = cfg_of(flags=(("ALERTS", True),))
    out = evaluate_offline(cfg)
    text = format_render(out.resources, out.outputs, stack=out.stack, placeholders=out.placeholders)
    assert text.splitlines()[0] == OFFLINE_HEADER
    assert "stack pr-1234-abc1234: 4 resources" in text
    for r in out.resources:
        assert f"{r.type}  {r.name}" in text
    assert "env SUPERSET_FEATURE_ALERTS=True" in text
    assert "showtime:pr=1234" in text
    assert "placeholder" in text
    assert "mock-password" not in text
    assert "[secret]" in text


def test_the_offline_render_leaves_no_event_loop_open() -> None:
    """Pulumi's mocks make one loop per worker thread and never close them; a loop left for
    the interpreter's exit can print a traceback under a good result (the README command)."""
    import asyncio
    import gc

    def open_loops() -> list[asyncio.AbstractEventLoop]:
        return [
            o
            for o in gc.get_objects()
            if isinstance(o, asyncio.BaseEventLoop) and not o.is_closed()
        ]

    before = {id(x) for x in open_loops()}
    program.render_offline(EnvConfig(pr=5, sha="abc1234def5678901234567890abcdef12345678"))
    assert [x for x in open_loops() if id(x) not in before] == []
