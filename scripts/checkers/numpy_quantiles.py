"""Writes generated observations as a gzip JSON-lines log, or checks gamma-report's JSON against numpy.

  numpy_quantiles.py write DIR       histograms of several shapes (ties, negatives, one value, huge ranges)
  numpy_quantiles.py check DIR REPORT.json [QUANTILES]
  numpy_quantiles.py check-log DIR REPORT.json [QUANTILES]
      reads every histogram line of DIR's .jsonl.gz files itself (any writer's spelling: Python's
      json parses them) and checks every histogram series of the report against numpy
"""
import gzip, json, math, os, sys
import numpy as np

T0 = 1_795_000_000_000_000_000
QS = [0.5, 0.9, 0.95, 0.99, 0.999]


def series():
    rng = np.random.default_rng(20261129)
    yield "lognormal", rng.lognormal(3.0, 1.2, 20_000)
    yield "normal", rng.normal(-5.0, 40.0, 5_001)
    yield "ties", rng.integers(0, 7, 3_000).astype(float)
    yield "single", np.array([42.125])
    yield "two", np.array([1.0, 1e300])
    yield "tiny", rng.uniform(1e-12, 1e-9, 999)
    yield "uniform", rng.uniform(0, 1, 100_000)


def write(directory):
    os.makedirs(directory, exist_ok=True)
    with gzip.open(os.path.join(directory, "generated.jsonl.gz"), "wt") as f:
        i = 0
        for name, values in series():
            for v in values:
                f.write(json.dumps({"type": "histogram", "ts": T0 + i, "name": "gen." + name,
                                    "labels": {}, "value": float(v)}) + "\n")
                i += 1


def check(directory, report_path, quantiles):
    report = json.load(open(report_path))
    by_name = {s["name"]: s for s in report["series"]}
    worst = 0.0
    for name, values in series():
        s = by_name["gen." + name]
        assert s["count"] == len(values), (name, s["count"], len(values))
        expected = np.percentile(values, [100 * q for q in quantiles], method="linear")
        for q, e in zip(quantiles, expected):
            got = number(s["quantiles"][json_key(q)])
            rel = abs(got - e) / max(abs(e), 1e-300)
            worst = max(worst, rel)
            if rel > 1e-9:
                sys.exit(f"gen.{name} q={q}: gamma-report {got!r}, numpy {e!r} (relative {rel:.3g})")
        for key, fn in [("min", np.min), ("max", np.max), ("mean", np.mean), ("stddev", np.std)]:
            with np.errstate(over="ignore"):
                e = float(fn(values))
            got = number(s[key])
            if math.isinf(e) or math.isinf(got):
                if got != e:
                    sys.exit(f"gen.{name} {key}: gamma-report {got!r}, numpy {e!r}")
                continue
            rel = abs(got - e) / max(abs(e), 1e-300)
            if rel > 1e-9 and abs(got - e) > 1e-12 * max(1.0, abs(float(np.max(np.abs(values))))):
                sys.exit(f"gen.{name} {key}: gamma-report {got!r}, numpy {e!r}")
    print(f"numpy agreement: {len(by_name)} series, worst relative quantile difference {worst:.3g} (limit 1e-9)")


def check_log(directory, report_path, quantiles):
    values = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".jsonl.gz"):
            continue
        with gzip.open(os.path.join(directory, name), "rt", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if r.get("type") != "histogram" or not isinstance(r.get("value"), (int, float)):
                    continue
                key = (r["name"], json.dumps(r.get("labels", {}), sort_keys=True, ensure_ascii=False))
                values.setdefault(key, []).append(float(r["value"]))
    report = json.load(open(report_path))
    histograms = [s for s in report["series"] if s["kind"] == "histogram"]
    if len(histograms) != len(values):
        sys.exit(f"{len(histograms)} histogram series in gamma-report, {len(values)} in the files")
    worst = 0.0
    for s in histograms:
        v = np.array(values[(s["name"], json.dumps(s["labels"], sort_keys=True, ensure_ascii=False))])
        if s["count"] != len(v):
            sys.exit(f"{s['name']} {s['labels']}: count {s['count']} (gamma-report) vs {len(v)}")
        for q, e in zip(quantiles, np.percentile(v, [100 * q for q in quantiles], method="linear")):
            got = number(s["quantiles"][json_key(q)])
            rel = abs(got - e) / max(abs(e), 1e-300)
            worst = max(worst, rel)
            if rel > 1e-9:
                sys.exit(f"{s['name']} {s['labels']} q={q}: gamma-report {got!r}, numpy {e!r} (relative {rel:.3g})")
        for key, fn in [("min", np.min), ("max", np.max), ("mean", np.mean)]:
            e, got = float(fn(v)), number(s[key])
            if abs(got - e) > 1e-9 * max(1.0, abs(e)):
                sys.exit(f"{s['name']} {s['labels']} {key}: gamma-report {got!r}, numpy {e!r}")
    print(f"numpy agreement on {directory}: {len(histograms)} histogram series, "
          f"{sum(len(v) for v in values.values())} observations read by Python's json, "
          f"worst relative quantile difference {worst:.3g} (limit 1e-9)")


def number(v):
    """A JSON number, or the strings Gamma writes for non-finite values."""
    return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(v, v)) if isinstance(v, str) else float(v)


def json_key(q):
    text = repr(float(q))
    return text[:-2] if text.endswith(".0") else text


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    elif sys.argv[1] == "check-log":
        qs = [float(x) for x in sys.argv[4].split(",")] if len(sys.argv) > 4 else QS
        check_log(sys.argv[2], sys.argv[3], qs)
    else:
        qs = [float(x) for x in sys.argv[4].split(",")] if len(sys.argv) > 4 else QS
        check(sys.argv[2], sys.argv[3], qs)
