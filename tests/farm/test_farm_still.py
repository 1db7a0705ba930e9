"""A still on the farm: ``ft-dcc farm submit concept.png`` writes a bundle of one publish step
(a still has no frames to capture), ``openjd run`` runs it, and the version is a still as
``ft-dcc publish concept.png`` makes it: an ``ftrackreview-image`` (ftr_meta format image), a
thumbnail and the original, no movie; a still's ``--frames`` is refused at submission, nothing
written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from farm_helpers import farm_env, openjd_run, step_names, submit, validate
from support import make_task, open_session

Image = pytest.importorskip("PIL.Image")


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_a_still_is_submitted_and_published_as_a_still(
    embedded_server: Any, tmp_path: Path
) -> None:
    still = tmp_path / "keyart.png"
    Image.new("RGB", (320, 180), (200, 120, 40)).save(still)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"fs{uuid.uuid4().hex[:8]}")
    env = farm_env(embedded_server, tmp_path)
    name = f"Farm stills {uuid.uuid4().hex[:6]}"

    refused = submit(env, tmp_path / "none", str(still), "--task", task, "--frames", "1001-1010",
                     "--review-session", name)  # fmt: skip
    assert refused.returncode == 1 and "is a still" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "none").exists()

    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(still), "--task", task, "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    validate(bundle)
    assert step_names(bundle) == ["01-keyart publish"]
    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]

    with open_session(embedded_server, tmp_path / "check") as session:
        [item] = session.query(
            "select asset_version.id, asset_version.asset.name from ReviewSessionObject "
            f'where review_session.name is "{name}"'
        ).all()
        version = item["asset_version"]
        assert version["asset"]["name"] == "keyart"
        components = session.query(
            "select name, metadata.key, metadata.value from Component "
            f'where version_id is "{version["id"]}"'
        ).all()
        names = sorted(c["name"] for c in components)
        assert "ftrackreview-image" in names and "ftrackreview-mp4" not in names, names
        [image] = [c for c in components if c["name"] == "ftrackreview-image"]
        meta = json.loads(image["metadata"]["ftr_meta"])
        assert meta == {"format": "image", "width": 320, "height": 180}
