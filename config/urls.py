"""URL routes."""

from django.contrib import admin
from django.urls import include, path

# Requests refused before routing (a forged Host header) answer in the API's error shape under /api/.
handler400 = "kepling.api.urls.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("kepling.core.urls")),
    path("dasbor/", include("kepling.dashboards.urls")),
    path("pekerja/", include("kepling.workers.urls")),
    path("impor/", include("kepling.imports.urls")),
    path("rekonsiliasi/", include("kepling.reconciliation.urls")),
    path("pengingat/", include("kepling.reminders.urls")),
    path("laporan/", include("kepling.reports.urls")),
    path("wilayah/", include("kepling.regions.urls")),
    path("api/v1/", include("kepling.api.urls")),
    path("", include("kepling.accounts.urls")),
]
