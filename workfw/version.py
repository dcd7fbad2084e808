"""The version of workfw.

It lives in a module of its own, at the bottom of the layers, so that any module (the report's footer, the
JSON diagnosis, the command's ``--version``) can name it without importing the package root, which sits
above everything.
"""
from __future__ import annotations

__all__ = ["__version__"]

#: Keep in step with ``version`` in pyproject.toml.
__version__ = "0.1.0"
