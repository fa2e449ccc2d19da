"""Run the built-in components in the worker images under the executor's rules.

No network, read-only root filesystem, tmpfs /tmp, uid 1000, inputs mounted
read-only at /inputs/<name>, outputs in /outputs. Skipped when Docker or the
images are missing (build them with worker_images/build.sh).
"""
from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.component_library.complib_runner import (
    DockerRunner,
    assert_chain_formats,
    build_argv,
    docker_image_available,
    load_spec,
    run_classifier_chain,
    strict_json,
)

pytestmark = pytest.mark.docker

needs_sklearn_image = pytest.mark.skipif(
    not docker_image_available("pipeline-studio/sklearn:1"), reason="pipeline-studio/sklearn:1 not built"
)
needs_base_image = pytest.mark.skipif(
    not docker_image_available("pipeline-studio/base:1"), reason="pipeline-studio/base:1 not built"
)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    tmp_path.chmod(0o755)  # bind-mounted inputs live below it
    return tmp_path


@needs_sklearn_image
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["iris", "breast_cancer"])
def test_the_classifier_chain_runs_in_the_sklearn_image(work: Path, dataset: str) -> None:
    outputs = run_classifier_chain(DockerRunner(), dataset, work)
    assert_chain_formats(outputs, dataset)


@needs_sklearn_image
def test_run_python_script_can_use_pandas_and_tmp_only(work: Path) -> None:
    script = (
        "import os, pandas as pd\n"
        "assert os.getuid() == 1000\n"
        "open('scratch.txt', 'w').write('cwd is writable scratch')\n"
        "try:\n"
        "    open('/etc/x', 'w')\n"
        "    METRICS['root_writable'] = 1\n"
        "except OSError:\n"
        "    METRICS['root_writable'] = 0\n"
        "pd.DataFrame({'a': [1, 2]}).to_csv(OUTPUT_PATH, index=False)\n"
    )
    result = DockerRunner().run("run_python_script", work / "out", {"script": script}).check()
    assert strict_json(result.outputs["metrics"]) == {"root_writable": 0}
    assert result.outputs["output_data"].read_text() == "a\n1\n2\n"


@needs_base_image
def test_noop_runs_in_the_base_image_and_fails_on_request(work: Path) -> None:
    ok = DockerRunner().run("noop", work / "ok", {"message": "hi there"}).check()
    assert ok.outputs["out"].read_text() == "hi there"
    failed = DockerRunner().run("noop", work / "failed", {"exit_code": 7})
    assert failed.returncode == 7


@needs_base_image
def test_noop_as_pid_1_stops_on_docker_stop_without_the_kill_timeout(work: Path) -> None:
    out = work / "out"
    out.mkdir()
    out.chmod(0o777)
    spec = load_spec("noop")
    argv = build_argv(spec, {"sleep_seconds": 120}, str, lambda name: f"/outputs/{name}")
    name = f"complib-noop-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "--network", "none", "--read-only", "--tmpfs", "/tmp",
         "--user", "1000:1000", "-v", f"{out}:/outputs", "--entrypoint", argv[0],
         spec["implementation"]["container"]["image"], *argv[1:]],
        check=True, capture_output=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "noop: message" not in subprocess.run(
            ["docker", "logs", name], capture_output=True, text=True
        ).stdout:
            assert time.monotonic() < deadline, "noop did not start"
            time.sleep(0.2)
        started = time.monotonic()
        subprocess.run(["docker", "stop", "-t", "20", name], check=True, capture_output=True)
        assert time.monotonic() - started < 10
        code = subprocess.run(
            ["docker", "inspect", "-f", "{{.State.ExitCode}}", name], capture_output=True, text=True
        ).stdout.strip()
        assert code == "143"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
