#!/usr/bin/python3
"""Validates the Kubernetes objects in deploy/kubernetes/*.yaml against the
API's own models, as Debian's python3-kubernetes (22.6, API 1.22) defines
them: every field must exist in its object's schema (unknown fields fail,
as the API server's strict mode), every value must have its type, and each
object is built with the client's validation (required fields, enums).

    /usr/bin/python3 deploy/kubernetes/validate.py DIR

Exits 1 on the first invalid object, naming the file, the object and the
field path.
"""
import glob
import os
import re
import sys

import kubernetes.client as k8s
import yaml

# The kinds the manifests may use: apiVersion, kind -> model class.
KINDS = {
    ("apps/v1", "StatefulSet"): k8s.V1StatefulSet,
    ("v1", "Service"): k8s.V1Service,
    ("v1", "ConfigMap"): k8s.V1ConfigMap,
    ("v1", "Secret"): k8s.V1Secret,
    ("policy/v1", "PodDisruptionBudget"): k8s.V1PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.V1NetworkPolicy,
}


# Fields the manifests use that API 1.22's models predate, with their
# schema from the API reference: (model, JSON field) -> {field: type}.
NEWER_FIELDS = {
    # Probe.grpc: beta in 1.24, GA in 1.27.
    ("V1Probe", "grpc"): {"port": "int", "service": "str"},
}


class Invalid(Exception):
    pass


def check_newer(value, fields, path):
    """Checks a field newer than the models against its schema."""
    if not isinstance(value, dict):
        raise Invalid(f"{path}: expected an object")
    for key, v in value.items():
        if key not in fields:
            raise Invalid(f"{path}.{key}: unknown field")
        build(v, fields[key], f"{path}.{key}")


def build(value, type_name, path):
    """Returns `value` converted to `type_name` (a model, list or dict of
    them, or a scalar), raising Invalid with the field path."""
    if value is None:
        return None
    match = re.fullmatch(r"list\[(.+)\]", type_name)
    if match:
        if not isinstance(value, list):
            raise Invalid(f"{path}: expected a list")
        return [build(v, match.group(1), f"{path}[{i}]") for i, v in enumerate(value)]
    match = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if match:
        if not isinstance(value, dict):
            raise Invalid(f"{path}: expected a map")
        return {str(k): build(v, match.group(1), f"{path}.{k}") for k, v in value.items()}
    scalars = {"str": str, "bool": bool, "float": (int, float), "datetime": str, "date": str}
    if type_name == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(f"{path}: expected an integer, got {value!r}")
        return value
    if type_name in scalars:
        if not isinstance(value, scalars[type_name]):
            raise Invalid(f"{path}: expected {type_name}, got {value!r}")
        return value
    if type_name == "object":  # int-or-string, quantities, free maps
        return value
    model = getattr(k8s, type_name)
    if not isinstance(value, dict):
        raise Invalid(f"{path}: expected an object ({type_name})")
    field_of = {json: attr for attr, json in model.attribute_map.items()}
    kwargs = {}
    for key, v in value.items():
        if (type_name, key) in NEWER_FIELDS:
            check_newer(v, NEWER_FIELDS[(type_name, key)], f"{path}.{key}")
            continue
        if key not in field_of:
            raise Invalid(f"{path}.{key}: unknown field of {type_name}")
        attr = field_of[key]
        kwargs[attr] = build(v, model.openapi_types[attr], f"{path}.{key}")
    try:
        return model(**kwargs)
    except ValueError as error:
        raise Invalid(f"{path}: {error}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: validate.py DIR")
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))
    if not files:
        sys.exit(f"no .yaml file in {sys.argv[1]}")
    objects = 0
    for path in files:
        name = os.path.basename(path)
        with open(path) as f:
            documents = list(yaml.safe_load_all(f))
        for document in documents:
            if document is None:
                continue
            key = (document.get("apiVersion"), document.get("kind"))
            model = KINDS.get(key)
            label = f"{name}: {key[0]} {key[1]} {document.get('metadata', {}).get('name')}"
            if model is None:
                sys.exit(f"{label}: no schema known for this kind")
            try:
                build(document, model.__name__, "")
            except Invalid as error:
                sys.exit(f"{label}: {error}")
            print(f"valid: {label}")
            objects += 1
    print(f"{objects} objects valid in {len(files)} files")


if __name__ == "__main__":
    main()
