#!/usr/bin/env python3
"""Benchmark of `vcd serve --watch` on the demo (run on purpose, not a test).

1. Edit-to-reload latency: the time from writing a file to the reload event
   arriving over server-sent events, for a page edit and for a query edit,
   against a full `vcd build` of the same demo measured in the same run.
2. Load: 10,000 requests for the home page from ApacheBench on loopback,
   against Python's http.server serving the same files in the same run.

Usage: bench/serve.py [runs]   (default 20; prints medians)
Needs: cargo, and `ab` (apt-get install apache2-utils) for the load part.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/vcd/target"))
VCD = os.path.join(TARGET, "release", "vcd")


# Python's threaded static server with a listen backlog large enough for 16
# concurrent clients (the module's default of 5 refuses some of them).
PY_SERVER = """
import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.log_message = lambda *a: None
s = Server(("127.0.0.1", 0), handler)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def copy_demo(dest):
    for name in ["pages", "queries", "data", "theme"]:
        shutil.copytree(os.path.join(ROOT, name), os.path.join(dest, name))
    shutil.copy(os.path.join(ROOT, "vcd.toml"), dest)


def start_server(project):
    proc = subprocess.Popen([VCD, "-C", project, "serve", "--watch", "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in proc.stderr:
        m = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            return proc, int(m.group(1))
    raise SystemExit("vcd serve did not start")


class Events:
    """A raw server-sent events stream."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__vcd/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.buf = b""
        self.wait(b"retry:")

    def wait(self, needle):
        while needle not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("event stream closed")
            self.buf += chunk
        self.buf = self.buf[self.buf.index(needle) + len(needle):]


def latency(project, events, rel, edit):
    path = os.path.join(project, rel)
    original = open(path).read()
    times = []
    for i in range(RUNS):
        text = edit(original, i)
        t0 = time.perf_counter()
        with open(path, "w") as f:
            f.write(text)
        events.wait(b"event: reload")
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.15)
    with open(path, "w") as f:
        f.write(original)
    events.wait(b"event: reload")
    return statistics.median(times)


def full_build(project):
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([VCD, "-C", project, "build", "--out", "bench-site"], check=True,
                       stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def ab(url):
    out = subprocess.run(["ab", "-q", "-n", "10000", "-c", "16", url],
                         capture_output=True, text=True, check=True).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    p50 = int(re.search(r"^\s+50%\s+(\d+)", out, re.M).group(1))
    return failed + (int(non2xx.group(1)) if non2xx else 0), rps, p50


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=TARGET))
    work = tempfile.mkdtemp()
    project = os.path.join(work, "demo")
    os.mkdir(project)
    copy_demo(project)
    baseline = full_build(project)
    proc, port = start_server(project)
    try:
        events = Events(port)
        page = latency(project, events, "pages/markets.md",
                       lambda text, i: text + f"\n<!-- bench edit {i} -->\n")
        # The edit must change the result: a rebuild that changes no file
        # reloads no browser, so a comment alone would never be answered.
        query = latency(project, events, "queries/future_customers.sql",
                        lambda text, i: text.replace("sa.hours_to_purchase,",
                                                     f"sa.hours_to_purchase, {i} AS bench_edit,", 1))
        print(f"runs: {RUNS}")
        print(f"full vcd build of the demo (baseline):  median {baseline:.1f} ms")
        print(f"page edit -> reload event:              median {page:.1f} ms  ({page / baseline:.2f}x baseline)")
        print(f"query edit -> reload event:             median {query:.1f} ms  ({query / baseline:.2f}x baseline)")
        if shutil.which("ab") is None:
            print("load: skipped (install ApacheBench: apt-get install apache2-utils)")
            return
        failed, rps, p50 = ab(f"http://127.0.0.1:{port}/")
        site = os.path.join(project, "site")
        py = subprocess.Popen([sys.executable, "-u", "-c", PY_SERVER, site],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        py_port = int(py.stdout.readline())
        try:
            b_failed, b_rps, b_p50 = ab(f"http://127.0.0.1:{py_port}/")
        finally:
            py.kill()
        print(f"10,000 GET / (ab -c 16), Python http.server (baseline): {b_rps:.0f} req/s, "
              f"median {b_p50} ms, {b_failed} errors")
        print(f"10,000 GET / (ab -c 16), vcd serve:                     {rps:.0f} req/s "
              f"({rps / b_rps:.2f}x baseline), median {p50} ms, {failed} errors")
    finally:
        proc.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
