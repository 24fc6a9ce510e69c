"""Review: the admin's classes and actions, the review services (diff, bulk approval, version
history), and the developer's submission panel (reads in selectors.py, views in views.py)."""
