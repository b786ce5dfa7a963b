"""``python -m showtime_iac.cli``: the same as the ``showtime-iac`` command."""

from showtime_iac.cli.main import main

raise SystemExit(main())
