"""`nn-playground bench` pieces run and its table shows every figure (timings are printed, never asserted)."""

from __future__ import annotations

from server.tools import bench


def test_the_measurements_run_on_small_budgets() -> None:
    w = bench.WORKLOADS[2]
    assert bench.epochs_per_s(w, fused=True, seconds=0.05) > 0
    assert bench.batched_sessions(3, 0.05) > 0
    both = bench.sessions_at_once((1, 3), 0.05)
    assert set(both) == {"1", "1_fairness", "3", "3_fairness"} and both["3"] > 0


def test_the_table_shows_every_figure() -> None:
    workloads = {w.name: {"epochs_per_s": 2.0e4, "us_per_epoch": 50.0, "eager_torch_epochs_per_s": 70.0,
                          "tf_playground_epochs_per_s": bench.TF_PLAYGROUND[w.name], "vs_tf_playground": 3.0,
                          "what": w.what} for w in bench.WORKLOADS}
    r = {"workloads": workloads, "tf_playground_source": "recorded on 2026-12-02, not measured now",
         "knockout_cliff_s": 0.9, "batched_100_its_per_s": 3e5,
         "sessions_its_per_s": {"1": 8e5, "1_fairness": 1.0, "10": 9e5, "10_fairness": 0.97, "100": 8.5e5,
                                "100_fairness": 0.92},
         "batched_100_cuda_its_per_s": 1.5e6, "live_demo": "knockout", "frames_per_s": 29.8,
         "frames_per_s_at_fps_60": 47.0, "command_latency_ms_at_fps_60": 14.0, "trained_its_per_s": 1.5e5,
         "command_latency_ms": 13.7, "command_latency_p95_ms": 19.4, "idle_session_kib": 150,
         "training_session_kib": 235, "server_rss_mib": 387}
    text = bench.table(r)
    for name in workloads:
        assert f"| {name} (" in text
    assert "TF Playground epochs/s (recorded on 2026-12-02, not measured now)" in text
    assert "(rounds:" not in text, "rounds only when TFP was timed in this run"
    workloads["autoencoder"]["vs_tf_playground_rounds"] = [5.1, 4.9, 5.3]
    assert "| 3.0 (rounds: 5.1 / 4.9 / 5.3) |" in bench.table(r)
    for figure in ("0.90 s", "850,000", "1,500,000", "on the GPU", "29.8", "47.0; 14.0 ms", "13.7 / 19.4 ms"):
        assert figure in text, figure
    r["frames"] = {"autoencoder": {"us_per_frame": 66.4, "us_per_frame_p90": 171.0, "bytes_per_frame": 3607}}
    assert "| autoencoder | 66 / 171 | 3,607 |" in bench.table(r)
    del r["batched_100_cuda_its_per_s"]
    assert "on the GPU" not in bench.table(r), "no GPU row without a GPU figure"


def test_frames_are_timed_and_weighed_per_demo() -> None:
    from server.tools import bench_frames

    for name, demo, command in bench_frames.CASES[:1] + bench_frames.CASES[-1:]:  # the smallest and the largest
        r = bench_frames.frame_cost(demo, command, 3)
        assert r["us_per_frame"] > 0 and r["us_per_frame_p90"] >= r["us_per_frame"], name
        assert r["bytes_per_frame"] > 1000, name  # a frame carries the whole network
    small = bench_frames.frame_cost("autoencoder", None, 3)["bytes_per_frame"]
    assert r["bytes_per_frame"] > 10 * small, "96 heatmaps weigh more than the 10-3-10 autoencoder"
