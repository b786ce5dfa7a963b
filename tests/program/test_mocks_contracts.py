"""What the offline render's mocks (program/mocks.py) answer: the placeholder account in every
ARN, the region they were given, made-up ids that stay the same from run to run (the docs'
outputs are checked byte for byte), secrets redacted, and the shared stack's outputs a
``StackReference`` reads. Called directly, with the values written out.
"""

from __future__ import annotations

from typing import Any

import pulumi.runtime as rt
import pytest

from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program.mocks import RecordingMocks, RenderedResource, clean

REGION = "eu-central-1"
REGISTRY = "000000000000.dkr.ecr.eu-central-1.amazonaws.com"


def _mocks(domain: str | None = "preview.example.org") -> RecordingMocks:
    return RecordingMocks(REGION, SharedConfig.offline_default(domain))


def _call(tok: str, args: dict[str, Any]) -> dict[str, Any]:
    answer, failures = _mocks().call(rt.MockCallArgs(tok, args, ""))
    assert failures == []
    return answer


def _new(m: RecordingMocks, typ: str, name: str, inputs: dict[str, Any]) -> tuple[Any, Any]:
    return m.new_resource(rt.MockResourceArgs(typ, name, inputs))


def test_lookups_answer_with_the_placeholder_account_in_the_given_region() -> None:
    assert _call("aws:ecr/getAuthorizationToken:getAuthorizationToken", {}) == {
        "id": REGION,
        "authorizationToken": "bW9jazptb2Nr",
        "userName": "AWS",
        "password": "mock-password",
        "proxyEndpoint": f"https://{REGISTRY}",
        "expiresAt": "2099-01-01T00:00:00Z",
    }
    assert _call("aws:ecr/getRepository:getRepository", {"name": "repo"}) == {
        "id": "repo",
        "name": "repo",
        "arn": "arn:aws:ecr:eu-central-1:000000000000:repository/repo",
        "registryId": "000000000000",
        "repositoryUrl": f"{REGISTRY}/repo",
    }
    assert _call("aws:index/getCallerIdentity:getCallerIdentity", {}) == {
        "id": "000000000000",
        "accountId": "000000000000",
        "arn": "arn:aws:sts::000000000000:assumed-role/offline/render",
        "userId": "AROAOFFLINERENDER:render",
    }
    assert _call("aws:iam/getRole:getRole", {"name": "r"}) == {
        "id": "r",
        "name": "r",
        "arn": "arn:aws:iam::000000000000:role/r",
    }
    assert _call("aws:ecs/getCluster:getCluster", {"clusterName": "c"}) == {
        "id": "c",
        "clusterName": "c",
        "arn": "arn:aws:ecs:eu-central-1:000000000000:cluster/c",
    }
    # a lookup the mocks do not know is answered with its own arguments
    assert _call("aws:other/thing:getThing", {"k": 1}) == {"k": 1}
    # lookups without a name answer with empty names, never fail
    assert _call("aws:iam/getRole:getRole", {})["arn"] == "arn:aws:iam::000000000000:role/"


STATES: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "docker:index/image:Image",
        "img",
        {"imageName": "reg/repo:tag"},
        "img-7d7ca936d2a5",
        {
            "repoDigest": "reg/repo@sha256:"
            "7d7ca936d2a529dbcdf771954de4e97eccbd886b480f144770cd84b2eed2181b",
            "baseImageName": "reg/repo:tag",
            "arn": "arn:aws:mock:eu-central-1:000000000000:img",
        },
    ),
    (
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        {"family": "fam"},
        "td-715ea446eb73",
        {"arn": "arn:aws:ecs:eu-central-1:000000000000:task-definition/fam:1", "revision": 1},
    ),
    (
        "aws:ecr/repository:Repository",
        "repo",
        {"name": "superset-ci"},
        "repo-98d44419957d",
        {
            "repositoryUrl": f"{REGISTRY}/superset-ci",
            "arn": "arn:aws:ecr:eu-central-1:000000000000:repository/superset-ci",
            "registryId": "000000000000",
        },
    ),
    (
        "aws:lb/loadBalancer:LoadBalancer",
        "lb",
        {"name": "showtime-iac"},
        "lb-d14c0e9186f6",
        {
            "arn": "arn:aws:elasticloadbalancing:eu-central-1:000000000000:loadbalancer/app/"
            "showtime-iac/d14c0e9186f67ec2",
            "dnsName": "showtime-iac-d14c0e9186.eu-central-1.elb.amazonaws.com",
            "zoneId": "Z1H1FL5HABSF5",
        },
    ),
    (
        "aws:secretsmanager/secret:Secret",
        "s",
        {"name": "sec"},
        "s-e744768c820a",
        {"arn": "arn:aws:secretsmanager:eu-central-1:000000000000:secret:sece74476"},
    ),
    (
        "aws:acm/certificate:Certificate",
        "c",
        {"domainName": "*.x.org"},
        "c-b0380169b892",
        {
            "arn": "arn:aws:acm:eu-central-1:000000000000:certificate/"
            "b0380169b892c3d6c40fe5ca7fc051c5ed5d",
            "domainValidationOptions": [
                {
                    "domainName": "*.x.org",
                    "resourceRecordName": "_b0380169b892c3d6c40fe5ca7fc051c5.*.x.org",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": "_ed5dc33afee02c7a70c98bd33463a84a.acm-validations.aws.",
                }
            ],
        },
    ),
    (
        "aws:ecs/service:Service",
        "svc",
        {"name": "s1"},
        "svc-9d7a5c48822e",
        {"arn": "arn:aws:ecs:eu-central-1:000000000000:service/superset-ci/s1"},
    ),
    (
        "aws:iam/role:Role",
        "role",
        {"name": "r1"},
        "role-12477c442568",
        {"arn": "arn:aws:iam::000000000000:role/r1"},
    ),
    (
        "aws:iam/policy:Policy",
        "pol",
        {"namePrefix": "p1"},
        "pol-09f5c4f32974",
        {"arn": "arn:aws:iam::000000000000:policy/p1"},
    ),
    (
        "aws:route53/record:Record",
        "rec",
        {"name": "a.b."},
        "rec-c68b989bfd73",
        {"fqdn": "a.b", "arn": "arn:aws:mock:eu-central-1:000000000000:rec"},
    ),
    (
        "aws:acm/certificateValidation:CertificateValidation",
        "cv",
        {"certificateArn": "arn:x"},
        "cv-505be83b7fca",
        {"certificateArn": "arn:x", "arn": "arn:aws:mock:eu-central-1:000000000000:cv"},
    ),
    (
        "aws:cloudwatch/logGroup:LogGroup",
        "lg",
        {},
        "lg-40cd355201ea",
        {"arn": "arn:aws:logs:eu-central-1:000000000000:log-group:lg"},
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        "sg",
        {"name": "g"},
        "sg-d8b6895d066185566",
        {"arn": "arn:aws:mock:eu-central-1:000000000000:sg"},
    ),
]


@pytest.mark.parametrize(
    ("typ", "name", "inputs", "rid", "state"), STATES, ids=[s[1] for s in STATES]
)
def test_a_created_resource_gets_a_stable_id_and_the_state_aws_would_answer(
    typ: str, name: str, inputs: dict[str, Any], rid: str, state: dict[str, Any]
) -> None:
    m = _mocks()
    got_id, got = _new(m, typ, name, dict(inputs))
    assert got_id == rid
    assert got == {**inputs, **state}
    # the same resource twice: the same id (the docs' outputs stay byte for byte)
    assert _new(_mocks(), typ, name, dict(inputs))[0] == rid


def test_each_resource_is_recorded_with_its_tags_as_text_and_its_secrets_redacted() -> None:
    m = _mocks()
    m.options[("aws:ec2/securityGroup:SecurityGroup", "sg")] = (True, True)
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"}
    _new(m, "aws:ec2/securityGroup:SecurityGroup", "sg", {"name": "g", "tags": {"a": 1}})
    _new(m, "aws:x/y:Z", "z", {"password": "hunter2", "size": 2.0, "key": secret, "tags": None})
    assert m.recorded == [
        RenderedResource(
            "aws:ec2/securityGroup:SecurityGroup",
            "sg",
            {"name": "g"},
            {"a": "1"},
            protect=True,
            retain_on_delete=True,
        ),
        RenderedResource(
            "aws:x/y:Z", "z", {"password": "[secret]", "size": 2, "key": "[secret]"}, {}
        ),
    ]


def test_clean_keeps_a_secret_objects_shape_and_redacts_secret_named_fields() -> None:
    sig = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    value = {"cfg": {**sig, "value": {"user": "u", "apiToken": "t", "n": 3.0}}, "f": 1.5}
    assert clean(value) == {"cfg": {"user": "u", "apiToken": "[secret]", "n": 3}, "f": 1.5}
    assert clean([{"Secret": "s"}, "plain"], "mySecretList") == [{"Secret": "[secret]"}, "[secret]"]


def test_a_stack_reference_reads_the_shared_outputs_of_the_offline_default() -> None:
    m = _mocks()
    rid, state = _new(m, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    assert rid == "shared"
    outputs = state.pop("outputs")
    assert state == {"name": "shared"}
    assert outputs == {
        "region": "us-west-2",
        "clusterName": "superset-ci",
        "clusterArn": "arn:aws:ecs:eu-central-1:000000000000:cluster/superset-ci",
        "ecrRepositoryName": "superset-ci",
        "ecrRepositoryUrl": f"{REGISTRY}/superset-ci",
        "permissionsBoundaryArn": "arn:aws:iam::000000000000:policy/showtime-iac-task-boundary",
        "securityGroupId": "sg-placeholder",
        "subnetIds": ["subnet-placeholder-a", "subnet-placeholder-b"],
        "logRetentionDays": 7,
        "domain": "preview.example.org",
        "httpsListenerArn": "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/"
        "placeholder/0/0",
        "albSecurityGroupId": "sg-placeholder-alb",
        "albDnsName": "showtime-iac.us-west-2.elb.amazonaws.com",
        "vpcId": "vpc-placeholder",
        "hostedZoneId": "",
        "loadBalancerShards": {
            "0": {
                "listenerArn": "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/"
                "placeholder/0/0",
                "dnsName": "showtime-iac-7b3a2d58b0.eu-central-1.elb.amazonaws.com",
                "zoneId": "Z1H1FL5HABSF5",
            }
        },
    }
    public = _mocks(None)
    _, state = _new(public, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    assert "domain" not in state["outputs"]
    assert set(state["outputs"]) == {
        "region",
        "clusterName",
        "clusterArn",
        "ecrRepositoryName",
        "ecrRepositoryUrl",
        "permissionsBoundaryArn",
        "securityGroupId",
        "subnetIds",
        "logRetentionDays",
    }


def test_a_shard_other_than_0_gets_its_own_listener_and_load_balancer() -> None:
    shared = SharedConfig.offline_default("preview.example.org")
    from dataclasses import replace

    m = RecordingMocks(REGION, replace(shared, load_balancer_shards=(0, 3)))
    _, state = _new(m, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    shard = state["outputs"]["loadBalancerShards"]["3"]
    assert shard["listenerArn"].startswith(
        "arn:aws:elasticloadbalancing:eu-central-1:000000000000:listener/app/showtime-iac-s3/"
    )
    assert shard["dnsName"].startswith("showtime-iac-s3-")
    assert shard["dnsName"].endswith(".eu-central-1.elb.amazonaws.com")
    assert shard["zoneId"] == "Z1H1FL5HABSF5"


def test_a_task_definitions_containers_env_and_secrets_by_name() -> None:
    import json

    defs = [
        {"name": "sidecar", "environment": [{"name": "A", "value": "side"}]},
        {
            "name": "superset",
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "secrets": [{"name": "K", "valueFrom": "arn:k"}],
        },
    ]
    r = RenderedResource(
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        {"containerDefinitions": json.dumps(defs)},
        {},
    )
    assert r.container_env() == {"A": "1", "B": "2"}
    assert r.container_env("sidecar") == {"A": "side"}
    assert r.container_secrets() == {"K": "arn:k"}
    assert r.container_secrets("sidecar") == {}
    assert r.container_env("missing") == {} and r.container_secrets("missing") == {}
    assert RenderedResource("t", "n", {}, {}).containers() == []


def test_a_shards_listener_arn_has_the_shape_aws_gives_it() -> None:
    """``listener/app/{name}/{16 hex}/{16 hex}``, as ELBv2 names a listener."""
    import re
    from dataclasses import replace

    m = RecordingMocks(REGION, replace(_mocks().shared, load_balancer_shards=(0, 3)))
    _, state = _new(m, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    arn = state["outputs"]["loadBalancerShards"]["3"]["listenerArn"]
    assert re.fullmatch(
        r"arn:aws:elasticloadbalancing:eu-central-1:000000000000:listener/app/showtime-iac-s3/"
        r"[0-9a-f]{16}/[0-9a-f]{16}",
        arn,
    ), arn


def test_shard_0_is_the_listener_the_shared_config_names() -> None:
    from dataclasses import replace

    real = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/mine/1/2"
    m = RecordingMocks(REGION, replace(_mocks().shared, https_listener_arn=real))
    _, state = _new(m, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    assert state["outputs"]["loadBalancerShards"]["0"]["listenerArn"] == real
    assert state["outputs"]["httpsListenerArn"] == real


def test_a_shared_config_without_a_security_group_answers_the_placeholder() -> None:
    from dataclasses import replace

    m = RecordingMocks(REGION, replace(_mocks(None).shared, security_group_id=None))
    _, state = _new(m, "pulumi:pulumi:StackReference", "shared", {"name": "shared"})
    assert state["outputs"]["securityGroupId"] == "sg-placeholder"


def test_a_container_without_an_environment_has_an_empty_one() -> None:
    import json

    defs = [{"name": "superset", "secrets": [{"name": "K", "valueFrom": "arn:k"}]}]
    r = RenderedResource("t", "td", {"containerDefinitions": json.dumps(defs)}, {})
    assert r.container_env() == {}
    assert r.container_secrets() == {"K": "arn:k"}


def test_lookups_without_a_name_answer_with_empty_names() -> None:
    """Pulumi leaves an unset argument out: the answer's name and id are then empty."""
    assert _call("aws:ecr/getRepository:getRepository", {}) == {
        "id": "",
        "name": "",
        "arn": "arn:aws:ecr:eu-central-1:000000000000:repository/",
        "registryId": "000000000000",
        "repositoryUrl": f"{REGISTRY}/",
    }
    assert _call("aws:ecs/getCluster:getCluster", {}) == {
        "id": "",
        "clusterName": "",
        "arn": "arn:aws:ecs:eu-central-1:000000000000:cluster/",
    }


def test_an_images_repo_digest_keeps_a_registry_port_and_drops_only_the_tag() -> None:
    import re

    _, state = _new(
        _mocks(), "docker:index/image:Image", "img", {"imageName": "localhost:5000/repo:tag"}
    )
    assert re.fullmatch(r"localhost:5000/repo@sha256:[0-9a-f]{64}", state["repoDigest"]), state
    assert state["baseImageName"] == "localhost:5000/repo:tag"


def test_an_image_without_a_name_gets_an_empty_one() -> None:
    import re

    _, state = _new(_mocks(), "docker:index/image:Image", "img", {})
    assert re.fullmatch(r"@sha256:[0-9a-f]{64}", state["repoDigest"]), state
    assert state["baseImageName"] == ""


def test_a_certificate_without_a_domain_validates_an_empty_one() -> None:
    import re

    _, state = _new(_mocks(), "aws:acm/certificate:Certificate", "c", {})
    [option] = state["domainValidationOptions"]
    assert option["domainName"] == ""
    assert re.fullmatch(r"_[0-9a-f]{32}\.", option["resourceRecordName"]), option
    assert re.fullmatch(r"_[0-9a-f]{32}\.acm-validations\.aws\.", option["resourceRecordValue"])


def test_listener_and_listener_rule_arns_have_the_shape_elbv2_gives_them() -> None:
    import re

    elb = "arn:aws:elasticloadbalancing:eu-central-1:000000000000:"
    _, listener = _new(_mocks(), "aws:lb/listener:Listener", "https", {"port": 443})
    assert re.fullmatch(
        re.escape(elb) + r"listener/app/mock/[0-9a-f]{16}/[0-9a-f]{16}", listener["arn"]
    ), listener
    _, rule = _new(_mocks(), "aws:lb/listenerRule:ListenerRule", "rule", {"priority": 7})
    assert re.fullmatch(
        re.escape(elb) + r"listener-rule/app/mock/[0-9a-f]{16}/[0-9a-f]{16}/[0-9a-f]{16}",
        rule["arn"],
    ), rule


def test_a_records_fqdn_is_its_name_without_only_the_trailing_dot() -> None:
    typ = "aws:route53/record:Record"
    _, state = _new(_mocks(), typ, "rec", {"name": "PR-42.PREVIEW.EXAMPLE.MX."})
    assert state["fqdn"] == "PR-42.PREVIEW.EXAMPLE.MX"
    _, nameless = _new(_mocks(), typ, "rec", {})
    assert nameless["fqdn"] == ""


def test_a_certificate_validation_without_a_certificate_answers_an_empty_arn() -> None:
    typ = "aws:acm/certificateValidation:CertificateValidation"
    _, state = _new(_mocks(), typ, "cv", {})
    assert state == {"certificateArn": "", "arn": "arn:aws:mock:eu-central-1:000000000000:cv"}
