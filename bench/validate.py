#!/usr/bin/env python3
"""Benchmark the SDK's contract validator against a bare libyaml parse of the same text.

    python bench/validate.py [--rounds N] [--batch N] [--clock cpu|wall]

For every shipped template and example, and for a generated 1,000-line contract, it measures
in the same run the median time of ``caio_integration.contracts.validate_text(text)`` and of a
bare ``yaml.load(text, Loader=yaml.CSafeLoader)``, and prints both with their ratio. The targets
(issue 3) are for the advanced template: at most 500 us median, and at most 4x the bare parse.
"""

from __future__ import annotations

import argparse
import os
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


def measure(text: str, rounds: int, batch: int, clock) -> tuple[float, float, float]:
    """Median per-call microseconds of validate_text and of the bare parse, and median ratio.

    The two are timed in alternating batches, so that both see the same machine conditions;
    the ratio is taken batch pair by batch pair.
    """
    ours, bare, ratios = [], [], []
    for _ in range(rounds):
        start = clock()
        for _ in range(batch):
            validate_text(text)
        middle = clock()
        for _ in range(batch):
            bare_load(text)
        end = clock()
        ours.append((middle - start) / batch / 1000)
        bare.append((end - middle) / batch / 1000)
        ratios.append((middle - start) / max(end - middle, 1))
    return statistics.median(ours), statistics.median(bare), statistics.median(ratios)


def bare_load(text: str):
    return yaml.load(text, Loader=yaml.CSafeLoader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="batches per measurement")
    parser.add_argument("--batch", type=int, default=10, help="calls per batch")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: this thread's CPU time, robust on a busy machine (default); "
                        "wall: elapsed time")
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        print("PyYAML was built without libyaml: the CSafeLoader baseline is unavailable.")
        return 1

    cases = [(f"templates/{n}", read_template(n)) for n in templates()]
    cases += [(f"examples/{n}", read_template(n)) for n in examples()]
    cases.append(("generated (1,000 lines)", generated_contract()))

    clock = time.thread_time_ns if args.clock == "cpu" else time.perf_counter_ns
    print(f"Python {platform.python_version()}, PyYAML {yaml.__version__} with libyaml, "
          f"{platform.machine()}, load average {os.getloadavg()[0]:.2f}; {args.clock} clock; "
          f"{args.rounds} x {args.batch} calls per figure, median.")
    print(f"{'contract':<36}{'lines':>6}{'bytes':>8}{'validate us':>13}{'yaml.load us':>14}"
          f"{'ratio':>7}")
    figures = {}
    for name, text in cases:
        result = validate_text(text)
        # Templates and examples carry placeholder text on purpose (a `placeholder-text`
        # warning); any other warning or error means the bench measures the wrong thing.
        unexpected = [d for d in result.diagnostics if d.code != "placeholder-text"]
        if not result.valid or [d for d in unexpected if d.severity != "info"]:
            print(f"{name}: unexpected diagnostics {result.diagnostics}")
            return 1
        for _ in range(20):  # warm up both paths
            validate_text(text)
            bare_load(text)
        ours_us, bare_us, ratio = measure(text, args.rounds, args.batch, clock)
        figures[name] = (ours_us, bare_us, ratio)
        print(f"{name:<36}{text.count(chr(10)):>6}{len(text.encode()):>8}{ours_us:>13.1f}"
              f"{bare_us:>14.1f}{ratio:>6.2f}x")

    ours_us, bare_us, ratio = figures["templates/advanced_service"]
    met_time, met_ratio = ours_us <= TARGET_US, ratio <= TARGET_RATIO
    print()
    print(f"advanced template: {ours_us:.1f} us median (target <= {TARGET_US:.0f} us): "
          f"{'MET' if met_time else 'NOT MET'}")
    print(f"advanced template: {ratio:.2f}x the bare CSafeLoader parse (target <= "
          f"{TARGET_RATIO:.0f}x): {'MET' if met_ratio else 'NOT MET'}")
    return 0 if met_time and met_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
