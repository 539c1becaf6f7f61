"""Decode, model and encode at the same time: three stages joined by bounded FIFO queues.

The decoder runs in a thread, the model in the calling thread (so Ctrl-C lands there and the Upscaler is used from
one thread only), the encoder in a third thread. PyAV and the runtime release the GIL in their C code, so the
stages overlap. Each queue holds at most ``depth`` items: a fast stage waits for a slow one (backpressure), so
memory stays bounded whatever the clip length. One worker per stage and FIFO queues keep the order.

``parallel=False`` runs the same three stages one after another in the calling thread (the serial baseline of the
pipeline benchmark).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

DEFAULT_DEPTH = 4
_DONE = object()
_POLL = 0.1  # seconds between checks of the stop flag while a queue is full or empty

Emit = Callable[[Any], None]


class _Stopped(Exception):
    """Another stage failed: this one stops quietly and the failure is raised in the calling thread."""


class _Channel:
    """A bounded queue whose put/get give up when the pipeline stops."""

    def __init__(self, depth: int, stop: threading.Event) -> None:
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.stop = stop

    def put(self, item: Any) -> None:
        while True:
            if self.stop.is_set():
                raise _Stopped
            try:
                self.queue.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def get(self) -> Any:
        while True:
            if self.stop.is_set():
                raise _Stopped
            try:
                return self.queue.get(timeout=_POLL)
            except queue.Empty:
                continue


def run_pipeline(produce: Iterator[Any], transform: Callable[[Any, Emit], None], finish: Callable[[Emit], None],
                 consume: Callable[[Any], None], parallel: bool = True, depth: int = DEFAULT_DEPTH) -> None:
    """Run ``consume(y)`` for every ``y`` that ``transform(x, emit)`` / ``finish(emit)`` emit, for every ``x`` of
    ``produce``, in order.

    Args:
        produce: the decoder's items (iterated in a thread of its own when parallel).
        transform: the model stage; calls ``emit`` zero or more times per item.
        finish: called once after the last item (e.g. the model's flush); may emit.
        consume: the encoder stage (in a thread of its own when parallel).
        parallel: False runs the stages one after another in this thread.
        depth: capacity of each of the two queues.

    The first exception of any stage (KeyboardInterrupt in this thread included) stops all of them and is raised
    here, after the threads have ended.
    """
    if not parallel:
        for item in produce:
            transform(item, consume)
        finish(consume)
        return
    stop = threading.Event()
    decoded, modelled = _Channel(depth, stop), _Channel(depth, stop)
    errors: list[BaseException] = []

    def guarded(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                body()
            except _Stopped:
                pass
            except BaseException as error:  # noqa: BLE001 - handed to the calling thread
                errors.append(error)
                stop.set()
        return run

    def decode() -> None:
        for item in produce:
            decoded.put(item)
        decoded.put(_DONE)

    def encode() -> None:
        while (item := modelled.get()) is not _DONE:
            consume(item)

    threads = [threading.Thread(target=guarded(decode), name="mobilevsr-decode", daemon=True),
               threading.Thread(target=guarded(encode), name="mobilevsr-encode", daemon=True)]
    for thread in threads:
        thread.start()
    try:
        while (item := decoded.get()) is not _DONE:
            transform(item, modelled.put)
        finish(modelled.put)
        modelled.put(_DONE)
        threads[1].join()  # the encoder drains what is queued; the decoder has already ended
    except _Stopped:
        pass
    except BaseException as error:
        errors.insert(0, error)
    finally:
        stop.set() if errors else None
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
