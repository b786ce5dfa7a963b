"""``$SHOWTIME_PROGRAM`` (issue 29): which inline program the stacks driver runs. Unset or
blank: the product's. ``module:function`` of an importable module: that function (the engine
tests' way in). Anything else is refused with the variable's name and its value (cut to 80
characters): not ``module:function``, a module or attribute that cannot be loaded, or an
attribute that is not a function."""

from __future__ import annotations

import pytest

from showtime_iac.app.wiring import stack_program
from showtime_iac.errors import InputError
from tests.adapters.stacks import engine_program

VAR = "SHOWTIME_PROGRAM"


def refused(spec: str) -> str:
    with pytest.raises(InputError) as raised:
        stack_program({VAR: spec})
    return str(raised.value)


def test_unset_or_blank_runs_the_products_program() -> None:
    product = stack_program({})
    assert product.__module__ == "showtime_iac.app.wiring" and product is not engine_program.program
    assert stack_program({VAR: "   "}) is product


def test_module_colon_function_runs_that_function() -> None:
    spec = " tests.adapters.stacks.engine_program:program\n"
    assert stack_program({VAR: spec}) is engine_program.program


@pytest.mark.parametrize(
    "spec",
    [
        ":program",  # no module
        "tests.adapters.stacks.engine_program:",  # no function
        "tests.adapters.stacks.engine_program",  # no colon
        "tests.adapters.stacks:engine_program:program",  # the first colon splits
        "tests.adapters.stacks.engine_program:pro gram",
    ],
)
def test_a_value_that_is_not_module_colon_function_is_refused(spec: str) -> None:
    assert refused(spec) == f"${VAR}={spec!r} is not module:function"


def test_what_cannot_be_loaded_or_called_is_refused() -> None:
    assert refused("no_such_module_here:main") == (
        f"${VAR}='no_such_module_here:main' cannot be loaded: No module named 'no_such_module_here'"
    )
    assert refused("os:no_such_function") == (
        f"${VAR}='os:no_such_function' cannot be loaded: "
        "module 'os' has no attribute 'no_such_function'"
    )
    assert refused("os:sep") == f"${VAR}='os:sep' is not a function"


#: a value, not a function, whose ``module:name`` is longer than the message shows
NOT_A_FUNCTION_WITH_A_NAME_LONG_ENOUGH_TO_BE_CUT_IN_THE_MESSAGE = 1
LONG = "m" * 100


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        (LONG + ":", "is not module:function"),
        (LONG + ":x", "cannot be loaded: No module named"),
        (
            "tests.app.test_stack_program:"
            "NOT_A_FUNCTION_WITH_A_NAME_LONG_ENOUGH_TO_BE_CUT_IN_THE_MESSAGE",
            "is not a function",
        ),
    ],
)
def test_a_long_value_is_cut_to_80_characters_in_the_message(spec: str, why: str) -> None:
    assert len(spec) > 80
    assert refused(spec).startswith(f"${VAR}={spec[:80]!r} {why}")
