/**
 * The POSIX shell run by the pods (/bin/sh of the image). Everything interpolated here is validated
 * by the caller to be shell-safe (numbers, DNS names, plain paths); user arguments travel as "$@".
 *
 * Shared volume layout, per run:  <results>/<run>/<i>/         pod i's run directory (llmperf run --out-dir)
 *                                 <results>/<run>/.ready/<i>   pod i is up (start barrier)
 *                                 <results>/<run>/.status/<i>  pod i's llmperf exit code
 *                                 <results>/<run>/merged/      the merged results (merge Job)
 */

/** "0,1/4,2/4,3/4,1": the execution segment sequence for `n` equal segments. */
export function segmentSequence(n: number): string {
  const parts = ['0'];
  for (let i = 1; i < n; i++) parts.push(`${i}/${n}`);
  parts.push('1');
  return parts.join(',');
}

/**
 * Worker pod i of n (i from JOB_COMPLETION_INDEX): waits until every pod is up (or `startTimeoutS`
 * passed), runs segment i/n:(i+1)/n of the test, records its exit code. A failed threshold (99) is
 * judged on the merged results, so the pod still succeeds; any other failure fails the Job.
 */
export function workerScript(o: { n: number; runDir: string; instancePrefix: string; startTimeoutS: number }): string {
  return `set -u
I="\${JOB_COMPLETION_INDEX:?llmperf-k8s: JOB_COMPLETION_INDEX is not set: run this in an Indexed Job}"
N=${o.n}
RUN=${o.runDir}
OUT="$RUN/$I"
if [ "$I" -eq 0 ]; then FROM=0; else FROM="$I/$N"; fi
if [ $((I + 1)) -eq "$N" ]; then TO=1; else TO="$((I + 1))/$N"; fi
export LLMPERF_INSTANCE="\${LLMPERF_INSTANCE:-${o.instancePrefix}-$I}"
mkdir -p "$RUN/.ready" "$RUN/.status" || exit 1
touch "$RUN/.ready/$I"
waited=0
while [ "$(ls "$RUN/.ready" | wc -l)" -lt "$N" ]; do
  if [ "$waited" -ge ${o.startTimeoutS} ]; then
    echo "llmperf-k8s: only $(ls "$RUN/.ready" | wc -l) of $N pods up after ${o.startTimeoutS}s; starting segment $I anyway" >&2
    break
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "llmperf-k8s: pod $I of $N runs execution segment $FROM:$TO into $OUT" >&2
llmperf run "$@" --execution-segment "$FROM:$TO" --execution-segment-sequence "${segmentSequence(o.n)}" --out-dir "$OUT"
rc=$?
echo "$rc" > "$RUN/.status/$I"
if [ "$rc" -eq 99 ]; then
  echo "llmperf-k8s: thresholds failed on segment $I; the merged result decides" >&2
  exit 0
fi
exit "$rc"
`;
}

/** The merge pod: waits for every worker's exit code, then merges their run directories. */
export function mergeScript(o: { n: number; runDir: string; jobName: string }): string {
  return `set -u
N=${o.n}
RUN=${o.runDir}
echo "llmperf-k8s: waiting for the $N pods of job ${o.jobName} to finish (watch: kubectl logs -f -l job-name=${o.jobName})" >&2
while [ "$(ls "$RUN/.status" 2>/dev/null | wc -l)" -lt "$N" ]; do sleep 5; done
bad=0
i=0
while [ "$i" -lt "$N" ]; do
  rc=$(cat "$RUN/.status/$i")
  case "$rc" in
    0|99) ;;
    *) echo "llmperf-k8s: pod $i exited with code $rc: not merging an incomplete run (see kubectl logs -l job-name=${o.jobName} --prefix)" >&2; bad=1 ;;
  esac
  i=$((i + 1))
done
[ "$bad" -eq 0 ] || exit 1
exec llmperf merge "$RUN"/[0-9]* --out "$RUN/merged"
`;
}
