"""The journal domain: tables, database, and every journal operation."""

from models import import_marks as _import_marks  # noqa: F401  (registers its table with the others)
