"""BPU contribution rules as dated data (PP 44/2015 and amendments, PP 46/2015, PP 50/2025)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    Rate = apps.get_model("contributions", "ContributionRate")
    Discount = apps.get_model("contributions", "ContributionDiscount")
    Band = apps.get_model("contributions", "IncomeBand")
    start = datetime.date(2015, 7, 1)
    Rate.objects.bulk_create([
        Rate(component="JKK", valid_from=start, basis_points_of_income=100, source="PP 44/2015: 1% of declared income"),
        Rate(component="JKM", valid_from=start, flat_amount=6800, source="PP 44/2015: Rp6.800 flat"),
        Rate(component="JHT", valid_from=start, basis_points_of_income=200, source="PP 46/2015: 2% of declared income"),
    ])
    Band.objects.create(lower=1_000_000, upper=20_700_000, basis=None, valid_from=start)
    Discount.objects.bulk_create([
        Discount(
            name="PP 50/2025: transport-sector informal workers", components="JKK,JKM",
            sektor="transportasi", valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2027, 3, 31),
            percent_off=50, excluded_payers="apbd,apbn",
        ),
        Discount(
            name="PP 50/2025: other informal workers", components="JKK,JKM",
            sektor="lainnya", valid_from=datetime.date(2026, 4, 1), valid_to=datetime.date(2026, 12, 31),
            percent_off=50, excluded_payers="apbd,apbn",
        ),
    ])


def unseed(apps, schema_editor):
    for name in ("ContributionRate", "ContributionDiscount", "IncomeBand"):
        apps.get_model("contributions", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
