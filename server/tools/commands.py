"""The tools' subcommands of the command line, `nn-playground bench | loadtest`: their options and what runs them.
The server's CLI registers them; what they run is imported only when they run."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the tools' parsers to the CLI's subparsers."""
    lp = sub.add_parser("loadtest", help="a simulated classroom against a server subprocess; prints a table")
    lp.add_argument("--students", type=int, default=50, help="student sandboxes, each training and clicking")
    lp.add_argument("--followers", type=int, default=None, help="pages following the lecturer (default: --students)")
    lp.add_argument("--seconds", type=float, default=30.0, help="how long to measure, after a short warm-up")
    lp.add_argument("--demo", default="autoencoder")
    lp.add_argument("--fps", type=float, default=None, help="the server's NNP_FPS (default: its own)")
    lp.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    lp.add_argument("--processes", type=int, default=1,
                    help="server processes sharing rooms through a redis-server the test starts (default 1)")
    lp.add_argument("--switches", type=int, default=0,
                    help="times the lecturer moves the room to another demo during the run (default 0)")

    bp = sub.add_parser("bench", help="measure training speed, frames and latency; prints a table")
    bp.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    bp.add_argument("--quick", action="store_true", help="shorter timings (noisier)")
    bp.add_argument("--page", action="store_true",
                    help="also drive a real page in headless Chromium (Playwright, from the test extra) and time it")
    bp.add_argument("--tfp", metavar="DIR", default=None,
                    help="time TensorFlow Playground's engine (a build of ../shared/reference/tfp-engine in DIR, "
                         "run by Node) interleaved with ours; without it its figures are the recorded ones")
    bp.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="time training by the wall clock, or by each process's CPU time (steadier on a machine "
                         "shared with other work; both sides alike with --tfp)")


def run(args: argparse.Namespace) -> None:
    if args.cmd == "loadtest":
        from server.tools import loadtest

        loadtest.main(args.students, args.followers, args.seconds, args.demo, args.fps, args.json, args.processes,
                      args.switches)
    elif args.cmd == "bench":
        from server.tools.bench import main as bench

        bench(args.json, args.quick, args.page, args.tfp, args.clock)

