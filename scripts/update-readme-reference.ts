// Rewrites README's generated configuration reference in place.
import * as fs from "fs";
import * as path from "path";
import { configReference } from "../infra/config/reference";

const file = path.resolve(__dirname, "../README.md");
const text = fs.readFileSync(file, "utf8");
const next = text.replace(/(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/, `$1${configReference()}$2`);
fs.writeFileSync(file, next);
