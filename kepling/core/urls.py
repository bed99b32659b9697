from django.urls import path

from kepling.core import health, views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", health.healthz, name="healthz"),
]
