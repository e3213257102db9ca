"""Confide's tests, in tiers (pyproject.toml's markers).

Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE, as on
the project's machines): without it every test run, and every process a test starts, compiles
every module of the product and the tests from source again, about 7 s of CPU for each
collection of the suite. Python checks each cache against its source, and the caches are
ignored by git.
"""

import sys

sys.dont_write_bytecode = False
