"""The playground page at / in a real browser (headless Chromium from Debian): the page gets a text
(?text=…, as a user would type it, then its Predict button is clicked by the page script), calls
/fill-mask, and its table must list exactly the server's predictions. Skips (exit 0 with a message)
when chromium is not installed; .ci/run installs it."""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from serve_util import Server, check

chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("SKIP: chromium is not installed (apt-get install chromium)")
    sys.exit(0)

text = "The capital of France is <mask>."
s = Server()
profile = tempfile.mkdtemp(prefix="yoso-chromium-")
try:
    status, want = s.post("/fill-mask", {"inputs": text, "parameters": {"top_k": 4}})
    check(status == 200, "fill-mask answers")
    url = f"http://127.0.0.1:{s.port}/?" + urllib.parse.urlencode({"text": text, "top_k": 4})
    out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={profile}", "--virtual-time-budget=20000", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120).stdout
    rows = re.findall(r'<tr class="prediction">(.*?)</tr>', out, re.S)
    tokens = [html.unescape(re.search(r'<td class="token">(.*?)</td>', r, re.S).group(1)) for r in rows]
    scores = [float(re.search(r'<td class="score">(.*?)</td>', r, re.S).group(1)) for r in rows]
    print("page shows:", list(zip(tokens, scores)))
    check(tokens == [p["token_str"] for p in want], f"page tokens {tokens} != {want}")
    check(all(abs(a - p["score"]) < 1e-4 for a, p in zip(scores, want)), "page scores")
finally:
    check(s.stop() == 0, "SIGTERM exits 0")
    shutil.rmtree(profile, ignore_errors=True)
print("ok")
