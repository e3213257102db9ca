"""The journal domain: tables, database, and every journal operation.

Importing the package loads nothing else: ``from models import crypto`` or
``import models.errors`` costs only that module, and SQLAlchemy, SQLModel and the tables
load with the first module that needs them (models/tables.py registers every table,
the import marks' included). A command that only reads the journal therefore starts without
the parts it never uses (docs/BENCHMARKS.md, "Journal search").
"""
