#!/usr/bin/python3
"""PyTorch peer for `whittle bench`: the same three models (shared/docs/models.md), the same workloads and the
same statistics, on the same machine, so that a user comparing the two sees numbers taken the same way.

Workloads (as BenchCommand): batch-1 latency p50/p99 over 300 calls after warm-up; batch-64 inference and
batch-128 training (SGD momentum 0.9, weight decay 5e-4, cross-entropy) throughput as the median of 5 one-second
trials after 2 s of warm-up. Inputs are 1x28x28 (ResNet-20 with a 1-channel stem, as Whittle's bench uses), 10
classes, random data: speed does not depend on the values. Threads are set with torch.set_num_threads.

Needs Debian's python3-torch (PyTorch 1.13, the build models.md's reference figures came from) with OpenBLAS, and
the BLAS thread count set to the measured one (bench/peers/run.sh does both):
    apt-get install -y python3-torch libopenblas0-pthread
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/pytorch_speed.py --threads 1 --out OUT
Writes <out>.json and <out>.md.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import time

import torch
import torch.nn as nn


def conv_bn_relu(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def vgg_small(widths=(32, 32, 64, 64, 128, 128)):
    layers, cin = [], 1
    for i, w in enumerate(widths):
        layers += conv_bn_relu(cin, w)
        cin = w
        if i % 2 == 1:
            layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(widths[-1] * 9, 256), nn.ReLU(), nn.Linear(256, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(cin, cout, stride), nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(cout))
        self.short = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.body(x) + self.short(x))


def resnet20(widths=(16, 32, 64)):
    layers, cin = conv_bn_relu(1, widths[0]), widths[0]
    for s, w in enumerate(widths):
        for b in range(3):
            layers.append(BasicBlock(cin, w, 2 if s > 0 and b == 0 else 1))
            cin = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], 10))


MODELS = {"lenet5": lenet5, "vgg_small": vgg_small, "resnet20": resnet20}


def stats(values):
    v = sorted(values)
    p99 = v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
    return {"median": statistics.median(v), "min": v[0], "max": v[-1], "p99": p99, "count": len(v)}


def throughput(step, images, trials, trial_seconds, warmup_seconds):
    end = time.perf_counter() + warmup_seconds
    while time.perf_counter() < end:
        step()
    rates = []
    for _ in range(trials):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < trial_seconds:
            step()
            n += 1
        rates.append(n * images / (time.perf_counter() - t0))
    return stats(rates)


def measure(name, threads, args):
    torch.manual_seed(42)
    torch.set_num_threads(threads)
    model = MODELS[name]()
    macs = macs_per_image(model)
    model.eval()
    x1, x64 = torch.randn(1, 1, 28, 28), torch.randn(64, 1, 28, 28)
    with torch.no_grad():
        for _ in range(200):
            model(x1)
        lat = []
        for _ in range(args.latency_runs):
            t0 = time.perf_counter()
            model(x1)
            lat.append((time.perf_counter() - t0) * 1e3)
        infer = throughput(lambda: model(x64), 64, args.trials, args.trial_seconds, args.warmup_seconds)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x128, y128 = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x128), y128).backward()
        opt.step()

    train = throughput(train_step, 128, args.trials, args.trial_seconds, args.warmup_seconds)
    return {"model": name, "input": "1x28x28", "macsPerImage": macs, "threads": threads, "latencyMs": stats(lat),
            "inferBatch": 64, "inferImagesPerSecond": infer, "trainBatch": 128, "trainImagesPerSecond": train}


def macs_per_image(model):
    total = 0

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, 1, 28, 28))
    for h in hs:
        h.remove()
    return total


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="lenet5,vgg_small,resnet20")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--latency-runs", type=int, default=300)
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--trial-seconds", type=float, default=1.0)
    p.add_argument("--warmup-seconds", type=float, default=2.0)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    results = [measure(m, t, args) for t in map(int, args.threads.split(",")) for m in args.models.split(",")]
    doc = {"command": "bench/peers/pytorch_speed.py --models %s --threads %s" % (args.models, args.threads),
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": {"cpu": cpu_name(), "cores": os.cpu_count(), "torch": torch.__version__,
                       "mkldnn": torch.backends.mkldnn.is_available()},
           "loadAverageAtEnd": os.getloadavg()[0], "results": results}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    lines = ["# PyTorch %s speed: %s" % (torch.__version__, doc["date"][:10]), "",
             "Machine: %s, %d cores; load average at end %.2f" % (doc["machine"]["cpu"], os.cpu_count(),
                                                                  doc["loadAverageAtEnd"]), "",
             "Command: `%s`" % doc["command"], "",
             "| model | threads | latency b1 p50 (ms) | p99 (ms) | infer img/s b64 (min–max) | train img/s b128 (min–max) |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        i, t = r["inferImagesPerSecond"], r["trainImagesPerSecond"]
        lines.append("| %s | %d | %.3f | %.3f | %s (%s–%s) | %s (%s–%s) |" % (
            r["model"], r["threads"], r["latencyMs"]["median"], r["latencyMs"]["p99"],
            f"{i['median']:,.0f}", f"{i['min']:,.0f}", f"{i['max']:,.0f}",
            f"{t['median']:,.0f}", f"{t['min']:,.0f}", f"{t['max']:,.0f}"))
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
