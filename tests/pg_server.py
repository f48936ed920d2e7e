"""A throwaway PostgreSQL server from the machine's own binaries, for tests and benchmarks.

initdb and pg_ctl into a temporary folder, listening on a free loopback port with its socket in
that folder (never a server the machine already runs), fsync off. The server refuses to run as
root: as root it runs as the `postgres` user (runuser), owning the folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

REQUIRE = "TRAINER_REQUIRE_POSTGRES"
HOW = (
    "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): install Debian's "
    "`postgresql` package (apt-get install -y postgresql), or run .ci/run, to run these tests"
)


def unavailable(detail: str) -> NoReturn:
    """Skip a PostgreSQL test saying how to run it, or (TRAINER_REQUIRE_POSTGRES=1) fail it."""
    import pytest

    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but no PostgreSQL server could start: {detail}")
    pytest.skip(HOW)


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    bin: Path
    folder: Path
    port: int
    user: str = "postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", f"{self.folder}/data", "-A", "trust", "-U", self.user,
                  "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", f"{self.folder}/data", "-o", options, "-l",
                  f"{self.folder}/log", "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", f"{self.folder}/data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.user}@127.0.0.1:{self.port}/{database}"


def start_server() -> Server:
    found = binaries()
    if found is None:
        raise FileNotFoundError(HOW)
    folder = Path(tempfile.mkdtemp(prefix="trainer-pg-"))
    folder.chmod(0o755)
    server = Server(found, folder, _free_port())
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
