
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('candidates', '0007_upload_purged_at'),
        ('electorate', '0004_upload_purged_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MinutesPdf',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to='uploads/%Y/%m/')),
                ('original_name', models.CharField(max_length=255)),
                ('sha256', models.CharField(max_length=64)),
                ('size', models.BigIntegerField(default=0)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('pending', 'Menunggu'), ('running', 'Diproses'), ('done', 'Selesai'), ('failed', 'Gagal')], default='pending', max_length=10)),
                ('rows_read', models.BigIntegerField(default=0)),
                ('bytes_read', models.BigIntegerField(default=0)),
                ('accepted', models.BigIntegerField(default=0)),
                ('rejected', models.BigIntegerField(default=0)),
                ('errors', models.JSONField(blank=True, default=list)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('failure', models.TextField(blank=True)),
                ('purged_at', models.DateTimeField(blank=True, null=True)),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'berkas berita acara',
                'verbose_name_plural': 'berkas berita acara',
            },
        ),
        migrations.CreateModel(
            name='Minutes',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, unique=True)),
                ('stage', models.CharField(choices=[('vermin', 'Verifikasi administrasi'), ('verfak', 'Verifikasi faktual'), ('decision', 'Penetapan hasil verifikasi dukungan')], max_length=10)),
                ('round', models.PositiveSmallIntegerField(default=0)),
                ('number', models.CharField(max_length=100, verbose_name='nomor berita acara')),
                ('meeting_date', models.DateField(verbose_name='tanggal rapat pleno')),
                ('meeting_place', models.CharField(max_length=200, verbose_name='tempat rapat pleno')),
                ('present', models.JSONField(default=list)),
                ('figures', models.JSONField()),
                ('sha256', models.CharField(max_length=64, unique=True)),
                ('issued_at', models.DateTimeField(auto_now_add=True)),
                ('issued_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('pair', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='minutes', to='candidates.pair')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='electorate.region')),
                ('pdf', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='minutes', to='documents.minutespdf')),
            ],
            options={
                'verbose_name': 'berita acara',
                'verbose_name_plural': 'berita acara',
                'indexes': [models.Index(fields=['pair', 'stage', 'round'], name='minutes_pair_stage')],
            },
        ),
    ]
