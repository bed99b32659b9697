from django.urls import URLPattern, URLResolver, path

from kepling.reminders import rules_views, views

app_name = "reminders"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.follow_up, name="follow_up"),
    path("pekerja/<int:worker_id>/whatsapp/", views.open_whatsapp, name="whatsapp"),
    path("pekerja/<int:worker_id>/hasil/", views.record_outcome, name="outcome"),
    path("eskalasi/", views.escalations, name="escalations"),
    path("hasil/", views.effect, name="effect"),
    path("gagal/", views.failed, name="failed"),
    path("aturan/", rules_views.rule_list, name="rules"),
    path("aturan/<int:rule_id>/", rules_views.rule_edit, name="rule_edit"),
    path("aturan/<int:rule_id>/aktif/", rules_views.rule_active, name="rule_active"),
    path("kanal/", rules_views.channel_list, name="channels"),
    path("kanal/<int:channel_id>/", rules_views.channel_edit, name="channel_edit"),
]
