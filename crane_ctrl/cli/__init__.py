"""The ``crane-ctrl`` command: :mod:`.main` parses, one module per group of subcommands."""
