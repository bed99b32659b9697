"""Seed what Kota Medan calls each level of the wilayah tree and the head of each.

Level names are data, not code: a deployment whose units are Desa/RW/RT edits these rows
(in the admin) and needs no code change. Levels are numbered from the top: 0 is the city.
"""

from django.db import migrations

MEDAN_LEVELS = [
    (0, "kota", "Kota", "Wali Kota"),
    (1, "kecamatan", "Kecamatan", "Camat"),
    (2, "kelurahan", "Kelurahan", "Lurah"),
    (3, "lingkungan", "Lingkungan", "Kepala Lingkungan"),
]


def seed_level_names(apps, schema_editor):
    LevelName = apps.get_model("regions", "LevelName")
    for level, key, name, head_title in MEDAN_LEVELS:
        LevelName.objects.get_or_create(
            level=level, defaults={"key": key, "name": name, "head_title": head_title}
        )


def remove_level_names(apps, schema_editor):
    LevelName = apps.get_model("regions", "LevelName")
    LevelName.objects.filter(level__in=[row[0] for row in MEDAN_LEVELS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("regions", "0002_stale_summary"),
    ]

    operations = [
        migrations.RunPython(seed_level_names, remove_level_names),
    ]
