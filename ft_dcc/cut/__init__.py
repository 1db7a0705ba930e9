"""The editor's cut as a review session, shared by ``ft-dcc review create --from-cut`` /
``ft-dcc review cut`` and the desk's cut upload (``ft_dcc.server.desk.cut_upload``): a cut file
read into events (:mod:`.read`), its events matched to the project's shots and versions
(:mod:`.match`), and the session's items written or rewritten (:mod:`.apply`) through any
session with ftrack's ``query``/``create``/``delete`` (:mod:`.ports`): the client's, or the
server's own batch as the signed-in person. See docs/cut-review.md.
"""
