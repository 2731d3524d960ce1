#!/usr/bin/env python3
"""Writes the log that the PromQL corpus (corpus.prom.yml) is backtested on: plain gzip JSON
lines as another program would write them, one file per process run, six hours from
2026-11-02T00:00Z, with what rules must get right:

- a service `api` on host h1 that restarts at 02:00 (its second run starts at 02:20: a gap, the
  first run's series stale, then its counters from 0 again: a counter reset);
- a service `worker` on host h2 that stops at 04:00 (its series go stale);
- counters with routes and codes, an error burst 03:00-03:30, a gauge not updated for 20 minutes
  (01:00-01:20; scrapes repeat its last value, as a real exposition does), a gauge that climbs at
  04:30, and a latency histogram in milliseconds whose tail grows during the burst.

    make_log.py OUT_DIR
"""
import gzip
import json
import os
import random
import sys

T0 = 1_793_577_600  # 2026-11-02T00:00:00Z, seconds
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(19)


def ns(seconds):
    return int(round(seconds * 1e9))


def run(path, service, host, start, end, seed):
    r = random.Random(seed)
    lines = [{"type": "resource", "ts": ns(T0 + start), "schema": 1, "stream": os.path.basename(path).split(".")[0],
              "attributes": {"service.name": service, "host.name": host}},
             {"type": "meta", "ts": ns(T0 + start), "name": "latency_ms", "kind": "histogram", "unit": "ms"}]
    t = start
    while t < end:
        burst = 3 * 3600 <= t < 3.5 * 3600
        for route in ("/a", "/b"):
            # /b is the quieter route: rates never tie (a tie makes topk's choice depend on the
            # last bit of a sum, which Prometheus 2 and 3 add up differently).
            if route == "/b" and r.random() < (0.5 if t > 3 * 3600 else 0.25):
                continue
            code = "500" if r.random() < (0.4 if burst and route == "/a" else 0.03) else "200"
            lines.append({"ts": ns(T0 + t), "type": "counter", "name": "requests.total",
                          "labels": {"code": code, "route": route}, "value": 1})
            if code == "500":
                lines.append({"type": "counter", "ts": ns(T0 + t), "name": "errors.total", "labels": {"route": route}, "value": 1})
            latency = r.lognormvariate(4.5, 0.6) * (8 if burst else 1)
            lines.append({"type": "histogram", "ts": ns(T0 + t), "name": "latency_ms", "labels": {"route": route},
                          "value": round(latency, 3)})
        if int(t) % 15 == 0:
            depth = 10 + 4 * r.random() + (10 if 4.5 * 3600 <= t < 5 * 3600 else 0)
            lines.append({"type": "gauge", "ts": ns(T0 + t), "name": "queue.depth", "labels": {}, "value": round(depth, 2)})
            if not (3600 <= t < 3600 + 1200):
                temp = 55 + 10 * r.random() + (12 if burst else 0)
                lines.append({"type": "gauge", "ts": ns(T0 + t), "name": "temperature", "labels": {"sensor": "s1"},
                              "value": round(temp, 2)})
        t += r.uniform(0.5, 2.5)
    with gzip.open(path, "wt") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


run(os.path.join(out, "api-run1.jsonl.gz"), "api", "h1", 0, 2 * 3600, 1)
run(os.path.join(out, "api-run2.jsonl.gz"), "api", "h1", 2 * 3600 + 1200, 6 * 3600, 2)
run(os.path.join(out, "worker.jsonl.gz"), "worker", "h2", 600, 4 * 3600, 3)
