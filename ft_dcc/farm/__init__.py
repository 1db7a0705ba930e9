"""Publishing on the farm: ``ft-dcc farm submit`` writes an Open Job Description job bundle.

One job per batch of scenes, one review session for the whole batch. Per scene: capture steps
(frame chunks that run in parallel where the host captures headless: Blender, image
sequences), then one encode + publish step that depends on them. The steps call
``python -m ft_dcc farm capture|publish`` on the node; the bundle runs under ``openjd run`` or
AWS Deadline Cloud (``deadline bundle submit``). See docs/farm.md.

Modules: :mod:`.model` (the batch), :mod:`.chunks` (frame parts), :mod:`.plan` (scenes,
hosts, tasks and the session name checked before anything is written), :mod:`.template` (the
OpenJD template and parameter values), :mod:`.capture` and :mod:`.publish_step` (what the
steps run), :mod:`.ledger` (a publish key recorded with the version: a re-run publishes nothing
twice), :mod:`.commands` (the ``ft-dcc farm`` commands).
"""
