"""A delaying TCP proxy on 127.0.0.1 for the benchmarks: every byte waits a one-way delay (with
jitter) in each direction, in order (a link delays, it does not reorder), so a round trip costs
twice the delay. Runs on an asyncio loop of its own thread (:class:`LoopThread`), which other
asyncio clients of a benchmark may share.

    with LoopThread() as loop:
        proxy = DelayProxy(loop, upstream_port=8000, delay_ms=50, jitter_ms=10)
        ...  # connect to http://127.0.0.1:{proxy.port}
        proxy.close()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import threading
from typing import Any, Coroutine, List, Optional, Set, Tuple, TypeVar

T = TypeVar("T")
CHUNK = 65536


class LoopThread:
    """An asyncio event loop running in a daemon thread; ``submit(coroutine)`` from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> LoopThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return self.submit(coroutine).result(timeout)


class DelayProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``upstream_port``, each direction delayed by
    ``delay_ms`` ± ``jitter_ms`` (uniform; a chunk never overtakes the one before it)."""

    def __init__(self, loop: LoopThread, upstream_port: int, delay_ms: float,
                 jitter_ms: float = 0.0, seed: int = 1) -> None:  # fmt: skip
        self.loop = loop
        self.upstream_port = upstream_port
        self.delay = delay_ms / 1000.0
        self.jitter = jitter_ms / 1000.0
        self.random = random.Random(seed)
        self.tasks: Set[asyncio.Task[None]] = set()
        self.server: Optional[asyncio.base_events.Server] = None
        self.port = loop.run(self._start())

    async def _start(self) -> int:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    def one_way(self) -> float:
        return max(0.0, self.delay + self.random.uniform(-self.jitter, self.jitter))

    async def _connection(self, client_r: asyncio.StreamReader,
                          client_w: asyncio.StreamWriter) -> None:  # fmt: skip
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)  # type: ignore[arg-type]
        writers: List[asyncio.StreamWriter] = [client_w]
        try:
            await asyncio.sleep(self.one_way())  # the connection's set-up crosses the link
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            writers.append(server_w)
            await asyncio.gather(self._pump(client_r, server_w), self._pump(server_r, client_w))
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the link went down (or the proxy closed): both ends are closed
        finally:
            for writer in writers:
                writer.close()
            if task is not None:
                self.tasks.discard(task)  # type: ignore[arg-type]

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read ``reader`` as fast as it comes; write each chunk when its delay is over."""
        clock = asyncio.get_running_loop()
        queue: asyncio.Queue[Tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - clock.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        delivering = asyncio.ensure_future(deliver())
        last = 0.0
        try:
            while True:
                try:
                    data = await reader.read(CHUNK)
                except OSError:
                    data = b""
                last = max(last, clock.time() + self.one_way())
                queue.put_nowait((last, data))
                if not data:
                    break
            await delivering
        except OSError:
            pass
        finally:
            delivering.cancel()

    async def _close(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.tasks):
            task.cancel()

    def close(self) -> None:
        self.loop.run(self._close())
