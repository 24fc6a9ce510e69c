"""Simple service example for CAIO integration.

The plan's SimpleService, doing real work: an extractive summary of English text. It normalises
the text, counts its words and sentences, and returns the sentences that carry the text's most
frequent content words. The same input always gives the same output.

    python simple_service.py ["Some text. More text."]

It loads and validates its contract, contracts/my_service.yaml, in ``initialize``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from caio_integration import (
    AIUCPService,
    GuaranteeViolationError,
    ServiceExecutionError,
    ServiceInitializationError,
)
from caio_integration.contracts import Contract, load_contract

CONTRACT = Path(__file__).resolve().parent / "contracts" / "my_service.yaml"
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have in is it its of on or that the their them "
    "they this to was were which with".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SAMPLE = (
    "CAIO routes each request to the service whose contract fits it best. "
    "A contract states the capabilities of a service, the latency it guarantees and its price. "
    "The portal validates every contract before a service is registered. "
    "Services that keep the latency their contract guarantees are routed more requests."
)


def normalize(text: str) -> str:
    """NFKC (full-width letters, ligatures and odd spaces become plain ones), one space between
    words, no space at either end."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def summarize(text: str, sentences: int = 1, *, max_words: int | None = None) -> dict[str, Any]:
    """The ``sentences`` highest-scoring sentences, in their original order.

    A sentence scores the mean frequency, over the whole text, of its content words (words that
    are not stopwords); ties go to the earlier sentence. Keywords: up to five content words that
    occur more than once, most frequent first. ValueError past ``max_words`` words.
    """
    clean = normalize(text)
    words = _WORD.findall(clean.lower())
    if max_words is not None and len(words) > max_words:
        raise ValueError(f"the text has {len(words)} words, more than {max_words}")
    parts = [s for s in _SENTENCE_END.split(clean) if s]
    content = Counter(w for w in words if w not in STOPWORDS)

    def score(sentence: str) -> float:
        mine = [w for w in _WORD.findall(sentence.lower()) if w not in STOPWORDS]
        return sum(content[w] for w in mine) / len(mine) if mine else 0.0

    ranked = sorted(range(len(parts)), key=lambda i: (-score(parts[i]), i))[:sentences]
    keywords = sorted((item for item in content.items() if item[1] > 1),
                      key=lambda item: (-item[1], item[0]))[:5]
    return {
        "summary": " ".join(parts[i] for i in sorted(ranked)),
        "word_count": len(words),
        "sentence_count": len(parts),
        "keywords": [word for word, _count in keywords],
    }


class SimpleService(AIUCPService):
    """Simple example service implementation."""

    def initialize(self, contract_path: Path) -> None:
        """Initialize service with contract."""
        # Load and validate contract: ContractValidationError (every diagnostic, with its line)
        # if it has an error.
        try:
            self.contract = load_contract(contract_path)
        except OSError as exc:
            raise ServiceInitializationError(f"cannot read {contract_path}: {exc}") from exc
        # Initialize service resources: the limits the contract promises to enforce.
        constraints = self.contract.constraints
        self.max_words = (constraints and constraints.max_tokens) or 5000
        self.languages = (constraints and constraints.supported_languages) or ("en",)
        self.requests = 0

    async def execute(
        self, request: dict[str, Any], context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Execute request: ``{"text": str, "sentences": int = 1, "language": "en"}``."""
        if self.contract is None:
            raise ServiceExecutionError("initialize() the service with its contract first")
        text, sentences = request.get("text"), request.get("sentences", 1)
        if not isinstance(text, str) or not text.strip():
            raise ServiceExecutionError("the request needs a non-empty 'text' string")
        if not isinstance(sentences, int) or isinstance(sentences, bool) or sentences < 1:
            raise ServiceExecutionError("'sentences' must be a whole number of at least 1")
        language = request.get("language", "en")
        if language not in self.languages:
            raise ServiceExecutionError(f"language {language!r} is not one of {self.languages}")
        started = time.perf_counter()
        try:
            result = summarize(text, sentences, max_words=self.max_words)
        except ValueError as exc:
            raise ServiceExecutionError(str(exc)) from exc
        self.requests += 1
        result["latency_ms"] = (time.perf_counter() - started) * 1000
        return result

    async def verify_guarantees(
        self, result: dict[str, Any], contract: Contract | dict[str, Any]
    ) -> dict[str, Any]:
        """Verify guarantees are met: this call's latency against the contract's p99 bound."""
        if isinstance(contract, dict):
            contract = Contract.from_data(contract)
        latency = contract.guarantees.latency if contract.guarantees else None
        bound = latency.p99_ms if latency else None
        if bound is not None and result["latency_ms"] > bound:
            raise GuaranteeViolationError(
                f"took {result['latency_ms']:.2f} ms, over the p99 bound of {bound} ms",
                guarantee="latency.p99_ms", details={"latency_ms": result["latency_ms"]},
            )
        checked = {"latency.p99_ms": {"declared": bound, "observed": result["latency_ms"]}}
        return {"guarantees_met": True, "checked": checked if bound is not None else {}}

    def get_health_status(self) -> dict[str, Any]:
        """Get service health status."""
        if self.contract is None:
            return {"status": "uninitialized"}
        return {"status": "healthy", "service_id": self.contract.service_id,
                "version": self.contract.version, "requests": self.requests}


async def demo(text: str, contract_path: Path = CONTRACT) -> dict[str, Any]:
    service = SimpleService()
    service.initialize(contract_path)
    result = await service.execute({"text": text})
    proof = await service.verify_guarantees(result, service.contract.to_data())
    return {"result": result, "proof": proof, "health": service.get_health_status()}


def main(argv: list[str]) -> int:
    print(json.dumps(asyncio.run(demo(argv[1] if len(argv) > 1 else SAMPLE)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
