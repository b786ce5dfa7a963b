"""What the commands print: plain text when piped, rich on a terminal; ``--json`` documents
come from the application's ``to_json``."""
