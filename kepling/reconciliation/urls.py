from django.urls import URLPattern, URLResolver, path

from kepling.reconciliation import views

app_name = "reconciliation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("batalkan-pembayaran/", views.reverse_payment, name="reverse_payment"),
    path("<int:item_id>/", views.item_detail, name="item"),
    path("<int:item_id>/<str:decision>/", views.decide, name="decide"),
]
