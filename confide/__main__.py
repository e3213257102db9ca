"""`python -m confide` runs the CLI, by the same entry point as the `confide` command."""

from confide.cli_quick import main

main()
