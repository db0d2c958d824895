#!/usr/bin/env python3
"""Checks that every #include of creneau's own code points down the layers.

The layers, lowest first, and what each folder may include besides itself
(ARCHITECTURE.md draws the same picture):

    engine      the domain: nothing of ours
    storage     RocksDB and EngineHost: engine
    territory   communes into territories, generators: engine
    proto       the contract (generated code): nothing of ours
    server      gRPC, auth, creneaud: engine, storage, territory, proto
    tools       the CLI: engine, territory, proto
    bench       load tools: everything above
    tests       integration, crash, model tests: everything

Two more rules: a folder's `testing/` helpers are for tests and benchmarks
only (files under testing/, tests/ or bench/, and *_test.cc or
*_benchmark.cc files); a folder's `internal/` helpers are for that folder
(and for tests/, which may test them directly).

Prints every include that breaks a rule and exits 1 when there is one.

    tests/check_layers.py [source root]
    tests/check_layers.py --self-test   # proves it finds planted violations
"""
import pathlib
import re
import sys

# Each layer and the layers it may include, written once.
ALLOWED = {
    "engine": set(),
    "storage": {"engine"},
    "territory": {"engine"},
    "proto": set(),
    "server": {"engine", "storage", "territory", "proto"},
    "tools": {"engine", "territory", "proto"},
    "bench": {"engine", "storage", "territory", "proto", "server", "tools"},
    "tests": {"engine", "storage", "territory", "proto", "server", "tools",
              "bench"},
}
SOURCE_SUFFIXES = {".cc", ".h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of_include(path, root):
    """The layer an include names, or None for an external header."""
    first = path.split("/", 1)[0]
    if first in ALLOWED and first != "proto":
        return first
    # Generated code of proto/: "creneau/v1/x.pb.h" from proto/creneau/v1/x.proto.
    stem = re.sub(r"(\.grpc)?\.pb\.h$", "", path)
    if stem != path and (root / "proto" / (stem + ".proto")).exists():
        return "proto"
    return None


def is_test_or_benchmark(relative):
    parts = relative.parts
    return ("testing" in parts or parts[0] in ("tests", "bench") or
            relative.stem.endswith(("_test", "_benchmark")))


def check(root):
    problems = []
    files = 0
    for layer in ALLOWED:
        for path in sorted((root / layer).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            files += 1
            relative = path.relative_to(root)
            for number, line in enumerate(
                    path.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                included = match.group(1)
                target = layer_of_include(included, root)
                if target is None:
                    continue
                where = f"{relative}:{number}: includes {included}"
                if target != layer and target not in ALLOWED[layer]:
                    problems.append(f"{where}: {layer} may not include "
                                    f"{target} (it is not below {layer})")
                parts = pathlib.PurePosixPath(included).parts
                if "testing" in parts and not is_test_or_benchmark(relative):
                    problems.append(f"{where}: testing/ helpers are for tests "
                                    "and benchmarks only")
                if ("internal" in parts and target != layer and
                        layer != "tests"):
                    problems.append(f"{where}: {target}/internal/ is private "
                                    f"to {target}")
    return files, problems


def self_test():
    """The check finds each kind of violation in a small made-up tree."""
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch)
        tree = {
            "engine/a.h": '#include "server/b.h"\n',  # Up a layer.
            "server/b.h": '#include "engine/a.h"\n',  # Fine.
            "tools/c.cc": '#include "storage/internal/x.h"\n',  # Up, private.
            "storage/internal/x.h": "",
            "storage/d.cc": '#include "engine/testing/f.h"\n',  # Testing.
            "engine/testing/f.h": "",
            "storage/d_test.cc": '#include "engine/testing/f.h"\n',  # Fine.
        }
        for name, text in tree.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        files, problems = check(root)
    expected = 4  # engine->server, tools->storage, its internal/, testing/.
    for problem in problems:
        print("  found:", problem)
    if files != len(tree) or len(problems) != expected:
        print(f"self-test: {len(problems)} problems in {files} files, "
              f"expected {expected} in {len(tree)}")
        return 1
    print(f"self-test: the {expected} planted violations were found")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parent.parent)
    files, problems = check(root)
    for problem in problems:
        print(problem)
    if files < 100:
        print(f"only {files} source files found under {root}: wrong root?")
        return 1
    print(f"{files} files checked: "
          f"{len(problems) or 'no'} include(s) pointing up or inside out")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
