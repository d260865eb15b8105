"""One name for the metadata module, whatever the Python version."""

import importlib.metadata as importlib_metadata

__all__ = ['importlib_metadata']
