// Writes every operation the package sends to OUT_DIR (default: operations/), one .graphql file
// each, byte for byte as sent, for `groupql documents build` (trusted documents):
//
//   node scripts/extract-operations.mjs [OUT_DIR]
//   groupql documents build OUT_DIR your-own-graphql-dir --out trusted-documents.json

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "graphql";
import * as operations from "../src/operations.js";

const outDir = process.argv[2] || "operations";
mkdirSync(outDir, { recursive: true });
for (const document of Object.values(operations)) {
  const name = parse(document).definitions[0].name.value;
  const path = join(outDir, name + ".graphql");
  writeFileSync(path, document);
  console.log(path);
}
