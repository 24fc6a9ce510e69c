"""Contract pages (pages.py) and the editor with its live endpoints (editor.py)."""
