import datetime

from django.utils import timezone

from kepling.accounts.models import Role
from kepling.accounts.scoping import wilayah_for
from kepling.core.models import AuditLog
from kepling.regions.actions import start_kepling_term
from kepling.testing import make_user


def test_a_kepling_whose_term_is_over_no_longer_sees_the_lingkungan(city, admin_kota):
    lingkungan = city.lingkungan[0]
    before = make_user("kepling-lama", Role.KEPLING, lingkungan)
    start_kepling_term(by=admin_kota, kepling=before, lingkungan=lingkungan, start=datetime.date(2023, 1, 2))
    successor = make_user("kepling-baru", "", None)
    start_kepling_term(by=admin_kota, kepling=successor, lingkungan=lingkungan, start=timezone.localdate())
    before.refresh_from_db()
    successor.refresh_from_db()
    assert before.wilayah is None
    assert not wilayah_for(before).exists()
    assert list(wilayah_for(successor)) == [lingkungan]
    assert AuditLog.objects.filter(action="access_withdrawn", object_id=str(before.pk)).exists()
