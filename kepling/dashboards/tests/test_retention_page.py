import datetime

from django.test import Client

from kepling.contributions.ledger import record_payment
from kepling.testing import make_worker


def test_retention_page_for_own_area_and_404_beside_it(city, lurah):
    worker = make_worker(city.lingkungan[0], registered="2025-05-20")
    record_payment(
        by=None,
        worker=worker,
        periode=datetime.date(2025, 5, 1),
        jumlah=16_800,
        tanggal_bayar=datetime.date(2025, 5, 20),
        referensi="R-1",
    )
    client = Client()
    client.force_login(lurah)
    page = client.get("/dasbor/12.71.01.1001/retensi/?per=2025-10-29")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025-05" in html and "3 bulan" in html
    assert client.get("/dasbor/12.71.01.1002/retensi/").status_code == 404
