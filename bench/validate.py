#!/usr/bin/env python3
"""Benchmark the SDK's contract validator against a bare libyaml parse of the same text.

    python bench/validate.py [--rounds N]

For every shipped template and example, and for a generated 1,000-line contract, it measures
in the same run the median time of ``caio_integration.contracts.validate_text(text)`` and of a
bare ``yaml.load(text, Loader=yaml.CSafeLoader)``, and prints both with their ratio. The targets
(issue 3) are for the advanced template: at most 500 us median, and at most 4x the bare parse.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import yaml
from caio_integration.contracts import (
    CAPABILITIES,
    LANGUAGES,
    examples,
    read_template,
    templates,
    validate_text,
)

TARGET_US = 500.0
TARGET_RATIO = 4.0


def generated_contract(lines: int = 1000) -> str:
    """A valid, heavily commented contract of exactly ``lines`` lines."""
    out = [
        "# A generated contract used by bench/validate.py.",
        "service_id: generated-service",
        "name: Generated Service",
        'version: "12.4.7-rc.3+build.2026"',
        "description: >-",
        *[f"  Sentence {i} of a long description of what this service does." for i in range(60)],
        "capabilities:",
        *[f"  - {c}   # capability {i}" for i, c in enumerate(CAPABILITIES)],
        "guarantees:",
        "  latency: {p95_ms: 120.5, p99_ms: 480}",
        "  accuracy: {min: 0.93}",
        "  availability: {target: 99.95}",
        "constraints:",
        "  max_tokens: 131072",
        "  max_images: 16",
        "  supported_languages:",
        # YAML 1.1 reads a bare no (Norwegian) as false, so that one is quoted.
        *[f"    - {code!r}   # {name}" if code == "no" else f"    - {code}   # {name}"
          for code, name in LANGUAGES.items()],
        "cost:",
        "  per_request: 0.0015",
        "  per_token: 0.0000025",
        "  per_image: 0.02",
        "  currency: EUR",
        "endpoint: https://api.generated.example/v12/infer?mode=fast",
        "documentation_url: https://docs.generated.example/services/generated-service",
        "contact: platform-team@generated.example",
        "tags:",
        *[f"  - tag-{i}" for i in range(20)],
    ]
    filler = lines - len(out)
    body = out[:4] + [f"# note {i}: this line documents an operational detail." for i in
                      range(filler)] + out[4:]
    return "\n".join(body) + "\n"


def median_us(func, text: str, rounds: int, batch: int) -> float:
    """Median per-call time in microseconds over ``rounds`` batches of ``batch`` calls."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(batch):
            func(text)
        samples.append((time.perf_counter_ns() - start) / batch / 1000)
    return statistics.median(samples)


def bare_load(text: str):
    return yaml.load(text, Loader=yaml.CSafeLoader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="batches per measurement")
    parser.add_argument("--batch", type=int, default=10, help="calls per batch")
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        print("PyYAML was built without libyaml: the CSafeLoader baseline is unavailable.")
        return 1

    cases = [(f"templates/{n}", read_template(n)) for n in templates()]
    cases += [(f"examples/{n}", read_template(n)) for n in examples()]
    cases.append(("generated (1,000 lines)", generated_contract()))

    print(f"Python {platform.python_version()}, PyYAML {yaml.__version__} with libyaml, "
          f"{platform.machine()}; {args.rounds} x {args.batch} calls per figure, median.")
    print(f"{'contract':<36}{'lines':>6}{'bytes':>8}{'validate us':>13}{'yaml.load us':>14}"
          f"{'ratio':>7}")
    figures = {}
    for name, text in cases:
        result = validate_text(text)
        if not result.valid or result.errors or result.warnings:
            print(f"{name}: unexpected diagnostics {result.diagnostics}")
            return 1
        for _ in range(20):  # warm up both paths
            validate_text(text)
            bare_load(text)
        # Interleave the two measurements so that both see the same machine conditions.
        ours, bare = [], []
        for _ in range(5):
            ours.append(median_us(validate_text, text, args.rounds // 5, args.batch))
            bare.append(median_us(bare_load, text, args.rounds // 5, args.batch))
        ours_us, bare_us = statistics.median(ours), statistics.median(bare)
        figures[name] = (ours_us, bare_us)
        print(f"{name:<36}{text.count(chr(10)):>6}{len(text.encode()):>8}{ours_us:>13.1f}"
              f"{bare_us:>14.1f}{ours_us / bare_us:>6.2f}x")

    ours_us, bare_us = figures["templates/advanced_service"]
    ratio = ours_us / bare_us
    met_time, met_ratio = ours_us <= TARGET_US, ratio <= TARGET_RATIO
    print()
    print(f"advanced template: {ours_us:.1f} us median (target <= {TARGET_US:.0f} us): "
          f"{'MET' if met_time else 'NOT MET'}")
    print(f"advanced template: {ratio:.2f}x the bare CSafeLoader parse (target <= "
          f"{TARGET_RATIO:.0f}x): {'MET' if met_ratio else 'NOT MET'}")
    return 0 if met_time and met_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
