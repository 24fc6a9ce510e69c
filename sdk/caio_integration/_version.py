"""The SDK's version, in a module of its own so that any module can import it without an
import cycle through the package's ``__init__``. Keep it equal to sdk/pyproject.toml's version
(a test checks)."""

__version__ = "1.0.0"
