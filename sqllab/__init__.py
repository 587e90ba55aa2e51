"""sqllab: a Jupyter course kit for learning SQL."""

__version__ = "0.1.0"
