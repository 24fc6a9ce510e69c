"""PostgreSQL only: one partial covering ranking index per known capability.

Discovery writes one `capabilities @> ARRAY[c]` clause per requested capability, so the planner
can walk the index of the rarest requested capability in ranking order and stop after a page of
matches (instead of walking the whole catalogue's ranking index or bitmap-scanning every match).
Capabilities outside this list (the SDK's vocabulary when written) still work, via the GIN index
and the catalogue-wide ranking index.
"""

from django.db import migrations

TABLE = "integrations_catalogueentry"
CAPABILITIES = (
    "text_generation", "chat_completion", "text_embedding", "image_generation",
    "image_understanding", "code_generation", "code_completion", "code_review", "speech_to_text",
    "text_to_speech", "translation", "summarization", "classification", "sentiment_analysis",
    "named_entity_recognition", "question_answering", "reranking", "retrieval", "moderation",
    "function_calling", "structured_output", "ocr",
)


def _create(cap: str) -> str:
    return (
        f"CREATE INDEX catalogue_cap_{cap}_idx ON {TABLE} (deprecated, "
        "(CASE WHEN currency = 'USD' THEN cost_per_request ELSE NULL END), p95_ms, service_id) "
        "INCLUDE (registered_service_id, currency, cost_per_request, capabilities, languages, "
        "p99_ms, accuracy_min, availability_target, max_tokens, max_images, cost_per_token, "
        f"owner_key) WHERE capabilities @> ARRAY['{cap}']::text[]"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for cap in CAPABILITIES:
            schema_editor.execute(_create(cap))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for cap in CAPABILITIES:
            schema_editor.execute(f"DROP INDEX IF EXISTS catalogue_cap_{cap}_idx")


class Migration(migrations.Migration):
    dependencies = [("integrations", "0004_catalogue_cover")]
    operations = [migrations.RunPython(forward, backward)]
