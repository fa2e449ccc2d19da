"""POST /api/components/import/: JSON or multipart, created/unchanged, rejections leave no rows."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ComponentVersion
from tests.catalog.catalog_factories import spec_dict, spec_yaml

pytestmark = pytest.mark.django_db

URL = "/api/components/import/"
MiB = 1024 * 1024


def upload(text: str | bytes, name: str = "component.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="application/x-yaml")


def test_json_import_creates_then_finds_the_version(api, user) -> None:  # type: ignore[no-untyped-def]
    first = api.post(URL, {"yaml": spec_yaml()}, format="json")
    again = api.post(URL, {"yaml": spec_yaml()}, format="json")

    assert first.status_code == 201
    assert first.json()["created"] is True
    version = first.json()["version"]
    assert (version["name"], version["version"]) == ("Train random forest", 1)
    assert ComponentVersion.objects.get(pk=version["id"]).created_by == user

    assert again.status_code == 200
    assert again.json() == {"created": False, "version": version}


def test_a_changed_spec_is_version_2(api) -> None:  # type: ignore[no-untyped-def]
    api.post(URL, {"yaml": spec_yaml()}, format="json")
    response = api.post(URL, {"yaml": spec_yaml(description="v2")}, format="json")
    assert response.status_code == 201
    assert response.json()["version"]["version"] == 2


def test_multipart_file_upload(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(URL, {"file": upload("\ufeff" + spec_yaml())}, format="multipart")
    assert response.status_code == 201
    assert response.json()["version"]["spec"] == spec_dict()


def test_invalid_spec_is_400_with_field_paths_and_no_rows(api, row_counts) -> None:  # type: ignore[no-untyped-def]
    bad = spec_dict()
    bad["implementation"]["container"]["args"][3] = {"inputValue": "n_trees"}
    bad["resources"] = {"memory": "lots"}

    response = api.post(URL, {"yaml": yaml.safe_dump(bad)}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("Invalid component spec:")
    assert [(p["code"], p["field"]) for p in body["problems"]] == [
        ("unknown_input", "implementation.container.args[3].inputValue"),
        ("invalid_resources", "resources.memory"),
    ]
    assert row_counts() == (0, 0)


@pytest.mark.parametrize(
    ("payload", "fmt", "code"),
    [
        ({"yaml": "name: [unclosed\n"}, "json", "invalid_yaml"),
        ({"yaml": ""}, "json", "blank"),
        ({"yaml": "- a list\n"}, "json", "invalid_document"),
        ({}, "json", "required"),
        ({"spec": spec_dict()}, "json", "required"),
        ({"yaml": spec_yaml(), "file": SimpleUploadedFile("c.yaml", spec_yaml().encode())}, "multipart", "ambiguous"),
        ({"yaml": "x" * (3 * MiB)}, "multipart", "too_large"),
    ],
)
def test_bad_requests_are_refused_and_leave_no_rows(api, row_counts, payload, fmt, code) -> None:  # type: ignore[no-untyped-def]
    api.post(URL, {"yaml": spec_yaml("Existing")}, format="json")
    before = row_counts()

    response = api.post(URL, payload, format=fmt)

    assert response.status_code == (413 if code == "too_large" else 400)
    body = response.json()
    assert set(body) == {"message", "problems"}
    assert body["problems"][0]["code"] == code
    assert row_counts() == before


def test_a_binary_upload_is_refused_as_not_text(api, row_counts) -> None:  # type: ignore[no-untyped-def]
    response = api.post(URL, {"file": upload(b"\x89PNG\r\n\x1a\n\xff\xfe")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["problems"][0] == {
        "code": "invalid_encoding",
        "field": "file",
        "message": response.json()["problems"][0]["message"],
    }
    assert row_counts() == (0, 0)


def test_an_oversized_upload_is_413_with_a_clear_message(api, row_counts) -> None:  # type: ignore[no-untyped-def]
    big = spec_yaml() + "# " + "x" * MiB + "\n"
    response = api.post(URL, {"file": upload(big)}, format="multipart")

    assert response.status_code == 413
    body = response.json()
    assert body["message"] == f"The component file is {len(big.encode()):,} bytes; the limit is 1 MiB (1,048,576 bytes)."
    assert body["problems"][0]["field"] == "file"
    assert row_counts() == (0, 0)


def test_oversized_json_is_413(api, row_counts) -> None:  # type: ignore[no-untyped-def]
    big = spec_yaml() + "# " + "é" * (MiB // 2) + "\n"  # under 1 Mi characters, over 1 MiB of UTF-8
    response = api.post(URL, {"yaml": big}, format="json")
    assert response.status_code == 413
    assert response.json()["problems"][0]["field"] == "yaml"

    huge = json.dumps({"yaml": "#" * (5 * MiB)})
    response = api.post(URL, huge, content_type="application/json")
    assert response.status_code == 413
    assert row_counts() == (0, 0)


def test_a_file_just_under_the_limit_is_fine(api) -> None:  # type: ignore[no-untyped-def]
    text = spec_yaml()
    text += "# " + "x" * (MiB - len(text.encode()) - 3) + "\n"
    assert len(text.encode()) == MiB
    assert api.post(URL, {"file": upload(text)}, format="multipart").status_code == 201
