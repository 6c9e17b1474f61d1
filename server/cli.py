"""The command line: `nn-playground serve | run`, and the tools' `bench | loadtest` (server.tools.commands)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="nn-playground", description="A visual neural-network playground for lectures.")
    sub = p.add_subparsers(dest="cmd", required=True)

    sp = sub.add_parser("serve", help="start the playground server")
    sp.add_argument("--host", default=None, help="interface to listen on (default 127.0.0.1, env NNP_HOST)")
    sp.add_argument("--port", type=int, default=None, help="port (default 8000, env NNP_PORT)")
    sp.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None, help="where networks train")

    rp = sub.add_parser("run", help="train a demo without a browser; prints one JSON object per line")
    rp.add_argument("demo")
    rp.add_argument("--preset", default="default")
    rp.add_argument("--steps", type=int, default=None, help="iterations (default: the preset's own)")
    rp.add_argument("--seed", type=int, default=0)
    rp.add_argument("--seeds", type=int, default=1, help="run seeds SEED..SEED+K-1 and report lists")
    rp.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu")
    rp.add_argument("--lesson-step", type=int, default=None, metavar="K",
                    help="play the demo's lesson to the end of step K (1-based), as the page's step bar does")
    rp.add_argument("--budget", type=int, default=None,
                    help="knockout: the most iterations a seed trains before it stops unsolved (same as --steps)")
    rp.add_argument("--dropout", type=float, default=None, metavar="P",
                    help="knockout, boundary: train with dropout, each hidden neuron dropped with probability P")
    rp.add_argument("--plot", default=None, metavar="FILE.png",
                    help="draw every seed's loss curve into a PNG (needs the plot extra: pip install -e '.[plot]')")

    from server.tools import commands as tools  # the bench and the load test: their options live with them

    tools.register(sub)

    args = p.parse_args(argv)
    if args.cmd == "serve":
        import uvicorn

        from server.app import create_app
        from server.config import Settings

        try:
            settings = Settings.from_env(host=args.host, port=args.port, device=args.device)
            settings.torch_device()
        except ValueError as e:
            sys.exit(f"nn-playground: {e}")
        app = create_app(settings)
        print(f"nn-playground: serving on http://{settings.host}:{settings.port} "
              f"(training on {settings.describe_device()})", flush=True)
        # The websocket's own limit is the setting: a larger message is refused (1009) before it is buffered.
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                    ws_max_size=settings.max_message_bytes)
    elif args.cmd == "run":
        from server.config import Settings
        from server.runner import run

        if args.seeds < 1 or (args.steps is not None and args.steps < 0):
            sys.exit("--seeds must be at least 1 and --steps not negative")
        if args.budget is not None and args.steps is not None:
            sys.exit("give --budget or --steps, not both: for this command they mean the same")
        if args.budget is not None and args.budget < 1:
            sys.exit("--budget must be at least 1")
        if args.dropout is not None and not 0 < args.dropout <= 0.9:
            sys.exit("--dropout must be in (0, 0.9]")
        if args.plot is not None:
            from server.tools import plot

            plot.check_available()
        import torch

        # As `serve` does (NNP_TORCH_THREADS, default 1): for tiny networks a second intra-op thread only adds
        # synchronisation (a 1 -> 20 -> 5 -> 1 step took 36 ms instead of 1.2 ms on a busy 2-core machine).
        try:
            settings = Settings.from_env(device=args.device)
            device = settings.torch_device()
        except ValueError as e:
            sys.exit(f"nn-playground: {e}")
        torch.set_num_threads(settings.torch_threads)
        if args.lesson_step is not None:
            from server.runner import run_lesson

            run_lesson(args.demo, args.lesson_step, device)
            return
        steps = args.budget if args.budget is not None else args.steps
        final = run(args.demo, args.preset, steps, args.seed, args.seeds, device, dropout=args.dropout,
                    curves=args.plot is not None)
        if args.plot is not None:
            plot.draw(final, args.plot)
            print(f"nn-playground: wrote {args.plot}", file=sys.stderr)
    else:
        tools.run(args)

if __name__ == "__main__":
    main()
