"""A complete, runnable AIUCPService: it echoes the request and checks its latency guarantee.

    python examples/echo_service.py [CONTRACT.yaml]

Without an argument it uses the SDK's simple_service template.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from caio_integration import AIUCPService, GuaranteeViolationError, ServiceExecutionError
from caio_integration.contracts import Contract, read_template


class EchoService(AIUCPService):
    """Returns the request's text, upper-cased, with the time it took."""

    def setup(self, contract: Contract) -> None:
        limits = contract.constraints
        self.max_tokens = limits.max_tokens if limits and limits.max_tokens else 4096

    async def execute(
        self, request: dict[str, Any], context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        text = request.get("text")
        if not isinstance(text, str):
            raise ServiceExecutionError("the request needs a 'text' string")
        if len(text.split()) > self.max_tokens:
            raise ServiceExecutionError(f"the text is longer than {self.max_tokens} tokens")
        started = time.perf_counter()
        await asyncio.sleep(0)  # a real service would call its model here
        output = text.upper()
        return {"text": output, "latency_ms": (time.perf_counter() - started) * 1000}

    async def verify_guarantees(self, result: dict[str, Any], contract: Contract) -> dict[str, Any]:
        latency = contract.guarantees.latency if contract.guarantees else None
        bound = latency.p99_ms if latency and latency.p99_ms else None
        met = bound is None or result["latency_ms"] <= bound
        if not met:
            raise GuaranteeViolationError(
                f"took {result['latency_ms']:.1f} ms, over the p99 bound of {bound} ms",
                guarantee="latency.p99_ms", details={"latency_ms": result["latency_ms"]},
            )
        return {"guarantees_met": True, "checked": ["latency.p99_ms"] if bound else []}


async def demo(contract_path: Path) -> dict[str, Any]:
    service = EchoService()
    service.initialize(contract_path)
    result = await service.execute({"text": "hello, caio"})
    proof = await service.verify_guarantees(result, service.contract)
    return {"result": result, "proof": proof, "health": service.get_health_status()}


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print(asyncio.run(demo(Path(argv[1]))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contract.yaml"
        path.write_text(read_template("simple_service"), encoding="utf-8")
        print(asyncio.run(demo(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
