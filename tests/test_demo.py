"""`lms demo` as a newcomer runs it: it prepares the data, serves, and the printed logins work."""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests.ports import free_port


@pytest.fixture()
def demo_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_INSTANCE_PATH"] = str(tmp_path)
    log = (tmp_path / "demo.log").open("w+")
    process = subprocess.Popen([sys.executable, "-c", "from lms.cli import main; main()", "demo", "--port", str(port)],
                               env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert process.poll() is None, f"lms demo stopped:\n{output}"
        yield base, output
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _login(base: str, username: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urlencode({"csrf_token": token, "identifier": username, "password": password}).encode()
    response = opener.open(base + "/login", data=form)
    return opener, response.read().decode()


def test_demo_serves_and_every_printed_login_works(demo_server):
    base, output = demo_server
    logins = re.findall(r"^  (\S+)\s+(\S+)\s+(admin|manager|teacher|student)\b", output, re.MULTILINE)
    assert {role for _, _, role in logins} == {"admin", "manager", "teacher", "student"}
    for username, password, _role in logins:
        _opener, page = _login(base, username, password)
        assert "Đăng xuất" in page, f"login of {username} failed"


def test_demo_student_has_an_assignment_and_lrs_credential_works(demo_server):
    base, output = demo_server
    student = re.search(r"^  (\S+)\s+(\S+)\s+student\b", output, re.MULTILINE)
    opener, _ = _login(base, student.group(1), student.group(2))
    assignments = opener.open(base + "/learn/").read().decode()
    assert "Máy tính và Ubuntu cơ bản" in assignments
    key = re.search(r"key:\s+(\S+)", output).group(1)
    secret = re.search(r"secret:\s+(\S+)", output).group(1)
    request = urllib.request.Request(base + "/xapi/statements?limit=1", headers={
        "X-Experience-API-Version": "1.0.3",
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()})
    with urllib.request.urlopen(request) as response:
        assert "statements" in json.loads(response.read())
