"""PostgreSQL only: the catalogue-wide ranking index also carries the search vector.

A text search with more matches than the list counts (2,000) is shown in the default ranking
order, and its first page walks this index until a page of matches is found. Without the
vector in the index every row walked was fetched from the table to test the words (7,400 rows,
about 60 ms, for "translation" with a latency bound at 100,000 services); with it the walk is
index-only (about 3 ms). See docs/catalogue.md, "Where the time goes".
"""

from django.db import migrations

TABLE = "integrations_catalogueentry"
KEY = ("(deprecated, (CASE WHEN currency = 'USD' THEN cost_per_request ELSE NULL END), "
       "p95_ms, service_id)")
COVERED = ("registered_service_id, currency, cost_per_request, capabilities, languages, p99_ms, "
           "accuracy_min, availability_target, max_tokens, max_images, cost_per_token, owner_key")
FORWARD = [
    "DROP INDEX IF EXISTS catalogue_cheapest_cover_idx",
    f"CREATE INDEX catalogue_cheapest_cover_idx ON {TABLE} {KEY} "
    f"INCLUDE ({COVERED}, search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_cheapest_cover_idx",
    f"CREATE INDEX catalogue_cheapest_cover_idx ON {TABLE} {KEY} INCLUDE ({COVERED})",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("integrations", "0008_catalogue_search_owner")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
