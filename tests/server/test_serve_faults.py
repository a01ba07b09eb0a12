"""Bad requests and client faults, each answered with the right status and a TEI error object,
the server healthy afterwards; the API key; 429 with Retry-After; slow and vanishing clients;
SIGINT and SIGTERM drain the requests in flight and exit 0."""
import json
import socket
import threading
import time

from serve_util import Server, check

LONG = "word " * 5000 + "<mask>"


def raw(port, data, wait=5.0):
    """Sends raw bytes and returns what comes back before the server closes (or wait ends)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


s = Server("--max-body-bytes", "65536", "--idle-timeout", "2", "--max-client-batch-size", "4")
try:
    J = {"Content-Type": "application/json"}
    bad = [  # (path, body bytes, expected status)
        ("/fill-mask", b"{not json", 400),
        ("/fill-mask", b"", 422),
        ("/fill-mask", b"[1, 2]", 422),
        ("/fill-mask", b'{"text": "a <mask>"}', 422),
        ("/fill-mask", b'{"inputs": 5}', 422),
        ("/fill-mask", b'{"inputs": ""}', 422),
        ("/fill-mask", b'{"inputs": []}', 422),
        ("/fill-mask", b'{"inputs": "no mask here"}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"top_k": 0}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"top_k": 1.5}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"top_k": "5"}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"top_k": 1e300}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"targets": []}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": {"targets": [1]}}', 422),
        ("/fill-mask", b'{"inputs": "a <mask>", "parameters": 7}', 422),
        ("/fill-mask", b'{"inputs": "a \xff\xfe <mask>"}', 422),
        ("/fill-mask", b'{"inputs": "a \\u0000 <mask>"}', 422),
        ("/fill-mask", b'{"inputs": ["a <mask>", "b <mask>", "c <mask>", "d <mask>", "e <mask>"]}', 422),
        ("/fill-mask", json.dumps({"inputs": LONG}).encode(), 413),
        ("/fill-mask", b'{"inputs": "' + b"x" * 70000 + b' <mask>"}', 413),
        ("/fill-mask", b"[" * 5000 + b"]" * 5000, 400),
        ("/embed", json.dumps({"inputs": LONG}).encode(), 413),
        ("/embed", b'{"inputs": [[0, 99999999, 2]]}', 422),
        ("/embed", b'{"inputs": [[0, -1, 2]]}', 422),
        ("/embed", b'{"inputs": [[]]}', 422),
        ("/embed", b'{"inputs": "x", "normalize": "yes"}', 422),
        ("/v1/embeddings", b'{"input": "x", "encoding_format": "base64"}', 422),
        ("/v1/embeddings", b'{"inputs": "x"}', 422),
        ("/decode", b'{"ids": "0 1 2"}', 422),
        ("/decode", b'{"ids": [0, 77777777]}', 422),
        ("/decode", b'{"ids": [["a"]]}', 422),
        ("/tokenize", b'{"inputs": [1, 2]}', 422),
        ("/text-classification", b'{"inputs": "x"}', 422),
        ("/predict", b'{"inputs": "x <mask>", "parameters": [1]}', 422),
        ("/predict", b'{"parameters": {}}', 422),
        ("/no-such-route", b"{}", 404),
        ("/../../etc/passwd", b"", 404),
        ("/%2e%2e/%2e%2e/etc/passwd", b"", 404),
    ]
    for path, body, want in bad:
        status, headers, data = s.request("POST", path, body, J)
        err = json.loads(data)
        check(status == want, f"POST {path} {body[:60]!r}: {status} (want {want}) {data[:200]!r}")
        check(set(err) == {"error", "error_type"} and err["error"], f"{path}: error object {err}")
    status, headers, _ = s.request("GET", "/fill-mask")
    check(status == 405 and headers.get("Allow") == "POST", "GET /fill-mask is 405 with Allow")
    status, _, _ = s.request("DELETE", "/info")
    check(status == 405, "DELETE /info is 405")
    # truncation on request: a long text is cut to the model's maximum instead of refused
    status, got = s.post("/embed", {"inputs": LONG, "truncate": True})
    check(status == 200 and len(got[0]) == 32, "truncate: true embeds a long text")
    print(f"{len(bad) + 3} bad requests answered with their status and a JSON error")

    # malformed HTTP, a body cut short, a client gone before its answer, a silent client
    reply = raw(s.port, b"GARBAGE / NOT-HTTP\r\n\r\n")
    check(reply.startswith(b"HTTP/1.1 400") or reply == b"", f"garbage request line: {reply[:60]!r}")
    reply = raw(s.port, b"POST /fill-mask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}")
    check(reply == b"" or reply.split(b" ")[1] in (b"400", b"413", b"422"), f"bad length {reply[:60]!r}")
    c = socket.create_connection(("127.0.0.1", s.port))
    c.sendall(b"POST /fill-mask HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inputs\"")
    c.close()
    c = socket.create_connection(("127.0.0.1", s.port))
    body = json.dumps({"inputs": "word " * 3000 + "<mask>"}).encode()
    c.sendall(b"POST /fill-mask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + str(len(body)).encode() + b"\r\n\r\n" + body)
    c.close()  # gone while the device works on it
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.sendall(b"POST /fill-mask HTTP/1.1\r\nHost: x\r\n")  # slowloris: headers never end
    t0 = time.time()
    status, _ = s.post("/fill-mask", {"inputs": "a <mask> b"})
    check(status == 200, "answers while a slow client holds a connection")
    slow.settimeout(10)
    try:
        closed = slow.recv(100) is not None
    except (socket.timeout, ConnectionResetError):
        closed = False
    check(closed and time.time() - t0 < 9, "the silent connection is closed after --idle-timeout")
    slow.close()
    status, _, _ = s.request("GET", "/health")
    check(status == 200, "healthy after the faults")
finally:
    check(s.stop() == 0, "SIGTERM exits 0")

# the API key; back-pressure with one request at a time; SIGINT drains what is in flight
s = Server("--api-key", "s3cret", "--max-concurrent-requests", "1")
try:
    status, got = s.post("/fill-mask", {"inputs": "a <mask>"})
    check(status == 401 and got["error_type"] == "unauthorized", "no key: 401")
    status, _, _ = s.request("POST", "/fill-mask", b'{"inputs": "a <mask>"}', {"Authorization": "Bearer nope"})
    check(status == 401, "wrong key: 401")
    status, _, _ = s.request("GET", "/metrics", None, {"Authorization": "s3cret"})
    check(status == 401, "key without Bearer: 401")
    status, _, _ = s.request("GET", "/health")
    check(status == 200, "/health needs no key (load balancers)")
    auth = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}
    status, _, _ = s.request("POST", "/fill-mask", b'{"inputs": "a <mask>"}', auth)
    check(status == 200, "right key: 200")

    results = []
    body = json.dumps({"inputs": ["word " * 4000] * 4}).encode()

    def client():
        st, h, _ = s.request("POST", "/embed", body, auth, timeout=120)
        results.append((st, h.get("Retry-After")))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    rc = s.stop(__import__("signal").SIGINT)  # while requests are in flight
    for t in threads:
        t.join()
    statuses = sorted(r[0] for r in results)
    print("6 concurrent clients with --max-concurrent-requests 1, SIGINT meanwhile:", statuses)
    check(rc == 0, f"SIGINT exits 0 after draining (rc {rc})")
    check(len(results) == 6 and 200 in statuses, "the request in flight was answered")
    check(all(st in (200, 429, 503) for st in statuses), "only 200, 429 or 503 (draining)")
    check(all(ra == "1" for st, ra in results if st == 429), "429 carries Retry-After")
    check(429 in statuses, "the others were refused with 429")
finally:
    if s.proc.poll() is None:
        s.stop()
print("ok")
