# Timing helpers shared by the benchmark scripts (sourced, not run). Expects `$dir`, a scratch folder.

# Wall time of one run of "$@" in milliseconds; a failing command stops the benchmark with its stderr.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" > /dev/null 2> "$dir/stderr" || { echo "failed: $*" >&2; cat "$dir/stderr" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

# Best of $1 runs of the rest, in milliseconds.
best_of() {
  local runs=$1 b=99999999 m
  shift
  for _ in $(seq 1 "$runs"); do m=$(ms "$@"); (( m < b )) && b=$m; done
  echo "$b"
}
