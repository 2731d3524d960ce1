#!/usr/bin/env python3
"""DuckDB's answer to gamma-report's question, for the benchmark: per series (name and labels),
the exact quantiles (p50, p90, p95, p99), count, sum, min and max of the histograms, and the
total of the counters, from JSON-lines gzip files.  duckdb_report.py THREADS FILE..."""
import sys
import duckdb

threads, files = int(sys.argv[1]), sys.argv[2:]
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
src = (
    "read_ndjson([" + ", ".join("'%s'" % f for f in files) + "], "
    "columns={'type': 'VARCHAR', 'name': 'VARCHAR', 'labels': 'JSON', 'value': 'DOUBLE'}, compression='gzip')"
)
rows = con.execute(f"""
    SELECT type, name, labels::VARCHAR AS labels, count(*), sum(value), min(value), max(value),
           quantile_cont(value, [0.5, 0.9, 0.95, 0.99])
    FROM {src}
    WHERE type IN ('histogram', 'counter', 'gauge')
    GROUP BY ALL
""").fetchall()
print(len(rows), "series", file=sys.stderr)
