#!/usr/bin/env python3
"""Benchmark the editor's live-validation round trip on the server (Django test client).

    python bench/editor.py [--rounds N]

It creates a throwaway SQLite database in a temporary folder, a user and a contract, then posts
to /contracts/<id>/validate/ as the editor does while someone types:

* a typical contract (the SDK's simple template) and a generated 1,000-line contract (the one
  bench/validate.py uses), in the YAML tab; every request carries a different text, so the
  verdict cache never answers (the worst case), and once more with the same text (cache hits);
* the typical contract in the Form tab (the form is applied to the YAML with ruamel first).

Same-run baselines: a bare view (GET /healthz through the same client and middleware) and the
bare SDK ``validate_text`` on the same text. It prints p50 and p95 in milliseconds and the
ratios. Target (issue 5): p95 <= 100 ms for the 1,000-line contract.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 100.0


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    var = tempfile.mkdtemp(prefix="bench-editor-")
    os.environ.update(SECRET_KEY="bench", PORTAL_VAR_DIR=var, DJANGO_SETTINGS_MODULE="portal.settings",
                      LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EDITOR_VALIDATE_RATE = (10**9, 1)  # the benchmark is one very fast typist
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def timed(func, rounds: int) -> list[float]:
    for i in range(min(5, rounds)):  # warm up
        func(-1 - i)
    out = []
    for i in range(rounds):
        start = time.perf_counter()
        func(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    setup()

    from caio_integration.contracts import validate_text
    from django.contrib.auth import get_user_model
    from django.test import Client
    from validate import generated_contract

    from contracts_app.services import contract_create
    from contracts_app.yaml_form import values_from_text

    user = get_user_model().objects.create_user(email="bench@example.com", password="x",
                                                display_name="Bench")
    client = Client()
    client.force_login(user)
    typical = contract_create(owner=user, service_id="my-service", template="simple_service")
    typical_text = typical.latest_revision.text
    big_text = generated_contract(1000)
    big_id = "generated-service"
    contract_create(owner=user, service_id=big_id, template="simple_service")
    assert big_text.count("\n") == 1000

    def post(service_id, data):
        response = client.post(f"/contracts/{service_id}/validate/", data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        return response

    form_values = values_from_text(typical_text)
    form_values["tags"] = ", ".join(form_values["tags"])
    rows = []
    for label, service_id, text in (("typical contract", "my-service", typical_text),
                                    ("1,000-line contract", big_id, big_text)):
        lines = text.count("\n")
        live = timed(lambda i, s=service_id, t=text: post(
            s, {"mode": "yaml", "text": f"{t}# keystroke {i}\n"}), args.rounds)
        cached = timed(lambda i, s=service_id, t=text: post(s, {"mode": "yaml", "text": t}),
                       args.rounds)
        sdk = timed(lambda i, t=text: validate_text(f"{t}# keystroke {i}\n"), args.rounds)
        rows.append((f"{label} ({lines} lines), YAML tab, uncached", live))
        rows.append((f"{label} ({lines} lines), YAML tab, cache hit", cached))
        rows.append((f"bare SDK validate_text, {label}", sdk))
    form = timed(lambda i: post("my-service", {**form_values, "mode": "form", "text": typical_text,
                                               "name": f"Service {i}"}), args.rounds)
    rows.append(("typical contract, Form tab (form applied with ruamel), uncached", form))
    bare = timed(lambda i: client.get("/healthz"), args.rounds)
    rows.append(("baseline: bare view GET /healthz", bare))

    base_p50 = percentiles(bare)[0]
    print(f"Live validation round trip, Django test client, {args.rounds} requests each "
          f"(Python {sys.version.split()[0]}, SQLite, local-memory cache)")
    print(f"{'case':<70} {'p50 ms':>8} {'p95 ms':>8} {'x bare view p50':>16}")
    for label, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{label:<70} {p50:8.2f} {p95:8.2f} {p50 / base_p50:16.1f}")
    big_p95 = percentiles(rows[3][1])[1]
    ok = big_p95 <= TARGET_P95_MS
    print(f"\n1,000-line contract, uncached: p95 {big_p95:.2f} ms; target <= {TARGET_P95_MS:.0f} ms:"
          f" {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
