"""Ids printed into URLs, form values and attributes stay plain digits in Bahasa Indonesia."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation


def test_a_raw_number_in_a_template_has_no_thousands_separator() -> None:
    with translation.override("id"):
        source = '{% load kepling_format %}<a href="/pekerja/{{ pk }}/" data-id="{{ pk }}">{{ n|angka }}</a>'
        template = Template(source)
        rendered = template.render(Context({"pk": 26743, "n": 26743}))
    assert rendered == '<a href="/pekerja/26743/" data-id="26743">26.743</a>'
