// Files travel to hosts as "path mode base64" lines on a step's stdin.
import * as crypto from "crypto";
import { RenderedFile } from "../render/file";

export function filesPayload(files: ReadonlyArray<RenderedFile>): string {
    return files.map((f) => `${f.path} ${f.mode} ${Buffer.from(f.content).toString("base64")}\n`).join("");
}

export function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}
