"""Wrongly shaped specs are 400s with a field path, never 500s, and store nothing."""

from __future__ import annotations

import pytest

from catalog.models import Component, ComponentVersion

MALFORMED = [
    "name: Bad\ninputs: 5\n",
    "name: Bad\noutputs: text\n",
    "name: Bad\ninputs: [5, {name: 3}]\n",
    "name: Bad\nimplementation: []\n",
    "name: Bad\nimplementation: {container: {image: x, args: 5}}\n",
    "name: Bad\nimplementation: {container: {image: x, command: [{inputValue: [1]}]}}\n",
    "name: Bad\nimplementation: {container: {image: x, env: [1, 2]}}\n",
    "name: Bad\nmetadata: 7\nimplementation: {container: {image: x}}\n",
    "name: Bad\nresources: [1]\nimplementation: {container: {image: x}}\n",
    "name: [1, 2]\nimplementation: {container: {image: x}}\n",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", MALFORMED)
def test_it_rejects_malformed_specs_with_a_field_path(api, text):
    response = api.post("/api/components/import/", {"yaml": text}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"]
    assert body["problems"]
    # Each problem says what is wrong, and at least one says where.
    assert all(p["code"] and p["message"] for p in body["problems"])
    assert any(p.get("field") for p in body["problems"]), body["problems"]
    assert Component.objects.count() == 0 and ComponentVersion.objects.count() == 0
