#!/usr/bin/env python3
"""Writes the recorded AdmissionReviews the benchmarks and tests/load/run.sh replay.

They are shaped like what kube-apiserver sends a validating webhook: a ReplicaSet-created Pod
(generateName, no uid or creationTimestamp yet, managedFields from kube-controller-manager, the
projected service-account volume the ServiceAccount admission plugin adds), and for UPDATE a running
Pod (status, containerStatuses) relabelled with kubectl, with oldObject. Every image passes the
bench policies in ../Policies, which is the hot path: most admissions are allowed.
Run: python3 generate.py   (rewrites the *.json beside it)
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DIGEST = "sha256:" + "5c3d1b0f7e9a2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d"

CONTAINERS = [
    ("web", "dhi.io/nginx:1.25", 8080),
    ("app", "dhi.io/python:3.12", 8000),
    ("api", "registry.example.com/team-a/api:2.0-hardened", 9090),
    ("frontend", "dhi.io/node:22", 3000),
    ("cache", "dhi.io/redis:7.4", 6379),
    ("proxy", "dhi.io/envoy:1.32@" + DIGEST, 9901),
]
INIT = [
    ("setup", "dhi.io/busybox:1.37"),
    ("migrate", "registry.example.com/team-a/migrate:2.0-hardened"),
]


def container(name, image, port):
    return {
        "name": name,
        "image": image,
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
        ],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "volumeMounts": [
            {"name": "config", "readOnly": True, "mountPath": "/etc/" + name},
            {"name": "kube-api-access-7xk2p", "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"},
        ],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"}, "initialDelaySeconds": 5,
                          "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": port, "scheme": "HTTP"}, "timeoutSeconds": 1,
                           "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {"capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                            "allowPrivilegeEscalation": False},
    }


def init_container(name, image):
    c = container(name, image, 0)
    for key in ("ports", "livenessProbe", "readinessProbe"):
        del c[key]
    c["command"] = ["/bin/sh", "-c", "echo preparing " + name]
    return c


def container_fields(c):
    fields = {".": {}, "f:env": {".": {}}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources":
              {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
              "f:securityContext": {".": {}, "f:allowPrivilegeEscalation": {}, "f:capabilities": {".": {}, "f:drop": {}},
                                    "f:readOnlyRootFilesystem": {}, "f:runAsNonRoot": {}},
              "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}, "f:volumeMounts": {".": {}}}
    for e in c["env"]:
        fields["f:env"]['k:{"name":"%s"}' % e["name"]] = {".": {}, "f:name": {}, ("f:value" if "value" in e else "f:valueFrom"): {}}
    for m in c["volumeMounts"]:
        if m["name"] != "kube-api-access-7xk2p":
            fields["f:volumeMounts"]['k:{"mountPath":"%s"}' % m["mountPath"]] = {".": {}, "f:mountPath": {}, "f:name": {}, "f:readOnly": {}}
    if "ports" in c:
        fields["f:ports"] = {".": {}, 'k:{"containerPort":%d,"protocol":"TCP"}' % c["ports"][0]["containerPort"]:
                             {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}}
        for probe in ("f:livenessProbe", "f:readinessProbe"):
            fields[probe] = {".": {}, "f:failureThreshold": {}, "f:httpGet": {".": {}, "f:path": {}, "f:port": {}, "f:scheme": {}},
                             "f:periodSeconds": {}, "f:successThreshold": {}, "f:timeoutSeconds": {}}
    else:
        fields["f:command"] = {}
    return fields


def pod(app, containers, init):
    spec_containers = [container(n, i, p) for n, i, p in containers]
    spec_init = [init_container(n, i) for n, i in init]
    spec_fields = {"f:containers": {'k:{"name":"%s"}' % c["name"]: container_fields(c) for c in spec_containers},
                   "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                   "f:securityContext": {".": {}, "f:fsGroup": {}, "f:runAsNonRoot": {}, "f:seccompProfile": {".": {}, "f:type": {}}},
                   "f:serviceAccount": {}, "f:serviceAccountName": {}, "f:terminationGracePeriodSeconds": {},
                   "f:volumes": {".": {}, 'k:{"name":"config"}': {".": {}, "f:configMap": {".": {}, "f:defaultMode": {}, "f:name": {}}, "f:name": {}}}}
    if spec_init:
        spec_fields["f:initContainers"] = {'k:{"name":"%s"}' % c["name"]: container_fields(c) for c in spec_init}
    hash_ = "7d9c6b8f5"
    obj = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "generateName": "%s-%s-" % (app, hash_),
            "namespace": "prod",
            "creationTimestamp": None,
            "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop", "pod-template-hash": hash_},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-25T09:14:03Z", "prometheus.io/scrape": "true"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "%s-%s" % (app, hash_),
                                 "uid": "0b7e4f3a-6f0e-4c1d-9a55-3f2f8f7c1e20", "controller": True, "blockOwnerDeletion": True}],
            "managedFields": [{
                "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2026-11-26T10:02:11Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/restartedAt": {}, "f:prometheus.io/scrape": {}},
                                            "f:generateName": {}, "f:labels": {".": {}, "f:app.kubernetes.io/name": {}, "f:app.kubernetes.io/part-of": {}, "f:pod-template-hash": {}},
                                            "f:ownerReferences": {".": {}, 'k:{"uid":"0b7e4f3a-6f0e-4c1d-9a55-3f2f8f7c1e20"}': {}}},
                             "f:spec": spec_fields},
            }],
        },
        "spec": {
            "volumes": [
                {"name": "config", "configMap": {"name": app + "-config", "defaultMode": 420}},
                {"name": "kube-api-access-7xk2p", "projected": {"sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ], "defaultMode": 420}},
            ],
            "containers": spec_containers,
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": app,
            "serviceAccount": app,
            "securityContext": {"runAsNonRoot": True, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {"phase": "Pending", "qosClass": "Burstable"},
    }
    if spec_init:
        obj["spec"]["initContainers"] = spec_init
    return obj


def running(obj, name):
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    meta["name"] = name
    meta["uid"] = "9e2b6c1d-3f4a-4b5c-8d7e-1f2a3b4c5d6e"
    meta["resourceVersion"] = "48213907"
    meta["creationTimestamp"] = "2026-11-26T10:02:11Z"
    obj["spec"]["nodeName"] = "worker-3"
    statuses = [{"name": c["name"], "state": {"running": {"startedAt": "2026-11-26T10:02:19Z"}}, "lastState": {},
                 "ready": True, "restartCount": 0, "image": c["image"],
                 "imageID": c["image"].split("@")[0].split(":")[0] + "@" + DIGEST,
                 "containerID": "containerd://" + "4f" * 32, "started": True}
                for c in obj["spec"]["containers"]]
    init = [{"name": c["name"], "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2026-11-26T10:02:13Z",
                                                            "finishedAt": "2026-11-26T10:02:14Z", "containerID": "containerd://" + "3e" * 32}},
             "lastState": {}, "ready": True, "restartCount": 0, "image": c["image"],
             "imageID": c["image"].split(":")[0] + "@" + DIGEST, "containerID": "containerd://" + "3e" * 32, "started": False}
            for c in obj["spec"].get("initContainers", [])]
    obj["status"] = {
        "phase": "Running",
        "conditions": [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": "2026-11-26T10:02:20Z"}
                       for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")],
        "hostIP": "10.0.3.17", "hostIPs": [{"ip": "10.0.3.17"}], "podIP": "10.244.3.41", "podIPs": [{"ip": "10.244.3.41"}],
        "startTime": "2026-11-26T10:02:11Z", "initContainerStatuses": init, "containerStatuses": statuses, "qosClass": "Burstable",
    }
    meta["managedFields"].append({"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2026-11-26T10:02:20Z",
                                  "fieldsType": "FieldsV1", "subresource": "status",
                                  "fieldsV1": {"f:status": {"f:conditions": {".": {}}, "f:containerStatuses": {}, "f:hostIP": {},
                                                            "f:phase": {}, "f:podIP": {}, "f:startTime": {}}}})
    return obj


CONTROLLER = {"username": "system:serviceaccount:kube-system:replicaset-controller", "uid": "5d1e0c7b-1a3e-4f6e-9b2d-0c8f5a4e3d21",
              "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}
ADMIN = {"username": "kubernetes-admin", "groups": ["kubeadm:cluster-admins", "system:authenticated"]}


def review(uid, op, obj, old=None, name=None, user=CONTROLLER):
    group, _, version = obj["apiVersion"].rpartition("/")
    gvk = {"group": group, "version": version, "kind": obj["kind"]}
    gvr = {"group": group, "version": version, "resource": obj["kind"].lower() + "s"}
    request = {"uid": uid, "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr}
    if name:
        request["name"] = name
    request.update({"namespace": "prod", "operation": op, "userInfo": user, "object": obj, "oldObject": old, "dryRun": False,
                    "options": {"kind": "CreateOptions" if op == "CREATE" else "UpdateOptions", "apiVersion": "meta.k8s.io/v1"}})
    return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": request}


def applied_deployment(app, containers):
    """A Deployment as `kubectl apply` (client-side) creates it: its whole configuration once more, as a JSON
    string, in the last-applied-configuration annotation; webhooks receive it on every CREATE and UPDATE."""
    spec = pod(app, containers, [])["spec"]
    spec["volumes"] = [v for v in spec["volumes"] if "projected" not in v]
    for c in spec["containers"]:
        c["volumeMounts"] = [m for m in c["volumeMounts"] if "serviceaccount" not in m["mountPath"]]
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop"}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": app, "namespace": "prod", "labels": labels},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}
    obj = copy.deepcopy(body)
    obj["metadata"].update({
        "generation": 1, "creationTimestamp": None,
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(body, separators=(",", ":")) + "\n"},
        "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
                           "time": "2026-11-26T10:01:55Z", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
                                                       "f:labels": {".": {}, "f:app.kubernetes.io/name": {}, "f:app.kubernetes.io/part-of": {}}},
                                        "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {}}, "f:spec": {}}}}}]})
    obj["spec"].update({"progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
                        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}})
    obj["status"] = {}
    return obj


def write(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


write("pod-1-create.json", review("705ab4f5-6393-11e8-b7cc-42010a800001", "CREATE", pod("web", CONTAINERS[:1], [])))
write("pod-3-create.json", review("705ab4f5-6393-11e8-b7cc-42010a800003", "CREATE", pod("shop", CONTAINERS[:3], [])))
eight = pod("platform", CONTAINERS, INIT)
write("pod-8-create.json", review("705ab4f5-6393-11e8-b7cc-42010a800008", "CREATE", eight))
old = running(eight, "platform-7d9c6b8f5-x2k4q")
new = copy.deepcopy(old)
new["metadata"]["labels"]["tier"] = "gold"
new["metadata"]["resourceVersion"] = "48213907"
new["metadata"]["managedFields"].append({"manager": "kubectl-label", "operation": "Update", "apiVersion": "v1", "time": "2026-11-26T11:40:02Z",
                                         "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:tier": {}}}}})
write("pod-8-update.json", review("705ab4f5-6393-11e8-b7cc-42010a800018", "UPDATE", new, old, name=old["metadata"]["name"], user=ADMIN))
write("deployment-3-apply.json", review("705ab4f5-6393-11e8-b7cc-42010a800103", "CREATE", applied_deployment("shop", CONTAINERS[:3]), user=ADMIN))
