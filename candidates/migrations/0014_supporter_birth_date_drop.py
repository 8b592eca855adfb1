"""Every supporter now has its birth date as keyed hash, ciphertext and age flag (0013): the
clear column goes, the new ones are required."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("candidates", "0013_birth_keyed")]

    operations = [
        migrations.AlterField(
            model_name="supporter",
            name="birth_hash",
            field=models.BinaryField(max_length=32),
        ),
        migrations.AlterField(
            model_name="supporter",
            name="birth_cipher",
            field=models.BinaryField(),
        ),
        migrations.AlterField(
            model_name="supporter",
            name="minor",
            field=models.BooleanField(),
        ),
        migrations.RemoveField(model_name="supporter", name="birth_date"),
    ]
