"""A registration resent with the same form key (a dropped connection) registers one worker."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.testing import City
from kepling.workers.models import Worker
from kepling.workers.tests.test_views import form_data

REGISTER = reverse("workers:register")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_same_form_sent_twice_registers_once(city: City, kepling_user: User) -> None:
    client = client_for(kepling_user)
    key = re.search(r'name="kunci" value="([0-9a-f]{32})"', client.get(REGISTER).content.decode())
    assert key is not None
    data = form_data(kunci=key[1])
    first = client.post(REGISTER, data)
    second = client.post(REGISTER, data)
    worker = Worker.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("workers:detail", args=[worker.pk])
    assert AuditLog.objects.filter(action="worker_registered").count() == 1
    # The resend is told the worker is registered, not that the NIK is taken.
    page = client.get(second["Location"]).content.decode()
    assert "sudah terdaftar" not in page


@pytest.mark.django_db
def test_a_failed_submit_keeps_the_values_and_the_key(city: City, kepling_user: User) -> None:
    client = client_for(kepling_user)
    response = client.post(REGISTER, form_data(kunci="a" * 32, penghasilan="12"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Budi Santoso"' in html and 'name="kunci" value="' + "a" * 32 + '"' in html
    assert not Worker.objects.exists()


@pytest.mark.django_db
def test_a_background_send_is_told_where_to_go_and_keeps_the_message(city: City, kepling_user: User) -> None:
    client = client_for(kepling_user)
    answer = client.post(REGISTER, form_data(kunci="b" * 32), HTTP_X_KEPLING_BACKGROUND="1")
    worker = Worker.objects.get()
    assert answer.status_code == 204
    assert answer["X-Kepling-Location"] == reverse("workers:detail", args=[worker.pk])
    # The success message waits for the page the script goes to.
    assert "Budi Santoso terdaftar" in client.get(answer["X-Kepling-Location"]).content.decode()
