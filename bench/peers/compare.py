#!/usr/bin/env python3
"""Side-by-side table of `whittle bench` and its peers' results taken on the same machine: PyTorch
(bench/peers/pytorch_speed.py) and ONNX Runtime (dev.whittle.bench.OrtSpeed, models mode).

Usage: compare.py --whittle W1.json [W2.json ...] [--pytorch P1.json ...] [--ort O1.json ...] --out PREFIX
At least one peer. Each figure is the median over the given runs of each run's own median (runs alternate, so
drift hits every side alike); "Whittle faster" is Whittle / peer for throughput and peer / Whittle for latency
(> 1: Whittle faster). ONNX Runtime is inference only, so it has no training column. Writes PREFIX.md and
PREFIX.json.
"""
import argparse
import json
import statistics
import sys

METRICS = [("latencyMs", "b1 latency p50 (ms)", False), ("inferImagesPerSecond", "infer b64 img/s", True),
           ("trainImagesPerSecond", "train b128 img/s", True)]
# (key, column label, version field in the run's "machine", program that produced the runs)
PEERS = [("pytorch", "PyTorch", "torch", "`bench/peers/pytorch_speed.py`"),
         ("ort", "ORT", "onnxruntime", "`dev.whittle.bench.OrtSpeed --models`")]
LONG_NAMES = {"torch": "PyTorch", "onnxruntime": "ONNX Runtime"}


def load(paths):
    runs = [json.load(open(p)) for p in paths]
    table = {}
    for run in runs:
        for r in run["results"]:
            key = (r["model"], r["threads"])
            for m, _, _ in METRICS:
                if m in r:  # ONNX Runtime runs have no training figures
                    table.setdefault(key, {}).setdefault(m, []).append(r[m]["median"])
    return runs, table


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--whittle", nargs="+", required=True)
    p.add_argument("--pytorch", nargs="+", default=[])
    p.add_argument("--ort", nargs="+", default=[])
    p.add_argument("--out", required=True)
    a = p.parse_args()
    peers = [(k, label, ver, script) + load(getattr(a, k)) for k, label, ver, script in PEERS if getattr(a, k)]
    if not peers:
        p.error("give at least one peer: --pytorch and/or --ort")
    wr, w = load(a.whittle)
    cpu = wr[0]["machine"].get("cpu")
    others = sorted({r["machine"].get("cpu") for _, _, _, _, runs, _ in peers for r in runs} - {cpu})
    if others:  # the whole point is one machine: say so loudly when it is not
        print(f"warning: runs from other CPUs than Whittle's ({cpu}): {others}", file=sys.stderr)
    # (peer, metric) pairs that get columns: a peer only where its runs have the metric
    columns = [(m, label, hb, [pk for pk, _, _, _, _, t in peers if any(m in v for v in t.values())])
               for m, label, hb in METRICS]
    columns = [c for c in columns if c[3]]
    rows = []
    for key in sorted(set(w) & set().union(*(t.keys() for *_, t in peers)), key=lambda k: (k[1], k[0])):
        row = {"model": key[0], "threads": key[1]}
        for m, _, higher_better, pks in columns:
            if m not in w[key]:
                continue
            wv = statistics.median(w[key][m])
            cell = {"whittle": wv, "whittleRuns": w[key][m]}
            for pk, _, _, _, _, t in peers:
                if pk not in pks or m not in t.get(key, {}):
                    continue
                tv = statistics.median(t[key][m])
                faster = (wv / tv) if higher_better else (tv / wv)
                # "whittleFaster" stays the PyTorch ratio, as in the files written before ORT joined
                cell.update({pk: tv, "whittleFaster" if pk == "pytorch" else f"whittleFasterThan{pk.title()}": faster,
                             f"{pk}Runs": t[key][m]})
            row[m] = cell
        rows.append(row)
    doc = {"whittle": [r["command"] + " @ " + r["date"] for r in wr]}
    for pk, _, ver, _, runs, _ in peers:
        doc[pk] = [r["command"] + " @ " + r["date"] + f" {ver} " + r["machine"][ver] for r in runs]
    doc.update({"machine": cpu, "otherMachines": others, "rows": rows})
    json.dump(doc, open(a.out + ".json", "w"), indent=1)

    names = " and ".join(label for _, label, *_ in peers)
    head, rule = "| model | threads |", "|---|---:|"
    for _, label, _, pks in columns:
        head += f" {label}: Whittle |"
        rule += "---:|"
        for pk, plabel, *_ in peers:
            if pk in pks:
                head += f" {plabel} | Whittle faster |"
                rule += "---:|---:|"
    runs_text = ", ".join(f"{len(runs)} of {script} ({LONG_NAMES[ver]} {runs[0]['machine'][ver]})"
                          for _, _, ver, script, runs, _ in peers)
    lines = [f"# Whittle vs {names} on one machine ({cpu})", "",
             f"Runs, alternating: {len(wr)} of `whittle bench`, {runs_text}. Each figure is the median of the runs'"
             " medians; \"Whittle faster\" > 1 means Whittle is faster (throughput Whittle / peer, latency"
             " peer / Whittle), against the peer named in the column before it."
             + (" ONNX Runtime runs inference only: no training column for it." if a.ort else ""), ""]
    if others:
        lines += [f"**Warning: some peer runs come from another CPU ({', '.join(others)}); their ratios are not"
                  " same-machine comparisons.**", ""]
    lines += [head, rule]
    for r in rows:
        cells = []
        for m, _, _, pks in columns:
            c = r.get(m, {})
            fmt = "{:.3f}" if m == "latencyMs" else "{:,.0f}"
            cells.append(fmt.format(c["whittle"]) if "whittle" in c else "–")
            for pk, *_ in peers:
                if pk not in pks:
                    continue
                ratio = c.get("whittleFaster" if pk == "pytorch" else f"whittleFasterThan{pk.title()}")
                cells += [fmt.format(c[pk]) if pk in c else "–", "{:.2f}x".format(ratio) if ratio else "–"]
        lines.append(f"| {r['model']} | {r['threads']} | " + " | ".join(cells) + " |")
    open(a.out + ".md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
