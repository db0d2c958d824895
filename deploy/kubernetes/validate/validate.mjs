// Validates every Kubernetes object in the YAML files of a directory
// against the API schemas bundled by kubernetes-models: unknown fields,
// wrong types and missing required fields fail. Prints one line per object
// and exits 1 on the first file with an invalid or unknown object.
//
//   node validate.mjs DIR
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

// The kinds the manifests use, from the module of their API group.
const MODELS = {
  "apps/v1 StatefulSet": ["kubernetes-models/apps/v1", "StatefulSet"],
  "v1 Service": ["kubernetes-models/v1", "Service"],
  "v1 ConfigMap": ["kubernetes-models/v1", "ConfigMap"],
  "v1 Secret": ["kubernetes-models/v1", "Secret"],
  "v1 ServiceAccount": ["kubernetes-models/v1", "ServiceAccount"],
  "policy/v1 PodDisruptionBudget": ["kubernetes-models/policy/v1", "PodDisruptionBudget"],
  "networking.k8s.io/v1 NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1", "NetworkPolicy"],
};

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node validate.mjs DIR");
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
if (files.length === 0) {
  console.error(`no .yaml file in ${dir}`);
  process.exit(1);
}
let objects = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML: ${doc.errors[0].message}`);
      process.exit(1);
    }
    const object = doc.toJS();
    if (object === null) continue;
    const key = `${object.apiVersion} ${object.kind}`;
    const model = MODELS[key];
    if (!model) {
      console.error(`${file}: ${key}: no schema known for this kind`);
      process.exit(1);
    }
    const module = await import(model[0]);
    try {
      new module[model[1]](object).validate();
    } catch (error) {
      console.error(`${file}: ${key} ${object.metadata?.name}: ${error.message}`);
      process.exit(1);
    }
    console.log(`valid: ${file}: ${key} ${object.metadata?.name}`);
    ++objects;
  }
}
console.log(`${objects} objects valid in ${files.length} files`);
