#!/usr/bin/env bash
# Two Whittle jars in one JVM, one class loader each, their training steps alternated round by round, so the VM's
# drift (±25 % between runs here) slows both alike; prints each jar's median step time and the median per-round ratio.
#   bench/ab/run.sh OLD.jar NEW.jar [model=resnet20] [batch=128] [threads=2] [rounds=21]
# model: a reference model, vgg_small@16,16,31,31,63,63 (other widths) or vgg_small%0.5 (masked; InferenceStep.graph)
# MODE=inference alternates inference forwards (fused conv chains) instead of training steps.
# Build a jar of another commit with: git worktree add /tmp/old <commit> && (cd /tmp/old && mvn -B -q -o package -DskipTests)
# and pass /tmp/old/bench/target/benchmarks.jar. A/B > 1 means the second jar is faster.
set -euo pipefail
A=$1 B=$2 MODEL=${3:-resnet20} BATCH=${4:-128} THREADS=${5:-2} ROUNDS=${6:-21}
STEP=$([ "${MODE:-training}" = inference ] && echo InferenceStep || echo TrainingStep)
JDK=${WHITTLE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The steps use only API both jars share (Models, Executor, VectorKernels, the loss kernel); compiled against B.
"$JDK/bin/javac" -nowarn -cp "$B" -d "$OUT/step" "$DIR/$STEP.java" "$DIR/InferenceStep.java"
"$JDK/bin/javac" -nowarn -d "$OUT/ab" "$DIR/JarAB.java" "$DIR/Jars.java"
"$JDK/bin/java" --add-modules jdk.incubator.vector -cp "$OUT/ab" JarAB "$STEP" "$MODEL" "$BATCH" "$THREADS" "$ROUNDS" "$A" "$B" "$OUT/step/" 2>/dev/null
