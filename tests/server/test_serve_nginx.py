"""The README's scale-out recipe on loopback: two `yoso serve` replicas behind nginx; a replica is
killed (SIGKILL) in the middle of the load and every request is still answered, correctly, by the
other. Skips (exit 0 with a message) when nginx is not installed; .ci/run installs it."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from serve_util import Server, check, close

nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if not nginx:
    print("SKIP: nginx is not installed (apt-get install nginx-light)")
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


replicas = [Server(), Server()]
tmp = tempfile.mkdtemp(prefix="yoso-nginx-")
port = free_port()
upstreams = " ".join(f"server 127.0.0.1:{r.port} max_fails=1 fail_timeout=5s;" for r in replicas)
conf = f"""daemon off; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 256; }}
http {{
    access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp};
    fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
    upstream yoso {{ {upstreams} }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;
        location / {{ proxy_pass http://yoso; proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                     proxy_http_version 1.1; proxy_set_header Connection ""; }}
    }}
}}
"""
with open(os.path.join(tmp, "nginx.conf"), "w") as f:
    f.write(conf)
proc = subprocess.Popen([nginx, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf")])
front = Server.__new__(Server)
front.port = port
try:
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if front.request("GET", "/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    body = {"inputs": "Paris is the <mask> of France."}
    status, want = replicas[0].post("/fill-mask", body)
    check(status == 200, "replica answers")
    results = []

    def client(k):
        for _ in range(15):
            results.append(front.post("/fill-mask", body, timeout=60))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    replicas[0].proc.send_signal(signal.SIGKILL)  # a replica dies mid-load
    for t in threads:
        t.join()
    statuses = [st for st, _ in results]
    print(f"{len(results)} requests through nginx, replica 1 killed mid-load: "
          f"{statuses.count(200)} answered 200")
    check(all(st == 200 for st in statuses), f"every request answered: {statuses}")
    check(all(close(got, want) for _, got in results), "every answer right")
finally:
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    replicas[0].proc.wait()
    check(replicas[1].stop() == 0, "surviving replica drains and exits 0")
    shutil.rmtree(tmp, ignore_errors=True)
print("ok")
