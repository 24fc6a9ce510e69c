"""PostgreSQL only: make the default-ranking index covering, so discovery's first step (the ids of
one page, in ranking order) is an index-only scan that stops after a page of matches."""

from django.db import migrations

TABLE = "integrations_catalogueentry"
FORWARD = [
    "DROP INDEX IF EXISTS catalogue_cheapest_usd_idx",
    f"""CREATE INDEX catalogue_cheapest_cover_idx ON {TABLE} (deprecated,
        (CASE WHEN currency = 'USD' THEN cost_per_request ELSE NULL END), p95_ms, service_id)
        INCLUDE (registered_service_id, currency, cost_per_request, capabilities, languages,
                 p99_ms, accuracy_min, availability_target, max_tokens, max_images, cost_per_token,
                 owner_key)""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_cheapest_cover_idx",
    f"""CREATE INDEX catalogue_cheapest_usd_idx ON {TABLE} (deprecated,
        (CASE WHEN currency = 'USD' THEN cost_per_request ELSE NULL END), p95_ms, service_id)""",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("integrations", "0003_catalogue_entry")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
