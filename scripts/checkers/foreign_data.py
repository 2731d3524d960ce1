#!/usr/bin/env python3
"""Writes schema v1 records as another program would: plain gzip files (no Gamma member
headers), keys in insertion order unlike Gamma's writer, a space after every separator,
attribute and label keys unsorted, spans with events and links, some escapes in strings.

The mix is the one measured in the field: about 70% histogram, 15% counter and 15% span
records. With --canonical the same records are written as Gamma's encoder spells them (fixed key
order, sorted map keys, no whitespace), so a benchmark can set the two spellings side by side.

    foreign_data.py OUT_DIR [--records N] [--files K] [--canonical] [--seed S] [--level L]
"""
import argparse
import gzip
import json
import os
import random

MODELS = ["gpt-4o", "claude-3-5-sonnet", "llama-3.1-70b", "mistral-large"]
TOOLS = ["search", "calculator", "fetch_url", "python", "weather"]
START = 1_780_000_000_000_000_000  # 2026-05-28T21:46:40Z


def hexid(rng, digits):
    v = 0
    while v == 0:
        v = rng.getrandbits(digits * 4)
    return format(v, "0%dx" % digits)


def plain(v):
    """Gamma's encoder writes integral doubles below 2^53 without a fraction."""
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v


def dumps(obj, canonical):
    # The C encoder of json: ", " and ": " are the foreign spelling, "," and ":" the canonical.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":") if canonical else (", ", ": "))


def shuffled_map(shuffle, pairs, canonical):
    """A map: keys in byte order when canonical, else in an order of their own."""
    if canonical:
        return dict(sorted(pairs, key=lambda kv: kv[0].encode()))
    pairs = list(pairs)
    shuffle.shuffle(pairs)
    return dict(pairs)


def records(rng, shuffle, count, t0, canonical):
    ts = t0
    for _ in range(count):
        ts += rng.randrange(1_000_000, 40_000_000)
        r = rng.random()
        model = rng.choice(MODELS)
        if r < 0.70:
            labels = shuffled_map(shuffle, [("model", model), ("provider", model.split("-")[0])], canonical)
            value = plain(round(rng.lognormvariate(6.0, 0.8), 3))
            rec = (
                {"type": "histogram", "ts": ts, "name": "llm.latency_ms", "labels": labels, "value": value}
                if canonical
                else {"name": "llm.latency_ms", "value": value, "labels": labels, "ts": ts, "type": "histogram"}
            )
        elif r < 0.85:
            labels = shuffled_map(shuffle, [("tool", rng.choice(TOOLS)), ("outcome", rng.choice(["ok", "ok", "error"]))],
                                  canonical)
            rec = (
                {"type": "counter", "ts": ts, "name": "tool.calls", "labels": labels, "value": 1}
                if canonical
                else {"ts": ts, "type": "counter", "labels": labels, "name": "tool.calls", "value": 1}
            )
        else:
            start = ts - rng.randrange(1_000_000, 900_000_000)
            tool = rng.choice(TOOLS)
            query = rng.choice(["weather in Z\u00fcrich", 'say "hi"', "a/b path", "tab\tseparated", "plain words"])
            attrs = shuffled_map(shuffle, [("gen_ai.request.model", model), ("gen_ai.tool.name", tool),
                                       ("tool.query", query), ("gen_ai.usage.input_tokens", rng.randrange(10, 4000))],
                                 canonical)
            events = []
            if rng.random() < 0.3:
                events.append({"name": "retry", "ts": start + 1000,
                               "attributes": shuffled_map(shuffle, [("attempt", 2), ("reason", "rate limited")], canonical)})
            status = rng.choice(["ok", "ok", "ok", "error"])
            trace, span, parent = hexid(rng, 32), hexid(rng, 16), hexid(rng, 16)
            if canonical:
                rec = {"type": "span", "ts": ts, "trace_id": trace, "span_id": span, "parent_span_id": parent,
                       "name": "tool.call", "kind": "internal", "start": start, "end": ts, "status": status,
                       "attributes": attrs}
                if events:
                    rec["events"] = events
            else:
                rec = {"trace_id": trace, "span_id": span, "parent_span_id": parent, "name": "tool.call",
                       "start": start, "end": ts, "type": "span", "ts": ts, "kind": "internal", "status": status,
                       "attributes": attrs, "events": events, "links": []}
        yield dumps(rec, canonical)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--records", type=int, default=4_000_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--canonical", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--level", type=int, default=6)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    per = a.records // a.files
    for k in range(a.files):
        rng = random.Random(a.seed * 1000 + k)  # the records
        shuffle = random.Random(a.seed * 1000 + k + 500)  # the foreign key orders, apart
        path = os.path.join(a.out, "foreign-%02d.jsonl.gz" % k)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=a.level, newline="\n") as f:
            buf = []
            for line in records(rng, shuffle, per, START + k * 1_000_000_000, a.canonical):
                buf.append(line)
                if len(buf) == 10000:
                    f.write("\n".join(buf) + "\n")
                    buf = []
            if buf:
                f.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
