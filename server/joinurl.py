"""The join link students can reach (never a loopback address) and its QR code, drawn server-side as SVG."""

from __future__ import annotations

import io
import ipaddress
import socket

import segno
from fastapi import Request

from server.config import Settings


def _loopback(host: str | None) -> bool:
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _machine_address() -> str | None:
    """This machine's address on its main network (what a phone on the same Wi-Fi reaches), if any. A UDP
    "connect" sends nothing: it only asks the kernel which interface a packet would leave by."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if _loopback(addr) else addr


def _forwarded(request: Request) -> tuple[str | None, str | None]:
    """(proto, host) a reverse proxy says the page was asked for: RFC 7239 Forwarded, else X-Forwarded-*."""
    h = request.headers
    if fwd := h.get("forwarded"):
        parts = dict(p.strip().split("=", 1) for p in fwd.split(",")[0].split(";") if "=" in p)
        host = parts.get("host", "").strip('"') or None
        proto = parts.get("proto", "").strip('"') or None
        if host:
            return proto, host
    host = h.get("x-forwarded-host")
    proto = h.get("x-forwarded-proto")
    return (proto.split(",")[0].strip() if proto else None), (host.split(",")[0].strip() if host else None)


def public_base(request: Request, settings: Settings) -> tuple[str | None, str | None]:
    """(base URL for students, a note for the lecturer when it is a guess or there is none)."""
    if settings.public_url:
        return settings.public_url.rstrip("/"), None
    proto, host = _forwarded(request)
    scheme = proto or request.url.scheme
    if host and not _loopback(host.rsplit(":", 1)[0]):
        return f"{scheme}://{host}", None
    if not _loopback(request.url.hostname):
        return str(request.base_url).rstrip("/"), None
    port = request.url.port or settings.port
    if _loopback(settings.host):
        return None, (f"This server listens on {settings.host} only: students' devices cannot reach it. Serve with "
                      "--host 0.0.0.0, or set NNP_PUBLIC_URL to the address they can reach.")
    addr = _machine_address()
    if addr is None:
        return None, "No network address found for this machine: set NNP_PUBLIC_URL to the address students reach."
    return f"{scheme}://{addr}:{port}", ("This address is this machine's own network address, guessed; if students "
                                         "cannot open it, set NNP_PUBLIC_URL.")


def qr_svg(url: str) -> str:
    """A QR code of `url` as scalable SVG (viewBox only, so CSS sizes it), dark on white with its quiet zone."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", border=4, omitsize=True, xmldecl=False, svgns=True,
                                    dark="#1f2430", light="#ffffff", title=url)
    return buf.getvalue().decode()
