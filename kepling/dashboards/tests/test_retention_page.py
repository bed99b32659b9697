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


def test_the_page_never_computes_its_tables_and_never_shows_them_after_a_change(
    city, lurah, settings, django_capture_on_commit_callbacks
):
    """In production the tables come from the background job, keyed on the node's stored figures."""
    from django.core.cache import cache
    from django_tasks import default_task_backend

    from kepling.contributions.retention import compute_retention_tables
    from kepling.contributions.summaries import refresh_summaries

    settings.SUMMARIES_COMPUTE_ON_READ = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    cache.clear()
    worker = make_worker(city.lingkungan[0], registered="2025-05-20")
    def pay(month: int, reference: str) -> None:
        record_payment(
            by=None, worker=worker, jumlah=16_800, periode=datetime.date(2025, month, 1),
            tanggal_bayar=datetime.date(2025, month, 20), referensi=reference,
        )

    pay(5, "R-1")
    refresh_summaries([datetime.date(2025, 10, 29)])
    client = Client()
    client.force_login(lurah)
    url = "/dasbor/12.71.01.1001/retensi/?per=2025-10-29"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url).content.decode()
        again = client.get(url).content.decode()
    cohort_row = '<th scope="row">2025-05</th>'
    assert "sedang dihitung" in first and cohort_row not in first  # nothing computed in the request
    assert "sedang dihitung" in again
    asked = [r.args for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert len(asked) == 1  # asked once, not on every visit

    compute_retention_tables(*asked[0])  # what `kepling db_worker` runs
    shown = client.get(url).content.decode()
    assert "sedang dihitung" not in shown and cohort_row in shown

    # A later payment changes the figures: the stored summaries are refreshed, and the old tables
    # (one paid month, not retained) are not shown again.
    pay(6, "R-2")
    refresh_summaries([datetime.date(2025, 10, 29)])
    with django_capture_on_commit_callbacks(execute=True):
        after = client.get(url).content.decode()
    assert "sedang dihitung" in after
