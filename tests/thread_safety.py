#!/usr/bin/env python3
"""Clang's thread-safety analysis over every creneau source file.

GCC ignores the ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED annotations;
clang checks them. This compiles each of the project's own translation units
(not generated code) with clang++, the flags of the main build (from its
compile_commands.json) and -Wthread-safety -Werror=thread-safety, in
-fsyntax-only mode: the analysis runs on the full semantic tree, without
code generation, so the whole tree is checked in a few minutes.

Test files (*_test.cc, *_benchmark.cc, tests/) are checked only when they
name a lock or an annotation themselves: the others reach guarded state only
through the public functions of the classes checked here, whose contracts
clang has verified, and skipping them halves the work.

    tests/thread_safety.py BUILD_DIR [-j JOBS]

Exits 1 when clang reports anything (or a file does not compile with
clang), printing its diagnostics.
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

FLAGS = ["-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety",
         "-Wthread-safety-beta", "-Wno-unknown-warning-option"]
# GCC-only options clang refuses.
DROPPED = {"-fno-semantic-interposition"}
LOCKING = re.compile(r"ABSL_[A-Z_]*(GUARDED_BY|LOCKS_REQUIRED|LOCKS_EXCLUDED|"
                     r"LOCK_FUNCTION|LOCK_RETURNED)|absl::Mutex|std::mutex")


def is_test(source, root):
    relative = source.relative_to(root)
    return (relative.parts[0] == "tests" or
            source.name.endswith(("_test.cc", "_benchmark.cc")))


def clang_command(entry):
    args = (shlex.split(entry["command"]) if "command" in entry
            else list(entry["arguments"]))
    out = ["clang++"]
    skip = False
    for arg in args[1:]:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if arg in ("-c", "-MD", "-MMD") or arg in DROPPED:
            continue
        out.append(arg)
    return out + FLAGS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    options = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    build = pathlib.Path(options.build_dir).resolve()
    entries = json.loads((build / "compile_commands.json").read_text())
    ours = []
    skipped = 0
    for entry in entries:
        source = pathlib.Path(entry["file"]).resolve()
        if build in source.parents or root not in source.parents:
            continue  # Generated (protobuf, gRPC) or not ours.
        if is_test(source, root) and not LOCKING.search(source.read_text()):
            skipped += 1
            continue
        ours.append(entry)
    if len(ours) + skipped < 100 or len(ours) < 50:
        print(f"only {len(ours)} of our sources to check in {build} "
              f"({skipped} tests skipped): build it first")
        return 1

    def run(entry):
        result = subprocess.run(clang_command(entry), cwd=entry["directory"],
                                capture_output=True, text=True)
        return entry["file"], result.returncode, result.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        for source, code, stderr in pool.map(run, ours):
            if code != 0 or "warning:" in stderr:
                failed += 1
                print(f"--- {os.path.relpath(source, root)}")
                print(stderr.rstrip())
    print(f"thread-safety analysis (clang -Wthread-safety) of {len(ours)} "
          f"files ({skipped} test files without locks skipped): "
          f"{failed or 'none'} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
