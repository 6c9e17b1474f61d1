"""`nn-playground run --plot FILE.png`: every seed's loss curve on a log scale, with its solves and knockouts marked."""

from __future__ import annotations

import bisect
from typing import Any

MAX_POINTS = 300  # per curve: enough for a 720-pixel-wide plot, and the PNG of ten noisy curves stays under 150 KB


def check_available() -> None:
    """Stop with a clear message before a long run whose plot could not be drawn."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise SystemExit("--plot needs matplotlib: pip install -e '.[plot]'") from e


def _at(loss: list[tuple[int, float]], it: int) -> float | None:
    """The chart's loss at iteration `it` (the nearest kept point at or after it), to put a mark on the curve."""
    if not loss:
        return None
    i = min(bisect.bisect_left([p[0] for p in loss], it), len(loss) - 1)
    return loss[i][1]


def draw(final: dict[str, Any], path: str) -> None:
    """Draw the curves `server.runner.run(..., curves=True)` returned into a small PNG at `path`."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    curves = final["curves"]
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=80)
    cmap = plt.get_cmap("tab20" if len(curves) > 10 else "tab10")
    solved_label = knock_label = test_label = True
    for k, c in enumerate(curves):
        # a zero error cannot sit on the log axis
        loss = [(i, v) for i, v in c["loss"] if i > 0 and v is not None and v > 0]
        loss = loss[:: max(1, len(loss) // MAX_POINTS)] + loss[-1:]  # keeps the PNG small; a cliff stays sharp
        if not loss:
            continue
        colour = cmap(k % cmap.N)
        ax.plot([p[0] for p in loss], [p[1] for p in loss], lw=1.1, color=colour, label=f"seed {c['seed']}")
        r = c["result"]
        test = [(i, te) for i, _, te in r.get("test_curve", []) if te]
        if test:  # the boundary demo's held-out points: the overfitting lesson is the gap between the two
            ax.plot([p[0] for p in test], [p[1] for p in test], ls="--", lw=1.1, color=colour,
                    label="test (dashed)" if test_label else None)
            test_label = False
        solved = r.get("solved_at")
        if solved:
            ax.plot([solved], [_at(loss, solved)], "o", ms=6, mfc="none", mec="black",
                    label="solved" if solved_label else None)
            solved_label = False
        for at in r.get("knocked_at", []):
            ax.plot([at], [_at(loss, at)], "x", ms=7, color="black", label="knockout" if knock_label else None)
            knock_label = False
    budget = final.get("budget")
    if budget:
        ax.axvline(budget, color="grey", ls="--", lw=1)
        ax.text(budget, ax.get_ylim()[1], " budget", va="top", ha="left", fontsize=8, color="grey")
    # x stays linear: a plateau then a cliff is the lesson, and a log axis would squeeze the plateau's end
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.EngFormatter(sep=""))
    ax.set_xlim(left=0)
    ax.set_xlabel("iteration")
    ax.set_ylabel("error (mean squared, as the page's chart)")
    title = f"{final['demo']} --preset {final['preset']}, seeds {final['seed']}..{final['seed'] + len(curves) - 1}"
    if final.get("dropout"):
        title += f", dropout {final['dropout']:g}"
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside: curves fill it
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
