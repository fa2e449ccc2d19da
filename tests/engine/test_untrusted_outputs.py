"""A step's outputs are untrusted: links, pipes and the like never make the worker (root) read,
store or chmod files outside the step's /outputs. Real worker, real Docker."""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
from pathlib import Path

import pytest

from datasets import store
from runs.models import Artifact
from tests.engine.conftest import make_pipeline, no_containers_left, node, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file only the worker's user may read, at a path the step can name but not see."""
    path = tmp_path / "secret.txt"
    path.write_bytes(b"worker secret " + hashlib.sha256(str(tmp_path).encode()).hexdigest().encode())
    path.chmod(0o600)
    return path


def run_one(api, shell_component, script: str) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    pipeline = make_pipeline("untrusted output", [node("leaky", shell_component, script)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    run = wait_for_run(run_id, timeout=60)
    no_containers_left(run_id)
    return run_id, run


@pytest.mark.parametrize("target", ["secret", "/etc/hostname"])
def test_an_output_that_is_a_symbolic_link_fails_the_step_and_leaves_its_target_alone(api, worker, shell_component,
                                                                                      secret, target):
    target_path = secret if target == "secret" else Path(target)
    before = target_path.lstat()
    content = target_path.read_bytes()

    run_id, run = run_one(api, shell_component, f"import os, sys; os.symlink({str(target_path)!r}, sys.argv[1])")

    step = run.steps.get()
    assert run.status == "failed" and step.status == "failed"
    assert "output `out` is a symbolic link; outputs must be regular files" in step.error, step.error
    after = target_path.lstat()
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)
    assert (after.st_ino, after.st_uid) == (before.st_ino, before.st_uid)
    assert target_path.read_bytes() == content
    assert not Artifact.objects.filter(run_id=run_id).exists()
    if target == "secret":
        assert not store.blob_path(hashlib.sha256(content).hexdigest()).exists(), "the linked file was stored"


def test_an_output_that_is_a_named_pipe_fails_the_step_instead_of_blocking_the_worker(api, worker, shell_component):
    _, run = run_one(api, shell_component, "import os, sys; os.mkfifo(sys.argv[1])")

    step = run.steps.get()
    assert step.status == "failed"
    assert "output `out` is a named pipe; outputs must be regular files" in step.error, step.error


def test_links_inside_a_directory_output_are_archived_as_links_never_followed(api, worker, shell_component, secret):
    script = (
        "import os, sys; d = sys.argv[1]; os.makedirs(d + '/sub'); open(d + '/sub/kept.txt', 'w').write('fine'); "
        f"os.symlink({str(secret)!r}, d + '/leak'); os.symlink('/etc', d + '/sub/etc')"
    )
    before = secret.lstat()

    _, run = run_one(api, shell_component, script)

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    artifact = Artifact.objects.get(step__run=run, name="out")
    assert artifact.media_type == "application/x-tar"
    data = store.read_head(artifact.sha256, 10 * 1024 * 1024)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members["out/leak"].issym() and members["out/leak"].linkname == str(secret)
        assert members["out/sub/etc"].issym() and members["out/sub/etc"].linkname == "/etc"
        assert tar.extractfile(members["out/sub/kept.txt"]).read() == b"fine"  # type: ignore[union-attr]
        assert not [name for name in members if name.startswith("out/sub/etc/")], "a linked directory was followed"
    assert secret.read_bytes() not in data
    assert stat.S_IMODE(secret.lstat().st_mode) == stat.S_IMODE(before.st_mode) == 0o600
