"""The pure core: the 🎪 vocabulary, the model, the planner and everything it decides from.

No I/O, no clock, no environment variables: ``now``, the policy and the settings are passed in.
"""
