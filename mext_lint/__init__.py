"""mext-lint: a linter for Docker Desktop extensions."""

__version__ = "0.1.0"


def compiled() -> bool:
    """Whether this is the compiled build (hatch_build.py): its simulation is extension modules."""
    from mext_lint.simulate import tree

    return not tree.__file__.endswith(".py")
