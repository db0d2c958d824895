#!/usr/bin/env python3
"""Runs the README's "Secure deployment" block as a newcomer would: in a
fresh directory holding a `build` link to this build, with bash -e, on a
free loopback port instead of 50443. Checks what the README promises: SAS
17 reads its booking, SAS 75 gets NOT_FOUND as for an unknown id, the
agenda sees it, the audit lists three records. Stops creneaud whatever
happens.

    readme_secure_deployment.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import socket
import subprocess
import sys
import tempfile

BEGIN = "<!-- secure-deployment:begin"
END = "<!-- secure-deployment:end -->"


def block(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index(BEGIN)
    section = text[start:text.index(END, start)]
    code = re.search(r"```sh\n(.*?)```", section, re.S)
    if code is None:
        sys.exit("no ```sh block between the markers")
    return code.group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    source, build = sys.argv[1], sys.argv[2]
    script = block(os.path.join(source, "README.md"))
    if "50443" not in script:
        sys.exit("the block no longer uses port 50443")
    script = script.replace("50443", str(free_port()))
    with tempfile.TemporaryDirectory() as work:
        os.symlink(os.path.abspath(build), os.path.join(work, "build"))
        # Whatever happens, the background creneaud goes with the script.
        wrapped = ("set -e\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n" +
                   script)
        run = subprocess.run(["bash", "-c", wrapped], cwd=work, timeout=240,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    print(run.stdout)
    checks = {
        "exit status 0": run.returncode == 0,
        "SAS 17 reads its booking": re.search(
            r"booked by +sas17-1 ", run.stdout) is not None,
        "SAS 75 gets NOT_FOUND as for an unknown id": re.search(
            r"error: NOT_FOUND: booking_id: no booking 'bk-[0-9a-f]{20}'",
            run.stdout) is not None,
        "the agenda of the professional reads it": run.stdout.count(
            "organisation sas-17") == 2,
        "the audit lists confirm and two reads": "3 record(s)" in run.stdout,
        "the territory was created": "cpts-la-rochelle" in run.stdout,
    }
    failed = [name for name, ok in checks.items() if not ok]
    for name, ok in checks.items():
        print("%s: %s" % ("ok" if ok else "FAILED", name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
