"""The registry's clear birth dates, converted by 0011, go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("verification", "0011_registry_birth_keyed")]

    operations = [migrations.RemoveField(model_name="registryanswer", name="birth_date")]
