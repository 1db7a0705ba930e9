"""The plain options of a publish as they travel: ``ft-dcc publish``'s flags (and
``publish(host, **options)``'s keywords), what the studio settings add, and the keys of a
headless host's ``request.json`` (see ``ft_dcc.host.headless``).

:class:`PublishOptions` is a ``TypedDict``: the request is JSON on the wire (to a headless host
or a farm node) and stays a plain dict in between, so the keys and their types are declared once
here and the JSON does not change. :func:`ft_dcc.publish.request.request.request_from_options`
turns it into the typed :class:`~ft_dcc.publish.request.request.PublishRequest` the pipeline
receives. Only ``typing`` is imported: a headless host reads these before anything else of ft_dcc.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, TypedDict, Union

from ft_dcc.protocol.json_value import JsonObject

#: an invitee: an e-mail, or ``{"email": ..., "name": ...}``
Invitee = Union[str, Dict[str, str]]


class ColourOptions(TypedDict, total=False):
    """The files host's OCIO options (``--ocio-config`` ... ``--look``, else ``colour.*``)."""

    ocio_config: Optional[str]
    input_colorspace: Optional[str]
    display: Optional[str]
    view: Optional[str]
    look: Optional[str]


class SettingsFields(TypedDict, total=False):
    """What the resolved studio settings give the plugins: ``StudioSettings`` fields, by name
    (``ft_dcc.publish.request.settings_options.apply`` fills them, see there for the keys)."""

    plugins: Dict[str, Dict[str, object]]


class PublishOptions(TypedDict, total=False):
    """A publish request as plain JSON-ready options (every key optional)."""

    # -- ft-dcc publish's flags (ft_dcc.publish.commands.request_dict)
    input: str  # the scene, movie or sequence (the first of ``inputs``)
    inputs: List[str]
    task: Optional[str]
    review_session_name: Optional[str]
    new_review_session: bool
    comment: str
    repair: bool
    frames: Union[List[int], str, None]  # [start, end] or "start-end"
    fps: Optional[str]
    camera: Optional[str]  # one camera (a farm job's); ``cameras``: the --camera flags
    cameras: List[str]
    write: Optional[str]  # Nuke: the Write node to publish
    writes: List[str]
    thumbnail_frame: Optional[int]
    still: bool  # --still: one picture, published as a still (an ftrackreview-image)
    still_frame: Optional[int]  # --frame N: a scene's still captures frame N (else the current)
    colour: Optional[ColourOptions]
    audio: Optional[str]
    audio_offset: int
    burnin: Optional[str]
    burnin_template: Optional[str]
    invitees: List[Invitee]
    addresses: List[str]  # ids of the task's open to-do notes the new version addresses
    asset_name: Optional[str]
    include_source: bool
    json: bool  # print the report as JSON
    # -- a library call's (ft_dcc.publish.publish(host, **options))
    queue_dir: Optional[str]  # the offline queue; None: $FT_DCC_QUEUE_DIR or the user data dir
    work_dir: Optional[str]  # where capture and encode write; None: a temporary folder
    report: Optional[str]  # also save the report here
    # -- the studio settings' fields (ft_dcc.publish.request.settings_options.apply)
    settings: SettingsFields
    task_names: Dict[str, str]  # the task's project/sequence/shot/task names the read found
    # -- a headless host's request file (ft_dcc.host.headless.publish_in_host)
    publish: JsonObject  # PublishRequest.to_dict(): what the host publishes
    result: str  # where the host writes its outcome
    python_path: List[str]  # folders that make ft_dcc importable in the host
    scene_version: Optional[Sequence[int]]  # Blender: the version that saved the scene
    # -- a farm node's capture of one part (ft_dcc.farm.capture)
    part: int
    parts: int
    out_dir: str


def parse_frames(value: object) -> Optional[Tuple[int, int]]:
    """A request's ``frames``: ``[1001, 1024]``, ``"1001-1024"``, ``"1001"`` (also negative,
    ``"-5"``) or None; ValueError for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        start, _, end = value.partition("-") if not value.startswith("-") else (value, "", "")
        return int(start), int(end or start)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"frames must be [start, end] or 'start-end', not {value!r}")
    return _frame(value[0]), _frame(value[1])


def _frame(value: object) -> int:
    if not isinstance(value, (int, float, str)):
        raise ValueError(f"a frame must be a number, not {value!r}")
    return int(value)
