"""The core's circuit breaker (one shared row), and `Submission.key_refused`.

Submissions that failed before this migration on a refusal by the core (its gateways' message
"... refused the request (4xx) ...") are marked `key_refused`, so a staff retry takes a new key
for them as before; every other failed one may have been applied, and a retry reuses its key.
"""

from django.db import migrations, models

REFUSAL = "refused the request ("


def mark_refused_keys(apps, schema_editor):
    Submission = apps.get_model("integrations", "Submission")
    Submission.objects.filter(status="failed", last_error__contains=REFUSAL).update(
        key_refused=True)


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0006_review_breaking_verdict'),
    ]

    operations = [
        migrations.CreateModel(
            name='CoreBreaker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('failures', models.PositiveIntegerField(default=0, help_text='Timeouts or 5xx in a row.')),
                ('reason', models.CharField(blank=True, choices=[('', 'Closed'), ('failing', 'The core is failing'), ('credentials', "The core refuses the portal's credentials")], default='', max_length=12)),
                ('opened_at', models.DateTimeField(blank=True, null=True)),
                ('open_until', models.DateTimeField(blank=True, help_text='No call before this; then one probe call.', null=True)),
                ('probe_until', models.DateTimeField(blank=True, help_text='The lease of the probe call in flight.', null=True)),
                ('last_error', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'core circuit breaker',
            },
        ),
        migrations.AddField(
            model_name='submission',
            name='key_refused',
            field=models.BooleanField(default=False, help_text='The core refused a request with this idempotency key (a 4xx), so a staff retry takes a new key. Otherwise the key may have been applied (a timeout, a connection error, a 5xx) and a retry sends the same key again.'),
        ),
        migrations.RunPython(mark_refused_keys, migrations.RunPython.noop),
    ]

