"""Write a synthetic corpus of the shared corpus's shape, for a benchmark from the repository alone.

Why: `make bench` measures the shared corpus (../shared/corpus, about 600 real files of
public projects), which a clone of this repository does not have. This script writes a
stand-in with the same mix, deterministic for a given --seed: about 60% Kubernetes YAML
(multi-document files of Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, Pods,
Services, ConfigMaps, RBAC, Ingresses; containers with and without security contexts,
probes, resources, host paths, privileged flags...) and 40% Dockerfiles (single and
multi-stage, apt/apk/yum/dnf/pip/npm/curl|sh RUNs with and without the flags the checks
look for, USER, HEALTHCHECK, ADD/COPY, EXPOSE, ARG-built FROMs). Its findings exercise
every family of checks, but its numbers are not the real corpus's: RESULTS.md names the
corpus each run used.

    bench/.venv/bin/python bench/make_corpus.py [--files 600] [--seed 11] [--out bench/work/synthetic-corpus]
    bench/.venv/bin/python bench/run.py --corpus bench/work/synthetic-corpus
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "work" / "synthetic-corpus"

IMAGES = ["nginx", "nginx:1.25", "redis:7.2-alpine", "postgres:16", "busybox", "gcr.io/proj/app:v1.4.2",
          "quay.io/org/worker@sha256:" + "a" * 64, "docker.io/library/python:3.12-slim", "myregistry:5000/api",
          "alpine:3.19", "ubuntu:latest", "node:20"]
BASES = ["ubuntu:22.04", "debian:bookworm-slim", "alpine:3.19", "alpine", "python:3.12", "golang:1.22 AS build",
         "node:20-alpine", "centos:7", "fedora:39", "${BASE}:${TAG}", "scratch", "gcr.io/distroless/static"]


def _container(rng: random.Random, n: int) -> list[str]:
    """One container, as lines indented for a list item at column 0."""
    lines = [f"- name: c{n}", f"  image: {rng.choice(IMAGES)}"]
    if rng.random() < 0.4:
        lines.append("  imagePullPolicy: " + rng.choice(["Always", "IfNotPresent"]))
    if rng.random() < 0.5:
        lines += ["  ports:", f"  - containerPort: {rng.choice([80, 443, 8080, 6379, 22])}"]
        if rng.random() < 0.2:
            lines.append(f"    hostPort: {rng.choice([80, 8080])}")
    if rng.random() < 0.5:
        lines += ["  env:", "  - name: MODE", "    value: production"]
        if rng.random() < 0.3:
            lines += ["  - name: DB_PASSWORD", "    value: hunter2"]
    if rng.random() < 0.6:
        lines += ["  resources:", "    requests:", "      cpu: 100m", "      memory: 64Mi"]
        if rng.random() < 0.6:
            lines += ["    limits:", "      cpu: 500m", "      memory: 256Mi"]
    if rng.random() < 0.4:
        lines += ["  livenessProbe:", "    httpGet:", "      path: /healthz", "      port: 8080"]
    if rng.random() < 0.3:
        lines += ["  readinessProbe:", "    tcpSocket:", "      port: 8080"]
    if rng.random() < 0.55:
        options = [
            ["runAsNonRoot: true"], ["runAsUser: " + rng.choice(["0", "1000", "10001"])],
            ["allowPrivilegeEscalation: " + rng.choice(["false", "true"])],
            ["readOnlyRootFilesystem: " + rng.choice(["true", "false"])],
            ["privileged: " + rng.choice(["false", "false", "true"])],
            ["capabilities:", "  drop:", "  - ALL"] if rng.random() < 0.7
            else ["capabilities:", "  add:", "  - NET_ADMIN", "  - SYS_ADMIN"],
            ["seccompProfile:", "  type: RuntimeDefault"],
        ]
        lines.append("  securityContext:")
        for option in rng.sample(options, rng.randint(1, 5)):
            lines += ["    " + ln for ln in option]
    if rng.random() < 0.3:
        lines += ["  volumeMounts:", "  - name: data", "    mountPath: /data"]
    if rng.random() < 0.3:
        lines += ['  command: ["sh", "-c"]', '  args: ["exec /app --port 8080"]']
    return lines


def _pod_spec(rng: random.Random, indent: str) -> str:
    """A pod spec's fields, each line prefixed with indent."""
    lines: list[str] = []
    if rng.random() < 0.15:
        lines.append("hostNetwork: true")
    if rng.random() < 0.1:
        lines.append("hostPID: true")
    if rng.random() < 0.3:
        lines.append("serviceAccountName: app")
    if rng.random() < 0.2:
        lines.append("automountServiceAccountToken: false")
    if rng.random() < 0.35:
        lines += ["securityContext:", "  runAsNonRoot: true", f"  runAsUser: {rng.choice([1000, 0, 65534])}",
                  "  fsGroup: 2000"]
    if rng.random() < 0.25:
        lines += ["initContainers:", *_container(rng, 0)]
    lines.append("containers:")
    for i in range(rng.choice([1, 1, 1, 2, 3])):
        lines += _container(rng, i + 1)
    if rng.random() < 0.3:
        lines += ["volumes:", "- name: data", *rng.choice([
            ["  emptyDir: {}"], ["  hostPath:", "    path: /var/run/docker.sock"],
            ["  persistentVolumeClaim:", "    claimName: data"]])]
    return "\n".join(indent + ln for ln in lines)


def _metadata(rng: random.Random, kind: str, i: int) -> str:
    ns = rng.choice(["", "  namespace: default\n", "  namespace: prod\n", "  namespace: kube-system\n"])
    labels = f"  labels:\n    app: svc{i}\n" if rng.random() < 0.7 else ""
    return f"metadata:\n  name: {kind.lower()}-{i}\n{ns}{labels}"


def workload(rng: random.Random, i: int) -> str:
    kind = rng.choice(["Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod",
                       "ReplicaSet"])
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1"}.get(kind, "apps/v1")
    head = f"apiVersion: {api}\nkind: {kind}\n{_metadata(rng, kind, i)}"
    if kind == "Pod":
        return head + "spec:\n" + _pod_spec(rng, "  ")
    if kind == "CronJob":
        return (head + "spec:\n  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
                "        spec:\n" + _pod_spec(rng, "          ") + "\n          restartPolicy: OnFailure")
    sel = "" if kind == "Job" else f"  selector:\n    matchLabels:\n      app: svc{i}\n"
    reps = f"  replicas: {rng.choice([1, 2, 3])}\n" if kind in ("Deployment", "StatefulSet", "ReplicaSet") else ""
    return (head + "spec:\n" + reps + sel + f"  template:\n    metadata:\n      labels:\n        app: svc{i}\n"
            "    spec:\n" + _pod_spec(rng, "      "))


def other(rng: random.Random, i: int) -> str:
    kind = rng.choice(["Service", "ConfigMap", "Role", "ClusterRole", "RoleBinding", "Ingress", "Secret",
                       "NetworkPolicy", "ServiceAccount"])
    if kind == "Service":
        return (f"apiVersion: v1\nkind: Service\n{_metadata(rng, kind, i)}spec:\n  type: "
                f"{rng.choice(['ClusterIP', 'NodePort', 'LoadBalancer'])}\n  selector:\n    app: svc{i}\n"
                "  ports:\n  - port: 80\n    targetPort: 8080")
    if kind == "ConfigMap":
        return f"apiVersion: v1\nkind: ConfigMap\n{_metadata(rng, kind, i)}data:\n  LOG_LEVEL: info\n  PORT: '8080'"
    if kind in ("Role", "ClusterRole"):
        verbs = rng.choice(['["get", "list"]', '["*"]', '["create", "update", "delete"]'])
        res = rng.choice(['["pods"]', '["secrets"]', '["*"]', '["pods/exec"]', '["roles", "rolebindings"]'])
        return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n{_metadata(rng, kind, i)}rules:\n"
                f"- apiGroups: [\"\"]\n  resources: {res}\n  verbs: {verbs}")
    if kind == "RoleBinding":
        return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n{_metadata(rng, kind, i)}"
                f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: role-{i}\nsubjects:\n"
                f"- kind: {rng.choice(['ServiceAccount', 'Group'])}\n  name: "
                f"{rng.choice(['app', 'system:anonymous', 'system:authenticated'])}")
    if kind == "Ingress":
        return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\n{_metadata(rng, kind, i)}spec:\n  rules:\n"
                f"  - host: svc{i}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                f"        backend:\n          service:\n            name: svc{i}\n            port:\n"
                "              number: 80")
    if kind == "Secret":
        return f"apiVersion: v1\nkind: Secret\n{_metadata(rng, kind, i)}type: Opaque\ndata:\n  token: c2VjcmV0"
    if kind == "NetworkPolicy":
        return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{_metadata(rng, kind, i)}spec:\n"
                "  podSelector: {}\n  policyTypes:\n  - Ingress")
    return f"apiVersion: v1\nkind: ServiceAccount\n{_metadata(rng, kind, i)}".rstrip()


RUNS = [
    "apt-get update && apt-get install -y curl ca-certificates",
    "apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*",
    "apt-get install vim",
    "apk add --no-cache bash curl",
    "apk update && apk add python3",
    "yum install -y httpd && yum clean all",
    "yum install wget",
    "dnf install -y make gcc",
    "pip install flask requests",
    "pip install --no-cache-dir -r requirements.txt",
    "npm install && npm cache clean --force",
    "curl -fsSL https://example.com/install.sh | sh",
    "wget https://example.com/tool.tar.gz && tar xzf tool.tar.gz",
    "cd /src && make && make install",
    "sudo apt-get update",
    "useradd -m app && chown -R app /app",
    "set -eux; \\\n    groupadd -r app; \\\n    useradd -r -g app app; \\\n    mkdir -p /data && chown app:app /data",
    "apt-get update \\\n && apt-get install -y \\\n      build-essential \\\n      libssl-dev \\\n"
    "      zlib1g-dev \\\n && rm -rf /var/lib/apt/lists/*",
    "go build -o /out/app ./cmd/app",
    "zypper install -y nginx",
    "echo 'hello && world' > /etc/motd; ln -s /usr/bin/python3 /usr/bin/python",
    "[\"/bin/sh\", \"-c\", \"apk add --no-cache tini && rm -rf /tmp/*\"]",
]


def dockerfile(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.2:
        lines += ["ARG BASE=debian", "ARG TAG=bookworm"]
    if rng.random() < 0.15:
        lines.append("MAINTAINER someone@example.com")
    stages = rng.choice([1, 1, 1, 2])
    for s in range(stages):
        base = rng.choice(BASES)
        if s == 0 and stages == 2 and " AS " not in base:
            base += " AS build"
        lines.append(f"FROM {base}")
        if rng.random() < 0.3:
            lines.append("LABEL org.opencontainers.image.source=https://example.com/repo")
        if rng.random() < 0.4:
            lines.append("ENV LANG=C.UTF-8 PATH=/usr/local/bin:$PATH")
        for _ in range(rng.randint(1, 5)):
            run = rng.choice(RUNS)
            lines.append(f"RUN {run}")
        if rng.random() < 0.3:
            lines.append(f"WORKDIR {rng.choice(['/app', 'app', '/usr/src/app'])}")
        if rng.random() < 0.5:
            lines.append(rng.choice(["COPY . /app", "ADD app.tar.gz /app/", "ADD https://example.com/x /x",
                                     "COPY --from=build /out/app /usr/local/bin/app", "COPY --chown=app:app . ."]))
        if rng.random() < 0.3:
            lines.append(f"EXPOSE {rng.choice(['80', '8080', '22', '443 8443'])}")
    if rng.random() < 0.5:
        lines.append(f"USER {rng.choice(['app', 'root', '1000', 'nobody'])}")
    if rng.random() < 0.3:
        lines.append("HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1")
    if rng.random() < 0.7:
        lines.append(rng.choice(['CMD ["/usr/local/bin/app"]', "CMD app --serve", 'ENTRYPOINT ["tini", "--"]']))
    return "\n".join(lines) + "\n"


def write_corpus(out: Path, files: int, seed: int) -> int:
    """Write the corpus; returns the number of files written."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    n_docker = round(files * 0.38)
    for i in range(n_docker):
        path = out / f"images/app{i:04d}" / rng.choice(["Dockerfile", "Dockerfile", "Dockerfile.dev"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dockerfile(rng), encoding="utf-8")
    for i in range(files - n_docker):
        docs = [workload(rng, i) if rng.random() < 0.6 else other(rng, i) for _ in range(rng.choice([1, 1, 2, 3]))]
        path = out / f"manifests/svc{i:04d}" / rng.choice(["deployment.yaml", "all.yaml", "manifest.yml"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n".join(d + "\n" for d in docs), encoding="utf-8")
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    n = write_corpus(args.out, args.files, args.seed)
    print(f"wrote {n} files to {args.out}")


if __name__ == "__main__":
    main()
