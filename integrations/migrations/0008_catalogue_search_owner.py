"""Text search matches the owner's display name: it joins each entry's search text.

Existing entries get the owner's lowercased name (`owner_key`) appended, as
`integrations/catalogue/publishing.py` (`search_text`) writes it from now on; on PostgreSQL the
generated `search_vector` follows. Going back leaves the words in place (harmless).
"""

from django.db import migrations, models

APPEND_OWNER = ("UPDATE integrations_catalogueentry "
                "SET search_text = search_text || ' ' || owner_key")


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0007_core_breaker_and_key_refused'),
    ]

    operations = [
        migrations.AlterField(
            model_name='catalogueentry',
            name='search_text',
            field=models.TextField(blank=True, help_text='Lowercased name, id, description, tags, owner display name.'),
        ),
        migrations.RunSQL(APPEND_OWNER, migrations.RunSQL.noop, elidable=True),
    ]
