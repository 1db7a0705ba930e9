"""What a review session shows: add, remove and order its versions (``ft-dcc review add|remove|
order``), on ftrack's own ``ReviewSessionObject`` rows (``sort_order`` is ftrack's order, so
every ftrack client sees the same one). Only ftrack's query language and entities are used, so
the same works against an ftrack server.

A version is named by its id, or as ``[SHOT/]ASSET[/vNNN]`` in the session's project (no
``vNNN``: the asset's latest version).
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Sequence

from ft_dcc.exceptions import MultipleResultsFoundError, NoResultFoundError
from ft_dcc.protocol.query_text import quote
from ft_dcc.session.interface import EntityLike, PublishSession

ID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NUMBER_RE = re.compile(r"^[vV](\d+)$")
VERSION_FIELDS = "id, version, asset.name, asset.parent.name, asset.parent.project_id"
OBJECT_FIELDS = "id, version_id, sort_order, name, version"


def label(version: EntityLike) -> str:
    """``sh010 / comp v003``: the shot, the asset and the version number."""
    asset = version["asset"]
    parent = asset["parent"]
    number = version["version"]
    shown = f"v{int(number):03d}" if number is not None else "v?"
    where = f"{parent['name']} / " if parent is not None else ""
    return f"{where}{asset['name']} {shown}"


def _where(reference: str, project_id: str) -> str:
    parts = [p for p in reference.strip().strip("/").split("/") if p]
    conditions = [f"asset.parent.project_id is {quote(project_id)}"]
    number = NUMBER_RE.match(parts[-1]) if parts else None
    if number is not None:
        conditions.append(f"version is {int(number.group(1))}")
        parts = parts[:-1]
    if not 1 <= len(parts) <= 2:
        raise NoResultFoundError(
            f"{reference!r} names no version",
            hint="give a version id, or SHOT/ASSET/vNNN (or ASSET/vNNN, or SHOT/ASSET: its latest)",
        )
    conditions.append(f"asset.name is {quote(parts[-1])}")
    if len(parts) == 2:
        conditions.append(f"asset.parent.name is {quote(parts[0])}")
    return " and ".join(conditions)


def find_version(session: PublishSession, reference: str, project_id: str) -> EntityLike:
    """The AssetVersion ``reference`` names in project ``project_id`` (see the module)."""
    if ID_RE.match(reference.strip()):
        where = f"id is {quote(reference.strip())}"
    else:
        where = _where(reference, project_id)
    found = list(session.query(f"select {VERSION_FIELDS} from AssetVersion where {where}").all())
    if not found:
        raise NoResultFoundError(
            f"no version {reference!r} in the session's project",
            hint="give its id, or SHOT/ASSET/vNNN as ftrack shows them",
        )
    numbers = {v["version"] for v in found}
    if ID_RE.match(reference.strip()) or len(numbers) == len(found) == 1:
        return found[0]
    if not NUMBER_RE.match(reference.strip().split("/")[-1]):
        shots = {v["asset"]["parent"]["name"] for v in found if v["asset"]["parent"] is not None}
        if len(shots) <= 1:  # one asset: its latest version
            return max(found, key=lambda v: int(v["version"] or 0))
    raise MultipleResultsFoundError(
        f"{reference!r} names {len(found)} versions: "
        + ", ".join(sorted(label(v) for v in found)[:6]),
        hint="say the shot: SHOT/ASSET/vNNN, or give the version's id",
    )


def objects_of(session: PublishSession, review_session: EntityLike) -> List[EntityLike]:
    """The session's ``ReviewSessionObject`` rows in ftrack's order (``sort_order``)."""
    rows = session.query(
        f"select {OBJECT_FIELDS} from ReviewSessionObject where review_session_id is "
        f"{quote(review_session['id'])}"
    ).all()
    return sorted(rows, key=lambda o: (o["sort_order"] is None, o["sort_order"] or 0))


def _versions(
    session: PublishSession, review_session: EntityLike, references: Sequence[str]
) -> List[EntityLike]:
    project_id = str(review_session["project_id"])
    found: List[EntityLike] = []
    for reference in references:
        version = find_version(session, reference, project_id)
        if all(v["id"] != version["id"] for v in found):
            found.append(version)
    return found


def add(
    session: PublishSession, review_session: EntityLike, references: Sequence[str]
) -> Iterator[str]:
    """Add the versions named to the session (after its last one), in one commit."""
    from ft_dcc.review import sessions as review
    from ft_dcc.review.names import ensure_open_for

    ensure_open_for(review_session, "add versions to it")
    versions = _versions(session, review_session, references)  # all found before any write
    present = {o["version_id"] for o in objects_of(session, review_session)}
    lines = []
    for version in versions:
        if version["id"] in present:
            lines.append(f"already in: {label(version)}")
            continue
        review.add_version(session, review_session, version, commit=False)
        lines.append(f"added: {label(version)}")
    session.commit()
    yield from lines


def remove(
    session: PublishSession, review_session: EntityLike, references: Sequence[str]
) -> Iterator[str]:
    """Take the versions named out of the session (their notes and verdicts go with them)."""
    versions = _versions(session, review_session, references)
    by_version = {o["version_id"]: o for o in objects_of(session, review_session)}
    missing = [label(v) for v in versions if v["id"] not in by_version]
    if missing:
        raise NoResultFoundError(
            f"not in {review_session['name']!r}: {', '.join(missing)}; nothing was removed",
            hint="'ft-dcc review feedback NAME' lists what it shows",
        )
    for version in versions:
        session.delete(by_version[version["id"]])
    session.commit()
    for version in versions:
        yield f"removed: {label(version)}"


def order(
    session: PublishSession, review_session: EntityLike, references: Sequence[str]
) -> Iterator[str]:
    """Put the versions named first, in the order given; the others follow in their order.
    Writes ``sort_order`` 0, 1, 2… where it changes, in one commit."""
    versions = _versions(session, review_session, references)
    objects = objects_of(session, review_session)
    by_version: Dict[object, EntityLike] = {o["version_id"]: o for o in objects}
    missing = [label(v) for v in versions if v["id"] not in by_version]
    if missing:
        raise NoResultFoundError(
            f"not in {review_session['name']!r}: {', '.join(missing)}; the order is unchanged",
            hint="add them first: ft-dcc review add NAME VERSION",
        )
    first = [by_version[v["id"]] for v in versions]
    chosen = {o["id"] for o in first}
    ordered = first + [o for o in objects if o["id"] not in chosen]
    for place, item in enumerate(ordered):
        if item["sort_order"] != place:
            item["sort_order"] = place
    session.commit()
    for place, item in enumerate(ordered, 1):
        yield f"{place:>3}. {item['name']} {item['version'] or ''}".rstrip()
