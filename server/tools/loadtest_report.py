"""The load test's report: frame rates, latency, demo switches and the servers' figures, as JSON and as a table."""

from __future__ import annotations

import statistics
from typing import Any

from server.tools.pages import Client


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]



def switch_delays(moves: dict[int, float], pages: list[Client]) -> dict[str, Any]:
    """How long each page took to hear of each move of the room (from the lecturer's request); a page that never
    heard of one counts as missed."""
    delays = [c.room_seen[v] - t for v, t in moves.items() for c in pages if v in c.room_seen]
    missed = sum(1 for v in moves for c in pages if v not in c.room_seen)
    ms = [d * 1000 for d in delays]
    return {"moves": len(moves), "pages": len(pages), "seen": len(ms), "missed": missed,
            "median_ms": statistics.median(ms) if ms else None, "p95_ms": percentile(ms, 95) if ms else None,
            "max_ms": max(ms) if ms else None}


def report(clients: list[Client], seconds: float, demo: str, server: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"demo": demo, "seconds": seconds}
    for role in ("student", "follower"):
        rates = [c.frames / seconds for c in clients if c.role == role]
        out[role + "s"] = {"clients": len(rates), "fps_median": statistics.median(rates) if rates else None,
                           "fps_p5": percentile(rates, 5), "fps_min": min(rates) if rates else None}
    lat = [x * 1000 for c in clients for x in c.latencies]
    out["latency_ms"] = {"commands": len(lat), "median": statistics.median(lat) if lat else None,
                         "p95": percentile(lat, 95)}
    out["switches"] = server.pop("switches")
    its = [(c.last_it - c.first_it) / seconds for c in clients if c.role == "student" and c.first_it is not None]
    out["student_its_per_s"] = {"median": statistics.median(its) if its else None, "min": min(its) if its else None}
    errors = [e for c in clients for e in c.errors] + ["a page missed a switch"] * out["switches"]["missed"]
    out["errors"] = len(errors)
    out["error_examples"] = sorted(set(errors))[:5]
    out["server"] = server
    return out


def table(r: dict[str, Any]) -> str:
    s, f, lat, srv = r["students"], r["followers"], r["latency_ms"], r["server"]
    rows = [
        f"nn-playground load test: {s['clients']} students + {f['clients']} followers + 1 lecturer, "
        f"{r['seconds']:g} s, demo {r['demo']}, {srv['processes']} server process"
        + ("es sharing rooms through Redis" if srv["processes"] > 1 else ""),
        "",
        f"{'':10} {'clients':>8} {'frames/s median':>16} {'p5':>7} {'min':>7}",
    ]
    for name, g in (("students", s), ("followers", f)):
        if g["clients"]:
            rows.append(f"{name:10} {g['clients']:>8} {g['fps_median']:>16.1f} {g['fps_p5']:>7.1f} "
                        f"{g['fps_min']:>7.1f}")
    if lat["commands"]:
        rows.append(f"command -> frame latency: median {lat['median']:.0f} ms, p95 {lat['p95']:.0f} ms "
                    f"({lat['commands']} commands)")
    sw = r["switches"]
    if sw["moves"]:
        rows.append(f"demo switches: {sw['moves']}, seen by {sw['seen']} of {sw['moves'] * sw['pages']} page "
                    f"deliveries: median {sw['median_ms']:.0f} ms, p95 {sw['p95_ms']:.0f} ms, max {sw['max_ms']:.0f} "
                    f"ms after the lecturer's move" + (f"; {sw['missed']} missed" if sw["missed"] else ""))
    its = r["student_its_per_s"]
    if its["median"] is not None:
        rows.append(f"training per student: median {its['median']:,.0f} it/s, min {its['min']:,.0f} it/s")
    rows.append(f"errors: {r['errors']}" + (f" (e.g. {r['error_examples'][0]})" if r["errors"] else ""))
    rows.append(f"server: RSS {srv['rss_mb']:.0f} MB (peak {srv['peak_rss_mb']:.0f} MB), CPU {srv['cpu_percent']:.0f}% "
                f"of one core, {srv['sessions']} sessions ({srv['running']} training); "
                f"load-test clients: CPU {srv['client_cpu_percent']:.0f}%; machine load average "
                f"{srv['load_average']:.2f}")
    rows.append(f"server pacing (median over the run): frames at {srv['paced_fps_median']:g}/s (NNP_FPS at most, "
                f"NNP_MIN_FPS at least), training {100 * srv['training_duty_median']:.0f}% of each round")
    return "\n".join(rows)

