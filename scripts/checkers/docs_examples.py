#!/usr/bin/env python3
"""Runs the command examples of the documentation and compares their output with what the
documents show, so that the docs stay true.

    docs_examples.py BIN_DIR FILE.md...        check
    docs_examples.py --update BIN_DIR FILE.md  rewrite the blocks' output with what the commands print

An example is a fenced block (``` with no language) whose first line starts with "$ ". Each "$ "
line is a command, run with bash in a scratch folder (where `samples` is the repository's), and
the lines after it, up to the next command, are the output it must print (stdout, then stderr).
In the expected output:
  - "…" inside a line matches any text there (a stream id, a wall time);
  - a line that is only "…" matches any number of lines;
  - "/tmp/" stands for a scratch folder of this run.
Comments in the document prepare the examples, in document order:
  - <!-- docs-example: file NAME --> writes the fenced block after it to NAME (a file the next
    examples read, shown to the reader as it is);
  - <!-- docs-example: setup COMMAND --> runs COMMAND first, unseen ($GAMMA_REPO is the
    repository), for inputs too large to show;
  - <!-- docs-example: skip REASON --> right before an example leaves it out; the reason says why.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = re.compile(r"<!--\s*docs-example:\s*skip\s+(.+?)\s*-->")
DIRECTIVE = re.compile(r"<!--\s*docs-example:\s*(file|setup)\s+(.+?)\s*-->")


def preparations(text):
    """(line index, kind, argument, content) of each file and setup comment."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        m = DIRECTIVE.search(line)
        if not m:
            continue
        content = None
        if m.group(1) == "file":
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            k = j + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            content = "\n".join(lines[j + 1:k]) + "\n"
        out.append((i, m.group(1), m.group(2), content))
    return out


def blocks(text):
    """(start line index, end line index, skip reason or None, lines) of each example block."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```" and i + 1 < len(lines) and lines[i + 1].startswith("$ "):
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            reason = None
            k = i - 1
            while k >= 0 and lines[k].strip() == "":
                k -= 1
            if k >= 0:
                m = SKIP.search(lines[k])
                if m:
                    reason = m.group(1)
            out.append((i + 1, j, reason, lines[i + 1:j]))
            i = j + 1
        else:
            i += 1
    return out


def commands(block):
    """(command, expected lines) pairs of a block."""
    out = []
    for line in block:
        if line.startswith("$ "):
            out.append([line[2:], []])
        else:
            out[-1][1].append(line)
    for c in out:  # a blank line ends the output shown
        while c[1] and c[1][-1] == "":
            c[1].pop()
    return out


def matches(expected, actual):
    """Whether the actual lines match the expected ones, with … wildcards."""
    def line_ok(e, a):
        if "…" not in e:
            return e == a
        return re.fullmatch(".*".join(re.escape(p) for p in e.split("…")), a) is not None

    def go(i, j):
        if i == len(expected):
            return j == len(actual)
        if expected[i].strip() == "…":
            return any(go(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and line_ok(expected[i], actual[j]) and go(i + 1, j + 1)
    return go(0, 0)


def run(command, bin_dir, work, scratch):
    env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"], NO_COLOR="1", COLUMNS="100")
    r = subprocess.run(["bash", "-c", command.replace("/tmp/", scratch + "/")], cwd=work, env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    text = (r.stdout + r.stderr).decode("utf-8", "replace").replace(scratch + "/", "/tmp/")
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def main():
    args = sys.argv[1:]
    update = args[0] == "--update"
    if update:
        args = args[1:]
    bin_dir, files = os.path.abspath(args[0]), args[1:]
    root = os.getcwd()
    failures = ran = skipped = 0
    for path in files:
        text = open(path, encoding="utf-8").read()
        work = tempfile.mkdtemp(prefix="gamma-docs-")
        scratch = tempfile.mkdtemp(prefix="gamma-docs-tmp-")
        os.symlink(os.path.join(root, "samples"), os.path.join(work, "samples"))
        lines = text.split("\n")
        replacements = []
        steps = [(p[0], "prepare", p) for p in preparations(text)] + [(b[0], "example", b) for b in blocks(text)]
        steps.sort(key=lambda s: s[0])
        try:
            for _, what, step in steps:
                if what == "prepare":
                    _, kind, argument, content = step
                    if kind == "file":
                        with open(os.path.join(work, argument), "w", encoding="utf-8") as f:
                            f.write(content)
                    else:
                        env = dict(os.environ, GAMMA_REPO=root)
                        subprocess.run(["bash", "-c", argument], cwd=work, env=env, check=True,
                                       stdout=subprocess.DEVNULL)
                    continue
                start, end, reason, block = step
                if reason:
                    skipped += 1
                    print(f"{path}:{start + 1}: skipped ({reason})")
                    continue
                new_block = []
                for command, expected in commands(block):
                    ran += 1
                    actual = run(command, bin_dir, work, scratch)
                    new_block += ["$ " + command] + (expected if matches(expected, actual) else actual) + [""]
                    if not matches(expected, actual):
                        failures += 1
                        print(f"{path}:{start + 1}: `{command}` printed, where the document shows:")
                        print("\n".join("  | " + l for l in actual))
                        print("  ---")
                        print("\n".join("  | " + l for l in expected))
                while new_block and new_block[-1] == "":
                    new_block.pop()
                replacements.append((start, end, new_block))
        finally:
            shutil.rmtree(work)
            shutil.rmtree(scratch)
        if update and replacements:
            for start, end, new_block in reversed(replacements):
                lines[start:end] = new_block
            open(path, "w", encoding="utf-8").write("\n".join(lines))
    print(f"docs_examples: {ran} commands run, {skipped} blocks skipped, {failures} differ")
    if failures and not update:
        sys.exit(1)


if __name__ == "__main__":
    main()
