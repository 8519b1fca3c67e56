"""Studio: product shots for the shop."""

__version__ = "0.3.0"
