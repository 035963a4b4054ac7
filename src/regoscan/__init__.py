"""regoscan: Rego checks and exceptions over Kubernetes manifests, Dockerfiles and YAML/JSON."""

__version__ = "0.1.0"
