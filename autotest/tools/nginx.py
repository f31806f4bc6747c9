"""A real nginx on 127.0.0.1 serving a folder, for the tests and
benchmarks that read over HTTP (/vsicurl/). Its access log has one line
per request: method, path, Range header, status, body bytes sent."""
import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(root, prefix):
    """Serves root; prefix is a folder of nginx's own files. Yields (base
    URL, access log path). Raises RuntimeError if nginx is missing or does
    not start."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise RuntimeError("nginx is missing: scripts/bootstrap.sh installs nginx-light")
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), prefix / "bytes.log"
    (prefix / "nginx.conf").write_text(f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
  log_format bytes '$request_method $uri $http_range $status $body_bytes_sent';
  access_log {log} bytes;
  client_body_temp_path {prefix}; proxy_temp_path {prefix};
  fastcgi_temp_path {prefix}; uwsgi_temp_path {prefix}; scgi_temp_path {prefix};
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    proc = subprocess.Popen([nginx, "-c", str(prefix / "nginx.conf"), "-p", str(prefix)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("nginx did not start: " + proc.stderr.read().decode())
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def requests_and_bytes(log):
    """Requests logged so far and the body bytes they sent."""
    lines = Path(log).read_text().splitlines()
    return len(lines), sum(int(line.split()[-1]) for line in lines)
