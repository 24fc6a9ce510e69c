"""gunicorn's configuration (the deploy branch owns the rest of this file)."""

from portal.observability.gunicorn import child_exit, logconfig_dict  # noqa: F401
