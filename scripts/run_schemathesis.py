#!/usr/bin/env python3
"""Schemathesis against the mock server, driven by the OpenAPI export.

Bounded and reproducible: a fixed number of examples per operation, a fixed seed,
derandomised generation, one worker (the mock is stateful: one worker keeps the order of
requests, hence the run, the same every time). Fails (exit 1) on any server error (5xx) and
on any response that does not conform to the export: an undocumented status code, a
content type other than the documented one, a body that does not match the documented
schema.

Steps:
  1. build the mock (`cargo build -p easemob-im --features mock --bin easemob-mock`) unless
     --mock names a binary (CI passes the one `cargo test --workspace --all-features`
     built), copy it aside (other builds sharing the target directory may overwrite
     `target/debug/easemob-mock`), and start it on a free port, once per pass;
  2. wait until its token endpoint answers, and take an app token from it the way a client
     does (`POST /{org}/{app}/token`, grant `client_credentials`);
  3. seed four users, a contact, a group, a chat room and a thread through the API;
  4. run schemathesis over every operation of the export (phases examples, coverage and
     fuzzing; not stateful: the export has no links), with the token as an
     `Authorization: Bearer` header, in two passes, each on a fresh mock:
       - "seeded": the path parameters that name a user, group, chat room or thread
         (`username`, `group_id`, ...) are fixed to the seeded ones (schemathesis
         `[parameters]`), so that operations get past 404 and their success bodies are
         checked; everything else (query, headers, bodies) is generated;
       - "unknown": every parameter is generated, so the same operations are checked on
         names that do not exist (404 and an Easemob error body);
  5. stop the mock (also on Ctrl-C, SIGTERM and errors) and print the number of cases,
     the operations that answered 2xx, and the time taken.

The seed: `--generation-deterministic` derandomises Hypothesis (schemathesis then reports
"Seed: not used"); the seed is passed as well so that a run without it stays reproducible.

Requires `schemathesis>=4.32,<5` (`python3 -m pip install 'schemathesis>=4.32,<5'`).

Exclusions: none. No operation and no check is left out; the coverage phase's
negative cases go through the same checks (a negative case must be refused with a
documented status and an Easemob error body, never a 5xx).

Usage:
  python3 scripts/run_schemathesis.py [--openapi target/openapi.json] [--mock BIN]
      [--examples 5] [--seed 20240601] [--report-dir DIR]
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORG, APP = "demo", "demo"
CLIENT_ID, CLIENT_SECRET = "demo-client-id", "demo-client-secret"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
# A pass takes about 25 s on a 2-core machine; this bounds a run that went wrong.
PASS_TIMEOUT = 150
# The seeded users (`seed`), named by the path parameters of the "seeded" pass.
USERS = ["st-alice", "st-bob", "st-carol", "st-dave"]


def log(msg: str) -> None:
    print(f"run_schemathesis: {msg}", flush=True)


def build_mock() -> str:
    """Builds the mock; returns the binary's path."""
    cmd = [
        "cargo", "build", "-p", "easemob-im", "--features", "mock", "--bin", "easemob-mock",
        "--message-format=json-render-diagnostics",
    ]
    out = subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                msg["target"]["name"] == "easemob-mock":
            return msg["executable"]
    raise SystemExit("run_schemathesis: cargo built no easemob-mock binary")


class Mock:
    """The mock server process: started in its own session, stopped with its group."""

    def __init__(self, binary: str):
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--token-ttl", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.base = None
        deadline = time.monotonic() + 30
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on " in line:
                self.base = line.split("listening on ", 1)[1].strip()
                break
        if self.base is None:
            self.stop()
            raise SystemExit("run_schemathesis: the mock did not print its address")
        # Keep draining its output so that it never blocks on a full pipe.
        self.proc.stdout.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def call(method: str, url: str, body=None, token: str | None = None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def app_token(api: str) -> str:
    """Waits until the token endpoint answers; returns an app token."""
    body = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET}
    deadline = time.monotonic() + 30
    while True:
        try:
            status, answer = call("POST", f"{api}/token", body)
            if status == 200:
                return answer["access_token"]
            raise SystemExit(f"run_schemathesis: token endpoint answered {status}: {answer}")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise SystemExit("run_schemathesis: the mock does not answer")
            time.sleep(0.2)


def seed(api: str, token: str) -> dict[str, list[str]]:
    """Creates users, a contact, a group, a chat room and a thread; returns their ids."""
    def ok(status, answer, what):
        if status != 200:
            raise SystemExit(f"run_schemathesis: seeding {what}: {status} {answer}")
        return answer

    ok(*call("POST", f"{api}/users",
             [{"username": u, "password": "secret-1"} for u in USERS], token), "users")
    ok(*call("POST", f"{api}/users/{USERS[0]}/contacts/users/{USERS[1]}", None, token),
       "a contact")
    group = ok(*call("POST", f"{api}/chatgroups", {
        "groupname": "st-group", "description": "schemathesis", "public": True,
        "maxusers": 300, "owner": USERS[0], "members": USERS[1:3]}, token),
        "a group")["data"]["groupid"]
    room = ok(*call("POST", f"{api}/chatrooms", {
        "name": "st-room", "description": "schemathesis", "maxusers": 300,
        "owner": USERS[0], "members": USERS[1:3]}, token), "a chat room")["data"]["id"]
    thread = ok(*call("POST", f"{api}/thread", {
        "group_id": group, "name": "st-thread", "owner": USERS[0], "msg_id": "1"}, token),
        "a thread")["data"]["thread_id"]
    return {"group": group, "room": room, "thread": thread}


# Pass "seeded": the path parameters that name a user, group, chat room or thread take
# the seeded resources' values (fixed, in every phase), so that operations get past 404
# and their success bodies are checked. Pass "unknown": every value is generated, so the
# same operations are checked on names that do not exist (404 with an Easemob error body).
def seeded_parameters(resources: dict[str, str]) -> dict[str, str]:
    alice, bob, carol, dave = USERS
    return {
        "username": bob, "owner_username": alice, "friend_username": bob,
        "blocked_username": dave, "oldadmin": bob, "super_admin": bob,
        "usernames": carol, "members": carol,
        "group_id": resources["group"], "group_ids": resources["group"],
        "chatroom_id": resources["room"], "thread_id": resources["thread"],
    }


def write_config(path: str, parameters: dict[str, str] | None) -> None:
    lines = []
    if parameters:
        lines.append("[parameters]")
        lines += [f'"path.{k}" = {json.dumps(v)}' for k, v in parameters.items()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def summarise(ndjson: str) -> dict:
    """Counts the cases and the operations that got a 2xx from the ndjson report."""
    cases = 0
    by_phase = collections.Counter()
    statuses = collections.Counter()
    operations = set()
    succeeded = set()
    for line in open(ndjson):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        label = recorder["label"]
        operations.add(label)
        for case_id, interaction in recorder.get("interactions", {}).items():
            response = interaction.get("response")
            cases += 1
            by_phase[finished.get("phase") or "?"] += 1
            if response:
                statuses[response["status_code"] // 100] += 1
                if 200 <= response["status_code"] < 300:
                    succeeded.add(label)
    return {"cases": cases, "operations": len(operations), "with_2xx": len(succeeded),
            "statuses": {f"{k}xx": v for k, v in sorted(statuses.items())}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openapi", default=os.path.join(REPO, "target", "openapi.json"))
    parser.add_argument("--mock", help="mock binary (default: build it with cargo)")
    parser.add_argument("--examples", type=int, default=5,
                        help="examples per operation in the fuzzing phase (default 5)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--report-dir", help="keep schemathesis' reports here")
    parser.add_argument("--checks", default=",".join(CHECKS),
                        help="schemathesis checks (default: %(default)s); "
                        "`all` explores further than CI asks")
    args = parser.parse_args()
    # schemathesis runs in a temporary directory: make the paths absolute.
    args.openapi = os.path.abspath(args.openapi)
    if args.report_dir:
        args.report_dir = os.path.abspath(args.report_dir)

    if not os.path.exists(args.openapi):
        subprocess.run(["cargo", "xtask", "openapi", "--out", args.openapi], cwd=REPO,
                       check=True)
    if shutil.which("schemathesis") is None:
        raise SystemExit("run_schemathesis: install schemathesis: "
                         "python3 -m pip install 'schemathesis>=4.32,<5'")

    work = tempfile.mkdtemp(prefix="schemathesis-")
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the mock's copy; reports stay in --report-dir


def run(args: argparse.Namespace, work: str) -> int:
    started = time.monotonic()
    binary = args.mock or build_mock()
    copy = os.path.join(work, "easemob-mock")
    shutil.copy2(binary, copy)
    report_root = args.report_dir or os.path.join(work, "report")
    # Stop the mock however this script ends (SIGTERM from CI included).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    failed = []
    totals = collections.Counter()
    for name in ("seeded", "unknown"):
        mock = Mock(copy)  # a fresh mock per pass: each pass starts from the same state
        try:
            api = f"{mock.base}/{ORG}/{APP}"
            token = app_token(api)
            resources = seed(api, token)
            config = os.path.join(work, f"{name}.toml")
            write_config(config, seeded_parameters(resources) if name == "seeded" else None)
            report_dir = os.path.join(report_root, name)
            cmd = [
                "schemathesis", "--config-file", config, "run", args.openapi,
                "--url", api,
                "--header", f"Authorization: Bearer {token}",
                "--checks", args.checks,
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", str(args.examples),
                "--seed", str(args.seed),
                "--generation-deterministic",
                "--workers", "1",
                "--request-timeout", "10",
                "--no-color",
                "--report", "ndjson", "--report-dir", report_dir,
            ]
            log(f"pass {name}: mock at {mock.base}, seeded; running schemathesis")
            pass_started = time.monotonic()
            try:
                code = subprocess.run(cmd, cwd=work, timeout=PASS_TIMEOUT).returncode
            except subprocess.TimeoutExpired:
                log(f"pass {name}: schemathesis ran past {PASS_TIMEOUT} s")
                code = "timeout"
            elapsed = time.monotonic() - pass_started
        finally:
            mock.stop()
        if code != 0:
            failed.append(f"{name} (exit {code})")
        reports = sorted(glob.glob(os.path.join(report_dir, "*.ndjson")))
        if reports:
            s = summarise(reports[-1])
            totals["cases"] += s["cases"]
            log(f"pass {name}: {s['cases']} cases over {s['operations']} operations "
                f"({s['with_2xx']} answered 2xx at least once; {s['statuses']}), "
                f"{elapsed:.0f} s")
    log(f"{totals['cases']} cases in {time.monotonic() - started:.0f} s")
    if failed:
        log("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
