"""The cut conformed by the server into one movie, over HTTP: built in the background when a
studio page asks for the cut (``GET /review/<id>/cut`` says ``building``, then ``ready`` with
the movie's address), every frame of it the cut's frame (read from the coded pictures), its
sound there; kept while the cut is the same, built again for a new revision (the old movie no
longer served); a client's link gets only its watermarked copy and only while a studio member
presents the cut; an outside link is refused; a build that fails is reported as such (the
page plays the two videos instead), never a 5xx.

One server (the shared one), as a Supervisor of the project: the movie is read from the shared
cut (:mod:`web.cut_fixtures`); the client's watermarked copy from a session of the module's own in
the shared project (its watermark is a write); the revisions from a project of their own (they
break a version's movie).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
import requests
from support import open_session
from support.cli import run_ft_dcc
from support.waiting import wait_until

from .cut_checks import (
    Shot,
    build_cut_session,
    edl_text,
    expected_frames,
    movie_codes,
    plan_cut,
    session_from_cut,
)
from .cut_fixtures import SHARED_CUT_GROUP, SHARED_SHOTS
from .feedback_fixtures import Page

pytestmark = [pytest.mark.slow, SHARED_CUT_GROUP]

SHOTS = SHARED_SHOTS
REVISED = plan_cut(3)


@pytest.fixture(scope="module")
def cut_session(
    embedded_server: Any, cut_project: Dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Dict[str, Any]:
    """The module's own session (its watermark is set) of the shared project's first 5 shots."""
    scratch = tmp_path_factory.mktemp("conform")
    return session_from_cut(embedded_server, cut_project, scratch, plan_cut(5), "Marked cut")


def ready(page: Page, not_id: str = "") -> Dict[str, Any]:
    """The cut plan once its movie is built (or its build failed), other than ``not_id``."""

    def built() -> Any:
        reply = page.get("/cut")
        assert reply.status_code == 200, reply.text
        plan = reply.json()
        done = plan["conform"]["state"] != "building" and not (not_id and movie_id(plan) == not_id)
        return plan if done else None

    return wait_until(built, "the cut conformed", timeout=600)  # type: ignore[no-any-return]


def movie_id(plan: Dict[str, Any]) -> str:
    movie = plan["conform"].get("movie") or ""
    return movie.split("/media/")[1].split("?")[0] if movie else ""


def fetch(page: Page, ident: str, scratch: Path, **headers: str) -> Tuple[requests.Response, Path]:
    reply = requests.get(
        f"{page.base}/media/{ident}", params={"token": page.token}, headers=headers, timeout=120
    )
    path = scratch / f"{uuid.uuid4().hex}.mp4"
    path.write_bytes(reply.content)
    return reply, path


def test_the_cut_is_conformed_once_into_one_movie_of_its_frames_and_sound(
    shared_cut: Dict[str, Any], tmp_path: Path
) -> None:
    from ft_dcc.media import probe_movie

    sup = Page(shared_cut["url"])
    first = sup.get("/cut")
    assert first.status_code == 200
    assert first.json()["conform"]["state"] in ("building", "ready")
    plan = ready(sup)
    assert plan["conform"]["state"] == "ready", plan["conform"]
    ident = movie_id(plan)
    # a player's ranges: the movie in parts
    head, _ = fetch(sup, ident, tmp_path, Range="bytes=0-99")
    assert head.status_code == 206 and len(head.content) == 100
    whole, movie = fetch(sup, ident, tmp_path)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    frames = expected_frames(SHOTS)[0]
    assert movie_codes(movie) == frames  # every record frame, cut-ins and cards alike
    info = probe_movie(movie)
    assert info.frame_count == len(frames) and info.fps == 24 and info.has_audio
    # asked again: the same movie, not built again
    again = ready(sup)
    assert movie_id(again) == ident
    assert fetch(sup, ident, tmp_path)[0].headers["last-modified"] == whole.headers["last-modified"]


def _invitee_link(server: Any, tmp_path: Path, session_id: str) -> Page:
    with open_session(server, tmp_path) as session:
        review = session.get("ReviewSession", session_id)
        name = f"Cleo {uuid.uuid4().hex[:6]}"
        invitee = session.create(
            "ReviewSessionInvitee",
            {"review_session": review, "name": name, "email": f"{name[-6:]}@client.example"},
        )
        session.commit()
        return Page(session.get_widget_url("review_session", entity=invitee))


def _watermark(server: Any, tmp_path: Path, session_id: str, on: bool) -> None:
    with open_session(server, tmp_path) as session:
        found = session.query(
            "EntitySetting where parent_id is "
            f'"{session_id}" and group is "review" and name is "watermark"'
        ).all()
        for row in found:
            session.delete(row)
        if on:
            session.create("EntitySetting", {
                "parent_id": session_id, "parent_type": "ReviewSession",
                "group": "review", "name": "watermark", "value": "true"})  # fmt: skip
        session.commit()


def _rgb(movie: Path) -> np.ndarray[Any, Any]:
    import subprocess

    import imageio_ffmpeg

    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(movie),
         "-fps_mode", "passthrough", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 180, 320)


def test_a_client_gets_only_the_watermarked_movie_and_only_while_the_cut_is_presented(
    cut_session: Dict[str, Any], embedded_server: Any, tmp_path: Path
) -> None:
    sup = Page(cut_session["url"])
    plan = ready(sup)
    ident = movie_id(plan)
    _, studio = fetch(sup, ident, tmp_path)
    client = _invitee_link(embedded_server, tmp_path, cut_session["session_id"])
    _watermark(embedded_server, tmp_path, cut_session["session_id"], True)
    try:
        # nobody presents the cut: the client's link gets neither the plan nor the movie
        refused, _ = fetch(client, ident, tmp_path)
        assert refused.status_code == 403 and b"ftyp" not in refused.content
        assert "studio" in refused.json()["error"]
        assert client.get("/cut").status_code == 403
        # a link that is no link of the session: refused, nothing of the movie
        outside, _ = fetch(Page(cut_session["url"].replace(sup.token, "x" * 40)), ident, tmp_path)
        assert outside.status_code == 403 and b"ftyp" not in outside.content

        lead = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
        first = plan["segments"][0]
        state = {"object_id": first["object_id"], "frame": first["source_in"], "playing": False}
        assert sup.post("/presenter", dict(op="take", **lead)).status_code == 200
        shown = sup.post(
            "/presenter", dict(op="state", state=dict(state, cut=first["record_in"]), **lead)
        )
        assert shown.status_code == 200, shown.text
        theirs = client.get("/cut").json()
        assert movie_id(theirs) == ident and client.token in theirs["conform"]["movie"]
        # watch-only, marked: served in parts, never the studio's unmarked movie
        data = b""
        total = None
        while total is None or len(data) < total:
            part = requests.get(f"{client.base}/media/{ident}", params={"token": client.token},
                                headers={"Range": f"bytes={len(data)}-"}, timeout=120)  # fmt: skip
            assert part.status_code == 206, (part.status_code, part.text[:200])
            total = int(part.headers["Content-Range"].rsplit("/", 1)[1])
            data += part.content
        marked = tmp_path / "marked.mp4"
        marked.write_bytes(data)
        assert data != studio.read_bytes()
        assert movie_codes(marked) == movie_codes(studio)  # the same cut, frame for frame
        ours, theirs_rgb = _rgb(studio), _rgb(marked)
        corner = (slice(None), slice(140, 180), slice(0, 160))  # the mark's lower left
        assert np.abs(ours[corner].astype(int) - theirs_rgb[corner].astype(int)).max() > 100
        download = requests.get(
            f"{client.base}/media/{ident}",
            params={"token": client.token, "download": "1"},
            timeout=60,
        )
        assert download.status_code == 403 and b"ftyp" not in download.content
        assert sup.post("/presenter", dict(op="stop", **lead)).status_code == 200
        again, _ = fetch(client, ident, tmp_path, Range="bytes=0-99")
        assert again.status_code == 403  # no longer presented
    finally:
        _watermark(embedded_server, tmp_path, cut_session["session_id"], False)


def _revise(cut_session: Dict[str, Any], shots: List[Shot], tmp_path: Path) -> None:
    edl = tmp_path / f"{uuid.uuid4().hex[:6]}.edl"
    edl.write_text(edl_text(shots), encoding="utf-8")
    done = run_ft_dcc(
        ["review", "cut", "Reel 1 cut", str(edl), "--project", cut_session["project"]],
        env=cut_session["env"],
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_revision_is_conformed_again_and_a_failed_build_is_said(
    embedded_server: Any, tmp_path: Path
) -> None:
    """A session of its own (its cut is revised): three shots, then the middle one cut out."""
    cut_session = build_cut_session(embedded_server, tmp_path / "revised", REVISED)
    sup = Page(cut_session["url"])
    before = movie_id(ready(sup))
    kept = [REVISED[0], REVISED[2]]
    revised = [  # the middle shot cut out: the others closed up
        Shot(s.name, s.code, s.source_in, s.source_out, kept[0].record_in
             + sum(k.source_out - k.source_in for k in kept[:i]))
        for i, s in enumerate(kept)
    ]  # fmt: skip
    _revise(cut_session, revised, tmp_path)
    plan = sup.get("/cut").json()
    assert movie_id(plan) != before
    stale, _ = fetch(sup, before, tmp_path)  # the old movie is not the cut any more
    assert stale.status_code == 404 and "reload" in stale.json()["error"]
    plan = ready(sup, not_id=before)
    assert plan["conform"]["state"] == "ready" and plan["revision"] == 2
    _, movie = fetch(sup, movie_id(plan), tmp_path)
    assert movie_codes(movie) == expected_frames(revised)[0]

    # the next revision's build fails (a version's stored movie unreadable): said, not served
    files = Path(embedded_server.data_dir) / "files"
    broken = files / plan["segments"][0]["movie_id"]
    kept_bytes = broken.read_bytes()
    broken.write_bytes(b"not a movie")
    try:
        _revise(cut_session, REVISED, tmp_path)
        failed = ready(sup, not_id=movie_id(plan))
    finally:
        broken.write_bytes(kept_bytes)
    assert failed["conform"]["state"] == "failed", failed["conform"]
    assert "sh010" in failed["conform"]["error"] and "movie" not in failed["conform"]
    assert [s["label"].split()[0] for s in failed["segments"]] == [s.name for s in REVISED]
    assert sup.get("/cut").status_code == 200  # asked again: still said, no 5xx, no rebuild
    assert sup.get("/cut").json()["conform"] == failed["conform"]
