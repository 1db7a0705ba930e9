"""Who may create, change and delete published work and review data: the model, as data.

One table (:data:`MODEL`) read by the batch rule (:mod:`ft_dcc.server.rules.ownership`), the
file routes (uploads and ``/component/remove``), the permission-matrix tests and the
"Permissions" table of ``docs/architecture.md`` (:func:`permissions_table`).

**Ownership derives from the server, never from the caller's data.** The owners of a row are

- its **creator as recorded by the server** (the ``ft_dcc_creator`` side table, written by the
  store on every create from the caller's identity; ``user_id``/``created_by_id`` are not read),
- for a review session, the **Supervisors and Project Managers of its project** (ftrack's
  ``UserSecurityRole`` rows: :mod:`ft_dcc.server.rules.review_rights`),
- and, for a child row (a Component of an AssetVersion, a ComponentLocation of a Component, an
  item, invitee or verdict of a ReviewSession, a NoteComponent of a Note), the owners of its
  parent (recursively), read through a parent column that only an administrator may rewrite.

A **verdict** (``ReviewSessionObjectStatus``) speaks for the invitee it names: it is owned by the
review session's owner and by that invitee's speakers (their own link runs as their collaborator
User, or as the User who claimed them: :mod:`ft_dcc.server.rules.speakers`), never by its creator
alone nor by whoever added the item to someone's open session. A **note** in a private review
session (on the session or one of its items) is for its owner and its invitees; elsewhere any
User notes, as in ftrack.

An Administrator may do everything. Anyone else may ``create`` as :class:`Ownership.create`
says, ``update`` and ``delete`` only rows they own (except the :attr:`Ownership.open_fields`,
which any User may change, as ftrack's User role changes statuses), may never change an
:attr:`Ownership.immutable` attribute after the create, and may set an :attr:`Ownership.self_only`
attribute (an author, a creator) only to themselves.

Types not listed (contexts, lists, users…) follow the other rules only (ftrack's User role:
project objects are shared; users, roles and schemas are for administrators,
:mod:`ft_dcc.server.rules.permissions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

#: who may create a row: any User; only an owner of its parent; an owner of its parent, or
#: anyone when the parent is open (a ReviewSession that is not private)
ANYONE = "any User"
PARENT_OWNER = "owner of the parent"
OPEN_PARENT = "owner of the parent, or any User when it is not private"
#: a verdict: the owner of the review session, or the invitee it names (their link, or the
#: User who claimed them); the invitee must be one of that session's
SESSION_OR_INVITEE = "owner of the review session, or the invitee it names"
#: a note: any User, except on an item of a private review session (or the session itself):
#: there its owner and its invitees
PRIVATE_SESSION_MEMBERS = (
    "any User; in a private review session (on it or its items): its owner or its invitees"
)
#: who may update or delete a row
OWNER = "owner"


@dataclass(frozen=True)
class Parent:
    """The column holding a row's parent id, and the parent's type."""

    column: str
    type_name: str
    required: bool = False  # a row without a parent is refused (a ComponentLocation)
    #: whether the parent's own creator counts as an owner of the row (False: only the owners
    #: of the parent's parent do: a verdict is the session owner's, not the item adder's)
    creator_counts: bool = True


@dataclass(frozen=True)
class Ownership:
    """The rights on one entity type (or family: ``Component`` covers FileComponent…)."""

    type_name: str
    parent: Optional[Parent] = None
    create: str = ANYONE
    update: str = OWNER
    delete: str = OWNER
    #: attributes a non-administrator may not change after the create (set them in the create)
    immutable: Tuple[str, ...] = ()
    #: attributes a non-administrator may only set to themselves (an author, a creator)
    self_only: Tuple[str, ...] = ()
    #: attributes any User may change on anyone's row (ftrack's User role sets statuses)
    open_fields: Tuple[str, ...] = ()
    #: the attribute naming the invitee this row speaks for: the row is owned by its review
    #: session's owner and that invitee's speakers (:mod:`ft_dcc.server.rules.speakers`), not
    #: by whoever created it
    speaks_for: Optional[str] = None
    #: the attribute naming the review item (or session) a row is written in, when that decides
    #: who may create it (:data:`PRIVATE_SESSION_MEMBERS`)
    in_session: Optional[str] = None
    #: whether the store records the creator of each row (not for link rows keyed by the two
    #: ids they join: those are owned through their parent only)
    recorded: bool = True
    #: migration: existing rows' creator is read once from this column (None: no creator,
    #: the row is then owned through its parent, or by administrators only)
    legacy_owner: Optional[str] = None
    #: whether the Supervisors and Project Managers whose role covers the row's project
    #: (``project_id``) own it too (:mod:`ft_dcc.server.rules.review_rights`)
    project_roles: bool = False


def child(
    type_name: str,
    parent: Parent,
    create: str = PARENT_OWNER,
    also_immutable: Tuple[str, ...] = (),
    self_only: Tuple[str, ...] = (),
    speaks_for: Optional[str] = None,
    recorded: bool = True,
) -> Ownership:
    """The rights on a row owned through ``parent``: its parent column is immutable (only an
    administrator moves a row to another parent), and so are ``also_immutable``."""
    return Ownership(
        type_name,
        parent=parent,
        create=create,
        immutable=(parent.column, *also_immutable),
        self_only=self_only,
        speaks_for=speaks_for,
        recorded=recorded,
    )


MODEL: Tuple[Ownership, ...] = (
    Ownership("Asset"),
    Ownership(
        "AssetVersion",
        immutable=("user_id",),
        self_only=("user_id",),
        open_fields=("status_id",),
        legacy_owner="user_id",
    ),
    child("Component", Parent("version_id", "AssetVersion"), also_immutable=("container_id",)),
    child(
        "ComponentLocation",
        Parent("component_id", "Component", required=True),
        also_immutable=("location_id",),
    ),
    Ownership(
        "ReviewSession",
        # its project decides who manages it (Supervisors, Project Managers): only an
        # administrator moves it to another
        immutable=("created_by_id", "project_id"),
        self_only=("created_by_id",),
        legacy_owner="created_by_id",
        project_roles=True,
    ),
    child(
        "ReviewSessionObject",
        Parent("review_session_id", "ReviewSession", required=True),
        OPEN_PARENT,
        also_immutable=("version_id",),
    ),
    child(
        "ReviewSessionInvitee",
        Parent("review_session_id", "ReviewSession", required=True),
        also_immutable=("email", "created_by_id"),
        self_only=("created_by_id",),
    ),
    child(
        "ReviewSessionObjectStatus",
        Parent(
            "review_session_object_id", "ReviewSessionObject", required=True, creator_counts=False
        ),
        SESSION_OR_INVITEE,
        also_immutable=("review_session_invitee_id",),
        speaks_for="review_session_invitee_id",
    ),
    Ownership(
        "Note",
        create=PRIVATE_SESSION_MEMBERS,
        in_session="parent_id",
        immutable=("user_id", "parent_id", "parent_type", "in_reply_to_id"),
        self_only=("user_id", "completed_by_id"),
        # a to-do's completion: who completes and reopens is rules/note_todos.py's
        open_fields=("completed_at", "completed_by_id"),
        legacy_owner="user_id",
    ),
    *(
        child(
            name, Parent("note_id", "Note", required=True), also_immutable=(other,), recorded=False
        )
        for name, other in (
            ("NoteComponent", "component_id"),
            ("NoteLabelLink", "label_id"),
            ("Recipient", "resource_id"),
        )
    ),
)

BY_TYPE: Dict[str, Ownership] = {spec.type_name: spec for spec in MODEL}


def ownership_of(type_name: str, family: str) -> Optional[Ownership]:
    """The rights of ``type_name`` (or of its family), or None when no ownership applies."""
    return BY_TYPE.get(type_name) or BY_TYPE.get(family)


def permissions_table() -> List[str]:
    """The Markdown "Permissions" table of ``docs/architecture.md`` (a test keeps them equal)."""
    lines = [
        "| entity | owned through | create | update / delete | immutable after create "
        "(non-admin) | only to oneself | any User may change |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in MODEL:
        through = ", or ".join(_owned_through(spec))
        lines.append(
            f"| {spec.type_name} | {through} | {spec.create} | {spec.update} / {spec.delete} | "
            f"{_names(spec.immutable)} | {_names(spec.self_only)} | {_names(spec.open_fields)} |"
        )
    return lines


def _owned_through(spec: Ownership) -> List[str]:
    """How a row of ``spec`` is owned, in words (the table's second column)."""
    parts = ["creator"] if spec.recorded and spec.speaks_for is None else []
    if spec.parent is not None:
        parent = spec.parent
        grand = BY_TYPE[parent.type_name].parent
        which = parent.type_name
        if not parent.creator_counts and grand is not None:
            which = f"the {grand.type_name} of its {parent.type_name}"
        parts.append(f"owner of {which} (`{parent.column}`)")
    if spec.project_roles:
        parts.append("a Supervisor or Project Manager of its project (`project_id`)")
    if spec.speaks_for:
        parts.append(f"the invitee it names (`{spec.speaks_for}`)")
    return parts


def _names(names: Tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "-"
