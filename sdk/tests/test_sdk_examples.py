"""The examples in sdk/examples/: they run, do real work, and check their contracts.

test_integration.py needs a live portal: CI's procedures step (.ci/procedures) runs it. Here it
is only checked to be the plan's text, and to skip with a reason without CAIO_URL.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caio_integration import (
    ContractValidationError,
    GuaranteeViolationError,
    ServiceExecutionError,
    ServiceInitializationError,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLAN = Path(__file__).resolve().parents[3] / "shared" / "reference" / "phase16-plan.txt"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def simple():
    return load("simple_service")


@pytest.fixture(scope="module")
def advanced():
    return load("advanced_service")


def run_example(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(EXAMPLES.parent))
    run = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120,
                         cwd=EXAMPLES.parent, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def contract_file(tmp_path: Path, source: Path, replace: dict[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


# --- simple_service.py ------------------------------------------------------------------------

def test_the_simple_service_example_prints_the_summary_of_its_sample_text():
    out = run_example("examples/simple_service.py")
    result = out["result"]
    assert result["summary"] == (
        "A contract states the capabilities of a service, the latency it guarantees and its price.")
    assert (result["word_count"], result["sentence_count"]) == (49, 4)
    assert result["keywords"] == ["contract", "service", "guarantees", "latency"]
    assert out["proof"]["guarantees_met"] is True
    assert out["proof"]["checked"]["latency.p99_ms"]["declared"] == 200
    assert out["health"] == {"status": "healthy", "service_id": "example-summarizer",
                             "version": "1.0.0", "requests": 1}


def test_the_simple_service_example_summarises_the_text_it_is_given():
    text = "Cats sleep. Dogs bark at dogs and more dogs. Birds sing."
    result = run_example("examples/simple_service.py", text)["result"]
    assert result["summary"] == "Dogs bark at dogs and more dogs."
    assert (result["word_count"], result["sentence_count"], result["keywords"]) == (11, 3, ["dogs"])


def test_summaries_normalise_the_text_and_keep_the_chosen_sentences_in_order(simple):
    text = "Ｆｕｌｌ  width\u00a0text.\n\nRain falls. Rain and rain again. Sun, then rain."
    result = simple.summarize(text, sentences=2)
    assert result["summary"] == "Rain falls. Rain and rain again."
    assert simple.normalize(text).startswith("Full width text.")
    assert simple.summarize(text, sentences=2) == result  # deterministic


def test_the_simple_service_validates_its_contract_in_initialize(simple, tmp_path):
    broken = contract_file(tmp_path, simple.CONTRACT, {'version: "1.0.0"': "version: 1.0"})
    with pytest.raises(ContractValidationError) as invalid:
        simple.SimpleService().initialize(broken)
    assert any(d.path == "/version" for d in invalid.value.errors)
    with pytest.raises(ServiceInitializationError):
        simple.SimpleService().initialize(tmp_path / "missing.yaml")


def test_the_simple_service_refuses_requests_its_contract_does_not_cover(simple, tmp_path):
    small = contract_file(tmp_path, simple.CONTRACT, {"max_tokens: 5000": "max_tokens: 3"})
    service = simple.SimpleService()
    service.initialize(small)
    for request in ({"text": "one two three four"}, {"text": "Hola.", "language": "es"},
                    {"text": "  "}, {"text": "one.", "sentences": 0}):
        with pytest.raises(ServiceExecutionError):
            asyncio.run(service.execute(request))
    assert asyncio.run(service.execute({"text": "one two three"}))["word_count"] == 3
    assert service.get_health_status()["requests"] == 1


# --- advanced_service.py ----------------------------------------------------------------------

def test_the_advanced_service_example_proves_each_guarantee_with_declared_and_observed_values():
    proof = run_example("examples/advanced_service.py", "200")["proof"]
    assert proof["guarantees_met"] is True and proof["samples"] == 200
    guarantees = proof["guarantees"]
    assert {name: g["declared"] for name, g in guarantees.items()} == {
        "latency.p95_ms": 50, "latency.p99_ms": 200, "accuracy.min": 0.9,
        "availability.target": 99.0}
    assert guarantees["accuracy.min"]["observed"] == 0.95  # 19 of the 20 evaluation texts
    assert guarantees["availability.target"]["observed"] == 100.0
    p95, p99 = guarantees["latency.p95_ms"]["observed"], guarantees["latency.p99_ms"]["observed"]
    assert 0 < p95 <= p99 <= 200
    assert all(g["met"] for g in guarantees.values())


def test_the_advanced_service_labels_sentiment_with_negation(advanced):
    assert advanced.classify("The fix works and support was helpful.")["label"] == "positive"
    assert advanced.classify("This is not good.")["label"] == "negative"
    assert advanced.classify("It isn't bad at all.")["label"] == "positive"
    assert advanced.classify("Not here. Good.")["label"] == "positive"  # negation stops at "."
    assert advanced.classify("The report has four pages.") == {
        "label": "neutral", "score": 0.0, "positive": [], "negative": []}


def test_the_advanced_service_computes_its_percentiles_over_the_calls_it_recorded(advanced):
    service = advanced.SentimentService()
    service.initialize(advanced.CONTRACT)
    service.latencies_ms.extend(float(ms) for ms in range(1, 101))  # 1, 2, ... 100 ms
    observed = service.observed()
    assert observed["latency.p95_ms"] == pytest.approx(95.05)
    assert observed["latency.p99_ms"] == pytest.approx(99.01)
    asyncio.run(service.execute({"text": "fast and reliable"}))
    assert len(service.latencies_ms) == 101


def test_a_broken_guarantee_raises_with_the_proof(advanced, tmp_path):
    strict = contract_file(tmp_path, advanced.CONTRACT, {"min: 0.9 ": "min: 0.99"})
    service = advanced.SentimentService()
    service.initialize(strict)
    result = asyncio.run(service.execute({"text": "Great service."}))
    with pytest.raises(GuaranteeViolationError) as broken:
        asyncio.run(service.verify_guarantees(result, service.contract.to_data()))
    assert broken.value.guarantee == "accuracy.min"
    proof = broken.value.details
    assert proof["guarantees_met"] is False
    assert proof["guarantees"]["accuracy.min"] == {"declared": 0.99, "observed": 0.95, "met": False}
    assert proof["guarantees"]["latency.p99_ms"]["met"] is True


def test_a_service_side_failure_counts_against_availability_and_a_bad_request_does_not(advanced):
    class Flaky(advanced.SentimentService):
        def analyse(self, text):
            if "explode" in text:
                raise RuntimeError("model unavailable")
            return super().analyse(text)

    service = Flaky()
    service.initialize(advanced.CONTRACT)
    asyncio.run(service.execute({"text": "good"}))
    with pytest.raises(ServiceExecutionError):
        asyncio.run(service.execute({"text": "explode"}))
    with pytest.raises(ServiceExecutionError):
        asyncio.run(service.execute({}))
    assert service.observed()["availability.target"] == 50.0
    assert service.get_health_status()["failures"] == 1
    with pytest.raises(GuaranteeViolationError) as broken:
        asyncio.run(service.verify_guarantees({"latency_ms": 0.1}, service.contract))
    assert broken.value.guarantee == "availability.target"


# --- test_integration.py ----------------------------------------------------------------------

def test_the_integration_test_example_skips_with_a_reason_without_caio_url():
    env = {k: v for k, v in os.environ.items() if k not in ("CAIO_URL", "CAIO_TOKEN")}
    env["PYTHONPATH"] = str(EXAMPLES.parent)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs",
                          "test_integration.py"], capture_output=True, text=True, timeout=120,
                         cwd=EXAMPLES, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 skipped" in run.stdout and "set CAIO_URL to a running portal" in run.stdout


@pytest.mark.skipif(not PLAN.is_file(), reason="the Phase 16 plan is not beside the repository")
def test_the_integration_test_example_is_the_plans_text_with_only_its_base_url_changed():
    plan = PLAN.read_text(encoding="utf-8")
    start = plan.index("**File:** `caio-integration-sdk/examples/test_integration.py`")
    opening = plan.index("```python\n", start) + len("```python\n")
    block = plan[opening:plan.index("```", opening)]
    expected = "\n".join(line.rstrip() for line in block.splitlines()).replace(
        'base_url="https://api.caio.ai"', 'base_url=os.environ["CAIO_URL"]')
    ours = (EXAMPLES / "test_integration.py").read_text(encoding="utf-8")
    head, rest = ours.split("\npytestmark = ", 1)
    rest = rest.split(")\n", 1)[1]  # the module-level skip without CAIO_URL
    assert (head.replace("import os\n\n", "", 1) + rest).strip() == expected.strip()
