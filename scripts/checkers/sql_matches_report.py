"""docs/SCALING.md's SQL, run by DuckDB straight over a Gamma log folder, against gamma-report.

usage: sql_matches_report.py LOG_DIR REPORT_JSON

Reads the .jsonl.gz files of LOG_DIR with DuckDB (concatenated gzip members are plain gzip),
computes per series the counts, counter totals and exact histogram quantiles with the first SQL
block of docs/SCALING.md, taken from the document itself, and checks them against gamma-report's JSON: counts and totals equal,
quantiles equal to 1e-9 (both are numpy's 'linear' method, DuckDB's quantile_cont).
"""
import json
import os
import sys

import duckdb

log, report_path = sys.argv[1], sys.argv[2]
report = json.load(open(report_path))
quantiles = report["quantiles"]

# The first SQL block of docs/SCALING.md, as the user reads it, with the folder and the
# quantiles filled in.
doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "SCALING.md")).read()
sql = doc.split("```sql\n", 1)[1].split("```", 1)[0]
sql = sql.replace("samples/day/*.jsonl.gz", f"{log}/*.jsonl.gz").replace("[0.5, 0.9, 0.95, 0.99, 0.999]", str(quantiles))
rows = duckdb.sql(sql).fetchall()

def key(name, kind, labels):
    return (name, kind, json.dumps(labels, sort_keys=True, separators=(",", ":")))

got = {key(name, kind, {e["key"]: e["value"] for e in labels or []}): (count, total, qs)
       for kind, name, labels, count, total, qs in rows}
failures = 0
checked = 0
for s in report["series"]:
    k = key(s["name"], s["kind"], s["labels"])
    if k not in got:
        print(f"missing in SQL: {k}")
        failures += 1
        continue
    count, total, qs = got[k]
    checked += 1
    if count != s["count"]:
        print(f"{k}: count {count} (SQL) vs {s['count']} (gamma-report)")
        failures += 1
    if s["kind"] == "counter" and abs(total - s["total"]) > 1e-9 * max(1, abs(s["total"])):
        print(f"{k}: total {total} (SQL) vs {s['total']} (gamma-report)")
        failures += 1
    if s["kind"] == "histogram":
        for q, v in zip(quantiles, qs):
            want = s["quantiles"][str(q)] if str(q) in s["quantiles"] else s["quantiles"][repr(q)]
            if abs(v - want) > 1e-9 * max(1, abs(want)):
                print(f"{k}: quantile {q} {v} (SQL) vs {want} (gamma-report)")
                failures += 1
if len(got) != len(report["series"]):
    print(f"{len(got)} series in SQL, {len(report['series'])} in gamma-report")
    failures += 1
if failures:
    sys.exit(f"sql_matches_report: {failures} differences")
print(f"sql_matches_report: {log}: {checked} series agree (counts, counter totals, {len(quantiles)} exact quantiles)")
