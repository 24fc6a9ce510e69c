"""Business logic for integrations: plain, typed, keyword-only functions.

Modules: `catalogue` (publishing a registered revision into the catalogue tables); the pipeline
adds `submissions` and `operations`.
"""
