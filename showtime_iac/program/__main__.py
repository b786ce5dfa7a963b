"""Pulumi entry point (``main: showtime_iac/program/`` in Pulumi.yaml).

Picks the program by stack name: ``shared`` → the shared stack; ``pr-{number}-{sha7}`` → one
environment from its stack config; anything else → a clear error. See ``program.select_program``.
"""

from showtime_iac.program import main

main()
