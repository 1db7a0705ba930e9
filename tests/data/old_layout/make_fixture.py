"""Make ``ft_dcc-12addce.sqlite.gz``: a database written by the oldest layout ft_dcc upgrades
in place (commit 12addce, the first server that added what newer schema data introduces).

Run by hand, with the old server's code serving (this module uses today's client)::

    git archive 12addce ft_dcc | tar -x -C /tmp/old
    (cd /tmp/old && FTRACK_API_USER=admin FTRACK_API_KEY=old-fixture-key \
        PYTHONPATH=/tmp/old python -m ft_dcc server --data /tmp/olddata --port PORT &)
    python tests/data/old_layout/make_fixture.py http://127.0.0.1:PORT
    # stop the server, then: sqlite3 /tmp/olddata/ft_dcc.sqlite VACUUM; gzip -9 -c ... > here

It fills one of everything a studio keeps: a project with a sequence, shot and task (and the
shot's custom attributes), an asset with two versions, their components in the server location,
a note with a reply, a review session holding both versions, and a second API user.
"""

from __future__ import annotations

import sys

from ft_dcc import Session


def main(url: str) -> None:
    session = Session(server_url=url, api_user="admin", api_key="old-fixture-key",
                      auto_connect_event_hub=False)  # fmt: skip
    project = session.create("Project", {"name": "oldlayout", "full_name": "Old layout",
                             "project_schema": session.query("ProjectSchema").first()})
    sequence = session.create("Sequence", {"name": "sq010", "parent": project, "project": project})
    shot = session.create("Shot", {"name": "sh010", "parent": sequence, "project": project})
    task_type = session.query('Type where name is "Compositing"').first()
    task = session.create("Task", {"name": "comp", "parent": shot, "project": project,
                                   "type": task_type})
    session.commit()
    for key, value in (("fstart", 1001), ("fend", 1024), ("fps", 25.0)):
        shot["custom_attributes"][key] = value
    asset_type = session.query('AssetType where short is "upload"').first()
    asset = session.create("Asset", {"name": "shot", "parent": shot, "type": asset_type})
    location = session.query('Location where name is "ftrack.server"').one()
    versions = []
    for number in (1, 2):
        version = session.create("AssetVersion", {"asset": asset, "task": task,
                                 "version": number, "comment": f"take {number}"})
        component = session.create("FileComponent", {"name": "ftrackreview-mp4",
                                    "version": version, "file_type": ".mp4", "size": 1000 + number})
        session.create("ComponentLocation", {"component": component, "location": location,
                                             "resource_identifier": component["id"]})
        versions.append(version)
    session.commit()
    user = session.query('User where username is "admin"').one()
    note = session.create("Note", {"content": "tighter on the cut", "parent_id": versions[0]["id"],
                                   "parent_type": "AssetVersion", "author": user})
    session.commit()
    session.create("Note", {"content": "done in take 2", "parent_id": versions[0]["id"],
                            "parent_type": "AssetVersion", "author": user, "in_reply_to": note})
    review = session.create("ReviewSession", {"name": "Dailies old layout", "project": project,
                                              "description": "made by 12addce"})
    for index, version in enumerate(versions):
        session.create("ReviewSessionObject", {"review_session": review, "asset_version": version,
                       "version": f"v{index + 1}", "name": "shot", "sort_order": index})
    session.commit()
    session.close()


if __name__ == "__main__":
    main(sys.argv[1])
