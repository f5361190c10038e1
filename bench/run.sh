#!/usr/bin/env bash
# Throughput and memory benchmarks: generates the inputs, runs every case, prints the table.
#
#   bench/run.sh [--records N] [--threads N]
#
# --records   records per input (default 1000000: about 800 MB of Suricata alerts, 380 MB of
#             Zeek conn records, 140 MB of CSV); use e.g. 100000 for a quick run
# --threads   mapper threads for the parallel rows (default 2)
#
# Inputs are generated from samples/ into target/bench-data/ (reused when present; never
# committed). Each case runs once through `/usr/bin/time -v` (peak RSS) with the documents written
# to a file in target/bench-data/. The table goes to stdout and to target/bench-data/results.md.
# Not part of CI. On a shared 2-core machine expect about ±15% noise: run it twice.
set -euo pipefail
cd "$(dirname "$0")/.."

records=1000000
threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--records N] [--threads N]" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/time ]] || { echo "bench/run.sh needs GNU time at /usr/bin/time" >&2; exit 2; }

echo "building (release)..." >&2
cargo build --release --quiet -p ocsf-map-pipeline --example bench --example bench_data
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
bin="$target_dir/release/examples"
data="$target_dir/bench-data"
mkdir -p "$data"

# name  kind  extension  mapping
inputs=(
  "suricata-alerts suricata jsonl mappings/suricata-alert.yaml"
  "zeek-conn       zeek     jsonl mappings/zeek-conn.yaml"
  "zeek-conn-csv   csv      csv   bench/mappings/zeek-conn-csv.yaml"
)

for spec in "${inputs[@]}"; do
  read -r name kind ext _ <<<"$spec"
  file="$data/$name-$records.$ext"
  if [[ ! -s "$file" ]]; then
    echo "generating $file..." >&2
    "$bin/bench_data" "$kind" "$records" "$file.part" && mv "$file.part" "$file"
  fi
done

# Runs one case; prints "records_per_s mb_per_s peak_rss_mb".
measure() {
  local mode="$1" mapping="$2" threads="$3" input="$4"
  local out="$data/out.jsonl" log="$data/time.log" line rss
  line="$(/usr/bin/time -v -o "$log" "$bin/bench" "$mode" "$mapping" "$threads" "$out" "$input")"
  rm -f "$out"
  rss="$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$log")"
  echo "$line" >&2
  awk -v l="$line" -v rss="$rss" 'BEGIN {
    n = split(l, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
    printf "%d %.1f %.0f\n", v["records_per_s"], v["mb_per_s"], rss / 1024 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

table="$data/results.md"
{
  echo "| input | case | threads | records/s | MB/s | peak RSS (MB) | ratio |"
  echo "|---|---|---:|---:|---:|---:|---|"
} >"$table"

for spec in "${inputs[@]}"; do
  read -r name _ ext mapping <<<"$spec"
  file="$data/$name-$records.$ext"
  read -r floor_rps floor_mbs floor_rss < <(measure floor "$mapping" 1 "$file")
  read -r map_rps map_mbs map_rss < <(measure map "$mapping" 1 "$file")
  read -r strict_rps strict_mbs strict_rss < <(measure strict "$mapping" 1 "$file")
  read -r par_rps par_mbs par_rss < <(measure strict "$mapping" "$threads" "$file")
  {
    echo "| $name | floor: read + parse + serialize | 1 | $floor_rps | $floor_mbs | $floor_rss | 1.00× floor |"
    echo "| $name | mapping, no validation | 1 | $map_rps | $map_mbs | $map_rss | $(ratio "$map_rps" "$floor_rps") floor |"
    echo "| $name | mapping, strict validation | 1 | $strict_rps | $strict_mbs | $strict_rss | $(ratio "$strict_rps" "$floor_rps") floor |"
    echo "| $name | mapping, strict validation | $threads | $par_rps | $par_mbs | $par_rss | $(ratio "$par_rps" "$strict_rps") 1 thread |"
  } >>"$table"
done

echo
echo "$records records per input, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
cat "$table"
