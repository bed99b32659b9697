from django.urls import URLPattern, URLResolver, path

from kepling.reminders import views

app_name = "reminders"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.follow_up, name="follow_up"),
    path("pekerja/<int:worker_id>/whatsapp/", views.open_whatsapp, name="whatsapp"),
    path("pekerja/<int:worker_id>/hasil/", views.record_outcome, name="outcome"),
    path("eskalasi/", views.escalations, name="escalations"),
    path("hasil/", views.effect, name="effect"),
    path("gagal/", views.failed, name="failed"),
]
