"""Checks gamma-traces' exports with parsers that are not Gamma's.

  trace_formats.py otlp FILE      every line parses as an ExportTraceServiceRequest (opentelemetry-proto)
  trace_formats.py chrome FILE    Chrome trace events; spans on one track nest properly or do not overlap
  trace_formats.py jaeger FILE    the Jaeger UI's upload JSON, field by field
  trace_formats.py zipkin FILE    Zipkin v2 spans, field by field
Prints the number of spans; exits non-zero with the reason on the first fault.
"""
import base64, json, re, sys

HEX16 = re.compile(r"^[0-9a-f]{16}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def fail(message):
    sys.exit(f"{sys.argv[1]} {sys.argv[2]}: {message}")


def b64(hex_id):
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def otlp(path):
    from google.protobuf.json_format import ParseDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    spans = 0
    for number, line in enumerate(open(path), 1):
        doc = json.loads(line)
        # The protobuf JSON mapping reads bytes as base64; OTLP/JSON writes ids as hex.
        for rs in doc["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if key in s:
                            if not (HEX32 if key == "traceId" else HEX16).match(s[key]):
                                fail(f"line {number}: {key} {s[key]!r} is not lower-case hex")
                            s[key] = b64(s[key])
                    for link in s.get("links", []):
                        link["traceId"], link["spanId"] = b64(link["traceId"]), b64(link["spanId"])
                    if not isinstance(s["startTimeUnixNano"], str):
                        fail(f"line {number}: 64-bit integers must be strings")
        request = ExportTraceServiceRequest()
        ParseDict(doc, request)
        for rs in request.resource_spans:
            for ss in rs.scope_spans:
                for s in ss.spans:
                    spans += 1
                    if len(s.trace_id) != 16 or len(s.span_id) != 8:
                        fail(f"line {number}: ids of the wrong length")
                    if s.end_time_unix_nano < s.start_time_unix_nano:
                        fail(f"line {number}: a span ends before it starts")
    return spans


def chrome(path):
    doc = json.load(open(path))
    tracks = {}
    spans = 0
    for e in doc["traceEvents"]:
        if e["ph"] == "M":
            continue
        if e["ph"] == "X":
            for key, kind in (("name", str), ("ts", (int, float)), ("dur", (int, float)), ("pid", int), ("tid", int)):
                if not isinstance(e.get(key), kind):
                    fail(f"event {e.get('name')!r}: field {key} missing or of the wrong type")
            if e["dur"] < 0:
                fail(f"event {e['name']!r}: negative duration")
            tracks.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"], e["name"]))
            spans += 1
        elif e["ph"] != "i":
            fail(f"unexpected phase {e['ph']!r}")
    # On one track, events must nest or follow one another: a viewer would mis-nest them otherwise.
    for key, events in tracks.items():
        events.sort(key=lambda x: (x[0], -x[1]))
        stack = []
        for start, end, name in events:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack and end > stack[-1][1]:
                fail(f"track {key}: {name!r} overlaps {stack[-1][2]!r} without nesting in it")
            stack.append((start, end, name))
    return spans


def jaeger(path):
    doc = json.load(open(path))
    spans = 0
    for trace in doc["data"]:
        if not HEX32.match(trace["traceID"]):
            fail("traceID is not 32 lower-case hex digits")
        for s in trace["spans"]:
            spans += 1
            if not HEX16.match(s["spanID"]) or s["traceID"] != trace["traceID"]:
                fail(f"span {s.get('spanID')!r}: bad ids")
            if not isinstance(s["operationName"], str) or not isinstance(s["startTime"], int) or not isinstance(s["duration"], int) or s["duration"] < 0:
                fail(f"span {s['spanID']}: operationName, startTime or duration")
            for r in s["references"]:
                if r["refType"] not in ("CHILD_OF", "FOLLOWS_FROM") or not HEX16.match(r["spanID"]):
                    fail(f"span {s['spanID']}: bad reference {r}")
            for t in s["tags"] + [f for log in s["logs"] for f in log["fields"]]:
                expected = {"string": str, "int64": int, "float64": (int, float), "bool": bool}.get(t["type"])
                if expected is None or not isinstance(t["value"], expected):
                    fail(f"span {s['spanID']}: tag {t}")
            if s["processID"] not in trace["processes"]:
                fail(f"span {s['spanID']}: unknown process {s['processID']}")
        for p in trace["processes"].values():
            if not isinstance(p["serviceName"], str):
                fail("a process without a serviceName")
    return spans


def zipkin(path):
    doc = json.load(open(path))
    for s in doc:
        if not (HEX16.match(s["traceId"]) or HEX32.match(s["traceId"])) or not HEX16.match(s["id"]):
            fail(f"span {s.get('id')!r}: bad ids")
        if "parentId" in s and not HEX16.match(s["parentId"]):
            fail(f"span {s['id']}: bad parentId")
        if s.get("kind") not in (None, "CLIENT", "SERVER", "PRODUCER", "CONSUMER"):
            fail(f"span {s['id']}: kind {s['kind']}")
        if not isinstance(s["timestamp"], int) or not isinstance(s["duration"], int) or s["duration"] < 1:
            fail(f"span {s['id']}: timestamp and duration are positive integers of microseconds")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in s["tags"].items()):
            fail(f"span {s['id']}: tags are strings")
        if not isinstance(s["localEndpoint"]["serviceName"], str):
            fail(f"span {s['id']}: localEndpoint.serviceName")
        for a in s["annotations"]:
            if not isinstance(a["timestamp"], int) or not isinstance(a["value"], str):
                fail(f"span {s['id']}: annotation {a}")
    return len(doc)


if __name__ == "__main__":
    n = {"otlp": otlp, "chrome": chrome, "jaeger": jaeger, "zipkin": zipkin}[sys.argv[1]](sys.argv[2])
    print(f"{sys.argv[1]}: {sys.argv[2]} valid, {n} spans")
