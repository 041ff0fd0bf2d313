"""The command-line interface (Typer). `cli.main:app` is the entry point."""
