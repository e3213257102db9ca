"""The journal domain: tables, database, and every journal operation."""
