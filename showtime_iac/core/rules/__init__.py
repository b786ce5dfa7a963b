"""The planner's rules, one module per concern. :mod:`showtime_iac.core.planner` dispatches.

- :mod:`.trust`: who may do what (write permission, guarded labels)
- :mod:`.lifecycle`: start, stop, close, TTL expiry
- :mod:`.rolling`: the claim and the rolling update of a new SHA (push, refresh)
- :mod:`.config`: configuration changes of the running SHA (labels, commands, PR body)
- :mod:`.comments`: ``/showtime`` comment commands
- :mod:`.final`: the final label diffs once a deploy or teardown has run
"""
