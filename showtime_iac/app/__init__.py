"""The application layer: carry out plans through the ports (sync, cleanup, doctor, dashboard)."""
