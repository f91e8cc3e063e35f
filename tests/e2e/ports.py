"""Ports for servers that another program starts (tauri-driver, WebKitWebDriver, the Graph
simulator): shared by the end-to-end tests and the window benchmarks in scripts/."""

import random
import socket
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on. It is below the range the system hands out for
    outgoing connections and port 0: a port from that range was taken, now and then, by some
    connection before the server could bind it (WebKitWebDriver then ended with "Unable to
    listen")."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(10_000, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
