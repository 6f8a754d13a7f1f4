"""coturn for the local stack: the TURN REST shared-secret scheme, relaying on loopback."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Coturn:
    def __init__(self) -> None:
        self.secret = secrets.token_urlsafe(24)
        self.port = _free_port(socket.SOCK_STREAM)
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.gettempdir()) / f"telemed-turnserver-{self.port}.log"

    @staticmethod
    def available() -> bool:
        return shutil.which("turnserver") is not None

    @property
    def urls(self) -> list[str]:
        return [f"turn:127.0.0.1:{self.port}?transport=udp", f"turn:127.0.0.1:{self.port}?transport=tcp"]

    def start(self) -> None:
        relay_low = 49160 + (self.port % 150) * 100
        self.process = subprocess.Popen(
            [
                "turnserver",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                f"--listening-port={self.port}",
                "--use-auth-secret",
                f"--static-auth-secret={self.secret}",
                "--realm=telemed.local",
                "--allow-loopback-peers",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--fingerprint",
                f"--min-port={relay_low}",
                f"--max-port={relay_low + 99}",
                f"--log-file={self.log}",
                "--simple-log",
                "--no-stdout-log",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
