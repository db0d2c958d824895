#!/usr/bin/env bash
# Checks the deployment files as their own tools read them:
#   - the systemd unit with `systemd-analyze verify`, and its sandbox with
#     `systemd-analyze security`, failing above an exposure of 2.0 (of 10);
#   - the Kubernetes manifests with yamllint and against the Kubernetes API
#     schemas (deploy/kubernetes/validate, installed by deploy/setup.sh).
#
#   tests/deploy/check_deploy_files.sh CRENEAUD_PATH
set -euo pipefail
creneaud=${1:?usage: check_deploy_files.sh CRENEAUD_PATH}
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The unit names the installed binary; verify checks that ExecStart exists,
# so point it at the one just built.
sed "s#/usr/local/bin/creneaud#${creneaud}#" \
  "$root/deploy/systemd/creneaud.service" > "$work/creneaud.service"
echo "== systemd-analyze verify"
systemd-analyze verify "$work/creneaud.service"
echo "== systemd-analyze security (offline), threshold 2.0"
systemd-analyze security --offline=yes --threshold=20 "$work/creneaud.service" \
  > "$work/security.txt" || { cat "$work/security.txt"; exit 1; }
grep "Overall exposure level" "$work/security.txt"

echo "== yamllint"
yamllint -s -c "$root/deploy/kubernetes/.yamllint" "$root"/deploy/kubernetes/*.yaml
echo "== Kubernetes API schemas"
validator="$root/deploy/kubernetes/validate"
if [ ! -d "$validator/node_modules/kubernetes-models" ]; then
  echo "the validator is not installed: run deploy/setup.sh" >&2
  exit 1
fi
node "$validator/validate.mjs" "$root/deploy/kubernetes"
echo "deploy files: all checks passed"
