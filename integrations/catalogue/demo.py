"""A generated, realistic catalogue for demos and benchmarks (used by `manage.py seed_demo`).

Deterministic for a given seed. Each archetype has its own capability mix, latency, accuracy,
price and language distributions; about one service in ten omits a guarantee, so discovery's
"missing guarantee never matches" rule is visible in the demo.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from decimal import Decimal

FIRST = ("Aiko", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Gustav", "Hana", "Ivan", "Jo",
         "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe")
LAST = ("Tanaka", "Silva", "Wei", "Okafor", "Haddad", "Lindqvist", "Novak", "Kowalski", "Rossi",
        "Mensah", "Fischer", "Garcia", "Ito", "Kaur", "Moreau", "Nakamura", "Olsen", "Petrov",
        "Quispe", "Rahman", "Schmidt", "Torres", "Ueda", "Varga", "Yilmaz", "Zhang")
ORGS = ("Northwind", "Lumen", "Cobalt", "Helix", "Quanta", "Orbital", "Tessel", "Fjord", "Kestrel",
        "Meridian", "Parallax", "Sable", "Vireo", "Aster", "Basalt", "Cinder", "Drift", "Ember")
ORG_SUFFIX = ("Labs", "AI", "Systems", "Research", "Cloud", "Works")
# Languages with rough popularity weights.
LANGS = (("en", 100), ("es", 45), ("fr", 40), ("de", 40), ("zh", 35), ("ja", 30), ("pt", 30),
         ("it", 25), ("ko", 20), ("ru", 20), ("ar", 18), ("hi", 15), ("nl", 12), ("pl", 10),
         ("sv", 8), ("tr", 8), ("uk", 6), ("vi", 6), ("id", 6), ("cs", 5), ("da", 4), ("fi", 4),
         ("el", 4), ("he", 4), ("th", 4), ("sw", 2))
CURRENCIES = (("USD", 88), ("EUR", 8), ("GBP", 4))


@dataclass(frozen=True)
class Archetype:
    slug: str
    product: str
    core: tuple[str, ...]
    extra: tuple[str, ...]
    p95_median: float  # ms
    accuracy: tuple[float, float] | None
    per_request: tuple[float, float] | None  # log-uniform range, USD
    per_token: tuple[float, float] | None
    max_tokens: tuple[int, ...] | None
    max_images: tuple[int, ...] | None
    languages: tuple[int, int]
    blurb: str


ARCHETYPES = (
    Archetype("chat", "Chat", ("chat_completion", "text_generation"),
              ("function_calling", "structured_output", "summarization", "code_generation"),
              1500, (0.70, 0.92), (0.001, 0.05), (1e-7, 3e-5), (8192, 32768, 128000, 200000), None,
              (3, 20), "General-purpose conversational model with tool use."),
    Archetype("embed", "Embed", ("text_embedding",), ("reranking", "retrieval"),
              60, (0.75, 0.95), (0.00002, 0.0005), (1e-8, 2e-7), (512, 2048, 8192), None,
              (1, 25), "Dense sentence embeddings for search and retrieval."),
    Archetype("translate", "Translate", ("translation",), ("text_generation", "summarization"),
              350, (0.85, 0.99), (0.0002, 0.01), (1e-7, 2e-6), (4096, 16384), None,
              (4, 26), "Neural machine translation between many language pairs."),
    Archetype("speech", "Transcribe", ("speech_to_text",), ("translation", "summarization"),
              900, (0.85, 0.98), (0.001, 0.03), None, None, None,
              (1, 15), "Streaming and batch transcription of spoken audio."),
    Archetype("voice", "Voice", ("text_to_speech",), ("translation",),
              500, None, (0.0005, 0.02), (1e-6, 2e-5), (4096,), None,
              (1, 12), "Natural-sounding speech synthesis."),
    Archetype("vision", "Vision", ("image_understanding",), ("ocr", "classification", "question_answering"),
              700, (0.80, 0.97), (0.0005, 0.02), None, (4096, 8192), (1, 4, 10, 20),
              (1, 10), "Describes images and answers questions about them."),
    Archetype("imagegen", "Canvas", ("image_generation",), ("image_understanding",),
              4000, None, (0.004, 0.08), None, (1024,), (1, 4, 8),
              (1, 6), "Generates images from a text description."),
    Archetype("code", "Code", ("code_generation", "code_completion"), ("code_review", "function_calling"),
              1200, (0.60, 0.90), (0.001, 0.04), (1e-7, 2e-5), (16384, 65536, 128000), None,
              (1, 4), "Writes, completes and reviews source code."),
    Archetype("classify", "Classify", ("classification",),
              ("sentiment_analysis", "named_entity_recognition", "moderation"),
              40, (0.85, 0.99), (0.00005, 0.002), None, (512, 4096), None,
              (1, 20), "Fast labelling of text at scale."),
    Archetype("qa", "Answer", ("question_answering",), ("summarization", "retrieval", "text_generation"),
              800, (0.70, 0.95), (0.0005, 0.02), (1e-7, 1e-5), (8192, 32768), None,
              (1, 12), "Answers questions grounded in your documents."),
)


def _loguniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _money(value: float) -> Decimal:
    digits = max(2, 3 - int(math.floor(math.log10(value))))  # three significant figures
    places = min(digits, 10)
    return Decimal(format(round(value, places), f".{places}f")).normalize()


def owner_names(rng: random.Random, count: int) -> list[str]:
    names = []
    for i in range(count):
        if rng.random() < 0.4:
            names.append(f"{rng.choice(ORGS)} {rng.choice(ORG_SUFFIX)}")
        else:
            names.append(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        if i >= len(ORGS) * len(ORG_SUFFIX):
            names[-1] = names[-1][:50]
    return names


def contract_data(rng: random.Random, index: int, service_id_prefix: str = "") -> dict:
    """One generated contract (parsed form, schema v1)."""
    arch = rng.choice(ARCHETYPES)
    org = rng.choice(ORGS)
    service_id = f"{service_id_prefix}{org.lower()}-{arch.slug}-{index:06d}"
    caps = list(arch.core) + [c for c in arch.extra if rng.random() < 0.35]
    k = rng.randint(*arch.languages)
    langs: list[str] = []
    pool = list(LANGS)
    while len(langs) < k and pool:
        total = sum(w for _, w in pool)
        pick = rng.uniform(0, total)
        for i, (code, weight) in enumerate(pool):
            pick -= weight
            if pick <= 0:
                langs.append(code)
                pool.pop(i)
                break
    data: dict = {
        "service_id": service_id,
        "name": f"{org} {arch.product} {index % 97 + 1}",
        "version": f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
        "description": (f"{arch.blurb} Operated by {org}; "
                        f"capabilities: {', '.join(c.replace('_', ' ') for c in caps)}."),
        "capabilities": caps,
    }
    guarantees: dict = {}
    if rng.random() > 0.05:
        p95 = max(5, int(rng.lognormvariate(math.log(arch.p95_median), 0.6)))
        latency = {"p95_ms": p95}
        if rng.random() > 0.15:
            latency["p99_ms"] = int(p95 * rng.uniform(1.3, 3.0))
        guarantees["latency"] = latency
    if arch.accuracy and rng.random() > 0.1:
        guarantees["accuracy"] = {"min": round(rng.uniform(*arch.accuracy), 3)}
    if rng.random() > 0.2:
        guarantees["availability"] = {"target": rng.choice((99.0, 99.5, 99.9, 99.9, 99.95, 99.99))}
    if guarantees:
        data["guarantees"] = guarantees
    constraints: dict = {}
    if arch.max_tokens:
        constraints["max_tokens"] = rng.choice(arch.max_tokens)
    if arch.max_images:
        constraints["max_images"] = rng.choice(arch.max_images)
    constraints["supported_languages"] = langs
    data["constraints"] = constraints
    cost: dict = {}
    if arch.per_request and (rng.random() < 0.75 or not arch.per_token):
        cost["per_request"] = _money(_loguniform(rng, *arch.per_request))
    if arch.per_token and (rng.random() < 0.45 or not cost):
        cost["per_token"] = _money(_loguniform(rng, *arch.per_token))
    roll, acc = rng.uniform(0, 100), 0
    for code, weight in CURRENCIES:
        acc += weight
        if roll <= acc:
            cost["currency"] = code
            break
    data["cost"] = cost
    host = f"{arch.slug}.{org.lower()}.example"
    data["endpoint"] = f"https://{host}/v1/{service_id}"
    data["documentation_url"] = f"https://docs.{org.lower()}.example/{arch.slug}"
    data["tags"] = [arch.slug, org.lower()] + (["multilingual"] if len(langs) > 8 else [])
    return data


def _scalar(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def contract_yaml(data: dict) -> str:
    """YAML text for generated data (fast, no YAML library; the shapes here are fixed)."""
    lines = ["# Generated by manage.py seed_demo"]
    for key in ("service_id", "name", "version", "description"):
        lines.append(f"{key}: {_scalar(data[key])}")
    lines.append("capabilities:")
    lines += [f"  - {c}" for c in data["capabilities"]]
    for section in ("guarantees", "constraints", "cost"):
        block = data.get(section)
        if not block:
            continue
        lines.append(f"{section}:")
        for key, value in block.items():
            if isinstance(value, dict):
                lines.append(f"  {key}:")
                lines += [f"    {k}: {_scalar(v)}" for k, v in value.items()]
            elif isinstance(value, list):
                lines.append(f"  {key}: [{', '.join(value)}]")
            else:
                lines.append(f"  {key}: {_scalar(value)}")
    for key in ("endpoint", "documentation_url"):
        lines.append(f"{key}: {_scalar(data[key])}")
    lines.append(f"tags: [{', '.join(data['tags'])}]")
    return "\n".join(lines) + "\n"


def json_ready(data: dict) -> dict:
    """The parsed form as stored in ContractRevision.data (decimals as numbers)."""
    return json.loads(json.dumps(data, default=float))

