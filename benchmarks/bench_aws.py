"""Costs of the AWS live checks, measured against a local moto server (real HTTP).

Run on demand:  .venv/bin/python benchmarks/bench_aws.py [--runs 20]

Rows (median of N runs unless noted):
- import of ``showtime_iac.adapters.aws`` (must not import boto3) and of boto3 itself;
- building the four clients (session, credentials check, standard retries);
- one ``describe_services`` poll (the DRAINING check before every ``up``);
- the orphan listing of a cluster with 20 environments (services, task definitions, log
  groups, ECR images, with their tags), and the pure decision over 10,000 resources;
- ``tail_logs`` of 200 lines, and ``redact`` over 10,000 log lines.

Each row has a target (``TARGETS_S``; boto3's own import is shown for reference only); exit 1
when a median is over its target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from _targets import Target, load_average, verdict

#: seconds (median); what the live checks may cost on a 2-core machine
TARGETS_S = {
    "import showtime_iac.adapters.aws + cli (no boto3), cold": 0.5,
    "build the 4 clients": 1.0,
    "describe_services poll": 0.05,
    "list_tagged, 20 environments (80 resources)": 1.0,
    "classify_orphans": 0.5,
    "tail_logs, 200 lines": 0.1,
    "redact, 10,000 lines": 1.0,
}


def _target_of(name: str) -> float | None:
    return next((t for key, t in TARGETS_S.items() if name.startswith(key)), None)


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def subprocess_time(code: str, runs: int) -> float:
    return median(lambda: subprocess.run([sys.executable, "-c", code], check=True), runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    runs = args.runs
    rows: list[tuple[str, float]] = []

    check = (
        "import sys, showtime_iac.adapters.aws, showtime_iac.cli; assert 'boto3' not in sys.modules"
    )
    rows.append(
        ("import showtime_iac.adapters.aws + cli (no boto3), cold", subprocess_time(check, 5))
    )
    rows.append(("import boto3, cold", subprocess_time("import boto3", 5)))

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-west-2",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
    )

    from showtime_iac.adapters.aws import (
        AwsClients,
        AwsLive,
        TaggedResource,
        classify_orphans,
        redact,
        tail_logs,
    )
    from showtime_iac.core.model import EnvConfig, resource_names, resource_tags
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    rows.append(("build the 4 clients", median(lambda: AwsClients.from_settings(settings), 5)))
    clients = AwsClients.from_settings(settings)
    live = AwsLive(clients)
    c = clients
    c.ecs.create_cluster(clusterName="superset-ci")
    c.ecr.create_repository(repositoryName="superset-ci")
    for pr in range(1, 21):
        sha = hashlib.sha1(str(pr).encode()).hexdigest()
        names, tags = resource_names(pr, sha), resource_tags(EnvConfig(pr=pr, sha=sha))
        tl: Any = [{"key": k, "value": v} for k, v in tags.items()]
        td = c.ecs.register_task_definition(
            family=names.task_family,
            containerDefinitions=[{"name": "superset", "image": "x", "memory": 2048}],
            tags=tl,
        )["taskDefinition"]["taskDefinitionArn"]
        c.ecs.create_service(
            cluster="superset-ci", serviceName=names.service, taskDefinition=td, tags=tl
        )
        c.logs.create_log_group(logGroupName=names.log_group, tags=tags)
        digest = hashlib.sha256(sha.encode()).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{digest}", "size": 1},
            "layers": [{"mediaType": "x", "digest": f"sha256:{digest}", "size": 1}],
        }
        c.ecr.put_image(
            repositoryName="superset-ci",
            imageManifest=json.dumps(manifest),
            imageTag=names.image_tag,
        )
    svc = resource_names(1, hashlib.sha1(b"1").hexdigest()).service
    rows.append(
        ("describe_services poll", median(lambda: live.service_state("superset-ci", svc), runs))
    )
    found: list[TaggedResource] = []
    rows.append(
        (
            "list_tagged, 20 environments (80 resources)",
            median(lambda: found.extend(live.list_tagged()), 3),
        )
    )
    now = datetime.now(UTC) + timedelta(days=1)
    many = found * (10_000 // max(1, len(found)))
    rows.append(
        (
            f"classify_orphans, {len(many)} resources",
            median(lambda: classify_orphans(many, [], [], now), 5),
        )
    )
    sha1 = hashlib.sha1(b"1").hexdigest()
    group = resource_names(1, sha1).log_group
    c.logs.create_log_stream(logGroupName=group, logStreamName="superset/superset/t1")
    t0 = int(time.time() * 1000) - 300_000
    c.logs.put_log_events(
        logGroupName=group,
        logStreamName="superset/superset/t1",
        logEvents=[
            {"timestamp": t0 + i, "message": f"line {i} SECRET_KEY=s{i} ok"} for i in range(200)
        ],
    )
    rows.append(("tail_logs, 200 lines", median(lambda: tail_logs(c.logs, 1, sha1, 200), runs)))
    lines = [
        f'10.0.0.{i % 255} - - "GET /api/v1/chart/{i} HTTP/1.1" 200 token=abc{i}'
        for i in range(10_000)
    ]
    rows.append(("redact, 10,000 lines", median(lambda: [redact(x) for x in lines], 5)))
    server.stop()

    width = max(len(name) for name, _ in rows)
    print(load_average())
    print(f"{'measurement':<{width}}  seconds   target")
    targets = []
    for name, secs in rows:
        limit = _target_of(name)
        if limit is None:
            print(f"{name:<{width}}  {secs:8.4f}        -")
            continue
        target = Target(name, secs, limit)
        targets.append(target)
        print(f"{name:<{width}}  {secs:8.4f} {limit:8.2f}  {target.mark()}")
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
