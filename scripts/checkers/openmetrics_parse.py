"""Parses OpenMetrics text with prometheus_client's parser and checks the sample count.

  openmetrics_parse.py FILE [EXPECTED_SAMPLES]

The parser raises on anything invalid. It keeps only the first point of a series that has
several (a parser limitation), so the count is checked only for files of one point a series.
"""
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
families = list(text_string_to_metric_families(text))
samples = sum(len(f.samples) for f in families)
lines = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
if len(sys.argv) > 2 and samples != lines:
    sys.exit(f"{sys.argv[1]}: {lines} sample lines, the parser kept {samples}")
print(f"prometheus_client: {sys.argv[1]} parsed, {len(families)} families, {samples} samples")
