"""Benchmark ft_dcc's EventHub against the genuine ftrack_api EventHub on the embedded server.

Usage: ``.venv/bin/python bench/bench_events.py [--events 2000] [--pings 200]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port, then for each client kind (a publisher and a
listener of the same kind) measures: connect time (handshake + websocket; the median of 5 after
a warm-up), the median publish-to-callback latency of single events, and throughput (events
published back to back until the listener's callback saw them all). The genuine hub dispatches
only inside ``wait()``, so its listener runs ``wait()`` in a thread. Prints a table with ratios
genuine/ours (> 1 means ft_dcc is faster).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from embedded_server import KEY, USER, Server


class Kind:
    """How to drive one hub implementation."""

    def __init__(self, name: str, make: Callable[[str], Any], make_event: Callable, pump: bool):
        self.name, self.make, self.make_event, self.pump = name, make, make_event, pump


def ours() -> Kind:
    from ft_dcc.session.event_hub import Event, EventHub

    return Kind("ft_dcc", lambda url: EventHub(url, USER, KEY), Event, pump=False)


def genuine() -> Kind:
    import ftrack_api.event.base
    import ftrack_api.event.hub

    return Kind(
        "genuine",
        lambda url: ftrack_api.event.hub.EventHub(url, USER, KEY),
        ftrack_api.event.base.Event,
        pump=True,
    )


def measure(kind: Kind, url: str, events: int, pings: int) -> Dict[str, float]:
    connects: List[float] = []
    for attempt in range(6):  # the first one warms up imports and the server; not counted
        started = time.perf_counter()
        hub = kind.make(url)
        hub.connect()
        if attempt:
            connects.append(time.perf_counter() - started)
        hub.disconnect()
    connect = statistics.median(connects)
    publisher = kind.make(url)
    publisher.connect()
    listener = kind.make(url)
    listener.connect()
    arrived: Dict[str, float] = {}
    count = [0]
    done = threading.Event()

    def on_event(event: Any) -> None:
        arrived[event["data"]["n"]] = time.perf_counter()
        count[0] += 1

    listener.subscribe("topic=bench.event", on_event)
    stop = threading.Event()
    if kind.pump:
        threading.Thread(
            target=lambda: [listener.wait(0.05) for _ in iter(stop.is_set, True)], daemon=True
        ).start()
    time.sleep(0.5)  # let the subscription reach the server

    latencies: List[float] = []
    for n in range(pings):
        key = f"p{n}"
        sent = time.perf_counter()
        publisher.publish(kind.make_event("bench.event", data={"n": key}))
        while key not in arrived:
            time.sleep(0.0002)
        latencies.append(arrived[key] - sent)

    count[0] = 0
    started = time.perf_counter()
    for n in range(events):
        publisher.publish(kind.make_event("bench.event", data={"n": str(n)}))
    while count[0] < events and time.perf_counter() - started < 120:
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    stop.set()
    done.set()
    publisher.disconnect()
    listener.disconnect()
    return {
        "connect_ms": connect * 1000,
        "latency_ms": statistics.median(latencies) * 1000,
        "events_per_s": count[0] / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--pings", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp))
        try:
            results = {
                kind.name: measure(kind, server.url, args.events, args.pings)
                for kind in (ours(), genuine())
            }
        finally:
            server.stop()
    print(f"{'metric':<14}{'ft_dcc':>12}{'genuine':>12}{'genuine/ours':>14}")
    for metric in ("connect_ms", "latency_ms", "events_per_s"):
        mine, theirs = results["ft_dcc"][metric], results["genuine"][metric]
        ratio = theirs / mine if metric != "events_per_s" else mine / theirs
        print(f"{metric:<14}{mine:>12.2f}{theirs:>12.2f}{ratio:>14.2f}")


if __name__ == "__main__":
    main()
