"""The one hand-off of a host to its main thread (``ft_dcc.host.job.MainThreadHost``), used by
every host's publish: each public method of the port ``Host``, today's and any added later,
runs the host's own method (its override reached, never the port's default) on the main thread
of the runner, whichever thread calls it."""

from __future__ import annotations

import copy
import inspect
import threading
from typing import Any, Callable, Dict, List, Tuple

from ft_dcc.host.job import MainThreadCalls, MainThreadHost, PublishJob, call_directly
from ft_dcc.publish.common.report import PublishReport
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.request.request import PublishRequest


def _port_methods() -> List[str]:
    """Host's public methods, read off the class here (not from the code under test)."""
    return sorted(
        name
        for klass in Host.__mro__
        if klass is not object
        for name, value in vars(klass).items()
        if not name.startswith("_") and inspect.isfunction(value)
    )


class _Answer:
    """What an override returns: which method of which host answered."""

    def __init__(self, method: str) -> None:
        self.method = method


def _recording(name: str) -> Callable[..., Any]:
    def override(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen.append((name, threading.get_ident(), args, kwargs))
        return self if name == "for_source" else _Answer(name)

    override.__name__ = name
    return override


#: a host overriding every method of the port, each recording its call and thread
RecordingHost = type(
    "RecordingHost",
    (Host,),
    {
        "name": "recording",
        "uses_cameras": False,
        "streams_frames": True,
        "renders_range": False,
        **{name: _recording(name) for name in _port_methods()},
    },
)


def _arguments(name: str) -> Tuple[List[object], Dict[str, object]]:
    """One value for each parameter without a default of ``Host.<name>``."""
    args: List[object] = []
    for parameter in list(inspect.signature(getattr(Host, name)).parameters.values())[1:]:
        if (
            parameter.kind is parameter.POSITIONAL_OR_KEYWORD
            and parameter.default is parameter.empty
        ):
            args.append(f"{name}.{parameter.name}")
    return args, {}


class _CountingRunner(MainThreadCalls):
    """The main-thread mailbox of a host's UI timer, counting the calls handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: List[str] = []

    def call(self, function, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        self.handed.append(getattr(function, "__name__", "?"))
        return super().call(function, *args, **kwargs)


def _from_a_worker(host: Host, runner: MainThreadCalls, work: Callable[[], None]) -> None:
    errors: List[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed back to the test's thread
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    while worker.is_alive():
        runner.drain()  # what the host's timer does on its main thread
        worker.join(0.01)
    runner.drain()
    assert not errors, errors


def test_every_port_method_runs_the_hosts_own_override_on_the_main_thread():
    methods = _port_methods()
    assert len(methods) >= 18  # the port's methods as of this test; more are handed off too
    host = RecordingHost()
    host.seen = []
    runner = _CountingRunner()
    proxy = MainThreadHost(host, runner)
    answers: Dict[str, object] = {}

    def call_each() -> None:
        for name in methods:
            args, kwargs = _arguments(name)
            answers[name] = getattr(proxy, name)(*args, **kwargs)

    _from_a_worker(host, runner, call_each)
    main = threading.get_ident()
    assert [name for name, *_ in host.seen] == methods, "a port method was not handed off"
    assert {thread for _, thread, *_ in host.seen} == {main}
    assert sorted(runner.handed) == methods  # each through the runner, once
    for name in methods:
        if name == "for_source":
            assert isinstance(answers[name], MainThreadHost)  # the source's host: handed off too
            assert answers[name].wrapped is host
        else:
            assert isinstance(answers[name], _Answer) and answers[name].method == name
    for name, _, args, _ in host.seen:  # the arguments arrive as given
        assert list(args) == _arguments(name)[0]


def test_the_ports_attributes_are_the_hosts():
    proxy = MainThreadHost(RecordingHost(), call_directly)
    assert (proxy.name, proxy.uses_cameras, proxy.streams_frames, proxy.renders_range) == (
        "recording",
        False,
        True,
        False,
    )


def test_a_method_added_to_the_port_is_handed_off_with_the_others():
    """What the proxy hands off is read off the port itself, so it cannot fall behind it."""
    for name in _port_methods():
        handed = getattr(MainThreadHost, name)
        assert handed is not getattr(Host, name), f"MainThreadHost.{name} is the port's default"


def test_a_copy_asks_a_copy_of_the_host():
    """The frame checks ask a copy whether the host would renumber its input (it changes it)."""

    class Renumbering(RecordingHost):  # type: ignore[misc,valid-type]
        renumbered = False

        def number_frames_from(self, first: int) -> bool:
            self.renumbered = True
            return True

    host = Renumbering()
    proxy = MainThreadHost(host, call_directly)
    assert copy.copy(proxy).number_frames_from(1001) is True
    assert host.renumbered is False


def test_every_job_publishes_through_the_hand_off():
    seen: List[Host] = []

    def publish(host: Host, request: PublishRequest, runtime: object) -> PublishReport:
        seen.append(host)
        return PublishReport()

    host = RecordingHost()
    PublishJob(host, PublishRequest(), publish=publish).run()  # a batch run: direct
    runner = MainThreadCalls()
    PublishJob(host, PublishRequest(), on_main=runner, publish=publish).run()
    assert [type(h) for h in seen] == [MainThreadHost, MainThreadHost]
    assert [h.wrapped for h in seen] == [host, host]
