"""Policy tests over the parsed CloudFormation template (no AWS, no network).

Each check_* function returns a list of violations (strings). PolicyTest asserts that the
template has none; MutationTest breaks a copy of the template one way at a time and asserts that
the matching check notices, so the checks are shown to be able to fail.

Run: python3 -m unittest discover -s cloudformation/test -p 'policy_test.py' -v
Another template: CFN_TEMPLATE=path/to/broken.yaml python3 -m unittest ...
"""
import copy
import os
import re
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.environ.get("CFN_TEMPLATE", os.path.join(HERE, "..", "ecs-stack.yaml"))


# ---------------------------------------------------------------- parsing
class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (!Ref x) into their long form ({"Ref": x})."""


def _short_tag(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else "Fn::" + tag_suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":  # !GetAtt A.B -> ["A", "B"]
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _short_tag)


def load(path=TEMPLATE):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


# ---------------------------------------------------------------- helpers
def resources(t, rtype=None):
    for name, r in (t.get("Resources") or {}).items():
        if rtype is None or r.get("Type") == rtype:
            yield name, r


def props(r):
    return r.get("Properties") or {}


def branches(value):
    """Every concrete value a property may take: both sides of Fn::If, AWS::NoValue dropped."""
    if isinstance(value, dict) and "Fn::If" in value:
        out = []
        for v in value["Fn::If"][1:]:
            out.extend(branches(v))
        return out
    if isinstance(value, dict) and value.get("Ref") == "AWS::NoValue":
        return []
    return [value]


def items(value):
    """The elements of a list property, each Fn::If element expanded to its branches."""
    out = []
    for v in branches(value):
        if isinstance(v, list):
            for e in v:
                out.extend(branches(e))
        elif v is not None:
            out.append(v)
    return out


def ref_name(value):
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None


def is_true(value):
    return all(v is True or v == "true" for v in branches(value)) and bool(branches(value))


def param_min(t, value):
    """A literal number, or the MinValue of the parameter it refers to."""
    name = ref_name(value)
    if name and name in (t.get("Parameters") or {}):
        p = t["Parameters"][name]
        return p.get("MinValue", min((int(v) for v in p.get("AllowedValues", [])), default=None))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def strings(value):
    """Every string anywhere inside a value (for looking into !Sub and friends)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


WORLD = {"0.0.0.0/0", "::/0"}
SECRET_NAME = re.compile(r"pass(word)?|secret|token|api_?key|admin_?key|credential", re.I)


# ---------------------------------------------------------------- checks
def check_rds_private_encrypted_protected(t):
    v = []
    dbs = list(resources(t, "AWS::RDS::DBInstance")) + list(resources(t, "AWS::RDS::DBCluster"))
    if not dbs:
        v.append("no RDS database in the template")
    for name, r in dbs:
        p = props(r)
        if r["Type"] == "AWS::RDS::DBInstance" and "PubliclyAccessible" not in p:
            v.append(f"{name}: PubliclyAccessible not set (defaults may make it public)")
        if any(x is True or x == "true" for x in branches(p.get("PubliclyAccessible", False))):
            v.append(f"{name}: PubliclyAccessible may be true")
        if not is_true(p.get("StorageEncrypted")):
            v.append(f"{name}: StorageEncrypted is not true")
        if not is_true(p.get("DeletionProtection")):
            v.append(f"{name}: DeletionProtection is not true")
        if r.get("DeletionPolicy") not in ("Snapshot", "Retain"):
            v.append(f"{name}: DeletionPolicy is not Snapshot or Retain")
        if r.get("UpdateReplacePolicy") not in ("Snapshot", "Retain"):
            v.append(f"{name}: UpdateReplacePolicy is not Snapshot or Retain")
        backups = param_min(t, p.get("BackupRetentionPeriod"))
        if backups is None or int(backups) < 1:
            v.append(f"{name}: BackupRetentionPeriod may be 0 (backups off)")
        if p.get("Engine") != "postgres" or not str(
                t.get("Parameters", {}).get(ref_name(p.get("EngineVersion")) or "", {}).get("Default", p.get("EngineVersion"))
        ).startswith("17"):
            v.append(f"{name}: not PostgreSQL 17")
        if not isinstance(p.get("MultiAZ"), dict):
            v.append(f"{name}: MultiAZ is not a parameter")
        sgs = [ref_name(s) for s in items(p.get("VPCSecurityGroups"))]
        for sg in sgs:
            for rule in _ingress_rules(t, sg):
                if rule.get("CidrIp") or rule.get("CidrIpv6"):
                    v.append(f"{name}: security group {sg} admits an address range, not only the service")
                elif ref_name(rule.get("SourceSecurityGroupId")) not in _service_sgs(t):
                    v.append(f"{name}: security group {sg} admits {rule.get('SourceSecurityGroupId')}, not the service")
    return v


def _ingress_rules(t, sg_name):
    r = (t.get("Resources") or {}).get(sg_name) or {}
    rules = items(props(r).get("SecurityGroupIngress"))
    for _, ing in resources(t, "AWS::EC2::SecurityGroupIngress"):
        if ref_name(props(ing).get("GroupId")) == sg_name:
            rules.append(props(ing))
    return rules


def _service_sgs(t):
    out = set()
    for _, s in resources(t, "AWS::ECS::Service"):
        cfg = (props(s).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration") or {}
        out.update(ref_name(x) for x in items(cfg.get("SecurityGroups")))
    return out


def check_no_world_open_security_group_but_alb_listeners(t):
    v = []
    alb_sgs, listener_ports = set(), set()
    for _, lb in resources(t, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        alb_sgs.update(ref_name(x) for x in items(props(lb).get("SecurityGroups")))
    for _, ls in resources(t, "AWS::ElasticLoadBalancingV2::Listener"):
        listener_ports.add(int(props(ls)["Port"]))
    rules = []
    for name, sg in resources(t, "AWS::EC2::SecurityGroup"):
        rules += [(name, rule) for rule in items(props(sg).get("SecurityGroupIngress"))]
    for name, ing in resources(t, "AWS::EC2::SecurityGroupIngress"):
        rules.append((ref_name(props(ing).get("GroupId")) or name, props(ing)))
    for sg, rule in rules:
        if rule.get("CidrIp") not in WORLD and rule.get("CidrIpv6") not in WORLD:
            continue
        if sg not in alb_sgs:
            v.append(f"{sg}: open to the world but is not the ALB's security group")
            continue
        if str(rule.get("IpProtocol")) in ("-1", "all"):
            v.append(f"{sg}: open to the world on every protocol")
            continue
        lo, hi = int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1))
        if lo != hi or lo not in listener_ports:
            v.append(f"{sg}: open to the world on {lo}-{hi}, not a listener port {sorted(listener_ports)}")
    return v


def _public_subnets(t):
    igw_tables = set()
    for _, route in resources(t, "AWS::EC2::Route"):
        if "GatewayId" in props(route):
            igw_tables.add(ref_name(props(route)["RouteTableId"]))
    public = set()
    for _, assoc in resources(t, "AWS::EC2::SubnetRouteTableAssociation"):
        if ref_name(props(assoc)["RouteTableId"]) in igw_tables:
            public.add(ref_name(props(assoc)["SubnetId"]))
    for name, subnet in resources(t, "AWS::EC2::Subnet"):
        if any(x is True or x == "true" for x in branches(props(subnet).get("MapPublicIpOnLaunch", False))):
            public.add(name)
    return public


def check_tasks_private_without_public_ip(t):
    v = []
    public = _public_subnets(t)
    services = list(resources(t, "AWS::ECS::Service"))
    if not services:
        v.append("no ECS service in the template")
    for name, s in services:
        cfg = (props(s).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration") or {}
        if any(x != "DISABLED" for x in branches(cfg.get("AssignPublicIp", "DISABLED"))):
            v.append(f"{name}: AssignPublicIp is not DISABLED")
        subnets = [ref_name(x) for x in items(cfg.get("Subnets"))]
        if not subnets:
            v.append(f"{name}: no subnets given")
        for sn in subnets:
            if sn in public:
                v.append(f"{name}: runs tasks in public subnet {sn}")
    dbs = [props(r) for _, r in resources(t, "AWS::RDS::DBSubnetGroup")]
    for p in dbs:
        for sn in (ref_name(x) for x in items(p.get("SubnetIds"))):
            if sn in public:
                v.append(f"DB subnet group uses public subnet {sn}")
    return v


def check_secrets_not_plain(t):
    v = []
    for name, p in (t.get("Parameters") or {}).items():
        if SECRET_NAME.search(name) and not name.endswith("Arn"):
            v.append(f"parameter {name} looks like a secret passed as a plain parameter")
        if p.get("NoEcho"):
            v.append(f"parameter {name} is NoEcho: a secret passed in, not generated in Secrets Manager")
    secret_resources = {n for n, _ in resources(t, "AWS::SecretsManager::Secret")}
    for name, td in resources(t, "AWS::ECS::TaskDefinition"):
        for c in items(props(td).get("ContainerDefinitions")):
            for env in items(c.get("Environment")):
                if SECRET_NAME.search(str(env.get("Name"))):
                    v.append(f"{name}/{c.get('Name')}: {env.get('Name')} is a plain environment value")
            for sec in items(c.get("Secrets")):
                for val in branches(sec.get("ValueFrom")):
                    refs = set(re.findall(r"\$\{([A-Za-z0-9]+)", " ".join(strings(val)))) | {ref_name(val)}
                    if not refs & secret_resources:
                        v.append(f"{name}/{c.get('Name')}: {sec.get('Name')} comes from {val}, not a secret of this stack")
    for name, r in resources(t):
        for key in ("MasterUserPassword", "Password"):
            val = props(r).get(key)
            if val is not None and not any("{{resolve:secretsmanager:" in s for s in strings(val)):
                v.append(f"{name}: {key} is not a Secrets Manager dynamic reference")
    service_envs = [s for _, td in resources(t, "AWS::ECS::TaskDefinition")
                    for c in items(props(td).get("ContainerDefinitions")) if c.get("Name") == "inventory"
                    for s in items(c.get("Secrets"))]
    need = {"INVENTORY_DB_USER", "INVENTORY_DB_PASSWORD", "INVENTORY_DB_MIGRATION_USER",
            "INVENTORY_DB_MIGRATION_PASSWORD", "INVENTORY_ADMIN_KEY"}
    missing = need - {s.get("Name") for s in service_envs}
    if missing:
        v.append(f"inventory container: {sorted(missing)} not injected as Secrets")
    return v


def check_log_retention(t):
    v = []
    groups = list(resources(t, "AWS::Logs::LogGroup"))
    if not groups:
        v.append("no log group in the template")
    for name, g in groups:
        if "RetentionInDays" not in props(g):
            v.append(f"{name}: no RetentionInDays (kept forever)")
    for name, r in list(resources(t, "AWS::RDS::DBInstance")) + list(resources(t, "AWS::RDS::DBCluster")):
        if items(props(r).get("EnableCloudwatchLogsExports")):
            v.append(f"{name}: log exports make a log group RDS creates without retention")
    for name, td in resources(t, "AWS::ECS::TaskDefinition"):
        for c in items(props(td).get("ContainerDefinitions")):
            opts = (c.get("LogConfiguration") or {}).get("Options") or {}
            group = opts.get("awslogs-group")
            if group is not None and ref_name(group) not in dict(groups):
                v.append(f"{name}/{c.get('Name')}: logs to a group this stack does not own (no retention)")
    return v


def check_iam_least_privilege(t):
    v = []
    log_groups = {n for n, _ in resources(t, "AWS::Logs::LogGroup")}
    secrets = {n for n, _ in resources(t, "AWS::SecretsManager::Secret")}
    for name, role in resources(t, "AWS::IAM::Role"):
        if props(role).get("ManagedPolicyArns"):
            v.append(f"{name}: managed policies attached (broader than needed)")
        for pol in items(props(role).get("Policies")):
            for st in items(pol["PolicyDocument"].get("Statement")):
                actions = [a for a in items(st.get("Action"))]
                res = [r for r in items(st.get("Resource"))]
                if st.get("Effect") != "Allow":
                    continue
                if any("*" == a or a.endswith(":*") for a in actions):
                    v.append(f"{name}: wildcard action {actions}")
                if "*" in res and actions != ["ecr:GetAuthorizationToken"]:
                    v.append(f"{name}: {actions} on every resource")
                for a in actions:
                    if a.startswith("logs:"):
                        named = set()
                        for r in res:
                            named |= set(re.findall(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}", " ".join(strings(r))))
                        if not named or not named <= log_groups:
                            v.append(f"{name}: {a} not limited to the stack's log groups")
                    if a.startswith("secretsmanager:"):
                        if {ref_name(r) for r in res} - secrets:
                            v.append(f"{name}: {a} not limited to the stack's secrets")
    # The task role: writing its own log group and nothing else.
    for _, td in resources(t, "AWS::ECS::TaskDefinition"):
        role = ref_name(props(td).get("TaskRoleArn"))
        if role:
            acts = {a for pol in items(props(t["Resources"][role]).get("Policies"))
                    for st in items(pol["PolicyDocument"]["Statement"]) for a in items(st["Action"])}
            if acts != {"logs:CreateLogStream", "logs:PutLogEvents"}:
                v.append(f"{role}: task role may do {sorted(acts)}, not only write its log group")
    return v


def check_service_deploys_safely(t):
    v = []
    for name, s in resources(t, "AWS::ECS::Service"):
        cb = (props(s).get("DeploymentConfiguration") or {}).get("DeploymentCircuitBreaker") or {}
        if not (is_true(cb.get("Enable")) and is_true(cb.get("Rollback"))):
            v.append(f"{name}: deployment circuit breaker with rollback is not on")
    tgs = list(resources(t, "AWS::ElasticLoadBalancingV2::TargetGroup"))
    for name, tg in tgs:
        if props(tg).get("HealthCheckPath") != "/health/ready":
            v.append(f"{name}: health check is not /health/ready")
    return v


def check_alarms(t):
    v = []
    alarms = [props(a) for _, a in resources(t, "AWS::CloudWatch::Alarm")]
    seen = set()
    for a in alarms:
        names = [a.get("MetricName")] + [m.get("MetricStat", {}).get("Metric", {}).get("MetricName")
                                        for m in items(a.get("Metrics"))]
        seen.update(n for n in names if n)
        if not items(a.get("AlarmActions")):
            v.append(f"alarm {a.get('AlarmName')}: no AlarmActions")
    for metric in ("Errors5xx", "LatencyP99Ms", "UnHealthyHostCount", "CPUUtilization",
                   "DatabaseConnections", "FreeStorageSpace", "PoolTimeouts", "LogLinesDropped"):
        if metric not in seen:
            v.append(f"no alarm on {metric}")
    if not list(resources(t, "AWS::SNS::Topic")):
        v.append("no SNS topic for the alarms")
    if not list(resources(t, "AWS::CloudWatch::Dashboard")):
        v.append("no dashboard")
    return v


def check_service_ships_json_logs_to_its_group(t):
    v = []
    for name, td in resources(t, "AWS::ECS::TaskDefinition"):
        for c in items(props(td).get("ContainerDefinitions")):
            if c.get("Name") != "inventory":
                continue
            env = {e.get("Name"): e.get("Value") for e in items(c.get("Environment"))}
            if env.get("INVENTORY_LOG_FORMAT") != "json":
                v.append(f"{name}: INVENTORY_LOG_FORMAT is not json (no EMF metrics, the alarms see nothing)")
            group = ref_name(env.get("INVENTORY_CLOUDWATCH_LOG_GROUP"))
            if (t.get("Resources") or {}).get(group, {}).get("Type") != "AWS::Logs::LogGroup":
                v.append(f"{name}: INVENTORY_CLOUDWATCH_LOG_GROUP is not a log group of this stack")
            if "LogConfiguration" in c:
                v.append(f"{name}: a log driver as well would deliver every EMF line twice")
            role = ref_name(props(td).get("TaskRoleArn"))
            named = {m for pol in items(props(t["Resources"].get(role, {})).get("Policies"))
                     for st in items(pol["PolicyDocument"]["Statement"]) for r in items(st.get("Resource"))
                     for m in re.findall(r"\$\{([A-Za-z0-9]+)\}", " ".join(strings(r)))}
            if group not in named:
                v.append(f"{name}: the task role may not write {group}")
    return v


CHECKS = [check_rds_private_encrypted_protected, check_no_world_open_security_group_but_alb_listeners,
          check_tasks_private_without_public_ip, check_secrets_not_plain, check_log_retention,
          check_iam_least_privilege, check_service_deploys_safely, check_alarms,
          check_service_ships_json_logs_to_its_group]


class PolicyTest(unittest.TestCase):
    def setUp(self):
        self.t = load()

    def _ok(self, check):
        self.assertEqual([], check(self.t), f"{check.__name__} on {TEMPLATE}")

    def test_rds_not_public_encrypted_deletion_protected_backups_on(self):
        self._ok(check_rds_private_encrypted_protected)

    def test_no_security_group_open_to_world_but_alb_listener_ports(self):
        self._ok(check_no_world_open_security_group_but_alb_listeners)

    def test_tasks_in_private_subnets_without_public_ip(self):
        self._ok(check_tasks_private_without_public_ip)

    def test_secrets_not_plain_parameters_or_environment(self):
        self._ok(check_secrets_not_plain)

    def test_log_groups_have_retention(self):
        self._ok(check_log_retention)

    def test_iam_roles_least_privilege(self):
        self._ok(check_iam_least_privilege)

    def test_service_circuit_breaker_and_ready_health_check(self):
        self._ok(check_service_deploys_safely)

    def test_alarms_topic_dashboard(self):
        self._ok(check_alarms)

    def test_service_ships_json_logs_to_its_own_group(self):
        self._ok(check_service_ships_json_logs_to_its_group)


# ---------------------------------------------------------------- the checks can fail
def _mutations():
    R = "Resources"

    def db(t):
        return next(props(r) for _, r in resources(t, "AWS::RDS::DBInstance"))

    def container(t):
        return next(c for _, td in resources(t, "AWS::ECS::TaskDefinition")
                    for c in items(props(td)["ContainerDefinitions"]) if c["Name"] == "inventory")

    def service_cfg(t):
        return next(props(s) for _, s in resources(t, "AWS::ECS::Service"))["NetworkConfiguration"]["AwsvpcConfiguration"]

    return {
        "public database": (check_rds_private_encrypted_protected,
                            lambda t: db(t).__setitem__("PubliclyAccessible", True)),
        "unencrypted database": (check_rds_private_encrypted_protected,
                                 lambda t: db(t).__setitem__("StorageEncrypted", False)),
        "no deletion protection": (check_rds_private_encrypted_protected,
                                   lambda t: db(t).pop("DeletionProtection", None)),
        "backups off": (check_rds_private_encrypted_protected,
                        lambda t: db(t).__setitem__("BackupRetentionPeriod", 0)),
        "database open to a CIDR": (check_rds_private_encrypted_protected,
                                    lambda t: props(t[R]["DbSecurityGroup"])["SecurityGroupIngress"].append(
                                        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.0.0.0/8"})),
        "service open to the world": (check_no_world_open_security_group_but_alb_listeners,
                                      lambda t: props(t[R]["ServiceSecurityGroup"])["SecurityGroupIngress"].append(
                                          {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"})),
        "ALB open on SSH": (check_no_world_open_security_group_but_alb_listeners,
                            lambda t: t[R].__setitem__("Ssh", {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                                "GroupId": {"Ref": "AlbSecurityGroup"}, "IpProtocol": "tcp", "FromPort": 22,
                                "ToPort": 22, "CidrIpv6": "::/0"}})),
        "public IP on tasks": (check_tasks_private_without_public_ip,
                               lambda t: service_cfg(t).__setitem__("AssignPublicIp", "ENABLED")),
        "tasks in a public subnet": (check_tasks_private_without_public_ip,
                                     lambda t: service_cfg(t)["Subnets"].append({"Ref": "PublicSubnetA"})),
        "password parameter": (check_secrets_not_plain,
                               lambda t: t["Parameters"].__setitem__("DbPassword", {"Type": "String", "NoEcho": True})),
        "password in environment": (check_secrets_not_plain,
                                    lambda t: container(t)["Environment"].append(
                                        {"Name": "INVENTORY_DB_PASSWORD", "Value": "hunter2"})),
        "literal master password": (check_secrets_not_plain,
                                    lambda t: db(t).__setitem__("MasterUserPassword", "hunter2hunter2")),
        "RDS log export": (check_log_retention,
                           lambda t: db(t).__setitem__("EnableCloudwatchLogsExports", ["postgresql"])),
        "log group kept forever": (check_log_retention,
                                   lambda t: props(t[R]["LogGroup"]).pop("RetentionInDays", None)),
        "task role may read every secret": (check_iam_least_privilege,
                                            lambda t: props(t[R]["TaskRole"])["Policies"][0]["PolicyDocument"]["Statement"].append(
                                                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})),
        "no circuit breaker": (check_service_deploys_safely,
                               lambda t: next(props(s) for _, s in resources(t, "AWS::ECS::Service"))[
                                   "DeploymentConfiguration"].pop("DeploymentCircuitBreaker")),
        "no pool timeouts alarm": (check_alarms, lambda t: t[R].pop("PoolTimeoutsAlarm")),
        "text logs": (check_service_ships_json_logs_to_its_group,
                      lambda t: [e.__setitem__("Value", "text") for e in container(t)["Environment"]
                                 if e["Name"] == "INVENTORY_LOG_FORMAT"]),
        "awslogs driver too": (check_service_ships_json_logs_to_its_group,
                               lambda t: container(t).__setitem__("LogConfiguration", {"LogDriver": "awslogs"})),
        "task role writes another group": (check_service_ships_json_logs_to_its_group,
                                           lambda t: props(t[R]["TaskRole"])["Policies"][0]["PolicyDocument"][
                                               "Statement"][0].__setitem__("Resource", [{"Fn::Sub": "${DbSetupLogGroup.Arn}"}])),
    }


class MutationTest(unittest.TestCase):
    def test_each_check_fails_on_a_broken_template(self):
        original = load()
        for label, (check, breakit) in _mutations().items():
            with self.subTest(label):
                t = copy.deepcopy(original)
                breakit(t)
                self.assertNotEqual([], check(t), f"{check.__name__} did not notice: {label}")


if __name__ == "__main__":
    unittest.main()
