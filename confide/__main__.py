"""`python -m confide` runs the CLI."""

from confide.cli import main

main()
