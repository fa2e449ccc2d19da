"""Django serves the built editor's index.html for every browser route, and never for /api/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

pytestmark = pytest.mark.django_db

INDEX = '<!doctype html><html><body><div id="root"></div><!-- spa-test-marker --></body></html>'


@pytest.fixture
def dist(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """A stand-in for frontend/dist holding only an index.html."""
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


def test_it_serves_the_index_at_the_root(dist: Path, client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.content.decode() == INDEX
    # A new build must reach the browser: the page itself is not cached.
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/pipelines/3", "/runs/12", "/catalog/5?search=split", "/pipelines/new"])
def test_it_serves_the_index_for_deep_links(dist: Path, client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode() == INDEX


@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/api/pipelines/1/nope/"])
def test_an_unknown_api_path_is_not_the_index(dist: Path, client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"spa-test-marker" not in response.content
    assert not response["Content-Type"].startswith("text/html")


def test_it_explains_a_missing_build(settings: SettingsWrapper, tmp_path: Path, client: Client) -> None:
    settings.FRONTEND_DIST = tmp_path / "not-built"
    response = client.get("/pipelines/3")
    assert response.status_code == 200
    assert b"not built yet" in response.content
