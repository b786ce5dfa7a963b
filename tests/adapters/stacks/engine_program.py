"""A test-only Pulumi program for the engine tests: Python dynamic-provider resources whose
"cloud" is a directory of JSON files, so that state can be changed outside Pulumi.

The AWS provider plugin cannot be built here, so the engine tests run the real CLI with this
program instead of the product's, through the same driver (``open_driver(program=program)``,
or ``SHOWTIME_PROGRAM=tests.adapters.stacks.engine_program:program`` for the CLI).

For an environment stack ``pr-{n}-{sha7}`` it reads the config the driver wrote (the same
``showtime-iac:*`` keys the product program reads) and declares two ``FakeService``
resources, ``service`` and ``log-group``, tagged like the product's AWS resources; a prepared
stack (``showtime-iac:prepared``) only the ``log-group``, as the product declares only what
needs no image. Each one
is a file ``$SHOWTIME_FAKE_CLOUD/<name>.json``; a refresh reads it back, so editing the file
is a change made outside Pulumi. ``$SHOWTIME_FAKE_CREATE_SLEEP`` seconds: a create writes its
file and a ``<name>.creating`` marker, then sleeps (a run to ``kill -9`` mid-create).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pulumi
from pulumi import dynamic

from showtime_iac.core.model import resource_tags
from showtime_iac.core.stack_config import from_stack_config

__all__ = [
    "ENV_CLOUD",
    "ENV_CREATE_FAIL",
    "ENV_CREATE_SLEEP",
    "FakeService",
    "cloud_object",
    "program",
]

ENV_CLOUD = "SHOWTIME_FAKE_CLOUD"
ENV_CREATE_SLEEP = "SHOWTIME_FAKE_CREATE_SLEEP"
#: ``$SHOWTIME_FAKE_CREATE_FAIL``: the create of a resource whose name ends so fails with the
#: message ``$SHOWTIME_FAKE_CREATE_FAIL_MESSAGE`` (a provider's error, for the failure report)
ENV_CREATE_FAIL = "SHOWTIME_FAKE_CREATE_FAIL"
_FIELDS = ("image", "size", "tags", "desired")


def cloud_object(cloud: Path | str, name: str) -> Path:
    """The file that is the "cloud" resource ``name``."""
    return Path(cloud) / (name.strip("/").replace("/", "_") + ".json")


class FakeServiceProvider(dynamic.ResourceProvider):
    """CRUD on one JSON file per resource (runs in the ``pulumi-python`` provider process)."""

    def _write(self, props: dict[str, Any]) -> None:
        path = cloud_object(props["cloud"], props["name"])
        path.write_text(json.dumps({k: props.get(k) for k in _FIELDS}, sort_keys=True))

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        failing = os.environ.get(ENV_CREATE_FAIL)
        if failing and str(props["name"]).endswith(failing):
            raise RuntimeError(os.environ.get(ENV_CREATE_FAIL + "_MESSAGE") or "create failed")
        self._write(props)
        delay = float(os.environ.get(ENV_CREATE_SLEEP) or 0)
        if delay:
            marker = cloud_object(props["cloud"], props["name"]).with_suffix(".creating")
            marker.write_text(str(os.getpid()))
            time.sleep(delay)
        return dynamic.CreateResult(id_=props["name"], outs=props)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        path = cloud_object(props["cloud"], props["name"])
        try:
            live = json.loads(path.read_text())
        except FileNotFoundError:
            return dynamic.ReadResult(id_="", outs={})  # gone: refresh deletes it
        return dynamic.ReadResult(id_=id_, outs={**props, **live})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = [k for k in _FIELDS if olds.get(k) != news.get(k)]
        replaces = ["name"] if olds.get("name") != news.get("name") else []
        return dynamic.DiffResult(
            changes=bool(changed or replaces), replaces=replaces, delete_before_replace=True
        )

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        self._write(news)
        return dynamic.UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        cloud_object(props["cloud"], props["name"]).unlink(missing_ok=True)


class FakeService(dynamic.Resource, module="showtime", name="FakeService"):
    """``pulumi-python:dynamic/showtime:FakeService``: a file in the fake cloud."""

    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(FakeServiceProvider(), name, {**props})


def _all_config() -> dict[str, str]:
    from pulumi.runtime import config as rc

    merged: dict[str, Any] = {**rc.get_config_env(), **rc.CONFIG.get()}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}


def program() -> None:
    """The environment of the running stack, as files in ``$SHOWTIME_FAKE_CLOUD``."""
    cloud = os.environ.get(ENV_CLOUD)
    if not cloud:
        raise RuntimeError(f"${ENV_CLOUD} is not set: the engine tests' program needs it")
    cfg = from_stack_config(_all_config())
    stack = pulumi.get_stack()
    if cfg.stack != stack:
        raise RuntimeError(f"stack {stack} holds the config of {cfg.stack}")
    tags = resource_tags(cfg)
    common = {"cloud": cloud, "tags": tags}
    # like the product's log group: nothing in it depends on the image
    logs = FakeService(
        "log-group",
        {**common, "name": f"/showtime/{stack}", "image": "-", "size": "-", "desired": None},
    )
    pulumi.export("logGroup", logs.name)  # type: ignore[attr-defined]
    if cfg.prepared:  # like the product's prepared stack: nothing that runs, no image
        pulumi.export("prepared", True)
        return
    # like the product's ECS service: asleep (idle_action = "sleep"), no task runs
    desired = 0 if cfg.sleeping else 1
    service = FakeService(
        "service",
        {
            **common,
            "image": cfg.image or f"superset:{cfg.sha7}",
            "name": f"{stack}-service",
            "size": cfg.size,
            "desired": desired,
        },
    )
    pulumi.export("serviceName", service.name)  # type: ignore[attr-defined]
