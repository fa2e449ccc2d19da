"""Component versions never change once stored, like pipeline versions (tests/pipelines): pipelines and
past runs point at them."""

from __future__ import annotations

import pytest

from catalog.models import ComponentVersion
from catalog.services import component_import

pytestmark = pytest.mark.django_db

SPEC = {
    "name": "Echo",
    "inputs": [{"name": "text", "type": "String"}],
    "implementation": {"container": {"image": "alpine:3", "command": ["echo", {"inputValue": "text"}]}},
}


def test_a_stored_component_version_refuses_to_be_saved_again() -> None:
    version, created = component_import(spec=SPEC)
    assert created
    version.image = "alpine:edge"
    with pytest.raises(ValueError, match="ComponentVersion is immutable"):
        version.save()
    stored = ComponentVersion.objects.get(pk=version.pk)
    assert stored.image == "alpine:3"
    assert stored.spec == version.spec


def test_a_changed_component_spec_is_a_new_version_instead() -> None:
    first, _ = component_import(spec=SPEC)
    second, created = component_import(spec={**SPEC, "description": "Prints its input."})
    assert created
    assert (first.component_id, first.version + 1) == (second.component_id, second.version)
    assert ComponentVersion.objects.filter(component=first.component).count() == 2
