"""Oversized messages as an attacker sends them, from a process of its own: `python -m tests.attack PORT N BYTES`.
Standard library only: an attacker that starts by importing torch would be measured as the attack's cost."""

from __future__ import annotations

import base64
import os
import socket
import sys
import threading


def send_huge(port: int, size: int) -> bytes:
    """One 16 MB text message as an attacker sends it: a real frame header, then the bytes as fast as the socket
    takes them (masked with a zero key, so no work on this side). Returns what the server answered, if anything."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(f"GET /ws/autoencoder HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head[:200]
        sock.sendall(b"\x81\xff" + size.to_bytes(8, "big") + b"\0\0\0\0")
        chunk, sent = b"a" * (256 * 1024), 0
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # closed by the server, as it should be, long before the end
        sock.settimeout(5)
        got = b""
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except OSError:
            pass
        return got


def attack(port: int, sockets: int, size: int) -> None:
    """`sockets` attackers at once, each sending one `size`-byte message; prints how many were closed with 1009.
    Run in a process of its own: attackers in the test's process would take the bystanders' clients' turns (one
    interpreter lock), and count against the server what the test itself lost."""
    answers: list[bytes] = []
    threads = [threading.Thread(target=lambda: answers.append(send_huge(port, size)), daemon=True)
               for _ in range(sockets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    print(sum(1 for a in answers if b"\x88" in a and (1009).to_bytes(2, "big") in a), flush=True)


if __name__ == "__main__":
    attack(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
