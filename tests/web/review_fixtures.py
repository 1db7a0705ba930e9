"""A real review on a real embedded server: an H.264 movie, thumbnail, session and items."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict

import attr
import imageio_ffmpeg

from ft_dcc.session import Session

FPS = Fraction(24000, 1001)
FRAME_COUNT = 60
FRAME_IN = 1001
SIZE = (320, 180)
#: Frame k carries a flat grey patch (top-left PATCH x PATCH) of level k * GREY_STEP.
GREY_STEP = 4
PATCH = 48
XSS_NAME = '<script>window.__xss = 1</script><b>sh020</b> "fx"'


def ffmpeg(*args: str) -> None:
    """Run ffmpeg (imageio-ffmpeg's) quietly, overwriting outputs."""
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
    )


def make_numbered_movie(path: Path) -> Path:
    """An H.264 testsrc movie at 24000/1001 fps whose corner patch tells each frame's index."""
    patch = f"lt(X,{PATCH})*lt(Y,{PATCH})"
    grey = f"N*{GREY_STEP}"
    graph = (
        f"testsrc=size={SIZE[0]}x{SIZE[1]}:rate={FPS.numerator}/{FPS.denominator},"
        f"format=rgb24,geq=r='if({patch},{grey},r(X,Y))':g='if({patch},{grey},g(X,Y))'"
        f":b='if({patch},{grey},b(X,Y))'"
    )
    ffmpeg(
        "-f", "lavfi", "-i", graph, "-frames:v", str(FRAME_COUNT),
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12", "-movflags", "+faststart",
        str(path),
    )  # fmt: skip
    return path


def make_thumbnail(movie: Path, path: Path) -> Path:
    ffmpeg("-i", str(movie), "-frames:v", "1", str(path))
    return path


@attr.s(auto_attribs=True)
class Review:
    project: Any
    review_session: Any
    version: Any
    movie_object: Any
    xss_object: Any
    movie_component: Any
    name: str


def publish_review(session: Session, tmp_path: Path, *, session_name: str) -> Review:
    """Project, two versions (one with movie + thumbnail), a review session holding both."""
    movie = make_numbered_movie(tmp_path / "sh010_review.mp4")
    thumbnail = make_thumbnail(movie, tmp_path / "sh010_thumb.jpg")
    code = f"web{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {
            "name": code,
            "full_name": "Web Review Test",
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010_anim", "parent": project, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset, "comment": "blocking pass, arm fix"})
    xss_asset = session.create("Asset", {"name": XSS_NAME, "parent": project, "type": asset_type})
    xss_version = session.create(
        "AssetVersion", {"asset": xss_asset, "comment": "<img src=x onerror=window.__xss=2>"}
    )
    session.commit()
    component = session.create_component(
        str(movie), {"name": "ftrackreview-mp4", "version": version}, location="ftrack.server"
    )
    meta: Dict[str, Any] = {
        "frameIn": FRAME_IN,
        "frameOut": FRAME_IN + FRAME_COUNT,
        "frameRate": float(FPS),
        "width": SIZE[0],
        "height": SIZE[1],
    }
    session.create(
        "Metadata",
        {
            "parent_id": component["id"],
            "parent_type": "FileComponent",
            "key": "ftr_meta",
            "value": json.dumps(meta),
        },
    )
    session.create(
        "Metadata",
        {
            "parent_id": component["id"],
            "parent_type": "FileComponent",
            "key": "ft_dcc_capture",  # the thumbnail shows the first frame: the page's poster
            "value": json.dumps({"source_first_frame": FRAME_IN, "thumbnail_frame": FRAME_IN}),
        },
    )
    thumb = session.create_component(
        str(thumbnail), {"name": "thumbnail", "version": version}, location="ftrack.server"
    )
    version["thumbnail_id"] = thumb["id"]
    review_session = session.create(
        "ReviewSession",
        {
            "name": session_name,
            "project": project,
            "description": "Today's animation dailies",
            "end_date": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7),
        },
    )
    # Created first, shown second: the page follows sort_order, not creation order.
    xss_object = session.create(
        "ReviewSessionObject",
        {
            "review_session": review_session,
            "asset_version": xss_version,
            "name": XSS_NAME,
            "version": "v001",
            "sort_order": 1,
        },
    )
    movie_object = session.create(
        "ReviewSessionObject",
        {
            "review_session": review_session,
            "asset_version": version,
            "name": "sh010_anim",
            "version": "v001",
            "sort_order": 0,
        },
    )
    session.commit()
    return Review(
        project=project,
        review_session=review_session,
        version=version,
        movie_object=movie_object,
        xss_object=xss_object,
        movie_component=component,
        name=session_name,
    )
