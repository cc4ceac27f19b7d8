// Fails when an operation of src/operations.js no longer validates against the repository's
// schema.graphql, when an enum of src/index.d.ts no longer lists the schema's values, or when
// schema.graphql is not what the server prints (`groupql schema`, when it can be run).
//
//   node scripts/check-operations.mjs            # GROUPQL=path/to/groupql to pick the binary

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GraphQLEnumType, buildSchema, parse, validate } from "graphql";
import * as operations from "../src/operations.js";

const schemaPath = fileURLToPath(new URL("../../../schema.graphql", import.meta.url));
const defaultGroupql = fileURLToPath(new URL("../../../.venv/bin/groupql", import.meta.url));
const committed = readFileSync(schemaPath, "utf8");
const problems = [];
let enumCount = 0;

const schema = buildSchema(committed);
for (const [name, document] of Object.entries(operations)) {
  for (const error of validate(schema, parse(document))) {
    const where = error.locations ? ` (line ${error.locations[0].line})` : "";
    problems.push(`${name}: ${error.message}${where}`);
  }
}

// `export type Role = "OWNER" | "ADMIN" | "MEMBER";` in index.d.ts, for each enum of the schema.
const types = readFileSync(new URL("../src/index.d.ts", import.meta.url), "utf8");
for (const [, name, union] of types.matchAll(/^export type (\w+) = ((?:"\w+"(?: \| )?)+);$/gm)) {
  const enumType = schema.getType(name);
  if (!(enumType instanceof GraphQLEnumType)) continue;
  enumCount += 1;
  const declared = [...union.matchAll(/"(\w+)"/g)].map(([, value]) => value).sort();
  const actual = enumType.getValues().map((value) => value.name).sort();
  if (declared.join() !== actual.join()) {
    problems.push(`index.d.ts ${name}: ${declared.join(" | ")}; the schema has ${actual.join(" | ")}`);
  }
}

const groupql = process.env.GROUPQL || defaultGroupql;
if (existsSync(groupql)) {
  const printed = execFileSync(groupql, ["schema"], { encoding: "utf8" });
  if (printed !== committed) {
    problems.push(`${schemaPath} is stale: run \`${groupql} schema > ${schemaPath}\``);
  }
} else {
  console.log(`(${groupql} not found: schema.graphql not compared with the server's)`);
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(
  `${Object.keys(operations).length} operations and ${enumCount} enums of index.d.ts agree with schema.graphql`,
);
