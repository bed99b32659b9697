"""The progress chart's points are the node's figures at each month end, as `kepling summary` gives them."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from kepling.contributions.ledger import record_payment
from kepling.dashboards.queries import progress_series
from kepling.testing import make_worker

D = datetime.date


def summary(kode: str, day: str) -> dict[str, int]:
    out = StringIO()
    call_command("summary", "--wilayah", kode, "--as-of", day, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_each_point_is_the_summary_of_its_day(city):
    for n, (where, registered, paid) in enumerate(
        [(0, "2025-05-20", D(2025, 5, 25)), (1, "2025-06-03", D(2025, 7, 2)), (5, "2025-07-01", None)]
    ):
        worker = make_worker(city.lingkungan[where], nik=f"12710115059000{n + 1:02d}", registered=registered)
        if paid is not None:
            record_payment(
                by=None, worker=worker, periode=paid.replace(day=1), jumlah=16_800, tanggal_bayar=paid,
                referensi=f"R-{n}",
            )  # fmt: skip
    as_of = D(2025, 8, 15)
    for node in (city.kota, city.lingkungan[0].parent):
        series = progress_series(node, as_of, D(2025, 5, 14))
        assert [p["as_of"] for p in series] == ["2025-05-31", "2025-06-30", "2025-07-31", "2025-08-15"]
        for point in series:
            expected = summary(node.kode, point["as_of"])
            assert {k: v for k, v in point.items() if k != "as_of"} == {k: expected[k] for k in point if k != "as_of"}
    assert [p["protected"] for p in progress_series(city.kota, as_of, D(2025, 5, 14))] == [1, 1, 2, 2]
