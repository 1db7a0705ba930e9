"""The one JSON form of the typed publish request (``ft_dcc.publish.request.wire``): what
``ft-dcc publish SCENE --host X`` and a farm node's publish step hand a headless host. It reads
back whole, refuses an unknown or mistyped field naming it, and still reads what the previous
release wrote."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import attr
import pytest

from ft_dcc.exceptions import RequestError
from ft_dcc.host import headless
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.request.wire import (
    READERS,
    VERSION,
    VERSION_KEY,
    request_from_json,
    request_to_json,
)

#: every field away from its default (a field added to the request must be set here too)
CHOSEN = PublishRequest(
    reviewables=[Reviewable(source="shotCam"), Reviewable(source="witnessCam", asset_name="w")],
    task="p/sq/sh010/anim",
    review_session_name="Dailies",
    comment="pass 2",
    frames=(1001, 1010),
    fps=Fraction(24000, 1001),
    invitees=["ann@studio.example", {"email": "bo@studio.example", "name": "Bo"}],
    addresses=["9ac7d3f6-f4be-4d54-a6c2-a89e4778e5a0"],
    include_source=True,
    queue_dir="/q",
    work_dir="/w",
    thumbnail_frame=1005,
    still=True,
    still_frame=1003,
    burnin="slate",
    burnin_template="/t/burnin.json",
    new_review_session=True,
    repair=True,
    settings=StudioSettings(plugins={"CollectCaptureSpec": {"scale": 0.5, "handles": 2}}),
    task_names={"project": "p", "sequence": "sq", "shot": "sh010", "task": "anim"},
)


def test_every_field_crosses_as_json_and_reads_back_the_same() -> None:
    default = PublishRequest()
    for field in attr.fields(PublishRequest):
        assert getattr(CHOSEN, field.name) != getattr(default, field.name), field.name
    assert set(READERS) == {field.name for field in attr.fields(PublishRequest)}
    data = json.loads(json.dumps(request_to_json(CHOSEN)))  # the request file
    assert data[VERSION_KEY] == VERSION
    assert (data["fps"], data["frames"]) == ("24000/1001", [1001, 1010])
    assert request_from_json(data) == CHOSEN
    assert request_from_json(request_to_json(PublishRequest())) == PublishRequest()


def _with(**fields: object) -> dict:
    return {**request_to_json(PublishRequest()), **fields}


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"camera": "shotCam"}, "'camera'"),  # unknown (a key of the options, not the request)
        ({"frames": "1001-1010"}, "'frames'"),
        ({"frames": [1001, True]}, "'frames'"),
        ({"fps": "fast"}, "'fps'"),
        ({"fps": 0}, "'fps'"),
        ({"comment": 5}, "'comment'"),
        ({"still": "yes"}, "'still'"),
        ({"thumbnail_frame": 1001.5}, "'thumbnail_frame'"),
        ({"addresses": "9ac7"}, "'addresses'"),
        ({"invitees": [5]}, "'invitees[0]'"),
        ({"invitees": [{"name": "Bo"}]}, "'invitees[0]'"),
        ({"reviewables": [{"source": 1}]}, "'reviewables[0].source'"),
        ({"reviewables": [{"camera": "x"}]}, "'camera'"),
        ({"settings": {"plugins": []}}, "'settings.plugins'"),
        ({"settings": {"look": "grade"}}, "'look'"),
        ({"task_names": {"shot": 10}}, "'task_names'"),
    ],
)
def test_an_unknown_or_mistyped_field_is_refused_naming_it(fields: dict, named: str) -> None:
    with pytest.raises(RequestError) as refused:
        request_from_json(_with(**fields))
    assert named in refused.value.message
    assert "same ft_dcc version" in refused.value.hint


def test_a_newer_format_or_no_object_is_refused_saying_what_to_do() -> None:
    with pytest.raises(RequestError, match=f"{VERSION_KEY} {VERSION + 1}") as newer:
        request_from_json(_with(**{VERSION_KEY: VERSION + 1}))
    assert "same ft_dcc version" in newer.value.hint
    with pytest.raises(RequestError, match="must be a JSON object"):
        request_from_json(["p/sq/sh010/anim"])
    with pytest.raises(RequestError, match="'publish'"):
        headless.publish_request_of({"input": "shot.ma"})


#: the request file ``ft-dcc publish shot.ma --host maya --task p/sq/sh010/anim --camera shotCam
#: --comment "pass 2" --frames 1001-1010 --fps 24000/1001 --invite ann@studio.example --json``
#: wrote in the previous release: the options dict with the settled fields written back into
#: it, and ``publish``: ``PublishRequest.to_dict()`` (no version)
PREVIOUS_RELEASE = {
    "input": "/shots/sh010/anim.ma",
    "inputs": ["/shots/sh010/anim.ma"],
    "task": "p/sq/sh010/anim",
    "review_session_name": "Dailies 2026-11-26",
    "new_review_session": False,
    "repair": False,
    "comment": "pass 2",
    "frames": [1001, 1010],
    "fps": "24000/1001",
    "cameras": ["shotCam"],
    "thumbnail_frame": None,
    "still": False,
    "still_frame": None,
    "colour": None,
    "audio": None,
    "audio_offset": 0,
    "burnin": None,
    "burnin_template": None,
    "invitees": ["ann@studio.example"],
    "addresses": [],
    "asset_name": None,
    "include_source": False,
    "json": True,
    "report": None,
    "settings": {"plugins": {"CollectCaptureSpec": {"scale": 0.5}}},
    "task_names": {"project": "p", "sequence": "sq", "shot": "sh010", "task": "anim"},
    "result": "/tmp/ft_dcc-publish-k2j4/result.json",
    "publish": {
        "reviewables": [{"source": "shotCam", "asset_name": None}],
        "task": "p/sq/sh010/anim",
        "review_session_name": "Dailies 2026-11-26",
        "comment": "pass 2",
        "frames": [1001, 1010],
        "fps": "24000/1001",
        "invitees": ["ann@studio.example"],
        "addresses": [],
        "include_source": False,
        "queue_dir": None,
        "work_dir": None,
        "thumbnail_frame": None,
        "still": False,
        "still_frame": None,
        "burnin": None,
        "burnin_template": None,
        "new_review_session": False,
        "repair": False,
        "settings": {"plugins": {"CollectCaptureSpec": {"scale": 0.5}}},
        "task_names": {"project": "p", "sequence": "sq", "shot": "sh010", "task": "anim"},
    },
    "python_path": ["/opt/ft_dcc/lib"],
}


def test_the_previous_releases_request_file_is_still_read() -> None:
    typed = headless.publish_request_of(json.loads(json.dumps(PREVIOUS_RELEASE)))
    assert typed == PublishRequest(
        reviewables=[Reviewable(source="shotCam")],
        task="p/sq/sh010/anim",
        review_session_name="Dailies 2026-11-26",
        comment="pass 2",
        frames=(1001, 1010),
        fps=Fraction(24000, 1001),
        invitees=["ann@studio.example"],
        settings=StudioSettings(plugins={"CollectCaptureSpec": {"scale": 0.5}}),
        task_names={"project": "p", "sequence": "sq", "shot": "sh010", "task": "anim"},
    )
    # its values are checked as strictly as today's: a mistyped one is named
    wrong = dict(PREVIOUS_RELEASE["publish"], still_frame="first")  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="'still_frame'"):
        request_from_json(wrong)


def test_a_host_given_a_mistyped_request_says_which_field_and_what_to_do(
    tmp_path: Path,
) -> None:
    """The host's script reads the request where it enters (``publish_request_of``): a field
    it cannot read is its outcome's text, not a traceback the artist must decipher."""
    import sys

    from ft_dcc.host.pythonpath import python_paths

    script = tmp_path / "stand_in_host.py"
    script.write_text(
        "import json, sys\nfrom pathlib import Path\n"
        "request = json.loads(Path(sys.argv[-1]).read_text(encoding='utf-8'))\n"
        "sys.path[:0] = request['python_path']\n"
        "from ft_dcc.host.headless import publish_request_of, run\n"
        "run(sys.argv, lambda request: publish_request_of(request) and None)\n",
        encoding="utf-8",
    )
    result = tmp_path / "result.json"
    payload = {"python_path": python_paths(), "result": str(result),
               "publish": _with(frames="soon")}  # fmt: skip
    done = headless.run_with_request(
        payload, lambda request_file: [sys.executable, "-S", "-I", script, request_file], "Stand-in"
    )  # type: ignore[arg-type]
    assert done.returncode == 1, done.stdout
    outcome = json.loads(result.read_text(encoding="utf-8"))
    assert "'frames'" in outcome["text"] and "soon" in outcome["text"]
    assert "same ft_dcc version" in outcome["hint"]
