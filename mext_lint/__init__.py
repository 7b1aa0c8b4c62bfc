"""mext-lint: a linter for Docker Desktop extensions."""

__version__ = "0.1.0"
