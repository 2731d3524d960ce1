"""docs/SCALING.md's SQL, run by DuckDB straight over a Gamma log folder, against gamma-report.

usage: sql_matches_report.py LOG_DIR REPORT_JSON

Reads the .jsonl.gz segments of LOG_DIR with DuckDB (concatenated gzip members are plain gzip),
computes per series the counts, counter totals and exact histogram quantiles with the SQL that
docs/SCALING.md shows, and checks them against gamma-report's JSON: counts and totals equal,
quantiles equal to 1e-9 (both are numpy's 'linear' method, DuckDB's quantile_cont).
"""
import json
import sys

import duckdb

log, report_path = sys.argv[1], sys.argv[2]
report = json.load(open(report_path))
quantiles = report["quantiles"]

# The SQL of docs/SCALING.md, with the folder and the quantiles filled in.
SQL = """
WITH records AS (
    SELECT type, name, labels::VARCHAR AS labels, value
    FROM read_json('{log}/*.jsonl.gz', format = 'newline_delimited',
                   columns = {{type: 'VARCHAR', name: 'VARCHAR', labels: 'JSON', value: 'DOUBLE'}})
    WHERE type IN ('counter', 'gauge', 'histogram') AND NOT isnan(value)
)
SELECT type, name, labels, count(*) AS count, sum(value) AS total,
       quantile_cont(value, {quantiles}) AS quantiles
FROM records
GROUP BY type, name, labels
ORDER BY name, type, labels
"""
sql = SQL.format(log=log, quantiles=quantiles)
rows = duckdb.sql(sql).fetchall()

def key(name, kind, labels):
    return (name, kind, json.dumps(labels, sort_keys=True, separators=(",", ":")))

got = {key(name, kind, json.loads(labels) if labels else {}): (count, total, qs) for kind, name, labels, count, total, qs in rows}
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
