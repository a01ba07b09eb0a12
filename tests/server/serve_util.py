"""serve_util.py — start `yoso serve` on loopback for a test and talk to it (stdlib only)."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

CLI = os.environ.get("YOSO_CLI", "build/yoso")
DATA = os.environ.get("YOSO_TEST_DATA", "tests/data")
FILL_MODEL = os.path.join(DATA, "fillmask", "model")


class Server:
    """A `yoso serve` process on 127.0.0.1 and an ephemeral port."""

    def __init__(self, *args, model=FILL_MODEL, wait=True):
        cmd = [CLI, "serve", "-m", model, "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        self.port = None
        self.log = []
        deadline = time.time() + 120
        while wait and time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.append(line)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if wait and not self.port:
            self.proc.kill()
            raise SystemExit("server did not start: " + "".join(self.log) + self.proc.stderr.read())

    def request(self, method, path, body=None, headers=None, timeout=60):
        """One request on a fresh connection; returns (status, headers, body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def post(self, path, obj, **kw):
        """POST JSON; returns (status, parsed JSON or None)."""
        status, _, data = self.request("POST", path, obj, {"Content-Type": "application/json"}, **kw)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, None

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals the server and returns its exit code."""
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "hung"
        self.log.append(self.proc.stderr.read())
        return rc


def check(cond, what):
    """Fails the test with a message (no assert: python -O would drop it)."""
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


def read_npy(path):
    """A little-endian float32/int32 C-order .npy file as (shape, flat list)."""
    import array
    import ast
    with open(path, "rb") as f:
        raw = f.read()
    hlen = int.from_bytes(raw[8:10], "little")
    header = ast.literal_eval(raw[10:10 + hlen].decode())
    arr = array.array({"<f4": "f", "<i4": "i"}[header["descr"]])
    arr.frombytes(raw[10 + hlen:])
    return header["shape"], list(arr)


def close(a, b, tol=1e-5):
    """Same JSON structure, strings and integers; floats within tol * max(1, |b|). Padding to a
    longer batch changes reduction lengths (GEMM shapes, masked attention sums), so a batched
    answer differs from the lone one by float rounding only (~1e-7 relative): 1e-5 is the bound of
    tests/test_model_padding.c for the same effect."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= tol * max(1.0, abs(b))
    return a == b
