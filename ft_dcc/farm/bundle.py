"""Write a job bundle: the folder ``deadline bundle submit`` and ``openjd run`` take.

- ``template.json``: the OpenJD job template (:mod:`ft_dcc.farm.template`);
- ``parameter_values.json``: its values in the bundle format (``parameterValues``: a list of
  ``{"name", "value"}``), which ``deadline bundle submit`` reads;
- ``openjd_params.json``: the same values as one mapping, for
  ``openjd run template.json --job-param file://openjd_params.json``;
- ``scenes.json``: each scene's path and task (the job parameter ``Scenes``: one input, whatever
  the number of scenes);
- ``asset_references.json``: the files the job reads and writes (:mod:`ft_dcc.farm.assets`).

The bundle is checked with ``openjd-model`` (when it is installed, as the dev extra does)
before anything is written: ``farm submit`` never writes a bundle OpenJD refuses.

JSON is written because it needs no library (the core imports with only its four
dependencies) and both tools read it. No credential is ever written: nodes publish with the
``FTRACK_*`` of their own environment.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Dict, Optional

from ft_dcc.exceptions import FarmError
from ft_dcc.farm.assets import ASSET_REFERENCES, asset_references
from ft_dcc.farm.model import FarmBatch
from ft_dcc.farm.template import job_template, parameter_values, scenes_document
from ft_dcc.protocol.json_value import JsonObject

log = logging.getLogger(__name__)

TEMPLATE = "template.json"
PARAMETER_VALUES = "parameter_values.json"
OPENJD_PARAMS = "openjd_params.json"
SCENES = "scenes.json"
WORK = "work"


def new_folder() -> Path:
    """A new folder for a bundle when no ``--output`` was given."""
    return Path(tempfile.mkdtemp(prefix="ft_dcc-farm-job-")).absolute()


def output_folder(output: Optional[str]) -> Optional[Path]:
    """``--output`` (refused when it already holds a bundle, or is a file), else None."""
    if not output:
        return None
    folder = Path(output).expanduser().absolute()
    if (folder / TEMPLATE).exists():
        raise FarmError(
            f"{folder} already holds a job bundle",
            hint="give a new --output folder (a bundle is run again as it is, never rewritten)",
        )
    if folder.exists() and not folder.is_dir():
        raise FarmError(f"--output {folder} is a file", hint="give a folder")
    return folder


def write_bundle(batch: FarmBatch, folder: Path) -> Path:
    """Check the bundle, then write it into ``folder``; return the template's path."""
    work = batch.work_dir or folder / WORK
    scenes_file = folder / SCENES
    values = parameter_values(batch, work, scenes_file)
    template = job_template(batch)
    check_bundle(template, values, folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write(scenes_file, scenes_document(batch))
    _write(folder / ASSET_REFERENCES, asset_references(batch, scenes_file, work))
    _write(folder / PARAMETER_VALUES, {
        "parameterValues": [{"name": name, "value": value} for name, value in values.items()]
    })  # fmt: skip
    _write(folder / OPENJD_PARAMS, values)
    _write(folder / TEMPLATE, template)  # last: its presence marks a whole bundle
    return folder / TEMPLATE


def check_bundle(template: JsonObject, values: Dict[str, str], folder: Path) -> None:
    """FarmError when ``openjd-model`` refuses the template or makes no job of its values
    (nothing is written then); without ``openjd-model`` installed, nothing is checked."""
    try:
        from openjd.model import (
            DecodeValidationError,
            create_job,
            decode_job_template,
            preprocess_job_parameters,
        )
    except ImportError:
        log.info("openjd-model is not installed: the bundle is written unchecked")
        return
    try:
        decoded = decode_job_template(template=template)
        params = preprocess_job_parameters(
            job_template=decoded, job_parameter_values=dict(values), environment_templates=[],
            job_template_dir=folder, current_working_dir=folder,
        )  # fmt: skip
        create_job(job_template=decoded, job_parameter_values=params)
    except (DecodeValidationError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()
        raise FarmError(
            f"the job bundle is not valid Open Job Description: {' '.join(first[:3])}",
            hint="nothing was written; report it with the command you ran (a defect of ft_dcc)",
        ) from exc


def _write(path: Path, data: object) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
