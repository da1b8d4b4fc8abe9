#!/usr/bin/env python3
"""Side-by-side table of `whittle bench` and bench/peers/pytorch_speed.py results taken on the same machine.

Usage: compare.py --whittle W1.json [W2.json ...] --pytorch P1.json [P2.json ...] --out PREFIX
Each figure is the median over the given runs of each run's own median (runs alternate, so drift hits both
sides alike); the ratio is Whittle / PyTorch for throughput and PyTorch / Whittle for latency (> 1: Whittle
faster). Writes PREFIX.md and PREFIX.json.
"""
import argparse
import json
import statistics

METRICS = [("latencyMs", "b1 latency p50 (ms)", False), ("inferImagesPerSecond", "infer b64 img/s", True),
           ("trainImagesPerSecond", "train b128 img/s", True)]


def load(paths):
    runs = [json.load(open(p)) for p in paths]
    table = {}
    for run in runs:
        for r in run["results"]:
            key = (r["model"], r["threads"])
            for m, _, _ in METRICS:
                table.setdefault(key, {}).setdefault(m, []).append(r[m]["median"])
    return runs, table


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--whittle", nargs="+", required=True)
    p.add_argument("--pytorch", nargs="+", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    wr, w = load(a.whittle)
    pr, t = load(a.pytorch)
    rows = []
    for key in sorted(set(w) & set(t), key=lambda k: (k[1], k[0])):
        row = {"model": key[0], "threads": key[1]}
        for m, _, higher_better in METRICS:
            wv, tv = statistics.median(w[key][m]), statistics.median(t[key][m])
            row[m] = {"whittle": wv, "pytorch": tv, "whittleFaster": (wv / tv) if higher_better else (tv / wv),
                      "whittleRuns": w[key][m], "pytorchRuns": t[key][m]}
        rows.append(row)
    doc = {"whittle": [r["command"] + " @ " + r["date"] for r in wr],
           "pytorch": [r["command"] + " @ " + r["date"] + " torch " + r["machine"]["torch"] for r in pr],
           "machine": wr[0]["machine"].get("cpu"), "rows": rows}
    json.dump(doc, open(a.out + ".json", "w"), indent=1)
    head = "| model | threads | " + " | ".join(
        f"{label}: Whittle | PyTorch | Whittle faster" for _, label, _ in METRICS) + " |"
    lines = [f"# Whittle vs PyTorch on one machine ({doc['machine']})", "",
             f"Runs, alternating: {len(wr)} of `whittle bench`, {len(pr)} of `bench/peers/pytorch_speed.py` "
             f"({pr[0]['machine']['torch']}). Each figure is the median of the runs' medians; "
             "\"Whittle faster\" > 1 means Whittle is faster (throughput ratio, or latency PyTorch / Whittle).", "",
             head, "|---|---:|" + "---:|---:|---:|" * len(METRICS)]
    for r in rows:
        cells = []
        for m, _, _ in METRICS:
            c = r[m]
            fmt = "{:.3f}" if m == "latencyMs" else "{:,.0f}"
            cells += [fmt.format(c["whittle"]), fmt.format(c["pytorch"]), "{:.2f}x".format(c["whittleFaster"])]
        lines.append(f"| {r['model']} | {r['threads']} | " + " | ".join(cells) + " |")
    open(a.out + ".md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
