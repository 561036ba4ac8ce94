"""Worker processes that parse files, so one bad file costs only itself.

libcst's native parser can crash the whole process on some deeply nested
input, and takes minutes on some long expressions. Each worker is a process
of its own that receives one file at a time; a worker that dies or
overruns the time limit is replaced, and only its file is reported, as not
checked.

Workers come from a fork server where the platform has one (a small process
that imported authlint once and forks a fresh worker in milliseconds), and
are spawned elsewhere. Neither forks the running program: forking a process
that has threads can leave locks held forever in the child.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Union

from authlint.engine import (
    Checked,
    CheckPlan,
    FileOutcome,
    Prepared,
    check_prepared,
    not_checked,
)
from authlint.project import ProjectIndex

logger = logging.getLogger(__name__)

# A worker's first message: it has imported everything and can take files.
_READY = "ready"
# How long a worker that was asked to stop may take before it is killed.
_STOP_GRACE = 1.0

_Task = tuple[int, Prepared]
_Reply = Union[str, tuple[int, FileOutcome, tuple[str, ...]]]


class WorkerStartError(RuntimeError):
    """Worker processes die before they can take any file."""


def start_method() -> str:
    """The multiprocessing start method the workers use on this platform."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _context() -> BaseContext:
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        # The fork server imports authlint and libcst once; every worker
        # forked from it starts with them loaded.
        context.set_forkserver_preload([__name__])
    return context


def check_in_workers(
    files: Sequence[_Task], plan: CheckPlan, roots: Sequence[Path], jobs: int
) -> Iterator[Checked]:
    """Parse ``files`` in up to ``jobs`` worker processes, as they finish.

    Every file yields exactly once: its outcome, or AUT001 when its worker
    crashed or overran ``plan.file_timeout``.
    """
    if not files:
        return
    pool = _Pool(plan, roots, min(jobs, len(files)))
    try:
        yield from pool.check(files)
    finally:
        pool.close()


class _Worker:
    def __init__(
        self, context: BaseContext, plan: CheckPlan, roots: Sequence[Path]
    ) -> None:
        here, there = context.Pipe()
        level = logging.getLogger("authlint").getEffectiveLevel()
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve,
            args=(there, plan, tuple(roots), os.getcwd(), level),
            daemon=True,
        )
        self.process.start()
        there.close()
        self.connection: Connection = here
        self.ready = False
        self.task: _Task | None = None
        self.deadline = 0.0

    def send(self, task: _Task, timeout: float) -> None:
        self.task = task
        self.deadline = time.monotonic() + timeout
        self.connection.send(task)

    def stop(self) -> None:
        """Ask the worker to finish; kill it if it does not."""
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.connection.send(None)
            self.process.join(_STOP_GRACE)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class _Pool:
    def __init__(self, plan: CheckPlan, roots: Sequence[Path], size: int) -> None:
        self.plan = plan
        self.roots = roots
        self.context = _context()
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        return _Worker(self.context, self.plan, self.roots)

    def check(self, files: Sequence[_Task]) -> Iterator[Checked]:
        queue = deque(files)
        while queue or any(worker.task for worker in self.workers):
            for worker in self.workers:
                if worker.ready and worker.task is None and queue:
                    self._send(worker, queue.popleft())
            ready = set(wait(self._handles(), self._wait_time()))
            for worker in list(self.workers):
                if worker.connection in ready or worker.process.sentinel in ready:
                    yield from self._receive(worker, bool(queue))
                elif worker.task is not None and time.monotonic() >= worker.deadline:
                    yield self._give_up(worker, self._timeout_reason(), bool(queue))

    def _send(self, worker: _Worker, task: _Task) -> None:
        try:
            worker.send(task, self.plan.file_timeout)
        except OSError:
            # The worker died after it was ready; its sentinel says so next.
            logger.debug("cannot send to worker %s", worker.process.pid)

    def _handles(self) -> list[Any]:
        return [
            handle
            for worker in self.workers
            for handle in (worker.connection, worker.process.sentinel)
        ]

    def _wait_time(self) -> float | None:
        deadlines = [w.deadline for w in self.workers if w.task is not None]
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _receive(self, worker: _Worker, more: bool) -> Iterator[Checked]:
        try:
            reply: _Reply = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join()
            if worker.task is None and not worker.ready:
                raise WorkerStartError(
                    "worker processes cannot start "
                    f"({_exit_reason(worker.process.exitcode)})"
                ) from None
            yield from self._lost(worker, _crash_reason(worker.process), more)
            return
        if reply == _READY:
            worker.ready = True
            return
        task, worker.task = worker.task, None
        assert task is not None and not isinstance(reply, str)
        number, outcome, dependencies = reply
        yield number, task[1], outcome, dependencies

    def _lost(self, worker: _Worker, reason: str, more: bool) -> Iterator[Checked]:
        if worker.task is None:
            # Died between files: nothing lost but the worker.
            self._replace(worker, more)
            return
        yield self._give_up(worker, reason, more)

    def _give_up(self, worker: _Worker, reason: str, more: bool) -> Checked:
        assert worker.task is not None
        number, prepared = worker.task
        logger.debug("%s: %s", prepared.path, reason)
        self._replace(worker, more)
        outcome = not_checked(prepared.path, reason, prepared.enabled)
        return number, prepared, outcome, ()

    def _replace(self, worker: _Worker, more: bool) -> None:
        worker.kill()
        self.workers.remove(worker)
        if more:
            self.workers.append(self._start())

    def _timeout_reason(self) -> str:
        return f"checking took longer than {self.plan.file_timeout:g} s"

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []


def _crash_reason(process: BaseProcess) -> str:
    return f"the parser crashed ({_exit_reason(process.exitcode)})"


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _serve(
    connection: Connection,
    plan: CheckPlan,
    roots: tuple[Path, ...],
    directory: str,
    log_level: int,
) -> None:
    """A worker's life: take files until told to stop."""
    # Ctrl-C reaches every process of the terminal; the parent decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _no_core_dumps()
    # A fork server keeps the directory it started in; paths are relative
    # to the parent's.
    os.chdir(directory)
    _log_like_parent(log_level)
    index = ProjectIndex(roots)
    connection.send(_READY)
    while True:
        try:
            task: _Task | None = connection.recv()
        except (EOFError, OSError):  # the parent has gone
            return
        if task is None:
            return
        number, prepared = task
        outcome = check_prepared(prepared, plan, index)
        connection.send((number, outcome, index.dependencies(prepared.path)))


def _no_core_dumps() -> None:
    """A parser crash is expected and reported; it must not leave a core
    file in the user's directory."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _log_like_parent(level: int) -> None:
    package = logging.getLogger("authlint")
    package.setLevel(level)
    if level <= logging.DEBUG and not package.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("authlint: %(levelname)s: worker: %(message)s")
        )
        package.addHandler(handler)
