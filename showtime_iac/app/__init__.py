"""The application layer: carry out plans through the ports, and the operations of each command.

``sync`` and ``plan`` (sync), ``cleanup`` (cleanup), ``up``/``destroy``/``drift``/``list``/
``status`` (environments, with baseline, preview, sizing and live), ``doctor`` (doctor),
``logs`` (logs), ``labels`` (labels), ``dashboard`` (dashboard renders, pages writes); the
executor carries a plan out; wiring opens the adapters; inputs reads the event and policy files.
"""
