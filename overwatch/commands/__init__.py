"""One module per ``overwatch`` subcommand, each with ``register(subparsers)``."""
