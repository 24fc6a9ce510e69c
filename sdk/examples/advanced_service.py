"""Advanced service example for CAIO integration: a service that proves its guarantees.

SentimentService labels English text positive, negative or neutral from a word lexicon, with
negation ("not good" counts as negative). It measures itself as it runs:

* latency: every call is timed; p95 and p99 are computed over the recorded calls;
* accuracy: on its published evaluation set (EVALUATION below), at initialisation;
* availability: the share of calls answered without a service-side failure (a malformed
  request is the caller's error and does not count).

``verify_guarantees`` returns a proof with, for each guarantee of the contract, the declared value
beside the observed one, and raises GuaranteeViolationError (the proof in ``details``) when one is
not met.

    python advanced_service.py [CALLS]

runs the evaluation set through the service CALLS times over (default 200 calls) and prints the
proof. Its contract is contracts/sentiment_service.yaml.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from caio_integration import (
    AIUCPService,
    GuaranteeViolationError,
    ServiceExecutionError,
)
from caio_integration.contracts import Contract

CONTRACT = Path(__file__).resolve().parent / "contracts" / "sentiment_service.yaml"
LATENCY_WINDOW = 10_000  # the most recent calls the percentiles are computed over

POSITIVE = frozenset(
    "accurate best clear easy excellent fast good great happy helpful love lovely perfect "
    "pleasant quick recommend reliable smooth useful wonderful works".split()
)
NEGATIVE = frozenset(
    "annoying awful bad broken buggy confusing crash crashes disappointing error fails failed "
    "hate poor slow terrible unreliable useless worst wrong".split()
)
NEGATORS = frozenset("not never no nothing hardly".split())
NEGATION_SPAN = 3  # a negator flips the next three words
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.!?;,]")

# (text, expected label): the service's published evaluation. The lexicon gets the sarcastic one
# wrong, as a lexicon does: 19 of 20.
EVALUATION: tuple[tuple[str, str], ...] = (
    ("The new release is fast and reliable.", "positive"),
    ("I love how clear the documentation is.", "positive"),
    ("Support was helpful and the fix works.", "positive"),
    ("Setup was easy, I recommend it.", "positive"),
    ("Great accuracy on our test set.", "positive"),
    ("The results are not bad at all.", "positive"),
    ("Never had a crash since we switched.", "positive"),
    ("The API is slow and the errors are confusing.", "negative"),
    ("It crashes every hour, terrible.", "negative"),
    ("The answers are often wrong.", "negative"),
    ("This is not good enough for production.", "negative"),
    ("I hate the new pricing, it is useless for us.", "negative"),
    ("Buggy and unreliable under load.", "negative"),
    ("Great, another update that breaks everything.", "negative"),
    ("The service processes documents in batches.", "neutral"),
    ("We call the endpoint twice a day.", "neutral"),
    ("The contract lists three capabilities.", "neutral"),
    ("Version two ships next month.", "neutral"),
    ("It returns a label and a score.", "neutral"),
    ("The team reviewed the logs on Monday.", "neutral"),
)


def classify(text: str) -> dict[str, Any]:
    """Label ``text`` from the lexicon; a negator flips the polarity of the words just after it."""
    positive: list[str] = []
    negative: list[str] = []
    flip = 0
    for token in _TOKEN.findall(text.lower()):
        if token in ".!?;,":
            flip = 0
            continue
        if token in NEGATORS or token.endswith("n't"):
            flip = NEGATION_SPAN
            continue
        polarity = 1 if token in POSITIVE else -1 if token in NEGATIVE else 0
        if flip:
            polarity, flip = -polarity, flip - 1
        if polarity > 0:
            positive.append(token)
        elif polarity < 0:
            negative.append(token)
    total = len(positive) + len(negative)
    score = (len(positive) - len(negative)) / total if total else 0.0
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return {"label": label, "score": round(score, 3), "positive": positive, "negative": negative}


def percentile(values: list[float], pct: int) -> float:
    """The pct-th percentile (1-99) of ``values``, interpolated (statistics' inclusive method)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


class SentimentService(AIUCPService):
    """Sentiment of English text, with its own measurements of every guarantee it declares."""

    def setup(self, contract: Contract) -> None:
        """Called by ``initialize`` once the contract is loaded and valid."""
        constraints = contract.constraints
        self.max_words = (constraints and constraints.max_tokens) or 2000
        self.latencies_ms: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self.calls = 0
        self.failures = 0
        correct = sum(classify(text)["label"] == label for text, label in EVALUATION)
        self.accuracy = correct / len(EVALUATION)

    def analyse(self, text: str) -> dict[str, Any]:
        """The work itself; a failure here is the service's, and counts against availability."""
        return classify(text)

    async def execute(
        self, request: dict[str, Any], context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """``{"text": str}`` -> ``{"label", "score", "positive", "negative", "latency_ms"}``."""
        if self.contract is None:
            raise ServiceExecutionError("initialize() the service with its contract first")
        text = request.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ServiceExecutionError("the request needs a non-empty 'text' string")
        if len(text.split()) > self.max_words:
            raise ServiceExecutionError(f"the text has more than {self.max_words} words")
        self.calls += 1
        started = time.perf_counter()
        try:
            result = self.analyse(text)
        except Exception as exc:
            self.failures += 1
            raise ServiceExecutionError(f"the analysis failed: {exc}") from exc
        finally:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        result["latency_ms"] = self.latencies_ms[-1]
        if context and "request_id" in context:
            result["request_id"] = context["request_id"]
        return result

    def observed(self) -> dict[str, float | None]:
        """What the service has measured so far (None: nothing measured yet)."""
        latencies = list(self.latencies_ms)
        return {
            "latency.p95_ms": percentile(latencies, 95) if latencies else None,
            "latency.p99_ms": percentile(latencies, 99) if latencies else None,
            "accuracy.min": self.accuracy,
            "availability.target": (100.0 * (self.calls - self.failures) / self.calls
                                    if self.calls else None),
        }

    async def verify_guarantees(
        self, result: dict[str, Any], contract: Contract | dict[str, Any]
    ) -> dict[str, Any]:
        """A proof: each declared guarantee beside its observed value, over every call so far.

        Raises GuaranteeViolationError, with the proof in ``details``, if one is not met.
        """
        if isinstance(contract, dict):
            contract = Contract.from_data(contract)
        g = contract.guarantees
        declared = {
            "latency.p95_ms": g and g.latency and g.latency.p95_ms,
            "latency.p99_ms": g and g.latency and g.latency.p99_ms,
            "accuracy.min": g and g.accuracy and g.accuracy.min,
            "availability.target": g and g.availability and g.availability.target,
        }
        observed = self.observed()
        if observed["latency.p95_ms"] is None:  # nothing recorded yet: this result's own time
            observed["latency.p95_ms"] = observed["latency.p99_ms"] = result["latency_ms"]
        guarantees = {}
        for name, bound in declared.items():
            if bound is None:
                continue
            value = observed[name]
            at_most = name.startswith("latency.")  # latency is a ceiling; the others are floors
            met = value is not None and (value <= bound if at_most else value >= bound)
            guarantees[name] = {"declared": bound, "observed": value, "met": met}
        proof = {
            "guarantees_met": all(g["met"] for g in guarantees.values()),
            "samples": len(self.latencies_ms),
            "evaluated_on": len(EVALUATION),
            "guarantees": guarantees,
        }
        broken = [name for name, g in guarantees.items() if not g["met"]]
        if broken:
            first = guarantees[broken[0]]
            raise GuaranteeViolationError(
                f"{broken[0]}: observed {first['observed']}, declared {first['declared']}",
                guarantee=broken[0], details=proof,
            )
        return proof

    def get_health_status(self) -> dict[str, Any]:
        health = super().get_health_status()
        if self.contract is not None:
            health.update(calls=self.calls, failures=self.failures)
        return health


async def demo(calls: int = 200, contract_path: Path = CONTRACT) -> dict[str, Any]:
    service = SentimentService()
    service.initialize(contract_path)
    result: dict[str, Any] = {}
    for i in range(calls):
        text, _label = EVALUATION[i % len(EVALUATION)]
        result = await service.execute({"text": text}, {"request_id": f"demo-{i}"})
    proof = await service.verify_guarantees(result, service.contract)
    samples = {text: classify(text)["label"] for text in (
        "Support was helpful and the fix works.", "This is not good enough for production.",
        "The contract lists three capabilities.")}
    return {"labels": samples, "proof": proof, "health": service.get_health_status()}


def main(argv: list[str]) -> int:
    calls = int(argv[1]) if len(argv) > 1 else 200
    print(json.dumps(asyncio.run(demo(calls)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
