"""Checks the DOM chromium built from gamma-report's HTML page (--dump-dom output).

usage: html_dom_check.py DOM_FILE EXPECT_JSON

EXPECT_JSON holds the figures the page must show: {"runs": "3", "failed": "1", ...}. The check
also proves the injected attribute stayed text: the page's DOM has no element an attacker's
markup would make (no <img>, no <script>, no onerror handler), the injected script's marks are
absent (a data-x attribute, another title), and the attribute's characters are there as text.
"""
import json
import sys
from html.parser import HTMLParser

dom = open(sys.argv[1], encoding="utf-8").read()
expect = json.load(open(sys.argv[2]))


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.ids = set()
        self.text = []
        self.handlers = []
        self.stack = []
        self.figures = {}
        self.attributes = set()
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        self.handlers += [k for k in a if k.startswith("on")]
        self.attributes.update(a)
        if tag == "title" and not self.title:  # the page's; SVG shapes have titles too
            self.in_title = True
        self.stack.append(a.get("id", ""))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.in_title:
            self.title += data
            self.in_title = False
        for i in reversed(self.stack):
            if i.startswith("fig-"):
                self.figures.setdefault(i[4:], "")
                self.figures[i[4:]] += data
                break


page = Page()
page.feed(dom)
text = "".join(page.text)
problems = []
for section in ["overview", "histograms", "counters", "gauges", "traces", "failing", "rules"]:
    if section not in page.ids:
        problems.append(f"no #{section} section")
for fig, value in expect.get("figures", {}).items():
    got = page.figures.get(fig, "")
    if value not in got:
        problems.append(f"figure {fig}: {got!r} does not show {value!r}")
for needle in expect.get("text", []):
    if needle not in text:
        problems.append(f"the page's text lacks {needle!r}")
for tag in ["script", "img", "iframe"]:
    if tag in page.tags:
        problems.append(f"an injected <{tag}> element is in the DOM")
if page.handlers:
    problems.append(f"event handler attributes in the DOM: {page.handlers}")
if "data-x" in page.attributes or page.title != "Gamma report":
    problems.append("the injected script ran (it marks the body and renames the page)")
if problems:
    sys.exit("html_dom_check: " + "; ".join(problems))
print(f"html_dom_check: {len(page.tags)} elements, sections and figures as expected, the injected markup is inert text")
