"""Publishing on the farm: ``ft-dcc farm submit`` writes an Open Job Description job bundle.

One job per batch of scenes, one review session for the whole batch. Per scene: capture steps
(frame chunks that run in parallel where the host captures headless: Blender, image
sequences), then one encode + publish step that depends on them. The steps call
``python -m ft_dcc farm capture|publish`` on the node; the bundle runs under ``openjd run`` or
AWS Deadline Cloud (``deadline bundle submit``). See docs/farm.md.

Modules: :mod:`.model` (the batch), :mod:`.chunks` (frame parts), :mod:`.plan` (scenes,
hosts, tasks and the session name checked before anything is written), :mod:`.rules` (each
scene's range and rate through ``ft-dcc publish``'s frame checks, at submission),
:mod:`.template` (the OpenJD template, its job environment and parameter values),
:mod:`.bundle` (the bundle, checked with openjd-model before it is written), :mod:`.assets`
(the asset references: what a scene links), :mod:`.scenes_file` (a step's scene, path-mapped),
:mod:`.capture` and :mod:`.publish_step` (what the steps run), :mod:`.ledger` (a publish key
recorded with the version: a re-run publishes nothing twice), :mod:`.flush` (``ft-dcc farm
flush``: the publishes steps kept while the server was down), :mod:`.commands` (the
``ft-dcc farm`` commands).
"""
