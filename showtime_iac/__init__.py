"""showtime-iac: per-PR preview environments, one Pulumi stack per PR SHA."""

__version__ = "0.1.0"
