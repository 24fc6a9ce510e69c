"""Refusals from the pipeline's services. `.message` is written for the person who asked."""

from __future__ import annotations


class PipelineError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SubmissionError(PipelineError):
    """A submission cannot be created or moved as asked."""


class OperationError(PipelineError):
    """A service operation (deprecate, withdraw) cannot be requested as asked."""
